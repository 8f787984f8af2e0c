//! The response envelope against the §1 error shapes and the SUCCESS samples.

use binancepay_types::{ApiResponse, ResponseStatus, ResultCode};

fn error_sample(name: &str) -> Vec<u8> {
    std::fs::read(crate::data::path(&format!("samples/errors/{name}"))).unwrap_or_default()
}

#[test]
fn every_error_shape_parses() {
    let files = crate::data::files("samples/errors", "json");
    assert!(files.len() >= 6);
    for path in files {
        let body = std::fs::read(&path).unwrap_or_default();
        let response = serde_json::from_slice::<ApiResponse<serde_json::Value>>(&body);
        let response = match response {
            Ok(r) => r,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        assert!(!response.is_success(), "{}", path.display());
        assert!(response.error_message.is_some(), "{}", path.display());
        assert!(response.into_data().is_err());
    }
}

#[test]
fn error_shapes_map_to_codes() {
    let parse = |name: &str| serde_json::from_slice::<ApiResponse<bool>>(&error_sample(name)).ok();
    let code_msg = parse("code_msg.json");
    assert_eq!(
        code_msg.as_ref().map(|r| (&r.status, &r.code)),
        Some((&ResponseStatus::Fail, &ResultCode::InvalidSignature))
    );
    let system = parse("system_error.json");
    assert_eq!(
        system.as_ref().map(|r| (&r.status, &r.code)),
        Some((&ResponseStatus::Error, &ResultCode::SystemAbnormality))
    );
    let numeric = parse("numeric_code.json");
    assert_eq!(numeric.map(|r| r.code), Some(ResultCode::Other("0".into())));
}

/// Every response sample parses into its endpoint's typed envelope.
#[test]
fn response_samples_parse() {
    let files = crate::data::files("samples", "json");
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| crate::data::name(p).ends_with(".response.json"))
    {
        let name = crate::data::name(path);
        let operation = name.split('.').next().unwrap_or_default();
        let Some((_, parse)) = crate::model_round_trips::RESPONSE_PARSERS
            .iter()
            .find(|(op, _)| *op == operation)
        else {
            panic!("{name}: no endpoint named {operation}");
        };
        let body = std::fs::read(path).unwrap_or_default();
        assert_eq!(parse(&body), Ok(()), "{name}");
        checked += 1;
    }
    assert!(checked >= 42, "only {checked} response samples");
}
