//! [`RawResponse`]: the answer to [`Client::send_raw`](crate::Client::send_raw) as received.

use http::{HeaderMap, Response, StatusCode};

use crate::error::{Error, Outcome};

/// The last attempt's answer to a raw call, byte for byte, with how the call went.
///
/// The body is exactly what arrived (no re-serialisation), so a tool can print the envelope as
/// Binance sent it. [`data`](Self::data) is the envelope decoded the way every typed call
/// decodes it.
pub struct RawResponse {
    pub(crate) operation: &'static str,
    pub(crate) response: Response<Vec<u8>>,
    pub(crate) data: Result<serde_json::Value, binancepay_http::Error>,
    pub(crate) attempts: u32,
    pub(crate) earlier_outcome_unknown: bool,
}

// Written by hand: the body and its data may hold personal data (payers, receivers), so only
// their sizes are shown.
impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("operation", &self.operation)
            .field("status", &self.response.status())
            .field("body_len", &self.response.body().len())
            .field("data_decoded", &self.data.is_ok())
            .field("attempts", &self.attempts)
            .field("earlier_outcome_unknown", &self.earlier_outcome_unknown)
            .finish()
    }
}

impl RawResponse {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// The body as received.
    pub fn body(&self) -> &[u8] {
        self.response.body()
    }

    /// The whole answer as received.
    pub fn into_response(self) -> Response<Vec<u8>> {
        self.response
    }

    /// The `data` of a `SUCCESS` envelope (`Null` when absent), or what the answer means
    /// otherwise: a `FAIL` or `ERROR` envelope, a gateway's page, a body that is no envelope.
    ///
    /// # Errors
    /// As [`binancepay_http::parse_response_raw`].
    pub fn data(&self) -> Result<&serde_json::Value, &binancepay_http::Error> {
        self.data.as_ref()
    }

    /// [`data`](Self::data) by value, with an error answer as [`Error::Response`] (attempts and
    /// earlier unknown outcomes included), as the typed calls report it.
    ///
    /// # Errors
    /// [`Error::Response`] for an error answer.
    pub fn into_data(self) -> Result<serde_json::Value, Error> {
        self.data.map_err(|source| Error::Response {
            operation: self.operation,
            attempts: self.attempts,
            earlier_outcome_unknown: self.earlier_outcome_unknown,
            source,
        })
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether an earlier attempt ended with an unknown outcome, so that this answer may be the
    /// consequence of that attempt (e.g. a duplicate key).
    pub fn earlier_outcome_unknown(&self) -> bool {
        self.earlier_outcome_unknown
    }

    /// What Binance did with the request, by the same rule as [`Error::outcome`]: a refusal
    /// after an attempt whose outcome is unknown is itself unknown.
    pub fn outcome(&self) -> Outcome {
        match &self.data {
            Ok(_) => Outcome::Succeeded,
            Err(error) => match error.outcome() {
                Outcome::NotSent | Outcome::Rejected if self.earlier_outcome_unknown => {
                    Outcome::Unknown
                }
                other => other,
            },
        }
    }

    /// Whether Binance may or may not have acted: query before sending anything again.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }
}
