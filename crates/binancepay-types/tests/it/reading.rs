//! The reading policy of `spec/README.md`, as the generator applies it: what the SDK reads
//! (responses, webhooks) accepts numbers or digit strings for integers; what it sends stays
//! strict and canonical.

use binancepay_types::share_info::ShareAccountIdResult;
use binancepay_types::tsp::{QueryTspRecordsRequest, TspRecordPage};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn read_integers_accept_a_number_or_a_digit_string() -> TestResult {
    let as_number: ShareAccountIdResult =
        serde_json::from_str(r#"{"merchantId":352520168,"expireTime":1680675385835}"#)?;
    let as_string: ShareAccountIdResult =
        serde_json::from_str(r#"{"merchantId":"352520168","expireTime":"1680675385835"}"#)?;
    assert_eq!(as_number, as_string);
    assert_eq!(as_string.expire_time, Some(1_680_675_385_835));
    // Written back canonically: numbers, as the spec types them.
    assert_eq!(
        serde_json::to_string(&as_string)?,
        r#"{"merchantId":352520168,"expireTime":1680675385835}"#
    );
    let page: TspRecordPage = serde_json::from_str(r#"{"total":"2","rows":[]}"#)?;
    assert_eq!(page.total, Some(2));
    // Not an integer: still an error naming the field.
    let err = serde_json::from_str::<TspRecordPage>(r#"{"total":"two"}"#)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("two"), "{err}");
    Ok(())
}

#[test]
fn requests_stay_strict() {
    // A request's integer is read as the spec types it: the sandbox refuses a string page.
    assert!(serde_json::from_str::<QueryTspRecordsRequest>(r#"{"page":"1","rows":10}"#).is_err());
    assert!(serde_json::from_str::<QueryTspRecordsRequest>(r#"{"page":1,"rows":10}"#).is_ok());
}
