//! `Amount`: the text grammar, JSON (number and string forms), and exact arithmetic.
//!
//! Input: `a` `\n` `b` (two texts, `b` optional). The same bytes also drive `arbitrary`, which
//! builds two amounts that are valid by construction, so the arithmetic checks run on every
//! input instead of only on the rare texts that parse.

#![no_main]

use std::hash::{DefaultHasher, Hash, Hasher};

use arbitrary::{Arbitrary, Unstructured};
use binancepay_fuzz::framing::split_line;
use binancepay_fuzz::oracle;
use binancepay_types::Amount;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// An amount field that travels as a JSON number.
#[derive(Debug, Serialize, Deserialize)]
struct AsNumber {
    a: Amount,
}

/// An amount field that travels as a JSON string.
#[derive(Debug, Serialize, Deserialize)]
struct AsString {
    #[serde(with = "binancepay_types::amount::as_string")]
    a: Amount,
}

/// The same document, keeping the value's raw JSON text for the oracle.
#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    a: &'a RawValue,
}

/// A valid amount by construction: integer part below 10²⁰, `places % 9` decimal places.
#[derive(Debug, Arbitrary)]
struct Parts {
    integer: u128,
    fraction: u32,
    places: u8,
}

impl Parts {
    fn text(&self) -> String {
        let places = u32::from(self.places % 9);
        let integer = self.integer % 10_u128.pow(20);
        if places == 0 {
            integer.to_string()
        } else {
            let fraction = self.fraction % 10_u32.pow(places);
            format!("{integer}.{fraction:0width$}", width = places as usize)
        }
    }
}

fn hash_of(amount: &Amount) -> u64 {
    let mut hasher = DefaultHasher::new();
    amount.hash(&mut hasher);
    hasher.finish()
}

/// `Amount::new` agrees with the reference grammar and keeps the text; errors stay bounded.
fn check_text(text: &str) -> Option<Amount> {
    let parsed = Amount::new(text);
    let expected = oracle::amount_scaled(text);
    assert_eq!(
        parsed.is_ok(),
        expected.is_some(),
        "Amount::new({text:?}) = {parsed:?}, the grammar says {expected:?}"
    );
    let amount = match parsed {
        Ok(amount) => amount,
        Err(error) => {
            // The rejected text is quoted cut to 64 characters, so the message stays bounded.
            let message = error.to_string();
            assert!(message.len() <= 1024, "unbounded error: {message:?}");
            return None;
        }
    };
    assert_eq!(amount.as_str(), text);
    assert_eq!(amount.to_string(), text);
    assert_eq!(amount.decimal_places(), oracle::amount_places(text));
    assert_eq!(amount.is_zero(), expected == Some(0));
    assert_eq!(text.parse::<Amount>().ok(), Some(amount.clone()));

    let json = serde_json::to_string(&AsNumber { a: amount.clone() }).expect("serialises");
    assert_eq!(json, format!(r#"{{"a":{text}}}"#));
    let back: AsNumber = serde_json::from_str(&json).expect("own JSON number parses");
    assert_eq!(back.a.as_str(), text);

    let json = serde_json::to_string(&AsString { a: amount.clone() }).expect("serialises");
    assert_eq!(json, format!(r#"{{"a":"{text}"}}"#));
    let back: AsString = serde_json::from_str(&json).expect("own JSON string parses");
    assert_eq!(back.a.as_str(), text);
    Some(amount)
}

/// `{"a":<bytes>}` decodes to an amount exactly when the raw JSON value is a number or string
/// whose text (unescaped) matches the grammar, and then to that text.
fn check_json(value: &[u8]) {
    let mut doc = br#"{"a":"#.to_vec();
    doc.extend_from_slice(value);
    doc.push(b'}');
    let as_number = serde_json::from_slice::<AsNumber>(&doc);
    let as_string = serde_json::from_slice::<AsString>(&doc);
    let expected = serde_json::from_slice::<Raw<'_>>(&doc)
        .ok()
        .and_then(|raw| {
            let raw = raw.a.get();
            let text = match raw.as_bytes().first() {
                Some(b'"') => serde_json::from_str::<String>(raw).ok()?,
                Some(b'-' | b'0'..=b'9') => raw.to_owned(),
                _ => return None,
            };
            oracle::amount_scaled(&text).map(|_| text)
        });
    let got = as_number.as_ref().ok().map(|n| n.a.as_str());
    assert_eq!(
        got,
        expected.as_deref(),
        "{doc:?} as a number field: {as_number:?}"
    );
    let got = as_string.as_ref().ok().map(|n| n.a.as_str());
    assert_eq!(
        got,
        expected.as_deref(),
        "{doc:?} as a string field: {as_string:?}"
    );
}

/// Exact arithmetic against the reference: sums, differences, and a + b - b == a.
fn check_arithmetic(a: &Amount, b: &Amount) {
    let (sa, sb) = (
        oracle::amount_scaled(a.as_str()).expect("valid a"),
        oracle::amount_scaled(b.as_str()).expect("valid b"),
    );
    assert_eq!(a.cmp(b), sa.cmp(&sb), "{a:?} vs {b:?}");
    assert_eq!(a == b, sa == sb);
    if a == b {
        assert_eq!(hash_of(a), hash_of(b), "equal amounts hash alike");
    }
    let places = a.decimal_places().max(b.decimal_places());

    let sum = a.checked_add(b);
    let expected = (sa + sb < oracle::SCALE * 10_u128.pow(20))
        .then(|| oracle::amount_text(sa + sb, places))
        .flatten();
    assert_eq!(
        sum.as_ref().map(Amount::as_str),
        expected.as_deref(),
        "{a:?} + {b:?}"
    );
    assert_eq!(sum, b.checked_add(a), "addition commutes");
    if let Some(sum) = &sum {
        assert_eq!(
            Amount::new(sum.as_str()).as_ref(),
            Ok(sum),
            "a sum is valid text"
        );
        let back = sum.checked_sub(b).expect("(a + b) - b exists");
        assert_eq!(&back, a, "(a + b) - b == a");
        assert_eq!(
            Some(back.as_str()),
            oracle::amount_text(sa, places).as_deref()
        );
    }

    let difference = a.checked_sub(b);
    let expected = (sa >= sb)
        .then(|| oracle::amount_text(sa - sb, places))
        .flatten();
    assert_eq!(
        difference.as_ref().map(Amount::as_str),
        expected.as_deref(),
        "{a:?} - {b:?}"
    );
    if let Some(difference) = &difference {
        assert_eq!(
            difference.checked_add(b).as_ref(),
            Some(a),
            "(a - b) + b == a"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let (first, second) = split_line(data);
    check_json(first);
    let a = std::str::from_utf8(first).ok().and_then(check_text);
    let b = std::str::from_utf8(second).ok().and_then(check_text);
    if let (Some(a), Some(b)) = (&a, &b) {
        check_arithmetic(a, b);
    }

    let mut u = Unstructured::new(data);
    if let (Ok(x), Ok(y)) = (Parts::arbitrary(&mut u), Parts::arbitrary(&mut u)) {
        let a = Amount::new(&x.text()).expect("constructed amount is valid");
        let b = Amount::new(&y.text()).expect("constructed amount is valid");
        check_arithmetic(&a, &b);
    }
});
