//! [`NumberOrString`]: a value documented inconsistently as a number or a string, kept as sent.

use std::fmt;

use serde::de::Error as _;
use serde_json::value::RawValue;

/// A scalar that some sources send as a JSON number and others as a JSON string (fields the
/// reference marks as disputed or single-source, and ratios that may carry more than 8 decimals).
///
/// It keeps the exact text and which form arrived, so it serialises back unchanged; numbers are
/// captured as raw text, never through `f64`.
///
/// ```
/// use binancepay_types::NumberOrString;
/// let n: NumberOrString = serde_json::from_str("617.50").unwrap();
/// assert_eq!(n.as_str(), "617.50");
/// assert_eq!(serde_json::to_string(&n).unwrap(), "617.50");
/// let s: NumberOrString = serde_json::from_str("\"2\"").unwrap();
/// assert_eq!(s, NumberOrString::String("2".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NumberOrString {
    /// A JSON number, as its exact text (e.g. `"0.88000000"`).
    Number(String),
    /// A JSON string.
    String(String),
}

impl NumberOrString {
    /// The text, without quotes.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Number(text) | Self::String(text) => text,
        }
    }

    /// A number from its JSON text.
    ///
    /// # Errors
    ///
    /// Returns an error message when `text` is not a JSON number.
    pub fn number(text: &str) -> Result<Self, String> {
        match serde_json::from_str::<serde_json::Number>(text) {
            Ok(_) if !text.is_empty() && text.trim() == text => Ok(Self::Number(text.to_owned())),
            _ => Err(format!("not a JSON number: {text:?}")),
        }
    }
}

impl fmt::Display for NumberOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for NumberOrString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::String(text) => serializer.serialize_str(text),
            Self::Number(text) => match RawValue::from_string(text.clone()) {
                Ok(raw) => raw.serialize(serializer),
                Err(_) => serializer.serialize_str(text),
            },
        }
    }
}

impl<'de> serde::Deserialize<'de> for NumberOrString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        if text.starts_with('"') {
            serde_json::from_str::<String>(text)
                .map(Self::String)
                .map_err(D::Error::custom)
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(Self::Number(text.to_owned()))
        } else {
            Err(D::Error::custom(format!(
                "expected a number or a string, got {text}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_number_text_exactly() {
        let v: NumberOrString = serde_json::from_str("29383937493038367292")
            .unwrap_or(NumberOrString::String(String::new()));
        assert_eq!(v, NumberOrString::Number("29383937493038367292".into()));
        assert_eq!(
            serde_json::to_string(&v).ok().as_deref(),
            Some("29383937493038367292")
        );
    }

    #[test]
    fn rejects_other_json() {
        assert!(serde_json::from_str::<NumberOrString>("true").is_err());
        assert!(serde_json::from_str::<NumberOrString>("{}").is_err());
        assert!(serde_json::from_str::<NumberOrString>("null").is_err());
    }

    #[test]
    fn number_constructor_checks_the_text() {
        assert!(NumberOrString::number("1.5").is_ok());
        assert!(NumberOrString::number("1.5x").is_err());
        assert!(NumberOrString::number(" 1").is_err());
    }
}
