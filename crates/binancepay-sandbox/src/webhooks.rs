//! Webhook delivery: sign each notification with the sandbox's RSA key, POST it, retry with
//! exponential backoff until the merchant answers HTTP 200 with `returnCode` `SUCCESS`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use binancepay_http::server::{add_new_pair, webhook_request};
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{Nonce, Timestamp};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::credentials::SecretText;

/// Largest merchant reply read, in bytes; the reply only needs to hold `returnCode`.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Not delivered yet; more attempts will follow.
    Pending,
    /// The merchant answered HTTP 200 with `returnCode` `SUCCESS`.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
    /// Neither the request nor the sandbox named a webhook URL, so nothing was sent (Binance
    /// would use the URL configured in the merchant portal).
    NoUrl,
}

/// One notification and the story of its delivery (what `GET /sandbox/webhooks` lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Sequence number, from 1, in the order notifications were produced.
    pub id: u64,
    /// `bizType`, e.g. `PAY`.
    pub biz_type: String,
    /// `bizStatus`, e.g. `PAY_SUCCESS`.
    pub biz_status: String,
    /// `bizIdStr`: the id of the object the notification is about.
    pub biz_id: String,
    /// Where it goes (the request's `webhookUrl`, else the sandbox default).
    pub url: Option<String>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// System time (epoch ms) it was produced.
    pub created_at: u64,
    /// System time (epoch ms) the merchant acknowledged it.
    pub delivered_at: Option<u64>,
    /// The exact JSON body sent (each attempt is signed afresh, the body never changes).
    pub body: String,
    /// Every attempt so far, oldest first: when, how long, and what the merchant answered.
    #[serde(default)]
    pub attempt_log: Vec<DeliveryAttempt>,
}

/// One attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// System time (epoch ms) the attempt started.
    pub started_at: u64,
    /// How long it took until the answer (or the failure), in milliseconds.
    pub duration_ms: u64,
    /// The HTTP status the merchant answered, when it answered.
    pub http_status: Option<u16>,
    /// The start of the merchant's answer body (at most 200 characters).
    pub answer: Option<String>,
    /// Why the attempt failed; `None` when it was acknowledged.
    pub error: Option<String>,
}

/// How much of a merchant's answer an attempt keeps.
const ANSWER_EXCERPT_CHARS: usize = 200;

/// What one attempt gave: acknowledged or why not, plus what came back.
struct AttemptResult {
    outcome: Result<(), String>,
    http_status: Option<u16>,
    answer: Option<String>,
}

/// A notification to send: the envelope fields and the inner `data` JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub(crate) biz_type: &'static str,
    pub(crate) biz_status: String,
    pub(crate) biz_id: u64,
    pub(crate) data: String,
    pub(crate) url: Option<String>,
}

/// The §4.3 envelope, in its documented key order.
#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "bizType")]
    biz_type: &'a str,
    #[serde(rename = "bizId")]
    biz_id: u64,
    #[serde(rename = "bizIdStr")]
    biz_id_str: String,
    #[serde(rename = "bizStatus")]
    biz_status: &'a str,
    data: &'a str,
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Delay before the first retry; doubled for each further one.
    pub(crate) base_delay: Duration,
    /// Retries after the first attempt (Binance documents 6).
    pub(crate) max_retries: u32,
    /// Time allowed for one attempt.
    pub(crate) attempt_timeout: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): `base * 2^(retry-1)`, capped at one hour.
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(Duration::from_secs(3600))
    }
}

#[derive(Debug, Default)]
struct OutboxInner {
    deliveries: Vec<WebhookDelivery>,
    tasks: JoinSet<()>,
    closed: bool,
}

/// A key of the new platform certificate and its serial.
#[derive(Debug, Clone)]
pub(crate) struct NewSigner {
    pub(crate) key: Arc<WebhookSigningKey>,
    pub(crate) serial: String,
}

/// Produces, signs, sends and records notifications.
#[derive(Debug)]
pub(crate) struct Outbox {
    inner: Mutex<OutboxInner>,
    key: Arc<WebhookSigningKey>,
    serial: String,
    /// After a rotation, every attempt also carries the `-New` pair signed with this key.
    new_signer: Mutex<Option<NewSigner>>,
    /// Keys the next rotations use, oldest first; then keys of `rotation_bits` are generated.
    rotation_keys: Mutex<std::collections::VecDeque<SecretText>>,
    rotation_bits: usize,
    default_url: Option<String>,
    client: reqwest::Client,
    policy: RetryPolicy,
    shutdown: watch::Sender<bool>,
}

impl Outbox {
    pub(crate) fn new(
        key: WebhookSigningKey,
        serial: String,
        default_url: Option<String>,
        client: reqwest::Client,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            inner: Mutex::new(OutboxInner::default()),
            key: Arc::new(key),
            serial,
            new_signer: Mutex::new(None),
            rotation_keys: Mutex::new(std::collections::VecDeque::new()),
            rotation_bits: crate::DEFAULT_KEY_BITS,
            default_url,
            client,
            policy,
            shutdown: watch::Sender::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, OutboxInner> {
        // A panic elsewhere must not take delivery bookkeeping down with it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn serial(&self) -> &str {
        &self.serial
    }

    pub(crate) fn public_key_pem(&self) -> String {
        self.key.public_key_pem()
    }

    /// Queues the keys of the next rotations and the size of the keys generated after them.
    pub(crate) fn with_rotation(mut self, keys: Vec<SecretText>, bits: usize) -> Self {
        self.rotation_keys = Mutex::new(keys.into());
        self.rotation_bits = bits;
        self
    }

    /// The queued PEM of the next rotation, else the size of the key to generate.
    pub(crate) fn next_rotation_key(&self) -> (Option<SecretText>, usize) {
        let next = self
            .rotation_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        (next, self.rotation_bits)
    }

    /// Signs every later attempt with `signer` as well (the `-New` pair).
    pub(crate) fn set_new_signer(&self, signer: NewSigner) {
        *self
            .new_signer
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(signer);
    }

    /// The serial of the `-New` pair, once a rotation happened.
    pub(crate) fn new_serial(&self) -> Option<String> {
        self.new_signer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|s| s.serial.clone())
    }

    /// Records a notification and starts delivering it; returns its id.
    ///
    /// Must run inside the tokio runtime (every request handler does).
    pub(crate) fn enqueue(self: &Arc<Self>, notice: Notice) -> u64 {
        let body = serde_json::to_string(&Envelope {
            biz_type: notice.biz_type,
            biz_id: notice.biz_id,
            biz_id_str: notice.biz_id.to_string(),
            biz_status: &notice.biz_status,
            data: &notice.data,
        })
        // Strings and integers always serialize; an empty body would fail verification loudly.
        .unwrap_or_default();
        let url = notice.url.or_else(|| self.default_url.clone());
        let mut inner = self.lock();
        let id = u64::try_from(inner.deliveries.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        inner.deliveries.push(WebhookDelivery {
            id,
            biz_type: notice.biz_type.to_owned(),
            biz_status: notice.biz_status,
            biz_id: notice.biz_id.to_string(),
            url: url.clone(),
            status: if url.is_some() {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::NoUrl
            },
            attempts: 0,
            last_error: None,
            created_at: Clock::system_now_ms(),
            delivered_at: None,
            body: body.clone(),
            attempt_log: Vec::new(),
        });
        if let (Some(url), false) = (url, inner.closed) {
            // Reap finished tasks so the set does not grow with every notification ever sent.
            while inner.tasks.try_join_next().is_some() {}
            let outbox = Arc::clone(self);
            inner
                .tasks
                .spawn(async move { outbox.deliver(id, url, Bytes::from(body)).await });
        }
        id
    }

    /// Starts a new round of attempts for a delivery that is not pending (same body, signed
    /// afresh): what the dashboard's "deliver again" does.
    pub(crate) fn redeliver(self: &Arc<Self>, id: u64) -> Result<WebhookDelivery, Redeliver> {
        let mut inner = self.lock();
        // Delivery ids start at 1: id 0 names no delivery.
        let index = id
            .checked_sub(1)
            .and_then(|index| usize::try_from(index).ok())
            .ok_or(Redeliver::NotFound)?;
        let closed = inner.closed;
        let delivery = inner.deliveries.get_mut(index).ok_or(Redeliver::NotFound)?;
        let Some(url) = delivery.url.clone() else {
            return Err(Redeliver::Refused("it has no webhook URL".to_owned()));
        };
        if delivery.status == DeliveryStatus::Pending || closed {
            return Err(Redeliver::Refused(
                "it is still being delivered or the sandbox is stopping".to_owned(),
            ));
        }
        delivery.status = DeliveryStatus::Pending;
        delivery.delivered_at = None;
        let snapshot = delivery.clone();
        let body = Bytes::from(snapshot.body.clone());
        while inner.tasks.try_join_next().is_some() {}
        let outbox = Arc::clone(self);
        inner
            .tasks
            .spawn(async move { outbox.deliver(id, url, body).await });
        Ok(snapshot)
    }

    /// A snapshot of every delivery, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.lock().deliveries.clone()
    }

    fn update(&self, id: u64, apply: impl FnOnce(&mut WebhookDelivery)) {
        let mut inner = self.lock();
        let Some(index) = id
            .checked_sub(1)
            .and_then(|index| usize::try_from(index).ok())
        else {
            return;
        };
        if let Some(delivery) = inner.deliveries.get_mut(index) {
            apply(delivery);
        }
    }

    async fn deliver(self: Arc<Self>, id: u64, url: String, body: Bytes) {
        let mut shutdown = self.shutdown.subscribe();
        let attempts = self.policy.max_retries.saturating_add(1);
        for attempt in 1..=attempts {
            if attempt > 1 && !*shutdown.borrow() {
                // Shutting down skips the remaining waits: deliver now or report pending.
                tokio::select! {
                    () = tokio::time::sleep(self.policy.delay(attempt - 1)) => {}
                    _ = shutdown.changed() => {}
                }
            }
            let started_at = Clock::system_now_ms();
            let started = std::time::Instant::now();
            let AttemptResult {
                outcome,
                http_status,
                answer,
            } = self.attempt(&url, &body).await;
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let last = attempt == attempts;
            self.update(id, |d| {
                // Counts across rounds: a redelivery continues the count.
                d.attempts = d.attempts.saturating_add(1);
                d.attempt_log.push(DeliveryAttempt {
                    started_at,
                    duration_ms,
                    http_status,
                    answer,
                    error: outcome.as_ref().err().cloned(),
                });
                match &outcome {
                    Ok(()) => {
                        d.status = DeliveryStatus::Delivered;
                        d.last_error = None;
                        d.delivered_at = Some(Clock::system_now_ms());
                    }
                    Err(reason) => {
                        d.last_error = Some(reason.clone());
                        if last {
                            d.status = DeliveryStatus::Failed;
                        }
                    }
                }
            });
            match outcome {
                Ok(()) => {
                    tracing::debug!(id, attempt, "webhook delivered");
                    return;
                }
                Err(reason) => tracing::debug!(id, attempt, %reason, "webhook attempt failed"),
            }
        }
    }

    /// One signed POST; acknowledged only by HTTP 200 with `returnCode` `SUCCESS`.
    async fn attempt(&self, url: &str, body: &Bytes) -> AttemptResult {
        match self.send(url, body).await {
            Ok((status, reply)) => {
                let text = String::from_utf8_lossy(&reply);
                AttemptResult {
                    outcome: acknowledged(status, &reply),
                    http_status: Some(status.as_u16()),
                    answer: Some(text.chars().take(ANSWER_EXCERPT_CHARS).collect()),
                }
            }
            Err(reason) => AttemptResult {
                outcome: Err(reason),
                http_status: None,
                answer: None,
            },
        }
    }

    /// Signs and POSTs the body; the merchant's status and answer, or why there was none.
    async fn send(
        &self,
        url: &str,
        body: &Bytes,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), String> {
        // Signed afresh each time so receivers with a freshness window accept late retries.
        let timestamp =
            Timestamp::from_millis(Clock::system_now_ms()).map_err(|e| e.to_string())?;
        let nonce = Nonce::from_os_rng().map_err(|e| e.to_string())?;
        // RSA signing is CPU-heavy (milliseconds per signature, far more in debug builds): keep it
        // off the async workers so request handling does not stall behind a burst of webhooks.
        let key = Arc::clone(&self.key);
        let serial = self.serial.clone();
        let new_signer = self
            .new_signer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let url = url.to_owned();
        let body = body.to_vec();
        let request = tokio::task::spawn_blocking(move || {
            let mut request = webhook_request(&url, &key, &serial, body, timestamp, &nonce)?;
            if let Some(new) = new_signer {
                let (mut parts, body) = request.into_parts();
                add_new_pair(
                    &mut parts.headers,
                    &new.key,
                    &new.serial,
                    &body,
                    timestamp,
                    &nonce,
                )?;
                request = http::Request::from_parts(parts, body);
            }
            Ok::<_, binancepay_http::Error>(request)
        })
        .await
        .map_err(|e| format!("signing task failed: {e}"))?
        .map_err(|e| e.to_string())?;
        let request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
        let send = async {
            let mut response = self
                .client
                .execute(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let mut reply = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
                if reply.len() + chunk.len() > MAX_REPLY_BYTES {
                    return Err(format!("reply larger than {MAX_REPLY_BYTES} bytes"));
                }
                reply.extend_from_slice(&chunk);
            }
            Ok((status, reply))
        };
        tokio::time::timeout(self.policy.attempt_timeout, send)
            .await
            .map_err(|_| {
                format!(
                    "no answer within {} ms",
                    self.policy.attempt_timeout.as_millis()
                )
            })?
    }

    /// Stops every delivery at once (the sandbox was dropped without a shutdown).
    pub(crate) fn abort(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        inner.tasks.abort_all();
    }

    /// Stops waiting between retries, waits until `deadline` for running deliveries, and returns
    /// those still pending (their tasks are stopped).
    pub(crate) async fn drain(&self, deadline: tokio::time::Instant) -> Vec<WebhookDelivery> {
        self.shutdown.send_replace(true);
        let mut tasks = {
            let mut inner = self.lock();
            inner.closed = true;
            std::mem::take(&mut inner.tasks)
        };
        let finished = tokio::time::timeout_at(deadline, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tasks.shutdown().await;
        }
        self.lock()
            .deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Pending)
            .cloned()
            .collect()
    }
}

/// Whether the merchant acknowledged: HTTP 200 with `returnCode` `SUCCESS`.
fn acknowledged(status: reqwest::StatusCode, reply: &[u8]) -> Result<(), String> {
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    #[derive(Deserialize)]
    struct Reply {
        #[serde(rename = "returnCode")]
        return_code: Option<String>,
    }
    match serde_json::from_slice::<Reply>(reply) {
        Ok(Reply {
            return_code: Some(code),
        }) if code == "SUCCESS" => Ok(()),
        Ok(Reply { return_code }) => Err(format!(
            "returnCode {:?}, expected \"SUCCESS\"",
            return_code.unwrap_or_default()
        )),
        Err(e) => Err(format!("reply is not the expected JSON: {e}")),
    }
}

/// Why a delivery cannot be started again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Redeliver {
    /// No delivery has this id.
    NotFound,
    /// It cannot be sent again now (the reason).
    Refused(String),
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_retries: 6,
            attempt_timeout: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=6).map(|r| policy.delay(r).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200]);
        assert_eq!(policy.delay(60), Duration::from_secs(3600));
    }
}
