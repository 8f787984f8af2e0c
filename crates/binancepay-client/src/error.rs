//! The errors of the client: configuration, a request that was not sent, an answer that is an
//! error, no answer at all, and the create-order recovery.

use core::fmt;

use binancepay_types::ResultCode;
use http::StatusCode;

pub use binancepay_http::Outcome;

/// A client setting that cannot be used; nothing was sent.
///
/// Messages name the setting and the rule; they never contain the API secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set (or is empty).
    #[error("environment variable {name} is not set; it must hold the Binance Pay {what}")]
    MissingEnvVar {
        /// The variable, e.g. `BINANCEPAY_API_SECRET`.
        name: &'static str,
        /// What it holds, e.g. "API secret".
        what: &'static str,
    },
    /// An environment variable is set but is not valid Unicode.
    #[error("environment variable {name} is not valid Unicode")]
    NonUnicodeEnvVar {
        /// The variable.
        name: &'static str,
    },
    /// [`ClientBuilder::credentials`](crate::ClientBuilder::credentials) was never called.
    #[error("no credentials: call ClientBuilder::credentials or build the client with from_env()")]
    MissingCredentials,
    /// The API key breaks its rule (1 to 128 ASCII letters or digits).
    #[error("API key: {0}")]
    InvalidApiKey(#[source] binancepay_sign::Error),
    /// The API secret breaks its rule (not empty).
    #[error("API secret: {0}")]
    InvalidApiSecret(#[source] binancepay_sign::Error),
    /// The base URL does not parse as an absolute URL.
    #[error("base URL {url:?}: must be an absolute http or https URL")]
    UnparsableBaseUrl {
        /// The URL, truncated to 64 characters.
        url: String,
    },
    /// Plain `http://` to a host that is not loopback, without
    /// [`allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    #[error(
        "base URL host {host:?}: plain http:// is refused except for loopback hosts \
         (localhost, 127.0.0.0/8, ::1); use https:// or ClientBuilder::allow_insecure_http(true)"
    )]
    InsecureHttp {
        /// The host the URL names.
        host: String,
    },
    /// An endpoint path setting does not start with `/binancepay/openapi/`, or carries a
    /// query, a fragment, spaces or control characters.
    #[error("{setting} {path:?}: must start with /binancepay/openapi/ and carry no query")]
    InvalidPath {
        /// The setting, e.g. "certificates_new_path".
        setting: &'static str,
        /// The path, truncated to 64 characters.
        path: String,
    },
    /// A timeout or deadline of zero.
    #[error("{setting}: must be greater than zero")]
    ZeroDuration {
        /// The setting, e.g. "timeout".
        setting: &'static str,
    },
    /// `binancepay-http` refused a setting (base URL rules, User-Agent rules).
    #[error(transparent)]
    Request(binancepay_http::Error),
    /// reqwest could not build its client (e.g. no TLS backend could be initialised).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The blocking client's runtime could not start.
    #[error("cannot start the blocking client's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A `reqwest::Client` given to
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) follows redirects:
    /// it would resend the signed `BinancePay-*` headers to whatever host a redirect names.
    #[error(
        "http_client: the reqwest::Client follows redirects, which would resend signed headers \
         to another host; build it with .redirect(reqwest::redirect::Policy::none())"
    )]
    RedirectingHttpClient,
}

/// How an attempt ended without an HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made (DNS, TCP, TLS): the request was not sent.
    Connect,
    /// The per-attempt timeout (or the remaining total deadline) ran out: the request may have
    /// reached Binance.
    Timeout,
    /// The connection failed after the request may have been written, or the answer could not
    /// be read.
    Io,
    /// reqwest refused to build the request: it was not sent.
    Build,
}

impl TransportKind {
    /// What Binance may have done when an attempt ended this way.
    pub fn outcome(self) -> Outcome {
        match self {
            TransportKind::Connect | TransportKind::Build => Outcome::NotSent,
            TransportKind::Timeout | TransportKind::Io => Outcome::Unknown,
        }
    }

    /// How an attempt that reqwest failed ended, as this crate's calls classify it: for callers
    /// that send signed requests with their own `reqwest::Client`.
    ///
    /// A connect error is [`Connect`](Self::Connect) even when it was a connect timeout (the
    /// request never reached the server); then a refused build is [`Build`](Self::Build), any
    /// other timeout [`Timeout`](Self::Timeout), and everything else [`Io`](Self::Io).
    ///
    /// ```
    /// use binancepay_client::{Outcome, TransportKind};
    ///
    /// let refused = reqwest::Client::new().post("not a URL").build().unwrap_err();
    /// assert_eq!(TransportKind::classify(&refused), TransportKind::Build);
    /// assert_eq!(TransportKind::classify(&refused).outcome(), Outcome::NotSent);
    /// ```
    pub fn classify(error: &reqwest::Error) -> TransportKind {
        // A connect timeout is both: it never reached the server, so connect decides.
        if error.is_connect() {
            TransportKind::Connect
        } else if error.is_builder() {
            TransportKind::Build
        } else if error.is_timeout() {
            TransportKind::Timeout
        } else {
            TransportKind::Io
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "cannot connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Io => "connection failed",
            TransportKind::Build => "cannot build the HTTP request",
        })
    }
}

/// Everything a call can end with, other than its typed result.
///
/// Ask [`Error::outcome`] (or [`Error::outcome_unknown`]) before doing anything about money:
/// an unknown outcome means Binance may have acted, so look the object up (query the order,
/// the refund, the payout) instead of sending a new request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A client setting is unusable.
    #[error("client configuration: {0}")]
    Config(#[from] ConfigError),
    /// The request could not be built (validation, serialisation, clock, RNG): nothing was sent.
    #[error("{operation}: request not sent: {source}")]
    Request {
        /// The endpoint's operation name, e.g. `create_order_v3`.
        operation: &'static str,
        /// Why, with the field and the rule for validation errors.
        #[source]
        source: binancepay_http::Error,
    },
    /// Binance (or something in front of it) answered, and the answer is an error: a `FAIL`
    /// envelope, a system error, an HTML page, or a body that does not decode.
    #[error("{operation}: {source}{}", Attempts(*attempts, *earlier_outcome_unknown))]
    Response {
        /// The endpoint's operation name.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// Whether an earlier attempt ended with an unknown outcome (so this answer may be the
        /// consequence of that attempt, e.g. a duplicate key).
        earlier_outcome_unknown: bool,
        /// The decoded answer.
        #[source]
        source: binancepay_http::Error,
    },
    /// The last attempt got no usable HTTP answer.
    #[error("{operation}: {kind}{}: {source}", Attempts(*attempts, *earlier_outcome_unknown))]
    Transport {
        /// The endpoint's operation name.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// How the last attempt ended.
        kind: TransportKind,
        /// Whether an earlier attempt ended with an unknown outcome.
        earlier_outcome_unknown: bool,
        /// reqwest's error (never carries headers or bodies).
        #[source]
        source: reqwest::Error,
    },
    /// The answer was larger than the client accepts; it was not decoded.
    #[error("{operation}: HTTP {status}: response body larger than {limit} bytes{}", Attempts(*attempts, *earlier_outcome_unknown))]
    ResponseTooLarge {
        /// The endpoint's operation name.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// Whether an earlier attempt ended with an unknown outcome.
        earlier_outcome_unknown: bool,
        /// HTTP status of the answer.
        status: StatusCode,
        /// The configured limit.
        limit: usize,
    },
    /// A create-order retry was answered `400201` (duplicate `merchantTradeNo`) after an
    /// earlier attempt's outcome was unknown, and the order Binance holds under that number is
    /// not the one requested: the earlier attempt did not create it, something else did.
    #[error(
        "merchantTradeNo {merchant_trade_no:?} already names a different order: \
         requested {requested}, Binance holds {found}"
    )]
    OrderMismatch {
        /// The merchant trade number.
        merchant_trade_no: String,
        /// Amount and currency requested, e.g. "25.17 USDT".
        requested: String,
        /// Amount and currency of the order Binance holds.
        found: String,
    },
    /// A create-order retry was answered `400201` after an earlier attempt's outcome was
    /// unknown, and looking the order up failed: whether the order exists is still unknown.
    #[error(
        "merchantTradeNo {merchant_trade_no:?}: duplicate after an attempt with unknown outcome, \
         and the order could not be looked up: {source}"
    )]
    DuplicateUnresolved {
        /// The merchant trade number.
        merchant_trade_no: String,
        /// Why the lookup failed.
        #[source]
        source: Box<Error>,
    },
    /// The answer was a redirect (HTTP 3xx), or the HTTP client followed one: a signed request
    /// is only ever sent where it was signed for, so a redirect is not followed and not retried.
    #[error("{operation}: HTTP {status}: redirected{}{}; signed requests are not redirected", if *followed { " (followed by the HTTP client)" } else { "" }, Attempts(*attempts, *earlier_outcome_unknown))]
    Redirected {
        /// The endpoint's operation name.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// Whether an earlier attempt ended with an unknown outcome.
        earlier_outcome_unknown: bool,
        /// The status of the answer that was received.
        status: StatusCode,
        /// Whether the HTTP client had already followed the redirect (possible only with a
        /// caller-supplied client built before this check).
        followed: bool,
    },
    /// An attempt to an endpoint whose duplicate handling Binance does not document (payouts)
    /// ended with an unknown outcome. Such a request is never sent again once it may have
    /// reached Binance: the client looked the object up by the merchant's id ([`Lookup`],
    /// within the call's deadline) and reports what it saw.
    #[error("{operation}: not sent again after an attempt whose outcome was unknown: {key_field} {key:?} {lookup}{}", Attempts(*attempts, false))]
    NotResent {
        /// The endpoint's operation name, e.g. `create_payout`.
        operation: &'static str,
        /// The merchant's id field, e.g. `requestId`.
        key_field: &'static str,
        /// Its value.
        key: String,
        /// How many attempts of the call were made.
        attempts: u32,
        /// What looking the object up found.
        lookup: Lookup,
        /// The failure of the attempt whose outcome was unknown.
        #[source]
        source: Box<Error>,
    },
    /// The blocking client was called on a thread that runs an async runtime, where blocking
    /// would stall (or panic) the runtime; use the async [`Client`](crate::Client) there.
    #[error(
        "blocking client called from inside an async runtime; use binancepay_client::Client there"
    )]
    BlockingInAsyncContext,
}

/// What looking an object up by the merchant's id found, after an attempt whose outcome was
/// unknown ([`Error::NotResent`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Lookup {
    /// It exists: an attempt reached Binance. `status` is its state when it was looked up (a
    /// payout batch's `batchStatus`, e.g. `PROCESSING`); [`outcome`](Self::outcome) reads it.
    /// Query it again for its final state; never send it again.
    Exists {
        /// The state as Binance sent it.
        status: String,
    },
    /// It was not found `after` the attempt was sent. That does not prove the attempt did
    /// nothing: Binance may still be committing a slow attempt it accepted on arrival (a
    /// timeout is exactly when Binance is slow), and it documents no refusal of a repeated
    /// payout `requestId`. It is safe to send again with the same id only once it still does
    /// not exist well after the attempt (minutes, not seconds): query it (e.g.
    /// [`Payouts::query`](crate::Payouts::query) by `requestId`) and resend only if the answer
    /// is still "not found" (`400202`).
    Absent {
        /// How long after the attempt was sent it was looked up.
        after: std::time::Duration,
    },
    /// The lookup failed: whether it exists is still unknown.
    Failed(Box<Error>),
    /// The call's deadline ran out before the object could be looked up.
    NotLookedUp,
}

impl Lookup {
    /// What the attempt did at Binance, as far as the lookup tells: a payout batch `SUCCESS`
    /// or `PART_SUCCESS` (a transfer `SUCCESS`) paid: [`Outcome::Succeeded`]; `FAILED` or
    /// `CANCELED` (a transfer `FAILURE`) did not pay: [`Outcome::Rejected`]; `ACCEPTED` or
    /// `PROCESSING` (a transfer `PROCESS`) is pending, and absence or a failed lookup proves
    /// nothing: [`Outcome::Unknown`].
    pub fn outcome(&self) -> Outcome {
        match self {
            Lookup::Exists { status } => match status.as_str() {
                "SUCCESS" | "PART_SUCCESS" => Outcome::Succeeded,
                "FAILED" | "CANCELED" | "FAILURE" => Outcome::Rejected,
                _ => Outcome::Unknown,
            },
            _ => Outcome::Unknown,
        }
    }
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Exists { status } => {
                write!(f, "exists with status {status:?} (an attempt acted)")
            }
            Lookup::Absent { after } => write!(
                f,
                "was not found {} ms after the attempt (it may still appear: query it again \
                 well after the attempt before sending it again)",
                after.as_millis()
            ),
            Lookup::Failed(error) => write!(f, "could not be looked up ({error})"),
            Lookup::NotLookedUp => f.write_str("was not looked up (the call's deadline ran out)"),
        }
    }
}

/// Display suffix: how many attempts, and whether an earlier one is unaccounted for.
struct Attempts(u32, bool);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " (after {} attempts", self.0)?;
            if self.1 {
                f.write_str("; an earlier attempt's outcome is unknown")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl Error {
    /// What Binance did with the request.
    ///
    /// [`Outcome::Unknown`] when the last attempt timed out or broke after sending, when Binance
    /// answered with a code that does not say (`400000`, a 5xx page), and when a later attempt
    /// was refused after an earlier one ended unknown (the refusal may be caused by the earlier
    /// attempt, e.g. a duplicate key). [`Outcome::NotSent`] and [`Outcome::Rejected`] mean
    /// nothing happened; [`Outcome::Succeeded`] means it happened but the answer did not decode.
    /// For [`Error::NotResent`] the lookup decides ([`Lookup::outcome`]): the found object's
    /// status when it exists (a batch `SUCCESS` paid, `FAILED` did not, `PROCESSING` is still
    /// unknown); `Unknown` when it was not found, as a slow attempt may still act.
    pub fn outcome(&self) -> Outcome {
        let (outcome, earlier_unknown) = match self {
            Error::Config(_) | Error::Request { .. } | Error::BlockingInAsyncContext => {
                (Outcome::NotSent, false)
            }
            Error::Response {
                source,
                earlier_outcome_unknown,
                ..
            } => (source.outcome(), *earlier_outcome_unknown),
            Error::Transport {
                kind,
                earlier_outcome_unknown,
                ..
            } => (kind.outcome(), *earlier_outcome_unknown),
            Error::ResponseTooLarge {
                status,
                earlier_outcome_unknown,
                ..
            } => {
                let outcome = if status.is_client_error() {
                    Outcome::Rejected
                } else {
                    Outcome::Unknown
                };
                (outcome, *earlier_outcome_unknown)
            }
            Error::Redirected {
                earlier_outcome_unknown,
                ..
            } => (Outcome::Unknown, *earlier_outcome_unknown),
            Error::NotResent { lookup, .. } => (lookup.outcome(), false),
            Error::OrderMismatch { .. } => (Outcome::Rejected, false),
            Error::DuplicateUnresolved { .. } => (Outcome::Unknown, false),
        };
        match outcome {
            Outcome::NotSent | Outcome::Rejected if earlier_unknown => Outcome::Unknown,
            other => other,
        }
    }

    /// Whether Binance may or may not have acted: look the object up before resending.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }

    /// Whether trying again later (as a new call) can help: connection problems, timeouts,
    /// HTTP 5xx/429 and the retryable result codes. The client already retried as far as its
    /// [`RetryPolicy`](crate::RetryPolicy) and the endpoint's retry class allow.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Response { source, .. } => source.is_retryable(),
            Error::Transport { kind, .. } => *kind != TransportKind::Build,
            Error::ResponseTooLarge { status, .. } => status.is_server_error(),
            Error::DuplicateUnresolved { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The business result code of a `FAIL` answer, e.g. `400201`.
    pub fn result_code(&self) -> Option<&ResultCode> {
        match self {
            Error::Response { source, .. } => source.result_code(),
            _ => None,
        }
    }

    /// The HTTP status of the last answer, if there was one.
    pub fn http_status(&self) -> Option<StatusCode> {
        match self {
            Error::Response { source, .. } => source.http_status(),
            Error::Transport { source, .. } => source.status(),
            Error::ResponseTooLarge { status, .. } | Error::Redirected { status, .. } => {
                Some(*status)
            }
            Error::NotResent { source, .. } => source.http_status(),
            _ => None,
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Response { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. }
            | Error::Redirected { attempts, .. }
            | Error::NotResent { attempts, .. } => *attempts,
            Error::DuplicateUnresolved { source, .. } => source.attempts(),
            _ => 0,
        }
    }

    /// Whether an earlier attempt of this call ended with an unknown outcome.
    pub(crate) fn earlier_outcome_unknown(&self) -> bool {
        match self {
            Error::Response {
                earlier_outcome_unknown,
                ..
            }
            | Error::Transport {
                earlier_outcome_unknown,
                ..
            }
            | Error::ResponseTooLarge {
                earlier_outcome_unknown,
                ..
            } => *earlier_outcome_unknown,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, earlier_unknown: bool) -> Error {
        Error::Response {
            operation: "create_order_v3",
            attempts: if earlier_unknown { 2 } else { 1 },
            earlier_outcome_unknown: earlier_unknown,
            source: binancepay_http::Error::Api {
                status: StatusCode::BAD_REQUEST,
                code: ResultCode::from_code(code),
                message: Some("duplicate".to_owned()),
            },
        }
    }

    #[test]
    fn a_refusal_after_an_unknown_attempt_is_unknown() {
        assert_eq!(api("400201", false).outcome(), Outcome::Rejected);
        assert_eq!(api("400201", true).outcome(), Outcome::Unknown);
        assert!(api("400201", true).outcome_unknown());
        assert_eq!(
            api("400201", false).result_code().map(ResultCode::code),
            Some("400201")
        );
    }

    #[test]
    fn display_names_operation_and_attempts() {
        let text = api("400201", true).to_string();
        assert!(text.starts_with("create_order_v3: "), "{text}");
        assert!(text.contains("400201"), "{text}");
        assert!(
            text.ends_with("(after 2 attempts; an earlier attempt's outcome is unknown)"),
            "{text}"
        );
        assert!(!api("400201", false).to_string().contains("attempts"));
    }

    #[test]
    fn transport_kinds_say_whether_anything_was_sent() {
        assert_eq!(TransportKind::Connect.outcome(), Outcome::NotSent);
        assert_eq!(TransportKind::Build.outcome(), Outcome::NotSent);
        assert_eq!(TransportKind::Timeout.outcome(), Outcome::Unknown);
        assert_eq!(TransportKind::Io.outcome(), Outcome::Unknown);
    }

    #[test]
    fn mismatch_is_known_and_unresolved_is_not() {
        let mismatch = Error::OrderMismatch {
            merchant_trade_no: "A1".into(),
            requested: "1 USDT".into(),
            found: "2 USDT".into(),
        };
        assert_eq!(mismatch.outcome(), Outcome::Rejected);
        let unresolved = Error::DuplicateUnresolved {
            merchant_trade_no: "A1".into(),
            source: Box::new(api("400000", false)),
        };
        assert!(unresolved.outcome_unknown());
        assert!(unresolved.is_retryable());
    }
}
