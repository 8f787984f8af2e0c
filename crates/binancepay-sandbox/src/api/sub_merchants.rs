//! Sub-merchants: names are unique per main merchant (400205); modifying an unknown id answers
//! 400206.

use std::collections::HashMap;

use binancepay_types::ResultCode;
use binancepay_types::sub_merchant::{
    AddSubMerchantRequest, ModifySubMerchantRequest, SubMerchantResult,
};

use super::error::{ApiError, known};
use crate::state::{Ctx, State, id_of, id_value};

/// Sub-merchants by id, with their names.
#[derive(Debug, Default)]
pub(crate) struct SubMerchants {
    names: HashMap<u64, String>,
}

impl SubMerchants {
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    fn name_taken(&self, name: &str, except: Option<u64>) -> bool {
        self.names
            .iter()
            .any(|(id, n)| n == name && Some(*id) != except)
    }
}

fn exists(name: &str) -> ApiError {
    ApiError::new(
        ResultCode::SubMerchantExists,
        format!("merchantName {name:?}: a sub-merchant with this name already exists"),
    )
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
    state.sub_merchants.names.insert(id, req.merchant_name);
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
        .filter(|id| state.sub_merchants.names.contains_key(id))
        .ok_or_else(|| {
            ApiError::new(
                ResultCode::SubMerchantInvalid,
                format!(
                    "subMerchantId {}: no such sub-merchant",
                    req.sub_merchant_id
                ),
            )
        })?;
    if let Some(name) = req.merchant_name {
        if state.sub_merchants.name_taken(&name, Some(id)) {
            return Err(exists(&name));
        }
        state.sub_merchants.names.insert(id, name);
    }
    Ok(SubMerchantResult::new(req.sub_merchant_id))
}
