//! [`WebhookService`]: a [`WebhookHandler`] as a `tower::Service` (feature `tower`), so it
//! mounts in axum (`Router::route_service`), hyper (through `hyper_util`'s
//! `TowerToHyperService`), tonic or any tower stack without glue.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use binancepay_http::webhook::DEFAULT_MAX_BODY_BYTES;
use binancepay_types::webhook::{Notification, WebhookReply};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Full, Limited};

use crate::webhook::WebhookHandler;

/// [`WebhookHandler::process`] as a `tower::Service<http::Request<B>>` (feature `tower`).
///
/// Every request is read whole (up to [`with_max_body_bytes`](Self::with_max_body_bytes),
/// 1 MiB by default: larger bodies are answered 413 unread), verified against those raw bytes,
/// and acted on once through the handler's [`DedupStore`](crate::DedupStore) with a clone of
/// the closure; the answer is [`Processed::response`](crate::Processed::response). Methods
/// other than `POST` are answered 405. The service never fails: every problem is an HTTP answer.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use binancepay_client::Client;
///
/// let webhooks = Client::from_env()?.webhooks();
/// let service = webhooks.into_service(|notification| async move {
///     // Fulfil the order; an Err makes Binance deliver it again.
///     println!("{}", notification.dedup_key());
///     Ok::<(), std::io::Error>(())
/// });
/// // axum: Router::new().route_service("/binancepay/webhook", service)
/// # let _ = service;
/// # Ok(()) }
/// ```
pub struct WebhookService<F> {
    handler: WebhookHandler,
    act: F,
    max_body_bytes: usize,
}

impl<F: Clone> Clone for WebhookService<F> {
    fn clone(&self) -> Self {
        WebhookService {
            handler: self.handler.clone(),
            act: self.act.clone(),
            max_body_bytes: self.max_body_bytes,
        }
    }
}

impl<F> fmt::Debug for WebhookService<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookService")
            .field("handler", &self.handler)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl WebhookHandler {
    /// This handler as a `tower::Service` that runs `act` once per notification (feature
    /// `tower`); see [`WebhookService`].
    pub fn into_service<F, Fut, E>(self, act: F) -> WebhookService<F>
    where
        F: Fn(Notification) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        WebhookService {
            handler: self,
            act,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl<F> WebhookService<F> {
    /// The largest body read (default 1 MiB, the verifier's own limit); a larger one is
    /// answered 413 without being read further.
    #[must_use]
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The handler this service runs.
    pub fn handler(&self) -> &WebhookHandler {
        &self.handler
    }
}

/// A `{"returnCode":"FAIL",…}` answer with `status`.
fn refuse(status: StatusCode, reason: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::from(WebhookReply::fail(reason).to_json()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

impl<B, F, Fut, E> tower_service::Service<Request<B>> for WebhookService<F>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    F: Fn(Notification) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Always ready: each request is its own task's worth of work, bounded by the store.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let handler = self.handler.clone();
        let act = self.act.clone();
        let max = self.max_body_bytes;
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            if parts.method != Method::POST {
                let mut response = refuse(StatusCode::METHOD_NOT_ALLOWED, "POST only");
                response
                    .headers_mut()
                    .insert(http::header::ALLOW, http::HeaderValue::from_static("POST"));
                return Ok(response);
            }
            let bytes = match Limited::new(body, max).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) => {
                    let too_large = error
                        .downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some();
                    return Ok(if too_large {
                        tracing::info!(reason = "body too large", "binancepay webhook refused");
                        refuse(StatusCode::PAYLOAD_TOO_LARGE, "malformed notification")
                    } else {
                        tracing::info!(reason = "body unreadable", "binancepay webhook refused");
                        refuse(StatusCode::BAD_REQUEST, "malformed notification")
                    });
                }
            };
            let processed = handler.process(&parts.headers, &bytes, act).await;
            Ok(processed.response().map(Full::from))
        })
    }
}
