//! Shared inputs for the benchmarks.
#![forbid(unsafe_code)]
