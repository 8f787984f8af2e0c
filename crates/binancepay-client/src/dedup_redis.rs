//! [`RedisDedupStore`]: the deduplication store shared by every replica, in Redis.

use std::fmt;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Script};
use tokio::sync::Mutex;

use crate::dedup::{Claim, DedupStore, DedupStoreError, StoreFuture};

/// The key prefix when none is given.
pub const DEFAULT_REDIS_PREFIX: &str = "binancepay:webhook:";

/// How long connecting, and then each command, may take before the store counts as
/// unreachable (and the handler answers 503).
const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

// Each operation is one Lua script, so it is atomic in Redis. A key holds `lease:<token>` (with
// the lease's expiry) or `done` (with the retention's).
const CLAIM: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'lease:' .. ARGV[1], 'PX', ARGV[2])
  return 'acquired'
end
if v == 'done' then return 'done' end
return 'held'
";
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";
const COMPLETE: &str = r"
local held = redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1]
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
if held then return 1 end
return 0
";
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
";

/// Deduplication shared by every replica through one Redis (feature `redis`).
///
/// Keys are `prefix + bizType:bizIdStr:bizStatus` ([`DEFAULT_REDIS_PREFIX`] unless
/// [`with_prefix`](Self::with_prefix)); each holds a lease token with the lease's expiry, or
/// `done` with the retention's. Every operation is one Lua script, atomic in Redis. The
/// connection is made on first use and made again after an error, so a Redis restart costs the
/// requests made while it was down (answered 503), nothing more.
///
/// For the guarantee to survive a Redis restart, Redis must keep its data (`appendonly yes`,
/// ideally `appendfsync always`): a Redis that forgets a `done` mark lets the next delivery act
/// again. Use one Redis (or a primary); replicas of Redis confirm writes asynchronously.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use binancepay_client::{Client, RedisDedupStore};
///
/// let store = Arc::new(RedisDedupStore::open("redis://127.0.0.1:6379/")?);
/// let webhooks = Client::from_env()?.webhooks().with_dedup_store(store);
/// # let _ = webhooks;
/// # Ok(()) }
/// ```
pub struct RedisDedupStore {
    link: RedisLink,
    prefix: String,
    claim: Script,
    renew: Script,
    complete: Script,
    release: Script,
}

impl fmt::Debug for RedisDedupStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RedisDedupStore");
        self.link.describe(&mut out);
        out.field("prefix", &self.prefix)
            .field("timeout", &self.link.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisDedupStore {
    /// A store on the Redis at `url` (`redis://[:password@]host:port/db`). Nothing connects
    /// until the first notification.
    ///
    /// # Errors
    /// The URL does not parse as a Redis address.
    pub fn open(url: &str) -> Result<Self, DedupStoreError> {
        Ok(Self::from_client(RedisLink::client(url)?))
    }

    /// A store on an already configured `redis::Client`.
    pub fn from_client(client: redis::Client) -> Self {
        RedisDedupStore {
            link: RedisLink::new(client),
            prefix: DEFAULT_REDIS_PREFIX.to_owned(),
            claim: Script::new(CLAIM),
            renew: Script::new(RENEW),
            complete: Script::new(COMPLETE),
            release: Script::new(RELEASE),
        }
    }

    /// Puts every key under `prefix` (default [`DEFAULT_REDIS_PREFIX`]), e.g. one per
    /// environment sharing a Redis.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long connecting and each command may take (default 2 s).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.link.timeout = timeout;
        self
    }

    /// Runs one script; on a connection-level failure the connection is dropped so the next
    /// call connects again.
    async fn run<T: redis::FromRedisValue>(
        &self,
        script: &Script,
        key: &str,
        args: (&str, u64),
    ) -> Result<T, DedupStoreError> {
        let mut connection = self.link.connection().await?;
        let mut invocation = script.prepare_invoke();
        invocation
            .key(format!("{}{key}", self.prefix))
            .arg(args.0)
            .arg(args.1);
        match invocation.invoke_async(&mut connection).await {
            Ok(value) => Ok(value),
            Err(error) => {
                if must_reconnect(&error) {
                    self.link.forget().await;
                }
                Err(DedupStoreError::with_source("Redis command failed", error))
            }
        }
    }
}

/// One lazily made, shared connection to a Redis, made again after [`forget`](Self::forget):
/// what every Redis-backed store of this crate holds.
pub(crate) struct RedisLink {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// How long connecting and each command may take.
    pub(crate) timeout: Duration,
}

impl RedisLink {
    /// The `redis::Client` of `url`, or the error naming a URL that does not parse.
    pub(crate) fn client(url: &str) -> Result<redis::Client, DedupStoreError> {
        redis::Client::open(url)
            .map_err(|error| DedupStoreError::with_source("invalid Redis URL", error))
    }

    /// A link on `client` with the default timeout; nothing connects until first use.
    pub(crate) fn new(client: redis::Client) -> Self {
        RedisLink {
            client,
            connection: Mutex::new(None),
            timeout: DEFAULT_REDIS_TIMEOUT,
        }
    }

    /// Adds the address and database to a `Debug` output; the connection info may carry a
    /// password, so nothing else of it is shown.
    pub(crate) fn describe(&self, out: &mut fmt::DebugStruct<'_, '_>) {
        let info = self.client.get_connection_info();
        out.field("addr", &info.addr.to_string())
            .field("db", &info.redis.db);
    }

    /// The shared connection, made now if there is none.
    pub(crate) async fn connection(&self) -> Result<MultiplexedConnection, DedupStoreError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout);
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|error| DedupStoreError::with_source("cannot connect to Redis", error))?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Drops the connection, so the next call connects again.
    pub(crate) async fn forget(&self) {
        *self.connection.lock().await = None;
    }
}

/// Whether the connection must be dropped so that the next call connects again: it broke, or
/// the node it reaches cannot serve writes now. A failover demotes the old primary
/// (`READONLY`), a restarting node loads its data (`LOADING`), a replica lost its primary
/// (`MASTERDOWN`), a cluster is down (`CLUSTERDOWN`): a new connection (behind a DNS name or
/// a proxy that follows the primary) reaches the node that serves writes; a kept one would
/// fail every claim until the process restarts.
fn must_reconnect(error: &redis::RedisError) -> bool {
    const NODE_STATES: [&str; 4] = ["READONLY", "LOADING", "MASTERDOWN", "CLUSTERDOWN"];
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
        || error.is_unrecoverable_error()
        || matches!(
            error.kind(),
            redis::ErrorKind::ReadOnly
                | redis::ErrorKind::BusyLoadingError
                | redis::ErrorKind::MasterDown
                | redis::ErrorKind::ClusterDown
        )
        // A write refused inside a script may come back as a script error quoting the code.
        || error
            .code()
            .into_iter()
            .chain(error.detail())
            .any(|text| NODE_STATES.iter().any(|state| text.contains(state)))
}

/// The longest expiry sent: 100 years, as the memory store's. Redis refuses an expiry that
/// overflows its clock ("invalid expire time"), which would turn a huge lease or retention into
/// failed claims or unrecorded actions.
const MAX_EXPIRY_MS: u64 = 100 * 365 * 24 * 60 * 60 * 1000;

fn millis(span: Duration) -> u64 {
    // Redis rejects a zero expiry too.
    u64::try_from(span.as_millis())
        .unwrap_or(u64::MAX)
        .clamp(1, MAX_EXPIRY_MS)
}

impl DedupStore for RedisDedupStore {
    fn claim<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let answer: String = self.run(&self.claim, key, (lease, millis(ttl))).await?;
            match answer.as_str() {
                "acquired" => Ok(Claim::Acquired),
                "done" => Ok(Claim::Done),
                "held" => Ok(Claim::Held),
                _ => Err(DedupStoreError::new(
                    "unexpected answer to the claim script",
                )),
            }
        })
    }

    fn renew<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let held: i64 = self.run(&self.renew, key, (lease, millis(ttl))).await?;
            Ok(held == 1)
        })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        lease: &'a str,
        retention: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let held: i64 = self
                .run(&self.complete, key, (lease, millis(retention)))
                .await?;
            Ok(held == 1)
        })
    }

    fn release<'a>(&'a self, key: &'a str, lease: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let held: i64 = self.run(&self.release, key, (lease, 0)).await?;
            Ok(held == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_states_that_cannot_write_drop_the_connection() {
        use redis::{ErrorKind, RedisError};
        for (kind, text) in [
            (
                ErrorKind::ReadOnly,
                "You can't write against a read only replica.",
            ),
            (
                ErrorKind::BusyLoadingError,
                "Redis is loading the dataset in memory",
            ),
            (ErrorKind::MasterDown, "Link with MASTER is down"),
            (ErrorKind::ClusterDown, "The cluster is down"),
        ] {
            let error = RedisError::from((kind, "node state", text.to_owned()));
            assert!(must_reconnect(&error), "{kind:?}");
        }
        let script = RedisError::from((
            ErrorKind::ResponseError,
            "script",
            "READONLY You can't write against a read only replica. script: 1".to_owned(),
        ));
        assert!(must_reconnect(&script));
        // An ordinary refusal keeps the connection.
        let wrong = RedisError::from((ErrorKind::TypeError, "wrong type", "WRONGTYPE".to_owned()));
        assert!(!must_reconnect(&wrong));
    }

    #[test]
    fn expiries_stay_within_what_redis_accepts() {
        assert_eq!(millis(Duration::ZERO), 1);
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), MAX_EXPIRY_MS);
    }
}
