//! The client-side [`Error`]: building a request, or reading Binance's answer to it.

use http::StatusCode;

use binancepay_types::{ResultCode, ValidationErrors};

/// What Binance did with a request that ended in an [`Error`].
///
/// A client combines this with the endpoint's `RetryClass`: an [`Outcome::Unknown`]
/// create-order must be queried, not blindly resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The request was never built, so it never left: nothing happened at Binance.
    NotSent,
    /// Binance (or the CDN in front of it) read the request and refused it: nothing was done.
    Rejected,
    /// Binance reports success; only decoding its `data` failed. Do not repeat the request.
    Succeeded,
    /// Binance may or may not have acted (an undecodable 5xx, an unknown error code).
    Unknown,
}

/// Everything that can go wrong between a typed request and a typed response.
///
/// Server messages are kept as Binance sent them; secrets never appear here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The typed request breaks the spec's client-side rules; it was not sent.
    #[error("request not sent: {0}")]
    Validation(#[from] ValidationErrors),
    /// The request could not be serialised to JSON (for example a map with non-string keys).
    #[error("{operation}: the request body cannot be serialised to JSON: {message}")]
    Serialize {
        /// The endpoint's operation name.
        operation: &'static str,
        /// serde_json's message.
        message: String,
    },
    /// A raw request path is not a Binance Pay OpenAPI path.
    #[error("request path {path:?}: {rule}")]
    InvalidPath {
        /// The path, truncated to 64 characters.
        path: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A raw request body is not a JSON object.
    #[error("raw request body: must be one UTF-8 JSON object, {reason}")]
    InvalidBody {
        /// What is wrong with it.
        reason: String,
    },
    /// The configured base URL is unusable.
    #[error("base URL {url:?}: {rule}")]
    InvalidBaseUrl {
        /// The URL, truncated to 64 characters.
        url: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The configured `User-Agent` is unusable.
    #[error("User-Agent {value:?}: must be 1..=256 printable ASCII characters")]
    InvalidUserAgent {
        /// The value, truncated to 64 characters.
        value: String,
    },
    /// A value could not become an HTTP header value.
    #[error("header {header}: value is not a valid HTTP header value")]
    InvalidHeaderValue {
        /// The header's name.
        header: &'static str,
    },
    /// The clock or the OS random generator failed (`std-clock` conveniences), or RSA
    /// signing failed (`signing`).
    #[error("signing primitive failed: {0}")]
    Sign(#[source] binancepay_sign::Error),

    /// Binance answered `FAIL` (or `{code,msg}` without a status): it processed and refused the request.
    #[error("HTTP {status}: Binance Pay answered FAIL, code {code}{}", message_suffix(message.as_deref()))]
    Api {
        /// HTTP status of the response (Binance's statuses are not reliable; the code is).
        status: StatusCode,
        /// The business result code, e.g. `400002`.
        code: ResultCode,
        /// `errorMessage` (or `msg` / `errorData`) as Binance sent it.
        message: Option<String>,
    },
    /// Binance's gateway answered `{"status":"ERROR","type":...,"code":...,"errorData":...}`.
    #[error("HTTP {status}: Binance Pay system error, code {code}{}", message_suffix(message.as_deref()))]
    System {
        /// HTTP status of the response.
        status: StatusCode,
        /// The system code, e.g. `100001001` (wrong method, no content type or no body).
        code: String,
        /// The `type` field, e.g. `SYS`.
        kind: Option<String>,
        /// `errorData` / `errorMessage` / `msg`.
        message: Option<String>,
    },
    /// An HTML 403 page (CloudFront's "The request could not be satisfied"): the path is wrong.
    #[error(
        "HTTP {status}: an HTML error page instead of JSON; the endpoint path is probably wrong"
    )]
    WrongPath {
        /// HTTP status of the response (403).
        status: StatusCode,
        /// The start of the page (at most 256 bytes).
        snippet: String,
    },
    /// A `SUCCESS` envelope without the `data` the endpoint's response type needs.
    #[error("HTTP {status}: {operation} answered SUCCESS without the required `data`")]
    MissingData {
        /// HTTP status of the response.
        status: StatusCode,
        /// The endpoint's operation name.
        operation: &'static str,
    },
    /// A `SUCCESS` envelope whose `data` does not decode into the endpoint's response type.
    #[error("HTTP {status}: {operation} answered SUCCESS but `data` does not decode: {message}")]
    Decode {
        /// HTTP status of the response.
        status: StatusCode,
        /// The endpoint's operation name.
        operation: &'static str,
        /// serde_json's message (names the field and the expected type).
        message: String,
        /// The raw `data` JSON as received, so the caller can still find the ids of what
        /// Binance did. Kept out of `Display` and `Debug` (it may hold personal data); read it
        /// with [`Error::raw_data`].
        data: RawData,
    },
    /// Binance refuses to serve the request's location (`{"code":0,"msg":"Service unavailable
    /// from a restricted location according to 'b. Eligibility' in ..."}`): nothing was done,
    /// and sending again from the same place cannot help.
    #[error("HTTP {status}: Binance Pay refuses requests from this location: {message}")]
    RestrictedLocation {
        /// HTTP status of the response.
        status: StatusCode,
        /// Binance's text, as sent.
        message: String,
    },
    /// Any other answer: not JSON, not an envelope, an unknown `status`.
    #[error("HTTP {status}: unexpected response ({reason}): {snippet:?}")]
    Unexpected {
        /// HTTP status of the response.
        status: StatusCode,
        /// What was wrong with it.
        reason: String,
        /// The start of the body (at most 256 bytes, cut on a UTF-8 boundary).
        snippet: String,
    },
}

fn message_suffix(message: Option<&str>) -> String {
    match message {
        Some(m) => format!(": {m}"),
        None => String::new(),
    }
}

/// The system code for a wrong method, a missing content type or a missing body.
pub(crate) const SYSTEM_ABNORMALITY: &str = "100001001";

impl Error {
    /// Whether sending the same request again (re-signed with a fresh timestamp and
    /// nonce, see [`RequestBuilder::resign`](crate::RequestBuilder::resign)) can help.
    ///
    /// Yes for HTTP 5xx, 408 and 429 without a decodable envelope, for a FAIL with HTTP 429,
    /// and for the result codes [`ResultCode::is_retryable`] names: `400000` (unknown error),
    /// `400003` (timestamp window; the retry carries a fresh timestamp) and `50001` (server error). No for everything the caller must fix first: validation,
    /// signature (`400002`), key (`400004`/`400005`) and parameter (`4001xx`) errors, a
    /// wrong path, and a `SUCCESS` whose data did not decode (the request was done).
    ///
    /// Whether a retry is *safe* is a separate question: check [`Error::outcome`] and the
    /// endpoint's `RetryClass` before repeating a non-idempotent request.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, code, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS || code.is_retryable()
            }
            Error::System { status, code, .. } => {
                code != SYSTEM_ABNORMALITY && retryable_status(*status)
            }
            Error::Unexpected { status, .. } => retryable_status(*status),
            _ => false,
        }
    }

    /// What Binance did with the request; see [`Outcome`].
    ///
    /// A decoded `FAIL` means the request was processed and refused ([`Outcome::Rejected`]),
    /// except the codes `400000` and `50001`, which are [`Outcome::Unknown`]. An undecodable
    /// answer is [`Outcome::Rejected`] only for HTTP 4xx other than 408 (the request was
    /// refused before it was handled); any other undecodable answer, including 2xx and 5xx,
    /// is [`Outcome::Unknown`].
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Validation(_)
            | Error::Serialize { .. }
            | Error::InvalidPath { .. }
            | Error::InvalidBody { .. }
            | Error::InvalidBaseUrl { .. }
            | Error::InvalidUserAgent { .. }
            | Error::InvalidHeaderValue { .. }
            | Error::Sign(_) => Outcome::NotSent,
            // These two say nothing about whether the operation ran.
            Error::Api {
                code: ResultCode::UnknownError | ResultCode::ServerError,
                ..
            } => Outcome::Unknown,
            Error::Api { .. } => Outcome::Rejected,
            Error::System { code, .. } => {
                if code == SYSTEM_ABNORMALITY {
                    Outcome::Rejected
                } else {
                    Outcome::Unknown
                }
            }
            Error::WrongPath { .. } | Error::RestrictedLocation { .. } => Outcome::Rejected,
            Error::MissingData { .. } | Error::Decode { .. } => Outcome::Succeeded,
            Error::Unexpected { status, .. } => {
                if status.is_client_error() && *status != StatusCode::REQUEST_TIMEOUT {
                    Outcome::Rejected
                } else {
                    Outcome::Unknown
                }
            }
        }
    }

    /// Whether we know what Binance did: everything but [`Outcome::Unknown`].
    pub fn outcome_known(&self) -> bool {
        self.outcome() != Outcome::Unknown
    }

    /// The raw `data` of a `SUCCESS` that did not decode ([`Error::Decode`]): Binance acted, and
    /// the ids are in there.
    pub fn raw_data(&self) -> Option<&str> {
        match self {
            Error::Decode { data, .. } => Some(data.as_str()),
            _ => None,
        }
    }

    /// The business result code of a decoded `FAIL`, if this is one.
    pub fn result_code(&self) -> Option<&ResultCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status of the response, for errors that come from one.
    pub fn http_status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::System { status, .. }
            | Error::WrongPath { status, .. }
            | Error::RestrictedLocation { status, .. }
            | Error::MissingData { status, .. }
            | Error::Decode { status, .. }
            | Error::Unexpected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn retryable_status(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

/// `text` cut to at most `max` characters, for quoting user input in errors.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The raw JSON text of a response's `data`; its `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct RawData(String);

impl RawData {
    pub(crate) fn new(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The JSON text, exactly as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for RawData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RawData({} bytes)", self.0.len())
    }
}
