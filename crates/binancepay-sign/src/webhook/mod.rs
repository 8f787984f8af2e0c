//! Webhook verification: RSASSA-PKCS1-v1_5 / SHA-256 over `timestamp\nnonce\nbody\n`.
//!
//! Binance signs each notification with the key that `/binancepay/openapi/certificates` returns
//! (`certPublic`, a PEM public key). [`WebhookPublicKey::verify`] checks the `BinancePay-Signature`
//! header (base64) against the **raw** request body: parse the JSON only after verifying, never
//! re-serialize it first.
//!
//! # Backends
//!
//! * [`Backend::RustCrypto`] (feature `rsa`, on by default): the pure-Rust RustCrypto `rsa`
//!   crate. Builds for `no_std` + `alloc`, `wasm32-unknown-unknown` and embedded targets.
//! * [`Backend::AwsLc`] (feature `aws-lc`): aws-lc-rs, AWS's C/assembly library, several times
//!   faster. When both features are on, keys use aws-lc-rs unless a backend is chosen with
//!   [`WebhookPublicKey::from_pem_with`]: it is the one native library the project already uses
//!   as its benchmark reference, it still accepts 1024-bit keys (through
//!   `RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY`, which matters because a public Binance
//!   test key is 1024-bit; ring only goes down to 2048), and it has a FIPS-validated build.
//!
//! Both backends accept exactly the same keys (1024 to 8192 bits; odd modulus; odd exponent in
//! 3..=2^33-1, checked here before either sees the key) and give the same answer on every input.
//!
//! `WebhookSigningKey` (feature `signing`) is the other side, for servers that send webhooks
//! (such as a sandbox).

mod der;
mod pem;
#[cfg(feature = "signing")]
mod signing;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;
use pem::PemKind;

#[cfg(feature = "signing")]
#[cfg_attr(docsrs, doc(cfg(feature = "signing")))]
pub use signing::{MAX_SIGNING_KEY_BITS, WebhookSigningKey};

/// Smallest accepted RSA modulus, in bits.
pub const MIN_KEY_BITS: usize = 1024;
/// Largest accepted RSA modulus, in bits.
pub const MAX_KEY_BITS: usize = 8192;

/// Largest accepted public exponent (the limit of the `rsa` crate; aws-lc allows 33 bits too).
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// Which implementation performs the RSA operation.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The pure-Rust RustCrypto `rsa` crate (feature `rsa`).
    RustCrypto,
    /// aws-lc-rs (feature `aws-lc`).
    AwsLc,
}

impl Backend {
    /// Whether this backend was compiled in.
    #[must_use]
    pub const fn is_available(self) -> bool {
        match self {
            Self::RustCrypto => cfg!(feature = "rsa"),
            Self::AwsLc => cfg!(feature = "aws-lc"),
        }
    }

    /// The backend [`WebhookPublicKey::from_pem`] and [`WebhookPublicKey::from_der`] use:
    /// aws-lc-rs when compiled in, otherwise RustCrypto.
    #[must_use]
    pub const fn preferred() -> Self {
        if cfg!(feature = "aws-lc") {
            Self::AwsLc
        } else {
            Self::RustCrypto
        }
    }
}

#[derive(Clone)]
enum Verifier {
    #[cfg(feature = "rsa")]
    RustCrypto(rsa::RsaPublicKey),
    #[cfg(feature = "aws-lc")]
    AwsLc(aws_lc_rs::signature::ParsedPublicKey),
    /// Without a backend no key can be made: parsing answers [`Error::BackendUnavailable`].
    #[cfg(not(any(feature = "rsa", feature = "aws-lc")))]
    #[allow(dead_code)]
    None(core::convert::Infallible),
}

/// Binance's webhook public key (`certPublic`), parsed once and reused for every notification.
///
/// ```
/// use binancepay_sign::webhook::WebhookPublicKey;
/// # if !binancepay_sign::webhook::Backend::preferred().is_available() { return Ok(()); }
///
/// let key = WebhookPublicKey::from_pem(
///     "-----BEGIN PUBLIC KEY-----
/// MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCVAMXVTMIuttHcP1kvSk9V39S7
/// BqDbY+LC9JfwMzyoubo3fdsqBf4EmB1PfBUigcOL5YBqMKGEE6xmVw6SXCTH4JwX
/// dqJ4IRiXf76YMt6PB0dMzu/qCmhaGFGkqT6vJM0hHyEbtS/P3FR9ZU+eaOvynLWb
/// FvXTzIoctZM1IvDrCwIDAQAB
/// -----END PUBLIC KEY-----",
/// )?;
/// assert_eq!(key.bits(), 1024);
/// assert!(WebhookPublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----").is_err());
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
#[derive(Clone)]
pub struct WebhookPublicKey {
    /// Canonical PKCS#1 `RSAPublicKey` DER, kept to re-encode and to switch backends.
    pkcs1: Vec<u8>,
    bits: usize,
    verifier: Verifier,
}

impl WebhookPublicKey {
    /// Parses PEM: `-----BEGIN PUBLIC KEY-----` (`SubjectPublicKeyInfo`, what Binance serves) or
    /// `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1), with the [preferred](Backend::preferred) backend.
    ///
    /// # Errors
    /// [`Error::KeyPem`], [`Error::KeyPemLabel`] or [`Error::KeyBase64`] for bad armour;
    /// [`Error::KeyDer`] or [`Error::KeyAlgorithm`] for bad contents; [`Error::KeySize`] outside
    /// 1024..=8192 bits; [`Error::KeyParameters`] for an even modulus or a bad exponent;
    /// [`Error::KeyRejected`] if the backend still refuses the key.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        Self::from_pem_with(pem, Backend::preferred())
    }

    /// [`WebhookPublicKey::from_pem`] with a chosen backend.
    ///
    /// # Errors
    /// As [`WebhookPublicKey::from_pem`], plus [`Error::BackendUnavailable`].
    pub fn from_pem_with(pem: &str, backend: Backend) -> Result<Self, Error> {
        let (kind, der) = pem::decode(pem)?;
        let pkcs1 = match kind {
            PemKind::Spki => der::parse_spki(&der)?,
            PemKind::Pkcs1 => der::parse_pkcs1(&der).map(|_| der.as_slice())?,
        };
        Self::from_pkcs1(pkcs1, backend)
    }

    /// Parses DER, either `SubjectPublicKeyInfo` or PKCS#1 `RSAPublicKey`, with the
    /// [preferred](Backend::preferred) backend.
    ///
    /// # Errors
    /// As [`WebhookPublicKey::from_pem`], without the PEM errors.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_der_with(der, Backend::preferred())
    }

    /// [`WebhookPublicKey::from_der`] with a chosen backend.
    ///
    /// # Errors
    /// As [`WebhookPublicKey::from_der`], plus [`Error::BackendUnavailable`].
    pub fn from_der_with(der: &[u8], backend: Backend) -> Result<Self, Error> {
        Self::from_pkcs1(der::parse_any(der)?, backend)
    }

    /// The same key on another backend.
    ///
    /// # Errors
    /// [`Error::BackendUnavailable`] if that backend was not compiled in.
    pub fn with_backend(&self, backend: Backend) -> Result<Self, Error> {
        Self::from_pkcs1(&self.pkcs1, backend)
    }

    // Without a backend every path ends in `BackendUnavailable`.
    #[cfg_attr(
        not(any(feature = "rsa", feature = "aws-lc")),
        allow(unused_variables, unreachable_code)
    )]
    fn from_pkcs1(pkcs1: &[u8], backend: Backend) -> Result<Self, Error> {
        let parts = der::parse_pkcs1(pkcs1)?;
        let bits = check_parameters(parts)?;
        let verifier = match backend {
            #[cfg(feature = "rsa")]
            Backend::RustCrypto => Verifier::RustCrypto(
                rsa::RsaPublicKey::new_with_max_size(
                    rsa::BigUint::from_bytes_be(parts.modulus),
                    rsa::BigUint::from_bytes_be(parts.exponent),
                    // new() stops at 4096 bits; Binance's key size is not documented.
                    MAX_KEY_BITS,
                )
                .map_err(|_| Error::KeyRejected)?,
            ),
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => Verifier::AwsLc(
                aws_lc_rs::signature::ParsedPublicKey::new(
                    &aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    pkcs1,
                )
                .map_err(|_| Error::KeyRejected)?,
            ),
            #[allow(unreachable_patterns)]
            _ => return Err(Error::BackendUnavailable),
        };
        Ok(Self {
            pkcs1: pkcs1.to_vec(),
            bits,
            verifier,
        })
    }

    /// Size of the modulus in bits (1024..=8192).
    #[must_use]
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The backend this key verifies with.
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self.verifier {
            #[cfg(feature = "rsa")]
            Verifier::RustCrypto(_) => Backend::RustCrypto,
            #[cfg(feature = "aws-lc")]
            Verifier::AwsLc(_) => Backend::AwsLc,
            #[cfg(not(any(feature = "rsa", feature = "aws-lc")))]
            Verifier::None(never) => match never {},
        }
    }

    /// The key as DER `SubjectPublicKeyInfo` (e.g. to fingerprint it).
    #[must_use]
    pub fn to_spki_der(&self) -> Vec<u8> {
        der::encode_spki(&self.pkcs1)
    }

    /// The key as PKCS#1 `RSAPublicKey` DER.
    #[must_use]
    pub fn to_pkcs1_der(&self) -> Vec<u8> {
        self.pkcs1.clone()
    }

    /// The key as `-----BEGIN PUBLIC KEY-----` PEM, the form Binance's certificates endpoint serves.
    #[must_use]
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.to_spki_der())
    }

    /// Verifies a webhook: `BinancePay-Timestamp`, `BinancePay-Nonce`, the raw body bytes and
    /// `BinancePay-Signature`.
    ///
    /// The header values are taken as they arrived and signed as-is: this does not check that the
    /// timestamp is in milliseconds or recent, nor that the nonce has 32 characters (a published
    /// test vector uses the nonce `abc`). Freshness ([`check_freshness`](crate::check_freshness))
    /// and replay checks belong to the caller. The signature is standard-alphabet base64 with
    /// padding; surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`Error::SignatureBase64`] if the header is not base64, [`Error::SignatureLength`] if it
    /// does not decode to the key's size, [`Error::SignatureMismatch`] if it does not verify.
    pub fn verify(
        &self,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
        signature_b64: &str,
    ) -> Result<(), Error> {
        self.verify_parts(
            &[
                timestamp.as_bytes(),
                b"\n",
                nonce.as_bytes(),
                b"\n",
                body,
                b"\n",
            ],
            signature_b64,
        )
    }

    /// Verifies a signature over an arbitrary message, without the webhook framing.
    ///
    /// For diagnostics and raw test vectors; webhooks go through [`WebhookPublicKey::verify`].
    ///
    /// # Errors
    /// As [`WebhookPublicKey::verify`].
    pub fn verify_message(&self, message: &[u8], signature_b64: &str) -> Result<(), Error> {
        self.verify_parts(&[message], signature_b64)
    }

    #[cfg_attr(
        not(any(feature = "rsa", feature = "aws-lc")),
        allow(unused_variables, unreachable_code)
    )]
    fn verify_parts(&self, parts: &[&[u8]], signature_b64: &str) -> Result<(), Error> {
        let signature = STANDARD
            .decode(signature_b64.trim_ascii())
            .map_err(|_| Error::SignatureBase64)?;
        let expected = self.bits.div_ceil(8);
        if signature.len() != expected {
            return Err(Error::SignatureLength {
                expected,
                actual: signature.len(),
            });
        }
        match &self.verifier {
            #[cfg(feature = "rsa")]
            Verifier::RustCrypto(key) => {
                use sha2::Digest as _;
                let mut hasher = sha2::Sha256::new();
                for part in parts {
                    hasher.update(part);
                }
                let digest = hasher.finalize();
                key.verify(
                    rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    &digest,
                    &signature,
                )
                .map_err(|_| Error::SignatureMismatch)
            }
            #[cfg(feature = "aws-lc")]
            Verifier::AwsLc(key) => {
                let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
                for part in parts {
                    context.update(part);
                }
                key.verify_digest_sig(&context.finish(), &signature)
                    .map_err(|_| Error::SignatureMismatch)
            }
            #[cfg(not(any(feature = "rsa", feature = "aws-lc")))]
            Verifier::None(never) => match *never {},
        }
    }
}

/// The rules both backends agree on, checked before either sees the key; returns the bit size.
fn check_parameters(parts: der::RsaParts<'_>) -> Result<usize, Error> {
    let bits = match parts.modulus.first() {
        Some(&top) => parts.modulus.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    };
    if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
        return Err(Error::KeySize { bits });
    }
    let modulus_odd = parts.modulus.last().is_some_and(|b| b & 1 == 1);
    let exponent = if parts.exponent.len() <= 8 {
        parts
            .exponent
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    } else {
        u64::MAX
    };
    if !modulus_odd || exponent & 1 == 0 || !(3..=MAX_EXPONENT).contains(&exponent) {
        return Err(Error::KeyParameters);
    }
    Ok(bits)
}

impl PartialEq for WebhookPublicKey {
    /// Same key material, whatever the backend.
    fn eq(&self, other: &Self) -> bool {
        self.pkcs1 == other.pkcs1
    }
}

impl Eq for WebhookPublicKey {}

impl fmt::Debug for WebhookPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookPublicKey")
            .field("bits", &self.bits)
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, WebhookPublicKey, check_parameters, der};
    use crate::Error;
    use alloc::vec;
    use proptest::prelude::*;

    fn key_with(modulus: &[u8], exponent: &[u8]) -> Result<WebhookPublicKey, Error> {
        WebhookPublicKey::from_der(&der::encode_pkcs1(modulus, exponent))
    }

    #[test]
    fn parameter_rules() {
        let mut modulus = vec![0xC5u8; 128];
        assert_eq!(
            check_parameters(der::RsaParts {
                modulus: &modulus,
                exponent: &[1, 0, 1]
            }),
            Ok(1024)
        );
        assert_eq!(
            key_with(&modulus[1..], &[1, 0, 1]).map(|k| k.bits()),
            Err(Error::KeySize { bits: 1016 })
        );
        assert_eq!(
            key_with(&[0xC5; 1025], &[3]).map(|k| k.bits()),
            Err(Error::KeySize { bits: 8200 })
        );
        assert_eq!(
            key_with(&modulus, &[1]).map(|k| k.bits()),
            Err(Error::KeyParameters)
        );
        assert_eq!(
            key_with(&modulus, &[1, 0, 0]).map(|k| k.bits()),
            Err(Error::KeyParameters)
        );
        assert_eq!(
            key_with(&modulus, &[2, 0, 0, 0, 1]).map(|k| k.bits()),
            Err(Error::KeyParameters)
        );
        assert_eq!(
            key_with(&modulus, &[1; 9]).map(|k| k.bits()),
            Err(Error::KeyParameters)
        );
        modulus[127] = 0xC4;
        assert_eq!(
            key_with(&modulus, &[3]).map(|k| k.bits()),
            Err(Error::KeyParameters)
        );
    }

    #[test]
    fn backends_report_availability() {
        assert_eq!(Backend::RustCrypto.is_available(), cfg!(feature = "rsa"));
        assert_eq!(Backend::AwsLc.is_available(), cfg!(feature = "aws-lc"));
        assert_eq!(
            Backend::preferred().is_available(),
            cfg!(any(feature = "rsa", feature = "aws-lc"))
        );
        for backend in [Backend::RustCrypto, Backend::AwsLc] {
            let key = WebhookPublicKey::from_der_with(
                &der::encode_pkcs1(&[0xC5; 128], &[1, 0, 1]),
                backend,
            );
            match key {
                Ok(key) => assert_eq!(key.backend(), backend),
                Err(error) => {
                    assert!(!backend.is_available());
                    assert_eq!(error, Error::BackendUnavailable);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn from_der_never_panics(der in proptest::collection::vec(any::<u8>(), 0..700)) {
            let _ = WebhookPublicKey::from_der(&der);
        }

        #[test]
        fn from_pem_never_panics(text in "\\PC*") {
            let _ = WebhookPublicKey::from_pem(&text);
        }

        /// Random odd moduli are valid-looking keys: verification must fail cleanly, not panic.
        #[cfg(any(feature = "rsa", feature = "aws-lc"))]
        #[test]
        fn verify_never_panics(mut modulus in proptest::collection::vec(any::<u8>(), 128..=160),
                               signature in "\\PC*", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Some(first) = modulus.first_mut() { *first |= 0x80; }
            if let Some(last) = modulus.last_mut() { *last |= 1; }
            let key = key_with(&modulus, &[1, 0, 1]);
            prop_assert!(key.is_ok());
            if let Ok(key) = key {
                prop_assert!(key.verify("1", "2", &body, &signature).is_err());
                let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &modulus);
                prop_assert!(key.verify("1", "2", &body, &b64).is_err());
            }
        }
    }
}
