//! Reading what Binance sends (see "Reading tolerantly, writing strictly" in `spec/README.md`).
//!
//! The generator puts `deserialize_with` one of [`one`], [`option`], [`list`] or
//! [`option_list`] on **every** scalar field (and list of scalars) of every object the SDK
//! *reads*: response `data` and webhook payloads. Which spellings each type accepts is the
//! [`Received`] impl of its Rust type, so a field cannot be forgotten: the generator refuses a
//! read field whose type has no rule. Serialisation is untouched: what the SDK writes stays in
//! the one canonical form.
//!
//! | Rust type | reads |
//! |---|---|
//! | `String` | a string as sent; a JSON number as its text (exponent spellings written out) |
//! | `i32`, `i64` | a number or string in any spelling of an integer: `12`, `"12"`, `12.0`, `1.2E1` |
//! | `bool` | `true`/`false`, or those words as strings |
//! | [`Amount`] | [`Amount::parse_received`]: a number or string in any decimal spelling |
//! | [`Id`] | a number (any size, digits kept) or a string of digits; integral spellings written out |
//!
//! In optional fields `null`, and for non-text types an empty string, read as `None`.

use core::fmt;
use core::marker::PhantomData;
use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Unexpected, Visitor};
use serde_json::value::RawValue;

use crate::amount::json::is_json_deserializer;
use crate::amount::received::plain_decimal;
use crate::amount::{Amount, excerpt};
use crate::id::Id;

/// One JSON scalar as received: a string's content or a number's exact text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar<'a> {
    /// A JSON string, unescaped.
    Text(&'a str),
    /// A JSON number, its exact text.
    Number(&'a str),
    /// A JSON boolean.
    Bool(bool),
}

impl Scalar<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Scalar::Text(t) | Scalar::Number(t) => Cow::Borrowed(t),
            Scalar::Bool(b) => Cow::Owned(b.to_string()),
        }
    }
}

/// A type a read field can hold, and how it reads each JSON scalar.
pub(crate) trait Received: Sized {
    /// What the error says was expected.
    const EXPECTING: &'static str;
    /// Reads one scalar; the error text names the rule.
    fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String>;
    /// Whether an empty string means "absent" in an optional field.
    const EMPTY_IS_NONE: bool = true;
}

impl Received for String {
    const EXPECTING: &'static str = "a string (or a number, kept as its text)";
    const EMPTY_IS_NONE: bool = false;
    fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String> {
        match scalar {
            Scalar::Text(text) => Ok(text.to_owned()),
            Scalar::Number(text) if text.contains(['e', 'E']) => plain_decimal(text)
                .map(|plain| plain_number_text(text, &plain))
                .map_err(|e| e.to_string()),
            Scalar::Number(text) => Ok(text.to_owned()),
            Scalar::Bool(b) => Ok(b.to_string()),
        }
    }
}

/// The plain text of a number read into a string field: `-` kept, and an integral value
/// written without a fraction (`9.825382937292E12` -> `9825382937292`).
fn plain_number_text(original: &str, plain: &str) -> String {
    let sign = if original.starts_with('-') { "-" } else { "" };
    let plain = match plain.split_once('.') {
        Some((integer, fraction)) if fraction.bytes().all(|b| b == b'0') => integer,
        _ => plain,
    };
    format!("{sign}{plain}")
}

/// The integer a decimal spelling stands for: `12`, `12.00`, `1.2E1`, `-3`; `None` for a
/// fraction.
fn integral(text: &str) -> Result<Option<String>, String> {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(format!("{sign}{unsigned}")));
    }
    let plain = plain_decimal(unsigned).map_err(|e| e.to_string())?;
    Ok(match plain.split_once('.') {
        None => Some(format!("{sign}{plain}")),
        Some((integer, fraction)) if fraction.bytes().all(|b| b == b'0') => {
            Some(format!("{sign}{integer}"))
        }
        Some(_) => None,
    })
}

macro_rules! received_integer {
    ($($ty:ty),*) => {$(
        impl Received for $ty {
            const EXPECTING: &'static str = "an integer (a number or a string, in any integral spelling)";
            fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String> {
                let text = match scalar {
                    Scalar::Bool(_) => return Err(format!("expected {}, got a boolean", Self::EXPECTING)),
                    Scalar::Text(t) | Scalar::Number(t) => t,
                };
                let shown = excerpt(text);
                match integral(text.trim()) {
                    Ok(Some(digits)) => digits
                        .parse::<$ty>()
                        .map_err(|_| format!("integer {shown:?} is out of range")),
                    Ok(None) => Err(format!("{shown:?} is not an integer")),
                    Err(e) => Err(format!("{shown:?} is not an integer: {e}")),
                }
            }
        }
    )*};
}
received_integer!(i32, i64);

impl Received for bool {
    const EXPECTING: &'static str = "a boolean (or \"true\"/\"false\")";
    fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String> {
        match scalar {
            Scalar::Bool(b) => Ok(b),
            Scalar::Text(t) if t.eq_ignore_ascii_case("true") => Ok(true),
            Scalar::Text(t) if t.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(format!(
                "expected {}, got {:?}",
                Self::EXPECTING,
                excerpt(&other.text())
            )),
        }
    }
}

impl Received for Amount {
    const EXPECTING: &'static str = "an amount (a number or a string, in any decimal spelling)";
    fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String> {
        match scalar {
            Scalar::Text(t) => Amount::parse_received(t.trim()),
            Scalar::Number(t) => Amount::parse_received(t),
            Scalar::Bool(_) => return Err(format!("expected {}, got a boolean", Self::EXPECTING)),
        }
        .map_err(|e| e.to_string())
    }
}

impl Received for Id {
    const EXPECTING: &'static str = "an id (a number or a string of digits)";
    fn from_scalar(scalar: Scalar<'_>) -> Result<Self, String> {
        let text = match scalar {
            Scalar::Bool(_) => return Err(format!("expected {}, got a boolean", Self::EXPECTING)),
            Scalar::Text(t) | Scalar::Number(t) => t,
        };
        if let Ok(id) = Id::new(text) {
            return Ok(id);
        }
        match integral(text) {
            Ok(Some(digits)) if !digits.starts_with('-') => {
                Id::new(&digits).map_err(|e| e.to_string())
            }
            _ => Id::new(text).map_err(|e| e.to_string()),
        }
    }
}

/// Reads one value: from JSON text through its raw form (numbers keep their exact text), from
/// other formats through a visitor.
struct One<T>(T);

impl<'de, T: Received> Deserialize<'de> for One<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_one(deserializer).map(One)
    }
}

fn read_one<'de, D: Deserializer<'de>, T: Received>(deserializer: D) -> Result<T, D::Error> {
    if is_json_deserializer::<D>() {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        from_raw(raw.get())
    } else {
        deserializer.deserialize_any(ScalarVisitor(PhantomData))
    }
}

fn from_raw<T: Received, E: de::Error>(raw: &str) -> Result<T, E> {
    let scalar = match raw.as_bytes().first() {
        Some(b'"') => {
            let text: Cow<'_, str> = serde_json::from_str(raw).map_err(E::custom)?;
            return T::from_scalar(Scalar::Text(&text)).map_err(E::custom);
        }
        Some(b'-' | b'0'..=b'9') => Scalar::Number(raw),
        Some(b't') => Scalar::Bool(true),
        Some(b'f') => Scalar::Bool(false),
        Some(b'n') => return Err(E::invalid_type(Unexpected::Unit, &T::EXPECTING)),
        Some(b'[') => return Err(E::invalid_type(Unexpected::Seq, &T::EXPECTING)),
        Some(b'{') => return Err(E::invalid_type(Unexpected::Map, &T::EXPECTING)),
        _ => return Err(E::invalid_type(Unexpected::Other(raw), &T::EXPECTING)),
    };
    T::from_scalar(scalar).map_err(E::custom)
}

/// What other formats can deliver exactly: strings, integers, booleans (never binary floats).
struct ScalarVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Received> Visitor<'de> for ScalarVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::from_scalar(Scalar::Text(v)).map_err(E::custom)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        T::from_scalar(Scalar::Bool(v)).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_scalar(Scalar::Number(&v.to_string())).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_scalar(Scalar::Number(&v.to_string())).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<T, E> {
        T::from_scalar(Scalar::Number(&v.to_string())).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<T, E> {
        Err(E::custom(format_args!(
            "{} cannot be read from a binary floating-point number, whose exact decimal text is \
             lost; deserialize straight from JSON text",
            T::EXPECTING
        )))
    }
}

/// `deserialize_with` for a required scalar field that is read.
pub(crate) fn one<'de, D: Deserializer<'de>, T: Received>(deserializer: D) -> Result<T, D::Error> {
    read_one(deserializer)
}

/// `deserialize_with` for an optional scalar field that is read: `null` (and, for non-text
/// types, `""`) is `None`. Pair it with `default` so a missing field is `None` too.
pub(crate) fn option<'de, D: Deserializer<'de>, T: Received>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    if is_json_deserializer::<D>() {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        option_from_raw(raw.get())
    } else {
        Option::<One<T>>::deserialize(deserializer).map(|o| o.map(|one| one.0))
    }
}

fn option_from_raw<T: Received, E: de::Error>(raw: &str) -> Result<Option<T>, E> {
    match raw {
        "null" => Ok(None),
        "\"\"" if T::EMPTY_IS_NONE => Ok(None),
        _ => from_raw(raw).map(Some),
    }
}

/// `deserialize_with` for a required list of scalars that is read.
pub(crate) fn list<'de, D: Deserializer<'de>, T: Received>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    deserializer.deserialize_seq(ListVisitor(PhantomData))
}

/// `deserialize_with` for an optional list of scalars that is read; `null` is `None`.
pub(crate) fn option_list<'de, D: Deserializer<'de>, T: Received>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error> {
    struct Items<T>(Vec<T>);
    impl<'de, T: Received> Deserialize<'de> for Items<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            list(deserializer).map(Items)
        }
    }
    Option::<Items<T>>::deserialize(deserializer).map(|o| o.map(|items| items.0))
}

struct ListVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Received> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list, each item {}", T::EXPECTING)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(One(item)) = seq.next_element::<One<T>>()? {
            items.push(item);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Read {
        #[serde(deserialize_with = "one")]
        expire: i64,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "option"
        )]
        rows: Option<i32>,
        #[serde(default, deserialize_with = "option")]
        fee: Option<Amount>,
        #[serde(default, deserialize_with = "option")]
        name: Option<String>,
        #[serde(default, deserialize_with = "option_list")]
        ids: Option<Vec<Id>>,
        #[serde(default, deserialize_with = "option")]
        flag: Option<bool>,
    }

    fn read(body: &str) -> Result<Read, String> {
        serde_json::from_str(body).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_read_in_every_integral_spelling_and_write_as_numbers() {
        for body in [
            r#"{"expire":121123232223,"rows":10}"#,
            r#"{"expire":"121123232223","rows":"10"}"#,
            r#"{"expire":1.21123232223E11,"rows":1.0e1}"#,
            r#"{"expire":"1.21123232223e+11","rows":10.000}"#,
            r#"{"expire":121123232223.0,"rows":"+10"}"#,
        ] {
            let got = read(body).unwrap();
            assert_eq!(
                (got.expire, got.rows),
                (121_123_232_223, Some(10)),
                "{body}"
            );
        }
        let got = read(r#"{"expire":1.6E12}"#).unwrap();
        assert_eq!(got.expire, 1_600_000_000_000);
        assert_eq!(
            serde_json::to_string(&read(r#"{"expire":"-1","rows":null}"#).unwrap()).unwrap(),
            r#"{"expire":-1,"fee":null,"name":null,"ids":null,"flag":null}"#
        );
    }

    #[test]
    fn what_is_not_an_integer_is_refused_with_the_rule() {
        for (body, says) in [
            (r#"{"expire":"12a"}"#, "not an integer"),
            (r#"{"expire":""}"#, "empty"),
            (r#"{"expire":1.5}"#, "not an integer"),
            (r#"{"expire":"1.5E0"}"#, "not an integer"),
            (r#"{"expire":true}"#, "boolean"),
            (r#"{"expire":"99999999999999999999"}"#, "out of range"),
            (r#"{"expire":1,"rows":3000000000}"#, "out of range"),
        ] {
            let err = read(body).unwrap_err();
            assert!(err.contains(says), "{body}: {err}");
        }
    }

    #[test]
    fn amounts_ids_strings_and_booleans_read_their_other_spellings() {
        let got = read(
            r#"{"expire":0,"fee":1.0E-7,"name":9.825382937292E12,"ids":[384640338201731072123,"7",7.0E0],"flag":"true"}"#,
        )
        .unwrap();
        assert_eq!(got.fee.as_ref().map(Amount::as_str), Some("0.00000010"));
        assert_eq!(got.name.as_deref(), Some("9825382937292"));
        let ids: Vec<&str> = got.ids.iter().flatten().map(Id::as_str).collect();
        assert_eq!(ids, ["384640338201731072123", "7", "7"]);
        assert_eq!(got.flag, Some(true));
        // A string field keeps a string as sent and a plain number's text as written.
        let got = read(r#"{"expire":0,"name":25.170}"#).unwrap();
        assert_eq!(got.name.as_deref(), Some("25.170"));
        let got = read(r#"{"expire":0,"name":"1E3"}"#).unwrap();
        assert_eq!(got.name.as_deref(), Some("1E3"));
        // An empty string is an absent number, but an empty name.
        let got = read(r#"{"expire":0,"fee":"","name":""}"#).unwrap();
        assert_eq!((got.fee, got.name.as_deref()), (None, Some("")));
    }

    #[test]
    fn other_formats_take_strings_integers_and_booleans_but_not_floats() {
        let value = serde_json::json!({"expire": "12", "rows": 3, "fee": "1E-8", "flag": false});
        let got: Read = serde_json::from_value(value).unwrap();
        assert_eq!(got.expire, 12);
        assert_eq!(
            got.fee.map(|f| f.to_string()).as_deref(),
            Some("0.00000001")
        );
        let float = serde_json::json!({"expire": 1, "fee": 0.5});
        let err = serde_json::from_value::<Read>(float)
            .unwrap_err()
            .to_string();
        assert!(err.contains("binary floating-point"), "{err}");
    }
}
