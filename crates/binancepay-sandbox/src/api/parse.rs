//! Reading a request body into its typed model and checking the spec's rules, mapping every
//! failure to Binance's parameter codes with the wire path of the field.
//!
//! | Failure | Code |
//! |---|---|
//! | missing, empty or `null` field; none of a one-of group | `400100` |
//! | too long or short, wrong JSON type, bad amount or id syntax, too many decimals | `400101` |
//! | out of range, wrong list length, inconsistent totals, unknown enum value | `400102` |
//! | characters outside the field's class | `400103` |

use binancepay_types::validate::Rule;
use binancepay_types::{Endpoint, ResultCode, ValidationErrors, Violation};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Deserializes `body` as `E` and runs its `validate()`.
///
/// # Errors
/// The `4001xx` [`ApiError`] of the first problem, naming the field's wire path.
pub(crate) fn parse<E: Endpoint + DeserializeOwned>(body: &[u8]) -> Result<E, ApiError> {
    // The plain parse costs about half of the path-tracking one; only a failure needs the path,
    // so the body is parsed again with tracking to name the field.
    let request: E = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(plain) => {
            let mut deserializer = serde_json::Deserializer::from_slice(body);
            match serde_path_to_error::deserialize::<_, E>(&mut deserializer) {
                Err(tracked) => return Err(from_serde(tracked)),
                // The value itself parsed: what the plain parse refused is what follows it.
                Ok(_) => return Err(trailing(&plain)),
            }
        }
    };
    request
        .validate()
        .map_err(|errors| from_violations(&errors))?;
    Ok(request)
}

fn from_serde(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = wire_path(&error.path().to_string());
    let message = without_position(&error.inner().to_string()).to_owned();
    if let Some(field) = missing_field(&message) {
        let full = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return ApiError::missing(&full);
    }
    let field = if path.is_empty() {
        "request body"
    } else {
        path.as_str()
    };
    if message.starts_with("invalid type: null") {
        return ApiError::missing(field);
    }
    let code = if message.starts_with("invalid id") && message.contains("character") {
        ResultCode::InvalidParamIllegalChar
    } else if message.starts_with("invalid amount") && message.contains("negative") {
        ResultCode::InvalidParamWrongValue
    } else {
        ResultCode::InvalidParamWrongLength
    };
    ApiError::new(code, format!("{field}: {message}"))
}

/// A body that holds one valid value followed by something other than whitespace.
fn trailing(error: &serde_json::Error) -> ApiError {
    let message = error.to_string();
    let message = without_position(&message);
    ApiError::new(
        ResultCode::InvalidParamWrongLength,
        format!("request body: {message}"),
    )
}

/// serde_json appends " at line L column C"; the position means nothing to a caller here.
fn without_position(message: &str) -> &str {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head)
}

/// serde_path_to_error writes the root as `.` and list items as `[i]`, like our wire paths.
fn wire_path(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        path.to_owned()
    }
}

/// The field of serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

/// The code of the first violation, with every violation in the message.
pub(crate) fn from_violations(errors: &ValidationErrors) -> ApiError {
    let code = errors
        .violations()
        .first()
        .map_or(ResultCode::InvalidRequest, code_of);
    ApiError::new(code, errors.to_string())
}

/// The code Binance uses for one broken rule.
pub(crate) fn code_of(violation: &Violation) -> ResultCode {
    match &violation.rule {
        Rule::Required | Rule::RequiredWhen { .. } | Rule::OneOf { .. } => {
            ResultCode::MandatoryParamEmptyOrMalformed
        }
        Rule::Text { class, .. } => {
            let got = violation.got.as_deref().unwrap_or_default();
            // A quoted value longer than 64 characters ends in '…'; judge the part we have.
            let got = got.strip_suffix('…').unwrap_or(got);
            if class.is_some_and(|c| !c.matches(got)) {
                ResultCode::InvalidParamIllegalChar
            } else {
                ResultCode::InvalidParamWrongLength
            }
        }
        Rule::DecimalPlaces { .. } => ResultCode::InvalidParamWrongLength,
        _ => ResultCode::InvalidParamWrongValue,
    }
}

#[cfg(test)]
mod tests {
    use super::{code_of, parse};
    use binancepay_types::ResultCode;
    use binancepay_types::Violation;
    use binancepay_types::order::{CreateOrderV3Request, QueryOrderV2Request};
    use binancepay_types::refund::RefundOrderRequest;
    use binancepay_types::validate::{CharClass, Rule};
    use proptest::prelude::*;

    const ORDER: &str = r#"{"env":{"terminalType":"WEB"},"merchantTradeNo":"A1","orderAmount":1.5,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#;

    /// The code and message of a rejected body, or `("ok", "")`.
    fn reject(body: &str) -> (String, String) {
        match parse::<CreateOrderV3Request>(body.as_bytes()) {
            Ok(_) => ("ok".to_owned(), String::new()),
            Err(e) => (e.code.code().to_owned(), e.message),
        }
    }

    #[test]
    fn a_valid_order_parses() {
        assert_eq!(reject(ORDER).0, "ok");
    }

    #[test]
    fn missing_fields_name_their_path() {
        let body = ORDER.replace(r#""goodsName":"n""#, r#""goodsDetail":"x""#);
        assert_eq!(
            reject(&body),
            (
                "400100".to_owned(),
                "goodsDetails[0].goodsName: required".to_owned()
            )
        );
        let body = ORDER.replace(r#""description":"d","#, "");
        assert_eq!(
            reject(&body),
            ("400100".to_owned(), "description: required".to_owned())
        );
    }

    #[test]
    fn rules_map_to_their_codes() {
        let long = ORDER.replace("\"A1\"", &format!("\"{}\"", "A".repeat(33)));
        assert_eq!(reject(&long).0, "400101");
        let (code, message) = reject(&ORDER.replace("\"A1\"", "\"A-1\""));
        assert_eq!(code, "400103");
        assert!(message.starts_with("merchantTradeNo:"), "{message}");
        let (code, message) = reject(&ORDER.replace("1.5", "0.000000001"));
        assert_eq!(code, "400101");
        assert!(message.starts_with("orderAmount:"), "{message}");
        assert_eq!(reject(&ORDER.replace("1.5", "0")).0, "400102");
        assert_eq!(reject(&ORDER.replace("1.5", "-1")).0, "400102");
        let (code, message) = reject(&ORDER.replace(r#""description":"d""#, r#""description":5"#));
        assert_eq!(code, "400101");
        assert!(
            message.starts_with("description: invalid type"),
            "{message}"
        );
        assert_eq!(
            reject(&ORDER.replace(r#""description":"d""#, r#""description":null"#)).0,
            "400100"
        );
        assert_eq!(
            reject(&ORDER.replace(r#""description":"d""#, r#""description":"""#)),
            ("400100".to_owned(), "description: required".to_owned())
        );
    }

    #[test]
    fn trailing_bytes_after_the_body_are_refused() {
        let (code, message) = reject(&format!("{ORDER} x"));
        assert_eq!(code, "400101");
        assert!(message.starts_with("request body: trailing"), "{message}");
        assert_eq!(reject(&format!("{ORDER} \n")).0, "ok");
    }

    #[test]
    fn ids_and_groups() {
        let bad_id = parse::<RefundOrderRequest>(
            br#"{"refundRequestId":"r","prepayId":"12a","refundAmount":1}"#,
        );
        let err = bad_id.err();
        assert_eq!(
            err.as_ref().map(|e| e.code.clone()),
            Some(ResultCode::InvalidParamIllegalChar)
        );
        assert!(err.is_some_and(|e| e.message.starts_with("prepayId:")));
        let none = parse::<QueryOrderV2Request>(b"{}").err();
        assert_eq!(
            none.map(|e| e.code),
            Some(ResultCode::MandatoryParamEmptyOrMalformed)
        );
    }

    #[test]
    fn url_class_violations_are_illegal_characters() {
        let v = Violation::new(
            "webhookUrl",
            Rule::Text {
                min: None,
                max: Some(256),
                class: Some(CharClass::HttpUrl),
            },
            Some("ftp://x.example"),
        );
        assert_eq!(code_of(&v), ResultCode::InvalidParamIllegalChar);
        let long = format!("https://{}", "a".repeat(300));
        let v = Violation::new(
            "webhookUrl",
            Rule::Text {
                min: None,
                max: Some(256),
                class: Some(CharClass::HttpUrl),
            },
            Some(&long),
        );
        assert_eq!(code_of(&v), ResultCode::InvalidParamWrongLength);
    }

    proptest! {
        /// Whatever arrives, parsing answers Ok or a 4001xx code; it never panics.
        #[test]
        fn parse_never_panics(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Err(e) = parse::<CreateOrderV3Request>(&body) {
                prop_assert!(e.code.code().starts_with("4001"), "{:?}", e);
            }
        }

        #[test]
        fn mutated_orders_get_parameter_codes(cut in 0usize..ORDER.len(), insert in "[ -~]{0,4}") {
            let mut body = ORDER.to_owned();
            if body.is_char_boundary(cut) {
                body.insert_str(cut, &insert);
            }
            if let Err(e) = parse::<CreateOrderV3Request>(body.as_bytes()) {
                prop_assert!(e.code.code().starts_with("4001"), "{:?}", e);
            }
        }
    }
}
