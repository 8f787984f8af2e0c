//! When a failed attempt is tried again, and how long the client waits first.

use std::time::Duration;

use binancepay_types::RetryClass;

use crate::error::Outcome;

/// How many attempts a call may make and how long to wait between them.
///
/// Waits grow exponentially from `initial_backoff`, capped at `max_backoff`, with "equal
/// jitter" (a random wait between half the step and the step) so that many clients failing
/// together do not retry together. Whether an attempt is retried at all depends on the
/// endpoint's [`RetryClass`]; see the crate docs.
///
/// ```
/// use std::time::Duration;
/// use binancepay_client::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(4)
///     .with_initial_backoff(Duration::from_millis(100))
///     .with_max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.max_attempts(), 4);
/// // The wait before the second attempt lies in [50 ms, 100 ms].
/// let wait = policy.backoff(1, 12345);
/// assert!(wait >= Duration::from_millis(50) && wait <= Duration::from_millis(100));
/// assert_eq!(RetryPolicy::never().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, waits from 200 ms up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// One attempt only: never retry.
    pub fn never() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Sets the total number of attempts, the first one included (0 counts as 1).
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the step of the first wait.
    #[must_use]
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Sets the largest step; a server's `Retry-After` is capped at it too.
    #[must_use]
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Both waits at most `max`, so that adding a wait to an instant cannot overflow.
    pub(crate) fn clamped(self, max: Duration) -> Self {
        RetryPolicy {
            initial_backoff: self.initial_backoff.min(max),
            max_backoff: self.max_backoff.min(max),
            ..self
        }
    }

    /// The total number of attempts a call may make.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The step of the first wait.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest step, and the cap on a server's `Retry-After`.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The wait before retry number `retry` (1 = before the second attempt), given a random
    /// value: a duration in `[step / 2, step]` where `step = min(max, initial * 2^(retry-1))`.
    pub fn backoff(&self, retry: u32, random: u64) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let step = self
            .initial_backoff
            .checked_mul(1u32 << exponent)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        let step_nanos = step.as_nanos();
        let half = step_nanos / 2;
        let spread = step_nanos - half;
        let jitter = u128::from(random) % (spread + 1);
        let nanos = half + jitter;
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The wait before retry number `retry`: the [`backoff`](Self::backoff), or the server's
    /// `Retry-After` if longer, honoured up to [`max_backoff`](Self::max_backoff).
    ///
    /// ```
    /// use std::time::Duration;
    /// use binancepay_client::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default()
    ///     .with_initial_backoff(Duration::from_millis(10))
    ///     .with_max_backoff(Duration::from_secs(2));
    /// assert_eq!(policy.wait(1, 0, Some(Duration::from_secs(1))), Duration::from_secs(1));
    /// assert_eq!(policy.wait(1, 0, Some(Duration::from_secs(60))), Duration::from_secs(2));
    /// assert!(policy.wait(1, 0, None) <= Duration::from_millis(10));
    /// ```
    pub fn wait(&self, retry: u32, random: u64, retry_after: Option<Duration>) -> Duration {
        let backoff = self.backoff(retry, random);
        match retry_after {
            Some(server) => backoff.max(server.min(self.max_backoff)),
            None => backoff,
        }
    }

    /// A `Retry-After` header given in seconds; the HTTP-date form is ignored, as it needs a
    /// trusted clock.
    ///
    /// ```
    /// use std::time::Duration;
    /// use binancepay_client::RetryPolicy;
    /// use http::{HeaderMap, HeaderValue, header::RETRY_AFTER};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
    /// assert_eq!(RetryPolicy::retry_after(&headers), Some(Duration::from_secs(3)));
    /// headers.insert(RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
    /// assert_eq!(RetryPolicy::retry_after(&headers), None);
    /// ```
    pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
        let text = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
        text.trim().parse::<u64>().ok().map(Duration::from_secs)
    }

    /// Whether an attempt that ended with `outcome` may be sent again to an endpoint of
    /// `class`: the rule every call of this crate follows, for callers that send signed
    /// requests themselves.
    ///
    /// Queries and idempotent requests (same key, same bytes) may be resent unless they
    /// succeeded; anything else only when the attempt certainly did nothing: it was not sent,
    /// or Binance refused it before acting. Pass the class from
    /// [`effective_class`](Self::effective_class). Whether the failure is worth another try at
    /// all (a connection error, a timeout, HTTP 5xx/429, a retryable result code) and whether
    /// attempts and time are left are separate questions.
    ///
    /// ```
    /// use binancepay_client::{Outcome, RetryPolicy};
    /// use binancepay_types::RetryClass;
    ///
    /// // A query may be resent after a timeout; an order close may not, as it may have acted.
    /// assert!(RetryPolicy::permits(RetryClass::Query, Outcome::Unknown));
    /// assert!(!RetryPolicy::permits(RetryClass::Unsafe, Outcome::Unknown));
    /// // Nothing happened at Binance: any request may go again.
    /// assert!(RetryPolicy::permits(RetryClass::Unsafe, Outcome::NotSent));
    /// assert!(RetryPolicy::permits(RetryClass::Unsafe, Outcome::Rejected));
    /// // Done is done.
    /// assert!(!RetryPolicy::permits(RetryClass::Query, Outcome::Succeeded));
    /// ```
    pub fn permits(class: RetryClass, outcome: Outcome) -> bool {
        match class {
            RetryClass::Query | RetryClass::Idempotent { .. } => outcome != Outcome::Succeeded,
            _ => matches!(outcome, Outcome::NotSent | Outcome::Rejected),
        }
    }

    /// The retry class a request really has, given the value of its endpoint's idempotency key
    /// field: an idempotent endpoint can rely on its key only when the request carries one
    /// (`Some` non-empty text), and is treated as [`RetryClass::Unsafe`] otherwise. Other
    /// classes are returned as they are.
    ///
    /// ```
    /// use binancepay_client::RetryPolicy;
    /// use binancepay_types::{RetryClass, endpoint_by_path};
    ///
    /// let refund = endpoint_by_path("/binancepay/openapi/order/refund").map(|e| e.retry);
    /// let class = RetryClass::Idempotent { key_field: "refundRequestId" };
    /// assert_eq!(refund, Some(class));
    /// assert_eq!(RetryPolicy::effective_class(class, Some("r-1")), class);
    /// assert_eq!(RetryPolicy::effective_class(class, Some("")), RetryClass::Unsafe);
    /// assert_eq!(RetryPolicy::effective_class(class, None), RetryClass::Unsafe);
    /// assert_eq!(RetryPolicy::effective_class(RetryClass::Query, None), RetryClass::Query);
    /// ```
    pub fn effective_class(class: RetryClass, idempotency_key: Option<&str>) -> RetryClass {
        match class {
            RetryClass::Idempotent { .. } if idempotency_key.is_none_or(str::is_empty) => {
                RetryClass::Unsafe
            }
            other => other,
        }
    }
}

/// 64 random bits for jitter; a failing OS RNG only costs the jitter, never the call.
pub(crate) fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::RETRY_AFTER;
    use http::{HeaderMap, HeaderValue};
    use proptest::prelude::*;

    fn permits(class: RetryClass, outcome: Outcome) -> bool {
        RetryPolicy::permits(class, outcome)
    }

    fn effective_class(class: RetryClass, key: Option<&str>) -> RetryClass {
        RetryPolicy::effective_class(class, key)
    }

    const ALL_OUTCOMES: [Outcome; 4] = [
        Outcome::NotSent,
        Outcome::Rejected,
        Outcome::Succeeded,
        Outcome::Unknown,
    ];

    #[test]
    fn unsafe_requests_are_retried_only_when_nothing_happened() {
        let unsafe_class = RetryClass::Unsafe;
        assert!(permits(unsafe_class, Outcome::NotSent));
        assert!(permits(unsafe_class, Outcome::Rejected));
        assert!(!permits(unsafe_class, Outcome::Unknown));
        assert!(!permits(unsafe_class, Outcome::Succeeded));
    }

    #[test]
    fn queries_and_idempotent_requests_are_retried_unless_done() {
        let key = RetryClass::Idempotent {
            key_field: "refundRequestId",
        };
        for class in [RetryClass::Query, key] {
            for outcome in ALL_OUTCOMES {
                assert_eq!(permits(class, outcome), outcome != Outcome::Succeeded);
            }
        }
    }

    #[test]
    fn a_missing_key_makes_the_request_unsafe() {
        let class = RetryClass::Idempotent {
            key_field: "requestId",
        };
        assert_eq!(effective_class(class, None), RetryClass::Unsafe);
        assert_eq!(effective_class(class, Some("")), RetryClass::Unsafe);
        assert_eq!(effective_class(class, Some("r1")), class);
        assert_eq!(effective_class(RetryClass::Query, None), RetryClass::Query);
    }

    #[test]
    fn steps_double_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(350));
        // random = u64::MAX % (spread + 1) is not the maximum; use the spread itself.
        let top = |retry| {
            let step = [100u64, 200, 350, 350][retry as usize - 1];
            policy.backoff(retry, step * 1_000_000 - step * 500_000)
        };
        assert_eq!(top(1), Duration::from_millis(100));
        assert_eq!(top(2), Duration::from_millis(200));
        assert_eq!(top(3), Duration::from_millis(350));
        assert_eq!(top(4), Duration::from_millis(350));
        assert_eq!(policy.backoff(1, 0), Duration::from_millis(50));
    }

    #[test]
    fn huge_waits_do_not_overflow() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        let server = Some(Duration::from_secs(u64::MAX));
        for retry in [1, 2, 31, 32, u32::MAX] {
            let _ = policy.wait(retry, u64::MAX, server);
        }
        let clamped = policy.clamped(Duration::from_secs(60));
        assert_eq!(clamped.max_backoff(), Duration::from_secs(60));
        assert_eq!(clamped.wait(3, 0, server), Duration::from_secs(60));
    }

    #[test]
    fn zero_attempts_means_one() {
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
    }

    proptest! {
        #[test]
        fn backoff_stays_within_half_step_and_step(
            initial_ms in 0u64..10_000,
            max_ms in 0u64..100_000,
            retry in 0u32..200,
            random in any::<u64>(),
        ) {
            let policy = RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(initial_ms))
                .with_max_backoff(Duration::from_millis(max_ms));
            let exponent = retry.saturating_sub(1).min(31);
            let step = u128::from(initial_ms)
                .saturating_mul(1u128 << exponent)
                .min(u128::from(max_ms));
            let wait = policy.backoff(retry, random).as_nanos();
            let step_nanos = step * 1_000_000;
            prop_assert!(wait <= step_nanos);
            prop_assert!(wait >= step_nanos / 2);
        }
    }

    proptest! {
        #[test]
        fn retry_after_never_panics_and_reads_plain_seconds(text in "[ -~]{0,24}") {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&text) {
                headers.insert(RETRY_AFTER, value);
                let expected = text.trim().parse::<u64>().ok().map(Duration::from_secs);
                prop_assert_eq!(RetryPolicy::retry_after(&headers), expected);
            }
        }
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(RetryPolicy::retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(
            RetryPolicy::retry_after(&headers),
            Some(Duration::from_secs(3))
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(RetryPolicy::retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(RetryPolicy::retry_after(&headers), None);
    }
}
