//! Refunds: partial and cumulative up to the order amount, at most 10 per order, idempotent on
//! `refundRequestId`, debited from the funding wallet, reported with PAY_REFUND webhooks.

use std::collections::HashMap;

use binancepay_types::embedded::Embedded;
use binancepay_types::enums::{DuplicateRequest, PayRefundStatus, RefundStatus};
use binancepay_types::refund::{
    QueryRefundRequest, QueryRefundResult, RefundOrderRequest, RefundResult,
};
use binancepay_types::webhook::{PayRefundInfo, PayRefundNotificationData};
use binancepay_types::{Amount, NumberOrString, ResultCode};

use super::error::ApiError;
use super::orders::{ControlError, Order};
use super::wallet::WalletKind;
use crate::context::Ctx;
use crate::ids::id_of;
use crate::money::{amount_of, to_units};
use crate::state::State;

/// Refunds allowed per order (documented: more than 10 → 400302).
pub(crate) const MAX_REFUNDS: u32 = 10;

/// One accepted refund.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) refund_request_id: String,
    pub(crate) refund_id: u64,
    pub(crate) prepay_id: u64,
    pub(crate) order_amount: Amount,
    pub(crate) amount: Amount,
    /// Everything refunded on the order once this refund was accepted.
    pub(crate) refunded_after: Amount,
    pub(crate) remaining_attempts: u32,
    pub(crate) payer_open_id: String,
    pub(crate) status: RefundStatus,
    pub(crate) webhook_url: Option<String>,
}

impl Refund {
    fn result(&self, duplicate: bool) -> Result<RefundResult, ApiError> {
        Ok(
            RefundResult::new(self.refund_request_id.clone(), id_of(self.prepay_id)?)
                .with_order_amount(self.order_amount.clone())
                .with_refunded_amount(self.refunded_after.clone())
                .with_refund_amount(self.amount.clone())
                .with_remaining_attempts(attempts(self.remaining_attempts)?)
                .with_payer_open_id(self.payer_open_id.clone())
                .with_duplicate_request(if duplicate {
                    DuplicateRequest::Yes
                } else {
                    DuplicateRequest::No
                })
                .with_refund_id(self.refund_id.to_string()),
        )
    }
}

/// The refund's status word for `refundInfo.refundStatus`, in the Refund page's words.
fn status_word(status: &PayRefundStatus) -> &'static str {
    match status {
        PayRefundStatus::RefundSuccess => "REFUND_SUCCESS",
        _ => "REFUND_FAIL",
    }
}

fn attempts(n: u32) -> Result<NumberOrString, ApiError> {
    NumberOrString::number(&n.to_string()).map_err(ApiError::internal)
}

/// Every refund, by the merchant's `refundRequestId`.
#[derive(Debug, Default)]
pub(crate) struct Refunds {
    by_request_id: HashMap<String, Refund>,
}

impl Refunds {
    pub(crate) fn len(&self) -> usize {
        self.by_request_id.len()
    }

    /// Every refund, in no particular order (the dashboard sorts them).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Refund> {
        self.by_request_id.values()
    }
}

pub(crate) fn refund(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: RefundOrderRequest,
) -> Result<RefundResult, ApiError> {
    if let Some(existing) = state.refunds.by_request_id.get(&req.refund_request_id) {
        return existing.result(true);
    }
    let refund_id = state.next_id();
    let manual = state.manual_refunds;
    let order = state
        .orders
        .by_prepay_id(&req.prepay_id, ctx.now)
        .ok_or_else(|| {
            ApiError::new(
                ResultCode::InvalidPrepayId,
                format!("prepayId {}: no such order", req.prepay_id),
            )
        })?;
    if !order.is_paid() {
        return Err(ApiError::new(
            ResultCode::InvalidOrderStatus,
            format!(
                "order is {}; only a paid order can be refunded",
                order.status
            ),
        ));
    }
    if order.refund_attempts >= MAX_REFUNDS {
        return Err(ApiError::new(
            ResultCode::TooManyRefundAttempts,
            format!("the order already has {MAX_REFUNDS} refunds, the most allowed"),
        ));
    }
    let order_units = to_units(&order.amount);
    let remaining = order_units.saturating_sub(order.refunded_units);
    // Documented: when one attempt is left, the refund takes the whole remainder.
    let last_attempt = order.refund_attempts + 1 == MAX_REFUNDS;
    let units = if last_attempt {
        remaining
    } else {
        to_units(&req.refund_amount)
    };
    if units == 0 || units > remaining {
        return Err(ApiError::new(
            ResultCode::InvalidRefundAmount,
            format!(
                "refundAmount: {} exceeds the {} left to refund",
                req.refund_amount,
                amount_of(remaining, "remaining")?
            ),
        ));
    }
    let amount = if last_attempt {
        amount_of(units, "refund")?
    } else {
        req.refund_amount.clone()
    };
    let (prepay_id, currency, order_amount) = (
        order.prepay_id,
        order.currency.clone(),
        order.amount.clone(),
    );
    state
        .wallets
        .debit(WalletKind::Funding, &currency, &amount)?;

    let order = state
        .orders
        .get_mut(prepay_id, ctx.now)
        .ok_or_else(|| ApiError::internal("order vanished"))?;
    // Adding Amounts (not units) keeps the merchant's decimals: 0 + 0.10 reads "0.10".
    let refunded_after = amount_of(order.refunded_units, "refunded amount")?
        .checked_add(&amount)
        .ok_or_else(|| ApiError::internal("refunded amount overflows"))?;
    order.refunded_units += units;
    order.refund_attempts += 1;
    if manual {
        order.pending_refunds += 1;
    }
    order.apply_refund_status();
    let refund = Refund {
        refund_request_id: req.refund_request_id.clone(),
        refund_id,
        prepay_id: order.prepay_id,
        order_amount,
        amount,
        refunded_after,
        remaining_attempts: MAX_REFUNDS - order.refund_attempts,
        payer_open_id: order
            .payment
            .as_ref()
            .map(|p| p.open_user_id.clone())
            .unwrap_or_default(),
        status: if manual {
            RefundStatus::RefundPending
        } else {
            RefundStatus::RefundSuccess
        },
        webhook_url: req.webhook_url,
    };
    if !manual {
        let order = order.clone();
        notify(ctx, &order, &refund, &PayRefundStatus::RefundSuccess)?;
    }
    let result = refund.result(false);
    state
        .refunds
        .by_request_id
        .insert(req.refund_request_id, refund);
    result
}

fn notify(
    ctx: &mut Ctx<'_>,
    order: &Order,
    refund: &Refund,
    status: &PayRefundStatus,
) -> Result<(), ApiError> {
    // Sent as a nested object, the shape of the one real-looking sample (S-rs), with the
    // documented fields and the refundId production sends.
    let result = refund.result(false)?;
    let mut info = PayRefundInfo::new()
        .with_refund_request_id(result.refund_request_id)
        .with_prepay_id(result.prepay_id)
        .with_refund_status(status_word(status));
    info.order_amount = result.order_amount;
    info.refunded_amount = result.refunded_amount;
    info.refund_amount = result.refund_amount;
    info.remaining_attempts = result.remaining_attempts;
    info.payer_open_id = result.payer_open_id;
    info.duplicate_request = result.duplicate_request;
    info.refund_id = result.refund_id;
    let info = Embedded::object(info);
    let mut data = PayRefundNotificationData::new()
        .with_merchant_trade_no(order.merchant_trade_no.clone())
        .with_product_type(order.product_type.clone())
        .with_product_name(order.product_name.clone())
        .with_trade_type(order.trade_type.clone())
        .with_total_fee(order.amount.clone())
        .with_currency(order.currency.clone())
        .with_refund_info(info);
    if let Some(payment) = &order.payment {
        data = data.with_open_user_id(payment.open_user_id.clone());
    }
    ctx.notify(
        "PAY_REFUND",
        status.as_str(),
        order.prepay_id,
        &data,
        refund.webhook_url.clone(),
    );
    Ok(())
}

pub(crate) fn query(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryRefundRequest,
) -> Result<QueryRefundResult, ApiError> {
    let refund = state
        .refunds
        .by_request_id
        .get(&req.refund_request_id)
        .ok_or_else(|| ApiError::not_found(format!("refund {:?}", req.refund_request_id)))?;
    Ok(QueryRefundResult::new(refund.refund_request_id.clone())
        .with_prepay_id(id_of(refund.prepay_id)?)
        .with_order_amount(refund.order_amount.clone())
        .with_refunded_amount(refund.refunded_after.clone())
        .with_refund_amount(refund.amount.clone())
        .with_refunded_commission(amount_of(0, "commission")?)
        .with_refund_commission(amount_of(0, "commission")?)
        .with_remaining_attempts(attempts(refund.remaining_attempts)?)
        .with_payer_open_id(refund.payer_open_id.clone())
        .with_refund_status(refund.status.clone()))
}

/// Settles a pending refund (manual refund mode): REFUND_SUCCESS, or REFUND_FAIL with the money
/// back in the funding wallet. Either way a PAY_REFUND webhook follows.
pub(crate) fn settle(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    refund_request_id: &str,
    success: bool,
) -> Result<serde_json::Value, ControlError> {
    let refund = state
        .refunds
        .by_request_id
        .get_mut(refund_request_id)
        .ok_or_else(|| ControlError::NotFound(format!("refund {refund_request_id:?}")))?;
    if refund.status != RefundStatus::RefundPending {
        return Err(ControlError::Conflict(format!(
            "refund is {}; only REFUND_PENDING refunds can be settled",
            refund.status
        )));
    }
    refund.status = if success {
        RefundStatus::RefundSuccess
    } else {
        RefundStatus::RefundFail
    };
    let refund = refund.clone();
    let order = state
        .orders
        .get_mut(refund.prepay_id, ctx.now)
        .ok_or_else(|| ControlError::NotFound(format!("order {}", refund.prepay_id)))?;
    order.pending_refunds = order.pending_refunds.saturating_sub(1);
    if !success {
        order.refunded_units = order
            .refunded_units
            .saturating_sub(to_units(&refund.amount));
    }
    order.apply_refund_status();
    let order = order.clone();
    if !success {
        state
            .wallets
            .credit(WalletKind::Funding, &order.currency, &refund.amount)?;
    }
    let status = if success {
        PayRefundStatus::RefundSuccess
    } else {
        PayRefundStatus::RefundRejected
    };
    notify(ctx, &order, &refund, &status)?;
    Ok(serde_json::json!({
        "refundRequestId": refund.refund_request_id,
        "refundStatus": refund.status.as_str(),
        "orderStatus": order.status.as_str(),
    }))
}
