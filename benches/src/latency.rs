//! Latency samples and their percentiles: a sorted `Vec` is exact and small enough here.

use std::time::Duration;

/// Request latencies in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    micros: Vec<u32>,
    sorted: bool,
}

impl Latencies {
    /// Room for `n` samples.
    pub fn with_capacity(n: usize) -> Self {
        Latencies {
            micros: Vec::with_capacity(n),
            sorted: true,
        }
    }

    /// Adds one sample (saturating at about 71 minutes).
    pub fn record(&mut self, latency: Duration) {
        self.micros
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        self.sorted = false;
    }

    /// Takes every sample of `other`.
    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
        self.sorted = false;
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// The nearest-rank percentile `p` (0–100) in microseconds; `None` without samples.
    pub fn percentile(&mut self, p: f64) -> Option<u32> {
        if !self.sorted {
            self.micros.sort_unstable();
            self.sorted = true;
        }
        let n = self.micros.len();
        if n == 0 {
            return None;
        }
        let p = p.clamp(0.0, 100.0);
        // Nearest rank: the smallest sample with at least p% of samples at or below it.
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        self.micros.get(rank.clamp(1, n) - 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentiles_of_one_to_a_hundred() {
        let mut l = Latencies::default();
        for us in (1..=100).rev() {
            l.record(Duration::from_micros(us));
        }
        assert_eq!(l.percentile(50.0), Some(50));
        assert_eq!(l.percentile(99.0), Some(99));
        assert_eq!(l.percentile(100.0), Some(100));
        assert_eq!(l.percentile(0.0), Some(1));
        assert_eq!(Latencies::default().percentile(50.0), None);
    }

    proptest! {
        #[test]
        fn a_percentile_is_a_sample_and_grows_with_p(
            samples in proptest::collection::vec(0u32..10_000_000, 1..200),
            p in 0.0f64..100.0,
            q in 0.0f64..100.0,
        ) {
            let mut l = Latencies::default();
            for s in &samples {
                l.record(Duration::from_micros(u64::from(*s)));
            }
            let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
            let a = l.percentile(lo);
            let b = l.percentile(hi);
            prop_assert!(a.is_some_and(|a| samples.contains(&a)));
            prop_assert!(a <= b);
        }
    }
}
