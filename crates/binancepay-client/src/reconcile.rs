//! The reconciler: polls what the merchant waits for until it reaches a final status, and
//! hands the event a webhook would have carried to the same closure, under the same
//! deduplication key, so a missed webhook costs nothing and a webhook plus a poll act once.
//!
//! Coordination goes through two stores, both shared by every replica:
//!
//! - a [`PendingStore`] holds what is awaited ([`MemoryPendingStore`] in one process,
//!   `RedisPendingStore` with the `redis` feature);
//! - the handler's [`DedupStore`] holds, besides the events' keys, one polling lease per object
//!   (`reconcile:poll:<object>`, whose expiry is the object's next due time, so an object is
//!   polled by one replica at a time and at most once per interval between them, and taken
//!   over by another replica when the one polling it dies) and the per-second rate slots
//!   (`reconcile:rate:<second>:<n>`) that bound the queries of all replicas together.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use binancepay_types::ResultCode;
use binancepay_types::enums::{OrderStatus, PayoutBatchStatus, RefundStatus};
use binancepay_types::order::{QueryOrderResult, QueryOrderV2Request};
use binancepay_types::payout::{QueryPayoutRequest, QueryPayoutResult};
use binancepay_types::refund::{QueryRefundRequest, QueryRefundResult};
use binancepay_types::webhook::{Notification, WebhookReply};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::dedup::{Claim, DedupStore, DedupStoreError, StoreFuture};
use crate::error::Error;
use crate::webhook::{Processed, VerifiedWebhook, WebhookHandler};

/// How soon an object is polled again at first; the interval then grows with its age.
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(5);
/// The longest interval between two polls of one object.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(300);
/// Queries per second, all objects and all replicas sharing the store together.
pub const DEFAULT_MAX_POLLS_PER_SECOND: u32 = 5;
/// How long after an object's expiry it is still polled (Binance settles late payments).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(15 * 60);
/// The expiry of an object registered without one: Binance's default order lifetime (1 h).
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);

/// Called with every notification a webhook acted on (or found done): the reconciler stops
/// polling the object it settles.
pub(crate) type SettledHook = Arc<dyn Fn(&Notification) + Send + Sync>;

/// The kind of object a [`Pending`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PendingKind {
    /// An order (PAY webhooks): by `merchantTradeNo` or `prepayId`.
    Order,
    /// A refund (PAY_REFUND webhooks): by `refundRequestId`.
    Refund,
    /// A payout batch (PAYOUT webhooks): by `requestId`.
    Payout,
}

impl PendingKind {
    /// `order`, `refund` or `payout`: the metrics label and the key's first part.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingKind::Order => "order",
            PendingKind::Refund => "refund",
            PendingKind::Payout => "payout",
        }
    }
}

/// Why a [`Pending`] could not be made or registered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// An id breaks Binance's rule for its field (the id itself is not repeated).
    #[error("invalid `{field}`: {rule}")]
    InvalidId {
        /// The field, e.g. `merchantTradeNo`.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The pending or deduplication store could not be reached.
    #[error(transparent)]
    Store(#[from] DedupStoreError),
    /// The call that creates the object failed (nothing was registered).
    #[error(transparent)]
    Call(#[from] Box<Error>),
}

/// One object the reconciler waits for: its kind, its id and when to give up.
///
/// ```
/// use binancepay_client::reconcile::{Pending, ReconcileError};
/// let order = Pending::order_by_trade_no("A20261121x1")?;
/// assert_eq!(order.key(), "order:tn:A20261121x1");
/// assert!(matches!(
///     Pending::refund(""),
///     Err(ReconcileError::InvalidId { field: "refundRequestId", .. })
/// ));
/// # Ok::<(), ReconcileError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Pending {
    kind: PendingKind,
    /// `tn` / `pp` for orders, empty otherwise.
    by: &'static str,
    id: String,
    expires_at_ms: Option<u64>,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("key", &self.key())
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

fn check(id: &str, field: &'static str, max: usize, extra: &[u8]) -> Result<(), ReconcileError> {
    if id.is_empty() {
        return Err(ReconcileError::InvalidId {
            field,
            rule: "must not be empty",
        });
    }
    if id.len() > max {
        return Err(ReconcileError::InvalidId {
            field,
            rule: match max {
                32 => "at most 32 characters",
                _ => "at most 64 characters",
            },
        });
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    {
        return Err(ReconcileError::InvalidId {
            field,
            rule: if extra.is_empty() {
                "letters and digits only"
            } else {
                "letters, digits, `-` and `_` only"
            },
        });
    }
    Ok(())
}

impl Pending {
    /// An order by its `merchantTradeNo` (1 to 32 letters or digits).
    ///
    /// # Errors
    /// [`ReconcileError::InvalidId`] naming the rule broken.
    pub fn order_by_trade_no(merchant_trade_no: &str) -> Result<Pending, ReconcileError> {
        check(merchant_trade_no, "merchantTradeNo", 32, &[])?;
        Ok(Pending::new(PendingKind::Order, "tn", merchant_trade_no))
    }

    /// An order by its `prepayId` (digits).
    ///
    /// # Errors
    /// [`ReconcileError::InvalidId`] naming the rule broken.
    pub fn order_by_prepay_id(prepay_id: &str) -> Result<Pending, ReconcileError> {
        check(prepay_id, "prepayId", 32, &[])?;
        if !prepay_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReconcileError::InvalidId {
                field: "prepayId",
                rule: "digits only",
            });
        }
        Ok(Pending::new(PendingKind::Order, "pp", prepay_id))
    }

    /// A refund by its `refundRequestId` (1 to 64 letters, digits, `-` or `_`).
    ///
    /// # Errors
    /// [`ReconcileError::InvalidId`] naming the rule broken.
    pub fn refund(refund_request_id: &str) -> Result<Pending, ReconcileError> {
        check(refund_request_id, "refundRequestId", 64, b"-_")?;
        Ok(Pending::new(PendingKind::Refund, "", refund_request_id))
    }

    /// A payout batch by its `requestId` (1 to 64 letters, digits, `-` or `_`).
    ///
    /// # Errors
    /// [`ReconcileError::InvalidId`] naming the rule broken.
    pub fn payout(request_id: &str) -> Result<Pending, ReconcileError> {
        check(request_id, "requestId", 64, b"-_")?;
        Ok(Pending::new(PendingKind::Payout, "", request_id))
    }

    fn new(kind: PendingKind, by: &'static str, id: &str) -> Pending {
        Pending {
            kind,
            by,
            id: id.to_owned(),
            expires_at_ms: None,
        }
    }

    /// When the object expires (e.g. the order's `orderExpireTime`, in Unix milliseconds): it
    /// is polled until this plus the reconciler's grace. Without it, the reconciler's default
    /// expiry counts from registration.
    #[must_use]
    pub fn expires_at_ms(mut self, unix_ms: u64) -> Self {
        self.expires_at_ms = Some(unix_ms);
        self
    }

    /// The kind of object.
    pub fn kind(&self) -> PendingKind {
        self.kind
    }

    /// The id given.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key in the pending store: `order:tn:<merchantTradeNo>`, `order:pp:<prepayId>`,
    /// `refund:<refundRequestId>` or `payout:<requestId>`.
    pub fn key(&self) -> String {
        match self.by {
            "" => format!("{}:{}", self.kind.as_str(), self.id),
            by => format!("{}:{by}:{}", self.kind.as_str(), self.id),
        }
    }

    fn from_key(key: &str) -> Option<Pending> {
        let (kind, rest) = key.split_once(':')?;
        match kind {
            "order" => match rest.split_once(':')? {
                ("tn", id) => Pending::order_by_trade_no(id).ok(),
                ("pp", id) => Pending::order_by_prepay_id(id).ok(),
                _ => None,
            },
            "refund" => Pending::refund(rest).ok(),
            "payout" => Pending::payout(rest).ok(),
            _ => None,
        }
    }
}

/// What the pending store keeps per object: when it was registered and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Record {
    registered_ms: u64,
    deadline_ms: u64,
}

/// The set of objects awaited, shared by every replica. Each operation is atomic in the store.
///
/// `key` is [`Pending::key`]; `record` is the reconciler's own short JSON text.
pub trait PendingStore: Send + Sync + fmt::Debug {
    /// Adds the object unless present; `true` when it was added.
    fn add<'a>(&'a self, key: &'a str, record: &'a str) -> StoreFuture<'a, bool>;
    /// Removes the object; `true` when this call removed it (so exactly one caller reports).
    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool>;
    /// Every object awaited, with its record.
    fn list(&self) -> StoreFuture<'_, Vec<(String, String)>>;
}

/// The in-process [`PendingStore`]: enough for one replica.
#[derive(Default)]
pub struct MemoryPendingStore {
    entries: Mutex<std::collections::BTreeMap<String, String>>,
}

impl fmt::Debug for MemoryPendingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryPendingStore")
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl MemoryPendingStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryPendingStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, String>> {
        // Entries are inserted and removed whole: a panic elsewhere leaves none half-written.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PendingStore for MemoryPendingStore {
    fn add<'a>(&'a self, key: &'a str, record: &'a str) -> StoreFuture<'a, bool> {
        let mut entries = self.lock();
        let added = !entries.contains_key(key);
        if added {
            entries.insert(key.to_owned(), record.to_owned());
        }
        Box::pin(async move { Ok(added) })
    }

    fn remove<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        let removed = self.lock().remove(key).is_some();
        Box::pin(async move { Ok(removed) })
    }

    fn list(&self) -> StoreFuture<'_, Vec<(String, String)>> {
        let all = self
            .lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Box::pin(async move { Ok(all) })
    }
}

/// Why the reconciler stopped waiting for an object without a final status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unresolved {
    /// Binance does not know the id (`400202`): reported once, never polled again.
    UnknownId,
    /// The object's deadline (expiry plus grace) passed without a final status.
    DeadlinePassed,
    /// The object has a status this version cannot map to a webhook event.
    UnmappableStatus(String),
}

/// One object the reconciler gave up on; each is reported by one replica only.
#[derive(Debug, Clone)]
pub struct Report {
    /// The object.
    pub pending: Pending,
    /// Why.
    pub reason: Unresolved,
}

/// What one [`Reconciler::poll_once`] pass did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Pass {
    /// Objects listed as pending.
    pub pending: usize,
    /// Queries made.
    pub polls: usize,
    /// Final statuses found and acted on by this pass (the merchant's code ran).
    pub acted: usize,
    /// Final statuses found that were already acted on (a webhook or another replica).
    pub already_done: usize,
    /// Objects given up on by this replica.
    pub unresolved: Vec<Report>,
    /// Objects left for the next pass because the rate limit was reached.
    pub rate_limited: usize,
}

/// Polls what the merchant waits for and acts on final statuses once (see the crate docs).
///
/// Make one per process from the [`WebhookHandler`] that receives the webhooks (same client,
/// same deduplication store); answer webhooks with [`webhooks`](Self::webhooks) so that a
/// webhook ends the polling of what it settles.
#[derive(Clone)]
pub struct Reconciler {
    inner: Arc<Inner>,
}

struct Inner {
    handler: WebhookHandler,
    pending: Arc<dyn PendingStore>,
    /// Per object, the Unix ms before which this replica does not even try to claim it (it
    /// holds the lease, or saw another replica's): keeps a pass from costing one store
    /// round trip per pending object.
    skip_until: Mutex<HashMap<String, u64>>,
    min_interval: Duration,
    max_interval: Duration,
    max_polls_per_second: u32,
    grace: Duration,
    default_expiry: Duration,
}

impl fmt::Debug for Reconciler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Reconciler")
            .field("pending", &inner.pending)
            .field("min_interval", &inner.min_interval)
            .field("max_interval", &inner.max_interval)
            .field("max_polls_per_second", &inner.max_polls_per_second)
            .field("grace", &inner.grace)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn ms(span: Duration) -> u64 {
    u64::try_from(span.as_millis()).unwrap_or(u64::MAX)
}

/// The pending keys a notification settles.
fn settled_keys(notification: &Notification) -> Vec<String> {
    match notification {
        Notification::Pay(pay) => {
            let mut keys = vec![format!("order:pp:{}", notification.biz_id_str())];
            if let Some(trade_no) = &pay.data.merchant_trade_no {
                keys.push(format!("order:tn:{trade_no}"));
            }
            keys
        }
        Notification::PayRefund(refund) => refund
            .data
            .refund_info
            .iter()
            .filter_map(|info| info.value.refund_request_id.as_deref())
            .map(|id| format!("refund:{id}"))
            .collect(),
        Notification::Payout(payout) => payout
            .data
            .request_id
            .iter()
            .map(|id| format!("payout:{id}"))
            .collect(),
        _ => Vec::new(),
    }
}

/// The deduplication key of an event, webhook or poll alike: the notification's
/// [`dedup_key`](Notification::dedup_key), except for payouts, whose batch id no query
/// returns: `payout:<requestId>:<bizStatus>`.
pub fn event_key(notification: &Notification) -> String {
    match notification {
        Notification::Payout(payout) => match &payout.data.request_id {
            Some(id) => format!("payout:{id}:{}", notification.biz_status()),
            None => notification.dedup_key(),
        },
        _ => notification.dedup_key(),
    }
}

fn poll_key(pending_key: &str) -> String {
    format!("reconcile:poll:{pending_key}")
}

fn lease_token() -> Result<String, DedupStoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|_| DedupStoreError::new("no random bytes for a lease token"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What one query found.
enum Found {
    /// Not final yet.
    Waiting,
    /// Final: the event a webhook would carry.
    Final(Box<Notification>),
    /// Given up.
    Unresolved(Unresolved),
    /// The query failed; try again later.
    Failed,
}

impl Reconciler {
    /// A reconciler polling through `webhooks`' client and acting once through its
    /// deduplication store, with a [`MemoryPendingStore`].
    pub fn new(webhooks: WebhookHandler) -> Reconciler {
        Reconciler::with_parts(
            webhooks,
            Arc::new(MemoryPendingStore::new()),
            DEFAULT_MIN_INTERVAL,
            DEFAULT_MAX_INTERVAL,
            DEFAULT_MAX_POLLS_PER_SECOND,
            DEFAULT_GRACE,
            DEFAULT_EXPIRY,
        )
    }

    fn with_parts(
        webhooks: WebhookHandler,
        pending: Arc<dyn PendingStore>,
        min_interval: Duration,
        max_interval: Duration,
        max_polls_per_second: u32,
        grace: Duration,
        default_expiry: Duration,
    ) -> Reconciler {
        let hook_store = Arc::clone(&pending);
        let dedup = Arc::clone(webhooks.dedup_store());
        let retention = webhooks.retention();
        let hook: SettledHook = Arc::new(move |notification: &Notification| {
            let keys = settled_keys(notification);
            if keys.is_empty() {
                return;
            }
            let (pending, dedup) = (Arc::clone(&hook_store), Arc::clone(&dedup));
            // The webhook's answer does not wait for this; a failure only costs a poll.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    for key in keys {
                        if let Ok(token) = lease_token() {
                            let _ = dedup.complete(&poll_key(&key), &token, retention).await;
                        }
                        if pending.remove(&key).await.is_err() {
                            crate::metrics::store_error("pending", "remove");
                        }
                    }
                });
            }
        });
        Reconciler {
            inner: Arc::new(Inner {
                handler: webhooks.with_settled_hook(hook),
                pending,
                skip_until: Mutex::new(HashMap::new()),
                min_interval,
                max_interval,
                max_polls_per_second,
                grace,
                default_expiry,
            }),
        }
    }

    fn rebuild(&self, change: impl FnOnce(&mut Settings)) -> Reconciler {
        let inner = &*self.inner;
        let mut settings = Settings {
            pending: Arc::clone(&inner.pending),
            min_interval: inner.min_interval,
            max_interval: inner.max_interval,
            max_polls_per_second: inner.max_polls_per_second,
            grace: inner.grace,
            default_expiry: inner.default_expiry,
        };
        change(&mut settings);
        Reconciler::with_parts(
            inner.handler.clone(),
            settings.pending,
            settings.min_interval,
            settings.max_interval.max(settings.min_interval),
            settings.max_polls_per_second.max(1),
            settings.grace,
            settings.default_expiry,
        )
    }

    /// Keeps the pending set in `store` (e.g. a `RedisPendingStore` shared by every replica)
    /// instead of this process's memory.
    #[must_use]
    pub fn with_pending_store(self, store: Arc<dyn PendingStore>) -> Reconciler {
        self.rebuild(|s| s.pending = store)
    }

    /// The first interval between polls of an object (default [`DEFAULT_MIN_INTERVAL`]) and
    /// the longest (default [`DEFAULT_MAX_INTERVAL`]); in between the interval is half the
    /// object's age, ±20 % jitter.
    #[must_use]
    pub fn with_intervals(self, min: Duration, max: Duration) -> Reconciler {
        let min = min.max(Duration::from_millis(10));
        self.rebuild(|s| {
            s.min_interval = min;
            s.max_interval = max;
        })
    }

    /// At most this many queries per second, between every replica sharing the
    /// deduplication store (default [`DEFAULT_MAX_POLLS_PER_SECOND`]; at least 1).
    #[must_use]
    pub fn with_max_polls_per_second(self, rate: u32) -> Reconciler {
        self.rebuild(|s| s.max_polls_per_second = rate)
    }

    /// How long after its expiry an object is still polled (default [`DEFAULT_GRACE`]).
    #[must_use]
    pub fn with_grace(self, grace: Duration) -> Reconciler {
        self.rebuild(|s| s.grace = grace)
    }

    /// The expiry of objects registered without one, from registration (default
    /// [`DEFAULT_EXPIRY`]).
    #[must_use]
    pub fn with_default_expiry(self, expiry: Duration) -> Reconciler {
        self.rebuild(|s| s.default_expiry = expiry)
    }

    /// The webhook handler to answer webhooks with: the one given, told to end the polling of
    /// whatever a webhook settles.
    pub fn webhooks(&self) -> WebhookHandler {
        self.inner.handler.clone()
    }

    /// Starts waiting for `pending`; `false` when it was awaited already.
    ///
    /// # Errors
    /// [`ReconcileError::Store`] when the pending store cannot be reached.
    pub async fn register(&self, pending: &Pending) -> Result<bool, ReconcileError> {
        let now = now_ms();
        let expiry = pending
            .expires_at_ms
            .unwrap_or_else(|| now.saturating_add(ms(self.inner.default_expiry)));
        let record = Record {
            registered_ms: now,
            deadline_ms: expiry.saturating_add(ms(self.inner.grace)),
        };
        let text = serde_json::to_string(&record)
            .map_err(|e| DedupStoreError::with_source("cannot encode a pending record", e))?;
        let key = pending.key();
        let added = self.inner.pending.add(&key, &text).await.inspect_err(|_| {
            crate::metrics::store_error("pending", "add");
        })?;
        Ok(added)
    }

    /// Stops waiting for `pending`; `false` when it was not awaited.
    ///
    /// # Errors
    /// [`ReconcileError::Store`] when the pending store cannot be reached.
    pub async fn forget(&self, pending: &Pending) -> Result<bool, ReconcileError> {
        Ok(self.inner.pending.remove(&pending.key()).await?)
    }

    /// Creates a v3 order and registers it (by `merchantTradeNo`, expiring at its
    /// `orderExpireTime` when given).
    ///
    /// # Errors
    /// [`ReconcileError::Call`] when the order was not created (nothing registered; when its
    /// outcome is unknown, register it yourself with [`Pending::order_by_trade_no`]);
    /// [`ReconcileError::Store`] when it was created but could not be registered.
    pub async fn create_order_v3(
        &self,
        request: &binancepay_types::order::CreateOrderV3Request,
    ) -> Result<crate::CreatedOrder, ReconcileError> {
        let mut pending = Pending::order_by_trade_no(&request.merchant_trade_no)?;
        if let Some(expire) = request.order_expire_time {
            pending = pending.expires_at_ms(u64::try_from(expire).unwrap_or(0));
        }
        self.created(
            &pending,
            self.inner.handler.client().orders().create_v3(request),
        )
        .await
    }

    /// Asks for a refund and registers it by `refundRequestId`.
    ///
    /// # Errors
    /// As [`create_order_v3`](Self::create_order_v3).
    pub async fn refund(
        &self,
        request: &binancepay_types::refund::RefundOrderRequest,
    ) -> Result<binancepay_types::refund::RefundResult, ReconcileError> {
        let pending = Pending::refund(&request.refund_request_id)?;
        self.created(
            &pending,
            self.inner.handler.client().refunds().create(request),
        )
        .await
    }

    /// Sends a batch payout and registers it by `requestId`.
    ///
    /// # Errors
    /// As [`create_order_v3`](Self::create_order_v3).
    pub async fn payout(
        &self,
        request: &binancepay_types::payout::CreatePayoutRequest,
    ) -> Result<binancepay_types::payout::CreatePayoutResult, ReconcileError> {
        let pending = Pending::payout(&request.request_id)?;
        self.created(
            &pending,
            self.inner.handler.client().payouts().create(request),
        )
        .await
    }

    /// Awaits a creation and, once it succeeded, registers what it created.
    async fn created<T>(
        &self,
        pending: &Pending,
        create: impl std::future::Future<Output = Result<T, crate::Error>>,
    ) -> Result<T, ReconcileError> {
        let created = create.await.map_err(Box::new)?;
        self.register(pending).await?;
        Ok(created)
    }

    /// The objects awaited now (from the pending store).
    ///
    /// # Errors
    /// [`ReconcileError::Store`] when the pending store cannot be reached.
    pub async fn pending(&self) -> Result<Vec<Pending>, ReconcileError> {
        let listed = self.inner.pending.list().await?;
        Ok(listed
            .iter()
            .filter_map(|(key, _)| Pending::from_key(key))
            .collect())
    }

    /// One pass: every object that is due and not leased by another replica is queried
    /// (within the rate limit), and a final status is handed to `act` exactly as
    /// [`WebhookHandler::process`] would.
    ///
    /// # Errors
    /// [`ReconcileError::Store`] when the pending set cannot be listed; later store errors
    /// only leave the object for the next pass.
    pub async fn poll_once<F, Fut, E>(&self, act: &F) -> Result<Pass, ReconcileError>
    where
        F: Fn(Notification) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        let inner = &*self.inner;
        let listed = inner.pending.list().await.inspect_err(|_| {
            crate::metrics::store_error("pending", "list");
        })?;
        crate::metrics::pending(listed.len());
        let mut pass = Pass {
            pending: listed.len(),
            ..Pass::default()
        };
        let dedup = inner.handler.dedup_store();
        let timeout = inner.handler.store_timeout();
        let mut rate_exhausted = false;
        {
            let listed_keys: std::collections::HashSet<&str> =
                listed.iter().map(|(key, _)| key.as_str()).collect();
            self.skips()
                .retain(|key, _| listed_keys.contains(key.as_str()));
        }
        for (key, text) in listed {
            let Some(pending) = Pending::from_key(&key) else {
                // Not ours to poll (a key this version does not know): leave it alone.
                continue;
            };
            let Ok(record) = serde_json::from_str::<Record>(&text) else {
                continue;
            };
            if rate_exhausted {
                pass.rate_limited += 1;
                continue;
            }
            let now = now_ms();
            if self.skips().get(&key).is_some_and(|until| now < *until) {
                continue;
            }
            let token = lease_token()?;
            let lease = self.next_interval(&record, now);
            let poll = poll_key(&key);
            let claimed = tokio::time::timeout(timeout, dedup.claim(&poll, &token, lease)).await;
            match claimed {
                Ok(Ok(Claim::Acquired)) => {
                    self.skips()
                        .insert(key.clone(), now.saturating_add(ms(lease)));
                }
                Ok(Ok(Claim::Done)) => {
                    // Settled (by a webhook or another replica) after the list was read.
                    let _ = inner.pending.remove(&key).await;
                    continue;
                }
                Ok(Ok(Claim::Held)) => {
                    // Another replica's lease: its length is unknown here, so look again after
                    // the shortest interval.
                    self.skips()
                        .insert(key.clone(), now.saturating_add(ms(inner.min_interval)));
                    continue;
                }
                _ => {
                    crate::metrics::store_error("dedup", "claim");
                    continue;
                }
            }
            if now > record.deadline_ms {
                self.give_up(
                    &key,
                    &poll,
                    &token,
                    pending,
                    Unresolved::DeadlinePassed,
                    &mut pass,
                )
                .await;
                continue;
            }
            if !self.rate_slot(dedup.as_ref(), timeout).await {
                rate_exhausted = true;
                pass.rate_limited += 1;
                // Free the object for the next pass, whoever runs it.
                let _ = dedup.release(&poll, &token).await;
                self.skips().remove(&key);
                continue;
            }
            pass.polls += 1;
            match self.query(&pending).await {
                Found::Waiting => crate::metrics::poll(pending.kind.as_str(), "not_final"),
                Found::Failed => crate::metrics::poll(pending.kind.as_str(), "error"),
                Found::Unresolved(reason) => {
                    let label = match reason {
                        Unresolved::UnknownId => "unknown_id",
                        _ => "final",
                    };
                    crate::metrics::poll(pending.kind.as_str(), label);
                    self.give_up(&key, &poll, &token, pending, reason, &mut pass)
                        .await;
                }
                Found::Final(notification) => {
                    crate::metrics::poll(pending.kind.as_str(), "final");
                    let verified = VerifiedWebhook::from_poll(*notification);
                    let processed = inner.handler.act_once(verified, act.clone()).await;
                    crate::metrics::find(
                        pending.kind.as_str(),
                        crate::metrics::verdict(&processed),
                    );
                    match processed {
                        Processed::Acted(_) | Processed::Unrecorded { .. } => {
                            pass.acted += 1;
                            self.settle(&key, &poll, &token).await;
                        }
                        Processed::AlreadyDone(_) => {
                            pass.already_done += 1;
                            self.settle(&key, &poll, &token).await;
                        }
                        Processed::InProgress(_) => {
                            // A webhook is acting on it now: look again soon.
                            let _ = dedup.renew(&poll, &token, inner.min_interval).await;
                            self.skips().insert(
                                key.clone(),
                                now_ms().saturating_add(ms(inner.min_interval)),
                            );
                        }
                        Processed::Failed { .. } | Processed::Aborted(_) => tracing::info!(
                            kind = pending.kind.as_str(),
                            "binancepay reconciler: the merchant's code failed; will retry"
                        ),
                        _ => {}
                    }
                }
            }
        }
        Ok(pass)
    }

    /// Runs [`poll_once`](Self::poll_once) every `tick` in a task of its own until
    /// [`RunningReconciler::stop`]; objects given up on are logged and sent to
    /// [`RunningReconciler::next_report`].
    pub fn run<F, Fut, E>(&self, tick: Duration, act: F) -> RunningReconciler
    where
        F: Fn(Notification) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Send + 'static,
    {
        let (sender, reports) = mpsc::unbounded_channel();
        let this = self.clone();
        let tick = tick.max(Duration::from_millis(5));
        let task = tokio::spawn(async move {
            loop {
                match this.poll_once(&act).await {
                    Ok(pass) => {
                        for report in pass.unresolved {
                            let _ = sender.send(report);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "binancepay reconciler pass failed");
                    }
                }
                tokio::time::sleep(tick).await;
            }
        });
        RunningReconciler { task, reports }
    }

    fn skips(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        // Entries are single values: a panic elsewhere leaves none half-written.
        self.inner
            .skip_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next interval of an object registered at `record.registered_ms`: half its age,
    /// within the bounds, ±20 % jitter.
    fn next_interval(&self, record: &Record, now: u64) -> Duration {
        let age = Duration::from_millis(now.saturating_sub(record.registered_ms));
        let base = (age / 2).clamp(self.inner.min_interval, self.inner.max_interval);
        let jitter = crate::retry::random_u64() % 401;
        // 80 % .. 120 %.
        base.mul_f64((800 + jitter) as f64 / 1000.0)
    }

    /// Takes one of this second's query slots, shared by every replica through the store.
    async fn rate_slot(&self, dedup: &dyn DedupStore, timeout: Duration) -> bool {
        let second = now_ms() / 1000;
        let slots = self.inner.max_polls_per_second;
        let start = u32::try_from(crate::retry::random_u64() % u64::from(slots)).unwrap_or(0);
        let Ok(token) = lease_token() else {
            return false;
        };
        // At most 16 store round trips per query: a full second is found out quickly whatever
        // the rate; with more slots than that they are drawn at random (a miss only means a
        // query waits for the next pass, the limit still holds).
        for n in 0..slots.min(16) {
            let index = if slots <= 16 {
                (start + n) % slots
            } else {
                u32::try_from(crate::retry::random_u64() % u64::from(slots)).unwrap_or(0)
            };
            let slot = format!("reconcile:rate:{second}:{index}");
            let claimed =
                tokio::time::timeout(timeout, dedup.claim(&slot, &token, Duration::from_secs(2)))
                    .await;
            if let Ok(Ok(Claim::Acquired)) = claimed {
                return true;
            }
        }
        false
    }

    /// The object is settled: done in the lease store, out of the pending set.
    async fn settle(&self, key: &str, poll: &str, token: &str) {
        let inner = &*self.inner;
        let retention = inner.handler.retention();
        if inner
            .handler
            .dedup_store()
            .complete(poll, token, retention)
            .await
            .is_err()
        {
            crate::metrics::store_error("dedup", "complete");
        }
        if inner.pending.remove(key).await.is_err() {
            crate::metrics::store_error("pending", "remove");
        }
    }

    async fn give_up(
        &self,
        key: &str,
        poll: &str,
        token: &str,
        pending: Pending,
        reason: Unresolved,
        pass: &mut Pass,
    ) {
        let inner = &*self.inner;
        let retention = inner.handler.retention();
        let _ = inner
            .handler
            .dedup_store()
            .complete(poll, token, retention)
            .await;
        // Only the replica that removes it reports it.
        if let Ok(true) = inner.pending.remove(key).await {
            tracing::warn!(
                kind = pending.kind.as_str(),
                reason = ?reason,
                "binancepay reconciler gave up on an object"
            );
            pass.unresolved.push(Report { pending, reason });
        }
    }

    async fn query(&self, pending: &Pending) -> Found {
        let client = self.inner.handler.client();
        let not_found = |error: &Error| {
            error.result_code() == Some(&ResultCode::OrderNotFound) && !error.outcome_unknown()
        };
        match pending.kind {
            PendingKind::Order => {
                let request = match pending.by {
                    "pp" => match pending.id.parse() {
                        Ok(id) => QueryOrderV2Request::new().with_prepay_id(id),
                        Err(_) => return Found::Unresolved(Unresolved::UnknownId),
                    },
                    _ => QueryOrderV2Request::new().with_merchant_trade_no(pending.id.as_str()),
                };
                match client.orders().query_v2(&request).await {
                    Ok(order) => order_event(&order),
                    Err(error) if not_found(&error) => Found::Unresolved(Unresolved::UnknownId),
                    Err(_) => Found::Failed,
                }
            }
            PendingKind::Refund => {
                let request = QueryRefundRequest::new(pending.id.as_str());
                match client.refunds().query(&request).await {
                    Ok(refund) => refund_event(&refund),
                    Err(error) if not_found(&error) => Found::Unresolved(Unresolved::UnknownId),
                    Err(_) => Found::Failed,
                }
            }
            PendingKind::Payout => {
                let request = QueryPayoutRequest::new(pending.id.as_str());
                match client.payouts().query(&request).await {
                    Ok(payout) => payout_event(&payout),
                    Err(error) if not_found(&error) => Found::Unresolved(Unresolved::UnknownId),
                    Err(_) => Found::Failed,
                }
            }
        }
    }
}

struct Settings {
    pending: Arc<dyn PendingStore>,
    min_interval: Duration,
    max_interval: Duration,
    max_polls_per_second: u32,
    grace: Duration,
    default_expiry: Duration,
}

/// A reconciler running in a task of its own ([`Reconciler::run`]).
#[derive(Debug)]
pub struct RunningReconciler {
    task: tokio::task::JoinHandle<()>,
    reports: mpsc::UnboundedReceiver<Report>,
}

impl RunningReconciler {
    /// The next object this replica gave up on (`None` once stopped).
    pub async fn next_report(&mut self) -> Option<Report> {
        self.reports.recv().await
    }

    /// The objects given up on so far, without waiting.
    pub fn reports(&mut self) -> Vec<Report> {
        let mut all = Vec::new();
        while let Ok(report) = self.reports.try_recv() {
            all.push(report);
        }
        all
    }

    /// Stops polling (an action under way finishes in its own task, and leases run out for
    /// the other replicas to take over).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for RunningReconciler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies `fields` of `from` into a new object, renaming as given.
fn pick(from: &Value, fields: &[(&str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (source, target) in fields {
        if let Some(value) = from.get(*source).filter(|v| !v.is_null()) {
            out.insert((*target).to_owned(), value.clone());
        }
    }
    out
}

/// The notification a webhook would carry: the envelope Binance sends, decoded by the same
/// parser as a delivery.
fn notification(biz_type: &str, biz_id: &str, status: &str, data: Map<String, Value>) -> Found {
    let data = Value::Object(data).to_string();
    let body = serde_json::json!({
        "bizType": biz_type,
        "bizIdStr": biz_id,
        "bizStatus": status,
        "data": data,
    });
    match Notification::from_slice(body.to_string().as_bytes()) {
        Ok(notification) => Found::Final(Box::new(notification)),
        Err(_) => Found::Unresolved(Unresolved::UnmappableStatus(status.to_owned())),
    }
}

fn order_event(order: &QueryOrderResult) -> Found {
    let status = match &order.status {
        OrderStatus::Paid
        | OrderStatus::Refunding
        | OrderStatus::Refunded
        | OrderStatus::FullRefunded => "PAY_SUCCESS",
        OrderStatus::Canceled | OrderStatus::Expired | OrderStatus::Error => "PAY_CLOSED",
        OrderStatus::Initial | OrderStatus::Pending => return Found::Waiting,
        other => {
            return Found::Unresolved(Unresolved::UnmappableStatus(other.as_str().to_owned()));
        }
    };
    let Ok(json) = serde_json::to_value(order) else {
        return Found::Failed;
    };
    let data = pick(
        &json,
        &[
            ("merchantTradeNo", "merchantTradeNo"),
            ("transactTime", "transactTime"),
            ("orderAmount", "totalFee"),
            ("currency", "currency"),
            ("transactionId", "transactionId"),
            ("openUserId", "openUserId"),
            ("passThroughInfo", "passThroughInfo"),
            ("paymentInfo", "paymentInfo"),
        ],
    );
    notification("PAY", &order.prepay_id.to_string(), status, data)
}

fn refund_event(refund: &QueryRefundResult) -> Found {
    let status = match &refund.refund_status {
        Some(RefundStatus::RefundSuccess) => "REFUND_SUCCESS",
        Some(RefundStatus::RefundFail) => "REFUND_REJECTED",
        Some(RefundStatus::RefundPending) | None => return Found::Waiting,
        Some(other) => {
            return Found::Unresolved(Unresolved::UnmappableStatus(other.as_str().to_owned()));
        }
    };
    // The webhook's bizId is the order's prepayId: without it the keys could not match.
    let Some(prepay_id) = &refund.prepay_id else {
        return Found::Failed;
    };
    let Ok(json) = serde_json::to_value(refund) else {
        return Found::Failed;
    };
    let mut data = pick(
        &json,
        &[("orderAmount", "totalFee"), ("payerOpenId", "openUserId")],
    );
    let info = pick(
        &json,
        &[
            ("refundRequestId", "refundRequestId"),
            ("prepayId", "prepayId"),
            ("orderAmount", "orderAmount"),
            ("refundedAmount", "refundedAmount"),
            ("refundAmount", "refundAmount"),
            ("remainingAttempts", "remainingAttempts"),
            ("payerOpenId", "payerOpenId"),
        ],
    );
    data.insert("refundInfo".to_owned(), Value::Object(info));
    notification("PAY_REFUND", &prepay_id.to_string(), status, data)
}

fn payout_event(payout: &QueryPayoutResult) -> Found {
    let status = match &payout.batch_status {
        PayoutBatchStatus::Success
        | PayoutBatchStatus::PartSuccess
        | PayoutBatchStatus::Failed
        | PayoutBatchStatus::Canceled => payout.batch_status.as_str(),
        PayoutBatchStatus::Accepted | PayoutBatchStatus::Processing => return Found::Waiting,
        other => {
            return Found::Unresolved(Unresolved::UnmappableStatus(other.as_str().to_owned()));
        }
    };
    let Ok(json) = serde_json::to_value(payout) else {
        return Found::Failed;
    };
    let data = pick(
        &json,
        &[
            ("requestId", "requestId"),
            ("batchStatus", "batchStatus"),
            ("merchantId", "merchantId"),
            ("currency", "currency"),
            ("totalAmount", "totalAmount"),
            ("totalNumber", "totalNumber"),
        ],
    );
    // No query returns the batch id the webhook carries as bizId; the event key uses the
    // requestId instead (see `event_key`).
    notification("PAYOUT", "", status, data)
}

impl VerifiedWebhook {
    /// A notification found by polling: no signature to check, it came from an
    /// authenticated query.
    pub(crate) fn from_poll(notification: Notification) -> VerifiedWebhook {
        VerifiedWebhook::new(notification, WebhookReply::success())
    }
}

#[cfg(test)]
mod tests {
    use binancepay_types::webhook::Notification;
    use proptest::prelude::*;

    use super::*;

    fn found_key(found: Found) -> String {
        match found {
            Found::Final(notification) => event_key(&notification),
            Found::Waiting => "waiting".to_owned(),
            Found::Unresolved(reason) => format!("unresolved {reason:?}"),
            Found::Failed => "failed".to_owned(),
        }
    }

    fn order(status: &str) -> QueryOrderResult {
        let json = serde_json::json!({
            "merchantId": 98765987, "prepayId": "29383937493038367292",
            "merchantTradeNo": "A1", "status": status, "currency": "USDT",
            "orderAmount": "25.17000", "transactTime": 1611232922428_u64,
            "openUserId": "1211HS10K81f4273ac031", "createTime": 1611232922428_u64
        });
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn ids_are_checked_and_name_the_field_and_rule() {
        let rule = |result: Result<Pending, ReconcileError>| match result {
            Err(ReconcileError::InvalidId { field, rule }) => format!("{field}: {rule}"),
            other => format!("{other:?}"),
        };
        assert_eq!(
            rule(Pending::order_by_trade_no("")),
            "merchantTradeNo: must not be empty"
        );
        assert_eq!(
            rule(Pending::order_by_trade_no(&"a".repeat(33))),
            "merchantTradeNo: at most 32 characters"
        );
        assert_eq!(
            rule(Pending::order_by_trade_no("A-1")),
            "merchantTradeNo: letters and digits only"
        );
        assert_eq!(
            rule(Pending::order_by_prepay_id("12a")),
            "prepayId: digits only"
        );
        assert_eq!(
            rule(Pending::refund(&"r".repeat(65))),
            "refundRequestId: at most 64 characters"
        );
        assert_eq!(
            rule(Pending::payout("a:b")),
            "requestId: letters, digits, `-` and `_` only"
        );
        // The message never repeats the id.
        let message = Pending::refund("secret value").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("invalid `refundRequestId`: letters, digits, `-` and `_` only")
        );
        assert!(Pending::refund("R_1-a").is_ok());
    }

    proptest! {
        #[test]
        fn keys_round_trip_and_foreign_keys_never_panic(id in "[A-Za-z0-9_-]{1,64}", junk in ".{0,80}") {
            for pending in [
                Pending::order_by_trade_no(&id),
                Pending::order_by_prepay_id(&id),
                Pending::refund(&id),
                Pending::payout(&id),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert_eq!(Pending::from_key(&pending.key()), Some(pending.clone()));
            }
            if let Some(parsed) = Pending::from_key(&junk) {
                prop_assert_eq!(parsed.key(), junk);
            }
        }
    }

    #[test]
    fn order_statuses_map_to_the_pay_events_webhooks_carry() {
        assert_eq!(
            found_key(order_event(&order("PAID"))),
            "PAY:29383937493038367292:PAY_SUCCESS"
        );
        assert_eq!(
            found_key(order_event(&order("REFUNDED"))),
            "PAY:29383937493038367292:PAY_SUCCESS"
        );
        assert_eq!(
            found_key(order_event(&order("EXPIRED"))),
            "PAY:29383937493038367292:PAY_CLOSED"
        );
        assert_eq!(found_key(order_event(&order("INITIAL"))), "waiting");
        assert_eq!(found_key(order_event(&order("PENDING"))), "waiting");
        assert_eq!(
            found_key(order_event(&order("MOVED_TO_MARS"))),
            "unresolved UnmappableStatus(\"MOVED_TO_MARS\")"
        );
        // The amount keeps its exact text.
        match order_event(&order("PAID")) {
            Found::Final(notification) => match *notification {
                Notification::Pay(pay) => {
                    assert_eq!(
                        pay.data.total_fee.map(|a| a.as_str().to_owned()).as_deref(),
                        Some("25.17000")
                    );
                    assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("A1"));
                }
                other => panic!("{other:?}"),
            },
            _ => panic!("not final"),
        }
    }

    #[test]
    fn refunds_and_payouts_get_the_keys_of_their_webhooks() {
        let refund = |status: &str| -> QueryRefundResult {
            serde_json::from_value(serde_json::json!({
                "refundRequestId": "R1", "prepayId": "29383937493038367292",
                "orderAmount": "25.17", "refundedAmount": "5", "refundAmount": "5",
                "remainingAttempts": 9, "payerOpenId": "x", "refundStatus": status
            }))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(
            found_key(refund_event(&refund("REFUND_SUCCESS"))),
            "PAY_REFUND:29383937493038367292:REFUND_SUCCESS:R1"
        );
        assert_eq!(
            found_key(refund_event(&refund("REFUND_FAIL"))),
            "PAY_REFUND:29383937493038367292:REFUND_REJECTED:R1"
        );
        assert_eq!(
            found_key(refund_event(&refund("REFUND_PENDING"))),
            "waiting"
        );

        let payout = |status: &str| -> QueryPayoutResult {
            serde_json::from_value(serde_json::json!({
                "requestId": "P1", "batchStatus": status, "currency": "USDT",
                "totalAmount": "2", "totalNumber": 1
            }))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(
            found_key(payout_event(&payout("SUCCESS"))),
            "payout:P1:SUCCESS"
        );
        assert_eq!(
            found_key(payout_event(&payout("PART_SUCCESS"))),
            "payout:P1:PART_SUCCESS"
        );
        assert_eq!(found_key(payout_event(&payout("PROCESSING"))), "waiting");
        // The PAYOUT webhook (bizId = the batch id) gets the same key.
        let webhook = br#"{"bizType":"PAYOUT","bizId":555,"bizIdStr":"555","bizStatus":"SUCCESS","data":"{\"requestId\":\"P1\",\"batchStatus\":\"SUCCESS\"}"}"#;
        let notification = Notification::from_slice(webhook).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(event_key(&notification), "payout:P1:SUCCESS");
        assert_eq!(settled_keys(&notification), vec!["payout:P1".to_owned()]);
    }

    #[test]
    fn the_memory_store_adds_and_removes_once() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            let store = MemoryPendingStore::new();
            assert_eq!(store.add("refund:R1", "{}").await.ok(), Some(true));
            assert_eq!(store.add("refund:R1", "{}").await.ok(), Some(false));
            assert_eq!(
                store.list().await.ok(),
                Some(vec![("refund:R1".to_owned(), "{}".to_owned())])
            );
            assert_eq!(format!("{store:?}"), "MemoryPendingStore { entries: 1 }");
            assert_eq!(store.remove("refund:R1").await.ok(), Some(true));
            assert_eq!(store.remove("refund:R1").await.ok(), Some(false));
        });
    }

    #[test]
    fn intervals_grow_with_age_within_bounds() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            let client = crate::Client::builder()
                .credentials("abc123", "secret")
                .base_url("http://127.0.0.1:9")
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            let reconciler = Reconciler::new(client.webhooks())
                .with_intervals(Duration::from_secs(1), Duration::from_secs(60));
            let record = Record {
                registered_ms: 1_000_000,
                deadline_ms: u64::MAX,
            };
            for (age_s, low, high) in [(0, 800, 1200), (10, 4000, 6000), (1000, 48_000, 72_000)] {
                let interval = reconciler.next_interval(&record, 1_000_000 + age_s * 1000);
                let ms = interval.as_millis();
                assert!((low..=high).contains(&ms), "age {age_s}s: {ms} ms");
            }
        });
    }
}
