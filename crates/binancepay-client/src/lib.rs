//! The Binance Pay merchant API over HTTPS: a thin async adapter on `reqwest`.
//!
//! All protocol logic lives in the pure crates (`binancepay-types` for the models,
//! `binancepay-http` for signed requests, response decoding and webhook verification); this
//! crate adds the network, the clock, randomness, retries and the webhook certificate cache.
//!
//! ```
//! use std::time::Duration;
//! use binancepay_client::{Client, ConfigError, Error, RetryPolicy};
//!
//! // One client per process: it is cheap to clone and shares its connection pool.
//! let client = Client::builder()
//!     .credentials("hx8wpbzmn5ftzkxfrzqwlvfsybadfdrxuzwxhjvbagbw6dmnafvffshpcfxgm2pj", "secret")
//!     .base_url("http://127.0.0.1:8080") // a local mock; production is the default
//!     .timeout(Duration::from_secs(5))
//!     .retry_policy(RetryPolicy::default().with_max_attempts(3))
//!     .build()?;
//! assert_eq!(client.base_url(), "http://127.0.0.1:8080");
//! let orders = client.orders(); // also refunds(), payouts(), wallet(), webhooks(), …
//! # let _ = orders;
//!
//! // Plain http:// is only for loopback hosts.
//! let refused = Client::builder()
//!     .credentials("abc123", "secret")
//!     .base_url("http://bpay.binanceapi.com")
//!     .build();
//! assert!(matches!(refused, Err(Error::Config(ConfigError::InsecureHttp { .. }))));
//! # Ok::<(), Error>(())
//! ```
//!
//! Creating an order and reading its checkout URL (credentials from `BINANCEPAY_API_KEY` and
//! `BINANCEPAY_API_SECRET`):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use binancepay_client::Client;
//! use binancepay_types::Amount;
//! use binancepay_types::order::{CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, TerminalType};
//!
//! let client = Client::from_env()?;
//! let goods = Goods::new(GoodsType::Virtual, GoodsCategory::GameAndRecharge, "gems100", "100 gems");
//! let request = CreateOrderV3Request::new(Env::new(TerminalType::Web), "A20261121x1", "100 gems", vec![goods])
//!     .with_currency("USDT")
//!     .with_order_amount(Amount::new("25.17")?);
//! match client.orders().create_v3(&request).await {
//!     Ok(order) => println!("pay at {:?}", order.checkout_url()),
//!     // Binance may have created it: query by merchantTradeNo before trying anything else.
//!     Err(e) if e.outcome_unknown() => eprintln!("unknown outcome: {e}"),
//!     Err(e) => eprintln!("not created: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! # Retries that never lose or duplicate money
//!
//! Every call is serialised once and signed over those bytes; each retry re-signs the **same
//! bytes** with a fresh timestamp and nonce. Attempts that fail with a connection error, a
//! timeout, HTTP 5xx/429 or a retryable result code (`400000`, `400003`, `50001`) are retried
//! with exponential backoff and jitter ([`RetryPolicy`]), within a total deadline, and only
//! as the endpoint's [`RetryClass`](binancepay_types::RetryClass) allows:
//!
//! - `query`: retried freely.
//! - `idempotent`: retried, and the resent bytes carry the same merchant idempotency key, so
//!   Binance cannot act twice. When a create-order retry is answered `400201` (duplicate
//!   `merchantTradeNo`) after an attempt whose outcome was unknown, the client queries the
//!   order by `merchantTradeNo` and returns it ([`CreatedOrder::Recovered`]) if amount and
//!   currency match, or fails with [`Error::OrderMismatch`].
//! - `unsafe`: retried only when the attempt certainly did nothing (no connection was made,
//!   or Binance refused it before acting, e.g. HTTP 429 or `400003`); never after it may have
//!   reached Binance.
//!
//! Every error says whether the outcome is known ([`Error::outcome`],
//! [`Error::outcome_unknown`]): a refusal that follows an unknown attempt is reported as
//! unknown, since it may be caused by that attempt.
//!
//! # Webhooks
//!
//! [`Client::webhooks`] returns a [`WebhookHandler`] that verifies notifications (RSA over the
//! raw body) with certificates it fetches through the client on first use, caches by serial,
//! and refreshes once (shared by concurrent requests, rate-limited) when a serial is unknown.
//! See `examples/webhook_server.rs` for an axum server.
//!
//! # Logging
//!
//! Each call is a `tracing` span `binancepay.call` (operation, retry class, attempts,
//! outcome) with one `binancepay.attempt` span per attempt (attempt, HTTP status, result code,
//! latency). Secrets, signatures, header values and bodies are never logged.
//!
//! # Features
//!
//! - `rustls` (default): TLS with rustls, whose aws-lc-rs also signs requests and verifies
//!   webhooks (`binancepay-sign`'s `aws-lc` backend, no extra build).
//! - `native-tls`: TLS with the platform library; signing and verification in pure Rust.
//! - `blocking`: [`blocking::Client`], the same API without `async`.
//!
#![doc = include_str!("retry_policy.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod areas;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod builder;
mod client;
mod clock;
mod error;
mod orders;
mod raw;
mod retry;
mod transport;
mod webhook;

pub use areas::{
    Certificates, Convert, DirectDebit, Orders, Payer, Payouts, ProfitSharing, Refunds, Reports,
    ShareInfo, SubMerchants, Tsp, Wallet,
};
pub use builder::{
    ClientBuilder, DEFAULT_CERTIFICATE_REFRESH_INTERVAL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL,
};
pub use client::Client;
pub use error::{ConfigError, Error, Outcome, TransportKind};
pub use orders::{CreatedOrder, RecoveredOrder};
pub use raw::RawResponse;
pub use retry::RetryPolicy;
pub use webhook::{VerifiedWebhook, WebhookHandler, WebhookHandlerError};

// The crates a caller needs alongside this one (reqwest is in the public API:
// `ClientBuilder::http_client`, `Error::Transport`).
pub use binancepay_http;
pub use binancepay_types;
pub use reqwest;

#[cfg(test)]
mod retry_policy_doc {
    //! `retry_policy.md` is generated from the endpoint table; this test keeps it current
    //! (locally it rewrites the file and fails once; with `CI` set it only fails).

    use std::fmt::Write as _;
    use std::path::Path;

    use binancepay_types::{ENDPOINTS, RetryClass};

    fn render() -> String {
        let mut out = String::from(
            "# Retry policy per endpoint\n\n\
             Generated from `binancepay_types::ENDPOINTS` by a test of this crate; do not edit.\n\n\
             | Operation | Path | Class | What the client does | Why |\n\
             |---|---|---|---|---|\n",
        );
        for endpoint in ENDPOINTS {
            let action = match endpoint.retry {
                RetryClass::Query => "retries on connection errors, timeouts, 5xx/429 and retryable codes".to_owned(),
                RetryClass::Idempotent { key_field } if endpoint.operation.starts_with("create_order") => format!(
                    "retries with the same `{key_field}`; `400201` after an unknown attempt: queries the order and returns it if amount and currency match"
                ),
                RetryClass::Idempotent { key_field } => {
                    format!("retries with the same `{key_field}` (same bytes)")
                }
                _ => "retries only if the attempt certainly did nothing (no connection, 429, `400003`)".to_owned(),
            };
            let path = endpoint.path.trim_start_matches("/binancepay/openapi");
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                endpoint.operation,
                path,
                endpoint.retry.as_str(),
                action,
                endpoint.retry_note.replace('|', "\\|").replace('\n', " ")
            );
        }
        out
    }

    #[test]
    fn retry_policy_doc_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/retry_policy.md");
        let expected = render();
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == expected {
            return;
        }
        let on_ci = std::env::var_os("CI").is_some();
        if !on_ci {
            let written = std::fs::write(&path, &expected);
            assert!(
                written.is_ok(),
                "cannot write {}: {written:?}",
                path.display()
            );
        }
        panic!(
            "src/retry_policy.md was out of date{}; run `cargo test -p binancepay-client retry_policy_doc` and commit it",
            if on_ci { "" } else { " (rewritten now)" }
        );
    }
}
