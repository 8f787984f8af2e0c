//! An axum server that receives Binance Pay webhooks, verifies them, acts on each once and
//! answers, with the webhook handler mounted as a `tower::Service` (feature `tower`); a
//! reconciler polls what the webhooks miss.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=... BINANCEPAY_BASE_URL=http://127.0.0.1:8080
//! cargo run -p binancepay-client --features tower --example webhook_server -- 127.0.0.1:3000
//! ```
//!
//! The service reads the raw body itself: the signature covers the exact bytes Binance sent,
//! so nothing may parse (and re-serialise) the body before verification.

use std::time::Duration;

use axum::Router;
use binancepay_client::{Client, Reconciler};
use binancepay_types::webhook::Notification;

/// The merchant's code, for webhooks and polls alike: an Err asks for the event again.
async fn fulfil(notification: Notification) -> Result<(), std::io::Error> {
    let key = notification.dedup_key();
    match &notification {
        Notification::Pay(pay) => println!(
            "{key}: order {} {}",
            pay.data.merchant_trade_no.as_deref().unwrap_or("?"),
            notification.biz_status()
        ),
        other => println!("{key}: {} {}", other.biz_type(), other.biz_status()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let client = Client::from_env()?;
    // With several replicas, give every one the same stores:
    // `.with_dedup_store(Arc::new(RedisDedupStore::open(url)?))` on the handler and
    // `.with_pending_store(Arc::new(RedisPendingStore::open(url)?))` on the reconciler.
    let reconciler = Reconciler::new(client.webhooks());
    let webhooks = reconciler.webhooks();
    // Fetch the certificates now so the first notification does not wait for them.
    if let Err(error) = webhooks.refresh_certificates().await {
        eprintln!("certificates not fetched yet ({error}); will retry on the first webhook");
    }
    // Register what you wait for: `reconciler.register(&Pending::order_by_trade_no(..)?)`,
    // or create through `reconciler.create_order_v3(..)`.
    let _running = reconciler.run(Duration::from_secs(1), fulfil);
    let app = Router::new().route_service("/binancepay/webhook", webhooks.into_service(fulfil));
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!(
        "listening on http://{}/binancepay/webhook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
