//! Order creation that survives a lost answer: a retry answered "duplicate merchantTradeNo"
//! (`400201`) after an attempt with unknown outcome is resolved by querying the order.

use binancepay_types::order::{
    CreateOrderResult, CreateOrderV1Request, CreateOrderV2Request, CreateOrderV3Request,
    QueryOrderResult, QueryOrderV2Request,
};
use binancepay_types::{Amount, Endpoint, Id, ResultCode};

use crate::areas::Orders;
use crate::client::Client;
use crate::error::Error;

/// What creating an order produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreatedOrder {
    /// Binance created the order and answered with its checkout data.
    Created(CreateOrderResult),
    /// An earlier attempt created the order but its answer was lost (timeout, broken
    /// connection); the retry was answered `400201` and the order was looked up by
    /// `merchantTradeNo`. Binance's query answer has no checkout URL or QR code: send the
    /// buyer the `prepayId`-based flow you use, or close the order and create a new one.
    Recovered(RecoveredOrder),
}

/// An order found by `merchantTradeNo` after a lost create answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveredOrder {
    /// The order as Binance holds it.
    pub order: QueryOrderResult,
    /// Whether the amount and currency were compared with the request. `false` for orders
    /// priced in fiat (`fiatAmount`/`fiatCurrency`): the query answer has no fiat fields, so
    /// only `merchantTradeNo` could be matched.
    pub amount_verified: bool,
}

impl CreatedOrder {
    /// Binance's order id.
    pub fn prepay_id(&self) -> &Id {
        match self {
            CreatedOrder::Created(created) => &created.prepay_id,
            CreatedOrder::Recovered(recovered) => &recovered.order.prepay_id,
        }
    }

    /// The hosted checkout page, when Binance sent one (only for [`CreatedOrder::Created`]).
    pub fn checkout_url(&self) -> Option<&str> {
        match self {
            CreatedOrder::Created(created) => created.checkout_url.as_deref(),
            CreatedOrder::Recovered(_) => None,
        }
    }

    /// Whether the order was found by the recovery query rather than created by this call's
    /// answered attempt.
    pub fn is_recovered(&self) -> bool {
        matches!(self, CreatedOrder::Recovered(_))
    }
}

/// What identifies "the same order" in a create request.
struct Identity<'a> {
    merchant_trade_no: &'a str,
    /// Crypto amount and currency, when the order is priced in crypto.
    priced: Option<(&'a Amount, &'a str)>,
}

impl<'a> Identity<'a> {
    fn of(
        merchant_trade_no: &'a str,
        amount: Option<&'a Amount>,
        currency: Option<&'a str>,
    ) -> Self {
        Identity {
            merchant_trade_no,
            priced: amount.zip(currency),
        }
    }

    fn describe(&self) -> String {
        match self.priced {
            Some((amount, currency)) => format!("{amount} {currency}"),
            None => "a fiat-priced order".to_owned(),
        }
    }
}

impl Orders<'_> {
    /// Creates an order (v3) and returns it, also when a retry met the order an earlier
    /// attempt had created.
    ///
    /// Retries resend the same bytes (same `merchantTradeNo`), so Binance can never hold two
    /// orders for one call. If an attempt's answer is lost and the retry is answered `400201`
    /// (duplicate `merchantTradeNo`), the order is queried by `merchantTradeNo`: the same
    /// amount and currency give [`CreatedOrder::Recovered`], anything else
    /// [`Error::OrderMismatch`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use binancepay_types::order::{CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, TerminalType};
    /// use binancepay_types::Amount;
    ///
    /// let client = binancepay_client::Client::from_env()?;
    /// let goods = Goods::new(GoodsType::Virtual, GoodsCategory::GameAndRecharge, "gems100", "100 gems");
    /// let request = CreateOrderV3Request::new(Env::new(TerminalType::Web), "A20261121x1", "100 gems", vec![goods])
    ///     .with_currency("USDT")
    ///     .with_order_amount(Amount::new("25.17")?);
    /// let order = client.orders().create_v3(&request).await?;
    /// println!("pay at {:?}", order.checkout_url());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Client::execute`], plus [`Error::OrderMismatch`] and
    /// [`Error::DuplicateUnresolved`] (the lookup failed; the outcome stays unknown).
    pub async fn create_v3(&self, request: &CreateOrderV3Request) -> Result<CreatedOrder, Error> {
        let identity = Identity::of(
            &request.merchant_trade_no,
            request.order_amount.as_ref(),
            request.currency.as_deref(),
        );
        create(self.client, request, identity).await
    }

    /// Creates an order with the v2 endpoint; same recovery as [`create_v3`](Self::create_v3).
    ///
    /// # Errors
    /// As [`create_v3`](Self::create_v3).
    pub async fn create_v2(&self, request: &CreateOrderV2Request) -> Result<CreatedOrder, Error> {
        let identity = Identity::of(
            &request.merchant_trade_no,
            request.order_amount.as_ref(),
            request.currency.as_deref(),
        );
        create(self.client, request, identity).await
    }

    /// Creates an order with the deprecated v1 endpoint; same recovery as
    /// [`create_v3`](Self::create_v3).
    ///
    /// # Errors
    /// As [`create_v3`](Self::create_v3).
    pub async fn create_v1(&self, request: &CreateOrderV1Request) -> Result<CreatedOrder, Error> {
        let identity = Identity::of(
            &request.merchant_trade_no,
            Some(&request.total_fee),
            Some(&request.currency),
        );
        create(self.client, request, identity).await
    }
}

async fn create<E>(
    client: &Client,
    request: &E,
    identity: Identity<'_>,
) -> Result<CreatedOrder, Error>
where
    E: Endpoint<Response = CreateOrderResult>,
{
    match client.execute(request).await {
        Ok(created) => Ok(CreatedOrder::Created(created)),
        Err(error) if duplicate_after_unknown(&error) => {
            tracing::info!(
                operation = E::OPERATION,
                "binancepay duplicate merchantTradeNo after an unknown attempt; querying the order"
            );
            recover(client, identity).await
        }
        Err(error) => Err(error),
    }
}

/// `400201` on a retry whose earlier attempt may have created the order.
fn duplicate_after_unknown(error: &Error) -> bool {
    error.earlier_outcome_unknown()
        && error.result_code() == Some(&ResultCode::InvalidMerchantTradeNo)
}

async fn recover(client: &Client, identity: Identity<'_>) -> Result<CreatedOrder, Error> {
    let query = QueryOrderV2Request::new().with_merchant_trade_no(identity.merchant_trade_no);
    let order = client
        .execute(&query)
        .await
        .map_err(|source| Error::DuplicateUnresolved {
            merchant_trade_no: identity.merchant_trade_no.to_owned(),
            source: Box::new(source),
        })?;
    match_order(&identity, order)
}

/// The recovered order if it is the one requested, [`Error::OrderMismatch`] otherwise.
fn match_order(identity: &Identity<'_>, order: QueryOrderResult) -> Result<CreatedOrder, Error> {
    let same_number = order.merchant_trade_no == identity.merchant_trade_no;
    let same_price = identity.priced.is_none_or(|(amount, currency)| {
        order.order_amount == *amount && order.currency.eq_ignore_ascii_case(currency)
    });
    if same_number && same_price {
        return Ok(CreatedOrder::Recovered(RecoveredOrder {
            amount_verified: identity.priced.is_some(),
            order,
        }));
    }
    Err(Error::OrderMismatch {
        merchant_trade_no: identity.merchant_trade_no.to_owned(),
        requested: identity.describe(),
        found: format!(
            "{} {} under merchantTradeNo {:?}",
            order.order_amount, order.currency, order.merchant_trade_no
        ),
    })
}

/// `(accessor, method, operation)` of the recovering create methods.
#[cfg(test)]
pub(crate) const CREATE_METHODS: [(&str, &str, &str); 3] = [
    ("orders", "create_v3", CreateOrderV3Request::OPERATION),
    ("orders", "create_v2", CreateOrderV2Request::OPERATION),
    ("orders", "create_v1", CreateOrderV1Request::OPERATION),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn order(trade_no: &str, amount: &str, currency: &str) -> Option<QueryOrderResult> {
        let json = serde_json::json!({
            "merchantId": 98765987,
            "prepayId": "29383937493038367292",
            "merchantTradeNo": trade_no,
            "status": "INITIAL",
            "currency": currency,
            "orderAmount": amount,
            "createTime": 1611232922428_i64,
        });
        serde_json::from_value(json).ok()
    }

    fn amount(text: &str) -> Option<Amount> {
        Amount::new(text).ok()
    }

    #[test]
    fn same_number_amount_and_currency_is_recovered() {
        let (Some(held), Some(requested)) = (order("A1", "25.170", "usdt"), amount("25.17")) else {
            panic!("fixtures do not parse");
        };
        let identity = Identity::of("A1", Some(&requested), Some("USDT"));
        let recovered = match_order(&identity, held);
        assert!(
            matches!(&recovered, Ok(CreatedOrder::Recovered(r)) if r.amount_verified),
            "{recovered:?}"
        );
        assert_eq!(
            recovered.map(|o| o.checkout_url().is_none()).ok(),
            Some(true)
        );
    }

    #[test]
    fn another_amount_or_currency_is_a_mismatch() {
        let Some(requested) = amount("25.17") else {
            panic!("fixture does not parse");
        };
        let identity = Identity::of("A1", Some(&requested), Some("USDT"));
        for (number, held_amount, held_currency) in [
            ("A1", "25.18", "USDT"),
            ("A1", "25.17", "BUSD"),
            ("A2", "25.17", "USDT"),
        ] {
            let Some(held) = order(number, held_amount, held_currency) else {
                panic!("fixture does not parse");
            };
            let result = match_order(&identity, held);
            match result {
                Err(Error::OrderMismatch {
                    requested, found, ..
                }) => {
                    assert_eq!(requested, "25.17 USDT");
                    assert!(found.contains(held_amount), "{found}");
                }
                other => panic!("{number} {held_amount} {held_currency}: {other:?}"),
            }
        }
    }

    #[test]
    fn fiat_orders_match_on_the_number_only_and_say_so() {
        let Some(held) = order("A1", "3.5", "USDT") else {
            panic!("fixture does not parse");
        };
        let identity = Identity::of("A1", None, None);
        assert!(matches!(
            match_order(&identity, held),
            Ok(CreatedOrder::Recovered(RecoveredOrder {
                amount_verified: false,
                ..
            }))
        ));
    }
}
