//! The sending side of webhooks: signs notifications the way Binance does (feature `signing`).

use alloc::string::String;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::TryCryptoRng;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use sha2::Digest as _;
use zeroize::Zeroizing;

use super::{MIN_KEY_BITS, WebhookPublicKey, der};
use crate::Error;

/// Largest signing key: the `rsa` crate's private-key checks stop at 4096 bits.
pub const MAX_SIGNING_KEY_BITS: usize = 4096;

/// An RSA private key that signs webhooks (RSASSA-PKCS1-v1_5 / SHA-256, base64).
///
/// For servers that send notifications, such as a sandbox standing in for Binance. Uses the
/// pure-Rust `rsa` crate, whose private-key operation is not constant time and is not blinded
/// here (no RNG is taken): fine for test and sandbox keys, not for keys an attacker can time.
/// The key material is zeroized on drop by the `rsa` crate; `Debug` shows only the size.
///
/// ```
/// use binancepay_sign::webhook::WebhookSigningKey;
/// use rand::rngs::OsRng;
///
/// let key = WebhookSigningKey::generate(&mut OsRng, 1024)?;
/// let body = br#"{"bizType":"PAY","bizStatus":"PAY_SUCCESS"}"#;
/// let signature = key.sign("1700000000000", "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA", body)?;
/// key.public_key().verify("1700000000000", "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA", body, &signature)?;
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
pub struct WebhookSigningKey {
    key: rsa::RsaPrivateKey,
    public: WebhookPublicKey,
    public_pem: String,
}

impl WebhookSigningKey {
    /// Parses a `-----BEGIN PRIVATE KEY-----` (PKCS#8) PEM.
    ///
    /// # Errors
    /// [`Error::PrivateKey`] if the PEM is not an RSA PKCS#8 key or the key is inconsistent;
    /// [`Error::KeySize`] outside 1024..=4096 bits.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, Error> {
        Self::from_key(rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| Error::PrivateKey)?)
    }

    /// Parses a `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) PEM.
    ///
    /// # Errors
    /// As [`WebhookSigningKey::from_pkcs8_pem`].
    pub fn from_pkcs1_pem(pem: &str) -> Result<Self, Error> {
        Self::from_key(rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| Error::PrivateKey)?)
    }

    /// Generates a key with exponent 65537. Slow: about a second for 2048 bits in release builds.
    ///
    /// Takes any cryptographic RNG of the `rand_core` 0.9 generation (`rand::rngs::OsRng`,
    /// `rand::rng()` …); the `rsa` crate's own generation is adapted inside.
    ///
    /// # Errors
    /// [`Error::KeySize`] unless `bits` is in 1024..=4096; [`Error::Rng`] if the RNG fails (the
    /// key drawn so far is discarded); [`Error::PrivateKey`] if generation fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self, Error> {
        if !(MIN_KEY_BITS..=MAX_SIGNING_KEY_BITS).contains(&bits) {
            return Err(Error::KeySize { bits });
        }
        let mut adapted = Rng06 { rng, failed: false };
        let key = rsa::RsaPrivateKey::new(&mut adapted, bits);
        if adapted.failed {
            return Err(Error::Rng);
        }
        Self::from_key(key.map_err(|_| Error::PrivateKey)?)
    }

    fn from_key(key: rsa::RsaPrivateKey) -> Result<Self, Error> {
        key.validate().map_err(|_| Error::PrivateKey)?;
        let bits = key.n().bits();
        if !(MIN_KEY_BITS..=MAX_SIGNING_KEY_BITS).contains(&bits) {
            return Err(Error::KeySize { bits });
        }
        let pkcs1 = der::encode_pkcs1(&key.n().to_bytes_be(), &key.e().to_bytes_be());
        let public = WebhookPublicKey::from_der(&pkcs1)?;
        let public_pem = public.to_pem();
        Ok(Self {
            key,
            public,
            public_pem,
        })
    }

    /// Signs `timestamp\nnonce\nbody\n` and returns the base64 `BinancePay-Signature` value.
    ///
    /// # Errors
    /// [`Error::Signing`] only if the RSA operation fails, which the constructors' consistency
    /// checks rule out; it is a `Result` so that no input can make this panic.
    pub fn sign(&self, timestamp: &str, nonce: &str, body: &[u8]) -> Result<String, Error> {
        let mut hasher = sha2::Sha256::new();
        for part in [
            timestamp.as_bytes(),
            b"\n",
            nonce.as_bytes(),
            b"\n",
            body,
            b"\n",
        ] {
            hasher.update(part);
        }
        let signature = self
            .key
            .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hasher.finalize())
            .map_err(|_| Error::Signing)?;
        Ok(STANDARD.encode(signature))
    }

    /// The matching public key, on the preferred backend.
    #[must_use]
    pub fn public_key(&self) -> WebhookPublicKey {
        self.public.clone()
    }

    /// The matching public key as `-----BEGIN PUBLIC KEY-----` PEM (what `/certificates` serves).
    #[must_use]
    pub fn public_key_pem(&self) -> String {
        self.public_pem.clone()
    }

    /// The private key as PKCS#8 PEM, to persist a generated key; wiped from memory on drop.
    ///
    /// # Errors
    /// [`Error::PrivateKey`] if encoding fails.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        use rsa::pkcs8::EncodePrivateKey as _;
        self.key
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|_| Error::PrivateKey)
    }
}

/// A `rand_core` 0.9 RNG seen through the 0.6 traits the `rsa` crate takes.
///
/// The 0.6 `fill_bytes` cannot fail, so a failure of the inner RNG is recorded and the caller
/// discards whatever was generated with it.
struct Rng06<'a, R: ?Sized> {
    rng: &'a mut R,
    failed: bool,
}

impl<R: TryCryptoRng + ?Sized> rand_core_06::RngCore for Rng06<'_, R> {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.rng.try_fill_bytes(dest).is_err() {
            self.failed = true;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl<R: TryCryptoRng + ?Sized> rand_core_06::CryptoRng for Rng06<'_, R> {}

impl fmt::Debug for WebhookSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSigningKey")
            .field("bits", &self.public.bits())
            .field("key", &"[REDACTED]")
            .finish()
    }
}
