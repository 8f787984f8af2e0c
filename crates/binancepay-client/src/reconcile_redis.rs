//! [`RedisPendingStore`]: the reconciler's pending set shared by every replica, in Redis.

use std::fmt;
use std::time::Duration;

use crate::dedup::{DedupStoreError, StoreFuture};
use crate::dedup_redis::RedisLink;
use crate::reconcile::PendingStore;

/// The hash that holds the pending set when no other is given.
pub const DEFAULT_PENDING_KEY: &str = "binancepay:reconcile:pending";

/// The reconciler's pending set in one Redis hash (feature `redis`): field = the object's key,
/// value = its record. `HSETNX`, `HDEL` and `HGETALL` are atomic, so exactly one replica
/// adds, and exactly one removes (and reports), each object. Pair it with a
/// `RedisDedupStore` on the same Redis for the polling leases.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use binancepay_client::{Client, RedisDedupStore, RedisPendingStore, Reconciler};
///
/// let url = "redis://127.0.0.1:6379/";
/// let webhooks = Client::from_env()?
///     .webhooks()
///     .with_dedup_store(Arc::new(RedisDedupStore::open(url)?));
/// let reconciler =
///     Reconciler::new(webhooks).with_pending_store(Arc::new(RedisPendingStore::open(url)?));
/// # let _ = reconciler;
/// # Ok(()) }
/// ```
pub struct RedisPendingStore {
    link: RedisLink,
    key: String,
}

impl fmt::Debug for RedisPendingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RedisPendingStore");
        self.link.describe(&mut out);
        out.field("key", &self.key).finish_non_exhaustive()
    }
}

impl RedisPendingStore {
    /// A store on the Redis at `url`; nothing connects until first use.
    ///
    /// # Errors
    /// The URL does not parse as a Redis address.
    pub fn open(url: &str) -> Result<Self, DedupStoreError> {
        Ok(RedisPendingStore {
            link: RedisLink::new(RedisLink::client(url)?),
            key: DEFAULT_PENDING_KEY.to_owned(),
        })
    }

    /// Keeps the set in the hash `key` (default [`DEFAULT_PENDING_KEY`]), e.g. one per
    /// environment sharing a Redis.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// How long connecting and each command may take (default 2 s).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.link.timeout = timeout;
        self
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, DedupStoreError> {
        let mut connection = self.link.connection().await?;
        match cmd.query_async(&mut connection).await {
            Ok(value) => Ok(value),
            Err(error) => {
                // Connect again next time; the command's own answer is an error either way.
                self.link.forget().await;
                Err(DedupStoreError::with_source("Redis command failed", error))
            }
        }
    }
}

impl PendingStore for RedisPendingStore {
    fn add<'a>(&'a self, key: &'a str, record: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut cmd = redis::cmd("HSETNX");
            cmd.arg(&self.key).arg(key).arg(record);
            let added: i64 = self.run(cmd).await?;
            Ok(added == 1)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut cmd = redis::cmd("HDEL");
            cmd.arg(&self.key).arg(key);
            let removed: i64 = self.run(cmd).await?;
            Ok(removed == 1)
        })
    }

    fn list(&self) -> StoreFuture<'_, Vec<(String, String)>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("HGETALL");
            cmd.arg(&self.key);
            let all: Vec<(String, String)> = self.run(cmd).await?;
            Ok(all)
        })
    }
}
