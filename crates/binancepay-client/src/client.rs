//! [`Client`]: the one place requests are signed, sent, retried and decoded.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use binancepay_http::{Answer, RequestBuilder, parse_answer, parse_response, parse_response_raw};
use binancepay_types::payout::{CreatePayoutRequest, QueryPayoutRequest};
use binancepay_types::{Endpoint, ResultCode, RetryClass, endpoint_by_path};
use http::{Request, Response};
use tokio::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::builder::ClientBuilder;
use crate::clock::Clock;
use crate::error::{Error, Lookup, Outcome, TransportKind};
use crate::raw::RawResponse;
use crate::retry::{self, RetryPolicy};
use crate::transport::{self, Exchange, Outgoing};
use crate::webhook::{CertificateCache, WebhookHandler};

/// The shared state behind every clone of a [`Client`].
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) requests: RequestBuilder,
    pub(crate) clock: Clock,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) certificates: CertificateCache,
    /// Where the new platform certificates are fetched, when not the spec's path.
    pub(crate) certificates_new_path: Option<String>,
}

/// An async Binance Pay merchant API client.
///
/// Cheap to clone (one `Arc`), `Send + Sync`, and every clone shares one connection pool and
/// one webhook certificate cache: build it once and pass it around. Calls are grouped by area
/// ([`orders`](Self::orders), [`refunds`](Self::refunds), …); all of them go through
/// [`execute`](Self::execute), which signs the request body once, re-signs every retry over
/// the same bytes with a fresh timestamp and nonce, and retries only as the endpoint's
/// [`RetryClass`] allows (see the crate docs for the table).
///
/// `Debug` shows neither the API secret nor the API key.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.requests.base_url())
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// How one attempt failed, before it becomes an [`Error`].
enum Failure {
    Response(binancepay_http::Error),
    Transport(reqwest::Error, TransportKind),
    TooLarge(http::StatusCode),
    /// A 3xx, or an answer from elsewhere (`true`: the HTTP client followed a redirect).
    Redirected(http::StatusCode, bool),
    /// An attempt with an unknown outcome was looked up instead of being resent.
    NotResent {
        key_field: &'static str,
        key: String,
        lookup: Lookup,
        attempt: Box<Failure>,
    },
}

impl Failure {
    fn outcome(&self) -> Outcome {
        match self {
            Failure::Response(e) => e.outcome(),
            Failure::Transport(_, kind) => kind.outcome(),
            Failure::TooLarge(status) if status.is_client_error() => Outcome::Rejected,
            Failure::TooLarge(_) | Failure::Redirected(..) => Outcome::Unknown,
            Failure::NotResent { lookup, .. } => lookup.outcome(),
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            Failure::Response(e) => e.is_retryable(),
            Failure::Transport(_, kind) => *kind != TransportKind::Build,
            Failure::TooLarge(status) => status.is_server_error(),
            Failure::Redirected(..) | Failure::NotResent { .. } => false,
        }
    }

    fn into_error(self, operation: &'static str, attempts: u32, earlier_unknown: bool) -> Error {
        match self {
            Failure::Response(source) => Error::Response {
                operation,
                attempts,
                earlier_outcome_unknown: earlier_unknown,
                source,
            },
            Failure::Transport(source, kind) => Error::Transport {
                operation,
                attempts,
                kind,
                earlier_outcome_unknown: earlier_unknown,
                source,
            },
            Failure::TooLarge(status) => Error::ResponseTooLarge {
                operation,
                attempts,
                earlier_outcome_unknown: earlier_unknown,
                status,
                limit: 0,
            },
            Failure::Redirected(status, followed) => Error::Redirected {
                operation,
                attempts,
                earlier_outcome_unknown: earlier_unknown,
                status,
                followed,
            },
            Failure::NotResent {
                key_field,
                key,
                lookup,
                attempt,
            } => Error::NotResent {
                operation,
                key_field,
                key,
                attempts,
                lookup,
                source: Box::new(attempt.into_error(operation, attempts, earlier_unknown)),
            },
        }
    }

    /// A short label for logs: never a body, never a header value.
    fn label(&self) -> String {
        match self {
            Failure::Response(e) => match e.result_code() {
                Some(code) => format!("FAIL {}", code.code()),
                None => "error response".to_owned(),
            },
            Failure::Transport(_, kind) => kind.to_string(),
            Failure::TooLarge(_) => "response too large".to_owned(),
            Failure::Redirected(status, _) => format!("redirected (HTTP {})", status.as_u16()),
            Failure::NotResent { lookup, .. } => {
                format!("not resent: lookup {}", lookup_label(lookup))
            }
        }
    }
}

/// How a call's attempts ended.
struct Ended<T> {
    attempts: u32,
    earlier_unknown: bool,
    end: End<T>,
}

enum End<T> {
    /// The last attempt's answer decoded; the answer is kept for raw calls.
    Parsed(T, Response<Vec<u8>>),
    /// The last attempt failed; with its answer when there was one.
    Failed(Failure, Option<Response<Vec<u8>>>),
}

/// The value of an idempotency key field in a raw body, if it is a string.
fn idempotency_key(body: &[u8], field: &str) -> Option<String> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).ok()?;
    match object.get(field) {
        Some(serde_json::Value::String(key)) => Some(key.clone()),
        _ => None,
    }
}

/// How long after an attempt was sent the client waits before looking it up: Binance refuses a
/// request whose timestamp is more than about 1 s old, so after this no copy of the attempt
/// still on its way can act. An attempt Binance accepted on arrival and is still committing can
/// appear later, which is why a payout is never resent on the strength of this lookup.
const LOOKUP_AFTER: Duration = Duration::from_secs(2);

/// For an endpoint whose duplicate handling Binance does not document, how to learn whether an
/// attempt with an unknown outcome acted: the object is looked up by the merchant's id.
#[derive(Debug, Clone)]
struct Probe {
    kind: ProbeKind,
    key_field: &'static str,
    key: String,
}

#[derive(Debug, Clone, Copy)]
enum ProbeKind {
    /// `payout/transfer`: the batch, by `requestId` (`payout/query`). Wallet transfers need
    /// no probe: Binance answers a repeated `requestId` with the first transfer
    /// (`REPEAT_REQ_SUCCESS`), so they are resent like any idempotent request.
    Payout,
}

impl Probe {
    /// The probe for `operation` carrying the merchant's id `key`, if the endpoint needs one.
    fn new(operation: &str, key: Option<&str>) -> Option<Probe> {
        let key = key.filter(|key| !key.is_empty())?;
        let kind = if operation == CreatePayoutRequest::OPERATION {
            ProbeKind::Payout
        } else {
            return None;
        };
        Some(Probe {
            kind,
            key_field: "requestId",
            key: key.to_owned(),
        })
    }
}

impl Client {
    /// A builder with production defaults; set the credentials with
    /// [`ClientBuilder::credentials`].
    ///
    /// ```
    /// let client = binancepay_client::Client::builder()
    ///     .credentials("abc123", "secret")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://bpay.binanceapi.com");
    /// # Ok::<(), binancepay_client::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `BINANCEPAY_API_KEY`, `BINANCEPAY_API_SECRET` and the optional
    /// `BINANCEPAY_BASE_URL`, with default settings otherwise.
    ///
    /// ```no_run
    /// let client = binancepay_client::Client::from_env()?;
    /// # Ok::<(), binancepay_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::MissingEnvVar`](crate::ConfigError::MissingEnvVar) naming the missing
    /// variable, and every error of [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Client {
        Client { inner }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.requests.base_url()
    }

    /// Sends one typed request and returns its typed `data`.
    ///
    /// Validates the request (nothing is sent if a rule is broken), serialises it once, signs
    /// those bytes, and retries per the endpoint's [`RetryClass`] and the client's
    /// [`RetryPolicy`] within the deadline, re-signing the same bytes each time.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), binancepay_client::Error> {
    /// use binancepay_types::order::QueryOrderV2Request;
    ///
    /// let client = binancepay_client::Client::from_env()?;
    /// let order = client
    ///     .execute(&QueryOrderV2Request::new().with_merchant_trade_no("9825382937292"))
    ///     .await?;
    /// println!("{:?}", order.status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Request`] when nothing was sent, [`Error::Response`] for an error answer,
    /// [`Error::Transport`] when the last attempt got none, [`Error::ResponseTooLarge`]. Check
    /// [`Error::outcome_unknown`] before sending anything again.
    pub async fn execute<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        self.execute_answer(request).await.map(|answer| answer.data)
    }

    /// Like [`execute`](Self::execute), and also tells whether the answer is Binance's replay
    /// of an earlier request with the same id ([`Answer::is_replay`]).
    ///
    /// A wallet transfer (`transfer_fund`) is resent with the same bytes after an attempt
    /// whose outcome was unknown; Binance answers a repeated `requestId` with
    /// `REPEAT_REQ_SUCCESS` and the first transfer, so the transfer happened once either way,
    /// and `is_replay` says whether this call's answer is that replay.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), binancepay_client::Error> {
    /// use binancepay_types::wallet::TransferFundRequest;
    ///
    /// let client = binancepay_client::Client::from_env()?;
    /// let transfer: TransferFundRequest = serde_json::from_str(
    ///     r#"{"requestId":"T-1","currency":"USDT","amount":"1.5","transferType":"TO_MAIN"}"#,
    /// ).expect("a valid transfer");
    /// let answer = client.execute_answer(&transfer).await?;
    /// println!("tranId {} (replayed: {})", answer.data.tran_id, answer.is_replay());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn execute_answer<E: Endpoint>(
        &self,
        request: &E,
    ) -> Result<Answer<E::Response>, Error> {
        let built = self
            .inner
            .clock
            .stamp()
            .and_then(|(timestamp, nonce)| self.inner.requests.build(request, timestamp, &nonce))
            .map_err(|source| Error::Request {
                operation: E::OPERATION,
                source,
            })?;
        let class = RetryPolicy::effective_class(E::RETRY, request.idempotency_key());
        let probe = Probe::new(E::OPERATION, request.idempotency_key());
        let ended = self
            .call(
                E::OPERATION,
                Some(class),
                probe.as_ref(),
                built,
                parse_answer::<E, _>,
            )
            .await;
        match ended.end {
            End::Parsed(value, _) => Ok(value),
            End::Failed(failure, _) => {
                Err(self.error(E::OPERATION, failure, ended.attempts, ended.earlier_unknown))
            }
        }
    }

    /// [`execute`](Self::execute) at another path than `E::PATH` (a path the builder was told
    /// to use instead of an unconfirmed one), with `E`'s validation, retry class and parsing.
    pub(crate) async fn execute_at<E: Endpoint>(
        &self,
        request: &E,
        path: &str,
    ) -> Result<E::Response, Error> {
        let request_error = |source| Error::Request {
            operation: E::OPERATION,
            source,
        };
        request
            .validate()
            .map_err(|e| request_error(binancepay_http::Error::from(e)))?;
        let mut body = Vec::new();
        request.write_body(&mut body).map_err(|e| {
            request_error(binancepay_http::Error::Serialize {
                operation: E::OPERATION,
                message: e.to_string(),
            })
        })?;
        let built = self
            .inner
            .clock
            .stamp()
            .and_then(|(timestamp, nonce)| {
                self.inner.requests.build_raw(path, body, timestamp, &nonce)
            })
            .map_err(request_error)?;
        let class = RetryPolicy::effective_class(E::RETRY, request.idempotency_key());
        let probe = Probe::new(E::OPERATION, request.idempotency_key());
        let ended = self
            .call(
                E::OPERATION,
                Some(class),
                probe.as_ref(),
                built,
                parse_response::<E, _>,
            )
            .await;
        match ended.end {
            End::Parsed(value, _) => Ok(value),
            End::Failed(failure, _) => {
                Err(self.error(E::OPERATION, failure, ended.attempts, ended.earlier_unknown))
            }
        }
    }

    /// The new platform certificates, from the spec's path or the one
    /// [`ClientBuilder::certificates_new_path`] set.
    pub(crate) async fn fetch_certificates_new(
        &self,
    ) -> Result<Vec<binancepay_types::certificate::Certificate>, Error> {
        let request = binancepay_types::certificate::QueryCertificatesNewRequest::new();
        self.certificates().query_new(&request).await
    }

    /// The escape hatch: `POST`s `body` to `path` and returns the `data` of the answer as
    /// JSON, for endpoints this version does not model.
    ///
    /// `path` must start with `/binancepay/openapi/`. When it is a known endpoint's path, that
    /// endpoint's retry class applies (an idempotent one only when `body` carries its key);
    /// any other path is sent once. See [`send_raw`](Self::send_raw) for the answer as
    /// received.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), binancepay_client::Error> {
    /// let client = binancepay_client::Client::from_env()?;
    /// let data = client
    ///     .execute_raw("/binancepay/openapi/v2/order/query", &serde_json::json!({"merchantTradeNo": "A1"}))
    ///     .await?;
    /// println!("{}", data["status"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Request`] for a path or body `binancepay-http` refuses, then as
    /// [`execute`](Self::execute).
    pub async fn execute_raw(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let operation = endpoint_by_path(path).map_or("raw", |e| e.operation);
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Request {
            operation,
            source: binancepay_http::Error::Serialize {
                operation,
                message: e.to_string(),
            },
        })?;
        self.send_raw(path, bytes).await?.into_data()
    }

    /// `POST`s `body` byte for byte to `path` and returns the answer exactly as received, with
    /// the retries the endpoint allows: the one path every call takes, for callers that must
    /// see the envelope itself (a command-line tool printing it, a proxy).
    ///
    /// `path` must start with `/binancepay/openapi/` and `body` must be one JSON object; the
    /// bytes are signed and sent as given, and re-signed unchanged for each retry. A known
    /// endpoint's [`RetryClass`] applies (an idempotent one only when `body` carries its key as a
    /// non-empty string); a path this version does not know is **sent once**, since what a
    /// resend would do is unknown. Whether an attempt is retried is judged from its envelope,
    /// exactly as for [`execute`](Self::execute).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), binancepay_client::Error> {
    /// let client = binancepay_client::Client::from_env()?;
    /// let answer = client
    ///     .send_raw("/binancepay/openapi/v2/order/query", br#"{"merchantTradeNo":"A1"}"#.to_vec())
    ///     .await?;
    /// println!("HTTP {}: {}", answer.status(), String::from_utf8_lossy(answer.body()));
    /// if answer.outcome_unknown() {
    ///     eprintln!("Binance may have acted: query before sending again");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `Ok` whenever the last attempt was answered, whatever the envelope says (see
    /// [`RawResponse::data`]). [`Error::Request`] when nothing was sent (a path or body
    /// `binancepay-http` refuses, the clock, the RNG); [`Error::Transport`] when the last
    /// attempt got no answer; [`Error::ResponseTooLarge`].
    pub async fn send_raw(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
    ) -> Result<RawResponse, Error> {
        let body = body.into();
        let known = endpoint_by_path(path);
        let operation = known.map_or("raw", |e| e.operation);
        let key = known.and_then(|info| match info.retry {
            RetryClass::Idempotent { key_field } => idempotency_key(&body, key_field),
            _ => None,
        });
        let class = known.map(|info| RetryPolicy::effective_class(info.retry, key.as_deref()));
        let probe = Probe::new(operation, key.as_deref());
        let built = self
            .inner
            .clock
            .stamp()
            .and_then(|(timestamp, nonce)| {
                self.inner.requests.build_raw(path, body, timestamp, &nonce)
            })
            .map_err(|source| Error::Request { operation, source })?;
        let ended = self
            .call(operation, class, probe.as_ref(), built, parse_response_raw)
            .await;
        let Ended {
            attempts,
            earlier_unknown,
            end,
        } = ended;
        let (response, data) = match end {
            End::Parsed(data, response) => (response, Ok(data)),
            End::Failed(Failure::Response(error), Some(response)) => (response, Err(error)),
            End::Failed(failure, _) => {
                return Err(self.error(operation, failure, attempts, earlier_unknown));
            }
        };
        Ok(RawResponse {
            operation,
            response,
            data,
            attempts,
            earlier_outcome_unknown: earlier_unknown,
        })
    }

    /// The webhook handler, sharing this client's certificate cache (clone it freely, e.g.
    /// into a web framework's state).
    ///
    /// ```
    /// let client = binancepay_client::Client::builder().credentials("abc123", "secret").build()?;
    /// let webhooks = client.webhooks();
    /// // Nothing is fetched until the first notification (or refresh_certificates()).
    /// assert!(webhooks.cached_serials().is_empty());
    /// # Ok::<(), binancepay_client::Error>(())
    /// ```
    pub fn webhooks(&self) -> WebhookHandler {
        WebhookHandler::new(self.clone())
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The error a call ends with, after its last attempt failed.
    fn error(
        &self,
        operation: &'static str,
        failure: Failure,
        attempts: u32,
        earlier_unknown: bool,
    ) -> Error {
        let mut error = failure.into_error(operation, attempts, earlier_unknown);
        if let Error::ResponseTooLarge { limit, .. } = &mut error {
            *limit = self.inner.max_response_bytes;
        }
        error
    }

    /// The retry loop shared by every call, typed or raw. `class` is the endpoint's retry
    /// class, or `None` for a path this version does not know: sent once.
    async fn call<T, P>(
        &self,
        operation: &'static str,
        class: Option<RetryClass>,
        probe: Option<&Probe>,
        request: Request<Vec<u8>>,
        parse: P,
    ) -> Ended<T>
    where
        P: Fn(&Response<Vec<u8>>) -> Result<T, binancepay_http::Error>,
    {
        let span = tracing::info_span!(
            "binancepay.call",
            operation,
            retry_class = class.map_or("unknown path, sent once", RetryClass::as_str),
            attempts = Empty,
            outcome = Empty,
        );
        let started = Instant::now();
        let ended = self
            .call_in_span(class, probe, request, parse)
            .instrument(span)
            .await;
        let outcome = match &ended.end {
            End::Parsed(..) => "succeeded",
            End::Failed(failure, _) => match failure.outcome() {
                Outcome::NotSent | Outcome::Rejected if ended.earlier_unknown => "unknown",
                Outcome::NotSent => "not_sent",
                Outcome::Rejected => "rejected",
                Outcome::Succeeded => "unusable",
                _ => "unknown",
            },
        };
        crate::metrics::call_ended(
            class.map_or("unknown_path", |_| operation),
            outcome,
            ended.attempts,
            started.elapsed(),
        );
        ended
    }

    async fn call_in_span<T, P>(
        &self,
        class: Option<RetryClass>,
        probe: Option<&Probe>,
        request: Request<Vec<u8>>,
        parse: P,
    ) -> Ended<T>
    where
        P: Fn(&Response<Vec<u8>>) -> Result<T, binancepay_http::Error>,
    {
        let inner = &*self.inner;
        // URL parsed and body bytes handed over once; attempts only change the headers.
        let mut request = Outgoing::new(request);
        let started = Instant::now();
        // The builder clamps the deadline; an instant that still cannot hold it means none.
        let deadline = inner.deadline.and_then(|d| started.checked_add(d));
        let mut attempt: u32 = 0;
        let mut earlier_unknown = false;
        loop {
            attempt += 1;
            if attempt > 1 {
                // A retry is a new signature over the same bytes: Binance refuses stale
                // timestamps, and a reused nonce looks like a replay.
                let resigned = inner.clock.stamp().and_then(|(timestamp, nonce)| {
                    request.resign(&inner.requests, timestamp, &nonce)
                });
                if let Err(source) = resigned {
                    // Attempts were made, so report them rather than "not sent".
                    return Ended {
                        attempts: attempt - 1,
                        earlier_unknown,
                        end: End::Failed(Failure::Response(source), None),
                    };
                }
            }
            let timeout = match deadline {
                Some(deadline) => inner
                    .timeout
                    .min(deadline.saturating_duration_since(Instant::now())),
                None => inner.timeout,
            };
            let attempt_span = tracing::debug_span!(
                "binancepay.attempt",
                attempt,
                status = Empty,
                result_code = Empty,
                latency_ms = Empty,
            );
            let sent_at = Instant::now();
            let exchange =
                transport::send(&inner.http, &request, timeout, inner.max_response_bytes)
                    .instrument(attempt_span.clone())
                    .await;
            let latency_ms = u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX);
            attempt_span.record("latency_ms", latency_ms);
            let (failure, retry_after, response) = match exchange {
                Exchange::Answer(response) => {
                    attempt_span.record("status", response.status().as_u16());
                    match parse(&response) {
                        Ok(value) => {
                            attempt_span.record("result_code", "000000");
                            tracing::debug!(parent: &attempt_span, "binancepay attempt succeeded");
                            record_end(attempt, "succeeded");
                            return Ended {
                                attempts: attempt,
                                earlier_unknown,
                                end: End::Parsed(value, response),
                            };
                        }
                        Err(error) => {
                            if let Some(code) = error.result_code() {
                                attempt_span.record("result_code", code.code());
                            }
                            let retry_after = RetryPolicy::retry_after(response.headers());
                            (Failure::Response(error), retry_after, Some(response))
                        }
                    }
                }
                Exchange::TooLarge(status) => {
                    attempt_span.record("status", status.as_u16());
                    (Failure::TooLarge(status), None, None)
                }
                Exchange::Redirected { status, followed } => {
                    attempt_span.record("status", status.as_u16());
                    (Failure::Redirected(status, followed), None, None)
                }
                Exchange::Failed(error) => {
                    let kind = TransportKind::classify(&error);
                    (Failure::Transport(error, kind), None, None)
                }
            };
            let outcome = failure.outcome();
            let label = failure.label();
            tracing::debug!(parent: &attempt_span, failure = %label, outcome = ?outcome, "binancepay attempt failed");

            let wait = self.next_wait(attempt, retry_after);
            // After an unknown outcome a resend must have a whole attempt's time ahead of it;
            // otherwise it would only add another unknown attempt.
            let needed = if outcome == Outcome::Unknown {
                wait.saturating_add(inner.timeout)
            } else {
                wait
            };
            let retry = failure.is_retryable()
                && class.is_some_and(|class| RetryPolicy::permits(class, outcome))
                && attempt < inner.retry.max_attempts()
                && deadline.is_none_or(|d| {
                    Instant::now()
                        .checked_add(needed)
                        .is_some_and(|then| then <= d)
                });
            // Binance documents no refusal of a repeated id here: once an attempt may have
            // reached it, the request is never sent again; the object is looked up instead.
            if let (Outcome::Unknown, Some(probe)) = (outcome, probe) {
                let lookup = self.look_up_after(probe, sent_at, deadline).await;
                tracing::info!(failure = %label, lookup = lookup_label(&lookup), attempt, "binancepay attempt with unknown outcome looked up");
                let failure = Failure::NotResent {
                    key_field: probe.key_field,
                    key: probe.key.clone(),
                    lookup,
                    attempt: Box::new(failure),
                };
                record_end(attempt, outcome_label(failure.outcome(), false));
                tracing::info!(failure = %failure.label(), attempts = attempt, "binancepay call failed");
                return Ended {
                    attempts: attempt,
                    earlier_unknown,
                    end: End::Failed(failure, response),
                };
            }
            if !retry {
                record_end(attempt, outcome_label(outcome, earlier_unknown));
                tracing::info!(failure = %label, attempts = attempt, "binancepay call failed");
                return Ended {
                    attempts: attempt,
                    earlier_unknown,
                    end: End::Failed(failure, response),
                };
            }
            // Queries act on nothing, so an unknown attempt there taints nothing.
            if class != Some(RetryClass::Query) && outcome == Outcome::Unknown {
                earlier_unknown = true;
            }
            tracing::info!(
                failure = %label,
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "binancepay attempt failed, retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Looks the object a probe names up, once [`LOOKUP_AFTER`] has passed since the attempt
    /// was sent, all within the call's deadline.
    async fn look_up_after(
        &self,
        probe: &Probe,
        sent_at: Instant,
        deadline: Option<Instant>,
    ) -> Lookup {
        let settle = LOOKUP_AFTER.saturating_sub(sent_at.elapsed());
        let left = |d: Instant| d.saturating_duration_since(Instant::now());
        if deadline.is_some_and(|d| left(d) <= settle) {
            return Lookup::NotLookedUp;
        }
        tokio::time::sleep(settle).await;
        match deadline {
            None => self.look_up(probe, sent_at).await,
            Some(d) => tokio::time::timeout(left(d), self.look_up(probe, sent_at))
                .await
                .unwrap_or(Lookup::NotLookedUp),
        }
    }

    /// Whether the object a probe names exists, by the merchant's id, and its status. Boxed: it
    /// is a call itself, made from inside the call loop.
    fn look_up<'a>(
        &'a self,
        probe: &'a Probe,
        sent_at: Instant,
    ) -> Pin<Box<dyn Future<Output = Lookup> + Send + 'a>> {
        Box::pin(async move {
            let found = match probe.kind {
                ProbeKind::Payout => self
                    .execute(&QueryPayoutRequest::new(probe.key.as_str()))
                    .await
                    .map(|batch| batch.batch_status.as_str().to_owned()),
            };
            match found {
                Ok(status) => Lookup::Exists { status },
                // Only an explicit "not found" says it is absent (for now); anything else
                // leaves it unknown.
                Err(error)
                    if error.result_code() == Some(&ResultCode::OrderNotFound)
                        && !error.outcome_unknown() =>
                {
                    Lookup::Absent {
                        after: sent_at.elapsed(),
                    }
                }
                Err(error) => Lookup::Failed(Box::new(error)),
            }
        })
    }

    fn next_wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        self.inner
            .retry
            .wait(attempt, retry::random_u64(), retry_after)
    }
}

/// A label for logs: a failed lookup's error may quote the answer (receivers' personal data).
fn lookup_label(lookup: &Lookup) -> &'static str {
    match lookup {
        Lookup::Exists { .. } => "found it",
        Lookup::Absent { .. } => "did not find it",
        Lookup::Failed(_) => "failed",
        _ => "was not made in time",
    }
}

fn record_end(attempts: u32, outcome: &'static str) {
    let span = tracing::Span::current();
    span.record("attempts", attempts);
    span.record("outcome", outcome);
}

fn outcome_label(outcome: Outcome, earlier_unknown: bool) -> &'static str {
    match outcome {
        Outcome::NotSent | Outcome::Rejected if earlier_unknown => "unknown",
        Outcome::NotSent => "not sent",
        Outcome::Rejected => "rejected",
        Outcome::Succeeded => "succeeded, no usable answer",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}

    #[test]
    fn client_is_send_sync_and_clone() {
        assert_send_sync_clone::<Client>();
    }
}
