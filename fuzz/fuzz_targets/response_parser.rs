//! `parse_response` for the endpoints' response types, and `parse_response_raw`, on an
//! arbitrary HTTP status, `Content-Type` and body.
//!
//! Input: an optional first line `NNN [operation] [content-type]` (a status of three digits,
//! then optionally an endpoint's operation name, e.g. `query_order_v2`, then the header value),
//! then the body. The named endpoint's type is decoded; without a name, a few representative
//! ones are. An input that does not start with such a line is a whole body with status 200 and
//! no `Content-Type`, so raw sample files work as seeds too.

#![no_main]

use binancepay_fuzz::framing::split_line;
use binancepay_http::{Error, Outcome, SNIPPET_MAX_BYTES, parse_response, parse_response_raw};
use binancepay_types::Endpoint;
use binancepay_types::certificate::QueryCertificatesRequest;
use binancepay_types::order::{CloseOrderRequest, CreateOrderV3Request, QueryOrderV2Request};
use http::{HeaderValue, Response, StatusCode};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;

type Raw = Result<serde_json::Value, Error>;

/// One input: the response, and the operation named in the first line.
fn response(data: &[u8]) -> (Response<&[u8]>, Option<&[u8]>) {
    let (line, rest) = split_line(data);
    let status = line.get(..3).and_then(|s| StatusCode::from_bytes(s).ok());
    let (status, mut head, body) = match status {
        Some(status) if line.len() == 3 || line.get(3) == Some(&b' ') => {
            (status, line.get(4..).unwrap_or_default(), rest)
        }
        _ => (StatusCode::OK, &b""[..], data),
    };
    let mut operation = None;
    let at = head.iter().position(|&b| b == b' ').unwrap_or(head.len());
    let token = &head[..at];
    if OPERATIONS.contains(&token) {
        operation = Some(token);
        head = head.get(at + 1..).unwrap_or_default();
    }
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if let (false, Ok(value)) = (head.is_empty(), HeaderValue::from_bytes(head)) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    (response, operation)
}

/// What any error from reading a response must satisfy.
fn check_error(error: &Error, status: StatusCode) {
    let _ = (
        error.to_string(),
        format!("{error:?}"),
        error.is_retryable(),
    );
    assert_eq!(error.http_status(), Some(status), "{error:?}");
    match error {
        Error::WrongPath { snippet, .. } | Error::Unexpected { snippet, .. } => {
            assert!(
                snippet.len() <= SNIPPET_MAX_BYTES,
                "{} byte snippet",
                snippet.len()
            );
        }
        Error::MissingData { .. } | Error::Decode { .. } => {
            assert_eq!(error.outcome(), Outcome::Succeeded);
        }
        Error::Api { code, .. } => assert_eq!(error.result_code(), Some(code)),
        _ => {}
    }
    assert_eq!(error.outcome_known(), error.outcome() != Outcome::Unknown);
}

/// The variant, to compare the typed and the raw reading of one envelope.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Api { .. } => "api",
        Error::System { .. } => "system",
        Error::WrongPath { .. } => "wrong path",
        Error::MissingData { .. } | Error::Decode { .. } => "data",
        Error::Unexpected { .. } => "unexpected",
        _ => "other",
    }
}

fn check<E>(response: &Response<&[u8]>, raw: &Raw)
where
    E: Endpoint,
    E::Response: Serialize + PartialEq + std::fmt::Debug,
{
    let typed = parse_response::<E, _>(response);
    match (&typed, raw) {
        (Err(error), _) => {
            check_error(error, response.status());
            match raw {
                // The envelope decides before the data type does: the same refusal.
                Err(raw) if kind(raw) != "data" => {
                    assert_eq!(kind(error), kind(raw));
                    assert_eq!(error.to_string(), raw.to_string());
                }
                // A SUCCESS envelope: only the data can be wrong for this type.
                _ => assert_eq!(
                    kind(error),
                    "data",
                    "{}: {error:?} / raw {raw:?}",
                    E::OPERATION
                ),
            }
        }
        (Ok(_), Err(raw)) => {
            assert_eq!(kind(raw), "data", "{}: typed ok, raw {raw:?}", E::OPERATION)
        }
        (Ok(_), Ok(_)) => {}
    }
    if let Ok(data) = typed {
        // What was decoded serialises back to JSON that decodes to the same value.
        let json = serde_json::to_string(&data).expect("decoded data serialises");
        let back: E::Response = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{}: {json} does not decode again: {e}", E::OPERATION));
        assert_eq!(back, data, "{}: round trip through {json}", E::OPERATION);
    }
}

macro_rules! endpoints {
    ($($endpoint:ty),* $(,)?) => {
        /// Every operation name, to recognise one in the first line.
        const OPERATIONS: &[&[u8]] = &[$( <$endpoint as Endpoint>::OPERATION.as_bytes(), )*];

        /// Decodes the response as the named endpoint's type.
        fn check_named(operation: &[u8], response: &Response<&[u8]>, raw: &Raw) {
            $(
                if operation == <$endpoint as Endpoint>::OPERATION.as_bytes() {
                    check::<$endpoint>(response, raw);
                }
            )*
        }
    };
}
binancepay_fuzz::with_endpoints!(endpoints);

fuzz_target!(|data: &[u8]| {
    let (response, operation) = response(data);
    let raw = parse_response_raw(&response);
    if let Err(error) = &raw {
        check_error(error, response.status());
    }
    match operation {
        Some(operation) => check_named(operation, &response, &raw),
        // Each of the 42 types re-reads the envelope; a few shapes keep the run fast.
        None => {
            check::<CloseOrderRequest>(&response, &raw);
            check::<CreateOrderV3Request>(&response, &raw);
            check::<QueryOrderV2Request>(&response, &raw);
            check::<QueryCertificatesRequest>(&response, &raw);
        }
    }
});
