//! A bounded-memory filter for repeated webhook deliveries.

use std::collections::{HashSet, VecDeque};

use binancepay_types::webhook::Notification;
use sha2::{Digest, Sha256};

/// The fingerprint kept per key: fixed size, so memory does not depend on what senders put in
/// `bizIdStr` or `bizStatus`.
type Fingerprint = [u8; 32];

/// Remembers the last `capacity` notifications seen, keyed on `bizIdStr` + `bizStatus`
/// ([`Notification::dedup_key`]), so a handler acts once per notification although Binance
/// delivers at least once (up to 6 retries, and a retry may cross a slow acknowledgement).
///
/// Memory is fixed at construction: a ring of at most `capacity` SHA-256 fingerprints plus a
/// hash set sized so that it never grows, and every operation is O(1). When full, the oldest
/// key is forgotten first, so a repeat arriving after `capacity` newer notifications is seen
/// as new: keep the processing itself idempotent (e.g. a unique constraint on the order
/// update) and size the filter for the retry horizon (6 retries over about a day).
///
/// The filter is not synchronised; share it behind a `Mutex`. Verify a notification before
/// consulting the filter, so forged traffic cannot evict real keys.
///
/// ```
/// use binancepay_http::webhook::DuplicateFilter;
/// use binancepay_types::webhook::Notification;
///
/// let body = br#"{"bizType":"PAY","bizIdStr":"29383937493038367292","bizStatus":"PAY_SUCCESS","data":"{\"merchantTradeNo\":\"A1\",\"totalFee\":0.88,\"currency\":\"USDT\"}"}"#;
/// let notification = Notification::from_slice(body)?;
/// let mut seen = DuplicateFilter::new(10_000);
/// // Act only if the key is new; record it once the action succeeded.
/// assert!(!seen.contains(&notification));
/// assert!(seen.insert(&notification)); // first delivery: act on it
/// assert!(!seen.insert(&notification)); // a redelivery: acknowledge, do nothing
/// assert_eq!(seen.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DuplicateFilter {
    capacity: usize,
    order: VecDeque<Fingerprint>,
    seen: HashSet<Fingerprint>,
}

impl DuplicateFilter {
    /// A filter remembering up to `capacity` keys (at least 1), allocated now and never grown.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        DuplicateFilter {
            capacity,
            order: VecDeque::with_capacity(capacity),
            // Twice the keys plus room: the set then always rehashes in place instead of
            // growing when removals leave tombstones.
            seen: HashSet::with_capacity(capacity.saturating_mul(2).saturating_add(2)),
        }
    }

    /// Records the notification's key; `true` if it was not remembered (act on it), `false`
    /// for a repeat. Always `true` for a notification whose key does not name one event
    /// ([`Notification::dedup_key_identifies_event`]): a second event must not be swallowed.
    pub fn insert(&mut self, notification: &Notification) -> bool {
        if !notification.dedup_key_identifies_event() {
            return true;
        }
        self.insert_key(&notification.dedup_key())
    }

    /// Like [`insert`](Self::insert) for a key built by the caller.
    pub fn insert_key(&mut self, key: &str) -> bool {
        let fingerprint = fingerprint(key);
        if self.seen.contains(&fingerprint) {
            return false;
        }
        if self.order.len() >= self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        self.order.push_back(fingerprint);
        self.seen.insert(fingerprint);
        true
    }

    /// Whether the notification's key is remembered.
    pub fn contains(&self, notification: &Notification) -> bool {
        self.contains_key(&notification.dedup_key())
    }

    /// Whether a key built by the caller is remembered.
    pub fn contains_key(&self, key: &str) -> bool {
        self.seen.contains(&fingerprint(key))
    }

    /// How many keys are remembered (at most [`capacity`](Self::capacity)).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The most keys remembered at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

fn fingerprint(key: &str) -> Fingerprint {
    Sha256::digest(key.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::DuplicateFilter;
    use proptest::prelude::*;

    #[test]
    fn repeats_are_caught_until_evicted_oldest_first() {
        let mut filter = DuplicateFilter::new(2);
        assert!(filter.insert_key("1:PAY_SUCCESS"));
        assert!(!filter.insert_key("1:PAY_SUCCESS"));
        // Same id, another status: a different event.
        assert!(filter.insert_key("1:PAY_CLOSED"));
        assert_eq!(filter.len(), 2);
        assert!(filter.insert_key("2:PAY_SUCCESS"));
        assert!(!filter.contains_key("1:PAY_SUCCESS"));
        assert!(filter.contains_key("1:PAY_CLOSED"));
        assert!(filter.insert_key("1:PAY_SUCCESS"));
        assert_eq!(filter.len(), 2);
    }

    #[test]
    fn events_without_an_id_of_their_own_are_never_swallowed() {
        use binancepay_types::webhook::Notification;
        let mut filter = DuplicateFilter::new(4);
        // Two partial refunds of one order without refundInfo read alike: both pass.
        let body =
            br#"{"bizType":"PAY_REFUND","bizIdStr":"7","bizStatus":"REFUND_SUCCESS","data":"{}"}"#;
        let refund = Notification::from_slice(body).ok();
        assert!(refund.as_ref().is_some_and(|n| filter.insert(n)));
        assert!(refund.as_ref().is_some_and(|n| filter.insert(n)));
        let body = br#"{"bizType":"PAY","bizIdStr":"7","bizStatus":"PAY_SUCCESS","data":"{}"}"#;
        let pay = Notification::from_slice(body).ok();
        assert!(pay.as_ref().is_some_and(|n| filter.insert(n)));
        assert!(pay.as_ref().is_some_and(|n| !filter.insert(n)));
    }

    #[test]
    fn zero_capacity_still_catches_an_immediate_repeat() {
        let mut filter = DuplicateFilter::new(0);
        assert_eq!(filter.capacity(), 1);
        assert!(filter.is_empty());
        assert!(filter.insert_key("a"));
        assert!(!filter.insert_key("a"));
        assert!(filter.insert_key("b"));
        assert!(!filter.contains_key("a"));
    }

    #[test]
    fn keys_of_any_length_take_the_same_room() {
        let mut filter = DuplicateFilter::new(4);
        let long = "9".repeat(1 << 20);
        assert!(filter.insert_key(&long));
        assert!(!filter.insert_key(&long));
        assert!(filter.insert_key(""));
        assert_eq!(filter.len(), 2);
    }

    proptest! {
        #[test]
        fn memory_stays_bounded_and_matches_a_ring_of_strings(
            capacity in 1usize..64,
            keys in proptest::collection::vec("[0-9]{1,2}:[A-Z]{1,2}", 0..200),
        ) {
            let mut filter = DuplicateFilter::new(capacity);
            let ring = filter.order.capacity();
            let set = filter.seen.capacity();
            // The reference: the same ring over plain strings.
            let mut model: std::collections::VecDeque<&String> = std::collections::VecDeque::new();
            for key in &keys {
                let fresh = !model.contains(&key);
                if fresh {
                    if model.len() == capacity {
                        model.pop_front();
                    }
                    model.push_back(key);
                }
                prop_assert_eq!(filter.insert_key(key), fresh);
                prop_assert!(filter.len() <= capacity);
                prop_assert_eq!(filter.len(), model.len());
                prop_assert_eq!(filter.order.len(), filter.seen.len());
                // Nothing grows: the ring keeps its allocation and the set never needs a
                // larger table (its reported capacity only dips while tombstones wait).
                prop_assert_eq!(filter.order.capacity(), ring);
                prop_assert!(filter.seen.capacity() <= set);
            }
            for key in &keys {
                prop_assert_eq!(filter.contains_key(key), model.contains(&key), "{}", key);
            }
        }
    }
}
