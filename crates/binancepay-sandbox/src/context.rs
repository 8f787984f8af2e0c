//! What one handler call works with besides the state: the fixed settings and the clock, and the
//! notifications it queues.

use serde::Serialize;

use crate::webhooks::Notice;

/// Fixed settings the handlers read.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Lifetime of an order without `orderExpireTime`.
    pub(crate) order_expiry_ms: u64,
    /// Lifetime of a convert quote.
    pub(crate) quote_ttl_ms: u64,
    /// `http://ADDR`, for links that point back at the sandbox.
    pub(crate) base_url: String,
    /// `certSerial` of the webhook key.
    pub(crate) cert_serial: String,
    /// `certPublic`: the webhook public key, PEM.
    pub(crate) cert_public: String,
    /// Whether the merchant may use the TSP endpoints (400606 otherwise).
    pub(crate) technical_service_provider: bool,
    /// The merchant ids the TSP endpoints know (406210 for others).
    pub(crate) tsp_merchants: Vec<String>,
}

/// What one handler call works with besides the state.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    /// The sandbox clock, epoch milliseconds.
    pub(crate) now: u64,
    pub(crate) config: &'a Config,
    /// Notifications to send once the state lock is released.
    pub(crate) notices: Vec<Notice>,
    /// Set by a handler that answers a repeated `requestId` with the first result: the answer
    /// is then `REPEAT_REQ_SUCCESS` / `000001`, as Binance's Transfer Fund page shows.
    pub(crate) replayed: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(now: u64, config: &'a Config) -> Self {
        Self {
            now,
            config,
            notices: Vec::new(),
            replayed: false,
        }
    }

    /// Queues a notification; `data` is serialized to the JSON text the envelope carries.
    pub(crate) fn notify<T: Serialize>(
        &mut self,
        biz_type: &'static str,
        biz_status: &str,
        biz_id: u64,
        data: &T,
        url: Option<String>,
    ) {
        // The webhook data models serialize infallibly (strings, numbers, lists).
        let data = serde_json::to_string(data).unwrap_or_default();
        self.notices.push(Notice {
            biz_type,
            biz_status: biz_status.to_owned(),
            biz_id,
            data,
            url,
        });
    }

    pub(crate) fn now_i64(&self) -> i64 {
        i64::try_from(self.now).unwrap_or(i64::MAX)
    }
}
