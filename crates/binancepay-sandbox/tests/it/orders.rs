//! The order state machine: create, query, pay, close, expire; duplicate trade numbers.

use binancepay_types::enums::{GoodsCategory, GoodsType, OrderStatus, TerminalType};
use binancepay_types::order::{
    CloseOrderRequest, CreateOrderV1Request, CreateOrderV2Request, CreateOrderV3Request, Env,
    Goods, QueryOrderV1Request, QueryOrderV2Request,
};
use binancepay_types::{Amount, Id};
use serde_json::json;

use crate::support::{Client, Receiver, builder, start};

pub(crate) fn amount(text: &str) -> Amount {
    Amount::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub(crate) fn goods() -> Goods {
    Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    )
}

/// A v3 order in USDT.
pub(crate) fn order(trade_no: &str, total: &str) -> CreateOrderV3Request {
    CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        trade_no,
        "100 gems",
        vec![goods()],
    )
    .with_currency("USDT")
    .with_order_amount(amount(total))
}

pub(crate) fn by_prepay(id: &Id) -> QueryOrderV2Request {
    QueryOrderV2Request::new().with_prepay_id(id.clone())
}

/// Creates and pays an order; returns its prepay id.
pub(crate) async fn paid_order(client: &Client, trade_no: &str, total: &str) -> Id {
    let created = client.ok(&order(trade_no, total)).await;
    client
        .post(&format!("/sandbox/orders/{}/pay", created.prepay_id), None)
        .await;
    created.prepay_id
}

#[tokio::test]
async fn create_query_pay_and_refuse_to_close_a_paid_order() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);

    let created = client.ok(&order("ORDER1", "25.17")).await;
    assert_eq!(created.currency.as_deref(), Some("USDT"));
    assert_eq!(
        created.total_fee.as_ref().map(Amount::as_str),
        Some("25.17")
    );
    assert!(
        created
            .checkout_url
            .as_deref()
            .is_some_and(|u| u.starts_with(sandbox.base_url()))
    );

    let queried = client.ok(&by_prepay(&created.prepay_id)).await;
    assert_eq!(queried.status, OrderStatus::Initial);
    assert_eq!(queried.order_amount.as_str(), "25.17");
    assert!(queried.transaction_id.is_none());

    let paid = client
        .post(&format!("/sandbox/orders/{}/pay", created.prepay_id), None)
        .await;
    assert_eq!(paid["status"], "PAID");

    let by_trade_no = client
        .ok(&QueryOrderV2Request::new().with_merchant_trade_no("ORDER1"))
        .await;
    assert_eq!(by_trade_no.status, OrderStatus::Paid);
    assert!(by_trade_no.transaction_id.is_some() && by_trade_no.open_user_id.is_some());
    let instructions = by_trade_no
        .payment_info
        .and_then(|p| p.payment_instructions)
        .unwrap_or_default();
    assert_eq!(instructions.len(), 1);

    let message = client
        .fail(
            &CloseOrderRequest::new().with_prepay_id(created.prepay_id.clone()),
            "400204",
        )
        .await;
    assert!(message.contains("PAID"), "{message}");

    let received = receiver.wait_for(1).await;
    let body: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap_or_default();
    assert_eq!(body["bizType"], "PAY");
    assert_eq!(body["bizStatus"], "PAY_SUCCESS");
    assert_eq!(body["bizIdStr"], created.prepay_id.as_str());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn duplicate_merchant_trade_no_is_refused_with_400201() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    client.ok(&order("DUP1", "1")).await;
    let message = client.fail(&order("DUP1", "2"), "400201").await;
    assert!(message.contains("merchantTradeNo"), "{message}");
    // The trade number is taken across API versions too.
    let v2 = CreateOrderV2Request::new(Env::new(TerminalType::App), "DUP1", goods())
        .with_currency("USDT")
        .with_order_amount(amount("1"));
    client.fail(&v2, "400201").await;
    assert_eq!(sandbox.state_counts().orders, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn closing_an_unpaid_order_cancels_it_and_sends_pay_closed() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let created = client
        .ok(&order("CLOSE1", "3.5").with_webhook_url(receiver.url()))
        .await;
    let closed = client
        .ok(&CloseOrderRequest::new().with_merchant_trade_no("CLOSE1"))
        .await;
    assert!(closed);
    assert_eq!(
        client.ok(&by_prepay(&created.prepay_id)).await.status,
        OrderStatus::Canceled
    );
    // A closed order can be neither closed again nor paid.
    client
        .fail(
            &CloseOrderRequest::new().with_merchant_trade_no("CLOSE1"),
            "400204",
        )
        .await;
    let (status, _) = client
        .control(
            reqwest::Method::POST,
            &format!("/sandbox/orders/{}/pay", created.prepay_id),
            None,
        )
        .await;
    assert_eq!(status, 409);
    let received = receiver.wait_for(1).await;
    let body: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap_or_default();
    assert_eq!(
        (body["bizType"].as_str(), body["bizStatus"].as_str()),
        (Some("PAY"), Some("PAY_CLOSED"))
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn orders_expire_at_their_expire_time_and_then_cannot_be_paid() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let default_expiry = client.ok(&order("EXP1", "1")).await;
    let now = sandbox.clock().now_ms();
    let explicit = client
        .ok(&order("EXP2", "1")
            .with_order_expire_time(i64::try_from(now + 120_000).unwrap_or(i64::MAX)))
        .await;
    assert_eq!(explicit.expire_time, i64::try_from(now + 120_000).ok());

    client
        .post("/sandbox/clock/advance", Some(json!({ "millis": 121_000 })))
        .await;
    assert_eq!(
        client.ok(&by_prepay(&explicit.prepay_id)).await.status,
        OrderStatus::Expired
    );
    assert_eq!(
        client
            .ok(&by_prepay(&default_expiry.prepay_id))
            .await
            .status,
        OrderStatus::Initial
    );

    sandbox.clock().advance(3_600_000);
    assert_eq!(
        client
            .ok(&by_prepay(&default_expiry.prepay_id))
            .await
            .status,
        OrderStatus::Expired
    );
    let (status, body) = client
        .control(
            reqwest::Method::POST,
            &format!("/sandbox/orders/{}/pay", explicit.prepay_id),
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    client
        .fail(
            &CloseOrderRequest::new().with_prepay_id(explicit.prepay_id),
            "400204",
        )
        .await;

    // An expire time in the past is refused, naming the field.
    let past = order("EXP3", "1").with_order_expire_time(1_600_000_000_000);
    let message = client.fail(&past, "400102").await;
    assert!(message.starts_with("orderExpireTime"), "{message}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn control_routes_move_orders_through_pending_error_and_expired() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let a = client.ok(&order("CTL1", "1")).await.prepay_id;
    let b = client.ok(&order("CTL2", "1")).await.prepay_id;
    assert_eq!(
        client
            .post(&format!("/sandbox/orders/{a}/start"), None)
            .await["status"],
        "PENDING"
    );
    // Payment in flight: closing is refused as Binance does.
    client
        .fail(
            &CloseOrderRequest::new().with_prepay_id(a.clone()),
            "400204",
        )
        .await;
    assert_eq!(
        client
            .post(&format!("/sandbox/orders/{a}/fail"), None)
            .await["status"],
        "ERROR"
    );
    assert_eq!(
        client
            .post(&format!("/sandbox/orders/{b}/expire"), None)
            .await["status"],
        "EXPIRED"
    );
    assert_eq!(client.ok(&by_prepay(&a)).await.status, OrderStatus::Error);
    let counts = client.get("/sandbox/state").await;
    assert_eq!(counts["orders"], 2);
    assert_eq!(counts["ordersByStatus"]["ERROR"], 1);
    assert_eq!(counts["ordersByStatus"]["EXPIRED"], 1);
    let (status, _) = client
        .control(reqwest::Method::POST, "/sandbox/orders/42/pay", None)
        .await;
    assert_eq!(status, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn v1_and_fiat_orders_and_unknown_orders() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let merchant = Id::new("350962587").unwrap_or_else(|e| panic!("{e}"));
    let v1 = CreateOrderV1Request::new(
        merchant,
        "V1ORDER",
        binancepay_types::enums::TradeType::Web,
        amount("0.88"),
        "BNB",
        "Food",
        "Ice Cream",
    );
    let created = client.ok(&v1).await;
    let queried = client
        .ok(&QueryOrderV1Request::new().with_merchant_trade_no("V1ORDER"))
        .await;
    assert_eq!(
        (queried.currency.as_str(), queried.order_amount.as_str()),
        ("BNB", "0.88")
    );
    assert_eq!(queried.prepay_id, created.prepay_id);

    let fiat = CreateOrderV3Request::new(Env::new(TerminalType::Wap), "FIAT1", "d", vec![goods()])
        .with_fiat_currency("EUR")
        .with_fiat_amount(amount("19.99"));
    let created = client.ok(&fiat).await;
    assert_eq!(created.fiat_currency.as_deref(), Some("EUR"));
    assert_eq!(created.currency.as_deref(), Some("USDT"));

    let unknown = QueryOrderV2Request::new().with_merchant_trade_no("NOPE");
    client.fail(&unknown, "400202").await;
    let bad_currency = order("CUR1", "1").with_currency("DOGEZ");
    let message = client.fail(&bad_currency, "400102").await;
    assert!(message.starts_with("currency"), "{message}");
    sandbox.shutdown().await;
}
