//! Secrets in formatting and logs, in a test binary (and so a process) of its own: the test
//! captures `tracing` output with a scoped subscriber, and tracing caches per-callsite interest
//! process-wide, so tests registering callsites on other threads of the same process could make
//! it miss an event.

mod secrets;
