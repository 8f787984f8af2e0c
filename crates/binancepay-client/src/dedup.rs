//! Acting once per notification: the store that [`WebhookHandler::process`] claims keys in.
//!
//! Binance delivers every notification at least once (it retries until it reads `SUCCESS`), and
//! a merchant usually runs several replicas behind a load balancer, so the same `bizIdStr` +
//! `bizStatus` can reach two processes at once. A per-process filter cannot stop both from
//! fulfilling the order; a store shared by every replica can:
//!
//! 1. **claim** the key with a lease (a random token that expires after the lease time) before
//!    the merchant's code runs: a free key is taken, a key marked done answers "done", a key
//!    under someone else's lease answers "held";
//! 2. while the code runs, **renew** the lease so that a slow action keeps it;
//! 3. after the code succeeded, **complete**: the key reads done for the retention time;
//! 4. after the code failed, **release** the key (only if the lease is still ours), so the
//!    next delivery acts.
//!
//! A lease outlives a replica that crashed mid-action only for the lease time; then the next
//! delivery acts. Keep the merchant's code idempotent as well (a unique constraint on the order
//! update): a replica that crashes after acting and before recording it is the one case the
//! store cannot see.
//!
//! [`MemoryDedupStore`] (the default) serves one process; `RedisDedupStore` (feature `redis`)
//! serves every replica that shares a Redis.
//!
//! [`WebhookHandler::process`]: crate::WebhookHandler::process

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// What [`DedupStore::claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// The key was free (or its last lease had run out): the caller now holds the lease.
    Acquired,
    /// The key is marked done: the notification was acted on already.
    Done,
    /// Another lease is in force: someone is acting on it now.
    Held,
}

/// A store could not be reached or answered something unusable: nothing may be acted on.
#[derive(Debug, thiserror::Error)]
#[error("webhook deduplication store unavailable: {message}")]
pub struct DedupStoreError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl DedupStoreError {
    /// An error with a message (no key, token or body in it).
    pub fn new(message: impl Into<String>) -> Self {
        DedupStoreError {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and its cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        DedupStoreError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    pub(crate) fn timed_out(operation: &str, after: Duration) -> Self {
        DedupStoreError::new(format!("{operation} did not answer within {after:?}"))
    }
}

/// The future a [`DedupStore`] operation returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DedupStoreError>> + Send + 'a>>;

/// Where keys are claimed, renewed, completed and released; shared by every replica that must
/// act once between them. Every operation is atomic in the store.
///
/// `key` is [`Notification::dedup_key`](binancepay_types::webhook::Notification::dedup_key)
/// (`bizType:bizIdStr:bizStatus`, see there); `lease` is a random token that identifies one
/// claim.
pub trait DedupStore: Send + Sync + fmt::Debug {
    /// Takes the key under `lease` for `ttl` if it is neither done nor held by a lease in
    /// force.
    fn claim<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, Claim>;

    /// Extends the lease to `ttl` from now if it is still `lease`; `false` when it is not.
    fn renew<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Marks the key done for `retention`, whoever holds it (the action happened); `true` when
    /// the lease was still `lease`.
    fn complete<'a>(
        &'a self,
        key: &'a str,
        lease: &'a str,
        retention: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Frees the key if it is still under `lease`; `false` when it was not.
    fn release<'a>(&'a self, key: &'a str, lease: &'a str) -> StoreFuture<'a, bool>;
}

enum Entry {
    Leased { lease: String, until: Instant },
    Done { until: Instant },
}

impl Entry {
    fn until(&self) -> Instant {
        match self {
            Entry::Leased { until, .. } | Entry::Done { until } => *until,
        }
    }
}

/// Sweeps out expired entries once per this many claims.
const SWEEP_EVERY: u64 = 1024;

/// The in-process store, the default of every [`WebhookHandler`](crate::WebhookHandler):
/// enough for a single replica (all handlers of one [`Client`](crate::Client) and its clones
/// share one). Expired entries are swept out as claims come in, so memory follows the number of
/// notifications within the retention time.
#[derive(Default)]
pub struct MemoryDedupStore {
    inner: Mutex<MemoryInner>,
}

impl fmt::Debug for MemoryDedupStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The count only: keys and lease tokens are no one's business in formatted output.
        f.debug_struct("MemoryDedupStore")
            .field("entries", &self.len())
            .finish()
    }
}

#[derive(Default)]
struct MemoryInner {
    entries: HashMap<String, Entry>,
    claims: u64,
}

impl MemoryDedupStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryDedupStore::default()
    }

    /// Keys currently leased or done (expired ones may linger until the next sweep).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // Every update replaces one entry whole; a panic elsewhere cannot leave one half-written.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn claim_now(&self, key: &str, lease: &str, ttl: Duration) -> Claim {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.claims = inner.claims.wrapping_add(1);
        if inner.claims % SWEEP_EVERY == 0 {
            inner.entries.retain(|_, entry| entry.until() > now);
        }
        match inner.entries.get(key) {
            Some(Entry::Done { until }) if *until > now => Claim::Done,
            Some(Entry::Leased { until, .. }) if *until > now => Claim::Held,
            _ => {
                inner.entries.insert(
                    key.to_owned(),
                    Entry::Leased {
                        lease: lease.to_owned(),
                        until: deadline(now, ttl),
                    },
                );
                Claim::Acquired
            }
        }
    }

    fn holds(entry: Option<&Entry>, lease: &str, now: Instant) -> bool {
        matches!(entry, Some(Entry::Leased { lease: held, until }) if held == lease && *until > now)
    }
}

/// `now + span`, saturating far in the future instead of overflowing.
fn deadline(now: Instant, span: Duration) -> Instant {
    now.checked_add(span)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

impl DedupStore for MemoryDedupStore {
    fn claim<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, Claim> {
        let claim = self.claim_now(key, lease, ttl);
        Box::pin(async move { Ok(claim) })
    }

    fn renew<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let mut inner = self.lock();
        let held = Self::holds(inner.entries.get(key), lease, now);
        if held {
            inner.entries.insert(
                key.to_owned(),
                Entry::Leased {
                    lease: lease.to_owned(),
                    until: deadline(now, ttl),
                },
            );
        }
        Box::pin(async move { Ok(held) })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        lease: &'a str,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let mut inner = self.lock();
        let held = Self::holds(inner.entries.get(key), lease, now);
        inner.entries.insert(
            key.to_owned(),
            Entry::Done {
                until: deadline(now, retention),
            },
        );
        Box::pin(async move { Ok(held) })
    }

    fn release<'a>(&'a self, key: &'a str, lease: &'a str) -> StoreFuture<'a, bool> {
        let now = Instant::now();
        let mut inner = self.lock();
        let held = Self::holds(inner.entries.get(key), lease, now);
        if held {
            inner.entries.remove(key);
        }
        Box::pin(async move { Ok(held) })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Claim, DedupStore, MemoryDedupStore};

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build();
        match runtime {
            Ok(runtime) => runtime.block_on(future),
            Err(error) => panic!("runtime: {error}"),
        }
    }

    #[test]
    fn claim_complete_release_follow_the_lease() {
        run(async {
            let store = MemoryDedupStore::new();
            let ttl = Duration::from_secs(30);
            let day = Duration::from_secs(86_400);
            assert_eq!(
                store.claim("1:PAY_SUCCESS", "a", ttl).await.ok(),
                Some(Claim::Acquired)
            );
            assert_eq!(
                store.claim("1:PAY_SUCCESS", "b", ttl).await.ok(),
                Some(Claim::Held)
            );
            // Another status of the same id is another event.
            assert_eq!(
                store.claim("1:PAY_CLOSED", "b", ttl).await.ok(),
                Some(Claim::Acquired)
            );
            // Only the holder releases.
            assert_eq!(store.release("1:PAY_SUCCESS", "b").await.ok(), Some(false));
            assert_eq!(
                store.renew("1:PAY_SUCCESS", "b", ttl).await.ok(),
                Some(false)
            );
            assert_eq!(
                store.renew("1:PAY_SUCCESS", "a", ttl).await.ok(),
                Some(true)
            );
            assert_eq!(store.release("1:PAY_SUCCESS", "a").await.ok(), Some(true));
            assert_eq!(
                store.claim("1:PAY_SUCCESS", "c", ttl).await.ok(),
                Some(Claim::Acquired)
            );
            assert_eq!(
                store.complete("1:PAY_SUCCESS", "c", day).await.ok(),
                Some(true)
            );
            assert_eq!(
                store.claim("1:PAY_SUCCESS", "d", ttl).await.ok(),
                Some(Claim::Done)
            );
            assert_eq!(format!("{store:?}"), "MemoryDedupStore { entries: 2 }");
            // A late release of a done key changes nothing.
            assert_eq!(store.release("1:PAY_SUCCESS", "c").await.ok(), Some(false));
            assert_eq!(
                store.claim("1:PAY_SUCCESS", "e", ttl).await.ok(),
                Some(Claim::Done)
            );
        });
    }

    #[test]
    fn expired_leases_and_done_marks_free_the_key() {
        run(async {
            let store = MemoryDedupStore::new();
            let short = Duration::from_millis(30);
            assert_eq!(
                store.claim("k", "a", short).await.ok(),
                Some(Claim::Acquired)
            );
            tokio::time::sleep(Duration::from_millis(60)).await;
            // A crashed holder's lease ran out: the next delivery acts.
            assert_eq!(
                store.claim("k", "b", short).await.ok(),
                Some(Claim::Acquired)
            );
            // The late holder still records its action; the lease was no longer its own.
            assert_eq!(store.complete("k", "a", short).await.ok(), Some(false));
            assert_eq!(store.claim("k", "c", short).await.ok(), Some(Claim::Done));
            tokio::time::sleep(Duration::from_millis(60)).await;
            assert_eq!(
                store.claim("k", "c", short).await.ok(),
                Some(Claim::Acquired)
            );
            // Huge spans saturate instead of overflowing.
            assert_eq!(store.renew("k", "c", Duration::MAX).await.ok(), Some(true));
            assert_eq!(
                store.complete("k", "c", Duration::MAX).await.ok(),
                Some(true)
            );
        });
    }

    #[test]
    fn expired_entries_are_swept() {
        run(async {
            let store = MemoryDedupStore::new();
            for i in 0..super::SWEEP_EVERY - 1 {
                let key = format!("{i}:PAY_SUCCESS");
                let _ = store.claim(&key, "a", Duration::ZERO).await;
            }
            assert_eq!(store.len() as u64, super::SWEEP_EVERY - 1);
            let _ = store.claim("last", "a", Duration::from_secs(60)).await;
            assert_eq!(store.len(), 1);
        });
    }
}
