//! The blocking client: same calls, same recovery, same webhook cache, no async in sight.

use std::time::Duration;

use binancepay_client::Error;
use binancepay_client::blocking::Client;
use binancepay_types::order::{CloseOrderRequest, QueryOrderV2Request};

use crate::support::{Mock, Reply, WebhookKey, fixture};

/// The mock needs a runtime; the blocking client must run on a thread without one.
fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn blocking_calls_work_and_keep_the_connection_pool() {
    let runtime = server_runtime();
    let mock = runtime.block_on(Mock::start(|call| {
        if call.path.ends_with("/order/close") {
            Reply::fixture(200, "close_order.success.json")
        } else {
            Reply::fixture(200, "query_order.success.json")
        }
    }));
    let client = Client::from_builder(mock.client()).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..3 {
        let order = client
            .orders()
            .query_v2(&QueryOrderV2Request::new().with_merchant_trade_no("A1"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(order.merchant_trade_no, "A1");
        // Idle time between calls: the pooled connection must still be usable (or replaced).
        std::thread::sleep(Duration::from_millis(20));
    }
    let closed = client
        .orders()
        .close(&CloseOrderRequest::new().with_merchant_trade_no("A1"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(closed);
    assert_eq!(mock.calls().len(), 4);
    assert!(mock.calls().iter().all(|c| c.refused.is_none()));
    drop(client);
    drop(mock);
}

#[test]
fn blocking_webhooks_verify() {
    let runtime = server_runtime();
    let key = WebhookKey::load("a", "serial-a");
    let certificate = key.certificate();
    let mock = runtime.block_on(Mock::start(move |_| {
        Reply::success(serde_json::json!([certificate.clone()]))
    }));
    let client = Client::from_builder(mock.client()).unwrap_or_else(|e| panic!("{e}"));
    let body = fixture("webhooks/pay_success.json").into_bytes();
    let verified = client
        .webhooks()
        .handle(&key.sign(key.serial, &body), &body);
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/certificates"), 1);
}

#[test]
fn blocking_from_async_code_is_refused_not_a_panic() {
    let runtime = server_runtime();
    // The blocking client's own builder builds a blocking client.
    let client: Client = Client::builder()
        .credentials(crate::support::API_KEY, crate::support::API_SECRET)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let result = runtime.block_on(async {
        client
            .orders()
            .query_v2(&QueryOrderV2Request::new().with_merchant_trade_no("A1"))
    });
    assert!(
        matches!(result, Err(Error::BlockingInAsyncContext)),
        "{result:?}"
    );
}

#[test]
fn blocking_execute_answer_tells_a_replay() {
    let runtime = server_runtime();
    let mock = runtime.block_on(Mock::start(|_| {
        Reply::json(
            200,
            r#"{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":{"tranId":"T1","status":"SUCCESS"}}"#,
        )
    }));
    let client = Client::from_builder(mock.client()).unwrap_or_else(|e| panic!("{e}"));
    let amount = binancepay_types::Amount::new("2").unwrap_or_else(|e| panic!("{e}"));
    let request = binancepay_types::wallet::TransferFundRequest::new(
        "T1",
        "USDT",
        amount,
        binancepay_types::enums::TransferType::ToMain,
    );
    let answer = client
        .execute_answer(&request)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.is_replay());
    assert_eq!(answer.data.tran_id, "T1");
    drop(client);
    drop(mock);
}
