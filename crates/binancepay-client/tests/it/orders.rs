//! Order creation: the checkout URL, and a lost answer that must become neither a lost nor a
//! double order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::{CreatedOrder, Error, Outcome};
use binancepay_types::Amount;
use binancepay_types::order::{
    CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, QueryOrderV2Request, TerminalType,
};

use crate::support::{Call, Mock, Reply};

fn order_request(trade_no: &str, amount: &str) -> CreateOrderV3Request {
    let goods = Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    );
    let amount = Amount::new(amount).unwrap_or_else(|e| panic!("{e}"));
    CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        trade_no,
        "100 gems",
        vec![goods],
    )
    .with_currency("USDT")
    .with_order_amount(amount)
}

/// The orders the fake Binance holds, by merchantTradeNo: (amount, currency) as sent.
type Book = Arc<Mutex<HashMap<String, (String, String)>>>;

/// Create-order and query-order as Binance does them: a new merchantTradeNo is recorded and
/// answered (after `first_delay` for the first create call), a known one answers 400201.
fn binance(book: Book, first_delay: Duration) -> impl Fn(&Call) -> Reply + Send + Sync {
    move |call| {
        let mut orders = book.lock().unwrap_or_else(PoisonError::into_inner);
        if call.path.ends_with("/v3/order") {
            // Read the body with the SDK's own types: amounts stay exact text.
            let request: CreateOrderV3Request =
                serde_json::from_slice(&call.body).unwrap_or_else(|e| panic!("create body: {e}"));
            let trade_no = request.merchant_trade_no.clone();
            if orders.contains_key(&trade_no) {
                return Reply::fixture(400, "fail_duplicate_trade_no.json");
            }
            let amount = request
                .order_amount
                .map(|a| a.to_string())
                .unwrap_or_default();
            let currency = request.currency.unwrap_or_default();
            orders.insert(trade_no, (amount, currency));
            let created = Reply::fixture(200, "create_order.success.json");
            if call.nth == 1 {
                created.after(first_delay)
            } else {
                created
            }
        } else if call.path.ends_with("/v2/order/query") {
            let query: QueryOrderV2Request =
                serde_json::from_slice(&call.body).unwrap_or_else(|e| panic!("query body: {e}"));
            let trade_no = query.merchant_trade_no.unwrap_or_default();
            match orders.get(&trade_no) {
                Some((amount, currency)) => Reply::success(serde_json::json!({
                    "merchantId": 98765987,
                    "prepayId": "29383937493038367292",
                    "merchantTradeNo": trade_no,
                    "status": "INITIAL",
                    "currency": currency,
                    "orderAmount": amount,
                    "createTime": 1611232922428_i64,
                })),
                None => Reply::json(
                    400,
                    r#"{"status":"FAIL","code":"400202","errorMessage":"Order not found"}"#,
                ),
            }
        } else {
            Reply::json(404, "{}")
        }
    }
}

#[tokio::test]
async fn create_v3_returns_the_checkout_url() {
    let book = Book::default();
    let mock = Mock::start(binance(Arc::clone(&book), Duration::ZERO)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let order = client
        .orders()
        .create_v3(&order_request("A1", "25.17"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!order.is_recovered());
    assert_eq!(
        order.checkout_url(),
        Some("https://pay.binance.com/en/checkout/e30b7d3a4a1c4a7c8d2d")
    );
    assert_eq!(order.prepay_id().as_str(), "29383937493038367292");
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn a_lost_create_answer_is_recovered_and_binance_holds_one_order() {
    let book = Book::default();
    // The first answer comes after the client gave up; the order is recorded at once.
    let mock = Mock::start(binance(Arc::clone(&book), Duration::from_secs(3))).await;
    let client = mock
        .client()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let created = client
        .orders()
        .create_v3(&order_request("A20261121x1", "25.17"))
        .await;
    match &created {
        Ok(CreatedOrder::Recovered(recovered)) => {
            assert!(recovered.amount_verified);
            assert_eq!(recovered.order.merchant_trade_no, "A20261121x1");
            assert_eq!(recovered.order.order_amount.as_str(), "25.17");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(book.lock().unwrap_or_else(PoisonError::into_inner).len(), 1);
    assert_eq!(mock.count("/v3/order"), 2, "create attempts");
    assert_eq!(mock.count("/v2/order/query"), 1, "recovery queries");
    let calls = mock.calls();
    assert!(calls.iter().all(|c| c.refused.is_none()));
    let creates: Vec<_> = calls
        .iter()
        .filter(|c| c.path.ends_with("/v3/order"))
        .collect();
    assert_eq!(
        creates[0].body, creates[1].body,
        "the retry changed the body"
    );
    assert_ne!(
        creates[0].nonce, creates[1].nonce,
        "the retry reused the nonce"
    );
}

#[tokio::test]
async fn a_duplicate_that_is_another_order_is_a_typed_error() {
    let book = Book::default();
    book.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert("A2".to_owned(), ("99.00".to_owned(), "USDT".to_owned()));
    // Binance already holds A2 for another amount; the first attempt's answer is lost.
    let mock = Mock::start({
        let book = Arc::clone(&book);
        let inner = binance(book, Duration::ZERO);
        move |call: &Call| {
            let reply = inner(call);
            if call.nth == 1 && call.path.ends_with("/v3/order") {
                reply.after(Duration::from_secs(3))
            } else {
                reply
            }
        }
    })
    .await;
    let client = mock
        .client()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let created = client
        .orders()
        .create_v3(&order_request("A2", "25.17"))
        .await;
    match created {
        Err(error @ Error::OrderMismatch { .. }) => {
            assert_eq!(error.outcome(), Outcome::Rejected);
            let text = error.to_string();
            assert!(
                text.contains("25.17 USDT") && text.contains("99.00"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(book.lock().unwrap_or_else(PoisonError::into_inner).len(), 1);
}

#[tokio::test]
async fn a_plain_duplicate_is_refused_without_a_lookup() {
    let book = Book::default();
    book.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert("A3".to_owned(), ("25.17".to_owned(), "USDT".to_owned()));
    let mock = Mock::start(binance(Arc::clone(&book), Duration::ZERO)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let created = client
        .orders()
        .create_v3(&order_request("A3", "25.17"))
        .await;
    match created {
        Err(error) => {
            assert_eq!(error.result_code().map(|c| c.code()), Some("400201"));
            assert_eq!(error.outcome(), Outcome::Rejected, "{error}");
        }
        Ok(order) => panic!("{order:?}"),
    }
    assert_eq!(mock.count("/v2/order/query"), 0);
    assert_eq!(mock.count("/v3/order"), 1);
}

#[tokio::test]
async fn a_failed_lookup_leaves_the_outcome_unknown() {
    let book = Book::default();
    let mock = Mock::start({
        let inner = binance(Arc::clone(&book), Duration::from_secs(3));
        move |call: &Call| {
            if call.path.ends_with("/v2/order/query") {
                Reply::fixture(502, "bad_gateway_502.html")
            } else {
                inner(call)
            }
        }
    })
    .await;
    let client = mock
        .client()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let created = client
        .orders()
        .create_v3(&order_request("A4", "25.17"))
        .await;
    match created {
        Err(error @ Error::DuplicateUnresolved { .. }) => {
            assert!(error.outcome_unknown(), "{error}");
        }
        other => panic!("{other:?}"),
    }
}
