//! The server side of request signing: `binancepay_http::server::authenticate` on arbitrary
//! methods, headers and bodies, and its agreement with the client's `RequestBuilder`.
//!
//! Input: one flags byte, then an HTTP/1-like request (`METHOD path`, `Name: value` lines, an
//! empty line, the body). Flags:
//! * bit 0: replace every `BinancePay-Signature` value by the right HMAC of the timestamp,
//!   nonce and body as sent, so fuzzed requests get past the signature check;
//! * bit 1: `now` follows the request's timestamp (skewed by bits 2-4 within the 1 s window),
//!   else a fixed time.

#![no_main]

use std::sync::OnceLock;

use binancepay_fuzz::fixtures::{self, API_KEY};
use binancepay_fuzz::framing;
use binancepay_http::server::{AuthError, authenticate};
use binancepay_http::{Error, Nonce, RequestBuilder, SigningHeader, Timestamp, parse_response_raw};
use binancepay_sign::check_freshness;
use http::{HeaderName, HeaderValue, Method, Request};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;

/// Binance's documented window.
const WINDOW_MS: u64 = 1_000;
/// A fixed `now` when the clock does not follow the request.
const FIXED_NOW: u64 = 1_611_232_922_428;
/// Where `build_raw` sends a body when the request's own path is not an OpenAPI path.
const FALLBACK_PATH: &str = "/binancepay/openapi/v2/order";

fn builder() -> &'static RequestBuilder {
    static BUILDER: OnceLock<RequestBuilder> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let (key, signer) = fixtures::merchant();
        RequestBuilder::from_signer(key.clone(), signer.clone()).expect("fixture builder")
    })
}

/// The header lines that are valid HTTP, in order: exactly what the request carries.
fn valid_headers<'a>(raw: &framing::RawRequest<'a>) -> Vec<(HeaderName, &'a [u8])> {
    raw.headers
        .iter()
        .filter_map(|&(name, value)| {
            let name = HeaderName::from_bytes(name).ok()?;
            HeaderValue::from_bytes(value).ok()?;
            Some((name, value))
        })
        .collect()
}

/// The first value of `header` the request carries, as text.
fn first_value<'a>(headers: &[(HeaderName, &'a [u8])], header: SigningHeader) -> Option<&'a str> {
    headers
        .iter()
        .find(|(name, _)| *name == header.header_name())
        .and_then(|(_, value)| std::str::from_utf8(value).ok())
}

/// The refusal, parsed back by the client: the same code, status and shape.
fn check_refusal(error: &AuthError) {
    let _ = format!("{error} {error:?}");
    assert_eq!(error.result_code().code(), error.code());
    assert!(
        error.status().is_client_error(),
        "{error:?} -> {}",
        error.status()
    );
    let response = error.response();
    assert_eq!(response.status(), error.status());
    match parse_response_raw(&response) {
        Err(Error::System { code, .. }) => {
            assert!(error.is_system_error());
            assert_eq!(code, error.code());
        }
        Err(Error::Api { code, .. }) => {
            assert!(!error.is_system_error());
            assert_eq!(code.code(), error.code());
        }
        other => panic!(
            "{error:?} answered with {:?}, parsed as {other:?}",
            response.body()
        ),
    }
}

/// A body `build_raw` accepts is accepted by `authenticate`, and the other way round.
fn check_client_agrees(path: &str, body: &[u8]) {
    let timestamp = Timestamp::from_millis(FIXED_NOW).expect("fixed time");
    let nonce = Nonce::new(fixtures::request_nonce()).expect("V0 nonce is valid");
    let built = match builder().build_raw(path, body.to_vec(), timestamp, &nonce) {
        Err(Error::InvalidPath { .. }) if path != FALLBACK_PATH => {
            return check_client_agrees(FALLBACK_PATH, body);
        }
        other => other,
    };
    match built {
        Ok(request) => {
            assert_eq!(request.uri().path(), path);
            let auth = authenticate(&request, fixtures::merchant(), timestamp, WINDOW_MS);
            let auth = auth.unwrap_or_else(|e| panic!("built request refused: {e:?}"));
            assert_eq!(auth.body, body);
            assert_eq!(auth.path, path);
        }
        Err(Error::InvalidBody { .. }) => {
            // The same body, signed by hand, is refused by the server as not a JSON object
            // (or as missing, when empty).
            let (_, signer) = fixtures::merchant();
            let signature = signer.sign(&timestamp, &nonce, body);
            let request = Request::post(path)
                .header("content-type", "application/json")
                .header("binancepay-timestamp", timestamp.as_millis())
                .header("binancepay-nonce", nonce.as_str())
                .header("binancepay-certificate-sn", API_KEY)
                .header("binancepay-signature", signature.as_str())
                .body(body)
                .expect("valid request parts");
            let result = authenticate(&request, fixtures::merchant(), timestamp, WINDOW_MS);
            assert!(
                matches!(result, Err(AuthError::InvalidBody | AuthError::EmptyBody)),
                "client refuses the body, server says {result:?}"
            );
        }
        Err(other) => panic!("build_raw: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let raw = framing::request(rest);
    let headers = valid_headers(&raw);
    let sign = flags & 1 != 0;
    let follow = flags & 2 != 0;
    let skew_ms = i64::from((flags >> 2) & 7) * 200 - 700;

    let signature = match (
        sign,
        first_value(&headers, SigningHeader::Timestamp),
        first_value(&headers, SigningHeader::Nonce),
    ) {
        (true, Some(ts), Some(nonce)) => Some(fixtures::merchant().1.sign_raw(ts, nonce, raw.body)),
        _ => None,
    };

    let Ok(method) = Method::from_bytes(raw.method) else {
        return;
    };
    let path = std::str::from_utf8(raw.path)
        .ok()
        .filter(|p| p.starts_with('/'))
        .and_then(|p| p.parse::<http::Uri>().ok())
        .unwrap_or_else(|| http::Uri::from_static("/"));
    let mut request = Request::new(raw.body);
    *request.method_mut() = method.clone();
    *request.uri_mut() = path;
    for (name, value) in &headers {
        let value = match &signature {
            Some(signature) if *name == SigningHeader::Signature.header_name() => {
                HeaderValue::from_str(signature.as_str())
            }
            _ => HeaderValue::from_bytes(value),
        };
        request
            .headers_mut()
            .append(name.clone(), value.expect("checked by valid_headers"));
    }

    let header_ts =
        first_value(&headers, SigningHeader::Timestamp).and_then(|t| Timestamp::parse(t).ok());
    let now = match (follow, header_ts) {
        (true, Some(t)) => t
            .as_millis()
            .checked_add_signed(skew_ms)
            .and_then(|m| Timestamp::from_millis(m).ok())
            .unwrap_or(t),
        _ => Timestamp::from_millis(FIXED_NOW).expect("fixed time"),
    };

    // Known and reported (fuzz/README.md, finding 1): `authenticate` verifies the signature over
    // the re-rendered timestamp, not the header text, so a timestamp with leading zeros signed
    // as sent is refused, and one signed over other digits than sent is accepted. Those inputs
    // skip the two signature-coverage checks so the run can go on.
    let non_canonical_ts = first_value(&headers, SigningHeader::Timestamp)
        .is_some_and(|t| Timestamp::parse(t).is_ok_and(|p| p.to_string() != t));

    match authenticate(&request, fixtures::merchant(), now, WINDOW_MS) {
        Ok(auth) => {
            assert_eq!(method, Method::POST);
            assert_eq!(auth.body, raw.body);
            assert_eq!(auth.api_key.as_str(), API_KEY);
            assert_eq!(check_freshness(now, auth.timestamp, WINDOW_MS), Ok(()));
            let sent = request
                .headers()
                .get(SigningHeader::Signature.header_name())
                .and_then(|v| v.to_str().ok())
                .expect("an accepted request has a signature");
            assert_eq!(
                fixtures::merchant()
                    .1
                    .verify(&auth.timestamp, &auth.nonce, auth.body, sent),
                Ok(())
            );
            // The signature covers the header text exactly as it arrived.
            if !non_canonical_ts {
                let header = |h| first_value(&headers, h).expect("an accepted header is text");
                let expected = fixtures::merchant().1.sign_raw(
                    header(SigningHeader::Timestamp),
                    header(SigningHeader::Nonce),
                    auth.body,
                );
                assert_eq!(
                    expected.as_str(),
                    sent,
                    "accepted a signature over other text"
                );
            }
            let object = serde_json::from_slice::<&RawValue>(auth.body)
                .is_ok_and(|v| v.get().starts_with('{'));
            assert!(object, "accepted a body that is not one JSON object");
        }
        Err(error) => {
            check_refusal(&error);
            if signature.is_some() && !non_canonical_ts {
                assert_ne!(error, AuthError::InvalidSignature, "own signature refused");
            }
            if error == AuthError::InvalidBody {
                let value = serde_json::from_slice::<serde_json::Value>(raw.body);
                assert!(
                    !matches!(value, Ok(serde_json::Value::Object(_))),
                    "an object refused"
                );
            }
        }
    }

    if !raw.body.is_empty() {
        check_client_agrees(
            std::str::from_utf8(raw.path).unwrap_or(FALLBACK_PATH),
            raw.body,
        );
    }
});
