//! Async Binance Pay merchant API client (work in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
