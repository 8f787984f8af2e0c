//! Whatever a client sends, the sandbox answers: no 5xx and no hang; always an envelope on
//! Binance paths, always an answer on control routes.

use binancepay_types::ENDPOINTS;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{Client, builder, start};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

/// JSON values that stress the typed parsing: wrong types, nulls, long numbers, odd text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "\\PC{0,20}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("true".to_owned()),
        Just("1.123456789".to_owned()),
        Just("-0.5".to_owned()),
        Just("1e5".to_owned()),
        Just("99999999999999999999999999".to_owned()),
    ]
}

/// Field names the requests use, plus noise.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("merchantTradeNo".to_owned()),
        Just("prepayId".to_owned()),
        Just("orderAmount".to_owned()),
        Just("currency".to_owned()),
        Just("requestId".to_owned()),
        Just("refundRequestId".to_owned()),
        Just("refundAmount".to_owned()),
        Just("wallet".to_owned()),
        Just("quoteId".to_owned()),
        Just("env".to_owned()),
        "[a-zA-Z]{1,12}",
    ]
}

#[test]
fn any_signed_body_gets_an_envelope() {
    let rt = runtime();
    let sandbox = rt.block_on(start(builder()));
    let client = Client::new(&sandbox);
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let strategy = (
        0..ENDPOINTS.len(),
        proptest::collection::btree_map(field(), value(), 0..6),
    );
    let result = runner.run(&strategy, |(endpoint, fields)| {
        let body = format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let path = ENDPOINTS.get(endpoint).map(|e| e.path).unwrap_or_default();
        let response = rt.block_on(client.raw(path, &body));
        let status = response.status().as_u16();
        let envelope: serde_json::Value =
            serde_json::from_slice(response.body()).unwrap_or_default();
        prop_assert!(status < 500, "{path} {body}: HTTP {status}");
        prop_assert!(
            matches!(envelope["status"].as_str(), Some("SUCCESS" | "FAIL")),
            "{path} {body}: {envelope}"
        );
        Ok(())
    });
    rt.block_on(sandbox.shutdown());
    result.unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn any_control_request_is_answered() {
    let rt = runtime();
    let sandbox = rt.block_on(start(builder()));
    let client = Client::new(&sandbox);
    let base = sandbox.base_url().to_owned();
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let segment = prop_oneof![
        Just("orders".to_owned()),
        Just("pay".to_owned()),
        Just("faults".to_owned()),
        Just("clock".to_owned()),
        Just("advance".to_owned()),
        Just("balances".to_owned()),
        Just("payouts".to_owned()),
        Just("complete".to_owned()),
        Just("reports".to_owned()),
        Just("settings".to_owned()),
        "[a-zA-Z0-9._%-]{1,12}",
    ];
    let strategy = (
        proptest::collection::vec(segment, 0..4),
        any::<bool>(),
        "\\PC{0,40}",
    );
    let result = runner.run(&strategy, |(segments, post, body)| {
        let path = format!("/sandbox/{}", segments.join("/"));
        let method = if post {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let status = rt.block_on(async {
            client
                .http
                .request(method, format!("{base}{path}"))
                .body(body.clone())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
        prop_assert!(
            (200..500).contains(&status),
            "{path} {body:?}: HTTP {status}"
        );
        Ok(())
    });
    rt.block_on(sandbox.shutdown());
    result.unwrap_or_else(|e| panic!("{e}"));
}
