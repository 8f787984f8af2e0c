//! Binance's own samples as the oracle. Every file of `tests/data/conformance/` is one JSON
//! sample printed on a page of Binance's (or in the project's reference), with its provenance;
//! `conformance/README.md` explains the format. Adding a sample is adding a file.
//!
//! - `every_sample_goes_through_the_sdk`: requests deserialise into their endpoint's request
//!   type and pass `validate()`; responses go through `parse_response` for their endpoint (the
//!   whole envelope); error envelopes give their code (and message); webhooks parse as a known
//!   notification; webhook replies read as `WebhookReply`.
//! - `the_sandbox_answers_in_the_documented_shape`: the sandbox answers each documented sample
//!   request with the same fields and the same JSON types as the documented sample response,
//!   and a stale one with the pages' 400003 envelope, word for word.

use std::collections::BTreeMap;
use std::fs;

use binancepay_http::parse_response;
use binancepay_integration_tests::{BoxError, TestResult, bounded, data_path, sandbox};
use binancepay_types::webhook::{Notification, WebhookReply};
use binancepay_types::{Endpoint, endpoint_by_path};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

/// One corpus file.
struct Sample {
    name: String,
    kind: String,
    endpoint: Option<String>,
    expect: Option<Value>,
    /// The sample's JSON, exactly as written in the file.
    json: String,
}

fn corpus() -> Result<Vec<Sample>, BoxError> {
    let dir = data_path("conformance");
    let mut names: Vec<String> = fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let text = fs::read_to_string(dir.join(&name))?;
        let fields: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
        let value = |key: &str| -> Result<Option<Value>, BoxError> {
            Ok(match fields.get(key) {
                Some(raw) => Some(serde_json::from_str(raw.get())?),
                None => None,
            })
        };
        let source = value("source")?.ok_or(format!("{name}: no source"))?;
        if source["file"].as_str().is_none() || source["line"].as_u64().is_none() {
            return Err(format!("{name}: source needs `file` and `line`").into());
        }
        let kind = value("kind")?
            .and_then(|k| k.as_str().map(str::to_owned))
            .ok_or(format!("{name}: no kind"))?;
        let json = fields
            .get("json")
            .ok_or(format!("{name}: no json"))?
            .get()
            .to_owned();
        out.push(Sample {
            name,
            kind,
            endpoint: value("endpoint")?.and_then(|e| e.as_str().map(str::to_owned)),
            expect: value("expect")?,
            json,
        });
    }
    Ok(out)
}

fn request<E: Endpoint + DeserializeOwned>(body: &str) -> Result<(), String> {
    let request: E =
        serde_json::from_str(body).map_err(|e| format!("does not deserialise: {e}"))?;
    request
        .validate()
        .map_err(|e| format!("fails validate(): {e}"))
}

fn http_response(body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn response<E: Endpoint>(body: &str) -> Result<(), String> {
    parse_response::<E, _>(&http_response(body))
        .map(drop)
        .map_err(|e| format!("parse_response: {e}"))
}

macro_rules! by_path {
    ($($ty:ty,)*) => {
        /// Runs the request or response check of the endpoint at `path`.
        fn check_endpoint(path: &str, kind: &str, body: &str) -> Result<(), String> {
            $(
                if path == <$ty as Endpoint>::PATH {
                    return match kind {
                        "request" => request::<$ty>(body),
                        _ => response::<$ty>(body),
                    };
                }
            )*
            Err(format!("{path}: no row in by_path! (conformance.rs)"))
        }

        /// Every endpoint has a row.
        const ROWS: &[&str] = &[$(<$ty as Endpoint>::PATH,)*];
    };
}

use binancepay_types::{
    certificate as cert, convert as cv, direct_debit as dd, order, payer as pv, payout as po,
    profit_sharing as ps, refund as rf, report as rp, share_info as sh, sub_merchant as sm,
    tsp as tp, wallet as wl,
};

by_path! {
    order::CreateOrderV3Request, order::CreateOrderV2Request, order::CreateOrderV1Request,
    order::QueryOrderV2Request, order::QueryOrderV1Request, order::CloseOrderRequest,
    pv::VerifyPayerRequest, rf::RefundOrderRequest, rf::QueryRefundRequest,
    po::CreatePayoutRequest, po::QueryPayoutRequest, po::CheckPayoutReceiverRequest,
    wl::TransferFundRequest, wl::QueryTransferRequest, wl::QueryBalanceV2Request,
    wl::QueryBalanceV1Request, sm::AddSubMerchantRequest, sm::ModifySubMerchantRequest,
    sm::QuerySubMerchantRequest, cv::ListConvertPairsRequest, cv::GetConvertQuoteRequest,
    cv::ExecuteConvertQuoteRequest, cv::QueryConvertOrderRequest, dd::CreateContractRequest,
    dd::QueryContractRequest, dd::TerminateContractRequest, dd::NotifyPaymentRequest,
    dd::ApplyPaymentRequest, tp::CreateTspAuthorizationRequest, tp::QueryTspRecordsRequest,
    tp::GetTspRecordRequest, tp::QueryTspConfigRequest, sh::ShareAccountIdRequest,
    cert::QueryCertificatesRequest, cert::QueryCertificatesNewRequest, ps::AddProfitReceiverRequest,
    ps::QueryProfitReceiversRequest, ps::DeleteProfitReceiverRequest,
    ps::SubmitProfitSplitRequest, ps::QueryProfitSplitRequest, ps::ReturnProfitSplitRequest,
    rp::GetReportFileRequest, rp::RequestBalanceReportRequest, rp::QueryBalanceReportRequest,
}

/// The code (and message) an error envelope gives.
fn error(sample: &Sample) -> Result<(), String> {
    let expect = sample
        .expect
        .as_ref()
        .ok_or("an error sample needs `expect`")?;
    let code = expect["code"].as_str().ok_or("`expect.code` missing")?;
    // Any endpoint will do: an error envelope carries no `data`.
    let got = parse_response::<order::QueryOrderV2Request, _>(&http_response(&sample.json));
    let (got_code, got_message) = match &got {
        Err(binancepay_http::Error::Api { code, message, .. }) => {
            (code.code().to_owned(), message.clone())
        }
        Err(binancepay_http::Error::System { code, message, .. }) => {
            (code.clone(), message.clone())
        }
        other => return Err(format!("not an error envelope: {other:?}")),
    };
    if got_code != code {
        return Err(format!("code {got_code}, expected {code}"));
    }
    if let Some(message) = expect["message"].as_str() {
        if got_message.as_deref() != Some(message) {
            return Err(format!("message {got_message:?}, expected {message:?}"));
        }
    }
    Ok(())
}

fn check(sample: &Sample) -> Result<(), String> {
    match sample.kind.as_str() {
        "request" | "response" => {
            let path = sample.endpoint.as_deref().ok_or("no endpoint")?;
            if endpoint_by_path(path).is_none() {
                return Err(format!("{path} is not an endpoint of the SDK"));
            }
            check_endpoint(path, &sample.kind, &sample.json)
        }
        "error" => error(sample),
        "webhook" => match Notification::from_slice(sample.json.as_bytes()) {
            Ok(Notification::Unknown { .. }) => Err("an unknown bizType".to_owned()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("Notification::from_slice: {e}")),
        },
        "webhook-reply" => {
            // `expect.conforms: false` marks a reply that contradicts the documented one.
            let conforms = sample
                .expect
                .as_ref()
                .and_then(|e| e["conforms"].as_bool())
                .unwrap_or(true);
            match (serde_json::from_str::<WebhookReply>(&sample.json), conforms) {
                (Ok(_), true) | (Err(_), false) => Ok(()),
                (Err(e), true) => Err(format!("WebhookReply: {e}")),
                (Ok(reply), false) => Err(format!("taken for a valid reply: {reply:?}")),
            }
        }
        other => Err(format!("unknown kind {other:?}")),
    }
}

#[test]
fn every_sample_goes_through_the_sdk() -> TestResult {
    let samples = corpus()?;
    assert!(samples.len() >= 23, "only {} samples", samples.len());
    let failures: Vec<String> = samples
        .iter()
        .filter_map(|s| check(s).err().map(|e| format!("{}: {e}", s.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for endpoint in binancepay_types::ENDPOINTS {
        assert!(
            ROWS.contains(&endpoint.path),
            "{} has no row",
            endpoint.path
        );
    }
    Ok(())
}

/// The four samples that failed before the reading policy, decoded to the values the pages
/// print: v1's string `expireTime` and its `tradeType`, and the TSP pages' `"merchant1"`.
#[test]
fn the_pages_values_survive_decoding() -> TestResult {
    let samples = corpus()?;
    let json = |name: &str| -> Result<String, BoxError> {
        samples
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.json.clone())
            .ok_or_else(|| format!("{name}: not in the corpus").into())
    };
    let v1 = parse_response::<order::CreateOrderV1Request, _>(&http_response(&json(
        "create_order_v1.response.json",
    )?))?;
    assert_eq!(v1.expire_time, Some(121_123_232_223));
    assert_eq!(v1.trade_type, Some(binancepay_types::enums::TradeType::App));
    assert_eq!(v1.prepay_id.as_str(), "29383937493038367292");
    let merchant1 = Some(binancepay_types::NumberOrString::String("merchant1".into()));
    let created = parse_response::<tp::CreateTspAuthorizationRequest, _>(&http_response(&json(
        "tsp_create.response.json",
    )?))?;
    assert_eq!(created.merchant_id, merchant1);
    let request: tp::CreateTspAuthorizationRequest =
        serde_json::from_str(&json("tsp_create.request.json")?)?;
    assert_eq!(request.merchant_id, "merchant1");
    let records = parse_response::<tp::QueryTspRecordsRequest, _>(&http_response(&json(
        "tsp_records.response.json",
    )?))?;
    let rows = records.rows.unwrap_or_default();
    assert_eq!(rows.first().map(|r| r.merchant_id.clone()), Some(merchant1));
    assert_eq!(
        rows.get(1).and_then(|r| r.status.clone()),
        Some(binancepay_types::enums::TspAuthorizationStatus::Authorized)
    );
    Ok(())
}

/// The shape of a JSON value: object keys with their shapes, array item shapes, scalar types.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => {
            // Items of one list share a shape; keep the distinct ones.
            let mut shapes: Vec<Value> = Vec::new();
            for item in items.iter().map(shape) {
                if !shapes.contains(&item) {
                    shapes.push(item);
                }
            }
            Value::Array(shapes)
        }
        Value::String(_) => Value::from("string"),
        Value::Number(_) => Value::from("number"),
        Value::Bool(_) => Value::from("bool"),
        Value::Null => Value::from("null"),
    }
}

/// Signs `body` for `path` at `now` minus `age_ms` and sends it to the sandbox.
async fn post_aged(
    sandbox: &binancepay_sandbox::RunningSandbox,
    path: &str,
    body: &str,
    age_ms: u64,
) -> Result<Value, BoxError> {
    let builder = sandbox.request_builder()?;
    let nonce = binancepay_http::fresh_nonce()?;
    let at = binancepay_http::Timestamp::from_millis(
        binancepay_http::now()?.as_millis().saturating_sub(age_ms),
    )?;
    let request = builder.build_raw(path, body.as_bytes().to_vec(), at, &nonce)?;
    let response = reqwest::Client::new()
        .execute(reqwest::Request::try_from(request)?)
        .await?;
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}

#[tokio::test]
async fn the_sandbox_answers_in_the_documented_shape() -> TestResult {
    bounded("the sandbox answers in the documented shape", async {
        let samples = corpus()?;
        let running = sandbox()?.start().await?;
        let mut compared = 0;
        let mut failures = Vec::new();
        for response in samples.iter().filter(|s| s.kind == "response") {
            let Some(path) = response.endpoint.as_deref() else {
                continue;
            };
            let Some(request) = samples
                .iter()
                .find(|s| s.kind == "request" && s.endpoint.as_deref() == Some(path))
            else {
                continue;
            };
            let mut documented: Value = serde_json::from_str(&response.json)?;
            // The v1 page prints `"errorMessage": ""` with its cut sample: not part of the
            // SUCCESS shape any other page shows.
            if let Some(map) = documented.as_object_mut() {
                map.remove("errorMessage");
            }
            let answered = post_aged(&running, path, &request.json, 0).await?;
            if shape(&answered) != shape(&documented) {
                failures.push(format!(
                    "{path} ({} -> {}):\n  documented {}\n  sandbox    {}",
                    request.name,
                    response.name,
                    shape(&documented),
                    shape(&answered)
                ));
            }
            compared += 1;
        }
        // The pages' 400003 samples: a request signed ten minutes ago gets the same envelope,
        // word for word.
        let mut stale = 0;
        for error in samples.iter().filter(|s| s.kind == "error") {
            let code = error.expect.as_ref().and_then(|e| e["code"].as_str());
            let (Some("400003"), Some(path)) = (code, error.endpoint.as_deref()) else {
                continue;
            };
            let Some(request) = samples
                .iter()
                .find(|s| s.kind == "request" && s.endpoint.as_deref() == Some(path))
            else {
                continue;
            };
            let documented: Value = serde_json::from_str(&error.json)?;
            let answered = post_aged(&running, path, &request.json, 600_000).await?;
            if answered != documented {
                failures.push(format!(
                    "{path} ({}): documented {documented}, sandbox {answered}",
                    error.name
                ));
            }
            stale += 1;
        }
        running.shutdown().await;
        assert!(compared >= 4, "compared only {compared} endpoints");
        assert!(stale >= 2, "compared only {stale} 400003 samples");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    })
    .await
}
