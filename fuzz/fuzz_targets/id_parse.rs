//! `Id`: the text grammar, JSON (string and number forms) and numeric ordering.
//!
//! Input: `a` `\n` `b`. The same bytes also drive `arbitrary` for two integers whose ids must
//! order like the integers.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use binancepay_fuzz::framing::split_line;
use binancepay_fuzz::oracle;
use binancepay_types::Id;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// An id field that travels as a JSON string (the default).
#[derive(Debug, Serialize, Deserialize)]
struct AsString {
    id: Id,
}

/// An id field that travels as a JSON number.
#[derive(Debug, Serialize, Deserialize)]
struct AsNumber {
    #[serde(with = "binancepay_types::id::as_number")]
    id: Id,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
}

fn check_text(text: &str) -> Option<Id> {
    let parsed = Id::new(text);
    assert_eq!(
        parsed.is_ok(),
        oracle::id_valid(text),
        "Id::new({text:?}) = {parsed:?}"
    );
    let id = match parsed {
        Ok(id) => id,
        Err(error) => {
            let message = error.to_string();
            assert!(message.len() <= 1024, "unbounded error: {message:?}");
            return None;
        }
    };
    assert_eq!(id.as_str(), text);
    assert_eq!(id.to_string(), text);
    assert_eq!(Id::try_from(text.to_owned()).as_ref(), Ok(&id));

    let json = serde_json::to_string(&AsString { id: id.clone() }).expect("serialises");
    assert_eq!(json, format!(r#"{{"id":"{text}"}}"#));
    let back: AsString = serde_json::from_str(&json).expect("own JSON string parses");
    assert_eq!(back.id, id);

    let json = serde_json::to_string(&AsNumber { id: id.clone() }).expect("serialises");
    assert_eq!(json, format!(r#"{{"id":{text}}}"#));
    let back: AsNumber = serde_json::from_str(&json).expect("own JSON number parses");
    assert_eq!(back.id, id);
    Some(id)
}

/// `{"id":<bytes>}` decodes exactly when the raw value is a number or string whose text is a
/// valid id.
fn check_json(value: &[u8]) {
    let mut doc = br#"{"id":"#.to_vec();
    doc.extend_from_slice(value);
    doc.push(b'}');
    let expected = serde_json::from_slice::<Raw<'_>>(&doc)
        .ok()
        .and_then(|raw| {
            let raw = raw.id.get();
            let text = match raw.as_bytes().first() {
                Some(b'"') => serde_json::from_str::<String>(raw).ok()?,
                Some(b'-' | b'0'..=b'9') => raw.to_owned(),
                _ => return None,
            };
            oracle::id_valid(&text).then_some(text)
        });
    let as_string = serde_json::from_slice::<AsString>(&doc);
    let got = as_string.as_ref().ok().map(|n| n.id.as_str());
    assert_eq!(got, expected.as_deref(), "{doc:?}: {as_string:?}");
    let as_number = serde_json::from_slice::<AsNumber>(&doc);
    let got = as_number.as_ref().ok().map(|n| n.id.as_str());
    assert_eq!(got, expected.as_deref(), "{doc:?}: {as_number:?}");
}

fn check_order(a: &Id, b: &Id) {
    assert_eq!(
        a.cmp(b),
        oracle::numeric_cmp(a.as_str(), b.as_str()),
        "{a:?} vs {b:?}"
    );
    assert_eq!(a == b, a.as_str() == b.as_str());
}

#[derive(Debug, Arbitrary)]
struct Pair(u128, u128);

fuzz_target!(|data: &[u8]| {
    let (first, second) = split_line(data);
    check_json(first);
    let a = std::str::from_utf8(first).ok().and_then(check_text);
    let b = std::str::from_utf8(second).ok().and_then(check_text);
    if let (Some(a), Some(b)) = (&a, &b) {
        check_order(a, b);
    }

    if let Ok(Pair(x, y)) = Pair::arbitrary(&mut Unstructured::new(data)) {
        let a = Id::new(&x.to_string()).expect("an integer is a valid id");
        let b = Id::new(&y.to_string()).expect("an integer is a valid id");
        assert_eq!(a.cmp(&b), x.cmp(&y), "{a:?} vs {b:?}");
        let json = format!(r#"{{"id":{x}}}"#);
        let parsed: AsString = serde_json::from_str(&json).expect("a JSON integer is an id");
        assert_eq!(parsed.id, a);
    }
});
