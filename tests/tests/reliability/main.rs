//! Reliability and security: faults on the wire with reconciliation, attacks on the webhook
//! handler, load with memory and webhook accounting, graceful shutdown, and `forbid(unsafe_code)`
//! everywhere (secrets in formatting and logs: `tests/logs/`). Every test is bounded in time and requests,
//! listens on 127.0.0.1 only and starts and stops its own servers.

mod faults;
mod load;
mod money;
mod reconcile_replicas;
mod unsafe_code;
mod webhook_attacks;
mod webhook_replicas;

/// The load run holds this exclusively, so its memory figures are its own; the fault runs
/// share it (their reconciliation copes with whatever timing contention causes).
pub(crate) static HEAVY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());
