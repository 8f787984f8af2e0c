//! What the client records through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`): install any exporter (Prometheus, OpenTelemetry, StatsD…) as the global
//! recorder and these series appear; without one, recording costs a few atomic loads.
//!
//! | Name | Kind | Labels | What |
//! |---|---|---|---|
//! | `binancepay_calls_total` | counter | `operation`, `outcome` | calls made, by how they ended |
//! | `binancepay_call_attempts_total` | counter | `operation` | attempts sent (first ones and retries) |
//! | `binancepay_call_retries_total` | counter | `operation` | attempts after the first |
//! | `binancepay_call_duration_seconds` | histogram | `operation`, `outcome` | time from the first attempt to the end, retries and waits included |
//! | `binancepay_webhooks_total` | counter | `verdict` | webhook deliveries by what [`WebhookHandler::process`](crate::WebhookHandler::process) did |
//! | `binancepay_store_errors_total` | counter | `store`, `operation` | store operations that failed or timed out |
//! | `binancepay_reconciler_polls_total` | counter | `kind`, `result` | reconciler queries, by object kind and what they found |
//! | `binancepay_reconciler_finds_total` | counter | `kind`, `verdict` | final statuses the reconciler found, by what acting on them did |
//! | `binancepay_reconciler_pending` | gauge | (none) | objects the reconciler waits for (as last listed by this process) |
//!
//! Label values come from small fixed sets, never from ids, amounts, keys, secrets or
//! personal data:
//!
//! - `operation`: an endpoint's operation name from
//!   [`ENDPOINTS`](binancepay_types::ENDPOINTS) (e.g. `create_order_v3`, `query_order_v2`), or
//!   `unknown_path` for a raw call to a path this version does not know.
//! - `outcome`: `succeeded`; `rejected` (Binance refused; it did nothing); `not_sent`;
//!   `unknown` (it may have acted); `unusable` (it acted but the answer did not decode).
//! - `verdict` (webhooks): `acted`, `duplicate` (already done), `in_progress` (another
//!   delivery holds it), `failed` (the merchant's code returned an error or panicked),
//!   `refused` (not verified), `unavailable` (the store could not be reached),
//!   `unrecorded` (acted, but not yet recorded).
//! - `store`: `dedup` or `pending`; `operation` there: `claim`, `renew`, `complete`,
//!   `release`, `add`, `remove`, `list`.
//! - `kind`: `order`, `refund`, `payout`; `result` (polls): `final`, `not_final`,
//!   `unknown_id`, `error`; `verdict` (finds) as for webhooks.
//!
//! Without the feature every function here compiles to nothing.

// The functions are called from the client, the webhook handler and the reconciler; with the
// feature off they are empty so the call sites need no `cfg`.
#![cfg_attr(
    not(feature = "metrics"),
    allow(dead_code, unused_variables, unreachable_pub)
)]

use std::time::Duration;

/// `binancepay_calls_total`.
pub const CALLS: &str = "binancepay_calls_total";
/// `binancepay_call_attempts_total`.
pub const ATTEMPTS: &str = "binancepay_call_attempts_total";
/// `binancepay_call_retries_total`.
pub const RETRIES: &str = "binancepay_call_retries_total";
/// `binancepay_call_duration_seconds`.
pub const CALL_DURATION: &str = "binancepay_call_duration_seconds";
/// `binancepay_webhooks_total`.
pub const WEBHOOKS: &str = "binancepay_webhooks_total";
/// `binancepay_store_errors_total`.
pub const STORE_ERRORS: &str = "binancepay_store_errors_total";
/// `binancepay_reconciler_polls_total`.
pub const RECONCILER_POLLS: &str = "binancepay_reconciler_polls_total";
/// `binancepay_reconciler_finds_total`.
pub const RECONCILER_FINDS: &str = "binancepay_reconciler_finds_total";
/// `binancepay_reconciler_pending`.
pub const RECONCILER_PENDING: &str = "binancepay_reconciler_pending";

/// Describes every series once (units and help text), for exporters that show them; safe to
/// call more than once.
#[cfg(feature = "metrics")]
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        CALLS,
        Unit::Count,
        "Binance Pay API calls by operation and outcome"
    );
    describe_counter!(
        ATTEMPTS,
        Unit::Count,
        "HTTP attempts sent for Binance Pay calls"
    );
    describe_counter!(
        RETRIES,
        Unit::Count,
        "attempts after the first of a Binance Pay call"
    );
    describe_histogram!(
        CALL_DURATION,
        Unit::Seconds,
        "time of a Binance Pay call, retries included"
    );
    describe_counter!(
        WEBHOOKS,
        Unit::Count,
        "Binance Pay webhook deliveries by verdict"
    );
    describe_counter!(
        STORE_ERRORS,
        Unit::Count,
        "deduplication and pending store operations that failed"
    );
    describe_counter!(
        RECONCILER_POLLS,
        Unit::Count,
        "reconciler queries by object kind and result"
    );
    describe_counter!(
        RECONCILER_FINDS,
        Unit::Count,
        "final statuses found by the reconciler, by verdict"
    );
    describe_gauge!(
        RECONCILER_PENDING,
        Unit::Count,
        "objects the reconciler waits for"
    );
}

/// One call ended after `attempts` attempts and `elapsed`.
pub(crate) fn call_ended(
    operation: &'static str,
    outcome: &'static str,
    attempts: u32,
    elapsed: Duration,
) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!(CALLS, "operation" => operation, "outcome" => outcome).increment(1);
        metrics::counter!(ATTEMPTS, "operation" => operation).increment(u64::from(attempts));
        metrics::counter!(RETRIES, "operation" => operation)
            .increment(u64::from(attempts.saturating_sub(1)));
        metrics::histogram!(CALL_DURATION, "operation" => operation, "outcome" => outcome)
            .record(elapsed.as_secs_f64());
    }
}

/// A webhook delivery ended with `verdict`.
pub(crate) fn webhook(verdict: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(WEBHOOKS, "verdict" => verdict).increment(1);
}

/// A store operation failed or timed out.
pub(crate) fn store_error(store: &'static str, operation: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(STORE_ERRORS, "store" => store, "operation" => operation).increment(1);
}

/// The reconciler queried an object of `kind`.
pub(crate) fn poll(kind: &'static str, result: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(RECONCILER_POLLS, "kind" => kind, "result" => result).increment(1);
}

/// The reconciler found a final status and handed it over with `verdict`.
pub(crate) fn find(kind: &'static str, verdict: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(RECONCILER_FINDS, "kind" => kind, "verdict" => verdict).increment(1);
}

/// The reconciler saw `count` pending objects.
pub(crate) fn pending(count: usize) {
    #[cfg(feature = "metrics")]
    metrics::gauge!(RECONCILER_PENDING).set(count as f64);
}

/// The `verdict` label of a webhook delivery or a reconciler find.
pub(crate) fn verdict<E>(processed: &crate::Processed<E>) -> &'static str {
    use crate::Processed;
    match processed {
        Processed::Acted(_) => "acted",
        Processed::AlreadyDone(_) => "duplicate",
        Processed::InProgress(_) => "in_progress",
        Processed::Failed { .. } | Processed::Aborted(_) => "failed",
        Processed::Refused(_) => "refused",
        Processed::StoreUnavailable(_) => "unavailable",
        Processed::Unrecorded { .. } => "unrecorded",
    }
}
