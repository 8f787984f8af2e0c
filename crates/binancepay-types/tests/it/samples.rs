//! Every sample body in `tests/data/samples` through the generated models.
//!
//! Requests and SUCCESS responses must deserialize and serialize back to the same JSON, requests
//! must pass `validate()`, and every webhook must parse into the arm of its bizType with its
//! payload intact. JSON is compared after a key sort, with numbers compared as their exact text,
//! so an amount that comes back as `0.1` instead of `0.10` fails. Everything is driven by the
//! tables below: a sample without a table row, or a row without its samples, fails.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use binancepay_types::webhook::Notification;
use binancepay_types::{
    ApiResponse, ENDPOINTS, Endpoint, ResponseStatus, ResultCode, certificate, convert,
    direct_debit, enums, order, payer, payout, profit_sharing, refund, report, share_info,
    sub_merchant, tsp, wallet,
};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// Checks one request or response sample of one operation.
type Check = fn(&str, Kind) -> Result<(), String>;

/// Every operation of the reference's §3 catalogue, in its order, with its request type.
const OPERATIONS: &[(&str, Check)] = &[
    ("create_order_v3", check::<order::CreateOrderV3Request>),
    ("create_order_v2", check::<order::CreateOrderV2Request>),
    ("create_order_v1", check::<order::CreateOrderV1Request>),
    ("query_order_v2", check::<order::QueryOrderV2Request>),
    ("query_order_v1", check::<order::QueryOrderV1Request>),
    ("close_order", check::<order::CloseOrderRequest>),
    ("verify_payer", check::<payer::VerifyPayerRequest>),
    ("refund_order", check::<refund::RefundOrderRequest>),
    ("query_refund", check::<refund::QueryRefundRequest>),
    ("create_payout", check::<payout::CreatePayoutRequest>),
    ("query_payout", check::<payout::QueryPayoutRequest>),
    (
        "check_payout_receiver",
        check::<payout::CheckPayoutReceiverRequest>,
    ),
    ("transfer_fund", check::<wallet::TransferFundRequest>),
    ("query_transfer", check::<wallet::QueryTransferRequest>),
    ("query_balance_v2", check::<wallet::QueryBalanceV2Request>),
    ("query_balance_v1", check::<wallet::QueryBalanceV1Request>),
    (
        "add_sub_merchant",
        check::<sub_merchant::AddSubMerchantRequest>,
    ),
    (
        "modify_sub_merchant",
        check::<sub_merchant::ModifySubMerchantRequest>,
    ),
    (
        "query_sub_merchant",
        check::<sub_merchant::QuerySubMerchantRequest>,
    ),
    (
        "list_convert_pairs",
        check::<convert::ListConvertPairsRequest>,
    ),
    (
        "get_convert_quote",
        check::<convert::GetConvertQuoteRequest>,
    ),
    (
        "execute_convert_quote",
        check::<convert::ExecuteConvertQuoteRequest>,
    ),
    (
        "query_convert_order",
        check::<convert::QueryConvertOrderRequest>,
    ),
    (
        "create_contract",
        check::<direct_debit::CreateContractRequest>,
    ),
    (
        "query_contract",
        check::<direct_debit::QueryContractRequest>,
    ),
    (
        "terminate_contract",
        check::<direct_debit::TerminateContractRequest>,
    ),
    (
        "notify_payment",
        check::<direct_debit::NotifyPaymentRequest>,
    ),
    ("apply_payment", check::<direct_debit::ApplyPaymentRequest>),
    (
        "create_tsp_authorization",
        check::<tsp::CreateTspAuthorizationRequest>,
    ),
    ("query_tsp_records", check::<tsp::QueryTspRecordsRequest>),
    ("get_tsp_record", check::<tsp::GetTspRecordRequest>),
    ("query_tsp_config", check::<tsp::QueryTspConfigRequest>),
    (
        "share_account_id",
        check::<share_info::ShareAccountIdRequest>,
    ),
    (
        "query_certificates",
        check::<certificate::QueryCertificatesRequest>,
    ),
    (
        "query_certificates_new",
        check::<certificate::QueryCertificatesNewRequest>,
    ),
    (
        "add_profit_receiver",
        check::<profit_sharing::AddProfitReceiverRequest>,
    ),
    (
        "query_profit_receivers",
        check::<profit_sharing::QueryProfitReceiversRequest>,
    ),
    (
        "delete_profit_receiver",
        check::<profit_sharing::DeleteProfitReceiverRequest>,
    ),
    (
        "submit_profit_split",
        check::<profit_sharing::SubmitProfitSplitRequest>,
    ),
    (
        "query_profit_split",
        check::<profit_sharing::QueryProfitSplitRequest>,
    ),
    (
        "return_profit_split",
        check::<profit_sharing::ReturnProfitSplitRequest>,
    ),
    ("get_report_file", check::<report::GetReportFileRequest>),
    (
        "request_balance_report",
        check::<report::RequestBalanceReportRequest>,
    ),
    (
        "query_balance_report",
        check::<report::QueryBalanceReportRequest>,
    ),
];

/// Every bizType / bizStatus pair of the reference's §4.4 matrix; each needs
/// `webhooks/<bizType>.<bizStatus>.json`.
const WEBHOOK_PAIRS: &[(&str, &str)] = &[
    ("PAY", "PAY_SUCCESS"),
    ("PAY", "PAY_CLOSED"),
    ("PAY_REFUND", "REFUND_SUCCESS"),
    ("PAY_REFUND", "REFUND_REJECTED"),
    ("PAYOUT", "ACCEPTED"),
    ("PAYOUT", "PROCESSING"),
    ("PAYOUT", "SUCCESS"),
    ("PAYOUT", "PART_SUCCESS"),
    ("PAYOUT", "FAILED"),
    ("PAYOUT", "CANCELED"),
    ("PAYOUT_NON_BN", "SUCCESS"),
    ("PAYOUT_NON_BN", "FAIL"),
    ("PAYOUT_NON_BN", "AWAITING_RECEIPT"),
    ("PAYOUT_NON_BN", "REFUNDED"),
    ("DIRECT_DEBIT_CT", "CONTRACT_SIGNED"),
    ("DIRECT_DEBIT_CT", "CONTRACT_TERMINATED"),
    ("TECH_PROVIDER", "SUBMIT_AUTH_AGREE"),
    ("TECH_PROVIDER", "SUBMIT_AUTH_REJECT"),
    ("TECH_PROVIDER", "TP_AUTH_CHANGED"),
    ("TECH_PROVIDER", "TP_AUTH_DISABLED"),
    ("SHARE_ACCOUNT_ID", "SUCCESS"),
    ("BALANCE", "BALANCE_SUCCESS"),
    ("MERCHANT_QR_CODE", "MERCHANT_QR_CODE_SCANED"),
];

/// The error bodies of §1: file, the code they carry, and their message.
const ERRORS: &[(&str, &str, &str)] = &[
    (
        "fail_envelope.json",
        "400002",
        "Signature for this request is not valid.",
    ),
    (
        "code_msg.json",
        "400002",
        "Signature for this request is not valid.",
    ),
    ("system_error.json", "100001001", "System abnormality"),
    ("numeric_code.json", "0", "unknown error"),
    ("fail_order_not_found.json", "400202", "Order not found."),
    (
        "fail_quote_expired.json",
        "345231",
        "Quote expired, please request a new quote.",
    ),
];

/// The V3 webhook body of `test-vectors.md`, whose signature covers these exact bytes.
const V3_VECTOR: &str = "webhooks/v3-vector.json";
const V3_VECTOR_LEN: usize = 374;

/// A test failure whose `Debug` is the plain message, so multi-line reports stay readable.
struct Failure(String);

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure(message.to_owned())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/samples")
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `<operation>[.<variant>].(request|response).json`, split into operation and kind.
fn parse_sample_name(name: &str) -> Option<(&str, Kind)> {
    let stem = name.strip_suffix(".json")?;
    let (rest, kind) = if let Some(rest) = stem.strip_suffix(".request") {
        (rest, Kind::Request)
    } else {
        (stem.strip_suffix(".response")?, Kind::Response)
    };
    let operation = rest.split('.').next()?;
    Some((operation, kind))
}

/// The names of the regular files directly in `dir`, sorted.
fn file_names(dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        if entry.path().is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The endpoint samples (`*.json` directly in the samples folder), as (file name, operation, kind).
fn endpoint_samples() -> Result<Vec<(String, String, Kind)>, String> {
    let mut samples = Vec::new();
    for name in file_names(&samples_dir())? {
        if name == "README.md" {
            continue;
        }
        let (operation, kind) =
            parse_sample_name(&name).ok_or_else(|| format!("{name}: not a sample file name"))?;
        samples.push((name.clone(), operation.to_owned(), kind));
    }
    Ok(samples)
}

fn operation_check(operation: &str) -> Option<Check> {
    OPERATIONS
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, check)| *check)
}

/// Runs `check` on every item and reports all failures at once.
fn all_ok<T>(items: &[T], check: impl Fn(&T) -> Result<(), String>) -> Result<(), Failure> {
    let failures: Vec<String> = items.iter().filter_map(|item| check(item).err()).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{} failure(s):\n\n{}",
            failures.len(),
            failures.join("\n\n")
        )))
    }
}

// --- canonical JSON --------------------------------------------------------------------------

/// A JSON value with object keys sorted and numbers kept as their exact text.
#[derive(Debug, PartialEq)]
enum Canonical {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Canonical>),
    Object(BTreeMap<String, Canonical>),
}

/// Parses JSON text without ever turning a number into a float.
fn canonical(text: &str) -> Result<Canonical, String> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    canonical_raw(raw)
}

fn canonical_raw(raw: &RawValue) -> Result<Canonical, String> {
    let text = raw.get();
    let invalid = |e: serde_json::Error| format!("invalid JSON `{text}`: {e}");
    Ok(match text.as_bytes().first() {
        Some(b'{') => {
            let members: Vec<(String, &RawValue)> = serde_json::from_str::<Members<'_>>(text)
                .map_err(invalid)?
                .0;
            let mut object = BTreeMap::new();
            for (key, value) in members {
                if object.insert(key.clone(), canonical_raw(value)?).is_some() {
                    return Err(format!("duplicate key `{key}`"));
                }
            }
            Canonical::Object(object)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(invalid)?;
            Canonical::Array(
                items
                    .into_iter()
                    .map(canonical_raw)
                    .collect::<Result<_, _>>()?,
            )
        }
        Some(b'"') => Canonical::String(serde_json::from_str(text).map_err(invalid)?),
        Some(b't' | b'f') => Canonical::Bool(serde_json::from_str(text).map_err(invalid)?),
        Some(b'n') => Canonical::Null,
        _ => Canonical::Number(text.to_owned()),
    })
}

/// An object's members in wire order, so a duplicate key is seen instead of silently merged.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// One line per leaf, `path = value`, so a mismatch shows as the lines that differ.
fn render(value: &Canonical) -> String {
    let mut out = String::new();
    render_into(value, "$", &mut out);
    out
}

fn render_into(value: &Canonical, path: &str, out: &mut String) {
    let mut leaf = |text: String| {
        out.push_str(path);
        out.push_str(" = ");
        out.push_str(&text);
        out.push('\n');
    };
    match value {
        Canonical::Null => leaf("null".to_owned()),
        Canonical::Bool(b) => leaf(b.to_string()),
        Canonical::Number(n) => leaf(n.clone()),
        Canonical::String(s) => leaf(format!("{s:?}")),
        Canonical::Array(items) if items.is_empty() => leaf("[]".to_owned()),
        Canonical::Object(members) if members.is_empty() => leaf("{}".to_owned()),
        Canonical::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                render_into(item, &format!("{path}[{i}]"), out);
            }
        }
        Canonical::Object(members) => {
            for (key, item) in members {
                render_into(item, &format!("{path}.{key}"), out);
            }
        }
    }
}

/// Fails with both renderings when `actual` is not the same JSON as `expected`.
fn same_json(what: &str, expected: &str, actual: &str) -> Result<(), String> {
    let expected = render(&canonical(expected).map_err(|e| format!("{what}: sample: {e}"))?);
    let actual = render(&canonical(actual).map_err(|e| format!("{what}: re-serialized: {e}"))?);
    if expected == actual {
        Ok(())
    } else {
        let missing: Vec<&str> = expected
            .lines()
            .filter(|l| !actual.lines().any(|a| a == *l))
            .collect();
        let extra: Vec<&str> = actual
            .lines()
            .filter(|l| !expected.lines().any(|e| e == *l))
            .collect();
        Err(format!(
            "{what}: re-serialized JSON differs\n  only in the sample:\n    {}\n  only after the round trip:\n    {}",
            missing.join("\n    "),
            extra.join("\n    ")
        ))
    }
}

// --- endpoint samples ------------------------------------------------------------------------

/// Round-trips one sample of endpoint `R`; requests must also pass `validate()`.
fn check<R>(name: &str, kind: Kind) -> Result<(), String>
where
    R: Endpoint + DeserializeOwned,
    R::Response: serde::Serialize,
{
    let (operation, _) =
        parse_sample_name(name).ok_or_else(|| format!("{name}: not a sample file name"))?;
    if operation != R::OPERATION {
        return Err(format!(
            "{name}: the table maps `{operation}` to the type of `{}`",
            R::OPERATION
        ));
    }
    let text = read(&samples_dir().join(name))?;
    match kind {
        Kind::Request => {
            let request: R =
                serde_json::from_str(&text).map_err(|e| format!("{name}: does not parse: {e}"))?;
            request
                .validate()
                .map_err(|e| format!("{name}: fails validate(): {e}"))?;
            let back =
                serde_json::to_string(&request).map_err(|e| format!("{name}: serialize: {e}"))?;
            same_json(name, &text, &back)
        }
        Kind::Response => {
            let response: ApiResponse<R::Response> =
                serde_json::from_str(&text).map_err(|e| format!("{name}: does not parse: {e}"))?;
            if !response.is_success() || response.data.is_none() {
                return Err(format!("{name}: not a SUCCESS envelope with data"));
            }
            let back =
                serde_json::to_string(&response).map_err(|e| format!("{name}: serialize: {e}"))?;
            same_json(name, &text, &back)
        }
    }
}

#[test]
fn sample_names_are_understood() {
    assert_eq!(
        parse_sample_name("query_balance_v2.all_assets.request.json"),
        Some(("query_balance_v2", Kind::Request))
    );
    assert_eq!(
        parse_sample_name("close_order.response.json"),
        Some(("close_order", Kind::Response))
    );
    assert_eq!(parse_sample_name("close_order.json"), None);
    assert_eq!(parse_sample_name("README.md"), None);
}

#[test]
fn canonical_json_keeps_number_text_and_ignores_key_order() {
    let a = r#"{"b":[1,{"y":0.10,"x":"s"}],"a":null}"#;
    let b = "{ \"a\" : null, \"b\" : [ 1, { \"x\" : \"s\", \"y\" : 0.10 } ] }";
    assert_eq!(same_json("order", a, b), Ok(()));
    assert!(same_json("trailing zero", r#"{"a":0.10}"#, r#"{"a":0.1}"#).is_err());
    assert!(same_json("number vs string", r#"{"a":1}"#, r#"{"a":"1"}"#).is_err());
    assert!(same_json("missing key", r#"{"a":1,"b":2}"#, r#"{"a":1}"#).is_err());
    assert!(canonical(r#"{"a":1,"a":2}"#).is_err());
}

#[test]
fn every_sample_belongs_to_an_operation_of_the_table() -> Result<(), Failure> {
    all_ok(
        &endpoint_samples()?,
        |(name, operation, _)| match operation_check(operation) {
            Some(_) => Ok(()),
            None => Err(format!("{name}: `{operation}` is not in OPERATIONS")),
        },
    )
}

#[test]
fn every_operation_of_the_table_has_a_request_and_a_response() -> Result<(), Failure> {
    let dir = samples_dir();
    all_ok(OPERATIONS, |(operation, _)| {
        for kind in ["request", "response"] {
            let path = dir.join(format!("{operation}.{kind}.json"));
            if !path.is_file() {
                return Err(format!("{operation}: missing {}", path.display()));
            }
        }
        Ok(())
    })
}

#[test]
fn every_generated_endpoint_has_samples_and_a_table_row() -> Result<(), Failure> {
    let dir = samples_dir();
    all_ok(ENDPOINTS, |endpoint| {
        let operation = endpoint.operation;
        if operation_check(operation).is_none() {
            return Err(format!("{operation}: in ENDPOINTS but not in OPERATIONS"));
        }
        for kind in ["request", "response"] {
            let path = dir.join(format!("{operation}.{kind}.json"));
            if !path.is_file() {
                return Err(format!("{operation}: missing {}", path.display()));
            }
        }
        Ok(())
    })?;
    all_ok(OPERATIONS, |(operation, _)| {
        if ENDPOINTS.iter().any(|e| e.operation == *operation) {
            Ok(())
        } else {
            Err(format!("{operation}: in OPERATIONS but not in ENDPOINTS"))
        }
    })
}

#[test]
fn request_samples_round_trip_and_validate() -> Result<(), Failure> {
    let requests: Vec<_> = endpoint_samples()?
        .into_iter()
        .filter(|(_, _, kind)| *kind == Kind::Request)
        .collect();
    assert!(requests.len() >= OPERATIONS.len());
    all_ok(&requests, |(name, operation, kind)| {
        let check = operation_check(operation)
            .ok_or_else(|| format!("{name}: `{operation}` is not in OPERATIONS"))?;
        check(name, *kind)
    })
}

#[test]
fn response_samples_round_trip() -> Result<(), Failure> {
    let responses: Vec<_> = endpoint_samples()?
        .into_iter()
        .filter(|(_, _, kind)| *kind == Kind::Response)
        .collect();
    assert!(responses.len() >= OPERATIONS.len());
    all_ok(&responses, |(name, operation, kind)| {
        let check = operation_check(operation)
            .ok_or_else(|| format!("{name}: `{operation}` is not in OPERATIONS"))?;
        check(name, *kind)
    })
}

/// A request sample that breaks a rule must not pass: the checks above are not vacuous.
#[test]
fn a_broken_request_sample_fails_validation() -> Result<(), Failure> {
    let text = read(&samples_dir().join("create_order_v3.request.json"))?;
    let broken = text.replace("\"9825382937292\"", "\"9825-382937292\"");
    assert_ne!(broken, text);
    let request: order::CreateOrderV3Request =
        serde_json::from_str(&broken).map_err(|e| e.to_string())?;
    let errors = request
        .validate()
        .err()
        .ok_or("a merchantTradeNo with `-` passed validate()")?;
    assert!(errors.to_string().contains("merchantTradeNo"), "{errors}");
    Ok(())
}

// --- errors ----------------------------------------------------------------------------------

#[test]
fn error_samples_parse_as_failures() -> Result<(), Failure> {
    let dir = samples_dir().join("errors");
    let names = file_names(&dir)?;
    all_ok(&names, |name| {
        if ERRORS.iter().any(|(file, _, _)| file == name) {
            Ok(())
        } else {
            Err(format!("errors/{name}: not in ERRORS"))
        }
    })?;
    all_ok(ERRORS, |(name, code, message)| {
        let text = read(&dir.join(name))?;
        let response: ApiResponse<bool> = serde_json::from_str(&text)
            .map_err(|e| format!("errors/{name}: does not parse: {e}"))?;
        if response.status == ResponseStatus::Success {
            return Err(format!("errors/{name}: parsed as SUCCESS"));
        }
        let failure = match response.into_data() {
            Ok(data) => return Err(format!("errors/{name}: yielded data {data}")),
            Err(failure) => failure,
        };
        if failure.code != ResultCode::from_code(code) {
            return Err(format!(
                "errors/{name}: code {:?}, expected {code}",
                failure.code
            ));
        }
        if failure.message.as_deref() != Some(*message) {
            return Err(format!(
                "errors/{name}: message {:?}, expected {message:?}",
                failure.message
            ));
        }
        Ok(())
    })
}

// --- webhooks --------------------------------------------------------------------------------

/// The bizType of the typed arm a notification parsed into.
fn arm_biz_type(notification: &Notification) -> Option<&'static str> {
    Some(match notification {
        Notification::Pay(_) => "PAY",
        Notification::PayRefund(_) => "PAY_REFUND",
        Notification::Payout(_) => "PAYOUT",
        Notification::PayoutNonBinance(_) => "PAYOUT_NON_BN",
        Notification::DirectDebitContract(_) => "DIRECT_DEBIT_CT",
        Notification::TechProvider(_) => "TECH_PROVIDER",
        Notification::ShareAccountId(_) => "SHARE_ACCOUNT_ID",
        Notification::Balance(_) => "BALANCE",
        Notification::MerchantQrCode(_) => "MERCHANT_QR_CODE",
        _ => return None,
    })
}

/// Whether the bizStatus parsed into a named value rather than the enum's `Unknown` fallback.
fn status_is_known(notification: &Notification) -> bool {
    match notification {
        Notification::Pay(n) => enums::PayStatus::KNOWN.contains(&n.status),
        Notification::PayRefund(n) => enums::PayRefundStatus::KNOWN.contains(&n.status),
        Notification::Payout(n) => enums::PayoutBatchStatus::KNOWN.contains(&n.status),
        Notification::PayoutNonBinance(n) => enums::PayoutDetailStatus::KNOWN.contains(&n.status),
        Notification::DirectDebitContract(n) => enums::ContractStatus::KNOWN.contains(&n.status),
        Notification::TechProvider(n) => enums::TechProviderStatus::KNOWN.contains(&n.status),
        Notification::ShareAccountId(n) => enums::ShareAccountIdStatus::KNOWN.contains(&n.status),
        Notification::Balance(n) => enums::BalanceWebhookStatus::KNOWN.contains(&n.status),
        Notification::MerchantQrCode(n) => enums::MerchantQrCodeStatus::KNOWN.contains(&n.status),
        _ => false,
    }
}

/// The typed payload of a notification, serialized again.
fn data_json(notification: &Notification) -> Result<String, String> {
    let json = match notification {
        Notification::Pay(n) => serde_json::to_string(&n.data),
        Notification::PayRefund(n) => serde_json::to_string(&n.data),
        Notification::Payout(n) => serde_json::to_string(&n.data),
        Notification::PayoutNonBinance(n) => serde_json::to_string(&n.data),
        Notification::DirectDebitContract(n) => serde_json::to_string(&n.data),
        Notification::TechProvider(n) => serde_json::to_string(&n.data),
        Notification::ShareAccountId(n) => serde_json::to_string(&n.data),
        Notification::Balance(n) => serde_json::to_string(&n.data),
        Notification::MerchantQrCode(n) => serde_json::to_string(&n.data),
        _ => return Err("no typed payload".to_owned()),
    };
    json.map_err(|e| e.to_string())
}

/// The envelope fields of a sample as sent, with `data` as the JSON text it carries.
struct SentEnvelope {
    biz_type: String,
    biz_id_str: String,
    biz_status: String,
    data: String,
}

fn sent_envelope(text: &str) -> Result<SentEnvelope, String> {
    #[derive(serde::Deserialize)]
    struct Wire<'a> {
        #[serde(rename = "bizType")]
        biz_type: String,
        #[serde(rename = "bizId", borrow)]
        biz_id: &'a RawValue,
        #[serde(rename = "bizIdStr")]
        biz_id_str: String,
        #[serde(rename = "bizStatus")]
        biz_status: String,
        #[serde(borrow)]
        data: &'a RawValue,
    }
    let wire: Wire<'_> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if wire.biz_id.get() != wire.biz_id_str {
        return Err(format!(
            "bizId {} is not bizIdStr {:?}",
            wire.biz_id.get(),
            wire.biz_id_str
        ));
    }
    let data = if wire.data.get().starts_with('"') {
        serde_json::from_str::<String>(wire.data.get()).map_err(|e| e.to_string())?
    } else {
        wire.data.get().to_owned()
    };
    Ok(SentEnvelope {
        biz_type: wire.biz_type,
        biz_id_str: wire.biz_id_str,
        biz_status: wire.biz_status,
        data,
    })
}

fn check_webhook(name: &str) -> Result<(), String> {
    let text = read(&samples_dir().join("webhooks").join(name))?;
    let sent = sent_envelope(&text).map_err(|e| format!("webhooks/{name}: {e}"))?;
    let stem = format!("{}.{}.", sent.biz_type, sent.biz_status);
    if !name.starts_with(&stem) {
        return Err(format!(
            "webhooks/{name}: body is {}/{}",
            sent.biz_type, sent.biz_status
        ));
    }
    let notification = Notification::from_slice(text.as_bytes())
        .map_err(|e| format!("webhooks/{name}: does not parse: {e}"))?;
    if arm_biz_type(&notification) != Some(sent.biz_type.as_str()) {
        return Err(format!(
            "webhooks/{name}: parsed into the wrong arm: {notification:?}"
        ));
    }
    if notification.biz_status() != sent.biz_status || notification.biz_id_str() != sent.biz_id_str
    {
        return Err(format!(
            "webhooks/{name}: status {:?} / id {:?}, expected {:?} / {:?}",
            notification.biz_status(),
            notification.biz_id_str(),
            sent.biz_status,
            sent.biz_id_str
        ));
    }
    if !status_is_known(&notification) {
        return Err(format!(
            "webhooks/{name}: bizStatus {} parsed as an unknown value",
            sent.biz_status
        ));
    }
    let back = data_json(&notification).map_err(|e| format!("webhooks/{name}: {e}"))?;
    same_json(&format!("webhooks/{name} data"), &sent.data, &back)
}

#[test]
fn every_webhook_pair_has_a_sample() -> Result<(), Failure> {
    let dir = samples_dir().join("webhooks");
    all_ok(WEBHOOK_PAIRS, |(biz_type, biz_status)| {
        let path = dir.join(format!("{biz_type}.{biz_status}.json"));
        if path.is_file() {
            Ok(())
        } else {
            Err(format!("missing {}", path.display()))
        }
    })
}

#[test]
fn webhook_samples_parse_into_their_arm() -> Result<(), Failure> {
    let names: Vec<String> = file_names(&samples_dir().join("webhooks"))?
        .into_iter()
        .filter(|name| format!("webhooks/{name}") != V3_VECTOR)
        .collect();
    assert!(names.len() >= WEBHOOK_PAIRS.len());
    all_ok(&names, |name| {
        let known = WEBHOOK_PAIRS
            .iter()
            .any(|(biz_type, biz_status)| name.starts_with(&format!("{biz_type}.{biz_status}.")));
        if !known {
            return Err(format!("webhooks/{name}: not a pair of WEBHOOK_PAIRS"));
        }
        check_webhook(name)
    })
}

#[test]
fn v3_vector_parses_with_its_exact_amount() -> Result<(), Failure> {
    let bytes = fs::read(samples_dir().join(V3_VECTOR)).map_err(|e| format!("{V3_VECTOR}: {e}"))?;
    assert_eq!(
        bytes.len(),
        V3_VECTOR_LEN,
        "the signed body must stay byte-exact"
    );
    assert_eq!(bytes.last(), Some(&b'}'), "no trailing newline");
    let notification = Notification::from_slice(&bytes).map_err(|e| e.to_string())?;
    let Notification::Pay(pay) = &notification else {
        return Err(Failure(format!("not a PAY notification: {notification:?}")));
    };
    assert_eq!(notification.biz_status(), "PAY_SUCCESS");
    assert_eq!(pay.biz_id_str, "29383937493038367292");
    assert_eq!(
        pay.biz_id.as_ref().map(|id| id.as_str()),
        Some("29383937493038367292")
    );
    assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
    let total_fee = pay.data.total_fee.as_ref().ok_or("no totalFee")?;
    assert_eq!(total_fee.as_str(), "0.88000000");
    assert_eq!(
        *total_fee,
        binancepay_types::Amount::new("0.88").map_err(|e| e.to_string())?
    );
    Ok(())
}
