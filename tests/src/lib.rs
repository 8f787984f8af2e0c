//! Shared helpers of the cross-crate tests: a sandbox on 127.0.0.1:0 with a fixed webhook key,
//! a client pointed at it, the sandbox's control API, a merchant webhook endpoint built on the
//! client's `WebhookHandler`, a header-rewriting relay, log capture and process figures.
//!
//! Every helper returns errors instead of panicking, so tests read as `?` chains:
//!
//! ```
//! use binancepay_integration_tests::{BoxError, Control, client_for, order, sandbox};
//! use binancepay_types::enums::OrderStatus;
//! use binancepay_types::order::QueryOrderV2Request;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), BoxError> {
//! let sandbox = sandbox()?.start().await?;
//! let client = client_for(&sandbox).build()?;
//! let created = client.orders().create_v3(&order("DOC1", "25.17")?).await?;
//! Control::new(&sandbox)?.pay(created.prepay_id().as_str()).await?;
//! let query = QueryOrderV2Request::new().with_prepay_id(created.prepay_id().clone());
//! assert_eq!(client.orders().query_v2(&query).await?.status, OrderStatus::Paid);
//! assert!(sandbox.shutdown().await.is_clean());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::post;
use binancepay_client::{ClientBuilder, RetryPolicy, WebhookHandler};
use binancepay_http::BINANCEPAY_SIGNATURE;
use binancepay_http::webhook::DuplicateFilter;
use binancepay_sandbox::{RunningSandbox, Sandbox, SandboxBuilder};
use binancepay_types::Amount;
use binancepay_types::enums::{GoodsCategory, GoodsType, TerminalType};
use binancepay_types::order::{CreateOrderV3Request, Env, Goods};
use binancepay_types::webhook::{Notification, WebhookReply};
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Any error a test step can meet.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a test returns.
pub type TestResult = Result<(), BoxError>;

/// The longest any one test may run; past it the test fails instead of hanging the run.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(90);

/// How often [`wait_until`] looks again.
const POLL: Duration = Duration::from_millis(20);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A failed assertion in one task must not hide what the others recorded.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs a test body under [`TEST_TIMEOUT`].
///
/// # Errors
/// The body's error, or a timeout error naming the test.
pub async fn bounded<T, F>(name: &str, body: F) -> Result<T, BoxError>
where
    F: Future<Output = Result<T, BoxError>>,
{
    match tokio::time::timeout(TEST_TIMEOUT, body).await {
        Ok(result) => result,
        Err(_) => Err(format!("{name}: did not finish within {TEST_TIMEOUT:?}").into()),
    }
}

/// The path of `tests/data/<name>`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// The text of `tests/data/<name>`.
///
/// # Errors
/// The file cannot be read; the message names it.
pub fn read_data(name: &str) -> Result<String, BoxError> {
    let path = data_path(name);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// The webhook signing key every test sandbox uses (a fixed key: generating one takes
/// seconds in a debug build).
///
/// # Errors
/// As [`read_data`].
pub fn webhook_key_pem() -> Result<String, BoxError> {
    read_data("webhook-key.pem")
}

/// A 1024-bit webhook signing key (the smallest the verifier accepts), for tests that make
/// the sandbox sign many webhooks: a 2048-bit RSA signature costs about 200 ms of CPU in a
/// debug build, a 1024-bit one a fraction of that.
///
/// # Errors
/// As [`read_data`].
pub fn small_webhook_key_pem() -> Result<String, BoxError> {
    read_data("webhook-key-1024.pem")
}

/// A sandbox builder for tests: 127.0.0.1:0, the fixed webhook key, webhook retries 25 ms
/// apart, short shutdown drains.
///
/// # Errors
/// As [`webhook_key_pem`].
pub fn sandbox() -> Result<SandboxBuilder, BoxError> {
    Ok(Sandbox::builder()
        .webhook_key_pem(webhook_key_pem()?)
        .retry_base_delay(Duration::from_millis(25))
        .delivery_timeout(Duration::from_secs(5))
        .shutdown_timeout(Duration::from_secs(5)))
}

/// Retries that wait milliseconds, not the production hundreds of them.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(40))
}

/// A client builder with the sandbox's credentials and URL and [`fast_retries`].
pub fn client_for(sandbox: &RunningSandbox) -> ClientBuilder {
    ClientBuilder::new()
        .credentials(sandbox.api_key(), sandbox.api_secret())
        .base_url(sandbox.base_url())
        .timeout(Duration::from_secs(10))
        .retry_policy(fast_retries())
}

/// An exact amount from decimal text.
///
/// # Errors
/// The text is not a valid amount.
pub fn amount(text: &str) -> Result<Amount, BoxError> {
    Ok(Amount::new(text)?)
}

/// A v3 order in USDT for one virtual good.
///
/// # Errors
/// As [`amount`].
pub fn order(trade_no: &str, total: &str) -> Result<CreateOrderV3Request, BoxError> {
    let goods = Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    );
    Ok(CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        trade_no,
        "100 gems",
        vec![goods],
    )
    .with_currency("USDT")
    .with_order_amount(amount(total)?))
}

/// Polls `check` every 20 ms until it yields a value or `within` runs out.
///
/// # Errors
/// The check's own error, or a timeout naming `what`.
pub async fn wait_until<T, F, Fut>(
    what: &str,
    within: Duration,
    mut check: F,
) -> Result<T, BoxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, BoxError>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("timed out after {within:?} waiting for {what}").into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The sandbox's control API (`/sandbox/...`): what the customer does, and inspection.
#[derive(Debug, Clone)]
pub struct Control {
    http: reqwest::Client,
    base_url: String,
}

impl Control {
    /// A control client for `sandbox`.
    ///
    /// # Errors
    /// reqwest cannot build its client.
    pub fn new(sandbox: &RunningSandbox) -> Result<Self, BoxError> {
        Ok(Control {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()?,
            base_url: sandbox.base_url().to_owned(),
        })
    }

    /// `GET path` and its JSON answer; any status but 200 is an error.
    ///
    /// # Errors
    /// Transport errors, a non-200 status, a body that is not JSON.
    pub async fn get(&self, path: &str) -> Result<Value, BoxError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await?;
        let status = response.status();
        let body: Value = serde_json::from_slice(&response.bytes().await?)?;
        if status != StatusCode::OK {
            return Err(format!("GET {path}: HTTP {status}: {body}").into());
        }
        Ok(body)
    }

    /// `POST path` with an optional JSON body; the status and the JSON answer.
    ///
    /// # Errors
    /// Transport errors, a body that is not JSON.
    pub async fn post(&self, path: &str, body: Option<Value>) -> Result<(u16, Value), BoxError> {
        // The control API takes state changes as JSON requests only.
        let mut request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(http::header::CONTENT_TYPE, "application/json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, serde_json::from_slice(&response.bytes().await?)?))
    }

    /// `POST path` that must answer 200.
    ///
    /// # Errors
    /// As [`post`](Self::post), or a status other than 200.
    pub async fn post_ok(&self, path: &str, body: Option<Value>) -> Result<Value, BoxError> {
        let (status, answer) = self.post(path, body).await?;
        if status != 200 {
            return Err(format!("POST {path}: HTTP {status}: {answer}").into());
        }
        Ok(answer)
    }

    /// The simulated customer pays order `prepay_id`.
    ///
    /// # Errors
    /// As [`post_ok`](Self::post_ok).
    pub async fn pay(&self, prepay_id: &str) -> Result<Value, BoxError> {
        self.post_ok(&format!("/sandbox/orders/{prepay_id}/pay"), None)
            .await
    }

    /// Moves the sandbox's business clock forward.
    ///
    /// # Errors
    /// As [`post_ok`](Self::post_ok).
    pub async fn advance_clock(&self, millis: u64) -> Result<Value, BoxError> {
        self.post_ok(
            "/sandbox/clock/advance",
            Some(serde_json::json!({ "millis": millis })),
        )
        .await
    }

    /// `GET /sandbox/webhooks`: every delivery and the counts per status.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub async fn webhooks(&self) -> Result<Value, BoxError> {
        self.get("/sandbox/webhooks").await
    }

    /// `GET /sandbox/faults`: the plan in force and how often each rule fired.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub async fn faults(&self) -> Result<Value, BoxError> {
        self.get("/sandbox/faults").await
    }
}

/// One request the merchant endpoint received and what it made of it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `bizType:bizIdStr:bizStatus` (see `Notification::dedup_key`) when it verified.
    pub key: Option<String>,
    /// The `BinancePay-Signature` header, as received.
    pub signature: Option<String>,
    /// The HTTP status the endpoint answered.
    pub status: StatusCode,
    /// Why it was refused, if it was.
    pub refused: Option<String>,
}

struct MerchantState {
    webhooks: WebhookHandler,
    fail_first: u32,
    attempts: Mutex<HashMap<String, u32>>,
    filter: Mutex<DuplicateFilter>,
    deliveries: Mutex<Vec<Delivery>>,
    processed: Mutex<Vec<Notification>>,
    duplicates: Mutex<u64>,
}

/// A merchant's webhook endpoint on 127.0.0.1:0 (axum), verifying with the client's
/// [`WebhookHandler`] and acting once per notification through a [`DuplicateFilter`].
///
/// The first `fail_first` deliveries of each notification are answered with a `FAIL`
/// reply (HTTP 503) after they verified, so the sender has to retry. `Debug` shows the
/// address and counts only: the recorded signatures stay out of formatted output.
pub struct Merchant {
    addr: SocketAddr,
    state: Arc<MerchantState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("addr", &self.addr)
            .field("fail_first", &self.state.fail_first)
            .field("deliveries", &lock(&self.state.deliveries).len())
            .field("processed", &lock(&self.state.processed).len())
            .finish_non_exhaustive()
    }
}

async fn receive(
    State(state): State<Arc<MerchantState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get(BINANCEPAY_SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (key, refused, response) = match state.webhooks.handle(&headers, &body).await {
        Err(refused) => (
            None,
            Some(refused.to_string()),
            refused.response().map(Body::from),
        ),
        Ok(verified) => {
            let notification = verified.notification();
            let key = notification.dedup_key();
            let attempt = {
                let mut attempts = lock(&state.attempts);
                let count = attempts.entry(key.clone()).or_default();
                *count += 1;
                *count
            };
            let response = if attempt <= state.fail_first {
                let mut response = Response::new(Body::from(
                    WebhookReply::fail("merchant busy, try again").to_json(),
                ));
                *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                response
            } else {
                if lock(&state.filter).insert(notification) {
                    lock(&state.processed).push(notification.clone());
                } else {
                    *lock(&state.duplicates) += 1;
                }
                verified.reply().map(Body::from)
            };
            (Some(key), None, response)
        }
    };
    lock(&state.deliveries).push(Delivery {
        key,
        signature,
        status: response.status(),
        refused,
    });
    response
}

impl Merchant {
    /// Starts the endpoint at `POST /webhook`.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start(webhooks: WebhookHandler, fail_first: u32) -> Result<Merchant, BoxError> {
        let state = Arc::new(MerchantState {
            webhooks,
            fail_first,
            attempts: Mutex::new(HashMap::new()),
            filter: Mutex::new(DuplicateFilter::new(100_000)),
            deliveries: Mutex::new(Vec::new()),
            processed: Mutex::new(Vec::new()),
            duplicates: Mutex::new(0),
        });
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Merchant {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The URL to give the sandbox as `webhookUrl`.
    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    /// Every request received, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.state.deliveries).clone()
    }

    /// The notifications acted on: verified, past the induced failures, first of their key.
    pub fn processed(&self) -> Vec<Notification> {
        lock(&self.state.processed).clone()
    }

    /// Verified deliveries the duplicate filter stopped.
    pub fn duplicates(&self) -> u64 {
        *lock(&self.state.duplicates)
    }

    /// Stops the server, letting requests in progress finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for Merchant {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

type Rewrite = dyn Fn(&mut HeaderMap) + Send + Sync;

struct RelayState {
    http: reqwest::Client,
    target: String,
    rewrite: Box<Rewrite>,
}

/// Forwards every request to a target base URL after rewriting its headers: what a
/// misbehaving proxy or a misconfigured gateway would do to a client's requests.
pub struct Relay {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("addr", &self.addr).finish()
    }
}

async fn relay(State(state): State<Arc<RelayState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let failed = |status: StatusCode| {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        response
    };
    let Ok(body) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return failed(StatusCode::BAD_REQUEST);
    };
    let mut headers = parts.headers;
    headers.remove(http::header::HOST);
    (state.rewrite)(&mut headers);
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    let forwarded = state
        .http
        .request(parts.method, format!("{}{path}", state.target))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(answer) = forwarded else {
        return failed(StatusCode::BAD_GATEWAY);
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let Ok(bytes) = answer.bytes().await else {
        return failed(StatusCode::BAD_GATEWAY);
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

impl Relay {
    /// Starts a relay on 127.0.0.1:0 in front of `target` (e.g. a sandbox's base URL).
    ///
    /// # Errors
    /// The port cannot be bound, or reqwest cannot build its client.
    pub async fn start(
        target: &str,
        rewrite: impl Fn(&mut HeaderMap) + Send + Sync + 'static,
    ) -> Result<Relay, BoxError> {
        let state = Arc::new(RelayState {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()?,
            target: target.to_owned(),
            rewrite: Box::new(rewrite),
        });
        let app = Router::new().fallback(relay).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Relay { addr, task })
    }

    /// `http://ADDR`: the base URL clients should use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A shared, growable buffer that a `tracing-subscriber` fmt layer writes into.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }
}

/// One write handle of a [`LogBuffer`].
#[derive(Debug)]
pub struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter(Arc::clone(&self.0))
    }
}

/// Sends every `tracing` event and span (TRACE level, span opening and closing with their
/// fields) of the current thread into a buffer, until the guard is dropped. Run the test on a
/// current-thread runtime so the tasks it spawns log there too.
pub fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}

/// The process's resident set size in KiB (`VmRSS` of `/proc/self/status`), where Linux
/// provides it.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::{data_path, rss_kib};

    #[test]
    fn data_files_are_found() {
        assert!(data_path("webhook-key.pem").is_file());
    }

    #[test]
    fn rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_kib().is_some_and(|kib| kib > 0));
        }
    }
}
