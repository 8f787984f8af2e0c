//! The only place the client reads the time and draws nonces.

use binancepay_sign::{Nonce, Timestamp};

/// The system clock shifted by a fixed offset, for hosts whose clock is known to be off
/// (Binance documents a 1 s window for request timestamps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Clock {
    offset_ms: i64,
}

impl Clock {
    pub(crate) fn with_offset_ms(offset_ms: i64) -> Self {
        Clock { offset_ms }
    }

    /// A timestamp and a fresh nonce for one signature.
    pub(crate) fn stamp(&self) -> Result<(Timestamp, Nonce), binancepay_http::Error> {
        let timestamp = self.now().map_err(binancepay_http::Error::Sign)?;
        let nonce = binancepay_http::fresh_nonce()?;
        Ok((timestamp, nonce))
    }

    /// [`Timestamp::now`] with the offset applied: no request can be signed with a clock
    /// before 1970 or an offset that leaves the timestamp range.
    pub(crate) fn now(&self) -> Result<Timestamp, binancepay_sign::Error> {
        Timestamp::now()?.shifted(self.offset_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(clock: Clock) -> u64 {
        clock.now().map(Timestamp::as_millis).unwrap_or(0)
    }

    #[test]
    fn offset_shifts_the_clock() {
        let plain = millis(Clock::default());
        let ahead = millis(Clock::with_offset_ms(60_000));
        let behind = millis(Clock::with_offset_ms(-60_000));
        // The three reads are microseconds apart; a minute of offset dominates.
        assert!(ahead >= plain + 59_000, "{ahead} vs {plain}");
        assert!(behind + 59_000 <= plain, "{behind} vs {plain}");
    }

    #[test]
    fn an_absurd_offset_saturates_and_fails_cleanly() {
        assert!(Clock::with_offset_ms(i64::MIN).stamp().is_err());
        assert!(Clock::with_offset_ms(i64::MAX).stamp().is_err());
    }

    #[test]
    fn nonces_are_fresh() {
        let a = Clock::default().stamp().map(|(_, n)| n);
        let b = Clock::default().stamp().map(|(_, n)| n);
        assert!(matches!((&a, &b), (Ok(a), Ok(b)) if a != b), "{a:?} {b:?}");
    }
}
