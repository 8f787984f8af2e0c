//! The order store: every order (any API version) by prepay id and by the merchant's trade
//! number, with what the endpoints and webhooks show of one.

use std::collections::HashMap;

use binancepay_types::enums::{OrderStatus, TradeType};
use binancepay_types::order::{PaymentInfo, PaymentInstruction, QueryOrderResult};
use binancepay_types::webhook::PayNotificationData;
use binancepay_types::{Amount, Id, NumberOrString};

use crate::api::error::ApiError;
use crate::ids::{MERCHANT_ID, id_of, id_value};
use crate::money::{amount_of, to_units};

/// Who paid an order.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) transaction_id: String,
    pub(crate) open_user_id: String,
    pub(crate) payer_id: u64,
    pub(crate) transact_time: u64,
    /// The encrypted `payerDetail`, when the merchant is approved for data sharing.
    pub(crate) payer_detail: Option<String>,
}

impl Payment {
    /// A payment by the simulated payer; with `share` (the merchant's secret) its data is
    /// encrypted into `payerDetail` under a fresh random IV.
    pub(crate) fn new(
        transaction_id: String,
        open_user_id: String,
        payer_id: u64,
        transact_time: u64,
        share: Option<&binancepay_sign::ApiSecret>,
    ) -> Result<Self, ApiError> {
        let payer_detail = share
            .map(|secret| seal_payer_detail(secret, payer_id, &open_user_id))
            .transpose()?;
        Ok(Self {
            transaction_id,
            open_user_id,
            payer_id,
            transact_time,
            payer_detail,
        })
    }
}

/// The simulated payer's data, in the shape of the fields Binance's pages list for shared payer
/// data (name, country, identity), encrypted like Binance's `payerDetail`.
fn seal_payer_detail(
    secret: &binancepay_sign::ApiSecret,
    payer_id: u64,
    open_user_id: &str,
) -> Result<String, ApiError> {
    use rand_core::{OsRng, TryRngCore as _};
    let plaintext = serde_json::json!({
        "payerId": payer_id.to_string(),
        "openUserId": open_user_id,
        "firstName": "Sandbox",
        "lastName": format!("Payer {}", payer_id % 10_000),
        "countryCode": "ZZ",
        "email": format!("payer{payer_id}@sandbox.invalid"),
    })
    .to_string();
    let mut iv = [0u8; binancepay_sign::payer_detail::IV_LEN];
    OsRng
        .try_fill_bytes(&mut iv)
        .map_err(|_| ApiError::internal("payerDetail: the OS random number generator failed"))?;
    binancepay_sign::payer_detail::encrypt(secret, iv, &plaintext).map_err(ApiError::internal)
}

/// One order, whatever the API version that created it.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) prepay_id: u64,
    pub(crate) merchant_trade_no: String,
    pub(crate) status: OrderStatus,
    /// The crypto currency paid in.
    pub(crate) currency: String,
    /// The amount paid, in `currency`.
    pub(crate) amount: Amount,
    /// For fiat-denominated orders: the fiat currency and amount.
    pub(crate) fiat: Option<(String, Amount)>,
    pub(crate) trade_type: TradeType,
    pub(crate) product_type: String,
    pub(crate) product_name: String,
    pub(crate) pass_through_info: Option<String>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) create_time: u64,
    pub(crate) expire_time: u64,
    pub(crate) payment: Option<Payment>,
    /// Refunds accepted so far (pending ones included), in 10⁻⁸ units.
    pub(crate) refunded_units: u128,
    /// Refunds accepted so far.
    pub(crate) refund_attempts: u32,
    /// Refunds waiting for the control API.
    pub(crate) pending_refunds: u32,
    /// Profit splits so far, in 10⁻⁸ units.
    pub(crate) split_units: u128,
    /// The pay-and-sign contract signed when this order is paid.
    pub(crate) pay_and_sign: Option<String>,
    /// Where the checkout page sends the customer after paying or cancelling.
    pub(crate) return_url: Option<String>,
    pub(crate) cancel_url: Option<String>,
}

impl Order {
    /// Applies expiry: an unpaid order past its expire time is EXPIRED.
    pub(crate) fn refresh(&mut self, now: u64) {
        if matches!(self.status, OrderStatus::Initial | OrderStatus::Pending)
            && now >= self.expire_time
        {
            self.status = OrderStatus::Expired;
        }
    }

    /// Whether money was received (and so can be refunded or split).
    pub(crate) fn is_paid(&self) -> bool {
        matches!(
            self.status,
            OrderStatus::Paid
                | OrderStatus::Refunding
                | OrderStatus::Refunded
                | OrderStatus::FullRefunded
        )
    }

    /// Recomputes the status of a paid order from its refunds.
    pub(crate) fn apply_refund_status(&mut self) {
        if !self.is_paid() {
            return;
        }
        self.status = if self.pending_refunds > 0 {
            OrderStatus::Refunding
        } else if self.refunded_units >= to_units(&self.amount) {
            OrderStatus::FullRefunded
        } else if self.refunded_units > 0 {
            OrderStatus::Refunded
        } else {
            OrderStatus::Paid
        };
    }

    /// The PAY webhook payload.
    pub(super) fn pay_data(&self) -> Result<PayNotificationData, ApiError> {
        let mut data = PayNotificationData::new()
            .with_merchant_trade_no(self.merchant_trade_no.clone())
            .with_product_type(self.product_type.clone())
            .with_product_name(self.product_name.clone())
            .with_trade_type(self.trade_type.clone())
            .with_total_fee(self.amount.clone())
            .with_currency(self.currency.clone())
            .with_commission(amount_of(0, "commission")?);
        if let Some(info) = &self.pass_through_info {
            data = data.with_pass_through_info(info.clone());
        }
        if let Some(payment) = &self.payment {
            data = data
                .with_transact_time(i64::try_from(payment.transact_time).unwrap_or(i64::MAX))
                .with_transaction_id(payment.transaction_id.clone())
                .with_open_user_id(payment.open_user_id.clone())
                .with_payment_info(self.payment_info(payment)?);
        }
        Ok(data)
    }

    fn payment_info(&self, payment: &Payment) -> Result<PaymentInfo, ApiError> {
        // The customer paid in the order currency; its price is quoted in USDT, as in the docs.
        let usd = crate::api::wallet::price(&self.currency).unwrap_or(crate::money::SCALE);
        let price = amount_of(usd, "price")?;
        let price = NumberOrString::number(price.as_str()).map_err(ApiError::internal)?;
        let info = match &payment.payer_detail {
            Some(detail) => PaymentInfo::new().with_payer_detail(detail.clone()),
            None => PaymentInfo::new(),
        };
        Ok(info
            .with_payer_id(id_of(payment.payer_id)?)
            .with_pay_method("funding")
            .with_payment_instructions(vec![
                PaymentInstruction::new()
                    .with_currency(self.currency.clone())
                    .with_amount(self.amount.clone())
                    .with_price(price),
            ])
            .with_channel("DEFAULT"))
    }

    pub(super) fn query_result(&self) -> Result<QueryOrderResult, ApiError> {
        let create_time = i64::try_from(self.create_time).unwrap_or(i64::MAX);
        let mut result = QueryOrderResult::new(
            id_of(MERCHANT_ID)?,
            id_of(self.prepay_id)?,
            self.merchant_trade_no.clone(),
            self.status.clone(),
            self.currency.clone(),
            self.amount.clone(),
            create_time,
        );
        if let Some(info) = &self.pass_through_info {
            result = result.with_pass_through_info(info.clone());
        }
        if let Some(payment) = &self.payment {
            result = result
                .with_transaction_id(payment.transaction_id.clone())
                .with_open_user_id(payment.open_user_id.clone())
                .with_commission(amount_of(0, "commission")?)
                .with_transact_time(i64::try_from(payment.transact_time).unwrap_or(i64::MAX))
                .with_payment_info(self.payment_info(payment)?);
        }
        Ok(result)
    }
}

/// Every order, by prepay id, and the merchant's trade numbers.
#[derive(Debug, Default)]
pub(crate) struct Orders {
    by_id: HashMap<u64, Order>,
    by_trade_no: HashMap<String, u64>,
}

impl Orders {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Order> {
        self.by_id.values_mut()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Order> {
        self.by_id.values()
    }

    /// The order with this prepay id, expiry applied.
    pub(crate) fn get_mut(&mut self, prepay_id: u64, now: u64) -> Option<&mut Order> {
        let order = self.by_id.get_mut(&prepay_id)?;
        order.refresh(now);
        Some(order)
    }

    /// The order a wire prepay id names, expiry applied.
    pub(crate) fn by_prepay_id(&mut self, prepay_id: &Id, now: u64) -> Option<&mut Order> {
        self.get_mut(id_value(prepay_id)?, now)
    }

    pub(super) fn by_key(
        &mut self,
        prepay_id: Option<&Id>,
        trade_no: Option<&str>,
        now: u64,
    ) -> Result<&mut Order, ApiError> {
        // The reference: when both are given, prepayId wins.
        let id = match (prepay_id, trade_no) {
            (Some(id), _) => id_value(id),
            (None, Some(no)) => self.by_trade_no.get(no).copied(),
            (None, None) => return Err(ApiError::missing("prepayId/merchantTradeNo")),
        };
        id.and_then(|id| self.get_mut(id, now))
            .ok_or_else(|| ApiError::not_found("order"))
    }

    /// Adds an order; `index` registers its trade number (direct-debit payments have none).
    pub(crate) fn insert(&mut self, order: Order, index: bool) {
        if index {
            self.by_trade_no
                .insert(order.merchant_trade_no.clone(), order.prepay_id);
        }
        self.by_id.insert(order.prepay_id, order);
    }

    pub(super) fn contains_trade_no(&self, trade_no: &str) -> bool {
        self.by_trade_no.contains_key(trade_no)
    }
}

impl Order {
    /// The JSON the control API answers with.
    pub(crate) fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "prepayId": self.prepay_id.to_string(),
            "merchantTradeNo": self.merchant_trade_no,
            "status": self.status.as_str(),
            "currency": self.currency,
            "orderAmount": self.amount.as_str(),
            "transactionId": self.payment.as_ref().map(|p| p.transaction_id.clone()),
            "expireTime": self.expire_time,
            "fiatCurrency": self.fiat.as_ref().map(|(c, _)| c.clone()),
            "fiatAmount": self.fiat.as_ref().map(|(_, a)| a.to_string()),
        })
    }
}
