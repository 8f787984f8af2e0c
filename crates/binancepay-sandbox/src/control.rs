//! The control API under `/sandbox/`: what the simulated customer, user and operator do, plus
//! inspection (webhook deliveries, state counts, balances) and fault injection for tests.
//!
//! Every answer is JSON (`{"error": "..."}` with 400, 403, 404, 405 or 409 on failure), except
//! the checkout page and report files. What may reach it at all is [`crate::guard`]'s call.

use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Response, StatusCode};
use serde::Deserialize;

use crate::api::orders::{self, ControlError};
use crate::api::wallet::WalletKind;
use crate::api::{direct_debit, payouts, refunds, reports, share, tsp};
use crate::faults::{FaultPlan, FaultState};
use crate::guard::Refusal;
use crate::money::to_units;
use crate::server::Shared;

/// Answers one control request.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Response<Vec<u8>> {
    // The dashboard, checkout page, listings and OpenAPI document (src/dashboard.rs).
    if let Some(response) = crate::dashboard::handle(shared, method, path, body) {
        return response;
    }
    let segments: Vec<&str> = path
        .trim_start_matches("/sandbox")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let api = &shared.api;
    let get = method == Method::GET;
    let post = method == Method::POST || method == Method::PUT;
    match (segments.as_slice(), get, post) {
        (["webhooks"], true, _) => {
            let deliveries = api.outbox().deliveries();
            let count = |s| deliveries.iter().filter(|d| d.status == s).count();
            use crate::webhooks::DeliveryStatus as S;
            json(
                StatusCode::OK,
                &serde_json::json!({
                    "pending": count(S::Pending),
                    "delivered": count(S::Delivered),
                    "failed": count(S::Failed),
                    "noUrl": count(S::NoUrl),
                    "deliveries": deliveries,
                }),
            )
        }
        (["requests"], true, _) => json(StatusCode::OK, &shared.requests.counts()),
        (["certificates"], true, _) => certificates(shared),
        (["state"], true, _) => {
            let now = api.clock().now_ms();
            let counts = api.with_state(|state, _| state.counts(now));
            json(StatusCode::OK, &counts)
        }
        (["balances"], true, _) => json(
            StatusCode::OK,
            &api.with_state(|state, _| state.wallets.snapshot()),
        ),
        (["balances"], _, true) => set_balance(shared, body),
        (["clock"], true, _) => clock(shared),
        (["clock", "advance"], _, true) => match parse::<Advance>(body) {
            Ok(advance) => {
                api.clock().advance(advance.millis);
                clock(shared)
            }
            Err(message) => bad_request(&message),
        },
        (["faults"], true, _) => faults(shared),
        (["faults"], _, true) => match parse::<FaultPlan>(body) {
            Ok(plan) => match plan.validate() {
                Ok(()) => {
                    *shared.lock_faults() = FaultState::new(plan);
                    faults(shared)
                }
                Err(message) => error(StatusCode::BAD_REQUEST, &message),
            },
            Err(message) => bad_request(&message),
        },
        (["faults"], _, _) if method == Method::DELETE => {
            *shared.lock_faults() = FaultState::new(FaultPlan::default());
            faults(shared)
        }
        (["settings"], true, _) => settings(shared),
        (["settings"], _, true) => match parse::<Settings>(body) {
            Ok(settings) => {
                if let Some(manual) = settings.manual_refunds {
                    api.with_state(|state, _| state.manual_refunds = manual);
                }
                self::settings(shared)
            }
            Err(message) => bad_request(&message),
        },
        (["orders", id], true, _) => with_order(shared, id, |state, ctx, id| {
            state
                .orders
                .get_mut(id, ctx.now)
                .map(|o| o.summary())
                .ok_or_else(|| ControlError::NotFound(format!("order {id}")))
        }),
        (["orders", id, action], _, true) => match *action {
            "pay" => with_order(shared, id, |s, c, id| {
                orders::pay(s, c, id).map(|o| o.summary())
            }),
            "start" => with_order(shared, id, |s, c, id| {
                orders::start_payment(s, c, id).map(|o| o.summary())
            }),
            "fail" => with_order(shared, id, |s, c, id| {
                orders::fail(s, c, id).map(|o| o.summary())
            }),
            "expire" => with_order(shared, id, |s, c, id| {
                orders::expire(s, c, id).map(|o| o.summary())
            }),
            _ => not_found(path),
        },
        (["refunds", id, action @ ("complete" | "reject")], _, true) => {
            let success = *action == "complete";
            outcome(api.with_state(|s, c| refunds::settle(s, c, id, success)))
        }
        (["payouts", id, "complete"], _, true) => match parse::<CompletePayout>(body) {
            Ok(complete) => outcome(api.with_state(|s, c| {
                payouts::complete(s, c, id, &complete.failed_merchant_send_ids)
            })),
            Err(message) => bad_request(&message),
        },
        (["contracts", code, "sign"], _, true) => match parse::<Sign>(body) {
            Ok(sign) => {
                outcome(api.with_state(|s, c| direct_debit::sign(s, c, code, sign.webhook_url)))
            }
            Err(message) => bad_request(&message),
        },
        (["contracts", code, "terminate"], _, true) => {
            outcome(api.with_state(|s, c| direct_debit::terminate_by_user(s, c, code)))
        }
        (["tsp", id, action @ ("agree" | "reject")], _, true) => match id.parse::<u64>() {
            Ok(id) => {
                let agree = *action == "agree";
                outcome(api.with_state(|s, c| tsp::decide(s, c, id, agree)))
            }
            Err(_) => error(
                StatusCode::NOT_FOUND,
                &format!("authorization {id:?} not found"),
            ),
        },
        (["share-account", id, "share"], _, true) => match parse::<Share>(body) {
            Ok(shared_id) => outcome(api.with_state(|s, c| {
                share::share(
                    s,
                    c,
                    id,
                    shared_id
                        .user_binance_id
                        .unwrap_or_else(|| "354205155".to_owned()),
                    shared_id.user_name,
                )
            })),
            Err(message) => bad_request(&message),
        },
        (["reports", name], true, _) => match api.with_state(|state, _| reports::file(state, name))
        {
            Some(csv) => text(StatusCode::OK, "text/csv", csv),
            None => not_found(path),
        },
        (_, false, false) => error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{method} is not used by the control API"),
        ),
        _ => not_found(path),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    millis: u64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    manual_refunds: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompletePayout {
    #[serde(default)]
    failed_merchant_send_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Sign {
    webhook_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Share {
    user_binance_id: Option<String>,
    user_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetBalance {
    wallet: String,
    asset: String,
    amount: binancepay_types::Amount,
}

/// Parses a JSON body; an empty body means "all defaults" where the type has them.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| format!("request body: {e}"))
}

/// `GET /sandbox/certificates`: both certificates, for the dashboard.
fn certificates(shared: &Shared) -> Response<Vec<u8>> {
    let outbox = shared.api.outbox();
    let new = shared
        .api
        .with_state(|state, _| state.new_certificates.clone());
    json(
        StatusCode::OK,
        &serde_json::json!({
            "certificates": [{
                "certSerial": outbox.serial(),
                "certPublic": outbox.public_key_pem(),
            }],
            "newCertificates": new,
            "signingSerialNew": outbox.new_serial(),
        }),
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Rotate {}

/// `POST /sandbox/certificates/rotate`: a new key for the new platform certificate (key
/// generation is CPU-heavy, hence async and off the workers, unlike the other routes).
pub(crate) async fn rotate(shared: &Shared, body: &[u8]) -> Response<Vec<u8>> {
    if let Err(message) = parse::<Rotate>(body) {
        return bad_request(&message);
    }
    match crate::sandbox::rotate(&shared.api).await {
        Ok(certificate) => json(StatusCode::OK, &certificate),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn bad_request(message: &str) -> Response<Vec<u8>> {
    error(StatusCode::BAD_REQUEST, message)
}

fn set_balance(shared: &Shared, body: &[u8]) -> Response<Vec<u8>> {
    let request = match parse::<SetBalance>(body) {
        Ok(request) => request,
        Err(message) => return bad_request(&message),
    };
    let Some(kind) = WalletKind::parse(&request.wallet) else {
        return error(
            StatusCode::BAD_REQUEST,
            "wallet: must be FUNDING_WALLET or SPOT_WALLET",
        );
    };
    if request.asset.is_empty()
        || !request
            .asset
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return error(
            StatusCode::BAD_REQUEST,
            "asset: must be upper-case letters or digits",
        );
    }
    let units = to_units(&request.amount);
    let balances = shared.api.with_state(|state, _| {
        state.wallets.set_units(kind, &request.asset, units);
        state.wallets.snapshot()
    });
    json(StatusCode::OK, &balances)
}

fn clock(shared: &Shared) -> Response<Vec<u8>> {
    let clock = shared.api.clock();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "now": clock.now_ms(),
            "offsetMs": clock.offset_ms(),
        }),
    )
}

fn faults(shared: &Shared) -> Response<Vec<u8>> {
    let faults = shared.lock_faults();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "plan": faults.plan(),
            "fired": faults.fired(),
        }),
    )
}

fn settings(shared: &Shared) -> Response<Vec<u8>> {
    let manual = shared.api.with_state(|state, _| state.manual_refunds);
    json(
        StatusCode::OK,
        &serde_json::json!({ "manualRefunds": manual }),
    )
}

fn with_order(
    shared: &Shared,
    id: &str,
    action: impl FnOnce(
        &mut crate::state::State,
        &mut crate::state::Ctx<'_>,
        u64,
    ) -> Result<serde_json::Value, ControlError>,
) -> Response<Vec<u8>> {
    match id.parse::<u64>() {
        Ok(id) => outcome(shared.api.with_state(|state, ctx| action(state, ctx, id))),
        Err(_) => error(StatusCode::NOT_FOUND, &format!("order {id:?} not found")),
    }
}

fn outcome(result: Result<serde_json::Value, ControlError>) -> Response<Vec<u8>> {
    match result {
        Ok(value) => json(StatusCode::OK, &value),
        Err(ControlError::NotFound(what)) => {
            error(StatusCode::NOT_FOUND, &format!("{what} not found"))
        }
        Err(ControlError::Conflict(why)) => error(StatusCode::CONFLICT, &why),
        Err(ControlError::Internal(why)) => error(StatusCode::INTERNAL_SERVER_ERROR, &why),
    }
}

pub(crate) fn json<T: serde::Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(crate) fn text(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Vec<u8>> {
    let mut response = Response::new(body.into_bytes());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    json(status, &serde_json::json!({ "error": message }))
}

/// 403 for a request the guard refused.
pub(crate) fn forbidden(refusal: &Refusal) -> Response<Vec<u8>> {
    error(StatusCode::FORBIDDEN, &refusal.message())
}

fn not_found(path: &str) -> Response<Vec<u8>> {
    error(
        StatusCode::NOT_FOUND,
        &format!("no control route {path:?}; see the crate docs for the list"),
    )
}
