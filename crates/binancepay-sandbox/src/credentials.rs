//! The merchant credentials the sandbox accepts: given, or generated like Binance's.

use core::fmt;

use rand_core::{OsRng, TryRngCore};
use zeroize::Zeroizing;

use crate::Error;

/// Length of generated API keys and secrets, as Binance issues them.
pub(crate) const GENERATED_LEN: usize = 64;

const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A secret string: redacted in `Debug`, wiped from memory on drop.
#[derive(Clone)]
pub(crate) struct SecretText(Zeroizing<String>);

impl SecretText {
    pub(crate) fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// `len` characters of lower-case letters and digits from the operating system's RNG.
///
/// # Errors
/// [`Error::Rng`] if the operating system cannot provide random bytes.
pub(crate) fn generate_token(len: usize) -> Result<String, Error> {
    let mut out = String::with_capacity(len);
    let mut buf = Zeroizing::new([0u8; 64]);
    while out.len() < len {
        OsRng.try_fill_bytes(&mut buf[..]).map_err(|_| Error::Rng)?;
        for byte in buf.iter() {
            // 252 = 7 * 36: rejecting the last four values keeps every character equally likely.
            if *byte < 252 && out.len() < len {
                if let Some(c) = ALPHABET.get(usize::from(*byte % 36)) {
                    out.push(char::from(*c));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{GENERATED_LEN, SecretText, generate_token};

    #[test]
    fn tokens_are_lower_case_alphanumeric_and_distinct() {
        let a = generate_token(GENERATED_LEN).unwrap_or_default();
        let b = generate_token(GENERATED_LEN).unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(a, b);
    }

    #[test]
    fn secret_is_redacted() {
        let secret = SecretText::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), "[REDACTED]");
        assert_eq!(secret.expose(), "hunter2");
    }
}
