//! Direct debit: contracts (created INITIAL, signed or terminated by the simulated user through
//! the control API, terminated by the merchant), payment notices and payments up to the
//! contract's `singleUpperLimit`. Unknown contracts answer 406207, unsigned ones 406212.

use std::collections::HashMap;

use binancepay_types::direct_debit::{
    ApplyPaymentRequest, ApplyPaymentResult, ContractResult, CreateContractRequest,
    CreateContractResult, NotifyPaymentRequest, NotifyPaymentResult, QueryContractRequest,
    TerminateContractRequest,
};
use binancepay_types::enums::{
    ContractStatus, ContractTerminationWay, CycleType, DirectDebitPaymentStatus, ScenarioCode,
};
use binancepay_types::order::PayAndSignContract;
use binancepay_types::{Amount, Id, ResultCode};

use super::error::{ApiError, known};
use super::orders::{self, ControlError};
use crate::context::Ctx;
use crate::ids::{MERCHANT_ID, id_of, id_value, token};
use crate::money::to_units;
use crate::state::State;

/// Longest contract: 1095 days (documented default and maximum).
const MAX_CONTRACT_MS: u64 = 1095 * 24 * 3_600_000;
/// How long the user has to sign when `requestExpireTime` is absent.
const DEFAULT_SIGNING_MS: u64 = 3_600_000;

/// The terms of a contract, from create-contract or a pay-and-sign order.
#[derive(Debug, Clone)]
pub(crate) struct ContractTerms {
    merchant_contract_code: String,
    service_name: String,
    single_upper_limit: Amount,
    currency: Option<String>,
    periodic: bool,
    cycle_type: Option<CycleType>,
    cycle_value: Option<i32>,
    first_deduct_time: Option<i64>,
    merchant_account_no: Option<String>,
    request_expire_time: Option<i64>,
    contract_end_time: Option<i64>,
}

impl ContractTerms {
    pub(crate) fn from_pay_and_sign(c: PayAndSignContract) -> Result<Self, ApiError> {
        check_enums(
            "directDebitContract.",
            &c.scenario_code,
            c.cycle_type.as_ref(),
        )?;
        Ok(Self {
            merchant_contract_code: c.merchant_contract_code,
            service_name: c.service_name,
            single_upper_limit: c.single_upper_limit,
            currency: None,
            periodic: c.periodic,
            cycle_type: c.cycle_type,
            cycle_value: c.cycle_value,
            first_deduct_time: c.first_deduct_time,
            merchant_account_no: c.merchant_account_no,
            request_expire_time: c.request_expire_time,
            contract_end_time: c.contract_end_time,
        })
    }

    fn from_request(c: CreateContractRequest) -> Result<Self, ApiError> {
        check_enums("", &c.scenario_code, c.cycle_type.as_ref())?;
        Ok(Self {
            merchant_contract_code: c.merchant_contract_code,
            service_name: c.service_name,
            single_upper_limit: c.single_upper_limit,
            currency: Some(c.currency),
            periodic: c.periodic,
            cycle_type: c.cycle_type,
            cycle_value: c.cycle_value,
            first_deduct_time: c.first_deduct_time,
            merchant_account_no: c.merchant_account_no,
            request_expire_time: c.request_expire_time,
            contract_end_time: c.contract_end_time,
        })
    }
}

fn check_enums(
    prefix: &str,
    scenario: &ScenarioCode,
    cycle: Option<&CycleType>,
) -> Result<(), ApiError> {
    known(&format!("{prefix}scenarioCode"), scenario)?;
    if let Some(cycle) = cycle {
        known(&format!("{prefix}cycleType"), cycle)?;
    }
    Ok(())
}

/// One contract.
#[derive(Debug, Clone)]
struct Contract {
    pre_contract_id: u64,
    contract_id: Option<u64>,
    terms: ContractTerms,
    currency: String,
    status: ContractStatus,
    open_user_id: Option<String>,
    termination: Option<(ContractTerminationWay, u64)>,
    request_expire_time: u64,
    contract_end_time: u64,
    webhook_url: Option<String>,
}

impl Contract {
    /// The query-contract result, which the spec also documents as the DIRECT_DEBIT_CT `data`.
    fn result(&self) -> Result<ContractResult, ApiError> {
        let mut result = ContractResult::new()
            .with_biz_status(self.status.clone())
            .with_merchant_contract_code(self.terms.merchant_contract_code.clone())
            .with_service_name(self.terms.service_name.clone())
            .with_single_upper_limit(self.terms.single_upper_limit.clone())
            .with_currency(self.currency.clone());
        if let Some(id) = self.contract_id {
            result = result.with_contract_id(id_of(id)?);
        }
        if let Some(user) = &self.open_user_id {
            result = result.with_open_user_id(user.clone());
        }
        if let Some(account) = &self.terms.merchant_account_no {
            result = result.with_merchant_account_no(account.clone());
        }
        if let Some((way, time)) = &self.termination {
            result = result
                .with_contract_termination_way(way.clone())
                .with_contract_termination_time(i64::try_from(*time).unwrap_or(i64::MAX));
        }
        Ok(result)
    }
}

/// A recorded payment notice or payment (both idempotent on `merchantRequestId`).
#[derive(Debug, Clone)]
struct Notice {
    order_id: u64,
    contract_id: u64,
    time: u64,
}

#[derive(Debug, Clone)]
struct Payment {
    order_id: u64,
    prepay_id: u64,
    time: u64,
}

/// Contracts by merchant code (and contract id), notices and payments by merchant request id.
#[derive(Debug, Default)]
pub(crate) struct DirectDebit {
    contracts: HashMap<String, Contract>,
    by_contract_id: HashMap<u64, String>,
    notices: HashMap<String, Notice>,
    payments: HashMap<String, Payment>,
}

impl DirectDebit {
    pub(crate) fn contracts_len(&self) -> usize {
        self.contracts.len()
    }

    pub(crate) fn payments_len(&self) -> usize {
        self.notices.len() + self.payments.len()
    }

    fn by_key(
        &mut self,
        code: Option<&str>,
        contract_id: Option<&Id>,
    ) -> Result<&mut Contract, ApiError> {
        let code = match (code, contract_id) {
            (Some(code), _) => Some(code.to_owned()),
            (None, Some(id)) => id_value(id).and_then(|id| self.by_contract_id.get(&id).cloned()),
            (None, None) => return Err(ApiError::missing("merchantContractCode/contractId")),
        };
        code.and_then(|code| self.contracts.get_mut(&code))
            .ok_or_else(not_found)
    }

    fn signed_by_id(&mut self, contract_id: &Id) -> Result<&mut Contract, ApiError> {
        let code = id_value(contract_id)
            .and_then(|id| self.by_contract_id.get(&id).cloned())
            .ok_or_else(not_found)?;
        let contract = self.contracts.get_mut(&code).ok_or_else(not_found)?;
        if contract.status != ContractStatus::ContractSigned {
            return Err(ApiError::new(
                ResultCode::ContractNotSigned,
                format!(
                    "bizId: contract is {}, not CONTRACT_SIGNED",
                    contract.status
                ),
            ));
        }
        Ok(contract)
    }
}

fn not_found() -> ApiError {
    ApiError::new(ResultCode::ContractNotFound, "contract not found")
}

/// Checks the terms and stores a new INITIAL contract; returns it for the response.
fn register(
    state: &mut State,
    ctx: &Ctx<'_>,
    terms: ContractTerms,
    currency: String,
    prefix: &str,
) -> Result<Contract, ApiError> {
    if state
        .direct_debit
        .contracts
        .contains_key(&terms.merchant_contract_code)
    {
        return Err(ApiError::new(
            ResultCode::InvalidRequest,
            format!(
                "{prefix}merchantContractCode {:?} is already used",
                terms.merchant_contract_code
            ),
        ));
    }
    if !matches!(currency.as_str(), "USDT" | "USDC") {
        return Err(ApiError::value(
            &format!("{prefix}currency"),
            "must be USDT (or USDC for MiCA users)",
        ));
    }
    if terms.periodic {
        match (&terms.cycle_type, terms.cycle_value) {
            (Some(CycleType::Month), Some(v)) if !(1..=24).contains(&v) => {
                return Err(ApiError::value(
                    &format!("{prefix}cycleValue"),
                    "must be 1 to 24 for MONTH",
                ));
            }
            (Some(CycleType::Day), Some(v)) if v <= 7 => {
                return Err(ApiError::value(
                    &format!("{prefix}cycleValue"),
                    "must be above 7 for DAY",
                ));
            }
            _ => {}
        }
        if terms
            .first_deduct_time
            .is_some_and(|t| u64::try_from(t).unwrap_or(0) <= ctx.now)
        {
            return Err(ApiError::value(
                &format!("{prefix}firstDeductTime"),
                "must be in the future",
            ));
        }
    }
    let end = match terms.contract_end_time {
        None => ctx.now.saturating_add(MAX_CONTRACT_MS),
        Some(t) => {
            let t = u64::try_from(t).unwrap_or(0);
            if t <= ctx.now || t - ctx.now > MAX_CONTRACT_MS {
                return Err(ApiError::value(
                    &format!("{prefix}contractEndTime"),
                    "must be in the future and at most 1095 days away",
                ));
            }
            t
        }
    };
    let request_expire = match terms.request_expire_time {
        None => ctx.now.saturating_add(DEFAULT_SIGNING_MS),
        Some(t) => {
            let t = u64::try_from(t).unwrap_or(0);
            if t <= ctx.now {
                return Err(ApiError::value(
                    &format!("{prefix}requestExpireTime"),
                    "must be in the future",
                ));
            }
            t
        }
    };
    let contract = Contract {
        pre_contract_id: state.next_id(),
        contract_id: None,
        terms,
        currency,
        status: ContractStatus::Initial,
        open_user_id: None,
        termination: None,
        request_expire_time: request_expire,
        contract_end_time: end,
        webhook_url: None,
    };
    state.direct_debit.contracts.insert(
        contract.terms.merchant_contract_code.clone(),
        contract.clone(),
    );
    Ok(contract)
}

/// Registers the contract of a pay-and-sign order; returns its merchant code.
pub(crate) fn register_pay_and_sign(
    state: &mut State,
    ctx: &Ctx<'_>,
    terms: ContractTerms,
    order_currency: &str,
) -> Result<String, ApiError> {
    if order_currency != "USDT" {
        return Err(ApiError::value(
            "currency",
            "a pay-and-sign order must be in USDT",
        ));
    }
    Ok(
        register(state, ctx, terms, "USDT".to_owned(), "directDebitContract.")?
            .terms
            .merchant_contract_code,
    )
}

pub(crate) fn create(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreateContractRequest,
) -> Result<CreateContractResult, ApiError> {
    let terms = ContractTerms::from_request(req)?;
    let currency = terms.currency.clone().unwrap_or_default();
    let contract = register(state, ctx, terms, currency, "")?;
    let link = format!(
        "{}/sandbox/contracts/{}",
        ctx.config.base_url, contract.terms.merchant_contract_code
    );
    Ok(CreateContractResult::new()
        .with_merchant_id(id_of(MERCHANT_ID)?)
        .with_pre_contract_id(id_of(contract.pre_contract_id)?)
        .with_contract_end_time(i64::try_from(contract.contract_end_time).unwrap_or(i64::MAX))
        .with_request_expire_time(i64::try_from(contract.request_expire_time).unwrap_or(i64::MAX))
        .with_qr_content(link.clone())
        .with_qrcode_link(format!("{link}/qr"))
        .with_deeplink(format!(
            "bnc://app.binance.com/payment/secpay?tempToken={}",
            token(contract.pre_contract_id, 32)
        )))
}

pub(crate) fn query(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryContractRequest,
) -> Result<ContractResult, ApiError> {
    state
        .direct_debit
        .by_key(
            req.merchant_contract_code.as_deref(),
            req.contract_id.as_ref(),
        )?
        .result()
}

pub(crate) fn terminate(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: TerminateContractRequest,
) -> Result<bool, ApiError> {
    let contract = state.direct_debit.by_key(
        req.merchant_contract_code.as_deref(),
        req.contract_id.as_ref(),
    )?;
    match contract.status {
        ContractStatus::ContractSigned => {}
        ContractStatus::Initial => {
            return Err(ApiError::new(
                ResultCode::ContractNotSigned,
                "contract is INITIAL; it was never signed",
            ));
        }
        _ => {
            return Err(ApiError::new(
                ResultCode::InvalidRequest,
                format!("contract is already {}", contract.status),
            ));
        }
    }
    contract.status = ContractStatus::ContractTerminated;
    contract.termination = Some((ContractTerminationWay::MerchantApi, ctx.now));
    let contract = contract.clone();
    let data = contract.result()?;
    ctx.notify(
        "DIRECT_DEBIT_CT",
        ContractStatus::ContractTerminated.as_str(),
        contract.contract_id.unwrap_or(contract.pre_contract_id),
        &data,
        contract.webhook_url.clone(),
    );
    Ok(true)
}

/// The simulated user signs: CONTRACT_SIGNED, a contract id, a DIRECT_DEBIT_CT webhook.
pub(crate) fn sign(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    code: &str,
    webhook_url: Option<String>,
) -> Result<serde_json::Value, ControlError> {
    let contract_id = state.next_id();
    let user = state.next_id();
    let contract = state
        .direct_debit
        .contracts
        .get_mut(code)
        .ok_or_else(|| ControlError::NotFound(format!("contract {code:?}")))?;
    if contract.status != ContractStatus::Initial {
        return Err(ControlError::Conflict(format!(
            "contract is {}; only INITIAL contracts can be signed",
            contract.status
        )));
    }
    if ctx.now > contract.request_expire_time {
        return Err(ControlError::Conflict(
            "the signing request has expired".to_owned(),
        ));
    }
    contract.status = ContractStatus::ContractSigned;
    contract.contract_id = Some(contract_id);
    contract.open_user_id = Some(format!("sbx{}", token(user, 18)));
    if webhook_url.is_some() {
        contract.webhook_url = webhook_url;
    }
    let contract = contract.clone();
    state
        .direct_debit
        .by_contract_id
        .insert(contract_id, code.to_owned());
    let data = contract.result()?;
    ctx.notify(
        "DIRECT_DEBIT_CT",
        ContractStatus::ContractSigned.as_str(),
        contract_id,
        &data,
        contract.webhook_url.clone(),
    );
    Ok(serde_json::json!({
        "merchantContractCode": code,
        "contractId": contract_id.to_string(),
        "bizStatus": contract.status.as_str(),
    }))
}

/// The simulated user ends a signed contract (`contractTerminationWay` 0).
pub(crate) fn terminate_by_user(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    code: &str,
) -> Result<serde_json::Value, ControlError> {
    let contract = state
        .direct_debit
        .contracts
        .get_mut(code)
        .ok_or_else(|| ControlError::NotFound(format!("contract {code:?}")))?;
    if contract.status != ContractStatus::ContractSigned {
        return Err(ControlError::Conflict(format!(
            "contract is {}; only signed contracts can be terminated",
            contract.status
        )));
    }
    contract.status = ContractStatus::ContractTerminated;
    contract.termination = Some((ContractTerminationWay::User, ctx.now));
    let contract = contract.clone();
    let data = contract.result()?;
    let id = contract.contract_id.unwrap_or(contract.pre_contract_id);
    ctx.notify(
        "DIRECT_DEBIT_CT",
        ContractStatus::ContractTerminated.as_str(),
        id,
        &data,
        contract.webhook_url.clone(),
    );
    Ok(serde_json::json!({
        "merchantContractCode": code,
        "bizStatus": contract.status.as_str(),
    }))
}

fn within_limit(field: &str, amount: &Amount, contract: &Contract) -> Result<(), ApiError> {
    if to_units(amount) > to_units(&contract.terms.single_upper_limit) {
        return Err(ApiError::value(
            field,
            format!(
                "{amount} exceeds the contract's singleUpperLimit {}",
                contract.terms.single_upper_limit
            ),
        ));
    }
    Ok(())
}

pub(crate) fn notify(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: NotifyPaymentRequest,
) -> Result<NotifyPaymentResult, ApiError> {
    known("tradeMode", &req.trade_mode)?;
    if let Some(notice) = state.direct_debit.notices.get(&req.merchant_request_id) {
        return notice_result(&req.merchant_request_id, notice);
    }
    let contract = state.direct_debit.signed_by_id(&req.biz_id)?;
    if !contract.terms.periodic {
        return Err(ApiError::new(
            ResultCode::InvalidRequest,
            "bizId: payment notices are for periodic contracts only",
        ));
    }
    if req.currency != contract.currency {
        return Err(ApiError::value(
            "currency",
            format!("must be the contract's currency {}", contract.currency),
        ));
    }
    within_limit("estimatedAmount", &req.estimated_amount, contract)?;
    let contract_id = contract.contract_id.unwrap_or_default();
    let notice = Notice {
        order_id: state.next_id(),
        contract_id,
        time: ctx.now,
    };
    let result = notice_result(&req.merchant_request_id, &notice);
    state
        .direct_debit
        .notices
        .insert(req.merchant_request_id, notice);
    result
}

fn notice_result(
    merchant_request_id: &str,
    notice: &Notice,
) -> Result<NotifyPaymentResult, ApiError> {
    Ok(NotifyPaymentResult::new()
        .with_order_id(id_of(notice.order_id)?)
        .with_merchant_request_id(merchant_request_id)
        .with_transaction_time(i64::try_from(notice.time).unwrap_or(i64::MAX)))
}

pub(crate) fn apply(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: ApplyPaymentRequest,
) -> Result<ApplyPaymentResult, ApiError> {
    known("tradeMode", &req.trade_mode)?;
    if let Some(payment) = state.direct_debit.payments.get(&req.merchant_request_id) {
        return payment_result(&req.merchant_request_id, payment);
    }
    let contract = state.direct_debit.signed_by_id(&req.biz_id)?.clone();
    let currency = req.currency.clone().unwrap_or_else(|| "USDT".to_owned());
    if currency != contract.currency {
        return Err(ApiError::value(
            "currency",
            format!("must be the contract's currency {}", contract.currency),
        ));
    }
    within_limit("amount", &req.amount, &contract)?;
    if let Some(pre) = &req.pre_biz_id {
        let contract_id = contract.contract_id.unwrap_or_default();
        let matches = state
            .direct_debit
            .notices
            .values()
            .any(|n| Some(n.order_id) == id_value(pre) && n.contract_id == contract_id);
        if !matches {
            return Err(ApiError::value(
                "preBizId",
                "is not a payment notice of this contract",
            ));
        }
    }
    let open_user_id = contract.open_user_id.clone().unwrap_or_default();
    let prepay_id = orders::insert_paid(
        state,
        ctx,
        req.merchant_request_id.clone(),
        currency,
        req.amount,
        req.product_type
            .unwrap_or_else(|| "DIRECT_DEBIT".to_owned()),
        req.product_name,
        open_user_id,
        req.webhook_url,
    )?;
    let payment = Payment {
        order_id: state.next_id(),
        prepay_id,
        time: ctx.now,
    };
    let result = payment_result(&req.merchant_request_id, &payment);
    state
        .direct_debit
        .payments
        .insert(req.merchant_request_id, payment);
    result
}

fn payment_result(
    merchant_request_id: &str,
    payment: &Payment,
) -> Result<ApplyPaymentResult, ApiError> {
    Ok(ApplyPaymentResult::new()
        .with_order_id(id_of(payment.order_id)?)
        .with_prepay_id(id_of(payment.prepay_id)?)
        .with_merchant_request_id(merchant_request_id)
        .with_applied_time(i64::try_from(payment.time).unwrap_or(i64::MAX))
        .with_status(DirectDebitPaymentStatus::Success))
}
