//! `ResultCode` against the reference's §5.1 table.

use binancepay_types::ResultCode;

#[test]
fn every_reference_code_is_known() {
    let codes = crate::reference::result_codes();
    assert!(codes.len() >= 31, "read only {} codes", codes.len());
    for code in &codes {
        let parsed = ResultCode::from_code(code);
        assert!(
            !matches!(parsed, ResultCode::Other(_)),
            "{code} is not modelled"
        );
        assert_eq!(parsed.code(), code);
    }
    assert_eq!(ResultCode::KNOWN.len(), codes.len());
}

#[test]
fn names_descriptions_and_retryability() {
    assert_eq!(ResultCode::InvalidSignature.name(), "INVALID_SIGNATURE");
    assert_eq!(
        ResultCode::from_code("400002"),
        ResultCode::InvalidSignature
    );
    assert_eq!(
        ResultCode::InvalidSignature.to_string(),
        "400002 INVALID_SIGNATURE"
    );
    let retryable: Vec<&str> = ResultCode::KNOWN
        .iter()
        .filter(|c| c.is_retryable())
        .map(ResultCode::code)
        .collect();
    assert_eq!(retryable, ["400000", "400003", "50001"]);
    for code in ResultCode::KNOWN {
        assert!(!code.description().is_empty());
        assert!(
            code.name()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_'),
            "{}",
            code.name()
        );
    }
    assert!(!ResultCode::Other("999".into()).is_retryable());
}

#[test]
fn serde_as_string_and_number() -> Result<(), serde_json::Error> {
    assert_eq!(serde_json::to_string(&ResultCode::Success)?, r#""000000""#);
    assert_eq!(
        serde_json::from_str::<ResultCode>(r#""345231""#)?,
        ResultCode::TimeOut
    );
    assert_eq!(
        serde_json::from_str::<ResultCode>("400002")?,
        ResultCode::InvalidSignature
    );
    // The FAQ's numeric 0 is not the string "000000".
    assert_eq!(
        serde_json::from_str::<ResultCode>("0")?,
        ResultCode::Other("0".into())
    );
    assert_eq!(
        serde_json::to_string(&ResultCode::Other("0".into()))?,
        r#""0""#
    );
    Ok(())
}
