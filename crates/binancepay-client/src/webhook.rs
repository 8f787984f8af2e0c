//! Incoming webhooks: verification with cached certificates, fetched through the client on
//! first use and refreshed (once, shared, rate-limited) when a serial is unknown; and acting
//! once per notification through a [`DedupStore`] shared by every replica.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use binancepay_http::webhook::{
    CertificateError, CertificateStore, WebhookError, WebhookHeaders, WebhookVerifier,
    webhook_reply,
};
use binancepay_types::certificate::{Certificate, QueryCertificatesRequest};
use binancepay_types::webhook::{Notification, WebhookParseError, WebhookReply};
use http::{HeaderMap, Response, StatusCode};
use tokio::sync::{Mutex, oneshot};
use tokio::time::Instant;

use crate::client::Client;
use crate::dedup::{Claim, DedupStore, DedupStoreError, MemoryDedupStore};
use crate::error::Error;

/// How long a claim on a notification lasts unless renewed (it is renewed every third of it
/// while the merchant's code runs): what a crashed replica costs before another one acts.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// How long a notification stays marked done: twice Binance's retry horizon (6 retries over
/// about a day).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(48 * 3600);
/// How long one store operation may take before the store counts as unavailable.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the handler keeps trying to record an action the store missed.
const RECORD_FOR: Duration = Duration::from_secs(3600);

/// Why a webhook was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookHandlerError {
    /// The notification failed verification (headers, signature, freshness, body): answer
    /// with [`status`](Self::status) and do not act on it.
    #[error("webhook refused: {0}")]
    Rejected(#[from] WebhookError),
    /// The certificates could not be fetched, so nothing could be verified: answer
    /// [`StatusCode::SERVICE_UNAVAILABLE`] so that Binance delivers it again later.
    #[error("webhook not verified: cannot fetch the certificates: {0}")]
    Certificates(#[source] Box<Error>),
    /// The certificates endpoint answered with a key that does not parse.
    #[error("webhook not verified: the certificates answer is unusable: {0}")]
    InvalidCertificates(#[source] CertificateError),
    /// The system clock cannot produce a timestamp to check freshness against.
    #[error("webhook not verified: system clock unusable: {0}")]
    Clock(#[source] binancepay_sign::Error),
    /// No certificate was ever loaded (the last fetch failed and the next one is not due yet),
    /// so nothing could be verified: answer [`StatusCode::SERVICE_UNAVAILABLE`] so that
    /// Binance delivers it again later.
    #[error("webhook not verified: no certificate loaded yet; the last fetch failed")]
    CertificatesNotLoaded,
}

impl WebhookHandlerError {
    /// The HTTP status to answer with: 400 for a malformed or oversized notification, 401 for
    /// one that is not authentic (or stale), 503 when we could not check (Binance retries).
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookHandlerError::Rejected(error) => match error {
                WebhookError::MissingHeader { .. }
                | WebhookError::DuplicateHeader { .. }
                | WebhookError::NonUtf8Header { .. }
                | WebhookError::InvalidTimestamp(_)
                | WebhookError::Parse(_) => StatusCode::BAD_REQUEST,
                WebhookError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNAUTHORIZED,
            },
            WebhookHandlerError::Certificates(_)
            | WebhookHandlerError::InvalidCertificates(_)
            | WebhookHandlerError::Clock(_)
            | WebhookHandlerError::CertificatesNotLoaded => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The HTTP answer: [`status`](Self::status) with a `{"returnCode":"FAIL",…}` body that
    /// names the reason class only (never key material or the body).
    pub fn response(&self) -> Response<Vec<u8>> {
        let reason = match self.status() {
            StatusCode::SERVICE_UNAVAILABLE => "verification unavailable",
            StatusCode::UNAUTHORIZED => "not authentic",
            _ => "malformed notification",
        };
        fail_reply(self.status(), reason)
    }
}

/// A `{"returnCode":"FAIL",…}` answer with `status`.
fn fail_reply(status: StatusCode, reason: &str) -> Response<Vec<u8>> {
    let mut response = Response::new(WebhookReply::fail(reason).to_json());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// What a refusal was, for logs: the class only, never a value from the headers or the body
/// (serde's messages quote the body, which carries personal data).
fn refusal_kind(error: &WebhookError) -> &'static str {
    match error {
        WebhookError::MissingHeader { .. } => "missing header",
        WebhookError::DuplicateHeader { .. } => "duplicate header",
        WebhookError::NonUtf8Header { .. } => "header not UTF-8",
        WebhookError::BodyTooLarge { .. } => "body too large",
        WebhookError::InvalidTimestamp(_) => "invalid timestamp",
        WebhookError::UnknownCertificate { .. } => "unknown certificate serial",
        WebhookError::InvalidSignature(_) => "invalid signature",
        WebhookError::UnknownNewCertificate { .. } => "unknown new certificate serial",
        WebhookError::InvalidNewSignature(_) => "invalid BinancePay-Signature-New",
        WebhookError::Stale { .. } => "stale timestamp",
        WebhookError::Parse(WebhookParseError::Envelope(error)) => match error.classify() {
            serde_json::error::Category::Syntax => "body is not JSON",
            serde_json::error::Category::Eof => "body is truncated JSON",
            serde_json::error::Category::Data => "body is not a notification envelope",
            serde_json::error::Category::Io => "body unreadable",
        },
        WebhookError::Parse(WebhookParseError::MissingField(_)) => "body lacks a required field",
        WebhookError::Parse(WebhookParseError::Data { .. }) => "data does not decode",
        _ => "refused",
    }
}

/// A notification whose signature verified, with the reply Binance expects.
#[derive(Debug, Clone)]
pub struct VerifiedWebhook {
    notification: Notification,
    reply: WebhookReply,
}

impl VerifiedWebhook {
    pub(crate) fn new(notification: Notification, reply: WebhookReply) -> Self {
        VerifiedWebhook {
            notification,
            reply,
        }
    }

    /// The typed notification.
    pub fn notification(&self) -> &Notification {
        &self.notification
    }

    /// The typed notification, by value.
    pub fn into_notification(self) -> Notification {
        self.notification
    }

    /// The reply body: `{"returnCode":"SUCCESS","returnMessage":null}`.
    pub fn reply_body(&self) -> Vec<u8> {
        self.reply.to_json()
    }

    /// The full HTTP answer: 200, `Content-Type: application/json`, [`reply_body`](Self::reply_body).
    pub fn reply(&self) -> Response<Vec<u8>> {
        webhook_reply(&self.reply)
    }
}

/// Verifies webhooks against Binance's certificates, fetched through the [`Client`].
///
/// Get one with [`Client::webhooks`]; every handler of one client (and its clones) shares one
/// certificate cache. Certificates are fetched on first use and kept by serial. A webhook
/// naming an unknown serial triggers one refresh; concurrent webhooks wait for the same fetch
/// instead of starting their own, and refreshes are at least
/// [`certificate_refresh_interval`](crate::ClientBuilder::certificate_refresh_interval) apart
/// so that forged serials cannot make the client hammer the API.
///
/// # Binance's new platform certificate
///
/// A webhook may carry the old pair (`BinancePay-Certificate-SN`, `BinancePay-Signature`), the
/// `-New` pair (`BinancePay-Certificate-SN-New`, `BinancePay-Signature-New`), or both. The cache
/// keeps two lists, each by serial: the certificates endpoint's for the old pair, the new
/// certificates endpoint's (`Certificates::query_new`) for the `-New` pair, each fetched the
/// first time a webhook needs it and again (single-flight, rate-limited per list) when a webhook
/// names a serial it does not hold. A key is only taken from its own pair's list as served; a
/// serial still unknown after the allowed refresh is refused (401). The policy (the
/// `binancepay_http::webhook` module docs):
///
/// * only the old pair (today): verified as always;
/// * both pairs: each verifies against its list; when the new list cannot be fetched (an error,
///   or not due yet and never loaded), a valid old pair is accepted alone and a warning is
///   logged (no header values, no keys); a list that was fetched, lacks the serial and still
///   lacks it after the allowed refresh refuses (401);
/// * only the `-New` pair (once Binance retires the old certificate): it must verify; 503 when
///   its list cannot be fetched, so that Binance delivers it again.
///
/// Hand it the **raw** body bytes, exactly as received.
///
/// ```no_run
/// # async fn run(headers: http::HeaderMap, body: Vec<u8>) {
/// let client = binancepay_client::Client::from_env().unwrap();
/// let webhooks = client.webhooks();
/// match webhooks.handle(&headers, &body).await {
///     Ok(verified) => {
///         println!("{}", verified.notification().dedup_key());
///         let _answer = verified.reply(); // 200 {"returnCode":"SUCCESS","returnMessage":null}
///     }
///     Err(refused) => {
///         let _answer = refused.response(); // 400 / 401 / 503
///     }
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct WebhookHandler {
    client: Client,
    store: Arc<dyn DedupStore>,
    lease: Duration,
    retention: Duration,
    store_timeout: Duration,
    /// Told of every notification acted on or found done (the reconciler stops polling it).
    settled: Option<crate::reconcile::SettledHook>,
}

impl fmt::Debug for WebhookHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = &self.client.inner().certificates;
        let snapshot = cache.snapshot();
        f.debug_struct("WebhookHandler")
            .field("certificates_loaded", &snapshot.old_known)
            .field(
                "new_certificates_loaded",
                &snapshot.verifier.new_store().is_some(),
            )
            .field("refresh_interval", &cache.min_interval)
            .field("store", &self.store)
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .finish()
    }
}

impl WebhookHandler {
    pub(crate) fn new(client: Client) -> Self {
        let store = client.inner().certificates.default_store();
        WebhookHandler {
            client,
            store,
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            settled: None,
        }
    }

    /// Deduplicates [`process`](Self::process) through `store` instead of the client's
    /// in-memory one: a `RedisDedupStore` (feature `redis`) shared by
    /// every replica, or an implementation of your own.
    #[must_use]
    pub fn with_dedup_store(mut self, store: Arc<dyn DedupStore>) -> Self {
        self.store = store;
        self
    }

    /// How long a claim lasts unless renewed (default [`DEFAULT_LEASE`]; at least 30 ms). The
    /// claim is renewed every third of it while the merchant's code runs, so this bounds only
    /// how long a replica that crashed mid-action keeps others from acting.
    #[must_use]
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// How long a notification stays marked done (default [`DEFAULT_RETENTION`]).
    #[must_use]
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// How long one store operation may take before the store counts as unavailable (default
    /// [`DEFAULT_STORE_TIMEOUT`]).
    #[must_use]
    pub fn with_store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// Verifies a notification, then runs `act` on it **once** across every handler that shares
    /// the [`DedupStore`], and tells what to answer ([`Processed::response`]).
    ///
    /// The key is [`Notification::dedup_key`] (`bizType:bizIdStr:bizStatus`, and the refund's
    /// id for a refund). A notification whose key does not name one event
    /// ([`Notification::dedup_key_identifies_event`]: a refund without `refundInfo`,
    /// `TP_AUTH_CHANGED`, a QR-code scan) is not deduplicated: `act` runs on every delivery,
    /// so keep it idempotent. Otherwise the key is claimed with a lease before `act` runs; the lease
    /// is renewed while `act` runs; the key is marked done only once `act` returned `Ok`, and
    /// released if it returned `Err` (or panicked), so that Binance's next delivery acts. A
    /// delivery that finds the key done is answered `SUCCESS` without acting; one that finds it
    /// under another lease (another replica acting now) gets 409 so that Binance retries later;
    /// when the store cannot be reached the answer is 503 and nothing runs.
    ///
    /// `act` runs in a task of its own: if the HTTP request is dropped (Binance gave up
    /// waiting), the action still finishes and is recorded.
    ///
    /// ```no_run
    /// # async fn run(webhooks: binancepay_client::WebhookHandler, headers: http::HeaderMap, body: Vec<u8>) {
    /// let processed = webhooks
    ///     .process(&headers, &body, |notification| async move {
    ///         // Fulfil the order; an Err makes Binance deliver it again.
    ///         println!("{}", notification.dedup_key());
    ///         Ok::<(), std::io::Error>(())
    ///     })
    ///     .await;
    /// let _answer = processed.response(); // 200 SUCCESS, or 400/401/409/500/503
    /// # }
    /// ```
    pub async fn process<F, Fut, E>(&self, headers: &HeaderMap, body: &[u8], act: F) -> Processed<E>
    where
        F: FnOnce(Notification) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        match self.handle(headers, body).await {
            Ok(verified) => self.process_verified(verified, act).await,
            Err(refused) => {
                crate::metrics::webhook("refused");
                Processed::Refused(refused)
            }
        }
    }

    /// The deduplicated part of [`process`](Self::process), for a notification verified with
    /// [`handle`](Self::handle) or [`handle_headers`](Self::handle_headers).
    pub async fn process_verified<F, Fut, E>(
        &self,
        verified: VerifiedWebhook,
        act: F,
    ) -> Processed<E>
    where
        F: FnOnce(Notification) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        let processed = self.act_once(verified, act).await;
        crate::metrics::webhook(crate::metrics::verdict(&processed));
        if let (Some(settled), Processed::Acted(n) | Processed::AlreadyDone(n)) =
            (&self.settled, &processed)
        {
            settled(n);
        }
        processed
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn dedup_store(&self) -> &Arc<dyn DedupStore> {
        &self.store
    }

    pub(crate) fn retention(&self) -> Duration {
        self.retention
    }

    pub(crate) fn store_timeout(&self) -> Duration {
        self.store_timeout
    }

    /// The handler a reconciler made (it is told when a webhook settles what it polls).
    pub(crate) fn with_settled_hook(mut self, hook: crate::reconcile::SettledHook) -> Self {
        self.settled = Some(hook);
        self
    }

    /// Claims the notification's key, runs `act` under the lease, records the outcome: shared
    /// by webhooks and the reconciler's finds.
    pub(crate) async fn act_once<F, Fut, E>(
        &self,
        verified: VerifiedWebhook,
        act: F,
    ) -> Processed<E>
    where
        F: FnOnce(Notification) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        let notification = verified.into_notification();
        if !notification.dedup_key_identifies_event() {
            // Nothing in the body tells a second event from a retry of the first: swallowing
            // a retry could swallow a distinct event, so every delivery acts.
            return act_undeduplicated(notification, act).await;
        }
        let key = crate::reconcile::event_key(&notification);
        let Some(lease) = new_lease() else {
            return Processed::StoreUnavailable(DedupStoreError::new(
                "no random bytes for a lease token",
            ));
        };
        let claimed = tokio::time::timeout(
            self.store_timeout,
            self.store.claim(&key, &lease, self.lease),
        )
        .await;
        match claimed {
            Err(_) => {
                crate::metrics::store_error("dedup", "claim");
                tracing::warn!("binancepay webhook not processed: dedup store timed out");
                return Processed::StoreUnavailable(DedupStoreError::timed_out(
                    "claim",
                    self.store_timeout,
                ));
            }
            Ok(Err(error)) => {
                crate::metrics::store_error("dedup", "claim");
                tracing::warn!(%error, "binancepay webhook not processed");
                return Processed::StoreUnavailable(error);
            }
            Ok(Ok(Claim::Done)) => {
                tracing::debug!(key, "binancepay webhook already processed");
                return Processed::AlreadyDone(notification);
            }
            Ok(Ok(Claim::Held)) => {
                tracing::debug!(key, "binancepay webhook being processed elsewhere");
                return Processed::InProgress(notification);
            }
            Ok(Ok(Claim::Acquired)) => {}
        }
        let job = Job {
            store: Arc::clone(&self.store),
            key,
            lease,
            ttl: self.lease,
            retention: self.retention,
            timeout: self.store_timeout,
        };
        let (reply, outcome) = oneshot::channel();
        tokio::spawn(job.run(notification.clone(), act, reply));
        match outcome.await {
            Ok(processed) => processed,
            // The job ends only after replying, unless the runtime is shutting down: then
            // nothing can reach the store, and the key stays under the lease until it runs out.
            Err(_) => Processed::Aborted(notification),
        }
    }

    /// Verifies a notification given its headers and raw body, and decodes it.
    ///
    /// # Errors
    /// [`WebhookHandlerError::Rejected`] when it is not authentic, stale or malformed (also
    /// for an unknown certificate serial after the allowed refresh);
    /// [`WebhookHandlerError::Certificates`] / [`WebhookHandlerError::InvalidCertificates`]
    /// when the certificates could not be obtained; [`WebhookHandlerError::Clock`].
    pub async fn handle(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookHandlerError> {
        let parsed = WebhookHeaders::from_header_map(headers)?;
        self.handle_headers(&parsed, body).await
    }

    /// Like [`handle`](Self::handle), for headers read with [`WebhookHeaders::from_pairs`].
    ///
    /// # Errors
    /// As [`handle`](Self::handle).
    pub async fn handle_headers(
        &self,
        headers: &WebhookHeaders,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookHandlerError> {
        let cache = &self.client.inner().certificates;
        let now = self
            .client
            .inner()
            .clock
            .now()
            .map_err(WebhookHandlerError::Clock)?;
        let mut snap = cache.snapshot();
        let has_old = headers.certificate_sn().is_some();
        let has_new = headers.certificate_sn_new().is_some();
        if has_old && !snap.old_known {
            // Nothing was ever loaded: this says nothing about the notification, so Binance
            // must deliver it again later rather than be told it is not authentic.
            snap = cache
                .refresh_after(List::Old, snap.old_generation, &self.client)
                .await?
                .ok_or(WebhookHandlerError::CertificatesNotLoaded)?;
        }
        if has_new && snap.verifier.new_store().is_none() {
            match cache
                .refresh_after(List::New, snap.new_generation, &self.client)
                .await
            {
                Ok(Some(fresh)) => snap = fresh,
                Ok(None) => {}
                // With a valid old pair the webhook can still be verified: see below.
                Err(error) if has_old => tracing::warn!(
                    reason = fetch_failure_kind(&error),
                    "binancepay new platform certificates could not be fetched"
                ),
                Err(error) => return Err(error),
            }
            if snap.verifier.new_store().is_none() && !has_old {
                return Err(WebhookHandlerError::CertificatesNotLoaded);
            }
        }
        let verified = match snap.verifier.verify_headers(headers, body, now) {
            Err(error) if error.needs_certificate_refresh() => {
                let list = if error.concerns_new_certificate() {
                    tracing::info!("binancepay webhook names an unknown new certificate serial");
                    List::New
                } else {
                    tracing::info!("binancepay webhook names an unknown certificate serial");
                    List::Old
                };
                match cache
                    .refresh_after(list, snap.generation(list), &self.client)
                    .await
                {
                    Ok(Some(fresh)) => {
                        snap = fresh;
                        snap.verifier.verify_headers(headers, body, now)
                    }
                    Ok(None) => Err(error),
                    // The old pair verified before the -New serial was looked up: a list that
                    // cannot be fetched now does not block it (logged below).
                    Err(fetch) if list == List::New && has_old => {
                        tracing::warn!(
                            reason = fetch_failure_kind(&fetch),
                            "binancepay new platform certificates could not be fetched"
                        );
                        let verifier = (*snap.verifier).clone().with_new_store(None);
                        let verified = verifier.verify_headers(headers, body, now);
                        snap.verifier = Arc::new(verifier);
                        verified
                    }
                    Err(fetch) => return Err(fetch),
                }
            }
            other => other,
        };
        if verified.is_ok() && snap.verifier.new_pair_unchecked(headers) {
            tracing::warn!(
                "binancepay webhook accepted on BinancePay-Signature alone: its \
                 BinancePay-Signature-New was not checked, the new platform certificates \
                 are not available yet"
            );
        }
        match verified {
            Ok(notification) => Ok(VerifiedWebhook {
                notification,
                reply: WebhookReply::success(),
            }),
            Err(error) => {
                tracing::info!(reason = refusal_kind(&error), "binancepay webhook refused");
                Err(error.into())
            }
        }
    }

    /// Fetches the certificates now, regardless of the refresh interval (e.g. at start-up, so
    /// the first webhook does not wait).
    ///
    /// # Errors
    /// [`WebhookHandlerError::Certificates`] or [`WebhookHandlerError::InvalidCertificates`].
    pub async fn refresh_certificates(&self) -> Result<(), WebhookHandlerError> {
        let cache = &self.client.inner().certificates;
        let mut state = cache.refresh.lock().await;
        cache
            .fetch_and_publish(List::Old, &mut state, &self.client)
            .await
            .map(|_| ())
    }

    /// Fetches the new platform certificates now (the keys of `BinancePay-Signature-New`),
    /// regardless of the refresh interval.
    ///
    /// # Errors
    /// [`WebhookHandlerError::Certificates`] or [`WebhookHandlerError::InvalidCertificates`].
    pub async fn refresh_new_certificates(&self) -> Result<(), WebhookHandlerError> {
        let cache = &self.client.inner().certificates;
        let mut state = cache.refresh.lock().await;
        cache
            .fetch_and_publish(List::New, &mut state, &self.client)
            .await
            .map(|_| ())
    }

    /// The certificate serials currently cached, sorted.
    pub fn cached_serials(&self) -> Vec<String> {
        let snapshot = self.client.inner().certificates.snapshot();
        if !snapshot.old_known {
            return Vec::new();
        }
        snapshot
            .verifier
            .store()
            .serials()
            .map(str::to_owned)
            .collect()
    }

    /// The new platform certificate serials currently cached, sorted; `None` while that list
    /// was never fetched (an empty list means Binance has not enabled the new certificate).
    pub fn cached_new_serials(&self) -> Option<Vec<String>> {
        let snapshot = self.client.inner().certificates.snapshot();
        let store = snapshot.verifier.new_store()?;
        Some(store.serials().map(str::to_owned).collect())
    }
}

/// What [`WebhookHandler::process`] did with one delivery; [`response`](Self::response) is the
/// answer to give Binance.
#[derive(Debug)]
#[non_exhaustive]
pub enum Processed<E> {
    /// The merchant's code ran and succeeded, and the key is marked done: 200 `SUCCESS`.
    Acted(Notification),
    /// The key was already done (a repeated delivery): 200 `SUCCESS`, nothing ran.
    AlreadyDone(Notification),
    /// Another delivery (maybe on another replica) holds the key's lease and is acting now:
    /// 409, so that Binance delivers it again later; nothing ran.
    InProgress(Notification),
    /// The merchant's code returned an error; the key was released so that the next delivery
    /// acts: 500.
    Failed {
        /// The notification.
        notification: Notification,
        /// What the merchant's code returned.
        error: E,
    },
    /// The merchant's code panicked: the key was released, so the next delivery acts. Or the
    /// runtime shut down under it: nothing could reach the store any more, so the key stays
    /// under this delivery's lease until the lease runs out, and then the next delivery acts.
    /// 500.
    Aborted(Notification),
    /// The notification was not verified: the refusal's own status (400, 401, 413 or 503).
    Refused(WebhookHandlerError),
    /// The store could not be reached, so nothing ran: 503.
    StoreUnavailable(DedupStoreError),
    /// The merchant's code succeeded but the store could not record it: 503. The handler keeps
    /// trying to record it in the background (for up to an hour), renewing the lease all the
    /// while, so no other delivery acts until it is recorded (or the store loses the lease).
    Unrecorded {
        /// The notification.
        notification: Notification,
        /// Why the store did not record it.
        error: DedupStoreError,
    },
}

impl<E> Processed<E> {
    /// The HTTP status to answer with.
    pub fn status(&self) -> StatusCode {
        match self {
            Processed::Acted(_) | Processed::AlreadyDone(_) => StatusCode::OK,
            Processed::InProgress(_) => StatusCode::CONFLICT,
            Processed::Failed { .. } | Processed::Aborted(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Processed::Refused(refused) => refused.status(),
            Processed::StoreUnavailable(_) | Processed::Unrecorded { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The HTTP answer: 200 with `{"returnCode":"SUCCESS","returnMessage":null}`, or
    /// [`status`](Self::status) with a `FAIL` body naming the reason class (never the merchant's
    /// error, the body or a store address).
    pub fn response(&self) -> Response<Vec<u8>> {
        match self {
            Processed::Acted(_) | Processed::AlreadyDone(_) => {
                webhook_reply(&WebhookReply::success())
            }
            Processed::InProgress(_) => fail_reply(self.status(), "being processed"),
            Processed::Failed { .. } | Processed::Aborted(_) => {
                fail_reply(self.status(), "processing failed")
            }
            Processed::Refused(refused) => refused.response(),
            Processed::StoreUnavailable(_) | Processed::Unrecorded { .. } => {
                fail_reply(self.status(), "processing unavailable")
            }
        }
    }

    /// Whether the merchant's code ran to success during this delivery.
    pub fn acted(&self) -> bool {
        matches!(self, Processed::Acted(_) | Processed::Unrecorded { .. })
    }

    /// The notification, when it verified.
    pub fn notification(&self) -> Option<&Notification> {
        match self {
            Processed::Acted(notification)
            | Processed::AlreadyDone(notification)
            | Processed::InProgress(notification)
            | Processed::Aborted(notification)
            | Processed::Failed { notification, .. }
            | Processed::Unrecorded { notification, .. } => Some(notification),
            Processed::Refused(_) | Processed::StoreUnavailable(_) => None,
        }
    }
}

/// Runs the merchant's code on a notification that is not deduplicated, in a task of its own
/// as [`Job::run`] does, so a panic becomes [`Processed::Aborted`].
async fn act_undeduplicated<F, Fut, E>(notification: Notification, act: F) -> Processed<E>
where
    F: FnOnce(Notification) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Send + 'static,
{
    let given = notification.clone();
    match tokio::spawn(async move { act(given).await }).await {
        Ok(Ok(())) => Processed::Acted(notification),
        Ok(Err(error)) => Processed::Failed {
            notification,
            error,
        },
        Err(_) => Processed::Aborted(notification),
    }
}

/// 128 random bits as hex: one claim's lease token.
fn new_lease() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// One claimed notification: runs the merchant's code, keeps the lease, records the outcome.
struct Job {
    store: Arc<dyn DedupStore>,
    key: String,
    lease: String,
    ttl: Duration,
    retention: Duration,
    timeout: Duration,
}

impl Job {
    async fn run<F, Fut, E>(
        self,
        notification: Notification,
        act: F,
        reply: oneshot::Sender<Processed<E>>,
    ) where
        F: FnOnce(Notification) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        // Its own task: a panic in the merchant's code (or in the closure itself) comes back
        // as a JoinError, and the key is released.
        let given = notification.clone();
        let mut action = tokio::spawn(async move { act(given).await });
        // Renewed every third of the lease while it runs.
        let every = self.ttl / 3;
        let joined = loop {
            match tokio::time::timeout(every, &mut action).await {
                Ok(joined) => break joined,
                Err(_) => self.renew().await,
            }
        };
        match joined {
            Ok(Ok(())) => match self.complete().await {
                Ok(()) => {
                    let _ = reply.send(Processed::Acted(notification));
                }
                Err(error) => {
                    tracing::warn!(%error, key = self.key, "binancepay webhook acted on but not recorded yet");
                    let _ = reply.send(Processed::Unrecorded {
                        notification,
                        error,
                    });
                    self.keep_completing().await;
                }
            },
            Ok(Err(error)) => {
                self.release().await;
                let _ = reply.send(Processed::Failed {
                    notification,
                    error,
                });
            }
            Err(_) => {
                self.release().await;
                let _ = reply.send(Processed::Aborted(notification));
            }
        }
    }

    async fn renew(&self) {
        let renewed = tokio::time::timeout(
            self.timeout,
            self.store.renew(&self.key, &self.lease, self.ttl),
        )
        .await;
        match renewed {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::warn!(
                key = self.key,
                "binancepay webhook lease lost while acting (it ran out): another delivery may act"
            ),
            Ok(Err(error)) => {
                crate::metrics::store_error("dedup", "renew");
                tracing::warn!(%error, "binancepay webhook lease not renewed");
            }
            Err(_) => {
                crate::metrics::store_error("dedup", "renew");
                tracing::warn!("binancepay webhook lease not renewed: store timed out");
            }
        }
    }

    async fn complete(&self) -> Result<(), DedupStoreError> {
        let completed = tokio::time::timeout(
            self.timeout,
            self.store.complete(&self.key, &self.lease, self.retention),
        )
        .await
        .map_err(|_| DedupStoreError::timed_out("complete", self.timeout))
        .and_then(|done| done)
        .inspect_err(|_| crate::metrics::store_error("dedup", "complete"))?;
        if !completed {
            tracing::warn!(
                key = self.key,
                "binancepay webhook recorded after its lease ran out: another delivery may have acted"
            );
        }
        Ok(())
    }

    /// Records the action once the store is back: until then the lease is renewed at least
    /// every third of its time, so the key stays under it and no other delivery acts.
    async fn keep_completing(&self) {
        let started = Instant::now();
        let every = self.ttl / 3;
        let mut wait = Duration::from_millis(50).min(every);
        while started.elapsed() < RECORD_FOR {
            tokio::time::sleep(wait).await;
            if self.complete().await.is_ok() {
                tracing::info!(key = self.key, "binancepay webhook action recorded");
                return;
            }
            self.renew().await;
            wait = (wait * 2).min(Duration::from_secs(2)).min(every);
        }
        tracing::error!(
            key = self.key,
            "binancepay webhook action never recorded: the store stayed unavailable"
        );
    }

    async fn release(&self) {
        let released =
            tokio::time::timeout(self.timeout, self.store.release(&self.key, &self.lease)).await;
        if !matches!(released, Ok(Ok(_))) {
            crate::metrics::store_error("dedup", "release");
            tracing::warn!(
                key = self.key,
                "binancepay webhook lease not released: the next delivery waits for it to run out"
            );
        }
    }
}

/// What a failed certificate fetch was, for logs: the class only.
fn fetch_failure_kind(error: &WebhookHandlerError) -> &'static str {
    match error {
        WebhookHandlerError::Certificates(_) => "fetch failed",
        WebhookHandlerError::InvalidCertificates(_) => "unusable answer",
        _ => "unavailable",
    }
}

/// Which of the two certificate lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    /// The certificates endpoint: keys of `BinancePay-Signature`.
    Old,
    /// The new certificates endpoint: keys of `BinancePay-Signature-New`.
    New,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Old => "certificates",
            List::New => "new platform certificates",
        }
    }
}

/// The verifier currently in use (both lists), and which refresh of each list produced it.
#[derive(Clone)]
struct Published {
    old_generation: u64,
    new_generation: u64,
    /// Whether the old list was ever fetched (the verifier holds an empty store until then).
    old_known: bool,
    verifier: Arc<WebhookVerifier>,
}

impl Published {
    fn generation(&self, list: List) -> u64 {
        match list {
            List::Old => self.old_generation,
            List::New => self.new_generation,
        }
    }
}

/// Bookkeeping of the single-flight refresh, guarded by the async mutex.
#[derive(Debug, Default)]
pub(crate) struct RefreshState {
    /// When the last fetch of the certificates finished (successfully or not).
    last_fetch: Option<Instant>,
    /// When the last fetch of the new platform certificates finished.
    last_fetch_new: Option<Instant>,
}

impl RefreshState {
    fn last(&mut self, list: List) -> &mut Option<Instant> {
        match list {
            List::Old => &mut self.last_fetch,
            List::New => &mut self.last_fetch_new,
        }
    }
}

/// The webhook state of one client, shared by all its webhook handlers: the certificates, and
/// the default (in-memory) deduplication store.
pub(crate) struct CertificateCache {
    published: RwLock<Published>,
    refresh: Mutex<RefreshState>,
    min_interval: Duration,
    window_ms: Option<u64>,
    store: OnceLock<Arc<MemoryDedupStore>>,
}

impl CertificateCache {
    pub(crate) fn new(min_interval: Duration, window_ms: Option<u64>) -> Self {
        let verifier =
            WebhookVerifier::new(CertificateStore::new()).with_freshness_window(window_ms);
        CertificateCache {
            published: RwLock::new(Published {
                old_generation: 0,
                new_generation: 0,
                old_known: false,
                verifier: Arc::new(verifier),
            }),
            refresh: Mutex::new(RefreshState::default()),
            min_interval,
            window_ms,
            store: OnceLock::new(),
        }
    }

    /// The client's in-memory deduplication store, made on first use.
    fn default_store(&self) -> Arc<dyn DedupStore> {
        let store = self.store.get_or_init(|| Arc::new(MemoryDedupStore::new()));
        Arc::clone(store) as Arc<dyn DedupStore>
    }

    fn snapshot(&self) -> Published {
        // A panic elsewhere cannot leave `Published` half-written (it is replaced whole).
        self.published
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Returns a state whose `list` is newer than generation `seen`: the one another task
    /// fetched while we waited, or one we fetch now. `None` when a refresh of `list` is not
    /// allowed yet (its last fetch was less than the interval ago) and nothing newer exists.
    async fn refresh_after(
        &self,
        list: List,
        seen: u64,
        client: &Client,
    ) -> Result<Option<Published>, WebhookHandlerError> {
        let mut state = self.refresh.lock().await;
        let current = self.snapshot();
        if current.generation(list) > seen {
            return Ok(Some(current));
        }
        if state
            .last(list)
            .is_some_and(|last| last.elapsed() < self.min_interval)
        {
            tracing::debug!(
                list = list.name(),
                "binancepay certificate refresh skipped: interval not elapsed"
            );
            return Ok(None);
        }
        self.fetch_and_publish(list, &mut state, client)
            .await
            .map(Some)
    }

    /// Fetches, parses and publishes one list; the caller holds the refresh lock.
    async fn fetch_and_publish(
        &self,
        list: List,
        state: &mut RefreshState,
        client: &Client,
    ) -> Result<Published, WebhookHandlerError> {
        let fetched: Result<Vec<Certificate>, Error> = match list {
            List::Old => client.execute(&QueryCertificatesRequest::new()).await,
            List::New => client.fetch_certificates_new().await,
        };
        // Recorded only once the fetch finished: a cancelled fetch does not block the next one.
        *state.last(list) = Some(Instant::now());
        let certificates =
            fetched.map_err(|error| WebhookHandlerError::Certificates(Box::new(error)))?;
        let store = CertificateStore::from_certificates(certificates)
            .map_err(WebhookHandlerError::InvalidCertificates)?;
        tracing::info!(
            list = list.name(),
            certificates = store.len(),
            "binancepay webhook certificates fetched"
        );
        let mut published = self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let verifier = match list {
            List::Old => {
                published.old_generation = published.old_generation.saturating_add(1);
                published.old_known = true;
                WebhookVerifier::new(store).with_new_store(published.verifier.new_store().cloned())
            }
            List::New => {
                published.new_generation = published.new_generation.saturating_add(1);
                WebhookVerifier::new(published.verifier.store().clone()).with_new_store(Some(store))
            }
        };
        published.verifier = Arc::new(verifier.with_freshness_window(self.window_ms));
        Ok(published.clone())
    }
}
