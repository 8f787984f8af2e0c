//! Numeric identifiers kept as text: [`Id`].
//!
//! Binance Pay ids (`prepayId`, `merchantId`, `contractId`, `bizId`, …) are 18 to 20 digit numbers,
//! sent as JSON strings in most places and as JSON numbers in others. The webhook sample's `bizId`
//! `29383937493038367292` does not fit a `u64`, and JSON readers that go through `f64` lose its
//! last digits, so an [`Id`] keeps the digits as text.
//!
//! ```
//! use binancepay_types::Id;
//!
//! #[derive(serde::Deserialize)]
//! struct Notification {
//!     #[serde(rename = "bizId")]
//!     biz_id: Id,
//!     #[serde(rename = "bizIdStr")]
//!     biz_id_str: Id,
//! }
//!
//! let body = r#"{"bizId":29383937493038367292,"bizIdStr":"29383937493038367292"}"#;
//! let n: Notification = serde_json::from_str(body)?;
//! assert_eq!(n.biz_id.as_str(), "29383937493038367292");
//! assert_eq!(n.biz_id, n.biz_id_str);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::amount::{excerpt, json};

/// Most digits an id may have: twice the widest id seen, and still far below what a caller could
/// use to make us hold an unbounded string.
const MAX_DIGITS: usize = 40;

/// A numeric identifier of 1 to 40 ASCII digits, kept as text.
///
/// Leading zeros are rejected (`0` alone is fine): every id is then the one canonical spelling of
/// its number, so it can also travel as a JSON number (see [`as_number`]). Equality and hashing
/// compare the text; ordering compares shorter ids first and then the text, which is the numeric
/// order.
///
/// It serializes as a JSON string and deserializes from a JSON string or a JSON number (read as
/// raw text with `serde_json`, never through `f64` or `u64`). With other deserializers it accepts
/// strings and integers but rejects binary floats.
///
/// ```
/// use binancepay_types::Id;
///
/// let prepay: Id = "29383937493038367292".parse()?;
/// assert_eq!(serde_json::to_string(&prepay)?, r#""29383937493038367292""#);
/// assert!(Id::new("9")? < Id::new("10")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Id {
    text: Box<str>,
}

impl Id {
    /// Validates `text` as 1 to 40 ASCII digits without leading zeros and keeps it.
    ///
    /// ```
    /// use binancepay_types::{Id, IdError};
    ///
    /// assert_eq!(Id::new("98765432109876543")?.as_str(), "98765432109876543");
    /// assert!(matches!(Id::new("12a"), Err(IdError::InvalidCharacter { character: 'a', .. })));
    /// # Ok::<(), IdError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the [`IdError`] variant naming the first rule `text` breaks: empty text, a
    /// character that is not an ASCII digit, a leading zero, or more than 40 digits.
    pub fn new(text: &str) -> Result<Id, IdError> {
        validate(text)?;
        Ok(Id { text: text.into() })
    }

    /// The digits, as given.
    ///
    /// ```
    /// use binancepay_types::Id;
    ///
    /// assert_eq!(Id::new("4025")?.as_str(), "4025");
    /// # Ok::<(), binancepay_types::IdError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn validate(text: &str) -> Result<(), IdError> {
    if text.is_empty() {
        return Err(IdError::Empty);
    }
    if let Some((index, character)) = text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdError::InvalidCharacter {
            character,
            index,
            text: excerpt(text),
        });
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(IdError::LeadingZero {
            text: excerpt(text),
        });
    }
    if text.len() > MAX_DIGITS {
        return Err(IdError::TooLong {
            got: text.len(),
            text: excerpt(text),
        });
    }
    Ok(())
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Id").field(&self.text).finish()
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Id) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Id {
    /// Without leading zeros, a shorter id is a smaller number; equal lengths compare digit by
    /// digit. Consistent with `Eq`, which compares the text.
    fn cmp(&self, other: &Id) -> Ordering {
        self.text
            .len()
            .cmp(&other.text.len())
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl FromStr for Id {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Id, IdError> {
        Id::new(text)
    }
}

impl TryFrom<&str> for Id {
    type Error = IdError;

    fn try_from(text: &str) -> Result<Id, IdError> {
        Id::new(text)
    }
}

impl TryFrom<String> for Id {
    type Error = IdError;

    fn try_from(text: String) -> Result<Id, IdError> {
        validate(&text)?;
        Ok(Id {
            text: text.into_boxed_str(),
        })
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        json::deserialize_number_or_string(deserializer, "an id", Id::new)
    }
}

/// Why a text is not a valid [`Id`].
///
/// `text` holds the rejected input, cut to its first 64 characters (followed by `…` when cut).
///
/// ```
/// use binancepay_types::{Id, IdError};
///
/// let err = Id::new("").unwrap_err();
/// assert_eq!(err, IdError::Empty);
/// assert_eq!(err.to_string(), "invalid id: the text is empty, an id needs at least one digit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The text is empty.
    #[error("invalid id: the text is empty, an id needs at least one digit")]
    Empty,
    /// A character other than an ASCII digit (includes signs, points, exponents and whitespace).
    #[error(
        "invalid id {text:?}: character {character:?} at byte {index} is not allowed, only ASCII digits are"
    )]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the text.
        index: usize,
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// More than one digit, starting with `0`.
    #[error("invalid id {text:?}: leading zeros are not allowed")]
    LeadingZero {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// More than 40 digits.
    #[error("invalid id {text:?}: {got} digits, at most 40 are allowed")]
    TooLong {
        /// How many digits the text has.
        got: usize,
        /// The rejected text (at most 64 characters).
        text: String,
    },
}

/// Serde helpers for id fields that travel as JSON numbers (`"merchantId": 98765432`).
///
/// With `serde_json` the digits are written verbatim as a number, however long. Other formats get
/// an unsigned integer when the id fits a `u64`, and a string otherwise. Deserializes from a number
/// or a string, like [`Id`] itself.
///
/// ```
/// use binancepay_types::Id;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Contract {
///     #[serde(rename = "contractId", with = "binancepay_types::id::as_number")]
///     contract_id: Id,
/// }
///
/// let contract = Contract { contract_id: Id::new("29383937493038367292")? };
/// let json = serde_json::to_string(&contract)?;
/// assert_eq!(json, r#"{"contractId":29383937493038367292}"#);
/// let back: Contract = serde_json::from_str(&json)?;
/// assert_eq!(back.contract_id, contract.contract_id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod as_number {
    use serde::{Deserializer, Serializer};

    use super::Id;
    use crate::amount::json;

    /// Writes the id as a number.
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(id: &Id, serializer: S) -> Result<S::Ok, S::Error> {
        if json::is_json_serializer::<S>() {
            json::serialize_raw_number(id.as_str(), serializer)
        } else if let Ok(value) = id.as_str().parse::<u64>() {
            serializer.serialize_u64(value)
        } else {
            serializer.serialize_str(id.as_str())
        }
    }

    /// Reads an id from a number or a string.
    ///
    /// # Errors
    ///
    /// Fails when the value is neither a number nor a string, when the text breaks the rules of
    /// [`Id::new`], or when the number only reached us as a binary float.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

/// Serde helpers for optional id fields that travel as JSON numbers.
///
/// Pair it with `#[serde(default, skip_serializing_if = "Option::is_none")]` so a missing field
/// reads as `None` and `None` is left out; an explicit `null` also reads as `None`.
///
/// ```
/// use binancepay_types::Id;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Merchant {
///     #[serde(
///         rename = "subMerchantId",
///         default,
///         skip_serializing_if = "Option::is_none",
///         with = "binancepay_types::id::option_as_number"
///     )]
///     sub_merchant_id: Option<Id>,
/// }
///
/// let m: Merchant = serde_json::from_str(r#"{"subMerchantId":"1234567890123456789"}"#)?;
/// assert_eq!(serde_json::to_string(&m)?, r#"{"subMerchantId":1234567890123456789}"#);
/// let none: Merchant = serde_json::from_str(r#"{"subMerchantId":null}"#)?;
/// assert_eq!(serde_json::to_string(&none)?, "{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod option_as_number {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Id;

    /// Borrows an id so `serialize_some` writes it through [`as_number`](super::as_number).
    struct AsNumber<'a>(&'a Id);

    impl Serialize for AsNumber<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::as_number::serialize(self.0, serializer)
        }
    }

    /// Writes `Some` as a number and `None` as `null`.
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(id: &Option<Id>, serializer: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => serializer.serialize_some(&AsNumber(id)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`, and a number or a string as `Some`.
    ///
    /// # Errors
    ///
    /// As [`as_number::deserialize`](super::as_number::deserialize) for a present value.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Id>, D::Error> {
        Option::<Id>::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Id {
        match Id::new(text) {
            Ok(id) => id,
            Err(err) => panic!("{text:?} should parse: {err}"),
        }
    }

    #[test]
    fn each_rule_has_its_variant() {
        assert_eq!(Id::new(""), Err(IdError::Empty));
        assert!(matches!(
            Id::new("-5"),
            Err(IdError::InvalidCharacter {
                character: '-',
                index: 0,
                ..
            })
        ));
        assert!(matches!(
            Id::new("1.0"),
            Err(IdError::InvalidCharacter {
                character: '.',
                index: 1,
                ..
            })
        ));
        assert!(matches!(Id::new("007"), Err(IdError::LeadingZero { .. })));
        assert!(matches!(
            Id::new(&"1".repeat(41)),
            Err(IdError::TooLong { got: 41, .. })
        ));
        assert!(Id::new(&"9".repeat(40)).is_ok());
        assert!(Id::new("0").is_ok());
    }

    #[test]
    fn orders_as_numbers() {
        let ids = ["0", "9", "10", "99", "100", "29383937493038367292"];
        for pair in ids.windows(2) {
            if let [smaller, larger] = pair {
                assert!(id(smaller) < id(larger), "{smaller} < {larger}");
            }
        }
    }

    #[test]
    fn as_number_gives_value_serializers_an_integer_when_it_fits() -> Result<(), serde_json::Error>
    {
        let value =
            as_number::serialize(&id("18446744073709551615"), serde_json::value::Serializer)?;
        assert_eq!(value, serde_json::json!(18_446_744_073_709_551_615_u64));
        let value =
            as_number::serialize(&id("18446744073709551616"), serde_json::value::Serializer)?;
        assert_eq!(value, serde_json::json!("18446744073709551616"));
        Ok(())
    }

    #[test]
    fn raw_numbers_with_fraction_or_sign_are_rejected() {
        for body in ["1.5", "-1", "1e3"] {
            let parsed = serde_json::from_str::<Id>(body).map(|id| id.to_string());
            assert!(
                parsed.is_err_and(|e| e.to_string().contains("invalid id")),
                "{body}"
            );
        }
    }
}
