//! Serde helpers shared by the generated enums and `ResultCode`.

use std::fmt;

use serde::de::{self, Visitor};

/// Reads a JSON string or integer as text: enums and result codes are strings on the wire, but
/// some sources send them as numbers (e.g. `code: 0`, `status: 2`), and we keep them either way.
pub(crate) fn scalar_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    deserializer.deserialize_any(Text)
}

/// Writes an integer-valued enum as a JSON number when its text is an integer (always, for known
/// values), otherwise as a string so an odd unknown value survives a round trip.
pub(crate) fn serialize_integer_text<S: serde::Serializer>(
    text: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match text.parse::<i64>() {
        // Only canonical integers go out as numbers: "007" would come back as 7.
        Ok(n) if n.to_string() == text => serializer.serialize_i64(n),
        _ => serializer.serialize_str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct T(String);
    impl<'de> serde::Deserialize<'de> for T {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            scalar_text(d).map(T)
        }
    }

    #[test]
    fn accepts_strings_and_integers() {
        assert_eq!(
            serde_json::from_str::<T>("\"PAID\"").ok(),
            Some(T("PAID".into()))
        );
        assert_eq!(
            serde_json::from_str::<T>("400002").ok(),
            Some(T("400002".into()))
        );
        assert_eq!(serde_json::from_str::<T>("-1").ok(), Some(T("-1".into())));
        assert!(serde_json::from_str::<T>("1.5").is_err());
        assert!(serde_json::from_str::<T>("null").is_err());
    }
}
