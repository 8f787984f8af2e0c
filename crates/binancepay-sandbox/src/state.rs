//! Everything the sandbox remembers, behind one lock, plus what a handler needs besides it.

use std::collections::HashMap;

use binancepay_types::Id;
use serde::{Deserialize, Serialize};

use crate::api::error::ApiError;
use crate::api::{
    convert, direct_debit, orders, payouts, profit_sharing, refunds, reports, share, sub_merchants,
    tsp, wallet,
};
use crate::webhooks::Notice;

/// The merchant id every response reports (`merchantId`).
pub(crate) const MERCHANT_ID: u64 = 350_962_587;

/// First id handed out; ids then count up, so they are unique, 18 digits and never reused.
const FIRST_ID: u64 = 384_500_000_000_000_001;

/// The sandbox's state. Handlers get `&mut State` under the lock and never await while holding it.
#[derive(Debug)]
pub(crate) struct State {
    next_id: u64,
    /// Refunds wait in REFUND_PENDING for `/sandbox/refunds/{id}/complete` or `/reject`.
    pub(crate) manual_refunds: bool,
    /// A repeated payout or transfer `requestId` answers the first result (the default); when
    /// off, it acts again, the worst case a client must survive.
    pub(crate) deduplicate_request_ids: bool,
    pub(crate) orders: orders::Orders,
    pub(crate) refunds: refunds::Refunds,
    pub(crate) payouts: payouts::Payouts,
    pub(crate) wallets: wallet::Wallets,
    pub(crate) transfers: HashMap<String, wallet::Transfer>,
    pub(crate) sub_merchants: sub_merchants::SubMerchants,
    pub(crate) convert: convert::Convert,
    pub(crate) direct_debit: direct_debit::DirectDebit,
    pub(crate) tsp: tsp::Tsp,
    pub(crate) shares: share::Shares,
    pub(crate) profit: profit_sharing::ProfitSharing,
    pub(crate) reports: reports::Reports,
}

impl State {
    pub(crate) fn new(wallets: wallet::Wallets, manual_refunds: bool) -> Self {
        Self {
            next_id: FIRST_ID,
            manual_refunds,
            deduplicate_request_ids: true,
            orders: orders::Orders::default(),
            refunds: refunds::Refunds::default(),
            payouts: payouts::Payouts::default(),
            wallets,
            transfers: HashMap::new(),
            sub_merchants: sub_merchants::SubMerchants::default(),
            convert: convert::Convert::default(),
            direct_debit: direct_debit::DirectDebit::default(),
            tsp: tsp::Tsp::default(),
            shares: share::Shares::default(),
            profit: profit_sharing::ProfitSharing::default(),
            reports: reports::Reports::default(),
        }
    }

    /// A fresh numeric id.
    pub(crate) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// How many objects of each kind exist (what `GET /sandbox/state` shows).
    pub(crate) fn counts(&mut self, now: u64) -> StateCounts {
        let mut orders_by_status = std::collections::BTreeMap::new();
        for order in self.orders.iter_mut() {
            order.refresh(now);
            *orders_by_status
                .entry(order.status.as_str().to_owned())
                .or_insert(0) += 1;
        }
        StateCounts {
            orders: self.orders.len(),
            orders_by_status,
            refunds: self.refunds.len(),
            payouts: self.payouts.len(),
            transfers: self.transfers.len(),
            sub_merchants: self.sub_merchants.len(),
            contracts: self.direct_debit.contracts_len(),
            direct_debit_payments: self.direct_debit.payments_len(),
            convert_quotes: self.convert.quotes_len(),
            convert_orders: self.convert.orders_len(),
            tsp_authorizations: self.tsp.len(),
            share_requests: self.shares.len(),
            profit_receivers: self.profit.receivers_len(),
            profit_splits: self.profit.splits_len(),
            balance_reports: self.reports.len(),
        }
    }
}

/// How many objects of each kind the sandbox holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StateCounts {
    /// Orders created (any version, including direct-debit payments).
    pub orders: usize,
    /// Orders per status (`INITIAL`, `PAID`, …), expiry applied.
    pub orders_by_status: std::collections::BTreeMap<String, usize>,
    /// Refunds accepted.
    pub refunds: usize,
    /// Payout batches.
    pub payouts: usize,
    /// Wallet transfers.
    pub transfers: usize,
    /// Sub-merchants.
    pub sub_merchants: usize,
    /// Direct-debit contracts.
    pub contracts: usize,
    /// Direct-debit payment notices and payments.
    pub direct_debit_payments: usize,
    /// Convert quotes issued.
    pub convert_quotes: usize,
    /// Convert orders executed.
    pub convert_orders: usize,
    /// TSP authorization requests.
    pub tsp_authorizations: usize,
    /// Share-account-id requests.
    pub share_requests: usize,
    /// Profit-sharing receivers.
    pub profit_receivers: usize,
    /// Profit splits.
    pub profit_splits: usize,
    /// Balance reports requested.
    pub balance_reports: usize,
}

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
}

/// What one handler call works with besides the state.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    /// The sandbox clock, epoch milliseconds.
    pub(crate) now: u64,
    pub(crate) config: &'a Config,
    /// Notifications to send once the state lock is released.
    pub(crate) notices: Vec<Notice>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(now: u64, config: &'a Config) -> Self {
        Self {
            now,
            config,
            notices: Vec::new(),
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

/// A generated numeric id as the wire [`Id`].
pub(crate) fn id_of(n: u64) -> Result<Id, ApiError> {
    Id::new(&n.to_string()).map_err(ApiError::internal)
}

/// The numeric value of a wire [`Id`], if it fits (ids the sandbox issued always do).
pub(crate) fn id_value(id: &Id) -> Option<u64> {
    id.as_str().parse().ok()
}

/// A short hex token derived from an id, for tokens and opaque references.
pub(crate) fn token(id: u64, len: usize) -> String {
    // SplitMix64 finalizer: distinct ids give distinct, random-looking tokens.
    let mut out = String::with_capacity(len);
    let mut z = id;
    while out.len() < len {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = z;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        out.push_str(&format!("{x:016x}"));
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::{id_of, id_value, token};

    #[test]
    fn ids_and_tokens() {
        assert_eq!(id_of(42).map(|i| i.to_string()), Ok("42".to_owned()));
        assert_eq!(id_of(7).ok().as_ref().and_then(id_value), Some(7));
        assert_eq!(token(1, 32).len(), 32);
        assert_ne!(token(1, 32), token(2, 32));
        assert!(token(3, 40).bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
