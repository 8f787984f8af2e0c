//! Incoming webhooks: verification with cached certificates, fetched through the client on
//! first use and refreshed (once, shared, rate-limited) when a serial is unknown.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use binancepay_http::webhook::{
    CertificateError, CertificateStore, WebhookError, WebhookHeaders, WebhookVerifier,
    webhook_reply,
};
use binancepay_types::certificate::QueryCertificatesRequest;
use binancepay_types::webhook::{Notification, WebhookParseError, WebhookReply};
use http::{HeaderMap, Response, StatusCode};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;

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
        let mut response = Response::new(WebhookReply::fail(reason).to_json());
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
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
}

impl fmt::Debug for WebhookHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = &self.client.inner().certificates;
        f.debug_struct("WebhookHandler")
            .field("certificates_loaded", &cache.snapshot().1.is_some())
            .field("refresh_interval", &cache.min_interval)
            .finish()
    }
}

impl WebhookHandler {
    pub(crate) fn new(client: Client) -> Self {
        WebhookHandler { client }
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
        let (mut seen, current) = cache.snapshot();
        let verifier = match current {
            Some(verifier) => verifier,
            None => {
                // Nothing was ever loaded: this says nothing about the notification, so Binance
                // must deliver it again later rather than be told it is not authentic.
                let (generation, verifier) = cache
                    .refresh_after(seen, &self.client)
                    .await?
                    .ok_or(WebhookHandlerError::CertificatesNotLoaded)?;
                seen = generation;
                verifier
            }
        };
        let verified = match verifier.verify_headers(headers, body, now) {
            Err(error) if error.needs_certificate_refresh() => {
                tracing::info!("binancepay webhook names an unknown certificate serial");
                match cache.refresh_after(seen, &self.client).await? {
                    Some((_, fresh)) => fresh.verify_headers(headers, body, now),
                    None => Err(error),
                }
            }
            other => other,
        };
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
            .fetch_and_publish(&mut state, &self.client)
            .await
            .map(|_| ())
    }

    /// The certificate serials currently cached, sorted.
    pub fn cached_serials(&self) -> Vec<String> {
        match self.client.inner().certificates.snapshot().1 {
            Some(verifier) => verifier.store().serials().map(str::to_owned).collect(),
            None => Vec::new(),
        }
    }
}

/// The verifier currently in use, and which refresh produced it.
#[derive(Clone)]
struct Published {
    generation: u64,
    verifier: Option<Arc<WebhookVerifier>>,
}

/// Bookkeeping of the single-flight refresh, guarded by the async mutex.
#[derive(Debug, Default)]
pub(crate) struct RefreshState {
    /// When the last fetch finished (successfully or not).
    last_fetch: Option<Instant>,
}

/// The certificates of one client, shared by all its webhook handlers.
pub(crate) struct CertificateCache {
    published: RwLock<Published>,
    refresh: Mutex<RefreshState>,
    min_interval: Duration,
    window_ms: Option<u64>,
}

impl CertificateCache {
    pub(crate) fn new(min_interval: Duration, window_ms: Option<u64>) -> Self {
        CertificateCache {
            published: RwLock::new(Published {
                generation: 0,
                verifier: None,
            }),
            refresh: Mutex::new(RefreshState::default()),
            min_interval,
            window_ms,
        }
    }

    fn snapshot(&self) -> (u64, Option<Arc<WebhookVerifier>>) {
        // A panic elsewhere cannot leave `Published` half-written (it is replaced whole).
        let published = self
            .published
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        (published.generation, published.verifier.clone())
    }

    /// Returns a verifier newer than generation `seen`: the one another task fetched while we
    /// waited, or one we fetch now. `None` when a refresh is not allowed yet (the last fetch
    /// was less than the interval ago) and nothing newer exists.
    async fn refresh_after(
        &self,
        seen: u64,
        client: &Client,
    ) -> Result<Option<(u64, Arc<WebhookVerifier>)>, WebhookHandlerError> {
        let mut state = self.refresh.lock().await;
        let (generation, current) = self.snapshot();
        if generation > seen {
            return Ok(current.map(|verifier| (generation, verifier)));
        }
        if state
            .last_fetch
            .is_some_and(|last| last.elapsed() < self.min_interval)
        {
            tracing::debug!("binancepay certificate refresh skipped: interval not elapsed");
            return Ok(None);
        }
        self.fetch_and_publish(&mut state, client).await.map(Some)
    }

    /// Fetches, parses and publishes the certificates; the caller holds the refresh lock.
    async fn fetch_and_publish(
        &self,
        state: &mut RefreshState,
        client: &Client,
    ) -> Result<(u64, Arc<WebhookVerifier>), WebhookHandlerError> {
        let fetched = client.execute(&QueryCertificatesRequest::new()).await;
        // Recorded only once the fetch finished: a cancelled fetch does not block the next one.
        state.last_fetch = Some(Instant::now());
        let certificates =
            fetched.map_err(|error| WebhookHandlerError::Certificates(Box::new(error)))?;
        let store = CertificateStore::from_certificates(certificates)
            .map_err(WebhookHandlerError::InvalidCertificates)?;
        tracing::info!(
            certificates = store.len(),
            "binancepay webhook certificates fetched"
        );
        let verifier = Arc::new(WebhookVerifier::new(store).with_freshness_window(self.window_ms));
        let mut published = self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        published.generation = published.generation.saturating_add(1);
        published.verifier = Some(Arc::clone(&verifier));
        Ok((published.generation, verifier))
    }
}
