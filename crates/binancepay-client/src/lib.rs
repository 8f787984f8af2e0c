#![doc = include_str!("../README.md")]
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
mod dedup;
#[cfg(feature = "redis")]
mod dedup_redis;
mod error;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics;
mod orders;
mod raw;
pub mod reconcile;
#[cfg(feature = "redis")]
mod reconcile_redis;
mod retry;
#[cfg(feature = "tower")]
mod service;
mod transport;
mod webhook;

pub use areas::{
    Certificates, Convert, DirectDebit, Orders, Payer, Payouts, ProfitSharing, Refunds, Reports,
    ShareInfo, SubMerchants, Tsp, Wallet,
};
pub use builder::{
    ClientBuilder, DEFAULT_CERTIFICATE_REFRESH_INTERVAL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL,
    MAX_DURATION,
};
pub use client::Client;
pub use dedup::{Claim, DedupStore, DedupStoreError, MemoryDedupStore, StoreFuture};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use dedup_redis::{DEFAULT_REDIS_PREFIX, RedisDedupStore};
pub use error::{ConfigError, Error, Lookup, Outcome, TransportKind};
pub use orders::{CreatedOrder, RecoveredOrder};
pub use raw::RawResponse;
pub use reconcile::{
    MemoryPendingStore, Pending, PendingStore, ReconcileError, Reconciler, RunningReconciler,
};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use reconcile_redis::{DEFAULT_PENDING_KEY, RedisPendingStore};
pub use retry::RetryPolicy;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use service::WebhookService;
pub use webhook::{
    DEFAULT_LEASE, DEFAULT_RETENTION, DEFAULT_STORE_TIMEOUT, Processed, VerifiedWebhook,
    WebhookHandler, WebhookHandlerError,
};

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
                RetryClass::Idempotent { key_field }
                    if matches!(endpoint.operation, "create_payout" | "transfer_fund") =>
                {
                    format!(
                        "after an attempt with an unknown outcome: looks it up by `{key_field}` and resends (same bytes) only if it does not exist; otherwise `Error::NotResent`"
                    )
                }
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
