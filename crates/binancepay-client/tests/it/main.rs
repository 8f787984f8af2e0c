//! Integration tests of binancepay-client against a real HTTP server on 127.0.0.1:0.

mod support;

mod calls;
mod config;
mod limits;
#[cfg(feature = "metrics")]
mod metrics;
mod new_certificate;
mod orders;
mod reconcile;
#[cfg(feature = "tower")]
mod service;
mod spellings;
mod webhooks;

#[cfg(feature = "blocking")]
mod blocking;
