//! [`Signature`]: the upper-case hex `BinancePay-Signature` of a request.

use core::fmt;
use core::str::FromStr;

use subtle::{Choice, ConstantTimeEq};

use crate::Error;

/// Length of a request signature: 128 hex characters (64 bytes of HMAC-SHA512).
pub const SIGNATURE_LEN: usize = 128;

/// A request signature: 128 upper-case hex characters, held in a fixed buffer (no heap).
///
/// Equality is constant time, so comparing a received signature with a computed one does not
/// leak how many leading characters matched.
///
/// ```
/// use binancepay_sign::{Error, Signature};
///
/// let hex = "0FEE450C836654F95CA8AC5B99DB385B96CAE1EDC46456A5BEA005BFA020FC113AD61D9B8595BA951A3A562BBB8556B6D063D6BA8AEF488097642E50ACC27ACA";
/// let signature = Signature::parse(hex)?;
/// assert_eq!(signature.as_str(), hex);
/// assert_eq!(Signature::parse(&hex.to_lowercase()), Err(Error::SignatureLowercase));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// Encodes a raw HMAC-SHA512 tag as upper-case hex.
    pub(crate) fn from_tag(tag: &[u8; SIGNATURE_LEN / 2]) -> Self {
        let mut out = [0u8; SIGNATURE_LEN];
        for (pair, &byte) in out.chunks_exact_mut(2).zip(tag) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        Self(out)
    }

    /// Parses a received `BinancePay-Signature` value.
    ///
    /// The length is checked first (it is public); then every character is classified without
    /// branching on its value, so the time taken does not depend on where a bad character is.
    ///
    /// # Errors
    /// [`Error::SignatureLength`] unless there are 128 bytes, [`Error::SignatureNotHex`] for a
    /// byte outside `0-9A-Fa-f`, [`Error::SignatureLowercase`] for hex using `a-f`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bytes: [u8; SIGNATURE_LEN] =
            text.as_bytes()
                .try_into()
                .map_err(|_| Error::SignatureLength {
                    expected: SIGNATURE_LEN,
                    actual: text.len(),
                })?;
        // The received value is public (it came over the wire): plain branches are fine here;
        // only the comparison with the expected MAC must be constant time.
        let mut not_hex = false;
        let mut lower = false;
        for &byte in &bytes {
            let is_digit = byte.wrapping_sub(b'0') < 10;
            let is_upper = byte.wrapping_sub(b'A') < 6;
            let is_lower = byte.wrapping_sub(b'a') < 6;
            not_hex |= !(is_digit | is_upper | is_lower);
            lower |= is_lower;
        }
        if not_hex {
            Err(Error::SignatureNotHex)
        } else if lower {
            Err(Error::SignatureLowercase)
        } else {
            Ok(Self(bytes))
        }
    }

    /// The header text: 128 upper-case hex characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Every byte is ASCII by construction, so this never takes the fallback.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Encodes one byte as two upper-case hex digits with arithmetic instead of a table lookup, so
/// encoding an expected signature before comparison does not touch memory at secret-dependent
/// addresses. Both nibbles are handled at once, one per byte lane of a `u16`.
const fn hex_pair(byte: u8) -> [u8; 2] {
    // Low lane: high nibble (printed first); high lane: low nibble. Each lane holds 0..=15.
    let lanes = (byte >> 4) as u16 | (((byte & 0x0F) as u16) << 8);
    // Bit 4 of (n + 6) is set exactly when n > 9; no lane overflows, so lanes stay independent.
    let letters = ((lanes + 0x0606) >> 4) & 0x0101;
    // '0' + n for digits; the extra 7 skips from '9' + 1 to 'A' for letters.
    (lanes + 0x3030 + letters * 7).to_le_bytes()
}

impl ConstantTimeEq for Signature {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Signature {}

impl FromStr for Signature {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Signature").field(&self.as_str()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{SIGNATURE_LEN, Signature, hex_pair};
    use crate::Error;
    use alloc::string::String;
    use proptest::prelude::*;

    #[test]
    fn hex_pairs_cover_every_byte() {
        for byte in 0..=u8::MAX {
            let expected = alloc::format!("{byte:02X}");
            assert_eq!(&hex_pair(byte), expected.as_bytes());
        }
    }

    #[test]
    fn parse_errors_are_distinct() {
        let good = "A".repeat(SIGNATURE_LEN);
        assert!(Signature::parse(&good).is_ok());
        assert_eq!(
            Signature::parse(&good[1..]),
            Err(Error::SignatureLength {
                expected: 128,
                actual: 127
            })
        );
        assert_eq!(
            Signature::parse(&"a".repeat(SIGNATURE_LEN)),
            Err(Error::SignatureLowercase)
        );
        let mut not_hex = "A".repeat(SIGNATURE_LEN - 1);
        not_hex.push('G');
        assert_eq!(Signature::parse(&not_hex), Err(Error::SignatureNotHex));
        // A non-hex byte wins over lower case anywhere else.
        let mut mixed = "a".repeat(SIGNATURE_LEN - 1);
        mixed.push(' ');
        assert_eq!(Signature::parse(&mixed), Err(Error::SignatureNotHex));
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC*") {
            let _ = Signature::parse(&text);
        }

        #[test]
        fn encoding_round_trips(tag in proptest::collection::vec(any::<u8>(), 64)) {
            let mut raw = [0u8; 64];
            raw.copy_from_slice(&tag);
            let signature = Signature::from_tag(&raw);
            let expected: String = tag.iter().map(|b| alloc::format!("{b:02X}")).collect();
            prop_assert_eq!(signature.as_str(), expected.as_str());
            prop_assert_eq!(Signature::parse(signature.as_str()), Ok(signature));
        }
    }
}
