//! Batch payouts: totals must match the details, the wallets are debited when the batch is
//! accepted, and the control API completes it (PAYOUT webhook, failed transfers refunded).

use std::collections::{BTreeMap, HashMap};

use binancepay_types::enums::{
    PayoutAcceptStatus, PayoutBatchStatus, PayoutDetailFilter, PayoutDetailStatus, ReceiveType,
};
use binancepay_types::payout::{
    CheckPayoutReceiverRequest, CreatePayoutRequest, CreatePayoutResult, PayoutTransferResult,
    QueryPayoutRequest, QueryPayoutResult,
};
use binancepay_types::webhook::{PayoutNonBinanceNotificationData, PayoutNotificationData};
use binancepay_types::{Amount, Id};

use super::error::{ApiError, known};
use super::orders::ControlError;
use super::wallet::{WalletKind, is_crypto};
use crate::context::Ctx;
use crate::ids::{MERCHANT_ID, id_of};
use crate::money::{amount_of, to_units};
use crate::state::State;

/// Where one transfer of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DetailState {
    Processing,
    Success,
    Fail,
}

impl DetailState {
    fn wire(self) -> PayoutDetailStatus {
        match self {
            // The detail enum has no PROCESSING, but the query filter does; send it as text.
            Self::Processing => PayoutDetailStatus::from_wire("PROCESSING"),
            Self::Success => PayoutDetailStatus::Success,
            Self::Fail => PayoutDetailStatus::Fail,
        }
    }

    fn matches(self, filter: &PayoutDetailFilter) -> bool {
        matches!(
            (self, filter),
            (_, PayoutDetailFilter::All)
                | (Self::Processing, PayoutDetailFilter::Processing)
                | (Self::Success, PayoutDetailFilter::Success)
                | (Self::Fail, PayoutDetailFilter::Fail)
        )
    }
}

#[derive(Debug, Clone)]
struct Detail {
    order_id: u64,
    merchant_send_id: String,
    receive_type: ReceiveType,
    receiver: String,
    amount: Amount,
    wallet: WalletKind,
    remark: Option<String>,
    state: DetailState,
}

/// One batch.
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    request_id: String,
    batch_id: u64,
    status: PayoutBatchStatus,
    currency: String,
    total_amount: Amount,
    details: Vec<Detail>,
    webhook_url: Option<String>,
    create_time: u64,
}

/// Every batch, by the merchant's `requestId`.
#[derive(Debug, Default)]
pub(crate) struct Payouts {
    by_request_id: HashMap<String, Payout>,
}

impl Payouts {
    pub(crate) fn len(&self) -> usize {
        self.by_request_id.len()
    }

    /// Every batch with its transfers, oldest first (the dashboard's `GET /sandbox/payouts`).
    pub(crate) fn summaries(&self) -> Vec<serde_json::Value> {
        let mut batches: Vec<&Payout> = self.by_request_id.values().collect();
        batches.sort_by_key(|p| p.batch_id);
        let detail = |d: &Detail| {
            serde_json::json!({
                "orderId": d.order_id.to_string(),
                "merchantSendId": d.merchant_send_id,
                "receiveType": d.receive_type.as_str(),
                "receiver": d.receiver,
                "amount": d.amount.as_str(),
                "status": d.state.wire().as_str(),
            })
        };
        let batch = |p: &Payout| {
            serde_json::json!({
                "requestId": p.request_id,
                "batchId": p.batch_id.to_string(),
                "status": p.status.as_str(),
                "currency": p.currency,
                "totalAmount": p.total_amount.as_str(),
                "createTime": p.create_time,
                "details": p.details.iter().map(detail).collect::<Vec<_>>(),
            })
        };
        batches.into_iter().map(batch).collect()
    }

    /// The transfers of batches created within `range` (epoch ms), as CSV with a header.
    pub(crate) fn csv(&self, range: &std::ops::Range<u64>) -> String {
        let mut batches: Vec<&Payout> = self
            .by_request_id
            .values()
            .filter(|p| range.contains(&p.create_time))
            .collect();
        batches.sort_by_key(|p| p.batch_id);
        let mut csv = String::from(
            "requestId,batchStatus,orderId,merchantSendId,receiveType,receiver,currency,amount,status\n",
        );
        for payout in batches {
            for d in &payout.details {
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{}\n",
                    payout.request_id,
                    payout.status,
                    d.order_id,
                    d.merchant_send_id,
                    d.receive_type,
                    d.receiver.replace(',', " "),
                    payout.currency,
                    d.amount,
                    d.state.wire()
                ));
            }
        }
        csv
    }
}

pub(crate) fn create(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreatePayoutRequest,
) -> Result<CreatePayoutResult, ApiError> {
    if let Some(scene) = &req.biz_scene {
        known("bizScene", scene)?;
    }
    // requestId identifies the batch: a repeat answers the first acceptance and pays nothing
    // (unless the sandbox is told not to deduplicate: then it pays again).
    if state.deduplicate_request_ids && state.payouts.by_request_id.contains_key(&req.request_id) {
        return Ok(CreatePayoutResult::new()
            .with_request_id(req.request_id)
            .with_status(PayoutAcceptStatus::Accepted));
    }
    if !is_crypto(&req.currency) {
        return Err(ApiError::value(
            "currency",
            format!("{:?} is not a supported crypto currency", req.currency),
        ));
    }
    let mut needed: BTreeMap<WalletKind, u128> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for (index, transfer) in req.transfer_detail_list.iter().enumerate() {
        let path = format!("transferDetailList[{index}]");
        known(&format!("{path}.receiveType"), &transfer.receive_type)?;
        let kind = WalletKind::of(&transfer.transfer_method, &format!("{path}.transferMethod"))?;
        if !seen.insert(transfer.merchant_send_id.as_str()) {
            return Err(ApiError::value(
                &format!("{path}.merchantSendId"),
                "must be unique within the batch",
            ));
        }
        let total = needed.entry(kind).or_insert(0);
        *total = total.saturating_add(to_units(&transfer.transfer_amount));
    }
    for (kind, units) in &needed {
        if state.wallets.units(*kind, &req.currency) < *units {
            return Err(ApiError::insufficient(
                kind.wallet().as_str(),
                &req.currency,
            ));
        }
    }
    for (kind, units) in &needed {
        let amount = amount_of(*units, "payout total")?;
        state.wallets.debit(*kind, &req.currency, &amount)?;
    }
    let batch_id = state.next_id();
    let mut details = Vec::with_capacity(req.transfer_detail_list.len());
    for transfer in req.transfer_detail_list {
        details.push(Detail {
            order_id: state.next_id(),
            wallet: WalletKind::of(&transfer.transfer_method, "transferMethod")?,
            merchant_send_id: transfer.merchant_send_id,
            receive_type: transfer.receive_type,
            receiver: transfer.receiver,
            amount: transfer.transfer_amount,
            remark: transfer.remark,
            state: DetailState::Processing,
        });
    }
    let payout = Payout {
        request_id: req.request_id.clone(),
        batch_id,
        status: PayoutBatchStatus::Accepted,
        currency: req.currency,
        total_amount: req.total_amount,
        details,
        webhook_url: req.webhook_url,
        create_time: ctx.now,
    };
    state
        .payouts
        .by_request_id
        .insert(req.request_id.clone(), payout);
    Ok(CreatePayoutResult::new()
        .with_request_id(req.request_id)
        .with_status(PayoutAcceptStatus::Accepted))
}

fn numeric_id(text: &str) -> Option<Id> {
    Id::new(text).ok()
}

pub(crate) fn query(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryPayoutRequest,
) -> Result<QueryPayoutResult, ApiError> {
    let filters = req.detail_status.unwrap_or_default();
    for (index, filter) in filters.iter().enumerate() {
        known(&format!("detailStatus[{index}]"), filter)?;
    }
    let payout = state
        .payouts
        .by_request_id
        .get(&req.request_id)
        .ok_or_else(|| ApiError::not_found(format!("payout {:?}", req.request_id)))?;
    let paid: u128 = payout
        .details
        .iter()
        .filter(|d| d.state == DetailState::Success)
        .map(|d| to_units(&d.amount))
        .sum();
    let mut list = Vec::new();
    for detail in &payout.details {
        if !filters.is_empty() && !filters.iter().any(|f| detail.state.matches(f)) {
            continue;
        }
        let mut entry = PayoutTransferResult::new()
            .with_order_id(id_of(detail.order_id)?)
            .with_merchant_send_id(detail.merchant_send_id.clone())
            .with_payer_id(id_of(MERCHANT_ID)?)
            .with_amount(detail.amount.clone())
            .with_receive_type(detail.receive_type.clone())
            .with_receiver(detail.receiver.clone())
            .with_transfer_method(detail.wallet.wallet())
            .with_status(detail.state.wire());
        if detail.state == DetailState::Success {
            if let Some(payee) = numeric_id(&detail.receiver) {
                entry = entry.with_payee_id(payee);
            }
        }
        if let Some(remark) = &detail.remark {
            entry = entry.with_remark(remark.clone());
        }
        list.push(entry);
    }
    Ok(
        QueryPayoutResult::new(payout.request_id.clone(), payout.status.clone())
            .with_merchant_id(id_of(MERCHANT_ID)?)
            .with_currency(payout.currency.clone())
            .with_total_amount(payout.total_amount.clone())
            .with_total_paid_amount(amount_of(paid, "paid total")?)
            .with_total_payout_fee(amount_of(0, "fee")?)
            .with_total_number(i32::try_from(payout.details.len()).unwrap_or(i32::MAX))
            .with_transfer_detail_list(list),
    )
}

pub(crate) fn check_receiver(
    _state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: CheckPayoutReceiverRequest,
) -> Result<bool, ApiError> {
    known("receiveType", &req.receive_type)?;
    let id = req.receiver_id.trim();
    Ok(match req.receive_type {
        ReceiveType::Email => id.contains('@') && !id.starts_with('@') && !id.ends_with('@'),
        _ => !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
    })
}

/// Completes a batch: every transfer succeeds except those named in `failed`, whose amounts go
/// back to their wallets. Sends PAYOUT (and PAYOUT_NON_BN for email receivers).
pub(crate) fn complete(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    request_id: &str,
    failed: &[String],
) -> Result<serde_json::Value, ControlError> {
    let payout = state
        .payouts
        .by_request_id
        .get_mut(request_id)
        .ok_or_else(|| ControlError::NotFound(format!("payout {request_id:?}")))?;
    if !matches!(
        payout.status,
        PayoutBatchStatus::Accepted | PayoutBatchStatus::Processing
    ) {
        return Err(ControlError::Conflict(format!(
            "payout is {}; only ACCEPTED or PROCESSING batches can be completed",
            payout.status
        )));
    }
    if let Some(unknown) = failed
        .iter()
        .find(|id| !payout.details.iter().any(|d| &d.merchant_send_id == *id))
    {
        return Err(ControlError::NotFound(format!(
            "merchantSendId {unknown:?} in payout {request_id:?}"
        )));
    }
    for detail in &mut payout.details {
        detail.state = if failed.contains(&detail.merchant_send_id) {
            DetailState::Fail
        } else {
            DetailState::Success
        };
    }
    let successes = payout
        .details
        .iter()
        .filter(|d| d.state == DetailState::Success)
        .count();
    payout.status = match successes {
        0 => PayoutBatchStatus::Failed,
        n if n == payout.details.len() => PayoutBatchStatus::Success,
        _ => PayoutBatchStatus::PartSuccess,
    };
    let payout = payout.clone();
    for detail in payout
        .details
        .iter()
        .filter(|d| d.state == DetailState::Fail)
    {
        state
            .wallets
            .credit(detail.wallet, &payout.currency, &detail.amount)?;
    }
    let data = PayoutNotificationData::new()
        .with_request_id(payout.request_id.clone())
        .with_batch_status(payout.status.clone())
        .with_merchant_id(id_of(MERCHANT_ID)?)
        .with_currency(payout.currency.clone())
        .with_total_amount(payout.total_amount.clone())
        .with_total_number(i32::try_from(payout.details.len()).unwrap_or(i32::MAX));
    ctx.notify(
        "PAYOUT",
        payout.status.as_str(),
        payout.batch_id,
        &data,
        payout.webhook_url.clone(),
    );
    for detail in payout
        .details
        .iter()
        .filter(|d| d.receive_type == ReceiveType::Email)
    {
        let data = PayoutNonBinanceNotificationData::new()
            .with_merchant_send_id(detail.merchant_send_id.clone())
            .with_order_id(id_of(detail.order_id)?)
            .with_batch_id(id_of(payout.batch_id)?)
            .with_status(detail.state.wire())
            .with_currency(payout.currency.clone())
            .with_amount(detail.amount.clone())
            .with_receive_type(detail.receive_type.clone())
            .with_receiver(detail.receiver.clone());
        ctx.notify(
            "PAYOUT_NON_BN",
            detail.state.wire().as_str(),
            detail.order_id,
            &data,
            payout.webhook_url.clone(),
        );
    }
    Ok(serde_json::json!({
        "requestId": payout.request_id,
        "batchStatus": payout.status.as_str(),
    }))
}
