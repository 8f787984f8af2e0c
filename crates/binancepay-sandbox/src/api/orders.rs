//! Orders: create (v3, v2, v1), query (v2, v1), close, and the simulated customer's side
//! (pay, fail, expire) for the control API.

use std::collections::HashMap;

use binancepay_types::enums::{OrderStatus, PayStatus, TerminalType, TradeType};
use binancepay_types::order::{
    CloseOrderRequest, CreateOrderResult, CreateOrderV1Request, CreateOrderV2Request,
    CreateOrderV3Request, Goods, PaymentInfo, PaymentInstruction, QueryOrderResult,
    QueryOrderV1Request, QueryOrderV2Request,
};
use binancepay_types::webhook::PayNotificationData;
use binancepay_types::{Amount, Id, NumberOrString, ResultCode};

use super::direct_debit;
use super::error::{ApiError, known};
use super::wallet::{WalletKind, is_crypto, is_fiat};
use crate::money::{amount_of, to_units};
use crate::state::{Ctx, MERCHANT_ID, State, id_of, id_value, token};

/// Longest `orderExpireTime` ahead of now for v2/v3 orders (a community note says 15 days).
const MAX_EXPIRY_MS: u64 = 15 * 24 * 3_600_000;
/// Longest for v1 orders (documented: 1 hour).
const MAX_EXPIRY_V1_MS: u64 = 3_600_000;

/// Who paid an order.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) transaction_id: String,
    pub(crate) open_user_id: String,
    pub(crate) payer_id: u64,
    pub(crate) transact_time: u64,
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
    fn pay_data(&self) -> Result<PayNotificationData, ApiError> {
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
        let usd = super::wallet::price(&self.currency).unwrap_or(crate::money::SCALE);
        let price = amount_of(usd, "price")?;
        let price = NumberOrString::number(price.as_str()).map_err(ApiError::internal)?;
        Ok(PaymentInfo::new()
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

    fn query_result(&self) -> Result<QueryOrderResult, ApiError> {
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

    fn by_key(
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

    fn contains_trade_no(&self, trade_no: &str) -> bool {
        self.by_trade_no.contains_key(trade_no)
    }
}

/// The parts the three create versions share.
struct NewOrder {
    merchant_trade_no: String,
    currency: Option<String>,
    amount: Option<Amount>,
    fiat_currency: Option<String>,
    fiat_amount: Option<Amount>,
    terminal_type: Option<TerminalType>,
    trade_type: TradeType,
    product_type: String,
    product_name: String,
    pass_through_info: Option<String>,
    webhook_url: Option<String>,
    order_expire_time: Option<i64>,
    max_expiry_ms: u64,
    universal_url_attach: Option<String>,
    pay_and_sign: Option<direct_debit::ContractTerms>,
    return_url: Option<String>,
    cancel_url: Option<String>,
}

pub(crate) fn create_v3(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreateOrderV3Request,
) -> Result<CreateOrderResult, ApiError> {
    known("env.terminalType", &req.env.terminal_type)?;
    if let Some(os) = &req.env.os_type {
        known("env.osType", os)?;
    }
    for (index, goods) in req.goods_details.iter().enumerate() {
        check_goods(&format!("goodsDetails[{index}]"), goods)?;
    }
    let first = req.goods_details.first();
    let pay_and_sign = match req.direct_debit_contract {
        Some(contract) => Some(direct_debit::ContractTerms::from_pay_and_sign(contract)?),
        None => None,
    };
    let trade_type = TradeType::from_wire(req.env.terminal_type.as_str());
    create(
        state,
        ctx,
        NewOrder {
            merchant_trade_no: req.merchant_trade_no,
            currency: req.currency,
            amount: req.order_amount,
            fiat_currency: req.fiat_currency,
            fiat_amount: req.fiat_amount,
            terminal_type: Some(req.env.terminal_type),
            trade_type,
            product_type: first
                .map(|g| g.goods_category.as_str().to_owned())
                .unwrap_or_default(),
            product_name: first
                .map(|g| g.goods_name.clone())
                .unwrap_or_else(|| req.description.clone()),
            pass_through_info: req.pass_through_info,
            webhook_url: req.webhook_url,
            order_expire_time: req.order_expire_time,
            max_expiry_ms: MAX_EXPIRY_MS,
            universal_url_attach: req.universal_url_attach,
            pay_and_sign,
            return_url: req.return_url,
            cancel_url: req.cancel_url,
        },
    )
}

pub(crate) fn create_v2(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreateOrderV2Request,
) -> Result<CreateOrderResult, ApiError> {
    known("env.terminalType", &req.env.terminal_type)?;
    if let Some(os) = &req.env.os_type {
        known("env.osType", os)?;
    }
    check_goods("goods", &req.goods)?;
    let trade_type = TradeType::from_wire(req.env.terminal_type.as_str());
    create(
        state,
        ctx,
        NewOrder {
            merchant_trade_no: req.merchant_trade_no,
            currency: req.currency,
            amount: req.order_amount,
            fiat_currency: req.fiat_currency,
            fiat_amount: req.fiat_amount,
            terminal_type: Some(req.env.terminal_type),
            trade_type,
            product_type: req.goods.goods_category.as_str().to_owned(),
            product_name: req.goods.goods_name,
            pass_through_info: req.pass_through_info,
            webhook_url: req.webhook_url,
            order_expire_time: req.order_expire_time,
            max_expiry_ms: MAX_EXPIRY_MS,
            universal_url_attach: req.universal_url_attach,
            pay_and_sign: None,
            return_url: req.return_url,
            cancel_url: req.cancel_url,
        },
    )
}

pub(crate) fn create_v1(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreateOrderV1Request,
) -> Result<CreateOrderResult, ApiError> {
    known("tradeType", &req.trade_type)?;
    create(
        state,
        ctx,
        NewOrder {
            merchant_trade_no: req.merchant_trade_no,
            currency: Some(req.currency),
            amount: Some(req.total_fee),
            fiat_currency: None,
            fiat_amount: None,
            terminal_type: None,
            trade_type: req.trade_type,
            product_type: req.product_type,
            product_name: req.product_name,
            pass_through_info: None,
            webhook_url: None,
            order_expire_time: req.order_expire_time,
            max_expiry_ms: MAX_EXPIRY_V1_MS,
            universal_url_attach: None,
            pay_and_sign: None,
            return_url: req.return_url,
            cancel_url: req.cancel_url,
        },
    )
}

fn check_goods(path: &str, goods: &Goods) -> Result<(), ApiError> {
    known(&format!("{path}.goodsType"), &goods.goods_type)?;
    known(&format!("{path}.goodsCategory"), &goods.goods_category)?;
    Ok(())
}

fn create(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    new: NewOrder,
) -> Result<CreateOrderResult, ApiError> {
    if state.orders.contains_trade_no(&new.merchant_trade_no) {
        return Err(ApiError::new(
            ResultCode::InvalidMerchantTradeNo,
            format!(
                "merchantTradeNo {:?} is already used",
                new.merchant_trade_no
            ),
        ));
    }
    let (currency, amount, fiat) =
        match (new.currency, new.amount, new.fiat_currency, new.fiat_amount) {
            (Some(currency), Some(amount), _, _) => {
                if !is_crypto(&currency) {
                    return Err(ApiError::value(
                        "currency",
                        format!("{currency:?} is not a supported crypto currency"),
                    ));
                }
                (currency, amount, None)
            }
            (None, _, Some(fiat_currency), Some(fiat_amount)) => {
                if !is_fiat(&fiat_currency) {
                    return Err(ApiError::value(
                        "fiatCurrency",
                        format!("{fiat_currency:?} is not a supported fiat currency"),
                    ));
                }
                // Fiat orders are paid in USDT at a fixed 1:1 rate in the sandbox.
                (
                    "USDT".to_owned(),
                    fiat_amount.clone(),
                    Some((fiat_currency, fiat_amount)),
                )
            }
            (Some(_), None, _, _) => return Err(ApiError::missing("orderAmount")),
            (None, _, Some(_), None) => return Err(ApiError::missing("fiatAmount")),
            (None, _, None, _) => return Err(ApiError::missing("currency/fiatCurrency")),
        };
    let expire_time = match new.order_expire_time {
        None => ctx.now.saturating_add(ctx.config.order_expiry_ms),
        Some(at) => {
            let at = u64::try_from(at).unwrap_or(0);
            if at <= ctx.now {
                return Err(ApiError::value(
                    "orderExpireTime",
                    "must be in the future (epoch milliseconds)",
                ));
            }
            if at - ctx.now > new.max_expiry_ms {
                return Err(ApiError::value(
                    "orderExpireTime",
                    format!("must be at most {} ms from now", new.max_expiry_ms),
                ));
            }
            at
        }
    };
    let prepay_id = state.next_id();
    let pay_and_sign = match new.pay_and_sign {
        Some(terms) => Some(direct_debit::register_pay_and_sign(
            state, ctx, terms, &currency,
        )?),
        None => None,
    };
    let order = Order {
        prepay_id,
        merchant_trade_no: new.merchant_trade_no,
        status: OrderStatus::Initial,
        currency: currency.clone(),
        amount: amount.clone(),
        fiat: fiat.clone(),
        trade_type: new.trade_type,
        product_type: new.product_type,
        product_name: new.product_name,
        pass_through_info: new.pass_through_info,
        webhook_url: new.webhook_url,
        create_time: ctx.now,
        expire_time,
        payment: None,
        refunded_units: 0,
        refund_attempts: 0,
        pending_refunds: 0,
        split_units: 0,
        pay_and_sign,
        return_url: new.return_url,
        cancel_url: new.cancel_url,
    };
    state.orders.insert(order, true);

    let checkout = format!("{}/sandbox/checkout/{prepay_id}", ctx.config.base_url);
    let link_token = token(prepay_id, 32);
    let mut universal = format!("{checkout}?linkToken={link_token}");
    if let Some(attach) = new.universal_url_attach {
        universal.push_str(&attach);
    }
    let mut result = CreateOrderResult::new(id_of(prepay_id)?)
        .with_expire_time(i64::try_from(expire_time).unwrap_or(i64::MAX))
        .with_qrcode_link(format!("{checkout}/qr"))
        .with_qr_content(checkout.clone())
        .with_checkout_url(checkout)
        .with_deeplink(format!(
            "bnc://app.binance.com/payment/secpay?tempToken={link_token}"
        ))
        .with_universal_url(universal)
        .with_currency(currency)
        .with_total_fee(amount);
    if let Some(terminal) = new.terminal_type {
        result = result.with_terminal_type(terminal);
    }
    if let Some((fiat_currency, fiat_amount)) = fiat {
        result = result
            .with_fiat_currency(fiat_currency)
            .with_fiat_amount(fiat_amount);
    }
    Ok(result)
}

pub(crate) fn query_v2(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: QueryOrderV2Request,
) -> Result<QueryOrderResult, ApiError> {
    state
        .orders
        .by_key(
            req.prepay_id.as_ref(),
            req.merchant_trade_no.as_deref(),
            ctx.now,
        )?
        .query_result()
}

pub(crate) fn query_v1(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: QueryOrderV1Request,
) -> Result<QueryOrderResult, ApiError> {
    state
        .orders
        .by_key(
            req.prepay_id.as_ref(),
            req.merchant_trade_no.as_deref(),
            ctx.now,
        )?
        .query_result()
}

pub(crate) fn close(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CloseOrderRequest,
) -> Result<bool, ApiError> {
    let order = state.orders.by_key(
        req.prepay_id.as_ref(),
        req.merchant_trade_no.as_deref(),
        ctx.now,
    )?;
    if order.status != OrderStatus::Initial {
        return Err(ApiError::new(
            ResultCode::InvalidOrderStatus,
            format!(
                "order is {}; only an unpaid order (INITIAL) can be closed",
                order.status
            ),
        ));
    }
    order.status = OrderStatus::Canceled;
    let data = order.pay_data()?;
    let (prepay_id, url) = (order.prepay_id, order.webhook_url.clone());
    ctx.notify("PAY", PayStatus::PayClosed.as_str(), prepay_id, &data, url);
    Ok(true)
}

/// Why a control action on an order was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ControlError {
    /// No such object.
    NotFound(String),
    /// The object is in a state that does not allow the action.
    Conflict(String),
    /// Bookkeeping failed (an amount overflowed).
    Internal(String),
}

impl From<ApiError> for ControlError {
    fn from(error: ApiError) -> Self {
        Self::Internal(error.message)
    }
}

/// The simulated customer pays: PAID, the funding wallet is credited, PAY_SUCCESS is sent.
pub(crate) fn pay(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    prepay_id: u64,
) -> Result<Order, ControlError> {
    let payer_id = state.next_id();
    let transaction_no = state.next_id();
    let order = state
        .orders
        .get_mut(prepay_id, ctx.now)
        .ok_or_else(|| ControlError::NotFound(format!("order {prepay_id}")))?;
    if !matches!(order.status, OrderStatus::Initial | OrderStatus::Pending) {
        return Err(ControlError::Conflict(format!(
            "order is {}; only INITIAL or PENDING orders can be paid",
            order.status
        )));
    }
    order.status = OrderStatus::Paid;
    order.payment = Some(Payment {
        transaction_id: format!("M_P_{transaction_no}"),
        open_user_id: format!("sbx{}", token(payer_id, 18)),
        payer_id,
        transact_time: ctx.now,
    });
    let order = order.clone();
    state
        .wallets
        .credit(WalletKind::Funding, &order.currency, &order.amount)?;
    let data = order.pay_data()?;
    ctx.notify(
        "PAY",
        PayStatus::PaySuccess.as_str(),
        order.prepay_id,
        &data,
        order.webhook_url.clone(),
    );
    if let Some(code) = &order.pay_and_sign {
        direct_debit::sign(state, ctx, code, order.webhook_url.clone())?;
    }
    Ok(order)
}

/// The customer's payment is in progress: PENDING (no webhook; closing now answers 400204).
pub(crate) fn start_payment(
    state: &mut State,
    ctx: &Ctx<'_>,
    prepay_id: u64,
) -> Result<Order, ControlError> {
    set_unpaid_status(
        state,
        ctx,
        prepay_id,
        OrderStatus::Pending,
        &[OrderStatus::Initial],
    )
}

/// The payment failed: ERROR (no webhook is documented for this).
pub(crate) fn fail(
    state: &mut State,
    ctx: &Ctx<'_>,
    prepay_id: u64,
) -> Result<Order, ControlError> {
    set_unpaid_status(
        state,
        ctx,
        prepay_id,
        OrderStatus::Error,
        &[OrderStatus::Initial, OrderStatus::Pending],
    )
}

/// The order runs out of time now: EXPIRED (no webhook is documented for this).
pub(crate) fn expire(
    state: &mut State,
    ctx: &Ctx<'_>,
    prepay_id: u64,
) -> Result<Order, ControlError> {
    set_unpaid_status(
        state,
        ctx,
        prepay_id,
        OrderStatus::Expired,
        &[OrderStatus::Initial, OrderStatus::Pending],
    )
}

fn set_unpaid_status(
    state: &mut State,
    ctx: &Ctx<'_>,
    prepay_id: u64,
    to: OrderStatus,
    from: &[OrderStatus],
) -> Result<Order, ControlError> {
    let order = state
        .orders
        .get_mut(prepay_id, ctx.now)
        .ok_or_else(|| ControlError::NotFound(format!("order {prepay_id}")))?;
    if !from.contains(&order.status) {
        return Err(ControlError::Conflict(format!(
            "order is {}; expected one of {from:?}",
            order.status
        )));
    }
    order.status = to;
    Ok(order.clone())
}

/// A PAID order for a direct-debit payment, paid at once (no trade-number index entry).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_paid(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    merchant_trade_no: String,
    currency: String,
    amount: Amount,
    product_type: String,
    product_name: String,
    open_user_id: String,
    webhook_url: Option<String>,
) -> Result<u64, ApiError> {
    let prepay_id = state.next_id();
    let payer_id = state.next_id();
    let order = Order {
        prepay_id,
        merchant_trade_no,
        status: OrderStatus::Paid,
        currency,
        amount,
        fiat: None,
        trade_type: TradeType::Others,
        product_type,
        product_name,
        pass_through_info: None,
        webhook_url,
        create_time: ctx.now,
        expire_time: ctx.now,
        payment: Some(Payment {
            transaction_id: format!("M_P_{prepay_id}"),
            open_user_id,
            payer_id,
            transact_time: ctx.now,
        }),
        refunded_units: 0,
        refund_attempts: 0,
        pending_refunds: 0,
        split_units: 0,
        pay_and_sign: None,
        return_url: None,
        cancel_url: None,
    };
    state
        .wallets
        .credit(WalletKind::Funding, &order.currency, &order.amount)?;
    let data = order.pay_data()?;
    ctx.notify(
        "PAY",
        PayStatus::PaySuccess.as_str(),
        prepay_id,
        &data,
        order.webhook_url.clone(),
    );
    state.orders.insert(order, false);
    Ok(prepay_id)
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
