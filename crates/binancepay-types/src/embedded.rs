//! [`Embedded`]: an object that some sources send as JSON and others as a JSON string holding JSON.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde_json::value::RawValue;

/// A value sent either as a JSON object or as a JSON string that holds the object's JSON
/// (e.g. `refundInfo` of PAY_REFUND webhooks: a string in the docs, an object in real samples).
///
/// Both forms decode to the same `value`; the form that arrived is kept so the value serialises
/// back the way it came.
///
/// ```
/// use binancepay_types::embedded::Embedded;
/// use std::collections::BTreeMap;
/// let as_object: Embedded<BTreeMap<String, u8>> = serde_json::from_str(r#"{"a":1}"#).unwrap();
/// let as_string: Embedded<BTreeMap<String, u8>> = serde_json::from_str(r#""{\"a\":1}""#).unwrap();
/// assert_eq!(as_object.value, as_string.value);
/// assert_eq!(serde_json::to_string(&as_string).unwrap(), r#""{\"a\":1}""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Embedded<T> {
    /// The decoded value.
    pub value: T,
    /// Whether it arrived as a JSON string holding JSON.
    pub as_string: bool,
}

impl<T> Embedded<T> {
    /// A value sent as a JSON object.
    pub fn object(value: T) -> Self {
        Embedded {
            value,
            as_string: false,
        }
    }

    /// A value sent as a JSON string holding JSON.
    pub fn string(value: T) -> Self {
        Embedded {
            value,
            as_string: true,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Embedded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: serde::Serialize> serde::Serialize for Embedded<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.as_string {
            let text = serde_json::to_string(&self.value).map_err(S::Error::custom)?;
            serializer.serialize_str(&text)
        } else {
            self.value.serialize(serializer)
        }
    }
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Embedded<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(D::Error::custom)?;
            serde_json::from_str(&inner)
                .map(Self::string)
                .map_err(D::Error::custom)
        } else {
            serde_json::from_str(text)
                .map(Self::object)
                .map_err(D::Error::custom)
        }
    }
}
