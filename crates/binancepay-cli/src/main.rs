//! The `binancepay` command.
#![forbid(unsafe_code)]
fn main() {}
