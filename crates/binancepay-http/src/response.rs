//! Reading Binance's answer: the envelope in all its shapes, then the typed `data`.

use binancepay_types::{ApiResponse, Endpoint, ResponseStatus, ResultCode};
use http::{Response, StatusCode};
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
    parse_answer::<E, B>(response).map(|answer| answer.data)
}

/// The typed `data` of a successful answer, and whether it was a first answer or a replay.
///
/// Binance answers a repeated `requestId` of some endpoints (wallet transfers) with
/// `"status":"REPEAT_REQ_SUCCESS","code":"000001"` and the first request's result: a success,
/// but nothing was done this time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer<T> {
    /// The endpoint's decoded `data`.
    pub data: T,
    /// `SUCCESS`, or `REPEAT_REQ_SUCCESS` for a replayed answer.
    pub status: ResponseStatus,
    /// The result code as sent (`000000`, `000001`, or `0` in some answers).
    pub code: ResultCode,
}

impl<T> Answer<T> {
    /// Whether Binance answered with the result of an earlier request with the same
    /// `requestId` (`REPEAT_REQ_SUCCESS`) rather than acting on this one.
    pub fn is_replay(&self) -> bool {
        self.status == ResponseStatus::RepeatReqSuccess
    }
}

/// Like [`parse_response`], and also says whether the answer is a replay ([`Answer`]).
///
/// ```
/// use binancepay_http::parse_answer;
/// use binancepay_types::wallet::TransferFundRequest;
///
/// let body = br#"{"status":"REPEAT_REQ_SUCCESS","code":"000001",
///     "data":{"tranId":"100002021071407140001","status":"SUCCESS"}}"#;
/// let answer = parse_answer::<TransferFundRequest, _>(&http::Response::new(&body[..]))?;
/// assert!(answer.is_replay());
/// assert_eq!(answer.data.tran_id, "100002021071407140001");
/// # Ok::<(), binancepay_http::Error>(())
/// ```
///
/// # Errors
/// As [`parse_response`].
pub fn parse_answer<E, B>(response: &Response<B>) -> Result<Answer<E::Response>, Error>
where
    E: Endpoint,
    B: AsRef<[u8]>,
{
    let status = response.status();
    let (data, envelope_status, code) = success_data(response)?;
    let text = data.map_or("null", RawValue::get);
    let decoded = serde_json::from_str(text).map_err(|e| match data {
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
    })?;
    Ok(Answer {
        data: decoded,
        status: envelope_status,
        code,
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
    match success_data(response)?.0 {
        None => Ok(serde_json::Value::Null),
        Some(data) => serde_json::from_str(data.get()).map_err(|e| Error::Decode {
            status,
            operation: "raw",
            message: e.to_string(),
            data: crate::error::RawData::new(data.get()),
        }),
    }
}

/// The raw `data` of a successful envelope with its status and code, or the error that the
/// envelope (or its absence) means.
///
/// The envelope is read by [`ApiResponse`], the workspace's one envelope reader, with its one
/// rule for success (see [`binancepay_types::envelope::is_success_code`]).
fn success_data<B: AsRef<[u8]>>(
    response: &Response<B>,
) -> Result<(Option<&RawValue>, ResponseStatus, ResultCode), Error> {
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
    let envelope: ApiResponse<&RawValue> = serde_json::from_slice(body)
        .map_err(|e| unexpected(format!("not a JSON response envelope: {e}")))?;
    if !envelope.is_success()
        && envelope
            .error_message
            .as_deref()
            .is_some_and(is_restricted_location)
    {
        return Err(Error::RestrictedLocation {
            status,
            message: envelope.error_message.unwrap_or_default(),
        });
    }
    match envelope.status {
        ResponseStatus::Success | ResponseStatus::RepeatReqSuccess => {
            Ok((envelope.data, envelope.status, envelope.code))
        }
        ResponseStatus::Fail => Err(Error::Api {
            status,
            code: envelope.code,
            message: envelope.error_message,
        }),
        ResponseStatus::Error => Err(Error::System {
            status,
            code: envelope.code.code().to_owned(),
            kind: envelope.error_type,
            message: envelope.error_message,
        }),
        other => Err(unexpected(format!(
            "unknown envelope status {:?}",
            crate::error::truncate_chars(other.as_str(), 32)
        ))),
    }
}

/// Whether an error text is Binance's refusal to serve a restricted location ("Service
/// unavailable from a restricted location according to 'b. Eligibility' in ...").
fn is_restricted_location(message: &str) -> bool {
    message.to_ascii_lowercase().contains("restricted location")
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

    fn parse(body: &str) -> Result<Option<String>, Error> {
        let response = Response::new(body.as_bytes());
        success_data(&response).map(|(data, _, _)| data.map(|d| d.get().to_owned()))
    }

    #[test]
    fn without_a_status_an_all_zero_code_is_success() {
        assert_eq!(
            parse(r#"{"code":"000000","data":1}"#).ok(),
            Some(Some("1".into()))
        );
        assert_eq!(parse(r#"{"code":0,"data":1}"#).ok(), Some(Some("1".into())));
        assert!(matches!(
            parse(r#"{"code":"400002","msg":"x"}"#),
            Err(Error::Api { .. })
        ));
        // The status decides when present, whatever the code.
        assert!(matches!(
            parse(r#"{"status":"FAIL","code":0}"#),
            Err(Error::Api { .. })
        ));
        assert!(matches!(parse("{}"), Err(Error::Unexpected { .. })));
        assert!(matches!(
            parse(r#"{"status":"MAYBE","code":"000000"}"#),
            Err(Error::Unexpected { .. })
        ));
    }
}
