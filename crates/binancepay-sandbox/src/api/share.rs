//! Share-account-id requests: the merchant asks a user to share their Binance id; the simulated
//! user shares it through the control API and a SHARE_ACCOUNT_ID webhook carries it.

use std::collections::HashMap;

use binancepay_types::ResultCode;
use binancepay_types::enums::ShareAccountIdStatus;
use binancepay_types::share_info::{ShareAccountIdRequest, ShareAccountIdResult};
use binancepay_types::webhook::ShareAccountIdNotificationData;

use super::error::ApiError;
use super::orders::ControlError;
use crate::context::Ctx;
use crate::ids::{MERCHANT_ID, id_of};
use crate::state::State;

/// How long a share request stays open: "default 1 hour" (the Share Account Id page).
const SHARE_TTL_MS: u64 = 60 * 60_000;

#[derive(Debug, Clone)]
struct ShareRequest {
    id: u64,
    expire_time: u64,
    webhook_url: Option<String>,
    shared: bool,
}

/// Share requests by the merchant's `requestId`.
#[derive(Debug, Default)]
pub(crate) struct Shares {
    by_request_id: HashMap<String, ShareRequest>,
}

impl Shares {
    pub(crate) fn len(&self) -> usize {
        self.by_request_id.len()
    }
}

fn result(
    ctx: &Ctx<'_>,
    request_id: &str,
    share: &ShareRequest,
) -> Result<ShareAccountIdResult, ApiError> {
    let link = format!("{}/sandbox/share-account/{request_id}", ctx.config.base_url);
    Ok(ShareAccountIdResult::new()
        .with_merchant_id(id_of(MERCHANT_ID)?)
        .with_id(id_of(share.id)?)
        .with_request_id(request_id)
        .with_expire_time(i64::try_from(share.expire_time).unwrap_or(i64::MAX))
        .with_qrcode_content(link.clone())
        .with_qrcode_url(format!("{link}/qr")))
}

pub(crate) fn request(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: ShareAccountIdRequest,
) -> Result<ShareAccountIdResult, ApiError> {
    // A repeat of a requestId is refused with 406301, as the page's result codes say.
    if state.shares.by_request_id.contains_key(&req.request_id) {
        return Err(ApiError::new(
            ResultCode::ShareRequestIdInvalid,
            format!(
                "requestId {:?}: requestId is invalid or duplicated",
                super::error::cut(&req.request_id)
            ),
        ));
    }
    let share = ShareRequest {
        id: state.next_id(),
        expire_time: ctx.now.saturating_add(SHARE_TTL_MS),
        webhook_url: req.webhook_url,
        shared: false,
    };
    let answer = result(ctx, &req.request_id, &share);
    state.shares.by_request_id.insert(req.request_id, share);
    answer
}

/// The simulated user shares their id: SHARE_ACCOUNT_ID / SUCCESS.
pub(crate) fn share(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    request_id: &str,
    user_binance_id: String,
    user_name: Option<String>,
) -> Result<serde_json::Value, ControlError> {
    let share = state
        .shares
        .by_request_id
        .get_mut(request_id)
        .ok_or_else(|| ControlError::NotFound(format!("share request {request_id:?}")))?;
    if share.shared {
        return Err(ControlError::Conflict(
            "the id was already shared".to_owned(),
        ));
    }
    if ctx.now > share.expire_time {
        return Err(ControlError::Conflict(
            "the share request has expired".to_owned(),
        ));
    }
    share.shared = true;
    let mut data = ShareAccountIdNotificationData::new()
        .with_request_id(request_id)
        .with_user_binance_id(user_binance_id.clone());
    if let Some(name) = user_name {
        data = data.with_user_name(name);
    }
    let (id, url) = (share.id, share.webhook_url.clone());
    ctx.notify(
        "SHARE_ACCOUNT_ID",
        ShareAccountIdStatus::Success.as_str(),
        id,
        &data,
        url,
    );
    Ok(serde_json::json!({ "requestId": request_id, "userBinanceId": user_binance_id }))
}
