//! Python values to `binancepay-sign` types, and the exceptions the package raises.

use std::borrow::Cow;

use binancepay_sign::{ApiKey, ApiSecret, Error as SignError, Nonce, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString};

/// Why a call failed. Rule failures become `binancepay_sign.Error` (a `ValueError`) with a
/// stable `code`; values of the wrong Python type become `TypeError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A rule of `binancepay-sign` (its code names the rule).
    Sign(SignError),
    /// A rule of this package: its code and message.
    Rule { code: &'static str, message: String },
    /// An argument of the wrong Python type: the field and what it must be.
    Type(&'static str, &'static str),
}

impl Failure {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Sign(error) => error.code(),
            Self::Rule { code, .. } => code,
            Self::Type(..) => "ARGUMENT_TYPE",
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            Self::Sign(error) => error.to_string(),
            Self::Rule { message, .. } => message.clone(),
            Self::Type(field, expected) => format!("{field}: must be {expected}"),
        }
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> Self {
        if let Failure::Type(..) = failure {
            return PyTypeError::new_err(failure.message());
        }
        Python::attach(|py| {
            let error = crate::Error::new_err(failure.message());
            // Setting an attribute on a fresh exception instance cannot fail in practice; the
            // message still names the rule if it did.
            let _ = error.value(py).setattr("code", failure.code());
            error
        })
    }
}

/// A str argument.
pub(crate) fn text(value: &Bound<'_, PyAny>, field: &'static str) -> Result<String, Failure> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(text
            .to_cow()
            .map_err(|_| Failure::Type(field, "a str of valid Unicode"))?
            .into_owned()),
        Err(_) => Err(Failure::Type(field, "a str")),
    }
}

/// The API secret: a non-empty str.
pub(crate) fn secret(value: &Bound<'_, PyAny>) -> Result<ApiSecret, Failure> {
    ApiSecret::new(text(value, "secret")?).map_err(Failure::Sign)
}

/// The API key: 1 to 128 ASCII letters or digits.
pub(crate) fn api_key(value: &Bound<'_, PyAny>) -> Result<ApiKey, Failure> {
    ApiKey::new(text(value, "api_key")?).map_err(Failure::Sign)
}

/// A request nonce: 32 ASCII letters or digits.
pub(crate) fn nonce(value: &Bound<'_, PyAny>, field: &'static str) -> Result<Nonce, Failure> {
    Nonce::new(&text(value, field)?).map_err(Failure::Sign)
}

/// A non-negative int (not a bool).
fn non_negative_int(value: &Bound<'_, PyAny>, field: &'static str) -> Result<Option<u64>, Failure> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(Failure::Type(field, "an int"));
    }
    Ok(value.extract::<u64>().ok())
}

/// Epoch milliseconds as an int.
pub(crate) fn timestamp_int(
    value: &Bound<'_, PyAny>,
    field: &'static str,
) -> Result<Timestamp, Failure> {
    match non_negative_int(value, field)? {
        Some(millis) => Timestamp::from_millis(millis).map_err(Failure::Sign),
        None => Err(Failure::Rule {
            code: SignError::TimestampSyntax.code(),
            message: format!("{field}: must be epoch milliseconds, an int from 0 to 2**64-1"),
        }),
    }
}

/// A webhook's timestamp: the text that was signed (a str as it arrived, or the digits of an
/// int) and its value, which must be epoch milliseconds.
pub(crate) fn webhook_timestamp(value: &Bound<'_, PyAny>) -> Result<(String, Timestamp), Failure> {
    if value.is_instance_of::<PyString>() {
        let text = text(value, "timestamp")?;
        let parsed = Timestamp::parse(&text).map_err(Failure::Sign)?;
        Ok((text, parsed))
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        let parsed = timestamp_int(value, "timestamp")?;
        Ok((parsed.to_string(), parsed))
    } else {
        Err(Failure::Type("timestamp", "a str or an int"))
    }
}

/// `max_age_seconds` as milliseconds (saturating).
pub(crate) fn max_age_ms(value: &Bound<'_, PyAny>) -> Result<u64, Failure> {
    match non_negative_int(value, "max_age_seconds")? {
        Some(seconds) => Ok(seconds.saturating_mul(1000)),
        None => Err(Failure::Rule {
            code: "ARGUMENT_RANGE",
            message: "max_age_seconds: must be a number of seconds, 0 or more".to_owned(),
        }),
    }
}

/// A webhook's nonce as it arrived: 1 to 128 ASCII letters or digits. Binance sends 32; the
/// signature covers whatever arrived, so the length is not pinned, but a character that cannot
/// be part of a nonce (a line break would shift the signed framing) is refused.
pub(crate) fn check_webhook_nonce(nonce: &str) -> Result<(), Failure> {
    if nonce.is_empty() || nonce.len() > 128 {
        return Err(Failure::Rule {
            code: SignError::NonceLength { len: 0 }.code(),
            message: format!(
                "nonce: {} bytes long, must be 1 to 128 ASCII letters or digits",
                nonce.len()
            ),
        });
    }
    if let Some(index) = nonce.bytes().position(|b| !b.is_ascii_alphanumeric()) {
        return Err(Failure::Rule {
            code: SignError::NonceCharacter { index }.code(),
            message: format!("nonce: byte {index} is not an ASCII letter or digit"),
        });
    }
    Ok(())
}

/// A body: bytes (borrowed, signed as they are), bytearray (copied) or str (its UTF-8 bytes).
pub(crate) enum Body<'a> {
    Borrowed(&'a [u8]),
    Owned(Cow<'a, [u8]>),
}

impl<'a> Body<'a> {
    pub(crate) fn extract(value: &'a Bound<'_, PyAny>) -> Result<Self, Failure> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            Ok(Self::Borrowed(bytes.as_bytes()))
        } else if let Ok(text) = value.cast::<PyString>() {
            let text = text
                .to_cow()
                .map_err(|_| Failure::Type("body", "bytes or a str of valid Unicode"))?;
            Ok(Self::Owned(match text {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            }))
        } else if let Ok(array) = value.cast::<PyByteArray>() {
            Ok(Self::Owned(Cow::Owned(array.to_vec())))
        } else {
            Err(Failure::Type("body", "bytes or a str"))
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Borrowed(bytes) => bytes,
            Self::Owned(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Failure, check_webhook_nonce};
    use binancepay_sign::Error;

    #[test]
    fn webhook_nonce_rules() {
        assert_eq!(check_webhook_nonce("abc"), Ok(()));
        assert_eq!(check_webhook_nonce(&"Z9".repeat(64)), Ok(()));
        assert_eq!(
            check_webhook_nonce("").map_err(|f| f.code()),
            Err("NONCE_LENGTH")
        );
        assert_eq!(
            check_webhook_nonce(&"a".repeat(129)).map_err(|f| f.code()),
            Err("NONCE_LENGTH")
        );
        let newline = check_webhook_nonce("ab\ncd");
        assert_eq!(
            newline.clone().map_err(|f| f.code()),
            Err("NONCE_CHARACTER")
        );
        assert_eq!(
            newline.map_err(|f| f.message()),
            Err("nonce: byte 2 is not an ASCII letter or digit".to_owned())
        );
    }

    #[test]
    fn failures_carry_code_and_message() {
        let failure = Failure::Sign(Error::TimestampInSeconds { value: 5 });
        assert_eq!(failure.code(), "TIMESTAMP_IN_SECONDS");
        assert!(failure.message().starts_with("timestamp:"));
        let failure = Failure::Type("body", "bytes or a str");
        assert_eq!(failure.code(), "ARGUMENT_TYPE");
        assert_eq!(failure.message(), "body: must be bytes or a str");
    }
}
