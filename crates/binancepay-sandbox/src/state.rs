//! Everything the sandbox remembers, behind one lock. What a handler works with besides it is in
//! `context`; the id helpers are in `ids`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::api::{
    convert, direct_debit, orders, payouts, profit_sharing, refunds, reports, share, sub_merchants,
    tsp, wallet,
};

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
    /// With `--share-payer-detail`: the merchant's secret, which encrypts `payerDetail`.
    pub(crate) payer_detail_secret: Option<binancepay_sign::ApiSecret>,
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
    /// What the new certificates endpoint serves: one entry per rotation, newest first.
    pub(crate) new_certificates: Vec<binancepay_types::certificate::Certificate>,
}

impl State {
    pub(crate) fn new(wallets: wallet::Wallets, manual_refunds: bool) -> Self {
        Self {
            next_id: FIRST_ID,
            manual_refunds,
            deduplicate_request_ids: true,
            payer_detail_secret: None,
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
            new_certificates: Vec::new(),
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

/// Where the control routes find the handler context (`crate::context` holds it).
pub(crate) use crate::context::Ctx;
