//! The Binance paths: authentication, the endpoint table, and one handler per endpoint.

pub(crate) mod convert;
pub(crate) mod direct_debit;
pub(crate) mod error;
pub(crate) mod orders;
pub(crate) mod parse;
pub(crate) mod payer;
pub(crate) mod payouts;
pub(crate) mod profit_sharing;
pub(crate) mod refunds;
pub(crate) mod reports;
pub(crate) mod share;
pub(crate) mod sub_merchants;
pub(crate) mod tsp;
pub(crate) mod wallet;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use binancepay_http::server::{
    AuthError, authenticate_signature, fail_response, is_json_object, replay_response,
    success_response,
};
use binancepay_sign::{ApiKey, RequestSigner, Timestamp};
use binancepay_types::{Endpoint, ResultCode, endpoint_by_path};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue, SERVER};
use http::{Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::Clock;
use crate::context::{Config, Ctx};
use crate::state::State;
use crate::webhooks::Outbox;
use error::ApiError;

/// CloudFront's page for a path it cannot route, byte for byte what Binance's CDN sends.
const CLOUDFRONT_403: &str = include_str!("cloudfront-403.html");

/// The API: state, settings and the merchant credentials it accepts.
#[derive(Debug)]
pub(crate) struct Api {
    state: Mutex<State>,
    config: Config,
    clock: Clock,
    outbox: Arc<Outbox>,
    keys: (ApiKey, RequestSigner),
    window_ms: u64,
}

impl Api {
    pub(crate) fn new(
        state: State,
        config: Config,
        clock: Clock,
        outbox: Arc<Outbox>,
        keys: (ApiKey, RequestSigner),
        window_ms: u64,
    ) -> Self {
        Self {
            state: Mutex::new(state),
            config,
            clock,
            outbox,
            keys,
            window_ms,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Handlers never panic by design; if one did, later requests still get the state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    /// Runs `f` on the state under the lock, then sends the notifications it queued.
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State, &mut Ctx<'_>) -> R) -> R {
        let (result, notices) = {
            let mut state = self.lock();
            let mut ctx = Ctx::new(self.clock.now_ms(), &self.config);
            let result = f(&mut state, &mut ctx);
            (result, ctx.notices)
        };
        for notice in notices {
            self.outbox.enqueue(notice);
        }
        result
    }

    /// Answers one request to a Binance path the way Binance does.
    pub(crate) fn handle(&self, request: &Request<Bytes>) -> Response<Vec<u8>> {
        match self.admit(request) {
            Ok(now) => self.handle_at(request, now),
            Err(refused) => *refused,
        }
    }

    /// The checks made when a request arrives (a known path, the signature and the freshness
    /// of its timestamp): the time of arrival, or the refusal to answer.
    pub(crate) fn admit(
        &self,
        request: &Request<Bytes>,
    ) -> Result<Timestamp, Box<Response<Vec<u8>>>> {
        if endpoint_by_path(request.uri().path()).is_none() {
            return Err(Box::new(cloudfront_403()));
        }
        let now = Timestamp::from_millis(Clock::system_now_ms()).map_err(|_| {
            Box::new(fail_response(
                ResultCode::UnknownError.code(),
                "the sandbox's system clock is unusable",
            ))
        })?;
        authenticate_signature(request, &self.keys, now, self.window_ms)
            .map(|_| now)
            .map_err(|error| Box::new(error.response()))
    }

    /// Acts on a request admitted at `now` (its timestamp is judged at that time, so a slow
    /// action still acts on a request that was fresh when it arrived).
    pub(crate) fn handle_at(&self, request: &Request<Bytes>, now: Timestamp) -> Response<Vec<u8>> {
        let path = request.uri().path();
        if endpoint_by_path(path).is_none() {
            return cloudfront_403();
        }
        // The body is parsed once, by the endpoint; `run` tells a body that is not one JSON
        // object (400008, as `authenticate` would) from a bad parameter (4001xx).
        let authenticated = match authenticate_signature(request, &self.keys, now, self.window_ms) {
            Ok(authenticated) => authenticated,
            Err(error) => return error.response(),
        };
        let body = authenticated.body;
        self.with_state(|state, ctx| {
            dispatch(state, ctx, path, body).unwrap_or_else(|| {
                if !is_json_object(body) {
                    return AuthError::InvalidBody.response();
                }
                fail_response(
                    ResultCode::UnknownError.code(),
                    "this endpoint is not implemented by the sandbox",
                )
            })
        })
    }
}

/// The HTML 403 CloudFront sends for a path it does not know.
pub(crate) fn cloudfront_403() -> Response<Vec<u8>> {
    let mut response = Response::new(CLOUDFRONT_403.as_bytes().to_vec());
    *response.status_mut() = StatusCode::FORBIDDEN;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    headers.insert(SERVER, HeaderValue::from_static("CloudFront"));
    headers.insert("x-cache", HeaderValue::from_static("Error from cloudfront"));
    response
}

/// Parses, validates, runs the handler and wraps its result in Binance's envelope
/// (`REPEAT_REQ_SUCCESS` when the handler set `ctx.replayed`).
fn run<E, F>(body: &[u8], ctx: &mut Ctx<'_>, handler: F) -> Response<Vec<u8>>
where
    E: Endpoint + DeserializeOwned,
    E::Response: Serialize,
    F: FnOnce(&mut Ctx<'_>, E) -> Result<E::Response, ApiError>,
{
    let data = parse::parse::<E>(body).and_then(|request| handler(ctx, request));
    let respond = if ctx.replayed {
        replay_response::<E::Response>
    } else {
        success_response::<E::Response>
    };
    match data {
        Ok(data) => respond(&data).unwrap_or_else(|e| {
            fail_response(
                ResultCode::UnknownError.code(),
                &format!("the response could not be serialized: {e}"),
            )
        }),
        // Only a body that parsed reaches the handler, so a failure here is the parse's or
        // the handler's; a body that is not one JSON object is refused as `authenticate` does.
        Err(_) if !is_json_object(body) => AuthError::InvalidBody.response(),
        Err(error) => fail_response(error.code.code(), &error.message),
    }
}

/// As [`run`], but `reshape` edits the `data` before it is written: for an endpoint whose page
/// prints a field in another JSON type than the model writes.
fn run_reshaped<E, F>(
    body: &[u8],
    ctx: &mut Ctx<'_>,
    handler: F,
    reshape: fn(&mut serde_json::Value),
) -> Response<Vec<u8>>
where
    E: Endpoint + DeserializeOwned,
    E::Response: Serialize,
    F: FnOnce(&mut Ctx<'_>, E) -> Result<E::Response, ApiError>,
{
    let data = parse::parse::<E>(body)
        .and_then(|request| handler(ctx, request))
        .and_then(|data| {
            let mut value = serde_json::to_value(&data).map_err(ApiError::internal)?;
            reshape(&mut value);
            Ok(value)
        });
    match data {
        Ok(value) => success_response(&value).unwrap_or_else(|e| {
            fail_response(
                ResultCode::UnknownError.code(),
                &format!("the response could not be serialized: {e}"),
            )
        }),
        Err(_) if !is_json_object(body) => AuthError::InvalidBody.response(),
        Err(error) => fail_response(error.code.code(), &error.message),
    }
}

macro_rules! endpoints {
    ($($request:ty => $handler:path $(, reshape $reshape:path)?;)*) => {
        /// Runs the handler of `path`; `None` for a path without one.
        fn dispatch(state: &mut State, ctx: &mut Ctx<'_>, path: &str, body: &[u8]) -> Option<Response<Vec<u8>>> {
            $(
                if path == <$request as Endpoint>::PATH {
                    $(
                        return Some(run_reshaped::<$request, _>(body, ctx, |ctx, request| $handler(state, ctx, request), $reshape));
                    )?
                    #[allow(unreachable_code)]
                    return Some(run::<$request, _>(body, ctx, |ctx, request| $handler(state, ctx, request)));
                }
            )*
            None
        }

        /// Every path with a handler.
        #[cfg(test)]
        pub(crate) const HANDLED_PATHS: &[&str] = &[$(<$request as Endpoint>::PATH,)*];
    };
}

use binancepay_types::{
    certificate as cert, convert as cv, direct_debit as dd, order, payer as pv,
};
use binancepay_types::{
    payout as po, profit_sharing as ps, refund as rf, report as rp, share_info as sh,
};
use binancepay_types::{sub_merchant as sm, tsp as tp, wallet as wl};

endpoints! {
    order::CreateOrderV3Request => orders::create_v3;
    order::CreateOrderV2Request => orders::create_v2;
    order::CreateOrderV1Request => orders::create_v1, reshape orders::v1_wire;
    order::QueryOrderV2Request => orders::query_v2;
    order::QueryOrderV1Request => orders::query_v1;
    order::CloseOrderRequest => orders::close;
    pv::VerifyPayerRequest => payer::verify;
    rf::RefundOrderRequest => refunds::refund;
    rf::QueryRefundRequest => refunds::query;
    po::CreatePayoutRequest => payouts::create;
    po::QueryPayoutRequest => payouts::query;
    po::CheckPayoutReceiverRequest => payouts::check_receiver;
    wl::TransferFundRequest => wallet::transfer;
    wl::QueryTransferRequest => wallet::query_transfer;
    wl::QueryBalanceV2Request => wallet::balance_v2;
    wl::QueryBalanceV1Request => wallet::balance_v1;
    sm::AddSubMerchantRequest => sub_merchants::add;
    sm::ModifySubMerchantRequest => sub_merchants::modify;
    sm::QuerySubMerchantRequest => sub_merchants::query;
    cv::ListConvertPairsRequest => convert::list_pairs;
    cv::GetConvertQuoteRequest => convert::get_quote;
    cv::ExecuteConvertQuoteRequest => convert::execute;
    cv::QueryConvertOrderRequest => convert::query_order;
    dd::CreateContractRequest => direct_debit::create;
    dd::QueryContractRequest => direct_debit::query;
    dd::TerminateContractRequest => direct_debit::terminate;
    dd::NotifyPaymentRequest => direct_debit::notify;
    dd::ApplyPaymentRequest => direct_debit::apply;
    tp::CreateTspAuthorizationRequest => tsp::create;
    tp::QueryTspRecordsRequest => tsp::records;
    tp::GetTspRecordRequest => tsp::get_record;
    tp::QueryTspConfigRequest => tsp::config;
    sh::ShareAccountIdRequest => share::request;
    cert::QueryCertificatesRequest => payer::certificates;
    cert::QueryCertificatesNewRequest => payer::certificates_new;
    ps::AddProfitReceiverRequest => profit_sharing::add_receiver;
    ps::QueryProfitReceiversRequest => profit_sharing::query_receivers;
    ps::DeleteProfitReceiverRequest => profit_sharing::delete_receiver;
    ps::SubmitProfitSplitRequest => profit_sharing::submit_split;
    ps::QueryProfitSplitRequest => profit_sharing::query_split;
    ps::ReturnProfitSplitRequest => profit_sharing::return_split;
    rp::GetReportFileRequest => reports::get_file;
    rp::RequestBalanceReportRequest => reports::request_balance;
    rp::QueryBalanceReportRequest => reports::query_balance;
}

#[cfg(test)]
mod tests {
    use super::HANDLED_PATHS;
    use binancepay_types::ENDPOINTS;

    #[test]
    fn every_endpoint_of_the_spec_has_a_handler() {
        for endpoint in ENDPOINTS {
            assert!(
                HANDLED_PATHS.contains(&endpoint.path),
                "no handler for {}",
                endpoint.path
            );
        }
        assert_eq!(HANDLED_PATHS.len(), ENDPOINTS.len());
    }
}
