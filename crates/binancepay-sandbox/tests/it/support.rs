//! Shared test helpers: a sandbox with the test key, a signed-request client, control calls and
//! a webhook receiver that can be told to fail.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use binancepay_http::RequestBuilder;
use binancepay_sandbox::{RunningSandbox, Sandbox, SandboxBuilder};
use binancepay_types::Endpoint;
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// Every test is bounded: no single await in a test may take longer than this.
pub(crate) const LIMIT: Duration = Duration::from_secs(20);

pub(crate) fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The samples directory of binancepay-types (request bodies for every endpoint).
pub(crate) fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../binancepay-types/tests/data/samples")
}

/// The test RSA key (generating one in a debug build takes far too long for every test).
pub(crate) fn test_key() -> String {
    std::fs::read_to_string(data_dir().join("webhook-key.pem"))
        .unwrap_or_else(|e| panic!("test key: {e}"))
}

/// A builder with the test key and short retry delays.
pub(crate) fn builder() -> SandboxBuilder {
    Sandbox::builder()
        .webhook_key_pem(test_key())
        .retry_base_delay(Duration::from_millis(20))
        .shutdown_timeout(Duration::from_secs(5))
}

pub(crate) async fn start(builder: SandboxBuilder) -> RunningSandbox {
    match tokio::time::timeout(LIMIT, builder.start()).await {
        Ok(Ok(sandbox)) => sandbox,
        Ok(Err(e)) => panic!("sandbox did not start: {e}"),
        Err(_) => panic!("sandbox did not start in time"),
    }
}

/// Signs and sends requests to one sandbox.
pub(crate) struct Client {
    pub(crate) builder: RequestBuilder,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

impl Client {
    pub(crate) fn new(sandbox: &RunningSandbox) -> Self {
        Self {
            builder: sandbox
                .request_builder()
                .unwrap_or_else(|e| panic!("request builder: {e}")),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_else(|e| panic!("reqwest: {e}")),
            base_url: sandbox.base_url().to_owned(),
        }
    }

    /// Sends any prepared request and collects the answer.
    pub(crate) async fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, reqwest::Error> {
        let request = reqwest::Request::try_from(request)?;
        let response = tokio::time::timeout(LIMIT, self.http.execute(request))
            .await
            .unwrap_or_else(|_| panic!("no answer in time"))?;
        let mut builder = Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = response.bytes().await?;
        Ok(builder
            .body(body.to_vec())
            .unwrap_or_else(|e| panic!("response: {e}")))
    }

    /// A typed request, signed now; panics on transport errors.
    pub(crate) async fn call<E: Endpoint>(&self, request: &E) -> Response<Vec<u8>> {
        let request = self
            .builder
            .build_now(request)
            .unwrap_or_else(|e| panic!("build {}: {e}", E::OPERATION));
        self.send(request)
            .await
            .unwrap_or_else(|e| panic!("send {}: {e}", E::OPERATION))
    }

    /// A typed request that must succeed; returns the typed `data`.
    pub(crate) async fn ok<E: Endpoint>(&self, request: &E) -> E::Response {
        let response = self.call(request).await;
        binancepay_http::parse_response::<E, _>(&response).unwrap_or_else(|e| {
            panic!(
                "{} failed: {e}; body {}",
                E::OPERATION,
                String::from_utf8_lossy(response.body())
            )
        })
    }

    /// A typed request that must fail with `code`; returns the error message.
    pub(crate) async fn fail<E: Endpoint>(&self, request: &E, code: &str) -> String {
        let response = self.call(request).await;
        let body = envelope(&response);
        assert_eq!(body["status"], "FAIL", "{}: {body}", E::OPERATION);
        assert_eq!(body["code"], code, "{}: {body}", E::OPERATION);
        body["errorMessage"].as_str().unwrap_or_default().to_owned()
    }

    /// A raw JSON body to a path, signed now.
    pub(crate) async fn raw(&self, path: &str, body: &str) -> Response<Vec<u8>> {
        let nonce = binancepay_http::Nonce::from_os_rng().unwrap_or_else(|e| panic!("nonce: {e}"));
        let now = binancepay_http::now().unwrap_or_else(|e| panic!("clock: {e}"));
        let request = self
            .builder
            .build_raw(path, body.as_bytes().to_vec(), now, &nonce)
            .unwrap_or_else(|e| panic!("build raw {path}: {e}"));
        self.send(request)
            .await
            .unwrap_or_else(|e| panic!("send {path}: {e}"))
    }

    pub(crate) async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            // The control API takes state changes as JSON requests only.
            .header("content-type", "application/json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = tokio::time::timeout(LIMIT, request.send())
            .await
            .unwrap_or_else(|_| panic!("control {path}: no answer in time"))
            .unwrap_or_else(|e| panic!("control {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// `POST /sandbox/...` that must answer 200.
    pub(crate) async fn post(&self, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.control(reqwest::Method::POST, path, body).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {value}");
        value
    }

    /// `GET /sandbox/...` that must answer 200.
    pub(crate) async fn get(&self, path: &str) -> Value {
        let (status, value) = self.control(reqwest::Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {value}");
        value
    }
}

/// The JSON envelope of an answer.
pub(crate) fn envelope(response: &Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(response.body())
        )
    })
}

/// One notification as the receiver got it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A merchant webhook endpoint on 127.0.0.1 that fails the first `fail_first` calls with 500.
pub(crate) struct Receiver {
    pub(crate) addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    calls: Arc<Mutex<u32>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub(crate) async fn start(fail_first: u32) -> Self {
        Self::start_with(
            fail_first,
            r#"{"returnCode":"SUCCESS","returnMessage":null}"#,
        )
        .await
    }

    /// Fails the first `fail_first` calls, then answers 200 with `reply`.
    pub(crate) async fn start_with(fail_first: u32, reply: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("receiver bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("receiver addr: {e}"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let calls = Arc::new(Mutex::new(0u32));
        let (r, c) = (Arc::clone(&received), Arc::clone(&calls));
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (r, c) = (Arc::clone(&r), Arc::clone(&c));
                let service = service_fn(move |request: Request<Incoming>| {
                    let (r, c) = (Arc::clone(&r), Arc::clone(&c));
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let call = {
                            let mut calls = c.lock().unwrap_or_else(|p| p.into_inner());
                            *calls += 1;
                            *calls
                        };
                        let response = if call <= fail_first {
                            Response::builder()
                                .status(500)
                                .body(Full::new(Bytes::from_static(b"try later")))
                        } else {
                            r.lock().unwrap_or_else(|p| p.into_inner()).push(Received {
                                headers: parts.headers,
                                body,
                            });
                            Response::builder()
                                .status(200)
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(reply.as_bytes())))
                        };
                        Ok::<_, Infallible>(
                            response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))),
                        )
                    }
                });
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            received,
            calls,
            task,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn calls(&self) -> u32 {
        *self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `n` notifications were accepted (bounded by [`LIMIT`]).
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + LIMIT;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} of {n} webhooks arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Waits until the sandbox's delivery log satisfies `done` (bounded by [`LIMIT`]).
pub(crate) async fn wait_deliveries(
    sandbox: &RunningSandbox,
    done: impl Fn(&[binancepay_sandbox::WebhookDelivery]) -> bool,
) -> Vec<binancepay_sandbox::WebhookDelivery> {
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let deliveries = sandbox.webhook_deliveries();
        if done(&deliveries) {
            return deliveries;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries never settled: {deliveries:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
