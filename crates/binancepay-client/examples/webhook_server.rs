//! An axum server that receives Binance Pay webhooks, verifies them and answers.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=... BINANCEPAY_BASE_URL=http://127.0.0.1:8080
//! cargo run -p binancepay-client --example webhook_server -- 127.0.0.1:3000
//! ```
//!
//! The handler takes the raw body as `Bytes`: the signature covers the exact bytes Binance
//! sent, so the body must not be parsed (and re-serialised) before verification.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use binancepay_client::{Client, Processed, WebhookHandler};
use binancepay_types::webhook::Notification;

async fn receive(
    State(webhooks): State<WebhookHandler>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Verified, then acted on once per bizIdStr + bizStatus (Binance delivers at least once):
    // an Err asks Binance to deliver it again. With several replicas, give every handler one
    // shared store: `.with_dedup_store(Arc::new(RedisDedupStore::open(url)?))` (feature redis).
    let processed = webhooks
        .process(&headers, &body, |notification| async move {
            let key = notification.dedup_key();
            match &notification {
                Notification::Pay(pay) => println!(
                    "{key}: order {} {}",
                    pay.data.merchant_trade_no.as_deref().unwrap_or("?"),
                    notification.biz_status()
                ),
                other => println!("{key}: {} {}", other.biz_type(), other.biz_status()),
            }
            Ok::<(), std::io::Error>(())
        })
        .await;
    match &processed {
        Processed::Refused(refused) => eprintln!("{refused}"),
        Processed::Failed { error, .. } => eprintln!("not processed: {error}"),
        _ => {}
    }
    processed.response().map(Body::from)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let client = Client::from_env()?;
    let webhooks = client.webhooks();
    // Fetch the certificates now so the first notification does not wait for them.
    if let Err(error) = webhooks.refresh_certificates().await {
        eprintln!("certificates not fetched yet ({error}); will retry on the first webhook");
    }
    let app = Router::new()
        .route("/binancepay/webhook", post(receive))
        .with_state(webhooks);
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!(
        "listening on http://{}/binancepay/webhook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
