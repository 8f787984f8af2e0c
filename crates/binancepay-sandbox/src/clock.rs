//! The sandbox's business clock: the system clock plus an offset that tests move forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The clock that order expiry, quote expiry and every time field in responses and webhooks read.
///
/// It is the system clock plus an offset. Moving it forward ([`Clock::advance`], or
/// `POST /sandbox/clock/advance`) makes orders and quotes expire without waiting. The request
/// signature window is checked against the system clock itself
/// ([`Clock::system_now_ms`]), so clients that sign with their own clock keep working after
/// the sandbox clock moves.
///
/// Clones share the offset.
///
/// ```
/// use binancepay_sandbox::Clock;
///
/// let clock = Clock::new();
/// let before = clock.now_ms();
/// clock.advance(3_600_000);
/// assert!(clock.now_ms() >= before + 3_600_000);
/// assert_eq!(clock.offset_ms(), 3_600_000);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// A clock that reads the system time (offset 0).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Epoch milliseconds of the system clock, without the offset (0 if the clock reads before 1970).
    #[must_use]
    pub fn system_now_ms() -> u64 {
        binancepay_sign::Timestamp::now().map_or(0, binancepay_sign::Timestamp::as_millis)
    }

    /// Epoch milliseconds of the sandbox clock: system time plus the offset, saturating.
    #[must_use]
    pub fn now_ms(&self) -> u64 {
        let offset = self.offset_ms();
        let system = Self::system_now_ms();
        if offset >= 0 {
            system.saturating_add(offset.unsigned_abs())
        } else {
            system.saturating_sub(offset.unsigned_abs())
        }
    }

    /// Moves the clock forward by `millis` and returns the new offset (saturating at `i64::MAX`).
    pub fn advance(&self, millis: u64) -> i64 {
        let step = i64::try_from(millis).unwrap_or(i64::MAX);
        let previous = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(step))
            })
            // The closure always returns Some, so this is the Ok value either way.
            .unwrap_or_else(|o| o);
        previous.saturating_add(step)
    }

    /// Sets the offset from the system clock, in milliseconds (negative moves the clock back).
    pub fn set_offset_ms(&self, offset_ms: i64) {
        self.offset_ms.store(offset_ms, Ordering::SeqCst);
    }

    /// The current offset from the system clock, in milliseconds.
    #[must_use]
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn advance_accumulates_and_saturates() {
        let clock = Clock::new();
        assert_eq!(clock.advance(10), 10);
        assert_eq!(clock.advance(5), 15);
        assert_eq!(clock.advance(u64::MAX), i64::MAX);
        let before = Clock::system_now_ms();
        assert!(clock.now_ms() >= before.saturating_add(i64::MAX.unsigned_abs()));
    }

    #[test]
    fn clones_share_the_offset_and_negative_offsets_move_back() {
        let clock = Clock::new();
        let other = clock.clone();
        other.set_offset_ms(-1_000);
        assert_eq!(clock.offset_ms(), -1_000);
        assert!(clock.now_ms() <= Clock::system_now_ms());
    }
}
