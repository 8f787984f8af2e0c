//! Response parsing: every canned shape of `tests/data/responses/cases.json`, and a
//! property test that no input makes the parser panic.

use binancepay_http::{Error, Outcome, SNIPPET_MAX_BYTES, parse_response, parse_response_raw};
use binancepay_types::{Endpoint, RetryClass, ValidationErrors};
use http::{HeaderValue, Response, StatusCode};
use proptest::prelude::*;
use serde::Serialize;

use crate::support::{read, read_string};

/// A stand-in endpoint whose `data` is a bool, like close-order.
#[derive(Debug, Serialize)]
struct BoolEndpoint;

impl Endpoint for BoolEndpoint {
    const PATH: &'static str = "/binancepay/openapi/order/close";
    const OPERATION: &'static str = "bool_probe";
    const RETRY: RetryClass = RetryClass::Query;
    type Response = bool;
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
    fn idempotency_key(&self) -> Option<&str> {
        None
    }
}

fn response(status: u16, content_type: Option<&str>, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).expect("status");
    if let Some(ct) = content_type {
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_str(ct).expect("ct"),
        );
    }
    r
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::NotSent => "not_sent",
        Outcome::Rejected => "rejected",
        Outcome::Succeeded => "succeeded",
        Outcome::Unknown => "unknown",
        _ => "other",
    }
}

#[test]
fn canned_responses_decode_as_recorded() {
    let manifest: serde_json::Value =
        serde_json::from_str(&read_string("tests/data/responses/cases.json")).expect("manifest");
    let cases = manifest["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20);
    for case in cases {
        let file = case["file"].as_str().expect("file");
        let status = u16::try_from(case["status"].as_u64().expect("status")).expect("u16");
        let resp = response(status, case["content_type"].as_str(), read(file));
        let expect = case["expect"].as_str().expect("expect");
        let label = format!("{file} @ {status}");
        let result = parse_response::<BoolEndpoint, _>(&resp);
        let error = match (expect, result) {
            ("ok", Ok(data)) => {
                assert_eq!(Some(data), case["data"].as_bool(), "{label}");
                continue;
            }
            (_, Ok(data)) => panic!("{label}: decoded {data:?}, expected {expect}"),
            (_, Err(e)) => e,
        };
        let kind = match &error {
            Error::Api { .. } => "api",
            Error::System { .. } => "system",
            Error::WrongPath { .. } => "wrong_path",
            Error::RestrictedLocation { .. } => "restricted_location",
            Error::MissingData { .. } => "missing_data",
            Error::Decode { .. } => "decode",
            Error::Unexpected { .. } => "unexpected",
            _ => "other",
        };
        assert_eq!(kind, expect, "{label}: {error}");
        assert_eq!(error.http_status(), Some(resp.status()), "{label}");
        assert_eq!(
            Some(error.is_retryable()),
            case["retryable"].as_bool(),
            "{label}: {error}"
        );
        assert_eq!(
            Some(outcome_name(error.outcome())),
            case["outcome"].as_str(),
            "{label}: {error}"
        );
        assert_eq!(error.outcome_known(), error.outcome() != Outcome::Unknown);
        match &error {
            Error::Api { code, message, .. } => {
                assert_eq!(Some(code.code()), case["code"].as_str(), "{label}");
                assert_eq!(message.as_deref(), case["message"].as_str(), "{label}");
                assert_eq!(error.result_code(), Some(code));
            }
            Error::System { code, message, .. } => {
                assert_eq!(Some(code.as_str()), case["code"].as_str(), "{label}");
                assert_eq!(message.as_deref(), case["message"].as_str(), "{label}");
            }
            Error::RestrictedLocation { message, .. } => {
                assert!(message.contains("restricted location"), "{label}");
                assert!(error.to_string().contains(message.as_str()), "{label}");
            }
            Error::WrongPath { snippet, .. } | Error::Unexpected { snippet, .. } => {
                assert!(snippet.len() <= SNIPPET_MAX_BYTES, "{label}");
                let body = read(file);
                let shown = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_MAX_BYTES)])
                    .into_owned();
                assert!(shown.starts_with(snippet.as_str()), "{label}");
            }
            _ => {}
        }
        // The raw parser agrees on every failure.
        if expect != "missing_data" && expect != "decode" {
            let raw = parse_response_raw(&resp).expect_err(&label);
            assert_eq!(raw.to_string(), error.to_string(), "{label}");
        }
    }
}

#[test]
fn raw_parser_returns_data_as_json() {
    let resp = response(
        200,
        Some("application/json"),
        crate::support::sample("query_order_v2.paid.response.json"),
    );
    let data = parse_response_raw(&resp).expect("success");
    assert_eq!(data["merchantTradeNo"], "9825382937292");
    assert_eq!(data["status"], "PAID");
    let resp = response(
        200,
        None,
        read("tests/data/responses/success_without_data.json"),
    );
    assert_eq!(
        parse_response_raw(&resp).expect("success"),
        serde_json::Value::Null
    );
}

#[test]
fn api_error_display_names_code_and_message() {
    let resp = response(
        400,
        None,
        crate::support::sample("errors/fail_envelope.json"),
    );
    let e = parse_response::<BoolEndpoint, _>(&resp).expect_err("fail");
    let text = e.to_string();
    assert!(text.contains("400002"), "{text}");
    assert!(
        text.contains("Signature for this request is not valid."),
        "{text}"
    );
}

fn envelope_like() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        Just("\"SUCCESS\"".to_owned()),
        Just("\"FAIL\"".to_owned()),
        Just("\"ERROR\"".to_owned()),
        "\"\\PC{0,6}\"",
        Just("null".to_owned()),
        Just("1".to_owned()),
    ];
    let code = prop_oneof![
        Just("\"000000\"".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        "[0-9]{0,12}",
        "\"[0-9a-z]{0,12}\"",
        Just("{}".to_owned()),
    ];
    let data = prop_oneof![
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("{\"a\":[1,2]}".to_owned()),
        "\"\\PC{0,6}\"",
        Just("[".to_owned()),
    ];
    (status, code, data, "\\PC{0,10}").prop_map(|(s, c, d, m)| {
        format!("{{\"status\":{s},\"code\":{c},\"data\":{d},\"errorMessage\":{m:?},\"errorData\":{{\"x\":{c}}}}}").into_bytes()
    })
}

proptest! {
    #[test]
    fn parser_never_panics_on_bytes(
        body in prop::collection::vec(any::<u8>(), 0..600),
        status in 100u16..=999,
        html in any::<bool>(),
    ) {
        let resp = response(status, html.then_some("text/html; charset=utf-8"), body);
        for result in [parse_response::<BoolEndpoint, _>(&resp).map(serde_json::Value::Bool), parse_response_raw(&resp)] {
            if let Err(Error::Unexpected { snippet, .. } | Error::WrongPath { snippet, .. }) = &result {
                prop_assert!(snippet.len() <= SNIPPET_MAX_BYTES);
            }
            if let Err(e) = result {
                let _ = (e.to_string(), e.is_retryable(), e.outcome());
            }
        }
    }

    #[test]
    fn parser_never_panics_on_envelopes(body in envelope_like(), status in 100u16..=999) {
        let resp = response(status, Some("application/json"), body);
        let _ = parse_response::<BoolEndpoint, _>(&resp).map_err(|e| (e.to_string(), e.is_retryable(), e.outcome()));
        let _ = parse_response_raw(&resp).map_err(|e| e.to_string());
    }
}

#[test]
fn typed_success_samples_decode() {
    use binancepay_types::certificate::QueryCertificatesRequest;
    use binancepay_types::order::{CloseOrderRequest, CreateOrderV3Request, QueryOrderV2Request};
    let sample = |name| response(200, Some("application/json"), crate::support::sample(name));

    let order =
        parse_response::<QueryOrderV2Request, _>(&sample("query_order_v2.paid.response.json"))
            .expect("query");
    assert_eq!(order.prepay_id.as_str(), "384582194812551168");
    assert_eq!(order.order_amount.as_str(), "0.88000000");
    assert_eq!(order.merchant_id.as_str(), "350962587");

    let created =
        parse_response::<CreateOrderV3Request, _>(&sample("create_order_v3.response.json"))
            .expect("create");
    assert_eq!(created.prepay_id.as_str(), "384582194812551168");

    assert!(
        parse_response::<CloseOrderRequest, _>(&sample("close_order.response.json"))
            .expect("close")
    );

    let certificates =
        parse_response::<QueryCertificatesRequest, _>(&sample("query_certificates.response.json"))
            .expect("certs");
    assert_eq!(certificates.len(), 1);
    assert_eq!(
        certificates[0].cert_serial,
        "10893dc747d11683c606a527ff4b927e"
    );
}

/// A `SUCCESS` whose `data` does not decode keeps the raw `data`, so the caller can still find
/// the ids of what Binance did; neither `Debug` nor `Display` shows it.
#[test]
fn a_decode_error_keeps_the_raw_data() {
    let body = br#"{"status":"SUCCESS","code":"000000","data":{"prepayId":"29383937493038367292","note":"secret"}}"#;
    let err =
        parse_response::<BoolEndpoint, _>(&response(200, Some("application/json"), body.to_vec()))
            .expect_err("a bool endpoint cannot read an object");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(
        err.raw_data(),
        Some(r#"{"prepayId":"29383937493038367292","note":"secret"}"#)
    );
    assert!(!format!("{err:?}").contains("secret"));
    assert!(!err.to_string().contains("secret"));
    assert_eq!(err.outcome(), Outcome::Succeeded);
}
