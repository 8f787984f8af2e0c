//! `BinancePay-Timestamp`: epoch milliseconds, and the freshness check.

use core::fmt;
use core::str::FromStr;

use crate::Error;

/// Smallest accepted value: 10^11 ms is 1973-03-03. Any epoch-seconds value up to the year 5138
/// is below it, so seconds are caught instead of being sent and answered with `400003`.
const MIN_MILLIS: u64 = 100_000_000_000;
/// First rejected value: 10^14 ms is the year 5138. Microsecond or nanosecond values for any date
/// after 1973 are at or above it.
const MAX_MILLIS_EXCLUSIVE: u64 = 100_000_000_000_000;

/// A `BinancePay-Timestamp` value: Unix time in **milliseconds**.
///
/// The rule: values in `10^11..10^14` are accepted (1973-03-03 to the year 5138). Anything
/// smaller is epoch seconds ([`Error::TimestampInSeconds`]) and anything larger is micro- or
/// nanoseconds ([`Error::TimestampTooLarge`]); no date a merchant can send falls outside.
///
/// Signing never reads the clock: callers pass the time in, from [`Timestamp::now`] (feature
/// `std`) or from their own clock.
///
/// ```
/// use binancepay_sign::Timestamp;
///
/// let ts: Timestamp = "1611232922428".parse()?;
/// assert_eq!(ts.as_millis(), 1_611_232_922_428);
/// assert_eq!(ts.to_string(), "1611232922428");
/// assert!(Timestamp::from_millis(1_611_232_922).is_err()); // seconds
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// Wraps epoch milliseconds.
    ///
    /// # Errors
    /// [`Error::TimestampInSeconds`] below 10^11, [`Error::TimestampTooLarge`] at 10^14 or above.
    pub const fn from_millis(millis: u64) -> Result<Self, Error> {
        if millis < MIN_MILLIS {
            Err(Error::TimestampInSeconds { value: millis })
        } else if millis >= MAX_MILLIS_EXCLUSIVE {
            Err(Error::TimestampTooLarge { value: millis })
        } else {
            Ok(Self(millis))
        }
    }

    /// The system clock's time (feature `std`): the one place the workspace reads it for a
    /// signature.
    ///
    /// ```
    /// let now = binancepay_sign::Timestamp::now()?;
    /// assert!(now.as_millis() > 1_700_000_000_000);
    /// # Ok::<(), binancepay_sign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Clock`] if the clock reads before 1970; the range errors of
    /// [`Timestamp::from_millis`] if it is absurdly far off.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn now() -> Result<Self, Error> {
        let elapsed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| Error::Clock)?;
        Self::from_millis(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
    }

    /// This timestamp moved by `offset_ms` (negative: earlier), for a host whose clock is known
    /// to be off by that much.
    ///
    /// ```
    /// use binancepay_sign::Timestamp;
    /// let t = Timestamp::from_millis(1_700_000_000_000)?;
    /// assert_eq!(t.shifted(-1_000)?.as_millis(), 1_699_999_999_000);
    /// assert!(t.shifted(i64::MIN).is_err());
    /// # Ok::<(), binancepay_sign::Error>(())
    /// ```
    ///
    /// # Errors
    /// The range errors of [`Timestamp::from_millis`] when the result leaves the range.
    pub fn shifted(self, offset_ms: i64) -> Result<Self, Error> {
        let moved = i128::from(self.0).saturating_add(i128::from(offset_ms));
        Self::from_millis(u64::try_from(moved.max(0)).unwrap_or(u64::MAX))
    }

    /// Parses the decimal header text: ASCII digits only (no sign, no spaces).
    ///
    /// # Errors
    /// [`Error::TimestampSyntax`] for an empty string, any other byte than `0-9`, or a value that
    /// overflows `u64`; otherwise the range errors of [`Timestamp::from_millis`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.is_empty() {
            return Err(Error::TimestampSyntax);
        }
        let mut value: u64 = 0;
        for byte in text.bytes() {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return Err(Error::TimestampSyntax);
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit)))
                .ok_or(Error::TimestampSyntax)?;
        }
        Self::from_millis(value)
    }

    /// Epoch milliseconds.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Writes the decimal digits into `buf` and returns them, without allocating.
    ///
    /// Two digits per division: this runs on every signature, and a valid timestamp always has
    /// 12 to 14 digits.
    pub(crate) fn to_digits(self, buf: &mut [u8; 20]) -> &[u8] {
        let mut value = self.0;
        let mut start = buf.len();
        while value >= 100 && start >= 2 {
            // The casts keep remainders below 100 and 10.
            let pair = (value % 100) as u8;
            value /= 100;
            start -= 2;
            if let Some([tens, ones]) = buf.get_mut(start..start + 2) {
                *tens = b'0' + pair / 10;
                *ones = b'0' + pair % 10;
            }
        }
        while let Some(slot) = start.checked_sub(1).and_then(|i| buf.get_mut(i)) {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
            start -= 1;
            if value == 0 {
                break;
            }
        }
        buf.get(start..).unwrap_or_default()
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Checks that `timestamp` lies within `window_ms` of `now`, in either direction.
///
/// Binance documents a 1 s window for requests; a webhook receiver picks its own (minutes are
/// common, since Binance retries deliveries). The bound is inclusive.
///
/// ```
/// use binancepay_sign::{check_freshness, Error, Timestamp};
///
/// let now = Timestamp::from_millis(1_700_000_010_000)?;
/// let sent = Timestamp::from_millis(1_700_000_000_000)?;
/// assert!(check_freshness(now, sent, 60_000).is_ok());
/// assert_eq!(
///     check_freshness(now, sent, 1_000),
///     Err(Error::TimestampOutsideWindow { skew_ms: 10_000, window_ms: 1_000 })
/// );
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
/// [`Error::TimestampOutsideWindow`] carrying the signed skew `now - timestamp` in ms.
pub fn check_freshness(now: Timestamp, timestamp: Timestamp, window_ms: u64) -> Result<(), Error> {
    let skew = i128::from(now.0) - i128::from(timestamp.0);
    if skew.unsigned_abs() <= u128::from(window_ms) {
        Ok(())
    } else {
        let skew_ms = i64::try_from(skew).unwrap_or(if skew < 0 { i64::MIN } else { i64::MAX });
        Err(Error::TimestampOutsideWindow { skew_ms, window_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::{Timestamp, check_freshness};
    use crate::Error;
    use alloc::string::ToString;
    use proptest::prelude::*;

    #[test]
    fn range_edges() {
        assert_eq!(
            Timestamp::from_millis(99_999_999_999),
            Err(Error::TimestampInSeconds {
                value: 99_999_999_999
            })
        );
        assert!(Timestamp::from_millis(100_000_000_000).is_ok());
        assert!(Timestamp::from_millis(99_999_999_999_999).is_ok());
        assert_eq!(
            Timestamp::from_millis(100_000_000_000_000),
            Err(Error::TimestampTooLarge {
                value: 100_000_000_000_000
            })
        );
    }

    #[test]
    fn syntax() {
        for bad in [
            "",
            " 1611232922428",
            "1611232922428 ",
            "+1611232922428",
            "16112329224a8",
            "99999999999999999999999",
        ] {
            assert_eq!(
                Timestamp::parse(bad),
                Err(Error::TimestampSyntax),
                "{bad:?}"
            );
        }
        assert_eq!(
            Timestamp::parse("1636876819"),
            Err(Error::TimestampInSeconds {
                value: 1_636_876_819
            })
        );
        assert_eq!(
            Timestamp::parse("00001611232922428").map(Timestamp::as_millis),
            Ok(1_611_232_922_428)
        );
    }

    #[test]
    fn freshness_saturates() {
        let low = Timestamp::from_millis(100_000_000_000).unwrap_or_else(|_| unreachable!());
        let high = Timestamp::from_millis(99_999_999_999_999).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            check_freshness(low, high, 0),
            Err(Error::TimestampOutsideWindow {
                skew_ms: -99_899_999_999_999,
                window_ms: 0
            })
        );
        assert_eq!(check_freshness(high, high, 0), Ok(()));
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC*") {
            let _ = Timestamp::parse(&text);
        }

        #[test]
        fn display_round_trips(millis in 100_000_000_000u64..100_000_000_000_000) {
            let ts = Timestamp::from_millis(millis);
            prop_assert!(ts.is_ok());
            if let Ok(ts) = ts {
                let text = ts.to_string();
                let mut buf = [0u8; 20];
                prop_assert_eq!(ts.to_digits(&mut buf), text.as_bytes());
                prop_assert_eq!(Timestamp::parse(&text), Ok(ts));
            }
        }

        #[test]
        fn freshness_is_symmetric(a in 100_000_000_000u64..100_000_000_000_000,
                                  b in 100_000_000_000u64..100_000_000_000_000,
                                  window in any::<u64>()) {
            let (Ok(a), Ok(b)) = (Timestamp::from_millis(a), Timestamp::from_millis(b)) else {
                return Err(TestCaseError::fail("in range"));
            };
            prop_assert_eq!(check_freshness(a, b, window).is_ok(), check_freshness(b, a, window).is_ok());
            prop_assert_eq!(check_freshness(a, b, window).is_ok(), a.as_millis().abs_diff(b.as_millis()) <= window);
        }
    }
}
