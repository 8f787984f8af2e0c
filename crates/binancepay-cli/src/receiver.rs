//! The demo's webhook endpoint: `POST /webhook` on a loopback port, each notification verified by
//! the client's `WebhookHandler` (RSA signature over the raw body, certificates fetched and
//! cached) and handed to the demo over a channel.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use binancepay_client::WebhookHandler;
use binancepay_types::webhook::Notification;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

/// Far above any notification; a larger body is refused before it is read.
const MAX_BODY: usize = 1024 * 1024;
const PATH: &str = "/webhook";

/// What arrived at the endpoint.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// A notification whose signature verified.
    Verified(Box<Notification>),
    /// A notification that was answered with an error, and why.
    Refused(String),
}

/// A running endpoint; dropping it stops it.
#[derive(Debug)]
pub(crate) struct WebhookReceiver {
    url: String,
    deliveries: mpsc::Receiver<Delivery>,
    server: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Binds `127.0.0.1:0` and serves until dropped.
    pub(crate) async fn start(handler: WebhookHandler) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let url = format!("http://{}{PATH}", listener.local_addr()?);
        let (sender, deliveries) = mpsc::channel(32);
        let server = tokio::spawn(serve(listener, handler, sender));
        Ok(Self {
            url,
            deliveries,
            server,
        })
    }

    /// The URL to give as `webhookUrl`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The next delivery, or `None` once the server has stopped.
    pub(crate) async fn next(&mut self) -> Option<Delivery> {
        self.deliveries.recv().await
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        // The accept loop owns the connection tasks: aborting it ends them too.
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, handler: WebhookHandler, sender: mpsc::Sender<Delivery>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors or similar: let the system recover instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        let handler = handler.clone();
        let sender = sender.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let handler = handler.clone();
                let sender = sender.clone();
                async move { Ok::<_, Infallible>(answer(request, &handler, &sender).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
}

async fn answer(
    request: Request<Incoming>,
    handler: &WebhookHandler,
    sender: &mpsc::Sender<Delivery>,
) -> Response<Full<Bytes>> {
    if request.method() != Method::POST || request.uri().path() != PATH {
        return plain(StatusCode::NOT_FOUND, "not found");
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
    };
    // The raw bytes, exactly as received, are what the signature covers.
    let (delivery, reply) = match handler.handle(&parts.headers, &body).await {
        Ok(verified) => {
            let reply = verified.reply();
            (
                Delivery::Verified(Box::new(verified.into_notification())),
                reply,
            )
        }
        Err(refused) => (Delivery::Refused(refused.to_string()), refused.response()),
    };
    // A full channel only means nobody is waiting for more; the answer still goes out.
    let _ = sender.try_send(delivery);
    reply.map(|bytes| Full::new(Bytes::from(bytes)))
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}
