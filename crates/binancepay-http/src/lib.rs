//! Sans-I/O Binance Pay HTTP layer (work in progress).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
