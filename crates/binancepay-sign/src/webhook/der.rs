//! Just enough DER for RSA public keys: `SubjectPublicKeyInfo` and PKCS#1 `RSAPublicKey`.
//!
//! Strict DER (minimal lengths and integers, nothing trailing), so one key has one encoding and
//! re-encoding a parsed key gives back the input bytes.

use alloc::vec::Vec;

use crate::Error;

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// 1.2.840.113549.1.1.1 (rsaEncryption), content bytes of the OID.
const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// The two integers of an RSA public key, big-endian, without sign or leading zero bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RsaParts<'a> {
    pub(crate) modulus: &'a [u8],
    pub(crate) exponent: &'a [u8],
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// Reads one tag-length-value and returns the value.
    fn read(&mut self, tag: u8) -> Result<&'a [u8], Error> {
        let (&seen, rest) = self.0.split_first().ok_or(Error::KeyDer)?;
        if seen != tag {
            return Err(Error::KeyDer);
        }
        let (&first, mut rest) = rest.split_first().ok_or(Error::KeyDer)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form; 0x80 (indefinite) is BER only, and 4 bytes cover any key we accept.
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 4 {
                return Err(Error::KeyDer);
            }
            let (len_bytes, after) = rest.split_at_checked(count).ok_or(Error::KeyDer)?;
            if len_bytes.first() == Some(&0) {
                return Err(Error::KeyDer);
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(Error::KeyDer);
            }
            rest = after;
            len
        };
        let (value, after) = rest.split_at_checked(len).ok_or(Error::KeyDer)?;
        self.0 = after;
        Ok(value)
    }

    fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::KeyDer)
        }
    }
}

/// The magnitude of a DER INTEGER that must be positive and minimally encoded.
fn positive_integer(value: &[u8]) -> Result<&[u8], Error> {
    match value {
        [] => Err(Error::KeyDer),
        [first, ..] if first & 0x80 != 0 => Err(Error::KeyDer),
        [0, second, ..] if second & 0x80 == 0 => Err(Error::KeyDer),
        [0, rest @ ..] => Ok(rest),
        _ => Ok(value),
    }
}

/// Parses PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub(crate) fn parse_pkcs1(der: &[u8]) -> Result<RsaParts<'_>, Error> {
    let mut outer = Reader(der);
    let mut fields = Reader(outer.read(TAG_SEQUENCE)?);
    outer.finish()?;
    let modulus = positive_integer(fields.read(TAG_INTEGER)?)?;
    let exponent = positive_integer(fields.read(TAG_INTEGER)?)?;
    fields.finish()?;
    Ok(RsaParts { modulus, exponent })
}

/// Parses `SubjectPublicKeyInfo` for rsaEncryption and returns the inner PKCS#1 bytes.
pub(crate) fn parse_spki(der: &[u8]) -> Result<&[u8], Error> {
    let mut outer = Reader(der);
    let mut fields = Reader(outer.read(TAG_SEQUENCE)?);
    outer.finish()?;
    let mut algorithm = Reader(fields.read(TAG_SEQUENCE)?);
    if algorithm.read(TAG_OID)? != RSA_ENCRYPTION {
        return Err(Error::KeyAlgorithm);
    }
    // The parameters must be NULL; some encoders omit them, which is harmless.
    if algorithm.peek_tag().is_some() && !algorithm.read(TAG_NULL)?.is_empty() {
        return Err(Error::KeyDer);
    }
    algorithm.finish()?;
    let bits = fields.read(TAG_BIT_STRING)?;
    fields.finish()?;
    match bits.split_first() {
        Some((0, pkcs1)) => Ok(pkcs1),
        _ => Err(Error::KeyDer),
    }
}

/// Accepts either form, told apart by the first field: a SEQUENCE (the algorithm) means
/// `SubjectPublicKeyInfo`, an INTEGER (the modulus) means PKCS#1. Returns the PKCS#1 bytes.
pub(crate) fn parse_any(der: &[u8]) -> Result<&[u8], Error> {
    let mut outer = Reader(der);
    let fields = Reader(outer.read(TAG_SEQUENCE)?);
    match fields.peek_tag() {
        Some(TAG_SEQUENCE) => parse_spki(der),
        Some(TAG_INTEGER) => parse_pkcs1(der).map(|_| der),
        _ => Err(Error::KeyDer),
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
}

fn push_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let start = magnitude.iter().take_while(|&&b| b == 0).count();
    let magnitude = magnitude.get(start..).unwrap_or_default();
    let mut value = Vec::with_capacity(magnitude.len() + 1);
    if magnitude.first().is_none_or(|b| b & 0x80 != 0) {
        value.push(0);
    }
    value.extend_from_slice(magnitude);
    push_tlv(out, TAG_INTEGER, &value);
}

/// Encodes PKCS#1 `RSAPublicKey` from big-endian magnitudes.
#[cfg_attr(not(feature = "signing"), allow(dead_code))]
pub(crate) fn encode_pkcs1(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut fields = Vec::with_capacity(modulus.len() + exponent.len() + 16);
    push_integer(&mut fields, modulus);
    push_integer(&mut fields, exponent);
    let mut out = Vec::with_capacity(fields.len() + 8);
    push_tlv(&mut out, TAG_SEQUENCE, &fields);
    out
}

/// Wraps PKCS#1 bytes in `SubjectPublicKeyInfo` with rsaEncryption and NULL parameters.
pub(crate) fn encode_spki(pkcs1: &[u8]) -> Vec<u8> {
    let mut algorithm = Vec::with_capacity(16);
    push_tlv(&mut algorithm, TAG_OID, RSA_ENCRYPTION);
    push_tlv(&mut algorithm, TAG_NULL, &[]);
    let mut bits = Vec::with_capacity(pkcs1.len() + 1);
    bits.push(0);
    bits.extend_from_slice(pkcs1);
    let mut fields = Vec::with_capacity(bits.len() + 24);
    push_tlv(&mut fields, TAG_SEQUENCE, &algorithm);
    push_tlv(&mut fields, TAG_BIT_STRING, &bits);
    let mut out = Vec::with_capacity(fields.len() + 8);
    push_tlv(&mut out, TAG_SEQUENCE, &fields);
    out
}

#[cfg(test)]
mod tests {
    use super::{encode_pkcs1, encode_spki, parse_any, parse_pkcs1, parse_spki, positive_integer};
    use crate::Error;
    use proptest::prelude::*;

    #[test]
    fn integers() {
        assert_eq!(positive_integer(&[0x01]), Ok(&[0x01][..]));
        assert_eq!(positive_integer(&[0x00, 0x80]), Ok(&[0x80][..]));
        assert_eq!(positive_integer(&[0x00]), Ok(&[][..]));
        assert_eq!(positive_integer(&[0x80]), Err(Error::KeyDer));
        assert_eq!(positive_integer(&[0x00, 0x7F]), Err(Error::KeyDer));
        assert_eq!(positive_integer(&[]), Err(Error::KeyDer));
    }

    #[test]
    fn lengths_must_be_minimal() {
        // SEQUENCE { INTEGER 0x81, INTEGER 3 } with a long-form length for a short value.
        assert!(parse_pkcs1(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x81, 0x02, 0x01, 0x03]).is_ok());
        assert_eq!(
            parse_pkcs1(&[0x30, 0x81, 0x07, 0x02, 0x02, 0x00, 0x81, 0x02, 0x01, 0x03]),
            Err(Error::KeyDer)
        );
        assert_eq!(
            parse_pkcs1(&[
                0x30, 0x80, 0x02, 0x02, 0x00, 0x81, 0x02, 0x01, 0x03, 0x00, 0x00
            ]),
            Err(Error::KeyDer)
        );
        // Trailing garbage after the outer SEQUENCE.
        assert_eq!(
            parse_pkcs1(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x81, 0x02, 0x01, 0x03, 0x00]),
            Err(Error::KeyDer)
        );
    }

    #[test]
    fn encode_then_parse() {
        let modulus = [0xC5u8; 200];
        let pkcs1 = encode_pkcs1(&modulus, &[0x01, 0x00, 0x01]);
        let parts = parse_pkcs1(&pkcs1);
        assert_eq!(
            parts.map(|p| (p.modulus.len(), p.exponent)),
            Ok((200, &[1u8, 0, 1][..]))
        );
        let spki = encode_spki(&pkcs1);
        assert_eq!(parse_spki(&spki), Ok(pkcs1.as_slice()));
        assert_eq!(parse_any(&spki), Ok(pkcs1.as_slice()));
        assert_eq!(parse_any(&pkcs1), Ok(pkcs1.as_slice()));
    }

    #[test]
    fn other_algorithms_are_named() {
        // Any OID but rsaEncryption (here one byte changed) is refused as another algorithm.
        let mut spki = encode_spki(&encode_pkcs1(&[0xC5; 128], &[3]));
        let oid = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
        let at = spki.windows(oid.len()).position(|w| w == oid).unwrap_or(0);
        spki[at + 6] = 0x3D;
        assert_eq!(parse_spki(&spki), Err(Error::KeyAlgorithm));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(der in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_any(&der);
            let _ = parse_spki(&der);
            let _ = parse_pkcs1(&der);
        }

        #[test]
        fn mutated_keys_never_panic(index in any::<usize>(), value in any::<u8>(), cut in any::<usize>()) {
            let mut der = encode_spki(&encode_pkcs1(&[0xC5; 256], &[1, 0, 1]));
            let index = index % der.len();
            der[index] = value;
            der.truncate(cut % (der.len() + 1));
            let _ = parse_any(&der);
        }

        #[test]
        fn integers_round_trip(modulus in proptest::collection::vec(any::<u8>(), 1..300),
                               exponent in proptest::collection::vec(any::<u8>(), 1..6)) {
            let pkcs1 = encode_pkcs1(&modulus, &exponent);
            let parts = parse_pkcs1(&pkcs1);
            prop_assert!(parts.is_ok());
            if let Ok(parts) = parts {
                let strip = |v: &[u8]| v.iter().skip_while(|&&b| b == 0).copied().collect::<alloc::vec::Vec<u8>>();
                prop_assert_eq!(parts.modulus.to_vec(), strip(&modulus));
                prop_assert_eq!(parts.exponent.to_vec(), strip(&exponent));
                prop_assert_eq!(encode_pkcs1(parts.modulus, parts.exponent), pkcs1);
            }
        }
    }
}
