//! Runs the built `binancepay` binary on the published vectors, reusing the data files of
//! binancepay-sign (`crates/binancepay-sign/tests/vectors/`).

mod run;
mod sign;
mod webhook_verify;
