//! `Amount` against the vectors in `tests/data/amount/` and against a `u128` reference.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use binancepay_types::{Amount, AmountError};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const VALID: &str = include_str!("../data/amount/valid.jsonl");
const INVALID: &str = include_str!("../data/amount/invalid.jsonl");
const ARITHMETIC: &str = include_str!("../data/amount/arithmetic.jsonl");
const JSON: &str = include_str!("../data/amount/json.jsonl");
const JSON_INVALID: &str = include_str!("../data/amount/json_invalid.jsonl");
const WEBHOOK_PAY: &str = include_str!("../data/amount/webhook_pay.json");

/// One record per non-empty line of a JSON-lines vector file.
fn records<T: serde::de::DeserializeOwned>(file: &str) -> Vec<T> {
    file.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| match serde_json::from_str(line) {
            Ok(record) => record,
            Err(err) => panic!("bad vector line {line}: {err}"),
        })
        .collect()
}

fn amount(text: &str) -> Amount {
    match Amount::new(text) {
        Ok(amount) => amount,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

/// The reference value times 10^8, computed another way than the crate does: drop the point,
/// parse the digits, then pad the missing places.
fn reference_scaled(text: &str) -> u128 {
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits: u128 = format!("{integer}{fraction}")
        .parse()
        .unwrap_or_else(|err| panic!("{text}: {err}"));
    let pad = 8 - u32::try_from(fraction.len()).unwrap_or_else(|err| panic!("{text}: {err}"));
    digits * 10_u128.pow(pad)
}

fn hash_of(amount: &Amount) -> u64 {
    let mut hasher = DefaultHasher::new();
    amount.hash(&mut hasher);
    hasher.finish()
}

/// The variant's name, so data files can name the expected error.
fn variant(err: &AmountError) -> &'static str {
    match err {
        AmountError::Empty => "Empty",
        AmountError::InvalidCharacter { .. } => "InvalidCharacter",
        AmountError::Negative { .. } => "Negative",
        AmountError::Exponent { .. } => "Exponent",
        AmountError::MissingIntegerPart { .. } => "MissingIntegerPart",
        AmountError::MissingFraction { .. } => "MissingFraction",
        AmountError::LeadingZero { .. } => "LeadingZero",
        AmountError::TooManyIntegerDigits { .. } => "TooManyIntegerDigits",
        AmountError::TooManyDecimalPlaces { .. } => "TooManyDecimalPlaces",
        _ => "unknown variant",
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Plain {
    a: Amount,
}

#[derive(Debug, Serialize, Deserialize)]
struct AsString {
    #[serde(with = "binancepay_types::amount::as_string")]
    a: Amount,
}

#[derive(Debug, Serialize, Deserialize)]
struct OptionAsString {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "binancepay_types::amount::option_as_string"
    )]
    a: Option<Amount>,
}

#[derive(Debug, Deserialize)]
struct ValidVector {
    text: String,
    decimal_places: u32,
    scaled: String,
}

#[test]
fn valid_vectors_keep_their_text_and_value() {
    let vectors: Vec<ValidVector> = records(VALID);
    assert!(vectors.len() >= 10);
    for v in &vectors {
        let a = amount(&v.text);
        assert_eq!(a.as_str(), v.text);
        assert_eq!(a.to_string(), v.text);
        assert_eq!(a.decimal_places(), v.decimal_places, "{}", v.text);
        assert_eq!(
            reference_scaled(&v.text).to_string(),
            v.scaled,
            "{}",
            v.text
        );
        assert_eq!(a.is_zero(), v.scaled == "0", "{}", v.text);
        assert_eq!(
            v.text.parse::<Amount>().as_ref().map(Amount::as_str),
            Ok(v.text.as_str())
        );
        assert_eq!(Amount::try_from(v.text.as_str()), Ok(a.clone()));
        assert_eq!(
            Amount::try_from(v.text.clone()).map(|b| b.to_string()),
            Ok(v.text.clone())
        );
    }
}

#[test]
fn equality_ordering_and_hashing_follow_the_value() {
    let vectors: Vec<ValidVector> = records(VALID);
    for x in &vectors {
        for y in &vectors {
            let (a, b) = (amount(&x.text), amount(&y.text));
            let expected = reference_scaled(&x.text).cmp(&reference_scaled(&y.text));
            assert_eq!(a.cmp(&b), expected, "{} vs {}", x.text, y.text);
            assert_eq!(a == b, expected.is_eq(), "{} vs {}", x.text, y.text);
            if a == b {
                assert_eq!(hash_of(&a), hash_of(&b), "{} vs {}", x.text, y.text);
            }
        }
    }
    assert_eq!(amount("1.0"), amount("1.00"));
    assert_eq!(amount("0.10"), amount("0.1"));
}

#[derive(Debug, Deserialize)]
struct InvalidVector {
    text: String,
    error: String,
    character: Option<char>,
    index: Option<usize>,
    got: Option<usize>,
}

#[test]
fn invalid_vectors_give_the_matching_variant() {
    let vectors: Vec<InvalidVector> = records(INVALID);
    assert!(vectors.len() >= 20);
    for v in &vectors {
        let err = match Amount::new(&v.text) {
            Ok(a) => panic!("{:?} should be rejected, got {a:?}", v.text),
            Err(err) => err,
        };
        assert_eq!(variant(&err), v.error, "{:?}: {err}", v.text);
        match &err {
            AmountError::InvalidCharacter {
                character,
                index,
                text,
            } => {
                assert_eq!(Some(*character), v.character, "{:?}", v.text);
                assert_eq!(Some(*index), v.index, "{:?}", v.text);
                assert_eq!(text, &v.text);
            }
            AmountError::TooManyIntegerDigits { got, .. }
            | AmountError::TooManyDecimalPlaces { got, .. } => {
                assert_eq!(Some(*got), v.got, "{:?}", v.text);
            }
            _ => {}
        }
        // The message quotes the rejected text (only the empty text has nothing to quote).
        if !v.text.is_empty() {
            let quoted = format!("{:?}", v.text);
            assert!(
                err.to_string().contains(&quoted),
                "{err} should quote {quoted}"
            );
        }
        assert!(err.to_string().starts_with("invalid amount"), "{err}");
        // The same text fails the same way on every entry point.
        assert_eq!(v.text.parse::<Amount>().err().as_ref(), Some(&err));
        assert_eq!(Amount::try_from(v.text.clone()).err().as_ref(), Some(&err));
    }
}

#[test]
fn long_rejected_text_is_quoted_cut_to_64_characters() {
    let long = format!("-{}", "9".repeat(200));
    let err = Amount::new(&long).err();
    let Some(AmountError::Negative { text }) = &err else {
        panic!("{long:?} should be Negative, got {err:?}");
    };
    assert_eq!(
        text,
        &format!("{}…", long.chars().take(64).collect::<String>())
    );
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.len() < 160, "{message}");
}

#[derive(Debug, Deserialize)]
struct ArithmeticVector {
    a: String,
    b: String,
    sum: Option<String>,
    difference: Option<String>,
}

#[test]
fn arithmetic_vectors_are_exact() {
    let vectors: Vec<ArithmeticVector> = records(ARITHMETIC);
    assert!(vectors.len() >= 10);
    for v in &vectors {
        let (a, b) = (amount(&v.a), amount(&v.b));
        let sum = a.checked_add(&b);
        assert_eq!(
            sum.as_ref().map(Amount::as_str),
            v.sum.as_deref(),
            "{} + {}",
            v.a,
            v.b
        );
        let swapped = b.checked_add(&a);
        assert_eq!(
            swapped.as_ref().map(Amount::as_str),
            v.sum.as_deref(),
            "{} + {}",
            v.b,
            v.a
        );
        let difference = a.checked_sub(&b);
        assert_eq!(
            difference.as_ref().map(Amount::as_str),
            v.difference.as_deref(),
            "{} - {}",
            v.a,
            v.b
        );
    }
}

#[derive(Debug, Deserialize)]
struct JsonVector {
    text: String,
    number: String,
    string: String,
}

#[test]
fn json_vectors_round_trip_as_numbers_and_as_strings() -> Result<(), serde_json::Error> {
    let vectors: Vec<JsonVector> = records(JSON);
    assert!(vectors.len() >= 5);
    for v in &vectors {
        let plain: Plain = serde_json::from_str(&v.number)?;
        assert_eq!(plain.a.as_str(), v.text);
        assert_eq!(serde_json::to_string(&plain)?, v.number);
        let from_string: Plain = serde_json::from_str(&v.string)?;
        assert_eq!(from_string.a.as_str(), v.text);
        assert_eq!(serde_json::to_string(&from_string)?, v.number);

        let as_string: AsString = serde_json::from_str(&v.string)?;
        assert_eq!(as_string.a.as_str(), v.text);
        assert_eq!(serde_json::to_string(&as_string)?, v.string);
        let as_string: AsString = serde_json::from_str(&v.number)?;
        assert_eq!(serde_json::to_string(&as_string)?, v.string);

        let option: OptionAsString = serde_json::from_str(&v.number)?;
        assert_eq!(serde_json::to_string(&option)?, v.string);

        // Readers and pretty writers keep the text too.
        let from_reader: Plain = serde_json::from_reader(v.number.as_bytes())?;
        assert_eq!(from_reader.a.as_str(), v.text);
        let pretty = serde_json::to_string_pretty(&plain)?;
        assert_eq!(pretty, format!("{{\n  \"a\": {}\n}}", v.text));
    }
    Ok(())
}

#[test]
fn option_as_string_reads_missing_and_null_as_none() -> Result<(), serde_json::Error> {
    let missing: OptionAsString = serde_json::from_str("{}")?;
    assert!(missing.a.is_none());
    let null: OptionAsString = serde_json::from_str(r#"{"a":null}"#)?;
    assert!(null.a.is_none());
    assert_eq!(serde_json::to_string(&null)?, "{}");
    Ok(())
}

#[test]
fn map_keys_and_surrounding_whitespace_keep_the_text() -> Result<(), serde_json::Error> {
    let prices: std::collections::BTreeMap<Amount, u32> =
        serde_json::from_str(r#"{"0.10": 1, "25.17": 2}"#)?;
    assert_eq!(prices.get(&amount("0.1")), Some(&1));
    assert_eq!(serde_json::to_string(&prices)?, r#"{"0.10":1,"25.17":2}"#);
    let spaced: Amount = serde_json::from_str(" \n 25.170 \t")?;
    assert_eq!(spaced.as_str(), "25.170");
    Ok(())
}

#[derive(Debug, Deserialize)]
struct JsonInvalidVector {
    json: String,
    message: String,
}

#[test]
fn invalid_json_names_the_rule() {
    let vectors: Vec<JsonInvalidVector> = records(JSON_INVALID);
    assert!(vectors.len() >= 10);
    for v in &vectors {
        for result in [
            serde_json::from_str::<Plain>(&v.json).map(|p| p.a),
            serde_json::from_str::<AsString>(&v.json).map(|p| p.a),
        ] {
            match result {
                Ok(a) => panic!("{} should be rejected, got {a:?}", v.json),
                Err(err) => assert!(
                    err.to_string().contains(&v.message),
                    "{}: {err} should contain {:?}",
                    v.json,
                    v.message
                ),
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct WebhookEnvelope {
    data: String,
}

#[derive(Debug, Deserialize)]
struct PayData {
    #[serde(rename = "totalFee")]
    total_fee: Amount,
    commission: Amount,
}

#[test]
fn webhook_total_fee_keeps_its_trailing_zeros() -> Result<(), serde_json::Error> {
    let envelope: WebhookEnvelope = serde_json::from_str(WEBHOOK_PAY)?;
    let data: PayData = serde_json::from_str(&envelope.data)?;
    assert_eq!(data.total_fee.as_str(), "0.88000000");
    assert_eq!(data.total_fee, amount("0.88"));
    assert!(data.commission.is_zero());
    Ok(())
}

#[test]
fn non_json_formats_get_a_string() -> Result<(), serde_json::Error> {
    // serde_json::Value is not the JSON text writer, so it takes the exact string, not an f64.
    let value = serde_json::to_value(Plain {
        a: amount("999999999999999.99999999"),
    })?;
    assert_eq!(value, serde_json::json!({"a": "999999999999999.99999999"}));
    let back: Plain = serde_json::from_value(value)?;
    assert_eq!(back.a.as_str(), "999999999999999.99999999");
    Ok(())
}

#[test]
fn binary_floats_are_refused_not_rounded() {
    // A Value holds 19999.995 as an f64, which has already lost the exact decimal.
    let err = serde_json::from_value::<Plain>(serde_json::json!({"a": 19999.995})).map(|p| p.a);
    assert!(err.is_err_and(|e| e.to_string().contains("binary floating-point")));
}

#[derive(Debug, Deserialize)]
struct Flattened {
    #[serde(flatten)]
    inner: Plain,
}

#[test]
fn flattened_fields_take_strings_and_refuse_buffered_floats() -> Result<(), serde_json::Error> {
    // serde buffers flattened fields, turning JSON numbers into f64 before we see them.
    let from_string: Flattened = serde_json::from_str(r#"{"a":"0.10"}"#)?;
    assert_eq!(from_string.inner.a.as_str(), "0.10");
    let from_integer: Flattened = serde_json::from_str(r#"{"a":20000}"#)?;
    assert_eq!(from_integer.inner.a.as_str(), "20000");
    let from_float = serde_json::from_str::<Flattened>(r#"{"a":0.10}"#).map(|f| f.inner.a);
    assert!(from_float.is_err_and(|e| e.to_string().contains("binary floating-point")));
    Ok(())
}

/// A valid amount as text: "0" or up to 20 digits without a leading zero, then 0 to 8 places.
fn amount_text() -> impl Strategy<Value = String> {
    "(0|[1-9][0-9]{0,19})(\\.[0-9]{1,8})?"
}

/// Grammar-shaped noise: digits, points, signs, exponents and spaces, mostly invalid.
fn near_amount_text() -> impl Strategy<Value = String> {
    "[0-9.eE+\\- ]{0,30}"
}

/// An independent check of the grammar, written with string methods instead of a character scan.
fn reference_is_valid(text: &str) -> bool {
    let (integer, fraction) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !integer.is_empty()
        && integer.len() <= 20
        && all_digits(integer)
        && (integer == "0" || !integer.starts_with('0'))
        && fraction.is_none_or(|f| (1..=8).contains(&f.len()) && all_digits(f))
}

proptest! {
    #[test]
    fn generated_amounts_round_trip(text in amount_text()) {
        let a = Amount::new(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.as_str(), text.as_str());
        let json = serde_json::to_string(&a).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&json, &text);
        let back: Amount = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.as_str(), text.as_str());
        let quoted: Amount = serde_json::from_str(&format!("\"{text}\""))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(quoted.as_str(), text.as_str());
        let as_string = serde_json::to_string(&AsString { a: a.clone() })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(as_string, format!("{{\"a\":\"{text}\"}}"));
    }

    #[test]
    fn any_string_is_accepted_exactly_when_the_grammar_says(text in any::<String>()) {
        let result = Amount::new(&text);
        prop_assert_eq!(result.is_ok(), reference_is_valid(&text), "{:?}: {:?}", text, result);
    }

    #[test]
    fn near_misses_are_accepted_exactly_when_the_grammar_says(text in near_amount_text()) {
        let result = Amount::new(&text);
        prop_assert_eq!(result.is_ok(), reference_is_valid(&text), "{:?}: {:?}", text, result);
        if let Ok(a) = result {
            prop_assert_eq!(a.as_str(), text.as_str());
        }
    }

    #[test]
    fn any_json_body_never_panics(body in "\\{\"a\":[-+0-9.eE\" ]{0,30}\\}") {
        // Errors are fine; a panic would abort the test.
        let _ = serde_json::from_str::<Plain>(&body).map(|p| p.a);
    }

    #[test]
    fn comparisons_agree_with_the_reference(x in amount_text(), y in amount_text()) {
        let (a, b) = (amount(&x), amount(&y));
        let expected = reference_scaled(&x).cmp(&reference_scaled(&y));
        prop_assert_eq!(a.cmp(&b), expected);
        prop_assert_eq!(a.partial_cmp(&b), Some(expected));
        prop_assert_eq!(a == b, expected.is_eq());
    }

    #[test]
    fn trailing_zeros_change_the_text_not_the_value(
        integer in "(0|[1-9][0-9]{0,19})",
        fraction in "[0-9]{0,4}",
        zeros in 1_usize..=4,
    ) {
        let short = if fraction.is_empty() { integer.clone() } else { format!("{integer}.{fraction}") };
        let point = if fraction.is_empty() { "." } else { "" };
        let long = format!("{short}{point}{}", "0".repeat(zeros));
        let (a, b) = (amount(&short), amount(&long));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(hash_of(&a), hash_of(&b));
        prop_assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn arithmetic_agrees_with_the_reference(x in amount_text(), y in amount_text()) {
        let (a, b) = (amount(&x), amount(&y));
        let places = a.decimal_places().max(b.decimal_places());
        let (sx, sy) = (reference_scaled(&x), reference_scaled(&y));

        let limit = 10_u128.pow(28);
        match a.checked_add(&b) {
            Some(sum) => {
                prop_assert!(sx + sy < limit);
                prop_assert_eq!(reference_scaled(sum.as_str()), sx + sy);
                prop_assert_eq!(sum.decimal_places(), places);
                prop_assert!(Amount::new(sum.as_str()).is_ok());
            }
            None => prop_assert!(sx + sy >= limit),
        }
        match a.checked_sub(&b) {
            Some(difference) => {
                prop_assert!(sx >= sy);
                prop_assert_eq!(reference_scaled(difference.as_str()), sx - sy);
                prop_assert_eq!(difference.decimal_places(), places);
                prop_assert!(Amount::new(difference.as_str()).is_ok());
            }
            None => prop_assert!(sx < sy),
        }
    }
}

/// `text` (plain, valid) in exponent notation: all its significant digits as an integer
/// mantissa, with the exponent that restores the value, in the given letter case and sign.
fn exponent_spelling(text: &str, upper: bool, plus: bool) -> String {
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{integer}{fraction}");
    let trimmed = digits.trim_start_matches('0');
    let mantissa = if trimmed.is_empty() { "0" } else { trimmed };
    let exponent = -i64::try_from(fraction.len()).unwrap_or(0);
    let letter = if upper { 'E' } else { 'e' };
    let sign = if plus && exponent >= 0 { "+" } else { "" };
    format!("{mantissa}{letter}{sign}{exponent}")
}

proptest! {
    #[test]
    fn every_received_spelling_reads_as_the_plain_amount(
        text in amount_text(),
        upper in any::<bool>(),
        plus in any::<bool>(),
        zeros in 1_usize..12,
    ) {
        let plain = Amount::new(&text).unwrap();
        // The plain spelling is kept byte for byte.
        let same = Amount::parse_received(&text).unwrap();
        prop_assert_eq!(same.as_str(), text.as_str());
        let exponent = exponent_spelling(&text, upper, plus);
        let read = Amount::parse_received(&exponent).unwrap();
        prop_assert_eq!(&read, &plain, "{}", exponent);
        prop_assert!(!read.has_excess_precision());
        let padded = if text.contains('.') {
            format!("{text}{}", "0".repeat(zeros))
        } else {
            format!("{text}.{}", "0".repeat(zeros))
        };
        let read = Amount::parse_received(&padded).unwrap();
        prop_assert_eq!(&read, &plain, "{}", padded);
        prop_assert!(read.decimal_places() <= Amount::MAX_DECIMAL_PLACES);
        // Through serde, as a number and as a string, it is the same amount.
        #[derive(Deserialize)]
        struct Probe {
            #[serde(deserialize_with = "read_received")]
            a: Amount,
        }
        fn read_received<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
            let text = <&serde_json::value::RawValue>::deserialize(d)?.get().trim_matches('"').to_owned();
            Amount::parse_received(&text).map_err(serde::de::Error::custom)
        }
        for body in [format!(r#"{{"a":{exponent}}}"#), format!(r#"{{"a":"{padded}"}}"#)] {
            let probe: Probe = serde_json::from_str(&body).unwrap();
            prop_assert_eq!(&probe.a, &plain, "{}", body);
        }
    }
}

#[test]
fn received_amounts_beyond_eight_places_keep_every_digit_and_say_so() {
    let tiny = Amount::parse_received("1.5E-9").unwrap();
    assert_eq!(tiny.as_str(), "0.0000000015");
    assert!(tiny.has_excess_precision());
    assert!(!tiny.is_zero());
    assert_eq!(tiny.to_string(), "0.0000000015");
    // Exact comparisons: nothing is rounded away.
    let a = Amount::parse_received("0.000000015").unwrap();
    let b = Amount::parse_received("0.0000000150").unwrap();
    let c = Amount::parse_received("0.00000001").unwrap();
    let d = Amount::parse_received("0.000000016").unwrap();
    assert_eq!(a, b);
    assert_eq!(hash_of(&a), hash_of(&b));
    assert!(c < a && a < d && Amount::parse_received("0.00000002").unwrap() > d);
    assert_ne!(a, c);
    // Such an amount cannot be computed with (or sent: the request check refuses it).
    assert_eq!(a.checked_add(&c), None);
    assert_eq!(c.checked_sub(&a), None);
    // Written out exactly, as a JSON number.
    assert_eq!(serde_json::to_string(&a).unwrap(), "0.000000015");
}

#[test]
fn received_spellings_that_are_no_amount_are_refused_with_the_rule() {
    for (text, says) in [
        ("", "empty"),
        ("-1E-8", "negative"),
        ("1E", "exponent"),
        ("1E+-2", "exponent"),
        ("1E999", "beyond"),
        ("0x10", "character"),
        ("1.2.3", "character"),
        (".", "digit"),
        ("1E30", "digits before the decimal point"),
    ] {
        let err = Amount::parse_received(text).unwrap_err().to_string();
        assert!(err.contains(says), "{text:?}: {err}");
    }
    // Signs and bare points that still spell a value are read.
    for (text, plain) in [
        ("+1E+2", "100"),
        ("-0", "0"),
        (".5", "0.5"),
        ("5.", "5"),
        ("007.50", "7.50"),
    ] {
        assert_eq!(
            Amount::parse_received(text).unwrap().as_str(),
            plain,
            "{text}"
        );
    }
}
