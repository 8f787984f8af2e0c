//! Orders: create (v3, v2, v1), query (v2, v1) and close. The store lives in `store`, the
//! simulated customer's side (pay, fail, expire) for the control API in `control`.

use binancepay_types::enums::{OrderStatus, PayStatus, TerminalType, TradeType};
use binancepay_types::order::{
    CloseOrderRequest, CreateOrderResult, CreateOrderV1Request, CreateOrderV2Request,
    CreateOrderV3Request, Goods, QueryOrderResult, QueryOrderV1Request, QueryOrderV2Request,
};
use binancepay_types::{Amount, ResultCode};

use super::direct_debit;
use super::error::{ApiError, known};
use super::wallet::{is_crypto, is_fiat};
use crate::context::Ctx;
use crate::ids::{id_of, token};
use crate::state::State;

mod control;
mod store;

pub(crate) use control::{ControlError, expire, fail, insert_paid, pay, start_payment};
pub(crate) use store::{Order, Orders};

/// Longest `orderExpireTime` ahead of now for v2/v3 orders (a community note says 15 days).
const MAX_EXPIRY_MS: u64 = 15 * 24 * 3_600_000;
/// Longest for v1 orders (documented: 1 hour).
const MAX_EXPIRY_V1_MS: u64 = 3_600_000;

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
    // The v1 page: "fiat or token: ISO 4217 currency code, or 3-letter crypto code".
    let (currency, amount, fiat_currency, fiat_amount) = if is_fiat(&req.currency) {
        (None, None, Some(req.currency), Some(req.total_fee))
    } else {
        (Some(req.currency), Some(req.total_fee), None, None)
    };
    let trade_type = req.trade_type.clone();
    let full = create(
        state,
        ctx,
        NewOrder {
            merchant_trade_no: req.merchant_trade_no,
            currency,
            amount,
            fiat_currency,
            fiat_amount,
            terminal_type: None,
            trade_type: req.trade_type,
            product_type: req.product_type,
            product_name: req.product_name,
            pass_through_info: req.pass_through_info,
            webhook_url: req.webhook_url,
            order_expire_time: req.order_expire_time,
            max_expiry_ms: MAX_EXPIRY_V1_MS,
            universal_url_attach: req.universal_url_attach,
            pay_and_sign: None,
            return_url: req.return_url,
            cancel_url: req.cancel_url,
        },
    )?;
    // The v1 page's response: these five fields (`expireTime` as a string: see `v1_wire`).
    let mut result = CreateOrderResult::new(full.prepay_id).with_trade_type(trade_type);
    result.expire_time = full.expire_time;
    result.qrcode_link = full.qrcode_link;
    result.qr_content = full.qr_content;
    Ok(result)
}

/// The v1 page prints `expireTime` as a JSON string (`"121123232223"`); the sandbox answers v1
/// in that shape (the SDK reads either).
pub(crate) fn v1_wire(data: &mut serde_json::Value) {
    if let Some(slot) = data.get_mut("expireTime") {
        if let Some(n) = slot.as_i64() {
            *slot = serde_json::Value::String(n.to_string());
        }
    }
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
