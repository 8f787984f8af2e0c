//! Integration tests of binancepay-http: canned responses, the V3 webhook vector, request →
//! authenticate round trips, and property tests of the parsers.

mod fuzz_regressions;
#[cfg(any(feature = "rsa", feature = "aws-lc"))]
mod new_certificate;
mod request;
mod response;
mod server;
mod spelling;
mod spellings;
mod support;
#[cfg(any(feature = "rsa", feature = "aws-lc"))]
mod webhook;
