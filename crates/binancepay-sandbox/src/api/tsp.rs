//! Technical Service Provider authorizations: created PENDING, agreed to (AUTHORIZED) or
//! rejected by the simulated merchant through the control API (TECH_PROVIDER webhook), listed
//! and looked up. A merchant that is not a TSP gets 400606; an unknown merchant id gets 406210.

use binancepay_types::enums::{TechProviderStatus, TspAuthorizationStatus, TspScope};
use binancepay_types::tsp::{
    CreateTspAuthorizationRequest, GetTspRecordRequest, QueryTspConfigRequest,
    QueryTspRecordsRequest, TspAuthorization, TspConfig, TspRecordPage,
};
use binancepay_types::webhook::TechProviderNotificationData;
use binancepay_types::{NumberOrString, ResultCode};

use super::error::{ApiError, known};
use super::orders::ControlError;
use crate::context::Ctx;
use crate::ids::token;
use crate::state::State;

/// The status a rejected authorization shows. No page names one (they show `PENDING` and
/// `AUTHORIZED`); the sandbox's guess, listed in the crate docs.
const REJECTED: &str = "REJECTED";

/// The merchant ids the TSP endpoints know: the sandbox's own, the pages' sample merchants
/// (`merchant1`, `merchant2`), and `extra`.
pub(crate) fn known_merchants(extra: Vec<String>) -> Vec<String> {
    let mut known = vec![
        crate::ids::MERCHANT_ID.to_string(),
        "merchant1".to_owned(),
        "merchant2".to_owned(),
    ];
    known.extend(extra);
    known
}

/// 400606 unless the merchant is a TSP; 406210 for a merchant id the sandbox does not know.
fn check_access(ctx: &Ctx<'_>, merchant_id: Option<&str>) -> Result<(), ApiError> {
    if !ctx.config.technical_service_provider {
        return Err(ApiError::documented(ResultCode::MerchantAccessForbidden));
    }
    match merchant_id {
        Some(id) if !ctx.config.tsp_merchants.iter().any(|m| m == id) => Err(ApiError::new(
            ResultCode::InvalidMerchantId,
            format!(
                "merchantId {:?}: invalid merchant id",
                super::error::cut(id)
            ),
        )),
        _ => Ok(()),
    }
}

/// A merchant id as the TECH_PROVIDER webhook carries it: a JSON number (as on its page) when
/// it is digits, else the string.
fn webhook_merchant_id(id: &str) -> NumberOrString {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        NumberOrString::number(id).unwrap_or_else(|_| NumberOrString::String(id.to_owned()))
    } else {
        NumberOrString::String(id.to_owned())
    }
}

#[derive(Debug, Clone)]
struct Authorization {
    id: u64,
    merchant_id: String,
    token: String,
    status: TspAuthorizationStatus,
    scopes: Vec<TspScope>,
    ip_whitelist: Vec<String>,
}

impl Authorization {
    fn merchant_name(&self) -> String {
        format!("Sandbox merchant {}", self.merchant_id)
    }

    /// The merchant id as the records show it: a string, as on the TSP pages.
    fn wire_merchant_id(&self) -> NumberOrString {
        NumberOrString::String(self.merchant_id.clone())
    }

    fn record(&self) -> TspAuthorization {
        TspAuthorization::new()
            .with_authorization_id(self.id.to_string())
            .with_merchant_name(self.merchant_name())
            .with_authorization_token(self.token.clone())
            .with_merchant_id(self.wire_merchant_id())
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
    check_access(ctx, Some(&req.merchant_id))?;
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
    ctx: &mut Ctx<'_>,
    req: QueryTspRecordsRequest,
) -> Result<TspRecordPage, ApiError> {
    check_access(ctx, req.merchant_id.as_deref())?;
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
    ctx: &mut Ctx<'_>,
    req: GetTspRecordRequest,
) -> Result<TspAuthorization, ApiError> {
    check_access(ctx, Some(&req.merchant_id))?;
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
    ctx: &mut Ctx<'_>,
    _req: QueryTspConfigRequest,
) -> Result<TspConfig, ApiError> {
    check_access(ctx, None)?;
    Ok(TspConfig::new()
        .with_allow_fee_share(true)
        .with_allow_scopes(TspScope::KNOWN.to_vec()))
}

/// The simulated merchant answers a request: AUTHORIZED or (a guess) REJECTED, with a
/// TECH_PROVIDER webhook.
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
        TspAuthorizationStatus::Authorized
    } else {
        TspAuthorizationStatus::from_wire(REJECTED)
    };
    let authorization = authorization.clone();
    let data = TechProviderNotificationData::new()
        .with_authorization_id(authorization.id.to_string())
        .with_authorization_token(authorization.token.clone())
        .with_merchant_id(webhook_merchant_id(&authorization.merchant_id))
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
