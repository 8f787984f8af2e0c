//! The simulated customer's side of an order, for the control API: pay, start paying, fail,
//! expire; and the orders a direct-debit payment creates already paid.

use binancepay_types::Amount;
use binancepay_types::enums::{OrderStatus, PayStatus, TradeType};

use super::store::{Order, Payment};
use crate::api::direct_debit;
use crate::api::error::ApiError;
use crate::api::wallet::WalletKind;
use crate::context::Ctx;
use crate::ids::token;
use crate::state::State;

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
    order.payment = Some(Payment::new(
        format!("M_P_{transaction_no}"),
        format!("sbx{}", token(payer_id, 18)),
        payer_id,
        ctx.now,
        state.payer_detail_secret.as_ref(),
    )?);
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
        payment: Some(Payment::new(
            format!("M_P_{prepay_id}"),
            open_user_id,
            payer_id,
            ctx.now,
            state.payer_detail_secret.as_ref(),
        )?),
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
