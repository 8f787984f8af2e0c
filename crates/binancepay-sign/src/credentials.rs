//! The merchant's API key (public identifier) and API secret (HMAC key).

use alloc::string::String;
use core::fmt;

use zeroize::Zeroizing;

use crate::Error;

/// Longest API key accepted, in bytes. Binance keys are 64 characters; the margin leaves room for
/// other formats while keeping the header bounded.
pub const API_KEY_MAX_LEN: usize = 128;

/// The merchant API key, sent as `BinancePay-Certificate-SN`.
///
/// Rule: 1 to 128 ASCII letters or digits, so it is always a safe header value. The key is an
/// identifier, not a secret, so `Debug` shows it.
///
/// ```
/// use binancepay_sign::ApiKey;
///
/// let key = ApiKey::new("hx8wpbzmn5ftzkxfrzqwlvfsybadfdrxuzwxhjvbagbw6dmnafvffshpcfxgm2pj")?;
/// assert_eq!(key.as_str().len(), 64);
/// assert!(ApiKey::new("with space").is_err());
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiKey(String);

impl ApiKey {
    /// Validates an API key.
    ///
    /// # Errors
    /// [`Error::ApiKeyLength`] when empty or longer than 128 bytes, [`Error::ApiKeyCharacter`] for
    /// a byte outside `A-Z`, `a-z`, `0-9`.
    pub fn new(key: impl Into<String>) -> Result<Self, Error> {
        let key = key.into();
        if key.is_empty() || key.len() > API_KEY_MAX_LEN {
            return Err(Error::ApiKeyLength { len: key.len() });
        }
        if let Some(index) = key.bytes().position(|b| !b.is_ascii_alphanumeric()) {
            return Err(Error::ApiKeyCharacter { index });
        }
        Ok(Self(key))
    }

    /// The header text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The merchant API secret: the HMAC-SHA512 key of every request signature.
///
/// Zeroized on drop, redacted in `Debug`, no `Display`, never copied into an [`Error`].
///
/// ```
/// use binancepay_sign::ApiSecret;
///
/// let secret = ApiSecret::new("abcd1234")?;
/// assert_eq!(format!("{secret:?}"), "ApiSecret([REDACTED])");
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
#[derive(Clone)]
pub struct ApiSecret(Zeroizing<String>);

impl ApiSecret {
    /// Wraps a secret; any non-empty string is accepted since HMAC takes keys of every length.
    ///
    /// # Errors
    /// [`Error::ApiSecretEmpty`] for an empty secret.
    pub fn new(secret: impl Into<String>) -> Result<Self, Error> {
        let secret = Zeroizing::new(secret.into());
        if secret.is_empty() {
            return Err(Error::ApiSecretEmpty);
        }
        Ok(Self(secret))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiSecret([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiKey, ApiSecret};
    use crate::Error;
    use alloc::format;
    use alloc::string::String;
    use proptest::prelude::*;

    #[test]
    fn api_key_rules() {
        assert_eq!(ApiKey::new(""), Err(Error::ApiKeyLength { len: 0 }));
        assert_eq!(
            ApiKey::new("a".repeat(129)),
            Err(Error::ApiKeyLength { len: 129 })
        );
        assert!(ApiKey::new("a".repeat(128)).is_ok());
        assert_eq!(
            ApiKey::new("ab\r\n"),
            Err(Error::ApiKeyCharacter { index: 2 })
        );
    }

    #[test]
    fn secret_is_redacted_and_non_empty() {
        assert!(matches!(ApiSecret::new(""), Err(Error::ApiSecretEmpty)));
        let secret = ApiSecret::new("hunter2hunter2");
        assert!(secret.is_ok());
        if let Ok(secret) = secret {
            assert!(!format!("{secret:?}").contains("hunter2"));
            assert_eq!(secret.as_bytes(), b"hunter2hunter2");
        }
    }

    proptest! {
        #[test]
        fn api_key_never_panics(text in "\\PC*") {
            let accepted = ApiKey::new(text.clone()).is_ok();
            let expected = !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_alphanumeric());
            prop_assert_eq!(accepted, expected);
        }

        #[test]
        fn secret_never_panics(text in any::<String>()) {
            prop_assert_eq!(ApiSecret::new(text.clone()).is_ok(), !text.is_empty());
        }
    }
}
