#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod body;
mod clock;
mod context;
mod control;
mod credentials;
mod dashboard;
mod error;
mod faults;
mod guard;
mod ids;
mod money;
mod requests;
mod sandbox;
mod server;
mod state;
mod webhooks;

pub use clock::Clock;
pub use error::Error;
pub use faults::{Fault, FaultPlan, FaultRule};
pub use requests::RequestCounts;
pub use sandbox::{
    DEFAULT_KEY_BITS, DEFAULT_MAX_RETRIES, DEFAULT_TIME_WINDOW, RunningSandbox, Sandbox,
    SandboxBuilder, ShutdownReport,
};
pub use state::StateCounts;
pub use webhooks::{DeliveryAttempt, DeliveryStatus, WebhookDelivery};
