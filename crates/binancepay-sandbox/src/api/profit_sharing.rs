//! Profit sharing: receivers, splits of a paid order among them (never more than what is left
//! of the order after refunds and earlier splits), and returns of split money.

use std::collections::HashMap;

use binancepay_types::enums::{ProfitReturnStatus, ProfitSplitStatus};
use binancepay_types::profit_sharing::{
    AddProfitReceiverRequest, DeleteProfitReceiverRequest, ProfitReceiver, ProfitReceiverPage,
    ProfitReturn, ProfitSplit, ProfitSplitDetail, QueryProfitReceiversRequest,
    QueryProfitSplitRequest, ReturnProfitSplitRequest, SubmitProfitSplitRequest,
};
use binancepay_types::{Amount, Id, ResultCode};

use super::error::ApiError;
use crate::context::Ctx;
use crate::ids::{id_of, id_value};
use crate::money::{amount_of, sum_units, to_units};
use crate::state::State;

#[derive(Debug, Clone)]
struct Split {
    split_order_no: u64,
    prepay_id: u64,
    receivers: Vec<(String, Amount, String)>,
}

impl Split {
    fn result(&self, merchant_request_id: &str) -> Result<ProfitSplit, ApiError> {
        Ok(ProfitSplit::new()
            .with_split_order_no(id_of(self.split_order_no)?)
            .with_merchant_request_id(merchant_request_id)
            .with_prepay_order_id(id_of(self.prepay_id)?)
            .with_status(ProfitSplitStatus::Finished)
            .with_receiver_order_details(
                self.receivers
                    .iter()
                    .map(|(account, amount, description)| {
                        ProfitSplitDetail::new()
                            .with_account(account.clone())
                            .with_amount(amount.clone())
                            .with_description(description.clone())
                    })
                    .collect(),
            ))
    }
}

#[derive(Debug, Clone)]
struct Return {
    prepay_id: u64,
    account: String,
    units: u128,
    finish_time: u64,
}

/// Receivers in the order they were added, splits and returns by merchant ids.
#[derive(Debug, Default)]
pub(crate) struct ProfitSharing {
    receivers: Vec<String>,
    splits: HashMap<String, Split>,
    returns: HashMap<String, Return>,
}

impl ProfitSharing {
    pub(crate) fn receivers_len(&self) -> usize {
        self.receivers.len()
    }

    pub(crate) fn splits_len(&self) -> usize {
        self.splits.len()
    }

    /// What `account` received from the splits of one order, less what it returned.
    fn held(&self, prepay_id: u64, account: &str) -> u128 {
        let received: u128 = self
            .splits
            .values()
            .filter(|s| s.prepay_id == prepay_id)
            .flat_map(|s| s.receivers.iter())
            .filter(|(a, _, _)| a == account)
            .map(|(_, amount, _)| to_units(amount))
            .sum();
        let returned: u128 = self
            .returns
            .values()
            .filter(|r| r.prepay_id == prepay_id && r.account == account)
            .map(|r| r.units)
            .sum();
        received.saturating_sub(returned)
    }
}

pub(crate) fn add_receiver(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: AddProfitReceiverRequest,
) -> Result<ProfitReceiver, ApiError> {
    // Adding a receiver twice keeps one entry.
    if !state.profit.receivers.contains(&req.account) {
        state.profit.receivers.push(req.account.clone());
    }
    Ok(ProfitReceiver::new().with_account(req.account))
}

pub(crate) fn query_receivers(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryProfitReceiversRequest,
) -> Result<ProfitReceiverPage, ApiError> {
    let size = usize::try_from(req.page_size).unwrap_or(1).max(1);
    let total = state.profit.receivers.len();
    let skip = usize::try_from(req.page_num)
        .unwrap_or(1)
        .saturating_sub(1)
        .saturating_mul(size);
    let page: Vec<serde_json::Value> = state
        .profit
        .receivers
        .iter()
        .skip(skip)
        .take(size)
        .map(|a| serde_json::Value::String(a.clone()))
        .collect();
    let as_long = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(ProfitReceiverPage::new()
        .with_account_list(page)
        .with_total_page_num(as_long(total.div_ceil(size)))
        .with_total_record_num(as_long(total))
        .with_current_page_num(i64::from(req.page_num))
        .with_current_page_size(i64::from(req.page_size)))
}

pub(crate) fn delete_receiver(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: DeleteProfitReceiverRequest,
) -> Result<bool, ApiError> {
    let before = state.profit.receivers.len();
    state.profit.receivers.retain(|a| *a != req.account);
    if state.profit.receivers.len() == before {
        return Err(ApiError::not_found(format!("receiver {:?}", req.account)));
    }
    Ok(true)
}

fn prepay(id: &Id) -> u64 {
    id_value(id).unwrap_or(0)
}

pub(crate) fn submit_split(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: SubmitProfitSplitRequest,
) -> Result<ProfitSplit, ApiError> {
    if let Some(existing) = state.profit.splits.get(&req.merchant_request_id) {
        if existing.prepay_id != prepay(&req.prepay_order_id) {
            return Err(ApiError::value(
                "merchantRequestId",
                "is already used for another order",
            ));
        }
        return existing.result(&req.merchant_request_id);
    }
    let units = sum_units(req.receiver_list.iter().map(|r| &r.amount))
        .ok_or_else(|| ApiError::internal("split total overflows"))?;
    let split_order_no = state.next_id();
    let order = state
        .orders
        .by_prepay_id(&req.prepay_order_id, ctx.now)
        .ok_or_else(|| ApiError::not_found(format!("order {}", req.prepay_order_id)))?;
    if !order.is_paid() {
        return Err(ApiError::new(
            ResultCode::InvalidOrderStatus,
            format!("order is {}; only paid orders can be split", order.status),
        ));
    }
    for (index, receiver) in req.receiver_list.iter().enumerate() {
        if !state.profit.receivers.contains(&receiver.account) {
            return Err(ApiError::value(
                &format!("receiverList[{index}].account"),
                "is not a profit-sharing receiver; add it first",
            ));
        }
    }
    let available = to_units(&order.amount)
        .saturating_sub(order.refunded_units)
        .saturating_sub(order.split_units);
    if units > available {
        return Err(ApiError::value(
            "receiverList",
            format!(
                "the amounts add up to more than the {} left to split",
                amount_of(available, "available")?
            ),
        ));
    }
    order.split_units += units;
    let split = Split {
        split_order_no,
        prepay_id: order.prepay_id,
        receivers: req
            .receiver_list
            .into_iter()
            .map(|r| (r.account, r.amount, r.description))
            .collect(),
    };
    let result = split.result(&req.merchant_request_id);
    state.profit.splits.insert(req.merchant_request_id, split);
    result
}

pub(crate) fn query_split(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryProfitSplitRequest,
) -> Result<ProfitSplit, ApiError> {
    state
        .profit
        .splits
        .get(&req.merchant_request_id)
        .filter(|s| s.prepay_id == prepay(&req.prepay_order_id))
        .ok_or_else(|| ApiError::not_found(format!("split {:?}", req.merchant_request_id)))?
        .result(&req.merchant_request_id)
}

pub(crate) fn return_split(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: ReturnProfitSplitRequest,
) -> Result<ProfitReturn, ApiError> {
    let answer = |r: &Return| {
        ProfitReturn::new()
            .with_status(ProfitReturnStatus::Success)
            // Documented in seconds, unlike every other time field.
            .with_finish_time(i64::try_from(r.finish_time / 1000).unwrap_or(i64::MAX))
    };
    if let Some(existing) = state.profit.returns.get(&req.merchant_return_no) {
        return Ok(answer(existing));
    }
    let prepay_id = prepay(&req.prepay_order_id);
    if state.orders.get_mut(prepay_id, ctx.now).is_none() {
        return Err(ApiError::not_found(format!(
            "order {}",
            req.prepay_order_id
        )));
    }
    if let Some(split_no) = &req.split_order_no {
        let known = state
            .profit
            .splits
            .values()
            .any(|s| Some(s.split_order_no) == id_value(split_no) && s.prepay_id == prepay_id);
        if !known {
            return Err(ApiError::not_found(format!("split order {split_no}")));
        }
    }
    let units = to_units(&req.return_amount);
    let held = state.profit.held(prepay_id, &req.transfer_out_account);
    if units > held {
        return Err(ApiError::value(
            "returnAmount",
            format!(
                "{} received only {} from this order's splits",
                req.transfer_out_account,
                amount_of(held, "held")?
            ),
        ));
    }
    let record = Return {
        prepay_id,
        account: req.transfer_out_account,
        units,
        finish_time: ctx.now,
    };
    let result = answer(&record);
    state.profit.returns.insert(req.merchant_return_no, record);
    Ok(result)
}
