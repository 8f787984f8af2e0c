//! Decryption of `paymentInfo.payerDetail`, the payer data Binance shares with approved merchants.
//!
//! Binance's "Authentication" page ("Decryption instructions for merchant data sharing"): the AES
//! key is SHA-256 of the API secret used to create the order (AES-256); the value is base64 of a
//! 12-byte IV followed by the AES-GCM ciphertext and its 16-byte tag; the plaintext is UTF-8. The
//! page's Java sample passes no associated data, so none is used here.
//!
//! ```
//! use binancepay_sign::ApiSecret;
//! use binancepay_sign::payer_detail;
//!
//! let secret = ApiSecret::new("mmqz3v0twbhxgyk6xyqtpwwfdu3wyspaqyhqunbzujsknagoijxeuakhctcxhibh")?;
//! let detail = payer_detail::decrypt(&secret, "obLD1OX2BxgpOktcF4LX1tF4SM1KjHZah7DOaK6zeQ")?;
//! assert_eq!(detail.as_str(), "abc");
//! // Debug never shows the payer's data.
//! assert_eq!(format!("{detail:?}"), "PayerDetail([REDACTED])");
//!
//! let err = payer_detail::decrypt(&ApiSecret::new("another secret")?, "obLD1OX2BxgpOktcF4LX1tF4SM1KjHZah7DOaK6zeQ");
//! assert_eq!(err.map(|_| ()), Err(binancepay_sign::Error::PayerDetailAuthentication));
//! # Ok::<(), binancepay_sign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{ApiSecret, Error};

/// Length of the IV in front of the ciphertext, in bytes.
pub const IV_LEN: usize = 12;
/// Length of the GCM tag after the ciphertext, in bytes.
pub const TAG_LEN: usize = 16;
/// Shortest decoded value: an IV and a tag around an empty plaintext.
pub const MIN_LEN: usize = IV_LEN + TAG_LEN;

/// Standard alphabet; the padding may be present or not (read tolerantly), but a wrong one fails.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The decrypted payer data: UTF-8 text (JSON in what Binance sends).
///
/// Personal data: `Debug` is redacted, there is no `Display`, and the text is zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct PayerDetail(Zeroizing<String>);

impl PayerDetail {
    /// The plaintext.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The plaintext as an owned `String`; from here on the caller is responsible for wiping it.
    #[must_use]
    pub fn into_string(self) -> String {
        let mut this = self;
        core::mem::take(&mut *this.0)
    }
}

impl fmt::Debug for PayerDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PayerDetail([REDACTED])")
    }
}

/// Decrypts a `payerDetail` value with the merchant's API secret.
///
/// # Errors
/// [`Error::PayerDetailBase64`] when `data` is not standard-alphabet base64,
/// [`Error::PayerDetailTooShort`] when it decodes to fewer than 28 bytes (IV and tag),
/// [`Error::PayerDetailAuthentication`] when the tag does not verify (another secret, or altered
/// data), [`Error::PayerDetailUtf8`] when the authenticated plaintext is not UTF-8.
pub fn decrypt(secret: &ApiSecret, data: &str) -> Result<PayerDetail, Error> {
    let raw = Zeroizing::new(
        BASE64
            .decode(data.as_bytes())
            .map_err(|_| Error::PayerDetailBase64)?,
    );
    if raw.len() < MIN_LEN {
        return Err(Error::PayerDetailTooShort { len: raw.len() });
    }
    let key = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(secret.as_bytes())));
    let cipher = Aes256Gcm::new(&(*key).into());
    let tag_at = raw.len() - TAG_LEN;
    let tag = Tag::clone_from_slice(&raw[tag_at..]);
    let iv = Nonce::clone_from_slice(&raw[..IV_LEN]);
    let mut plain: Vec<u8> = raw[IV_LEN..tag_at].to_vec();
    // aes-gcm (>= 0.10.3) checks the tag before decrypting: on failure the buffer still holds
    // ciphertext, never unauthenticated plaintext.
    cipher
        .decrypt_in_place_detached(&iv, b"", &mut plain, &tag)
        .map_err(|_| Error::PayerDetailAuthentication)?;
    match String::from_utf8(plain) {
        Ok(text) => Ok(PayerDetail(Zeroizing::new(text))),
        Err(not_utf8) => {
            drop(Zeroizing::new(not_utf8.into_bytes()));
            Err(Error::PayerDetailUtf8)
        }
    }
}

/// Encrypts a `payerDetail` value as Binance does, for servers that imitate it (a sandbox, test
/// doubles): `iv` must be fresh random bytes for every value (the caller owns the RNG).
///
/// ```
/// use binancepay_sign::ApiSecret;
/// use binancepay_sign::payer_detail::{decrypt, encrypt};
///
/// let secret = ApiSecret::new("sandbox secret")?;
/// let data = encrypt(&secret, [7; 12], r#"{"firstName":"Ann"}"#)?;
/// assert_eq!(decrypt(&secret, &data)?.as_str(), r#"{"firstName":"Ann"}"#);
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
///
/// # Errors
/// [`Error::PayerDetailEncryption`] only for a plaintext beyond AES-GCM's limit (about 64 GiB).
pub fn encrypt(secret: &ApiSecret, iv: [u8; IV_LEN], plaintext: &str) -> Result<String, Error> {
    let key = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(secret.as_bytes())));
    let cipher = Aes256Gcm::new(&(*key).into());
    let mut out = Vec::with_capacity(MIN_LEN + plaintext.len());
    out.extend_from_slice(&iv);
    out.extend_from_slice(plaintext.as_bytes());
    let tag = cipher
        .encrypt_in_place_detached(&Nonce::from(iv), b"", &mut out[IV_LEN..])
        .map_err(|_| Error::PayerDetailEncryption)?;
    out.extend_from_slice(&tag);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

#[cfg(test)]
mod tests {
    use super::{MIN_LEN, decrypt, encrypt};
    use crate::{ApiSecret, Error};
    use alloc::format;
    use alloc::string::String;
    use proptest::prelude::*;

    fn secret() -> ApiSecret {
        ApiSecret::new("mmqz3v0twbhxgyk6xyqtpwwfdu3wyspaqyhqunbzujsknagoijxeuakhctcxhibh")
            .unwrap_or_else(|_| unreachable!("a non-empty secret"))
    }

    #[test]
    fn short_inputs_report_their_length() {
        assert_eq!(
            decrypt(&secret(), "AAAA").map(|_| ()),
            Err(Error::PayerDetailTooShort { len: 3 })
        );
        assert_eq!(
            decrypt(&secret(), "").map(|_| ()),
            Err(Error::PayerDetailTooShort { len: 0 })
        );
    }

    #[test]
    fn plaintext_is_redacted() {
        let detail = decrypt(&secret(), "obLD1OX2BxgpOktcF4LX1tF4SM1KjHZah7DOaK6zeQ");
        assert_eq!(detail.as_ref().map(|d| d.as_str()), Ok("abc"));
        let shown = format!("{detail:?}");
        assert!(!shown.contains("abc"), "{shown}");
        assert_eq!(detail.map(|d| d.into_string()), Ok(String::from("abc")));
    }

    proptest! {
        #[test]
        fn encrypt_then_decrypt_round_trips(text in any::<String>(), iv in any::<[u8; 12]>()) {
            let data = encrypt(&secret(), iv, &text);
            prop_assert!(data.is_ok());
            let data = data.unwrap_or_default();
            prop_assert_eq!(decrypt(&secret(), &data).map(|d| d.into_string()), Ok(text));
        }

        #[test]
        fn never_panics(data in "[A-Za-z0-9+/=!-]{0,120}") {
            let _ = decrypt(&secret(), &data);
        }

        #[test]
        fn random_bytes_fail_authentication(bytes in proptest::collection::vec(any::<u8>(), MIN_LEN..200)) {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert_eq!(decrypt(&secret(), &data).map(|_| ()), Err(Error::PayerDetailAuthentication));
        }
    }
}
