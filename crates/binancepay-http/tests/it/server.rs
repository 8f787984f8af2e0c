//! build → authenticate round trips: success, every refusal with its code, status and
//! body, and properties over arbitrary bodies and single-byte changes.

use std::collections::HashMap;

use binancepay_http::server::{AuthError, authenticate, fail_response, success_response};
use binancepay_http::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP, Error,
    SigningHeader, parse_response_raw,
};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request, StatusCode};
use proptest::prelude::*;

use crate::support::{T0, builder, keys, nonce, ts};

const PATH: &str = "/binancepay/openapi/v2/order/query";
const BODY: &[u8] = br#"{"merchantTradeNo":"9825382937292"}"#;
const WINDOW: u64 = 1_000;

fn signed() -> Request<Vec<u8>> {
    builder()
        .build_raw(PATH, BODY, ts(T0), &nonce(1))
        .expect("build")
}

fn refused(request: &Request<Vec<u8>>) -> AuthError {
    match authenticate(request, &keys(), ts(T0), WINDOW) {
        Ok(ok) => panic!("accepted: {ok:?}"),
        Err(e) => e,
    }
}

/// The refusal's response decodes, through the client parser, to the same code.
fn assert_answer(error: &AuthError, code: &str, status: StatusCode) {
    assert_eq!(error.code(), code, "{error}");
    assert_eq!(error.status(), status, "{error}");
    let response = error.response();
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    match parse_response_raw(&response) {
        Err(Error::Api {
            code: got, message, ..
        }) => {
            assert_eq!(got.code(), code);
            assert_eq!(message.as_deref(), Some(error.wire_message().as_str()));
        }
        Err(Error::System {
            code: got,
            kind,
            message,
            ..
        }) => {
            assert_eq!(got, code);
            assert_eq!(kind.as_deref(), Some("SYS"));
            assert_eq!(message.as_deref(), Some("System abnormality"));
        }
        other => panic!("{error}: answer decoded as {other:?}"),
    }
}

#[test]
fn a_built_request_authenticates() {
    let request = signed();
    let ok = authenticate(&request, &keys(), ts(T0 + WINDOW), WINDOW).expect("authentic");
    assert_eq!(ok.path, PATH);
    assert_eq!(ok.body, BODY);
    assert_eq!(ok.api_key.as_str(), crate::support::API_KEY);
    assert_eq!(ok.nonce, nonce(1));
    assert_eq!(ok.timestamp, ts(T0));
}

#[test]
fn lookups_by_map_accept_the_key() {
    let (key, signer) = keys();
    let mut map = HashMap::new();
    map.insert(key.as_str().to_owned(), signer);
    assert!(authenticate(&signed(), &map, ts(T0), WINDOW).is_ok());
    let other: HashMap<String, binancepay_sign::RequestSigner> = HashMap::new();
    assert_eq!(
        authenticate(&signed(), &other, ts(T0), WINDOW).err(),
        Some(AuthError::UnknownApiKey)
    );
}

#[test]
fn content_type_parameters_and_case_are_accepted() {
    for value in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ] {
        let mut request = signed();
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(value));
        assert!(
            authenticate(&request, &keys(), ts(T0), WINDOW).is_ok(),
            "{value}"
        );
    }
}

#[test]
fn wrong_method_is_the_system_error() {
    let mut request = signed();
    *request.method_mut() = Method::GET;
    let e = refused(&request);
    assert!(matches!(e, AuthError::MethodNotAllowed { .. }));
    assert!(e.is_system_error());
    assert_answer(&e, "100001001", StatusCode::METHOD_NOT_ALLOWED);
    // Found by fuzzing the sandbox with schemathesis: a 405 must say which method is allowed.
    assert_eq!(
        e.response().headers().get(http::header::ALLOW),
        Some(&HeaderValue::from_static("POST"))
    );
    assert_eq!(
        e.response().body().as_slice(),
        br#"{"status":"ERROR","type":"SYS","code":"100001001","errorData":"System abnormality"}"#
    );
}

#[test]
fn missing_content_type_is_the_system_error() {
    let mut request = signed();
    request.headers_mut().remove(CONTENT_TYPE);
    let e = refused(&request);
    assert_eq!(e, AuthError::MissingContentType);
    assert_answer(&e, "100001001", StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[test]
fn wrong_content_type_is_400007() {
    let mut request = signed();
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let e = refused(&request);
    assert!(matches!(e, AuthError::UnsupportedContentType { .. }));
    assert_answer(&e, "400007", StatusCode::BAD_REQUEST);
}

#[test]
fn empty_body_is_the_system_error() {
    let mut request = signed();
    request.body_mut().clear();
    let e = refused(&request);
    assert_eq!(e, AuthError::EmptyBody);
    assert_answer(&e, "100001001", StatusCode::BAD_REQUEST);
}

#[test]
fn each_missing_or_repeated_header_has_its_code() {
    let expected = [
        (SigningHeader::Timestamp, "400003", StatusCode::BAD_REQUEST),
        (SigningHeader::Nonce, "400001", StatusCode::BAD_REQUEST),
        (
            SigningHeader::CertificateSn,
            "400005",
            StatusCode::BAD_REQUEST,
        ),
        (SigningHeader::Signature, "400002", StatusCode::BAD_REQUEST),
    ];
    for (header, code, status) in expected {
        let mut request = signed();
        request.headers_mut().remove(header.header_name());
        let e = refused(&request);
        assert_eq!(
            e,
            AuthError::Header {
                header,
                problem: "missing"
            }
        );
        assert_answer(&e, code, status);

        let mut request = signed();
        let value = request.headers()[header.header_name()].clone();
        request.headers_mut().append(header.header_name(), value);
        let e = refused(&request);
        assert_eq!(
            e,
            AuthError::Header {
                header,
                problem: "repeated"
            }
        );
        assert_answer(&e, code, status);
    }
}

#[test]
fn bad_key_format_is_400005() {
    let mut request = signed();
    request.headers_mut().insert(
        BINANCEPAY_CERTIFICATE_SN,
        HeaderValue::from_static("not-a-key!"),
    );
    let e = refused(&request);
    assert_eq!(e, AuthError::BadApiKeyFormat);
    assert_answer(&e, "400005", StatusCode::BAD_REQUEST);
}

#[test]
fn unknown_key_is_400004() {
    let mut request = signed();
    request.headers_mut().insert(
        BINANCEPAY_CERTIFICATE_SN,
        HeaderValue::from_static("SomeOtherKey123"),
    );
    let e = refused(&request);
    assert_eq!(e, AuthError::UnknownApiKey);
    assert_answer(&e, "400004", StatusCode::BAD_REQUEST);
}

#[test]
fn timestamp_syntax_seconds_and_window_are_400003() {
    // A leading zero spells the same number but not the text that was signed (found by fuzzing).
    let leading_zero = format!("0{T0}");
    for bad in [
        "",
        "16112329224x8",
        "1611232922",
        "-1611232922428",
        &leading_zero,
    ] {
        let mut request = signed();
        request.headers_mut().insert(
            BINANCEPAY_TIMESTAMP,
            HeaderValue::from_str(bad).expect("header"),
        );
        let e = refused(&request);
        assert_eq!(e, AuthError::InvalidTimestamp, "{bad:?}");
        assert_answer(&e, "400003", StatusCode::BAD_REQUEST);
    }
    for (now, skew) in [(T0 + WINDOW + 1, 1_001), (T0 - WINDOW - 1, -1_001)] {
        let e = authenticate(&signed(), &keys(), ts(now), WINDOW).expect_err("stale");
        assert_eq!(
            e,
            AuthError::StaleTimestamp {
                skew_ms: skew,
                window_ms: WINDOW
            }
        );
        assert_answer(&e, "400003", StatusCode::BAD_REQUEST);
    }
}

#[test]
fn bad_nonce_is_400001() {
    for bad in [
        "abc",
        "NonceNonceNonceNonceNonce000000-",
        "NonceNonceNonceNonceNonce00000001",
    ] {
        let mut request = signed();
        request.headers_mut().insert(
            BINANCEPAY_NONCE,
            HeaderValue::from_str(bad).expect("header"),
        );
        let e = refused(&request);
        assert_eq!(e, AuthError::InvalidNonce, "{bad:?}");
        assert_answer(&e, "400001", StatusCode::BAD_REQUEST);
    }
}

#[test]
fn bad_signature_is_400002() {
    let other = binancepay_http::RequestBuilder::new(
        crate::support::api_key(),
        &binancepay_http::ApiSecret::new("another secret").expect("secret"),
    )
    .expect("builder");
    let forged = other
        .build_raw(PATH, BODY, ts(T0), &nonce(1))
        .expect("build");
    let mut lower = signed();
    let sig = lower.headers()[BINANCEPAY_SIGNATURE]
        .to_str()
        .expect("ascii")
        .to_ascii_lowercase();
    lower.headers_mut().insert(
        BINANCEPAY_SIGNATURE,
        HeaderValue::from_str(&sig).expect("header"),
    );
    let mut short = signed();
    short
        .headers_mut()
        .insert(BINANCEPAY_SIGNATURE, HeaderValue::from_static("ABCDEF"));
    let mut tampered = signed();
    *tampered.body_mut() = br#"{"merchantTradeNo":"9825382937293"}"#.to_vec();
    for request in [forged, lower, short, tampered] {
        let e = refused(&request);
        assert_eq!(e, AuthError::InvalidSignature);
        assert_answer(&e, "400002", StatusCode::BAD_REQUEST);
    }
}

#[test]
fn a_signed_body_that_is_not_an_object_is_400008() {
    for body in [&b"[1,2]"[..], b"null", b"{\"a\":", b"\xff\xfe"] {
        let mut request = signed();
        *request.body_mut() = body.to_vec();
        builder()
            .resign(&mut request, ts(T0), &nonce(2))
            .expect("resign");
        let e = refused(&request);
        assert_eq!(e, AuthError::InvalidBody, "{body:?}");
        assert_answer(&e, "400008", StatusCode::BAD_REQUEST);
    }
}

/// `authenticate_signature` leaves the JSON check to the caller's parse, except for the first
/// character: a body that cannot start an object is refused there too.
#[test]
fn authenticate_signature_checks_only_the_opening_brace() {
    for (body, brace) in [
        (&b"[1,2]"[..], false),
        (b"null", false),
        (b" \n{\"a\":", true),
        (b"{\"a\":1} x", true),
    ] {
        let mut request = signed();
        *request.body_mut() = body.to_vec();
        builder()
            .resign(&mut request, ts(T0), &nonce(2))
            .expect("resign");
        let outcome =
            binancepay_http::server::authenticate_signature(&request, &keys(), ts(T0), WINDOW)
                .map(|a| a.body.len());
        if brace {
            assert_eq!(outcome, Ok(body.len()), "{body:?}");
            assert!(!binancepay_http::server::is_json_object(body));
        } else {
            assert_eq!(outcome, Err(AuthError::InvalidBody), "{body:?}");
        }
    }
}

#[test]
fn success_and_fail_builders_write_the_envelopes() {
    let ok = success_response(&true).expect("serialise");
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        ok.body().as_slice(),
        br#"{"status":"SUCCESS","code":"000000","data":true}"#
    );
    assert_eq!(
        parse_response_raw(&ok).expect("success"),
        serde_json::Value::Bool(true)
    );

    let fail = fail_response("400202", "Order not found.");
    // Every FAIL travels with 400: a 403 would look like CloudFront's wrong-path page.
    assert_eq!(fail.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        fail.body().as_slice(),
        br#"{"status":"FAIL","code":"400202","errorMessage":"Order not found."}"#
    );
    let long = fail_response("400001", &"é".repeat(300));
    match parse_response_raw(&long) {
        Err(Error::Api {
            message: Some(m), ..
        }) => assert_eq!(m.chars().count(), 256),
        other => panic!("{other:?}"),
    }
}

/// Arbitrary JSON values, objects at the top.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::btree_map("\\PC{0,8}", json_value(), 0..8).prop_map(|m| {
        let object: serde_json::Map<String, serde_json::Value> = m.into_iter().collect();
        serde_json::to_vec(&object).expect("JSON")
    })
}

proptest! {
    #[test]
    fn any_json_object_body_round_trips(body in json_object(), n in any::<u32>(), dt in 0u64..=WINDOW) {
        let request = builder().build_raw(PATH, body.clone(), ts(T0), &nonce(n % 10_000_000)).expect("build");
        let ok = authenticate(&request, &keys(), ts(T0 + dt), WINDOW).expect("authentic");
        prop_assert_eq!(ok.body, body.as_slice());
    }

    #[test]
    fn any_changed_body_byte_is_refused(body in json_object(), index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut request = builder().build_raw(PATH, body, ts(T0), &nonce(3)).expect("build");
        let i = index.index(request.body().len());
        request.body_mut()[i] ^= flip;
        prop_assert!(authenticate(&request, &keys(), ts(T0), WINDOW).is_err());
    }

    #[test]
    fn any_changed_header_byte_is_refused(
        which in 0usize..3,
        index in any::<prop::sample::Index>(),
        replacement in prop::char::range('!', '~'),
    ) {
        let header = [BINANCEPAY_TIMESTAMP, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE][which].clone();
        let mut request = signed();
        let mut value = request.headers()[&header].as_bytes().to_vec();
        let i = index.index(value.len());
        prop_assume!(value[i] != replacement as u8);
        value[i] = replacement as u8;
        request.headers_mut().insert(header, HeaderValue::from_bytes(&value).expect("visible ASCII"));
        // A window wide enough that only the signature can catch a changed timestamp.
        prop_assert!(authenticate(&request, &keys(), ts(T0), u64::MAX).is_err());
    }
}

#[cfg(feature = "std-clock")]
#[test]
fn build_now_authenticates_against_the_clock() {
    let b = builder();
    let mut request = b.build_raw(PATH, BODY, ts(T0), &nonce(1)).expect("build");
    b.resign_now(&mut request).expect("clock and RNG");
    let now = binancepay_http::now().expect("clock");
    let ok = authenticate(&request, &keys(), now, 60_000).expect("fresh");
    assert_ne!(ok.nonce, nonce(1));
    let close =
        binancepay_types::order::CloseOrderRequest::new().with_merchant_trade_no("9825382937292");
    let request = b.build_now(&close).expect("build");
    assert!(
        authenticate(
            &request,
            &keys(),
            binancepay_http::now().expect("clock"),
            60_000
        )
        .is_ok()
    );
}

/// Where the FAQ prints the message of a code, the answer carries it word for word.
#[test]
fn signature_and_timestamp_refusals_carry_the_faq_text() {
    let text = |e: &AuthError| e.wire_message();
    assert_eq!(
        text(&AuthError::InvalidSignature),
        "Signature for this request is not valid."
    );
    assert_eq!(
        text(&AuthError::StaleTimestamp {
            skew_ms: 5_000,
            window_ms: 1_000
        }),
        "Timestamp for this request is outside of the recvWindow."
    );
    assert_eq!(
        text(&AuthError::BadApiKeyFormat),
        AuthError::BadApiKeyFormat.to_string()
    );
}
