//! Typed calls, every error shape, retries, timeouts, deadlines, redirects.

use std::collections::HashSet;
use std::time::Duration;

use binancepay_client::{Error, Outcome, RetryPolicy, TransportKind};
use binancepay_types::Endpoint;
use binancepay_types::enums::OrderStatus;
use binancepay_types::order::{CloseOrderRequest, QueryOrderV2Request};

use crate::support::{Mock, Reply, fixture};

fn query() -> QueryOrderV2Request {
    QueryOrderV2Request::new().with_merchant_trade_no("A1")
}

fn close() -> CloseOrderRequest {
    CloseOrderRequest::new().with_merchant_trade_no("A1")
}

#[tokio::test]
async fn a_typed_call_sends_one_signed_body_and_decodes_the_answer() {
    let mock = Mock::start(|_| Reply::fixture(200, "query_order.success.json")).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let order = client.orders().query_v2(&query()).await;
    let order = order.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(order.merchant_trade_no, "A1");
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.order_amount.as_str(), "25.17");

    let calls = mock.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.refused, None, "the server refused the signature");
    assert_eq!(call.path, QueryOrderV2Request::PATH);
    let expected = serde_json::to_vec(&query()).unwrap_or_default();
    assert_eq!(call.body.as_ref(), expected.as_slice());
}

#[tokio::test]
async fn every_error_shape_becomes_the_right_error() {
    #[derive(serde::Deserialize)]
    struct Case {
        name: String,
        status: u16,
        file: String,
        variant: String,
        code: Option<String>,
        retryable: bool,
        outcome: String,
    }
    let cases: Vec<Case> = serde_json::from_str(&fixture("error_shapes.json"))
        .unwrap_or_else(|e| panic!("error_shapes.json: {e}"));
    assert!(cases.len() >= 10);
    for case in cases {
        let (status, file) = (case.status, case.file.clone());
        let mock = Mock::start(move |_| Reply::fixture(status, &file)).await;
        let client = mock
            .client()
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let error = match client.orders().query_v2(&query()).await {
            Ok(order) => panic!("{}: decoded {order:?}", case.name),
            Err(error) => error,
        };
        let Error::Response {
            source, attempts, ..
        } = &error
        else {
            panic!("{}: not a response error: {error:?}", case.name);
        };
        assert_eq!(*attempts, 1, "{}", case.name);
        let variant = match source {
            binancepay_http::Error::Api { .. } => "api",
            binancepay_http::Error::System { .. } => "system",
            binancepay_http::Error::WrongPath { .. } => "wrong_path",
            binancepay_http::Error::Unexpected { .. } => "unexpected",
            binancepay_http::Error::Decode { .. } | binancepay_http::Error::MissingData { .. } => {
                "decode"
            }
            _ => "other",
        };
        assert_eq!(variant, case.variant, "{}: {error}", case.name);
        assert_eq!(
            error.result_code().map(|c| c.code().to_owned()),
            case.code,
            "{}",
            case.name
        );
        assert_eq!(
            error.is_retryable(),
            case.retryable,
            "{}: {error}",
            case.name
        );
        let outcome = match error.outcome() {
            Outcome::NotSent => "not_sent",
            Outcome::Rejected => "rejected",
            Outcome::Succeeded => "succeeded",
            Outcome::Unknown => "unknown",
            _ => "other",
        };
        assert_eq!(outcome, case.outcome, "{}: {error}", case.name);
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(case.status));
        assert!(error.to_string().starts_with("query_order_v2: "), "{error}");
    }
}

#[tokio::test]
async fn a_retry_is_resigned_over_the_same_bytes_and_succeeds() {
    let mock = Mock::start(|call| match call.nth {
        1 => Reply::fixture(502, "bad_gateway_502.html"),
        2 => Reply::fixture(200, "fail_unknown_error.json"),
        _ => Reply::fixture(200, "query_order.success.json"),
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let order = client.orders().query_v2(&query()).await;
    assert!(order.is_ok(), "{order:?}");
    let calls = mock.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.refused.is_none()), "{calls:?}");
    assert!(calls.iter().all(|c| c.body == calls[0].body));
    let nonces: HashSet<&str> = calls.iter().map(|c| c.nonce.as_str()).collect();
    let signatures: HashSet<&str> = calls.iter().map(|c| c.signature.as_str()).collect();
    assert_eq!(nonces.len(), 3, "nonces reused");
    assert_eq!(signatures.len(), 3, "signatures reused");
}

#[tokio::test]
async fn retries_stop_at_the_policy_and_report_every_attempt() {
    let mock = Mock::start(|_| Reply::fixture(502, "bad_gateway_502.html")).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let error = client.orders().query_v2(&query()).await.err();
    let Some(error) = error else {
        panic!("a 502 decoded");
    };
    assert_eq!(error.attempts(), 3);
    assert_eq!(mock.count("/v2/order/query"), 3);
    assert!(error.to_string().contains("(after 3 attempts)"), "{error}");
}

#[tokio::test]
async fn a_timed_out_query_is_retried() {
    let mock = Mock::start(|call| {
        let answer = Reply::fixture(200, "query_order.success.json");
        if call.nth == 1 {
            answer.after(Duration::from_secs(3))
        } else {
            answer
        }
    })
    .await;
    let client = mock
        .client()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let order = client.orders().query_v2(&query()).await;
    assert!(order.is_ok(), "{order:?}");
    assert_eq!(mock.count("/v2/order/query"), 2);
}

#[tokio::test]
async fn an_unsafe_call_is_not_retried_once_it_may_have_arrived() {
    // A timeout and a 502 both leave the outcome unknown: close_order must not be resent.
    for reply in [
        Reply::fixture(200, "close_order.success.json").after(Duration::from_secs(3)),
        Reply::fixture(502, "bad_gateway_502.html"),
        Reply::fixture(200, "fail_unknown_error.json"),
    ] {
        let mock = Mock::start(move |_| reply.clone()).await;
        let client = mock
            .client()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let result = client.orders().close(&close()).await;
        let Err(error) = result else {
            panic!("close answered {result:?}");
        };
        assert_eq!(mock.count("/order/close"), 1, "{error}");
        assert!(error.outcome_unknown(), "{error}");
        assert!(error.is_retryable(), "{error}");
    }
}

#[tokio::test]
async fn an_unsafe_call_is_retried_when_nothing_happened() {
    // 429 and 400003 are refusals before acting: safe to resend even for close_order.
    let mock = Mock::start(|call| match call.nth {
        1 => Reply::fixture(429, "fail_signature.json").with_retry_after(),
        2 => Reply::fixture(406, "fail_timestamp.json"),
        _ => Reply::fixture(200, "close_order.success.json"),
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let closed = client.orders().close(&close()).await;
    assert!(matches!(closed, Ok(true)), "{closed:?}");
    assert_eq!(mock.count("/order/close"), 3);
}

#[tokio::test]
async fn the_deadline_bounds_a_call() {
    let mock = Mock::start(|_| Reply::fixture(502, "bad_gateway_502.html")).await;
    let client = mock
        .client()
        .deadline(Duration::from_millis(400))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(1_000)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client.orders().query_v2(&query()).await.err();
    let Some(error) = error else {
        panic!("a 502 decoded");
    };
    // Waits of 25..50 ms inside 400 ms allow at most 17 attempts.
    assert!(
        error.attempts() >= 1 && error.attempts() <= 17,
        "{}",
        error.attempts()
    );
    // Every attempt reached the server, except perhaps the last: the deadline may cut it
    // before its request is written (the client counts it; the server never sees it).
    let reached = mock.count("/v2/order/query");
    let attempts = error.attempts() as usize;
    assert!(
        reached <= attempts && reached + 1 >= attempts,
        "{reached} requests reached the server for {attempts} attempts"
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let mock = Mock::start(|call| {
        if call.path.ends_with("/v2/order/query") {
            Reply::Redirect("/binancepay/openapi/order/query".to_owned())
        } else {
            Reply::fixture(200, "query_order.success.json")
        }
    })
    .await;
    let client = mock
        .client()
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let result = client.orders().query_v2(&query()).await;
    let Err(error) = result else {
        panic!("the redirect was followed: {result:?}");
    };
    assert_eq!(
        error.http_status().map(|s| s.as_u16()),
        Some(307),
        "{error}"
    );
    assert_eq!(
        mock.count("/order/query"),
        0,
        "the redirect target was requested"
    );
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_was_not_sent_so_even_unsafe_calls_retry() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    drop(listener);
    let client = binancepay_client::Client::builder()
        .credentials(crate::support::API_KEY, crate::support::API_SECRET)
        .base_url(format!("http://{addr}"))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client.orders().close(&close()).await.err();
    match error {
        Some(
            error @ Error::Transport {
                kind: TransportKind::Connect,
                attempts: 2,
                ..
            },
        ) => {
            assert_eq!(error.outcome(), Outcome::NotSent, "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_invalid_request_is_never_sent() {
    let mock = Mock::start(|_| Reply::fixture(200, "query_order.success.json")).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let bad = QueryOrderV2Request::new().with_merchant_trade_no("has-dashes");
    let error = client.orders().query_v2(&bad).await.err();
    match &error {
        Some(Error::Request { operation, .. }) => assert_eq!(*operation, "query_order_v2"),
        other => panic!("{other:?}"),
    }
    let text = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("merchantTradeNo"), "{text}");
    assert_eq!(mock.calls().len(), 0);
}

#[tokio::test]
async fn the_raw_escape_hatch_returns_data_as_json() {
    let mock = Mock::start(|_| Reply::fixture(200, "certificates.raw.json")).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let data = client
        .execute_raw("/binancepay/openapi/certificates", &serde_json::json!({}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data[0]["certSerial"], "serial-fixture");
    let calls = mock.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].body.as_ref(), b"{}");
    assert_eq!(calls[0].refused, None);

    let refused = client
        .execute_raw("/sapi/v1/pay/transactions", &serde_json::json!({}))
        .await;
    assert!(matches!(refused, Err(Error::Request { .. })), "{refused:?}");
}

#[tokio::test]
async fn an_oversized_answer_is_an_error_not_a_memory_spike() {
    let big = format!(
        "{{\"status\":\"SUCCESS\",\"code\":\"000000\",\"data\":\"{}\"}}",
        "x".repeat(4096)
    );
    let mock = Mock::start(move |_| Reply::json(200, big.clone())).await;
    let client = mock
        .client()
        .max_response_bytes(1024)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let result = client.orders().query_v2(&query()).await;
    assert!(
        matches!(result, Err(Error::ResponseTooLarge { limit: 1024, .. })),
        "{result:?}"
    );
}
