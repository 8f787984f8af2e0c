//! Shared inputs for the benchmarks.
#![forbid(unsafe_code)]

pub mod fixtures;
pub mod latency;
pub mod proc_stats;
