//! `BinancePay-Nonce`: 32 ASCII letters or digits.

use core::fmt;
use core::str::FromStr;

use rand_core::TryCryptoRng;

use crate::Error;

/// Length of every nonce, in bytes.
pub const NONCE_LEN: usize = 32;

/// Random bytes one nonce is drawn from ([`Nonce::from_random_bytes`]): four per letter.
pub const NONCE_RANDOM_BYTES: usize = NONCE_LEN * 4;

const LETTERS: &[u8; 52] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A `BinancePay-Nonce` value: exactly 32 ASCII letters or digits.
///
/// Binance's docs suggest letters only while its own SDKs send lower-case hex, and the documented
/// example mixes both; what every reading agrees on is "32 ASCII alphanumerics", which is what
/// [`Nonce::new`] accepts. [`Nonce::generate`] produces `[A-Za-z]{32}`, valid under every reading.
///
/// ```
/// use binancepay_sign::Nonce;
///
/// let nonce = Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA")?;
/// assert_eq!(nonce.as_str().len(), 32);
/// assert!(Nonce::new("abc").is_err());
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// Validates header text.
    ///
    /// # Errors
    /// [`Error::NonceLength`] unless the text is 32 bytes, [`Error::NonceCharacter`] for a byte
    /// outside `A-Z`, `a-z`, `0-9`.
    pub fn new(text: &str) -> Result<Self, Error> {
        let bytes: [u8; NONCE_LEN] = text
            .as_bytes()
            .try_into()
            .map_err(|_| Error::NonceLength { len: text.len() })?;
        if let Some(index) = bytes.iter().position(|b| !b.is_ascii_alphanumeric()) {
            return Err(Error::NonceCharacter { index });
        }
        Ok(Self(bytes))
    }

    /// Draws 32 letters from `A-Z` and `a-z` with the given cryptographic RNG.
    ///
    /// Each letter comes from 32 random bits mapped onto the 52 letters by multiply-and-shift;
    /// the residual bias (below 2^-26 per letter) does not help anyone predict a nonce, and unlike
    /// rejection sampling this cannot loop on a faulty RNG.
    ///
    /// Takes any RNG of the `rand_core` 0.9 generation that is cryptographic, fallible or not:
    /// `rand::rngs::OsRng`, `rand::rng()`, a seeded `ChaCha20Rng` …
    ///
    /// ```
    /// use binancepay_sign::Nonce;
    /// use rand::rngs::OsRng;
    ///
    /// let nonce = Nonce::generate(&mut OsRng)?;
    /// assert!(nonce.as_str().bytes().all(|b| b.is_ascii_alphabetic()));
    /// # Ok::<(), binancepay_sign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Rng`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        let mut random = [0u8; NONCE_RANDOM_BYTES];
        rng.try_fill_bytes(&mut random).map_err(|_| Error::Rng)?;
        Ok(Self::from_random(&random))
    }

    /// Draws a nonce from the operating system's RNG (feature `getrandom`).
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system cannot provide random bytes.
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn from_os_rng() -> Result<Self, Error> {
        Self::generate(&mut rand_core::OsRng)
    }

    /// The nonce [`generate`](Self::generate) makes from these 128 random bytes, for a caller
    /// that draws its randomness itself (e.g. many nonces' worth from the OS at once). The bytes
    /// must come from a cryptographic RNG and be used for one nonce only.
    ///
    /// ```
    /// use binancepay_sign::{NONCE_RANDOM_BYTES, Nonce};
    ///
    /// let random = [0x5Au8; NONCE_RANDOM_BYTES]; // use bytes from a CSPRNG
    /// let nonce = Nonce::from_random_bytes(&random);
    /// assert!(nonce.as_str().bytes().all(|b| b.is_ascii_alphabetic()));
    /// ```
    #[must_use]
    pub fn from_random_bytes(random: &[u8; NONCE_RANDOM_BYTES]) -> Self {
        Self::from_random(random)
    }

    fn from_random(random: &[u8; NONCE_RANDOM_BYTES]) -> Self {
        let mut out = [0u8; NONCE_LEN];
        for (slot, chunk) in out.iter_mut().zip(random.chunks_exact(4)) {
            let word = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            // word < 2^32, so the product is < 52 * 2^32 and the shift gives 0..=51.
            let index = ((word * 52) >> 32) as usize;
            *slot = LETTERS[index];
        }
        Self(out)
    }

    /// The header text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Every byte is ASCII by construction, so this never takes the fallback.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for Nonce {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::new(text)
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{NONCE_LEN, Nonce};
    use crate::Error;
    use proptest::prelude::*;

    #[test]
    fn validation() {
        assert!(Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA").is_ok());
        assert!(Nonce::new("5f14d51f62136d24c87480faa9009d7d").is_ok());
        assert_eq!(Nonce::new("abc"), Err(Error::NonceLength { len: 3 }));
        assert_eq!(
            Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4s-"),
            Err(Error::NonceCharacter { index: 31 })
        );
        // 32 bytes but 31 characters: the length is counted in bytes.
        assert_eq!(
            Nonce::new("é5RhaTrZPhknNv0kDSA2UQ67cPMVNS4"),
            Err(Error::NonceCharacter { index: 0 })
        );
    }

    #[test]
    fn extreme_random_bytes_stay_in_alphabet() {
        assert_eq!(
            Nonce::from_random(&[0; NONCE_LEN * 4]).as_str(),
            "A".repeat(32)
        );
        assert_eq!(
            Nonce::from_random(&[0xFF; NONCE_LEN * 4]).as_str(),
            "z".repeat(32)
        );
    }

    /// An RNG that always fails, to check the error path.
    struct Broken;

    impl rand_core::TryRngCore for Broken {
        type Error = core::fmt::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Err(core::fmt::Error)
        }
    }

    impl rand_core::TryCryptoRng for Broken {}

    #[test]
    fn a_failing_rng_is_an_error_not_a_weak_nonce() {
        assert_eq!(Nonce::generate(&mut Broken), Err(Error::Rng));
    }

    #[cfg(feature = "getrandom")]
    #[test]
    fn os_rng_nonces_differ() {
        let a = Nonce::from_os_rng();
        let b = Nonce::from_os_rng();
        assert!(a.is_ok() && b.is_ok());
        assert_ne!(a, b);
    }

    proptest! {
        #[test]
        fn new_never_panics(text in "\\PC*") {
            let _ = Nonce::new(&text);
        }

        #[test]
        fn generated_nonces_are_valid_letters(random in proptest::collection::vec(any::<u8>(), NONCE_LEN * 4)) {
            let mut bytes = [0u8; NONCE_LEN * 4];
            bytes.copy_from_slice(&random);
            let nonce = Nonce::from_random(&bytes);
            prop_assert!(nonce.as_str().bytes().all(|b| b.is_ascii_alphabetic()));
            prop_assert_eq!(Nonce::new(nonce.as_str()), Ok(nonce));
        }

        #[test]
        fn valid_text_round_trips(text in "[A-Za-z0-9]{32}") {
            let nonce = Nonce::new(&text);
            prop_assert_eq!(nonce.map(|n| n.as_str() == text), Ok(true));
        }
    }
}
