//! An actix-web server that receives Binance Pay webhooks, verifies them and acts on each once.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=... BINANCEPAY_BASE_URL=http://127.0.0.1:8080
//! cargo run --manifest-path crates/binancepay-client/examples/actix-webhook/Cargo.toml -- 127.0.0.1:3000
//! ```
//!
//! actix-web is not a tower framework and has its own `http` types, so it cannot mount
//! `WebhookService`; the handler is two calls instead. What matters is the body: take it as
//! `web::Bytes` (the raw bytes, exactly as sent: the signature covers them), never as
//! `web::Json<…>` (parsed and re-serialised, it no longer verifies); and read the headers as
//! `(name, value)` pairs.

#![forbid(unsafe_code)]

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, post, web};
use binancepay_client::{Client, Processed, WebhookHandler};
use binancepay_http::webhook::WebhookHeaders;
use binancepay_types::webhook::Notification;

/// The merchant's code: an Err asks Binance to deliver it again.
async fn fulfil(notification: Notification) -> Result<(), std::io::Error> {
    println!(
        "{}: {} {}",
        notification.dedup_key(),
        notification.biz_type(),
        notification.biz_status()
    );
    Ok(())
}

#[post("/binancepay/webhook")]
async fn receive(
    webhooks: web::Data<WebhookHandler>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    // Header values that are not text are skipped: the verifier then names the missing one.
    let pairs = request
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
    let processed = match WebhookHeaders::from_pairs(pairs) {
        Ok(headers) => match webhooks.handle_headers(&headers, &body).await {
            Ok(verified) => webhooks.process_verified(verified, fulfil).await,
            Err(refused) => Processed::Refused(refused),
        },
        Err(refused) => Processed::Refused(refused.into()),
    };
    if let Processed::Refused(refused) = &processed {
        eprintln!("{refused}");
    }
    let answer = processed.response();
    let status =
        StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type("application/json")
        .body(answer.into_body())
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let webhooks = Client::from_env()?.webhooks();
    if let Err(error) = webhooks.refresh_certificates().await {
        eprintln!("certificates not fetched yet ({error}); will retry on the first webhook");
    }
    let webhooks = web::Data::new(webhooks);
    println!("listening on http://{address}/binancepay/webhook");
    HttpServer::new(move || App::new().app_data(webhooks.clone()).service(receive))
        .bind(&address)?
        .run()
        .await?;
    Ok(())
}
