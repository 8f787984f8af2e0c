//! Integration tests of binancepay-sign: every published vector, driven from `tests/vectors/`.

mod data;
#[cfg(feature = "payer-detail")]
mod payer_detail;
#[cfg(feature = "signing")]
mod signing;
mod vectors;
#[cfg(any(feature = "rsa", feature = "aws-lc"))]
mod webhook;
