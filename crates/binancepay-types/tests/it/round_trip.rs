//! The JSON round trip every model must survive.

use std::fmt::Debug;

use binancepay_types::Endpoint;
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

/// [`json`], plus: [`Endpoint::write_body`] writes exactly the bytes serde_json writes.
pub(crate) fn request<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Endpoint + DeserializeOwned + PartialEq + Debug,
{
    json(value)?;
    same_body(value).map_err(TestCaseError::fail)
}

/// The body-writer check of [`request`], then the request's own validation.
pub(crate) fn checked_request<T: Endpoint>(value: &T) -> Result<(), String> {
    same_body(value)?;
    value.validate().map_err(|e| e.to_string())
}

fn same_body<T: Endpoint>(value: &T) -> Result<(), String> {
    let mut direct = Vec::new();
    value
        .write_body(&mut direct)
        .map_err(|e| format!("write_body: {e}"))?;
    let serde = serde_json::to_vec(value).map_err(|e| format!("serde_json: {e}"))?;
    if direct == serde {
        Ok(())
    } else {
        Err(format!(
            "write_body wrote {}\nserde_json wrote {}",
            String::from_utf8_lossy(&direct),
            String::from_utf8_lossy(&serde)
        ))
    }
}
