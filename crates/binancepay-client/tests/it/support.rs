//! A small Binance Pay stand-in on 127.0.0.1:0: it authenticates every request with
//! `binancepay-http`'s server-side `authenticate` and answers what the test scripts.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use binancepay_client::{ClientBuilder, RetryPolicy};
use binancepay_http::server::authenticate;
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{ApiKey, ApiSecret, Nonce, RequestSigner, Timestamp};
use http::{HeaderMap, HeaderValue, StatusCode};

pub(crate) const API_KEY: &str = "mockApiKey0123456789";
pub(crate) const API_SECRET: &str = "mock-secret-never-printed-7f3a9c";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) path: String,
    pub(crate) body: Bytes,
    /// 1-based count of calls to this path so far (this one included).
    pub(crate) nth: usize,
    /// `None` when the request was authenticated; the refusal otherwise.
    pub(crate) refused: Option<String>,
    pub(crate) nonce: String,
    pub(crate) signature: String,
}

/// What the server answers.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// A status, a content type and a body.
    Body {
        status: StatusCode,
        content_type: &'static str,
        body: String,
    },
    /// The same after a delay (the state change, if any, has already happened).
    Delayed(Duration, Box<Reply>),
    /// A redirect to `location`.
    Redirect(String),
    /// A reply with one extra header.
    WithHeader(&'static str, &'static str, Box<Reply>),
}

impl Reply {
    pub(crate) fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::Body {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            content_type: "application/json",
            body: body.into(),
        }
    }

    pub(crate) fn html(status: u16, body: impl Into<String>) -> Reply {
        Reply::Body {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            content_type: "text/html",
            body: body.into(),
        }
    }

    /// `{"status":"SUCCESS","code":"000000","data":data}`.
    pub(crate) fn success(data: serde_json::Value) -> Reply {
        Reply::json(
            200,
            serde_json::json!({"status": "SUCCESS", "code": "000000", "data": data}).to_string(),
        )
    }

    /// A fixture from `tests/data/responses/`.
    pub(crate) fn fixture(status: u16, name: &str) -> Reply {
        let body = fixture(&format!("responses/{name}"));
        if name.ends_with(".html") {
            Reply::html(status, body)
        } else {
            Reply::json(status, body)
        }
    }

    /// The same with `Retry-After: 0`.
    pub(crate) fn with_retry_after(self) -> Reply {
        Reply::WithHeader("retry-after", "0", Box::new(self))
    }

    pub(crate) fn after(self, delay: Duration) -> Reply {
        Reply::Delayed(delay, Box::new(self))
    }
}

/// The text of `tests/data/<name>`.
pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

type Script = dyn Fn(&Call) -> Reply + Send + Sync;

struct ServerState {
    keys: (ApiKey, RequestSigner),
    calls: Mutex<Vec<Call>>,
    counts: Mutex<HashMap<String, usize>>,
    script: Box<Script>,
}

/// The running server; stopped when dropped.
pub(crate) struct Mock {
    addr: SocketAddr,
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    Timestamp::from_millis(millis).unwrap_or_else(|e| panic!("clock: {e}"))
}

impl Mock {
    /// Starts a server that answers every authenticated request with `script(call)`.
    pub(crate) async fn start(script: impl Fn(&Call) -> Reply + Send + Sync + 'static) -> Mock {
        let api_key = ApiKey::new(API_KEY).unwrap_or_else(|e| panic!("key: {e}"));
        let secret = ApiSecret::new(API_SECRET).unwrap_or_else(|e| panic!("secret: {e}"));
        let state = Arc::new(ServerState {
            keys: (api_key, RequestSigner::new(&secret)),
            calls: Mutex::new(Vec::new()),
            counts: Mutex::new(HashMap::new()),
            script: Box::new(script),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Mock { addr, state, task }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.state
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests reached `path` (a suffix after `/binancepay/openapi`).
    pub(crate) fn count(&self, path: &str) -> usize {
        let full = format!("/binancepay/openapi{path}");
        self.calls().iter().filter(|c| c.path == full).count()
    }

    /// A client builder for this server: its credentials, fast retries, short timeouts.
    pub(crate) fn client(&self) -> ClientBuilder {
        ClientBuilder::new()
            .credentials(API_KEY, API_SECRET)
            .base_url(self.url())
            .timeout(Duration::from_secs(5))
            .deadline(Duration::from_secs(20))
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(5))
                    .with_max_backoff(Duration::from_millis(20)),
            )
    }
}

async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let request = http::Request::from_parts(parts, body.clone());
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let path = request.uri().path().to_owned();
    let nth = {
        let mut counts = state.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(path.clone()).or_insert(0);
        *count += 1;
        *count
    };
    let auth = authenticate(&request, &state.keys, now(), 5_000);
    let call = Call {
        path,
        body,
        nth,
        refused: auth.as_ref().err().map(ToString::to_string),
        nonce: header("binancepay-nonce"),
        signature: header("binancepay-signature"),
    };
    state
        .calls
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(call.clone());
    if let Err(refusal) = auth {
        return refusal.response().map(Body::from);
    }
    render((state.script)(&call)).await
}

async fn render(reply: Reply) -> Response {
    let mut reply = reply;
    let mut extra: Vec<(&'static str, &'static str)> = Vec::new();
    loop {
        match reply {
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::WithHeader(name, value, inner) => {
                extra.push((name, value));
                reply = *inner;
            }
            Reply::Redirect(location) => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(http::header::LOCATION, value);
                }
                return response;
            }
            Reply::Body {
                status,
                content_type,
                body,
            } => {
                let mut response = Response::new(Body::from(body));
                *response.status_mut() = status;
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type),
                );
                for (name, value) in extra {
                    response
                        .headers_mut()
                        .insert(name, HeaderValue::from_static(value));
                }
                return response;
            }
        }
    }
}

/// A webhook signing key from `tests/data/` and the serial the mock publishes it under.
pub(crate) struct WebhookKey {
    pub(crate) key: WebhookSigningKey,
    pub(crate) serial: &'static str,
}

impl WebhookKey {
    /// `name` is `a` or `b`.
    pub(crate) fn load(name: &str, serial: &'static str) -> WebhookKey {
        let pem = fixture(&format!("webhook-key-{name}.pem"));
        let key = WebhookSigningKey::from_pkcs8_pem(&pem)
            .unwrap_or_else(|e| panic!("webhook key {name}: {e}"));
        WebhookKey { key, serial }
    }

    /// The certificates-endpoint entry of this key.
    pub(crate) fn certificate(&self) -> serde_json::Value {
        serde_json::json!({"certSerial": self.serial, "certPublic": self.key.public_key_pem()})
    }

    /// Headers of `body` signed now with this key under `serial`.
    pub(crate) fn sign(&self, serial: &str, body: &[u8]) -> HeaderMap {
        let nonce =
            Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA").unwrap_or_else(|e| panic!("{e}"));
        binancepay_http::server::sign_webhook(&self.key, serial, body, now(), &nonce)
            .unwrap_or_else(|e| panic!("sign webhook: {e}"))
    }

    /// Headers of `body` signed now with this key (the old pair) and with `new` (the `-New`
    /// pair of Binance's new platform certificate), over the same timestamp and nonce.
    pub(crate) fn sign_both(&self, new: &WebhookKey, body: &[u8]) -> HeaderMap {
        let nonce =
            Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA").unwrap_or_else(|e| panic!("{e}"));
        let at = now();
        let mut headers =
            binancepay_http::server::sign_webhook(&self.key, self.serial, body, at, &nonce)
                .unwrap_or_else(|e| panic!("sign webhook: {e}"));
        binancepay_http::server::add_new_pair(&mut headers, &new.key, new.serial, body, at, &nonce)
            .unwrap_or_else(|e| panic!("sign webhook: {e}"));
        headers
    }

    /// Headers of `body` with only the `-New` pair, made with this key.
    pub(crate) fn sign_new_only(&self, body: &[u8]) -> HeaderMap {
        let mut headers = self.sign_both(self, body);
        headers.remove("binancepay-certificate-sn");
        headers.remove("binancepay-signature");
        headers
    }
}
