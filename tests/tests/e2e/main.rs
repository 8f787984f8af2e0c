//! End to end: `binancepay-client` against `binancepay-sandbox` on 127.0.0.1 ephemeral ports,
//! with merchant webhook endpoints built on the client's `WebhookHandler`. Each test starts
//! and stops its own servers and runs under a timeout.

mod auth;
mod concurrency;
mod conformance;
mod endpoints;
mod new_certificate;
mod orders;
mod refunds;
mod webhooks;
