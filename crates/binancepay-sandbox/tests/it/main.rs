//! Integration tests: each starts its own sandbox on 127.0.0.1:0 and drives it over HTTP with
//! requests built and signed by binancepay-http.

mod areas;
mod auth;
mod certificates;
mod config;
mod dashboard;
mod endpoints;
mod faults;
mod fuzz_findings;
mod load;
mod lockdown;
mod orders;
mod refunds;
mod robustness;
mod shutdown;
mod support;
mod webhooks;
