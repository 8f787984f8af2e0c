//! Request building: the signed bytes are the sent bytes, headers, resigning, configuration.

use binancepay_http::{
    ApiSecret, BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE,
    BINANCEPAY_TIMESTAMP, DEFAULT_USER_AGENT, Error, Nonce, RequestBuilder, Timestamp,
};
use http::Method;
use http::header::{CONTENT_TYPE, USER_AGENT};

use crate::support::{API_KEY, T0, api_key, builder, nonce, ts, vector, vector_file, vector_str};

/// The pinned request-signature vectors of binancepay-sign, driven through `build_raw`.
#[test]
fn raw_requests_carry_the_vector_signatures() {
    for name in ["v0-faq", "v6-utf8"] {
        let v = vector(&format!("{name}.toml"));
        let body = vector_file(vector_str(&v, "body_file"));
        let secret = ApiSecret::new(vector_str(&v, "secret")).expect("secret");
        let timestamp: Timestamp = vector_str(&v, "timestamp").parse().expect("timestamp");
        let nonce = Nonce::new(vector_str(&v, "nonce")).expect("nonce");
        let builder = RequestBuilder::new(api_key(), &secret).expect("builder");
        let request = builder
            .build_raw("/binancepay/openapi/order", body.clone(), timestamp, &nonce)
            .expect("build");
        assert_eq!(request.body(), &body, "{name}: body must be sent as signed");
        assert_eq!(
            request.headers()[BINANCEPAY_SIGNATURE],
            vector_str(&v, "signature"),
            "{name}"
        );
        assert_eq!(
            request.headers()[BINANCEPAY_TIMESTAMP],
            vector_str(&v, "timestamp")
        );
        assert_eq!(request.headers()[BINANCEPAY_NONCE], vector_str(&v, "nonce"));
    }
}

#[test]
fn headers_method_and_uri() {
    let request = builder()
        .build_raw("/binancepay/openapi/certificates", "{}", ts(T0), &nonce(7))
        .expect("build");
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.uri(),
        "https://bpay.binanceapi.com/binancepay/openapi/certificates"
    );
    let h = request.headers();
    assert_eq!(h[CONTENT_TYPE], "application/json");
    assert_eq!(h[USER_AGENT], DEFAULT_USER_AGENT);
    assert!(DEFAULT_USER_AGENT.starts_with("binancepay-rs/"));
    assert_eq!(h[BINANCEPAY_CERTIFICATE_SN], API_KEY);
    assert_eq!(h[BINANCEPAY_TIMESTAMP], T0.to_string().as_str());
    assert_eq!(h[BINANCEPAY_NONCE], nonce(7).as_str());
    let signature = h[BINANCEPAY_SIGNATURE].to_str().expect("ASCII");
    assert_eq!(signature.len(), 128);
    assert!(
        signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    );
    assert!(h[BINANCEPAY_SIGNATURE].is_sensitive());
    assert!(h[BINANCEPAY_CERTIFICATE_SN].is_sensitive());
    assert!(!h[BINANCEPAY_TIMESTAMP].is_sensitive());
    // Case-insensitive lookup, as any server does.
    assert_eq!(h.get("BinancePay-Timestamp"), h.get("binancepay-timestamp"));
    assert_eq!(h.len(), 6);
}

#[test]
fn resign_replaces_only_the_signing_headers_over_the_same_bytes() {
    let b = builder();
    let mut request = b
        .build_raw(
            "/binancepay/openapi/v2/order/query",
            r#"{"prepayId":"29383937493038367292"}"#,
            ts(T0),
            &nonce(1),
        )
        .expect("build");
    let body_before = request.body().clone();
    let old_signature = request.headers()[BINANCEPAY_SIGNATURE].clone();
    b.resign(&mut request, ts(T0 + 5_000), &nonce(2))
        .expect("resign");
    assert_eq!(request.body(), &body_before);
    assert_eq!(
        request.headers()[BINANCEPAY_TIMESTAMP],
        (T0 + 5_000).to_string().as_str()
    );
    assert_eq!(request.headers()[BINANCEPAY_NONCE], nonce(2).as_str());
    assert_ne!(request.headers()[BINANCEPAY_SIGNATURE], old_signature);
    assert!(request.headers()[BINANCEPAY_SIGNATURE].is_sensitive());
    let fresh = b
        .build_raw(
            "/binancepay/openapi/v2/order/query",
            body_before,
            ts(T0 + 5_000),
            &nonce(2),
        )
        .expect("build");
    assert_eq!(request.headers(), fresh.headers());
    assert_eq!(request.headers().len(), 6);
}

#[test]
fn base_url_and_user_agent_are_configurable() {
    let b = builder()
        .with_base_url("http://127.0.0.1:18080/mock/")
        .expect("base")
        .with_user_agent("shop-backend/2.1 (binancepay-rs)")
        .expect("ua");
    assert_eq!(b.base_url(), "http://127.0.0.1:18080/mock");
    let request = b
        .build_raw("/binancepay/openapi/v3/order", "{}", ts(T0), &nonce(1))
        .expect("build");
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:18080/mock/binancepay/openapi/v3/order"
    );
    assert_eq!(
        request.headers()[USER_AGENT],
        "shop-backend/2.1 (binancepay-rs)"
    );
    for bad in ["", "tab\there", "naïve", &"x".repeat(257)] {
        assert!(
            matches!(
                builder().with_user_agent(bad),
                Err(Error::InvalidUserAgent { .. })
            ),
            "{bad:?}"
        );
    }
    for bad in [
        "bpay.binanceapi.com",
        "https://bpay.binanceapi.com?x=1",
        "wss://bpay.binanceapi.com",
    ] {
        let e = builder().with_base_url(bad).expect_err(bad);
        assert!(matches!(e, Error::InvalidBaseUrl { .. }), "{bad:?}");
        assert_eq!(e.outcome(), binancepay_http::Outcome::NotSent);
        assert!(!e.is_retryable());
    }
}

#[test]
fn raw_paths_and_bodies_are_checked() {
    let b = builder();
    let e = b
        .build_raw("/sapi/v1/pay/transactions", "{}", ts(T0), &nonce(1))
        .expect_err("path");
    assert!(matches!(e, Error::InvalidPath { .. }), "{e}");
    assert!(e.to_string().contains("/binancepay/openapi/"), "{e}");
    let e = b
        .build_raw("/binancepay/openapi/v3/order", "[]", ts(T0), &nonce(1))
        .expect_err("body");
    assert!(matches!(e, Error::InvalidBody { .. }), "{e}");
    let e = b
        .build_raw(
            "/binancepay/openapi/v3/order",
            "{\"a\":1} trailing",
            ts(T0),
            &nonce(1),
        )
        .expect_err("body");
    assert!(matches!(e, Error::InvalidBody { .. }), "{e}");
}

#[test]
fn debug_never_shows_the_secret_or_key() {
    let text = format!("{:?}", builder());
    assert!(!text.contains(crate::support::API_SECRET), "{text}");
    assert!(!text.contains(API_KEY), "{text}");
    assert!(text.contains("REDACTED"), "{text}");
    let request = builder()
        .build_raw("/binancepay/openapi/certificates", "{}", ts(T0), &nonce(1))
        .expect("build");
    let text = format!("{:?}", request.headers());
    assert!(!text.contains(API_KEY), "{text}");
    assert!(text.contains("Sensitive"), "{text}");
}

#[test]
fn typed_v3_order_is_signed_over_its_serialisation() {
    use binancepay_types::Endpoint;
    use binancepay_types::order::CreateOrderV3Request;
    let order: CreateOrderV3Request =
        serde_json::from_slice(&crate::support::sample("create_order_v3.request.json"))
            .expect("sample");
    let request = builder()
        .build(&order, ts(T0), &nonce(9))
        .expect("valid order");
    assert_eq!(request.uri().path(), CreateOrderV3Request::PATH);
    assert_eq!(request.body(), &serde_json::to_vec(&order).expect("JSON"));
    // The body decodes back to the same order: nothing was lost on the way.
    let back: CreateOrderV3Request = serde_json::from_slice(request.body()).expect("JSON");
    assert_eq!(back, order);
    // The signature is the one a server computes over the sent bytes.
    let signer = binancepay_sign::RequestSigner::new(&crate::support::secret());
    let signature = request.headers()[BINANCEPAY_SIGNATURE]
        .to_str()
        .expect("ASCII");
    assert!(
        signer
            .verify(&ts(T0), &nonce(9), request.body(), signature)
            .is_ok()
    );
}

#[test]
fn invalid_typed_requests_are_not_built() {
    use binancepay_types::order::CloseOrderRequest;
    // Neither merchantTradeNo nor prepayId: the one-of rule fails; a dash breaks the char class.
    let e = builder()
        .build(&CloseOrderRequest::new(), ts(T0), &nonce(1))
        .expect_err("one-of");
    assert!(matches!(e, Error::Validation(_)), "{e}");
    assert_eq!(e.outcome(), binancepay_http::Outcome::NotSent);
    assert!(!e.is_retryable());
    let bad = CloseOrderRequest::new().with_merchant_trade_no("order-1");
    let e = builder()
        .build(&bad, ts(T0), &nonce(1))
        .expect_err("char class");
    match &e {
        Error::Validation(v) => assert!(
            v.violations().iter().any(|v| v.field == "merchantTradeNo"),
            "{e}"
        ),
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("merchantTradeNo"), "{e}");
}
