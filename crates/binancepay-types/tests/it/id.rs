//! `Id`: the webhook `bizId` that exceeds u64, number and string forms, and a numeric reference.

use binancepay_types::{Id, IdError};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// Binance's own webhook sample (the body whose signature the docs publish).
const WEBHOOK_PAY: &str = include_str!("../data/amount/webhook_pay.json");

/// The docs' sample `bizId`: above `u64::MAX`, and `f64` would turn it into ...367000.
const BIZ_ID: &str = "29383937493038367292";

/// Texts and the `IdError` variant each must give.
const INVALID: &[(&str, &str)] = &[
    ("", "Empty"),
    (" 1", "InvalidCharacter"),
    ("1 ", "InvalidCharacter"),
    ("-1", "InvalidCharacter"),
    ("+1", "InvalidCharacter"),
    ("1.0", "InvalidCharacter"),
    ("1e3", "InvalidCharacter"),
    ("12a", "InvalidCharacter"),
    ("١٢", "InvalidCharacter"),
    ("00", "LeadingZero"),
    ("0123", "LeadingZero"),
    ("12345678901234567890123456789012345678901", "TooLong"),
];

fn id(text: &str) -> Id {
    match Id::new(text) {
        Ok(id) => id,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn variant(err: &IdError) -> &'static str {
    match err {
        IdError::Empty => "Empty",
        IdError::InvalidCharacter { .. } => "InvalidCharacter",
        IdError::LeadingZero { .. } => "LeadingZero",
        IdError::TooLong { .. } => "TooLong",
        _ => "unknown variant",
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    #[serde(rename = "bizId")]
    biz_id: Id,
}

#[derive(Debug, Serialize, Deserialize)]
struct AsNumber {
    #[serde(rename = "bizId", with = "binancepay_types::id::as_number")]
    biz_id: Id,
}

#[derive(Debug, Serialize, Deserialize)]
struct OptionAsNumber {
    #[serde(
        rename = "bizId",
        default,
        skip_serializing_if = "Option::is_none",
        with = "binancepay_types::id::option_as_number"
    )]
    biz_id: Option<Id>,
}

#[test]
fn biz_id_round_trips_from_a_number_and_from_a_string() -> Result<(), serde_json::Error> {
    let number = format!(r#"{{"bizId":{BIZ_ID}}}"#);
    let string = format!(r#"{{"bizId":"{BIZ_ID}"}}"#);

    let from_number: Envelope = serde_json::from_str(&number)?;
    assert_eq!(from_number.biz_id.as_str(), BIZ_ID);
    assert_eq!(serde_json::to_string(&from_number)?, string);
    let from_string: Envelope = serde_json::from_str(&string)?;
    assert_eq!(from_string.biz_id, from_number.biz_id);

    let as_number: AsNumber = serde_json::from_str(&string)?;
    assert_eq!(serde_json::to_string(&as_number)?, number);
    let as_number: AsNumber = serde_json::from_str(&number)?;
    assert_eq!(serde_json::to_string(&as_number)?, number);

    let option: OptionAsNumber = serde_json::from_str(&string)?;
    assert_eq!(serde_json::to_string(&option)?, number);
    let none: OptionAsNumber = serde_json::from_str("{}")?;
    assert_eq!(serde_json::to_string(&none)?, "{}");
    Ok(())
}

#[test]
fn biz_id_survives_binances_webhook_sample() -> Result<(), serde_json::Error> {
    let envelope: Envelope = serde_json::from_str(WEBHOOK_PAY)?;
    assert_eq!(envelope.biz_id.as_str(), BIZ_ID);
    assert_ne!(envelope.biz_id, id("29383937493038367000"));
    Ok(())
}

#[test]
fn invalid_ids_give_the_matching_variant() {
    for &(text, expected) in INVALID {
        let err = match Id::new(text) {
            Ok(id) => panic!("{text:?} should be rejected, got {id:?}"),
            Err(err) => err,
        };
        assert_eq!(variant(&err), expected, "{text:?}: {err}");
        assert!(err.to_string().starts_with("invalid id"), "{err}");
        if !text.is_empty() {
            assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        }
        assert_eq!(text.parse::<Id>().err().as_ref(), Some(&err));
        assert_eq!(Id::try_from(text.to_owned()).err().as_ref(), Some(&err));
    }
}

#[test]
fn json_that_is_no_id_is_rejected() {
    for body in [
        r#"{"bizId":-1}"#,
        r#"{"bizId":1.5}"#,
        r#"{"bizId":1e3}"#,
        r#"{"bizId":null}"#,
        r#"{"bizId":"01"}"#,
    ] {
        let result = serde_json::from_str::<Envelope>(body).map(|e| e.biz_id);
        assert!(result.is_err(), "{body} should be rejected, got {result:?}");
    }
}

#[test]
fn wide_ids_from_a_json_value_keep_their_digits_as_strings() -> Result<(), serde_json::Error> {
    let value = serde_json::to_value(AsNumber { biz_id: id(BIZ_ID) })?;
    assert_eq!(value, serde_json::json!({"bizId": BIZ_ID}));
    let small = serde_json::to_value(AsNumber {
        biz_id: id("352801946"),
    })?;
    assert_eq!(small, serde_json::json!({"bizId": 352_801_946_u64}));
    let back: AsNumber = serde_json::from_value(small)?;
    assert_eq!(back.biz_id.as_str(), "352801946");
    Ok(())
}

/// A valid id: "0" or 1 to 40 digits without a leading zero.
fn id_text() -> impl Strategy<Value = String> {
    "0|[1-9][0-9]{0,39}"
}

/// Numeric order computed by zero-padding both texts to the same width.
fn reference_cmp(x: &str, y: &str) -> std::cmp::Ordering {
    format!("{x:0>40}").cmp(&format!("{y:0>40}"))
}

proptest! {
    #[test]
    fn generated_ids_round_trip(text in id_text()) {
        let parsed = Id::new(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.as_str(), text.as_str());
        prop_assert_eq!(parsed.to_string(), text.clone());
        let fail = |e: serde_json::Error| TestCaseError::fail(e.to_string());
        let from_number: Id = serde_json::from_str(&text).map_err(fail)?;
        prop_assert_eq!(&from_number, &parsed);
        let from_string: Id = serde_json::from_str(&format!("\"{text}\"")).map_err(fail)?;
        prop_assert_eq!(&from_string, &parsed);
        let number = serde_json::to_string(&AsNumber { biz_id: parsed.clone() }).map_err(fail)?;
        prop_assert_eq!(number, format!("{{\"bizId\":{text}}}"));
        prop_assert_eq!(serde_json::to_string(&parsed).map_err(fail)?, format!("\"{text}\""));
    }

    #[test]
    fn any_string_is_accepted_exactly_when_it_is_canonical_digits(text in any::<String>()) {
        let valid = !text.is_empty()
            && text.len() <= 40
            && text.bytes().all(|b| b.is_ascii_digit())
            && (text == "0" || !text.starts_with('0'));
        prop_assert_eq!(Id::new(&text).is_ok(), valid, "{:?}", text);
    }

    #[test]
    fn ordering_is_numeric(x in id_text(), y in id_text()) {
        let (a, b) = (id(&x), id(&y));
        prop_assert_eq!(a.cmp(&b), reference_cmp(&x, &y));
        prop_assert_eq!(a == b, x == y);
    }
}
