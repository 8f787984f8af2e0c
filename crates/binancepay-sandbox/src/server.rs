//! The HTTP/1 server: accepts connections, reads bodies with a limit, routes to the control API
//! or the Binance API, applies fault injection, and shuts down gracefully.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use binancepay_http::server::fail_response;
use binancepay_types::ResultCode;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::api::{Api, cloudfront_403};
use crate::body::SandboxBody;
use crate::control;
use crate::faults::{Fault, FaultState};
use crate::guard::Guard;
use crate::requests::RequestLog;

/// Largest accepted request body; larger ones answer `400104` (the limit is not documented).
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a connection needs: the API, the fault plan, the request log and the control
/// API's guard.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api: Api,
    faults: Mutex<FaultState>,
    pub(crate) requests: RequestLog,
    pub(crate) guard: Guard,
}

impl Shared {
    pub(crate) fn new(api: Api, faults: FaultState, guard: Guard) -> Self {
        Self {
            api,
            faults: Mutex::new(faults),
            requests: RequestLog::default(),
            guard,
        }
    }

    pub(crate) fn lock_faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Returned to hyper to close the connection without an answer (a dropped connection).
#[derive(Debug)]
pub(crate) struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until `shutdown` turns true, then lets in-flight requests finish
/// (within `drain`) and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Accept errors (e.g. too many open files) are transient; back off briefly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                let service = service_fn(move |request| {
                    let shared = Arc::clone(&shared);
                    async move { respond(shared, request).await }
                });
                let mut builder = http1::Builder::new();
                builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // Errors here are clients going away or injected drops; nothing to report.
                    let _ = connection.await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
}

/// One request: control routes first, then faults, then the Binance API.
async fn respond(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<SandboxBody>, Dropped> {
    let path = request.uri().path().to_owned();
    if path == "/sandbox" || path.starts_with("/sandbox/") {
        let method = request.method().clone();
        // Before the body is read: a refused request costs nothing.
        if let Err(refusal) = shared
            .guard
            .check(&method, request.uri(), request.headers())
        {
            return Ok(finish(control::forbidden(&refusal)));
        }
        let body = match read_body(request.into_body()).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => return Ok(finish(error_too_large())),
            Err(BodyError::Broken) => return Err(Dropped),
        };
        if method == http::Method::POST && path == "/sandbox/certificates/rotate" {
            return Ok(finish(control::rotate(&shared, &body).await));
        }
        return Ok(finish(control::handle(&shared, &method, &path, &body)));
    }

    let signature = request
        .headers()
        .get(binancepay_http::BINANCEPAY_SIGNATURE)
        .map(HeaderValue::as_bytes);
    shared.requests.record(&path, signature);
    let decision = shared.lock_faults().decide(&path);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.fault {
        Some(Fault::DropBeforeAction) => return Err(Dropped),
        Some(Fault::ServerError { status }) => return Ok(finish(server_error(status))),
        Some(Fault::Html403) => return Ok(finish(cloudfront_403())),
        Some(Fault::RestrictedLocation) => return Ok(finish(restricted_location())),
        _ => {}
    }

    let (parts, body) = request.into_parts();
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return Ok(finish(error_too_large())),
        Err(BodyError::Broken) => return Err(Dropped),
    };
    let request = Request::from_parts(parts, body);
    let response = match decision.fault {
        Some(Fault::SlowAction { ms }) => match shared.api.admit(&request) {
            Ok(arrived) => {
                // The effect happens later in a task of its own, so it happens even when the
                // client has hung up; until then the state holds no trace of it.
                let (reply, answer) = tokio::sync::oneshot::channel();
                let slow = Arc::clone(&shared);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    let _ = reply.send(slow.api.handle_at(&request, arrived));
                });
                answer.await.map_err(|_| Dropped)?
            }
            Err(refused) => *refused,
        },
        _ => shared.api.handle(&request),
    };

    match decision.fault {
        Some(Fault::DropAfterAction) => Err(Dropped),
        Some(Fault::TruncatedBody) => {
            let (mut parts, body) = response.into_parts();
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
            Ok(Response::from_parts(parts, SandboxBody::truncated(&body)))
        }
        Some(Fault::MalformedBody) => {
            let (mut parts, body) = response.into_parts();
            parts.status = StatusCode::OK;
            // The first part of a real answer followed by bytes no JSON parser accepts.
            let mut garbage = body.get(..body.len() / 2).unwrap_or_default().to_vec();
            garbage.extend_from_slice(b"\x00<<not json>>");
            parts
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Ok(Response::from_parts(parts, SandboxBody::full(garbage)))
        }
        _ => Ok(finish(response)),
    }
}

enum BodyError {
    TooLarge,
    Broken,
}

async fn read_body(body: Incoming) -> Result<Bytes, BodyError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Broken),
    }
}

fn error_too_large() -> Response<Vec<u8>> {
    fail_response(
        ResultCode::InvalidRequestTooLarge.code(),
        &format!("request body: larger than {MAX_BODY_BYTES} bytes"),
    )
}

fn server_error(status: u16) -> Response<Vec<u8>> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let body = format!(
        "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>\n"
    );
    let mut response = Response::new(body.into_bytes());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// What Binance answers a request from a restricted country: a zero code with a refusal text,
/// no `status` and no `data` (reported by users of Binance's own connectors; the HTTP status is
/// the one its other APIs use for this answer).
fn restricted_location() -> Response<Vec<u8>> {
    const BODY: &str = r#"{"code":0,"msg":"Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error."}"#;
    let mut response = Response::new(BODY.as_bytes().to_vec());
    *response.status_mut() = StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn finish(response: Response<Vec<u8>>) -> Response<SandboxBody> {
    response.map(SandboxBody::full)
}
