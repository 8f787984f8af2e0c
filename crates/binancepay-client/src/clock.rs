//! The only place the client reads the time and draws nonces.

use std::time::{SystemTime, UNIX_EPOCH};

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

    /// Epoch milliseconds now, offset applied.
    ///
    /// A clock before 1970 reads as 0 and then fails [`Timestamp::from_millis`], which is
    /// what should happen: no request can be signed with it.
    pub(crate) fn now_millis(&self) -> u64 {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i128::try_from(d.as_millis()).unwrap_or(i128::MAX))
            .unwrap_or(0);
        let shifted = millis.saturating_add(i128::from(self.offset_ms));
        u64::try_from(shifted.max(0)).unwrap_or(u64::MAX)
    }

    /// A timestamp and a fresh nonce for one signature.
    pub(crate) fn stamp(&self) -> Result<(Timestamp, Nonce), binancepay_http::Error> {
        let timestamp =
            Timestamp::from_millis(self.now_millis()).map_err(binancepay_http::Error::Sign)?;
        let nonce = binancepay_http::fresh_nonce()?;
        Ok((timestamp, nonce))
    }

    /// The timestamp alone (webhook freshness).
    pub(crate) fn now(&self) -> Result<Timestamp, binancepay_sign::Error> {
        Timestamp::from_millis(self.now_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_shifts_the_clock() {
        let plain = Clock::default().now_millis();
        let ahead = Clock::with_offset_ms(60_000).now_millis();
        let behind = Clock::with_offset_ms(-60_000).now_millis();
        // The three reads are microseconds apart; a minute of offset dominates.
        assert!(ahead >= plain + 59_000, "{ahead} vs {plain}");
        assert!(behind + 59_000 <= plain, "{behind} vs {plain}");
    }

    #[test]
    fn an_absurd_offset_saturates_and_fails_cleanly() {
        assert_eq!(Clock::with_offset_ms(i64::MIN).now_millis(), 0);
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
