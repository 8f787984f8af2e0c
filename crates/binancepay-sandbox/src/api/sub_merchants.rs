//! Sub-merchants: names are unique per main merchant (400205); modifying an unknown id answers
//! 400206; querying an unknown id answers 400102, an unknown name `data: null` (as the query
//! page says).

use std::collections::HashMap;

use binancepay_types::ResultCode;
use binancepay_types::sub_merchant::{
    AddSubMerchantRequest, ModifySubMerchantRequest, QuerySubMerchantRequest, SubMerchantInfo,
    SubMerchantResult,
};

use super::error::{ApiError, cut, known};
use crate::context::Ctx;
use crate::ids::{id_of, id_value};
use crate::state::State;

/// Sub-merchants by id, as the query endpoint shows them.
#[derive(Debug, Default)]
pub(crate) struct SubMerchants {
    by_id: HashMap<u64, SubMerchantInfo>,
}

impl SubMerchants {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    fn name_taken(&self, name: &str, except: Option<u64>) -> bool {
        self.by_id
            .iter()
            .any(|(id, info)| info.merchant_name.as_deref() == Some(name) && Some(*id) != except)
    }
}

fn exists(name: &str) -> ApiError {
    ApiError::new(
        ResultCode::SubMerchantExists,
        format!("merchantName {name:?}: a sub-merchant with this name already exists"),
    )
}

/// Sets `value` when present.
fn set(target: &mut Option<String>, value: Option<String>) {
    if value.is_some() {
        *target = value;
    }
}

pub(crate) fn add(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: AddSubMerchantRequest,
) -> Result<SubMerchantResult, ApiError> {
    known("merchantType", &req.merchant_type)?;
    known("storeType", &req.store_type)?;
    if let Some(kind) = &req.certificate_type {
        known("certificateType", kind)?;
    }
    if state.sub_merchants.name_taken(&req.merchant_name, None) {
        return Err(exists(&req.merchant_name));
    }
    let id = state.next_id();
    let mut info = SubMerchantInfo::new()
        .with_sub_merchant_id(id_of(id)?)
        .with_merchant_name(req.merchant_name)
        .with_store_type(req.store_type)
        .with_merchant_mcc(req.merchant_mcc)
        .with_merchant_type(req.merchant_type)
        .with_country(req.country);
    set(&mut info.site_url, req.site_url);
    set(&mut info.address, req.address);
    set(
        &mut info.pay_industry_description,
        req.pay_industry_description,
    );
    set(&mut info.sub_pay_mcc_code, req.sub_pay_mcc_code);
    state.sub_merchants.by_id.insert(id, info);
    Ok(SubMerchantResult::new(id_of(id)?))
}

pub(crate) fn modify(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: ModifySubMerchantRequest,
) -> Result<SubMerchantResult, ApiError> {
    known("storeType", &req.store_type)?;
    if let Some(kind) = &req.merchant_type {
        known("merchantType", kind)?;
    }
    if let Some(kind) = &req.certificate_type {
        known("certificateType", kind)?;
    }
    let id = id_value(&req.sub_merchant_id)
        .filter(|id| state.sub_merchants.by_id.contains_key(id))
        .ok_or_else(|| {
            ApiError::new(
                ResultCode::SubMerchantInvalid,
                format!(
                    "subMerchantId {}: no such sub-merchant",
                    req.sub_merchant_id
                ),
            )
        })?;
    if let Some(name) = &req.merchant_name {
        if state.sub_merchants.name_taken(name, Some(id)) {
            return Err(exists(name));
        }
    }
    if let Some(info) = state.sub_merchants.by_id.get_mut(&id) {
        set(&mut info.merchant_name, req.merchant_name);
        info.store_type = Some(req.store_type);
        info.merchant_mcc = Some(req.merchant_mcc);
        if req.merchant_type.is_some() {
            info.merchant_type = req.merchant_type;
        }
        set(&mut info.country, req.country);
        set(&mut info.site_url, req.site_url);
        set(&mut info.address, req.address);
        set(
            &mut info.pay_industry_description,
            req.pay_industry_description,
        );
        set(&mut info.sub_pay_mcc_code, req.sub_pay_mcc_code);
    }
    Ok(SubMerchantResult::new(req.sub_merchant_id))
}

pub(crate) fn query(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QuerySubMerchantRequest,
) -> Result<Option<SubMerchantInfo>, ApiError> {
    let subs = &state.sub_merchants;
    match (&req.sub_merchant_id, &req.sub_merchant_name) {
        (Some(id), None) => id
            .parse::<u64>()
            .ok()
            .and_then(|n| subs.by_id.get(&n))
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                ApiError::value(
                    "subMerchantId",
                    format!("{:?}: no such sub-merchant", cut(id)),
                )
            }),
        (None, Some(name)) => Ok(subs
            .by_id
            .values()
            .find(|info| info.merchant_name.as_deref() == Some(name.as_str()))
            .cloned()),
        _ => Err(ApiError::value(
            "subMerchantId, subMerchantName",
            "exactly one of them must be set",
        )),
    }
}
