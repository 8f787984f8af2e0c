//! Technical Service Provider authorizations: created PENDING, agreed to or rejected by the
//! simulated merchant through the control API (TECH_PROVIDER webhook), listed and looked up.

use binancepay_types::Id;
use binancepay_types::enums::{TechProviderStatus, TspAuthorizationStatus, TspScope};
use binancepay_types::tsp::{
    CreateTspAuthorizationRequest, GetTspRecordRequest, QueryTspConfigRequest,
    QueryTspRecordsRequest, TspAuthorization, TspConfig, TspRecordPage,
};
use binancepay_types::webhook::TechProviderNotificationData;

use super::error::{ApiError, known};
use super::orders::ControlError;
use crate::state::{Ctx, State, token};

#[derive(Debug, Clone)]
struct Authorization {
    id: u64,
    merchant_id: Id,
    token: String,
    status: TspAuthorizationStatus,
    scopes: Vec<TspScope>,
    ip_whitelist: Vec<String>,
}

impl Authorization {
    fn merchant_name(&self) -> String {
        format!("Sandbox merchant {}", self.merchant_id)
    }

    fn record(&self) -> TspAuthorization {
        TspAuthorization::new()
            .with_authorization_id(self.id.to_string())
            .with_merchant_name(self.merchant_name())
            .with_authorization_token(self.token.clone())
            .with_merchant_id(self.merchant_id.clone())
            .with_status(self.status.clone())
            .with_scopes(self.scopes.clone())
            .with_ip_whitelist(self.ip_whitelist.clone())
    }
}

/// Authorization requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Tsp {
    authorizations: Vec<Authorization>,
}

impl Tsp {
    pub(crate) fn len(&self) -> usize {
        self.authorizations.len()
    }
}

pub(crate) fn create(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: CreateTspAuthorizationRequest,
) -> Result<TspAuthorization, ApiError> {
    for (index, scope) in req.scopes.iter().enumerate() {
        known(&format!("scopes[{index}]"), scope)?;
    }
    let id = state.next_id();
    let authorization = Authorization {
        id,
        merchant_id: req.merchant_id,
        token: token(id, 32),
        status: TspAuthorizationStatus::Pending,
        scopes: req.scopes,
        ip_whitelist: req.ip_whitelist,
    };
    let record = authorization
        .record()
        .with_redirect_url(format!("{}/sandbox/tsp/{id}", ctx.config.base_url));
    state.tsp.authorizations.push(authorization);
    Ok(record)
}

pub(crate) fn records(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryTspRecordsRequest,
) -> Result<TspRecordPage, ApiError> {
    let matching: Vec<&Authorization> = state
        .tsp
        .authorizations
        .iter()
        .filter(|a| req.merchant_id.as_ref().is_none_or(|m| *m == a.merchant_id))
        .collect();
    let rows = usize::try_from(req.rows).unwrap_or(1).max(1);
    let skip = usize::try_from(req.page)
        .unwrap_or(1)
        .saturating_sub(1)
        .saturating_mul(rows);
    let page = matching
        .iter()
        .skip(skip)
        .take(rows)
        .map(|a| a.record())
        .collect();
    Ok(TspRecordPage::new()
        .with_total(i64::try_from(matching.len()).unwrap_or(i64::MAX))
        .with_rows(page))
}

pub(crate) fn get_record(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: GetTspRecordRequest,
) -> Result<TspAuthorization, ApiError> {
    state
        .tsp
        .authorizations
        .iter()
        .rev()
        .find(|a| a.merchant_id == req.merchant_id)
        .map(Authorization::record)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "authorization record for merchantId {}",
                req.merchant_id
            ))
        })
}

pub(crate) fn config(
    _state: &mut State,
    _ctx: &mut Ctx<'_>,
    _req: QueryTspConfigRequest,
) -> Result<TspConfig, ApiError> {
    Ok(TspConfig::new()
        .with_allow_fee_share(true)
        .with_allow_scopes(TspScope::KNOWN.to_vec()))
}

/// The simulated merchant answers a request: AGREE or REJECT, with a TECH_PROVIDER webhook.
pub(crate) fn decide(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    authorization_id: u64,
    agree: bool,
) -> Result<serde_json::Value, ControlError> {
    let authorization = state
        .tsp
        .authorizations
        .iter_mut()
        .find(|a| a.id == authorization_id)
        .ok_or_else(|| ControlError::NotFound(format!("authorization {authorization_id}")))?;
    if authorization.status != TspAuthorizationStatus::Pending {
        return Err(ControlError::Conflict(format!(
            "authorization is {}; only PENDING ones can be decided",
            authorization.status
        )));
    }
    authorization.status = if agree {
        TspAuthorizationStatus::Agree
    } else {
        TspAuthorizationStatus::Reject
    };
    let authorization = authorization.clone();
    let data = TechProviderNotificationData::new()
        .with_authorization_id(authorization.id.to_string())
        .with_authorization_token(authorization.token.clone())
        .with_merchant_id(authorization.merchant_id.clone())
        .with_merchant_name(authorization.merchant_name())
        .with_scopes(authorization.scopes.clone());
    let status = if agree {
        TechProviderStatus::SubmitAuthAgree
    } else {
        TechProviderStatus::SubmitAuthReject
    };
    ctx.notify(
        "TECH_PROVIDER",
        status.as_str(),
        authorization.id,
        &data,
        None,
    );
    Ok(serde_json::json!({
        "authorizationId": authorization.id.to_string(),
        "status": authorization.status.as_str(),
    }))
}
