//! A local server that behaves like the Binance Pay merchant API, so integrations can be tested
//! without real money: same paths, envelope, result codes, signature checks and validation
//! limits, state with Binance's rules, and RSA-signed webhooks with retries.
//!
//! DOC_EXAMPLE
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod body;
mod clock;
mod control;
mod credentials;
mod error;
mod faults;
mod money;
mod sandbox;
mod server;
mod state;
mod webhooks;

pub use clock::Clock;
pub use error::Error;
pub use faults::{Fault, FaultPlan, FaultRule};
pub use sandbox::{
    DEFAULT_KEY_BITS, DEFAULT_MAX_RETRIES, DEFAULT_TIME_WINDOW, RunningSandbox, Sandbox,
    SandboxBuilder, ShutdownReport,
};
pub use state::StateCounts;
pub use webhooks::{DeliveryStatus, WebhookDelivery};
