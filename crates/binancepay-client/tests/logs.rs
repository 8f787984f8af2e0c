//! The test that captures what `tracing` writes, alone in its own test binary (and so its own
//! process): tracing caches per-callsite interest process-wide, and a scoped subscriber set while
//! other tests of the same process register callsites on their threads could miss an event
//! (seen once: `attempt=2` absent from the capture under load).

// The shared mock server; this binary uses only part of it.
#[allow(dead_code)]
#[path = "it/support.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::RetryPolicy;
use binancepay_types::order::QueryOrderV2Request;

use crate::support::{API_SECRET, Mock, Reply, WebhookKey};

/// The tests of this binary capture one at a time: each sets its own scoped subscriber.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Collects everything `tracing` writes while a test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_signatures_and_bodies_never_show() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // current_thread runtime: every future of this test runs on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start(|call| match call.nth {
        1 => Reply::fixture(502, "bad_gateway_502.html"),
        _ => Reply::fixture(400, "fail_signature.json"),
    })
    .await;
    let builder = mock.client().retry_policy(
        RetryPolicy::default()
            .with_max_attempts(2)
            .with_initial_backoff(Duration::from_millis(1)),
    );
    let client = builder.clone().build().unwrap_or_else(|e| panic!("{e}"));
    let query = QueryOrderV2Request::new().with_merchant_trade_no("A1SecretTradeNo");
    let error = client.orders().query_v2(&query).await.err();
    let Some(error) = error else {
        panic!("a FAIL decoded");
    };

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(
        logs.contains("query_order_v2"),
        "the call was not logged: {logs}"
    );
    assert!(
        logs.contains("400002"),
        "the result code was not logged: {logs}"
    );
    assert!(
        logs.contains("attempt=2"),
        "attempts were not logged: {logs}"
    );

    let calls = mock.calls();
    assert_eq!(calls.len(), 2);
    let debug_texts = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{:?}", client.webhooks()),
        format!("{error:?}"),
        error.to_string(),
        logs,
    ];
    for text in &debug_texts {
        assert!(!text.contains(API_SECRET), "secret leaked: {text}");
        assert!(!text.contains("A1SecretTradeNo"), "body leaked: {text}");
        for call in &calls {
            assert!(!text.contains(&call.signature), "signature leaked: {text}");
        }
    }
}

#[tokio::test]
async fn a_refused_webhook_logs_the_error_kind_not_the_body() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let key = WebhookKey::load("a", "serial-a");
    let certificate = key.certificate();
    let mock = Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            Reply::success(serde_json::json!([certificate.clone()]))
        } else {
            Reply::json(404, "{}")
        }
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    // Authentic (signed by the key) but `data` is a JSON string, not the PAY object: serde's
    // message quotes it, personal data included.
    let body = br#"{"bizType":"PAY","bizIdStr":"77","bizStatus":"PAY_SUCCESS","data":"\"alice.customer@example.com\""}"#;
    let refused = client
        .webhooks()
        .handle(&key.sign(key.serial, body), body)
        .await;
    let Err(refused) = refused else {
        panic!("decoded: {refused:?}");
    };
    // The error itself may carry the excerpt (it goes to the merchant's code, not our logs).
    assert!(refused.to_string().contains("alice.customer"), "{refused}");

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(
        logs.contains("binancepay webhook refused") && logs.contains("data does not decode"),
        "the refusal and its kind were not logged: {logs}"
    );
    assert!(
        !logs.contains("alice.customer"),
        "body excerpt logged: {logs}"
    );
    assert!(
        !logs.contains("invalid type"),
        "serde's message logged: {logs}"
    );
}

#[tokio::test]
async fn an_unchecked_new_signature_is_logged_without_header_values() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let old = WebhookKey::load("a", "old-serial-7c1");
    let new = WebhookKey::load("b", "new-serial-9d2");
    let certificate = old.certificate();
    // The new certificates endpoint is not there (CloudFront's 403 for an unknown path).
    let mock = Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            Reply::success(serde_json::json!([certificate.clone()]))
        } else {
            Reply::html(403, "<h1>403 ERROR</h1>")
        }
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = crate::support::fixture("webhooks/pay_success.json").into_bytes();
    let headers = old.sign_both(&new, &body);
    let verified = client.webhooks().handle(&headers, &body).await;
    assert!(
        verified.is_ok(),
        "a valid old pair was blocked: {verified:?}"
    );

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(
        logs.contains("new platform certificates could not be fetched"),
        "the failed fetch was not logged: {logs}"
    );
    assert!(
        logs.contains("BinancePay-Signature-New was not checked"),
        "the unchecked pair was not logged: {logs}"
    );
    for (name, value) in &headers {
        if name.as_str().starts_with("binancepay-signature")
            || name.as_str().starts_with("binancepay-certificate")
        {
            let value = value.to_str().unwrap_or_else(|e| panic!("{e}"));
            assert!(!logs.contains(value), "{name} logged: {logs}");
        }
    }
    assert!(!logs.contains(API_SECRET), "secret leaked: {logs}");
}
