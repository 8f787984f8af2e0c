//! Binance Pay models.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
