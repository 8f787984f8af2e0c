//! The JSON round trip every model must survive.

use std::fmt::Debug;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Serialises, parses back, and checks both the value and the text are unchanged.
pub(crate) fn json<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let text =
        serde_json::to_string(value).map_err(|e| TestCaseError::fail(format!("serialise: {e}")))?;
    let back: T = serde_json::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("parse {text}: {e}")))?;
    prop_assert_eq!(&back, value);
    let again = serde_json::to_string(&back)
        .map_err(|e| TestCaseError::fail(format!("serialise again: {e}")))?;
    prop_assert_eq!(again, text);
    Ok(())
}
