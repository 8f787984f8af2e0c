//! Convert: pairs between the sandbox's assets at fixed prices, quotes that expire (executing
//! one late answers 345231), execution against the chosen wallet, and the order query.

use std::collections::HashMap;

use binancepay_types::convert::{
    ConvertExecution, ConvertOrder, ConvertPairs, ConvertQuote, ConvertTarget,
    ExecuteConvertQuoteRequest, GetConvertQuoteRequest, ListConvertPairsRequest,
    QueryConvertOrderRequest,
};
use binancepay_types::enums::ConvertOrderStatus;
use binancepay_types::{Amount, NumberOrString, ResultCode};

use super::error::ApiError;
use super::wallet::{ASSETS, WalletKind, price};
use crate::context::Ctx;
use crate::ids::token;
use crate::money::{SCALE, amount_of, from_units, mul_div, to_units};
use crate::state::State;

/// Smallest and largest amount converted from, in 10⁻⁸ units.
const FROM_MIN: u128 = 10_000; // 0.0001
const FROM_MAX: u128 = 1_000_000 * SCALE;

#[derive(Debug, Clone)]
struct Quote {
    wallet: WalletKind,
    from: String,
    to: String,
    from_amount: Amount,
    to_amount: Amount,
    ratio: String,
    inverse_ratio: String,
    expire_time: u64,
    /// The convert order once executed.
    order_id: Option<String>,
}

#[derive(Debug, Clone)]
struct Order {
    quote_id: String,
    create_time: u64,
}

/// Quotes by id and executed orders by id.
#[derive(Debug, Default)]
pub(crate) struct Convert {
    quotes: HashMap<String, Quote>,
    orders: HashMap<String, Order>,
}

impl Convert {
    pub(crate) fn quotes_len(&self) -> usize {
        self.quotes.len()
    }

    pub(crate) fn orders_len(&self) -> usize {
        self.orders.len()
    }
}

fn supported(field: &str, asset: &str) -> Result<u128, ApiError> {
    price(asset).ok_or_else(|| ApiError::value(field, format!("{asset:?} cannot be converted")))
}

/// `a / b` as decimal text with 8 places, rounded down.
fn ratio(a: u128, b: u128) -> String {
    mul_div(a, SCALE, b)
        .and_then(from_units)
        .map(|r| r.to_string())
        .unwrap_or_else(|| "0".to_owned())
}

fn number(text: &str) -> Result<NumberOrString, ApiError> {
    NumberOrString::number(text).map_err(ApiError::internal)
}

pub(crate) fn list_pairs(
    _state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: ListConvertPairsRequest,
) -> Result<ConvertPairs, ApiError> {
    let from_price = supported("fromAsset", &req.from_asset)?;
    let mut targets = Vec::new();
    for (asset, to_price) in ASSETS.iter().filter(|(a, _)| *a != req.from_asset) {
        let to_min = mul_div(FROM_MIN, from_price, *to_price).unwrap_or(0).max(1);
        let to_max = mul_div(FROM_MAX, from_price, *to_price).unwrap_or(0);
        targets.push(
            ConvertTarget::new()
                .with_coin(*asset)
                .with_from_min(amount_of(FROM_MIN, "fromMin")?)
                .with_from_max(amount_of(FROM_MAX, "fromMax")?)
                .with_to_min(amount_of(to_min, "toMin")?)
                .with_to_max(amount_of(to_max, "toMax")?)
                .with_reverse(false)
                .with_base(from_price >= *to_price),
        );
    }
    Ok(ConvertPairs::new()
        .with_coin(req.from_asset)
        .with_to_list(targets))
}

pub(crate) fn get_quote(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: GetConvertQuoteRequest,
) -> Result<ConvertQuote, ApiError> {
    let wallet = WalletKind::of(&req.wallet, "wallet")?;
    let from_price = supported("fromAsset", &req.from_asset)?;
    let to_price = supported("toAsset", &req.to_asset)?;
    if req.from_asset == req.to_asset {
        return Err(ApiError::value("toAsset", "must differ from fromAsset"));
    }
    let (from_units, to_units_) = match (&req.from_amount, &req.to_amount) {
        (Some(from), _) => {
            let from = to_units(from);
            (from, mul_div(from, from_price, to_price).unwrap_or(0))
        }
        (None, Some(to)) => {
            let to = to_units(to);
            (mul_div(to, to_price, from_price).unwrap_or(0), to)
        }
        (None, None) => return Err(ApiError::missing("fromAmount/toAmount")),
    };
    if !(FROM_MIN..=FROM_MAX).contains(&from_units) {
        return Err(ApiError::value(
            if req.from_amount.is_some() {
                "fromAmount"
            } else {
                "toAmount"
            },
            format!(
                "the converted amount must be from {} to {} {}",
                amount_of(FROM_MIN, "min")?,
                amount_of(FROM_MAX, "max")?,
                req.from_asset
            ),
        ));
    }
    if to_units_ == 0 {
        return Err(ApiError::value(
            "fromAmount",
            "too small to buy any of toAsset",
        ));
    }
    let quote_id = token(state.next_id(), 32);
    let quote = Quote {
        wallet,
        from: req.from_asset,
        to: req.to_asset,
        from_amount: amount_of(from_units, "fromAmount")?,
        to_amount: amount_of(to_units_, "toAmount")?,
        ratio: ratio(from_price, to_price),
        inverse_ratio: ratio(to_price, from_price),
        expire_time: ctx.now.saturating_add(ctx.config.quote_ttl_ms),
        order_id: None,
    };
    let expire = i64::try_from(quote.expire_time).unwrap_or(i64::MAX);
    let result = ConvertQuote::new(quote_id.clone())
        .with_ratio(number(&quote.ratio)?)
        .with_inverse_ratio(number(&quote.inverse_ratio)?)
        .with_valid_timestamp(expire)
        .with_expire_time(expire)
        .with_to_amount(quote.to_amount.clone())
        .with_to_coin(quote.to.clone())
        .with_from_amount(quote.from_amount.clone())
        .with_from_coin(quote.from.clone());
    state.convert.quotes.insert(quote_id, quote);
    Ok(result)
}

fn execution(order_id: &str, order: &Order, quote: &Quote) -> Result<ConvertExecution, ApiError> {
    Ok(ConvertExecution::new(order_id)
        .with_create_time(i64::try_from(order.create_time).unwrap_or(i64::MAX))
        .with_order_status(ConvertOrderStatus::Success)
        .with_quote_price(number(&quote.ratio)?)
        .with_inverse_price(number(&quote.inverse_ratio)?)
        .with_from_coin(quote.from.clone())
        .with_from_coin_amount(quote.from_amount.clone())
        .with_to_coin(quote.to.clone())
        .with_to_coin_amount(quote.to_amount.clone()))
}

pub(crate) fn execute(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: ExecuteConvertQuoteRequest,
) -> Result<ConvertExecution, ApiError> {
    let quote = state
        .convert
        .quotes
        .get(&req.quote_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("quote {:?}", req.quote_id)))?;
    // Executing an executed quote answers its order again rather than converting twice.
    if let Some(order_id) = &quote.order_id {
        if let Some(order) = state.convert.orders.get(order_id) {
            return execution(order_id, order, &quote);
        }
    }
    if ctx.now > quote.expire_time {
        return Err(ApiError::new(
            ResultCode::TimeOut,
            "quoteId: the quote has expired; request a new one",
        ));
    }
    state
        .wallets
        .debit(quote.wallet, &quote.from, &quote.from_amount)?;
    if let Err(error) = state
        .wallets
        .credit(quote.wallet, &quote.to, &quote.to_amount)
    {
        state
            .wallets
            .credit(quote.wallet, &quote.from, &quote.from_amount)?;
        return Err(error);
    }
    let order_id = state.next_id().to_string();
    let order = Order {
        quote_id: req.quote_id.clone(),
        create_time: ctx.now,
    };
    let result = execution(&order_id, &order, &quote);
    state.convert.orders.insert(order_id.clone(), order);
    if let Some(stored) = state.convert.quotes.get_mut(&req.quote_id) {
        stored.order_id = Some(order_id);
    }
    result
}

pub(crate) fn query_order(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryConvertOrderRequest,
) -> Result<ConvertOrder, ApiError> {
    let order = state
        .convert
        .orders
        .get(&req.order_id)
        .ok_or_else(|| ApiError::not_found(format!("convert order {:?}", req.order_id)))?;
    let quote = state
        .convert
        .quotes
        .get(&order.quote_id)
        .ok_or_else(|| ApiError::internal("the order's quote is missing"))?;
    Ok(ConvertOrder::new(req.order_id.clone())
        .with_order_status(ConvertOrderStatus::Success)
        .with_from_asset(quote.from.clone())
        .with_from_amount(quote.from_amount.clone())
        .with_to_asset(quote.to.clone())
        .with_to_amount(quote.to_amount.clone())
        .with_ratio(number(&quote.ratio)?)
        .with_inverse_ratio(number(&quote.inverse_ratio)?))
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn ratios_round_down_to_eight_places() {
        assert_eq!(ratio(100_000_000, 61_710_000_000), "0.00162048");
        assert_eq!(ratio(61_710_000_000, 100_000_000), "617.1");
    }
}
