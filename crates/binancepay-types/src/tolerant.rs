//! Reading what Binance sends (see "Reading tolerantly, writing strictly" in `spec/README.md`).
//!
//! The generator puts these helpers on the integer fields (`int`, `long`: counts, timestamps,
//! statuses) of every object the SDK *reads*: response `data` and webhook payloads. A page may
//! type such a field `long` and print it as a string (`"expireTime":"121123232223"` on the v1
//! Create Order page), so they accept a JSON number or a JSON string of decimal digits. They are
//! always written as JSON numbers: what the SDK sends stays strict.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::amount::json::deserialize_number_or_string;

/// The integer types a tolerant field can hold.
pub(crate) trait Integer: Copy + Serialize + FromStr {}

impl Integer for i32 {}
impl Integer for i64 {}

/// Why a text is not an integer of the field's type.
#[derive(Debug)]
pub(crate) struct NotAnInteger {
    text: String,
    out_of_range: bool,
}

impl fmt::Display for NotAnInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = crate::amount::excerpt(&self.text);
        if self.out_of_range {
            write!(f, "integer {text:?} is out of range")
        } else {
            write!(
                f,
                "expected an integer as a JSON number or a string of decimal digits, got {text:?}"
            )
        }
    }
}

/// Decimal digits with an optional leading `-`; no `+`, spaces, fraction or exponent.
pub(crate) fn parse<T: Integer>(text: &str) -> Result<T, NotAnInteger> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NotAnInteger {
            text: text.to_owned(),
            out_of_range: false,
        });
    }
    text.parse::<T>().map_err(|_| NotAnInteger {
        text: text.to_owned(),
        out_of_range: true,
    })
}

/// A value read tolerantly.
struct Tolerant<T>(T);

impl<'de, T: Integer> Deserialize<'de> for Tolerant<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_number_or_string(deserializer, "an integer", parse::<T>).map(Tolerant)
    }
}

/// `#[serde(with = ...)]` for a required integer field that is read.
pub(crate) mod integer {
    use super::{Deserialize, Deserializer, Integer, Serializer, Tolerant};

    /// Writes the integer as a JSON number.
    pub(crate) fn serialize<T: Integer, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads a JSON number or a string of digits.
    pub(crate) fn deserialize<'de, T: Integer, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        Tolerant::<T>::deserialize(deserializer).map(|t| t.0)
    }
}

/// `#[serde(with = ...)]` for an optional integer field that is read; `null` reads as `None`.
pub(crate) mod option_integer {
    use super::{Deserialize, Deserializer, Integer, Serialize, Serializer, Tolerant};

    /// Writes `Some` as a JSON number and `None` as `null` (the field is skipped when `None`).
    pub(crate) fn serialize<T: Integer, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads `null`, a JSON number or a string of digits.
    pub(crate) fn deserialize<'de, T: Integer, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<Tolerant<T>>::deserialize(deserializer).map(|o| o.map(|t| t.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Read {
        #[serde(with = "integer")]
        expire: i64,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "option_integer"
        )]
        rows: Option<i32>,
    }

    #[test]
    fn reads_numbers_and_digit_strings_and_writes_numbers() {
        let from_string: Read =
            serde_json::from_str(r#"{"expire":"121123232223","rows":"10"}"#).unwrap();
        let from_number: Read =
            serde_json::from_str(r#"{"expire":121123232223,"rows":10}"#).unwrap();
        assert_eq!(from_string, from_number);
        assert_eq!(
            serde_json::to_string(&from_string).unwrap(),
            r#"{"expire":121123232223,"rows":10}"#
        );
        let none: Read = serde_json::from_str(r#"{"expire":"-1","rows":null}"#).unwrap();
        assert_eq!(
            none,
            Read {
                expire: -1,
                rows: None
            }
        );
    }

    #[test]
    fn refuses_what_is_not_an_integer() {
        for body in [
            r#"{"expire":"12a"}"#,
            r#"{"expire":""}"#,
            r#"{"expire":"+1"}"#,
            r#"{"expire":" 1"}"#,
            r#"{"expire":1.5}"#,
            r#"{"expire":"1e3"}"#,
            r#"{"expire":true}"#,
            r#"{"expire":"99999999999999999999"}"#,
        ] {
            assert!(serde_json::from_str::<Read>(body).is_err(), "{body}");
        }
        let err = serde_json::from_str::<Read>(r#"{"expire":1,"rows":"3000000000"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("out of range"), "{err}");
    }
}
