//! Reading Binance's answer: the envelope in all its shapes, then the typed `data`.

use binancepay_types::{Endpoint, ResultCode};
use http::{Response, StatusCode};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Error;

/// The longest body excerpt an error carries.
pub const SNIPPET_MAX_BYTES: usize = 256;

/// Decodes the answer to a request for endpoint `E` into its typed `data`.
///
/// Accepts every envelope shape in the reference: `{"status":"SUCCESS","code":"000000","data":…}`,
/// `{"status":"FAIL","code":…,"errorMessage":…}`, `{"code":…,"msg":…}` without a status,
/// `{"status":"ERROR","type":…,"code":…,"errorData":…}`, and `code` as a JSON number (kept
/// as its decimal text; without a status, `0` means success). The HTTP status is reported but does not decide: Binance sends envelopes
/// with several statuses. An HTML 403 is [`Error::WrongPath`]. Never panics.
///
/// # Errors
/// [`Error::Api`] for `FAIL`, [`Error::System`] for `ERROR`, [`Error::WrongPath`],
/// [`Error::MissingData`] / [`Error::Decode`] for a `SUCCESS` whose `data` does not fit
/// `E::Response`, and [`Error::Unexpected`] (with a bounded body snippet) for anything else.
/// See [`Error::is_retryable`] and [`Error::outcome`].
pub fn parse_response<E, B>(response: &Response<B>) -> Result<E::Response, Error>
where
    E: Endpoint,
    B: AsRef<[u8]>,
{
    let status = response.status();
    let data = success_data(response)?;
    let text = data.map_or("null", RawValue::get);
    serde_json::from_str(text).map_err(|e| match data {
        None => Error::MissingData {
            status,
            operation: E::OPERATION,
        },
        Some(raw) => Error::Decode {
            status,
            operation: E::OPERATION,
            message: e.to_string(),
            data: crate::error::RawData::new(raw.get()),
        },
    })
}

/// Like [`parse_response`], but returns the `data` of a `SUCCESS` as a `serde_json::Value`
/// (`Null` when absent), for endpoints not modelled yet.
///
/// # Errors
/// As [`parse_response`].
pub fn parse_response_raw<B: AsRef<[u8]>>(
    response: &Response<B>,
) -> Result<serde_json::Value, Error> {
    let status = response.status();
    match success_data(response)? {
        None => Ok(serde_json::Value::Null),
        Some(data) => serde_json::from_str(data.get()).map_err(|e| Error::Decode {
            status,
            operation: "raw",
            message: e.to_string(),
            data: crate::error::RawData::new(data.get()),
        }),
    }
}

/// `code` arrives as a string, and sometimes as a number.
#[derive(Debug)]
struct WireCode(String);

impl<'de> Deserialize<'de> for WireCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WireCode;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a result code as a string or an integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WireCode, E> {
                Ok(WireCode(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WireCode, E> {
                Ok(WireCode(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WireCode, E> {
                Ok(WireCode(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Error text arrives as a string, or (in `errorData`) possibly as any JSON.
#[derive(Debug)]
struct WireMessage(Option<String>);

impl<'de> Deserialize<'de> for WireMessage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(WireMessage(match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }))
    }
}

#[derive(Debug, Deserialize)]
struct WireEnvelope<'a> {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    code: Option<WireCode>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
    #[serde(default, rename = "errorMessage")]
    error_message: Option<WireMessage>,
    #[serde(default)]
    msg: Option<WireMessage>,
    #[serde(default, rename = "errorData")]
    error_data: Option<WireMessage>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

impl WireEnvelope<'_> {
    fn message(&mut self) -> Option<String> {
        [&mut self.error_message, &mut self.msg, &mut self.error_data]
            .into_iter()
            .find_map(|m| m.take().and_then(|m| m.0))
    }
}

fn is_success_code(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b == b'0')
}

/// The raw `data` of a SUCCESS envelope, or the error that the envelope (or its absence) means.
fn success_data<B: AsRef<[u8]>>(response: &Response<B>) -> Result<Option<&RawValue>, Error> {
    let status = response.status();
    let body = response.body().as_ref();
    if looks_like_html_403(response) {
        return Err(Error::WrongPath {
            status,
            snippet: snippet(body),
        });
    }
    let unexpected = |reason: String| Error::Unexpected {
        status,
        reason,
        snippet: snippet(body),
    };
    let mut envelope: WireEnvelope<'_> = serde_json::from_slice(body)
        .map_err(|e| unexpected(format!("not a JSON response envelope: {e}")))?;
    let code = envelope.code.take().map(|c| c.0);
    match envelope.status.as_deref() {
        Some("SUCCESS") => Ok(envelope.data),
        Some("FAIL") => Err(Error::Api {
            status,
            code: result_code(code.as_deref().unwrap_or("")),
            message: envelope.message(),
        }),
        Some("ERROR") => Err(Error::System {
            status,
            code: code.unwrap_or_default(),
            kind: envelope.kind.take(),
            message: envelope.message(),
        }),
        Some(other) => Err(unexpected(format!(
            "unknown envelope status {:?}",
            crate::error::truncate_chars(other, 32)
        ))),
        // `{code, msg}` without a status: the code alone decides.
        None => match code {
            Some(code) if is_success_code(&code) => Ok(envelope.data),
            Some(code) => Err(Error::Api {
                status,
                code: result_code(&code),
                message: envelope.message(),
            }),
            None => Err(unexpected(
                "JSON object without `status` or `code`".to_owned(),
            )),
        },
    }
}

fn result_code(code: &str) -> ResultCode {
    ResultCode::from_code(code)
}

fn looks_like_html_403<B: AsRef<[u8]>>(response: &Response<B>) -> bool {
    if response.status() != StatusCode::FORBIDDEN {
        return false;
    }
    let html_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let body = response.body().as_ref();
    let starts_with_tag = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    html_type || starts_with_tag
}

/// At most [`SNIPPET_MAX_BYTES`] bytes of `body` as text, cut on a character boundary;
/// invalid UTF-8 shows as U+FFFD.
pub(crate) fn snippet(body: &[u8]) -> String {
    let head = body.get(..SNIPPET_MAX_BYTES).unwrap_or(body);
    let text = String::from_utf8_lossy(head);
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if i + c.len_utf8() > SNIPPET_MAX_BYTES {
            break;
        }
        end = i + c.len_utf8();
    }
    text.get(..end).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_is_bounded_and_cut_on_a_boundary() {
        assert_eq!(snippet(b"abc"), "abc");
        let long = "é".repeat(200); // 400 bytes, 2 per char
        let s = snippet(long.as_bytes());
        assert_eq!(s.len(), 256);
        let odd = format!("a{long}");
        let s = snippet(odd.as_bytes());
        assert_eq!(s.len(), 255);
        assert!(s.starts_with('a'));
        let invalid = [0xffu8; 300];
        let s = snippet(&invalid);
        assert!(s.len() <= 256);
        assert!(s.chars().all(|c| c == '\u{fffd}'));
    }

    #[test]
    fn success_code_is_all_zeros() {
        assert!(is_success_code("000000"));
        assert!(is_success_code("0"));
        assert!(!is_success_code(""));
        assert!(!is_success_code("400002"));
    }
}
