//! Runs the built `binancepay` binary: the published signature vectors (reusing the data files
//! of binancepay-sign, `crates/binancepay-sign/tests/vectors/`), an in-process sandbox for the
//! API commands, and a capture server for the bytes on the wire.

mod capture;
mod cli;
mod demo;
mod payer_detail;
mod request;
mod run;
mod sandbox;
mod sign;
mod test_sandbox;
mod typed;
mod usage;
mod webhook_verify;
mod webhook_verify_new;
