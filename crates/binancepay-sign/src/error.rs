//! The one error type of this crate.

use core::fmt;

/// Everything that can go wrong while parsing, signing or verifying.
///
/// Variants carry only public facts (lengths, positions, bit sizes, clock skew), never a secret,
/// a key or a signature, so an `Error` is safe to log.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `BinancePay-Timestamp` is empty, has a byte that is not an ASCII digit, or does not fit in `u64`.
    TimestampSyntax,
    /// `BinancePay-Timestamp` is below 10^11, so it is epoch seconds, not milliseconds.
    TimestampInSeconds {
        /// The rejected value.
        value: u64,
    },
    /// `BinancePay-Timestamp` is 10^14 or more, so it is epoch microseconds or nanoseconds.
    TimestampTooLarge {
        /// The rejected value.
        value: u64,
    },
    /// The timestamp is further from the clock than the allowed window.
    TimestampOutsideWindow {
        /// `now - timestamp` in milliseconds: positive when the timestamp lies in the past,
        /// negative when it lies in the future (saturated to the `i64` range).
        skew_ms: i64,
        /// The allowed window in milliseconds.
        window_ms: u64,
    },
    /// `BinancePay-Nonce` does not have exactly 32 bytes.
    NonceLength {
        /// The length seen, in bytes.
        len: usize,
    },
    /// `BinancePay-Nonce` has a byte that is not an ASCII letter or digit.
    NonceCharacter {
        /// Byte offset of the first offending byte.
        index: usize,
    },
    /// The operating system's random number generator failed.
    Rng,
    /// The API key is empty or longer than 128 bytes.
    ApiKeyLength {
        /// The length seen, in bytes.
        len: usize,
    },
    /// The API key has a byte that is not an ASCII letter or digit.
    ApiKeyCharacter {
        /// Byte offset of the first offending byte.
        index: usize,
    },
    /// The API secret is empty.
    ApiSecretEmpty,
    /// A signature does not have the length its algorithm produces.
    SignatureLength {
        /// The length a valid signature has: 128 hex characters for a request signature, the
        /// modulus size in bytes for a decoded webhook signature.
        expected: usize,
        /// The length seen, in the same unit.
        actual: usize,
    },
    /// A request signature has a character that is not a hex digit.
    SignatureNotHex,
    /// A request signature is hex but uses lower-case letters; Binance sends upper case.
    SignatureLowercase,
    /// A webhook signature is not standard-alphabet, padded base64.
    SignatureBase64,
    /// The signature is well formed but does not match the signed content.
    SignatureMismatch,
    /// A public key's PEM armour is malformed (missing or mismatched `-----BEGIN`/`-----END` lines).
    KeyPem,
    /// A public key's PEM label is neither `PUBLIC KEY` nor `RSA PUBLIC KEY`.
    KeyPemLabel,
    /// A public key's PEM body is not valid base64.
    KeyBase64,
    /// A public key is not well-formed DER (`SubjectPublicKeyInfo` or PKCS#1 `RSAPublicKey`).
    KeyDer,
    /// A public key is for another algorithm than `rsaEncryption`.
    KeyAlgorithm,
    /// An RSA key's modulus is outside 1024..=8192 bits (signing keys: 1024..=4096 bits).
    KeySize {
        /// The modulus size seen, in bits.
        bits: usize,
    },
    /// An RSA public key's modulus is even, or its exponent is even or outside 3..=2^33-1.
    KeyParameters,
    /// The verification backend refused a key that passed our own checks.
    KeyRejected,
    /// A private key is not valid PKCS#8 or PKCS#1 PEM, or is not a consistent RSA key.
    PrivateKey,
    /// The requested webhook backend was not compiled in.
    BackendUnavailable,
    /// The RSA signing operation failed (only possible for an inconsistent private key).
    Signing,
    /// The system clock reads before 1970 (`Timestamp::now`, feature `std`).
    Clock,
    /// A `payerDetail` value is not standard-alphabet base64.
    PayerDetailBase64,
    /// A `payerDetail` value decodes to fewer bytes than a 12-byte IV and a 16-byte tag.
    PayerDetailTooShort {
        /// The decoded length, in bytes.
        len: usize,
    },
    /// A `payerDetail` value fails AES-GCM authentication: encrypted under another API secret, or
    /// altered.
    PayerDetailAuthentication,
    /// A `payerDetail` value decrypts to bytes that are not UTF-8.
    PayerDetailUtf8,
    /// A plaintext is too long for AES-GCM (`payer_detail::encrypt`).
    PayerDetailEncryption,
}

impl Error {
    /// A stable, machine-readable name of the rule that failed, in `SCREAMING_SNAKE_CASE`
    /// (`"TIMESTAMP_IN_SECONDS"`, `"NONCE_LENGTH"`, `"KEY_PEM"`, ...).
    ///
    /// Bindings for other runtimes expose it (the npm package's `BinancePayError.code`, the
    /// Python package's `Error.code`); a code never changes meaning once published.
    ///
    /// ```
    /// use binancepay_sign::{Error, Nonce};
    /// assert_eq!(Nonce::new("abc").map_err(|e| e.code()), Err("NONCE_LENGTH"));
    /// assert_eq!(Error::SignatureMismatch.code(), "SIGNATURE_MISMATCH");
    /// ```
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::TimestampSyntax => "TIMESTAMP_SYNTAX",
            Self::TimestampInSeconds { .. } => "TIMESTAMP_IN_SECONDS",
            Self::TimestampTooLarge { .. } => "TIMESTAMP_TOO_LARGE",
            Self::TimestampOutsideWindow { .. } => "TIMESTAMP_OUTSIDE_WINDOW",
            Self::NonceLength { .. } => "NONCE_LENGTH",
            Self::NonceCharacter { .. } => "NONCE_CHARACTER",
            Self::Rng => "RNG",
            Self::ApiKeyLength { .. } => "API_KEY_LENGTH",
            Self::ApiKeyCharacter { .. } => "API_KEY_CHARACTER",
            Self::ApiSecretEmpty => "API_SECRET_EMPTY",
            Self::SignatureLength { .. } => "SIGNATURE_LENGTH",
            Self::SignatureNotHex => "SIGNATURE_NOT_HEX",
            Self::SignatureLowercase => "SIGNATURE_LOWERCASE",
            Self::SignatureBase64 => "SIGNATURE_BASE64",
            Self::SignatureMismatch => "SIGNATURE_MISMATCH",
            Self::KeyPem => "KEY_PEM",
            Self::KeyPemLabel => "KEY_PEM_LABEL",
            Self::KeyBase64 => "KEY_BASE64",
            Self::KeyDer => "KEY_DER",
            Self::KeyAlgorithm => "KEY_ALGORITHM",
            Self::KeySize { .. } => "KEY_SIZE",
            Self::KeyParameters => "KEY_PARAMETERS",
            Self::KeyRejected => "KEY_REJECTED",
            Self::PrivateKey => "PRIVATE_KEY",
            Self::BackendUnavailable => "BACKEND_UNAVAILABLE",
            Self::Signing => "SIGNING",
            Self::Clock => "CLOCK",
            Self::PayerDetailBase64 => "PAYER_DETAIL_BASE64",
            Self::PayerDetailTooShort { .. } => "PAYER_DETAIL_TOO_SHORT",
            Self::PayerDetailAuthentication => "PAYER_DETAIL_AUTHENTICATION",
            Self::PayerDetailUtf8 => "PAYER_DETAIL_UTF8",
            Self::PayerDetailEncryption => "PAYER_DETAIL_ENCRYPTION",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimestampSyntax => f.write_str(
                "timestamp: must be ASCII digits only (epoch milliseconds) and fit in 64 bits",
            ),
            Self::TimestampInSeconds { value } => write!(
                f,
                "timestamp: {value} is below 10^11, which is epoch seconds; send epoch milliseconds"
            ),
            Self::TimestampTooLarge { value } => write!(
                f,
                "timestamp: {value} is 10^14 or more, which is epoch micro- or nanoseconds; send epoch milliseconds"
            ),
            Self::TimestampOutsideWindow { skew_ms, window_ms } => write!(
                f,
                "timestamp: {skew_ms} ms away from the clock (positive = in the past), outside the allowed window of {window_ms} ms"
            ),
            Self::NonceLength { len } => write!(
                f,
                "nonce: {len} bytes long, must be exactly 32 ASCII letters or digits"
            ),
            Self::NonceCharacter { index } => write!(
                f,
                "nonce: byte {index} is not an ASCII letter or digit"
            ),
            Self::Rng => f.write_str("nonce: the operating system's random number generator failed"),
            Self::ApiKeyLength { len } => write!(
                f,
                "api key: {len} bytes long, must be 1 to 128 ASCII letters or digits"
            ),
            Self::ApiKeyCharacter { index } => write!(
                f,
                "api key: byte {index} is not an ASCII letter or digit"
            ),
            Self::ApiSecretEmpty => f.write_str("api secret: must not be empty"),
            Self::SignatureLength { expected, actual } => write!(
                f,
                "signature: length {actual}, must be {expected}"
            ),
            Self::SignatureNotHex => {
                f.write_str("signature: must be hex digits only (0-9, A-F)")
            }
            Self::SignatureLowercase => {
                f.write_str("signature: hex must be upper case (0-9, A-F)")
            }
            Self::SignatureBase64 => {
                f.write_str("signature: must be standard-alphabet base64 with padding")
            }
            Self::SignatureMismatch => {
                f.write_str("signature: does not match the signed content")
            }
            Self::KeyPem => f.write_str(
                "public key: PEM must be one -----BEGIN ...----- / -----END ...----- block with matching labels",
            ),
            Self::KeyPemLabel => f.write_str(
                "public key: PEM label must be PUBLIC KEY or RSA PUBLIC KEY",
            ),
            Self::KeyBase64 => f.write_str("public key: PEM body must be valid base64"),
            Self::KeyDer => f.write_str(
                "public key: must be DER SubjectPublicKeyInfo or PKCS#1 RSAPublicKey",
            ),
            Self::KeyAlgorithm => f.write_str("public key: algorithm must be rsaEncryption"),
            Self::KeySize { bits } => write!(
                f,
                "rsa key: modulus of {bits} bits, must be 1024 to 8192 bits (4096 for signing keys)"
            ),
            Self::KeyParameters => f.write_str(
                "public key: modulus must be odd and exponent odd and within 3..=2^33-1",
            ),
            Self::KeyRejected => f.write_str("public key: rejected by the verification backend"),
            Self::PrivateKey => f.write_str(
                "private key: must be a consistent RSA key in PKCS#8 or PKCS#1 PEM",
            ),
            Self::BackendUnavailable => f.write_str(
                "webhook backend: not compiled in (enable the `rsa` or `aws-lc` feature)",
            ),
            Self::Signing => f.write_str("rsa signing: failed (inconsistent private key)"),
            Self::Clock => f.write_str("timestamp: the system clock reads before 1970"),
            Self::PayerDetailBase64 => {
                f.write_str("payerDetail: must be standard-alphabet base64")
            }
            Self::PayerDetailTooShort { len } => write!(
                f,
                "payerDetail: decodes to {len} bytes, must be at least 28 (12-byte IV and 16-byte tag)"
            ),
            Self::PayerDetailAuthentication => f.write_str(
                "payerDetail: AES-GCM authentication failed (another API secret, or altered data)",
            ),
            Self::PayerDetailUtf8 => f.write_str("payerDetail: decrypted bytes are not UTF-8"),
            Self::PayerDetailEncryption => {
                f.write_str("payerDetail: plaintext too long for AES-GCM")
            }
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::Error;
    use alloc::string::ToString;

    #[test]
    fn messages_name_the_field() {
        let cases = [
            (Error::TimestampSyntax, "timestamp"),
            (Error::TimestampInSeconds { value: 1 }, "seconds"),
            (Error::NonceLength { len: 3 }, "nonce"),
            (Error::ApiKeyCharacter { index: 2 }, "api key"),
            (Error::ApiSecretEmpty, "api secret"),
            (Error::SignatureLowercase, "upper case"),
            (Error::KeySize { bits: 512 }, "512 bits"),
            (
                Error::TimestampOutsideWindow {
                    skew_ms: -5000,
                    window_ms: 1000,
                },
                "-5000 ms",
            ),
        ];
        for (error, needle) in cases {
            let text = error.to_string();
            assert!(text.contains(needle), "{text:?} lacks {needle:?}");
        }
    }

    #[test]
    fn codes_are_distinct_screaming_snake_case() {
        let all = [
            Error::TimestampSyntax,
            Error::TimestampInSeconds { value: 1 },
            Error::TimestampTooLarge { value: 1 },
            Error::TimestampOutsideWindow {
                skew_ms: 1,
                window_ms: 0,
            },
            Error::NonceLength { len: 1 },
            Error::NonceCharacter { index: 1 },
            Error::Rng,
            Error::ApiKeyLength { len: 1 },
            Error::ApiKeyCharacter { index: 1 },
            Error::ApiSecretEmpty,
            Error::SignatureLength {
                expected: 1,
                actual: 2,
            },
            Error::SignatureNotHex,
            Error::SignatureLowercase,
            Error::SignatureBase64,
            Error::SignatureMismatch,
            Error::KeyPem,
            Error::KeyPemLabel,
            Error::KeyBase64,
            Error::KeyDer,
            Error::KeyAlgorithm,
            Error::KeySize { bits: 1 },
            Error::KeyParameters,
            Error::KeyRejected,
            Error::PrivateKey,
            Error::BackendUnavailable,
            Error::Signing,
            Error::Clock,
            Error::PayerDetailBase64,
            Error::PayerDetailTooShort { len: 1 },
            Error::PayerDetailAuthentication,
            Error::PayerDetailUtf8,
            Error::PayerDetailEncryption,
        ];
        let mut codes: alloc::vec::Vec<&str> = all.iter().map(Error::code).collect();
        for code in &codes {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
