//! Request signing: upper-case hex HMAC-SHA512 over `timestamp\nnonce\nbody\n`.

use alloc::vec::Vec;
use core::fmt;

use hmac::Hmac;
use hmac::digest::generic_array::GenericArray;
use hmac::digest::{Digest, KeyInit};
use sha2::Sha512;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::signature::SIGNATURE_LEN;
use crate::{ApiSecret, Error, Nonce, Signature, Timestamp};

type HmacSha512 = Hmac<Sha512>;

/// SHA-512 block size: HMAC keys are hashed above it and zero-padded up to it.
const BLOCK_LEN: usize = 128;

/// Room for `timestamp\nnonce\n` on the stack: 14 digits + 32 + 2 for valid headers.
const HEAD_LEN: usize = 64;

/// Copies `parts` into `buf` back to back; `None` if they do not fit.
fn join_into<'b>(buf: &'b mut [u8], parts: &[&[u8]]) -> Option<&'b [u8]> {
    let mut len = 0usize;
    for part in parts {
        let end = len.checked_add(part.len())?;
        buf.get_mut(len..end)?.copy_from_slice(part);
        len = end;
    }
    buf.get(..len)
}

/// Signs (client side) and verifies (server side) `BinancePay-Signature` values.
///
/// Holds the HMAC-SHA512 state already keyed with the secret and clones it for each signature,
/// so a signature costs only the message blocks. The message is fed in pieces (the body is never
/// copied) and the result lands in a fixed buffer: signing performs no heap allocation.
///
/// ```
/// use binancepay_sign::{ApiSecret, Nonce, RequestSigner, Timestamp};
///
/// let signer = RequestSigner::new(&ApiSecret::new("abcd1234")?);
/// let timestamp = Timestamp::parse("1636876819000")?;
/// let nonce = Nonce::new("NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH")?;
/// let body = r#"{"goodsName":"冰淇淋 🍦","orderAmount":"19999.995"}"#.as_bytes();
///
/// let signature = signer.sign(&timestamp, &nonce, body);
/// assert!(signature.as_str().starts_with("FB27C72D470601D1"));
/// assert!(signer.verify(&timestamp, &nonce, body, signature.as_str()).is_ok());
/// # Ok::<(), binancepay_sign::Error>(())
/// ```
///
/// With the `aws-lc` feature the HMAC runs in aws-lc-rs (its assembly SHA-512 is about 1.3×
/// faster than RustCrypto's on large bodies, and its keyed state is cleansed on drop); otherwise
/// RustCrypto `hmac`, whose keyed state is not wiped on drop (hmac 0.12 has no zeroize support).
#[derive(Clone)]
pub struct RequestSigner {
    mac: KeyedMac,
}

impl RequestSigner {
    /// Keys the HMAC state with the secret once.
    #[must_use]
    pub fn new(secret: &ApiSecret) -> Self {
        Self {
            mac: KeyedMac::new(secret.as_bytes()),
        }
    }

    /// Signs a request: HMAC-SHA512 over `timestamp\nnonce\nbody\n`, upper-case hex.
    ///
    /// `body` must be the exact bytes that go on the wire.
    #[must_use]
    pub fn sign(&self, timestamp: &Timestamp, nonce: &Nonce, body: &[u8]) -> Signature {
        let mut digits = [0u8; 20];
        let timestamp = timestamp.to_digits(&mut digits);
        self.sign_bytes(timestamp, nonce.as_str().as_bytes(), body)
    }

    /// Signs header values as given, without checking them.
    ///
    /// For reproducing other implementations' output (some public test vectors use a timestamp
    /// in seconds or a short nonce, which Binance would refuse); requests should use
    /// [`RequestSigner::sign`], whose typed arguments cannot be malformed.
    #[must_use]
    pub fn sign_raw(&self, timestamp: &str, nonce: &str, body: &[u8]) -> Signature {
        self.sign_bytes(timestamp.as_bytes(), nonce.as_bytes(), body)
    }

    fn sign_bytes(&self, timestamp: &[u8], nonce: &[u8], body: &[u8]) -> Signature {
        // Joining the short header pieces on the stack saves three HMAC update calls, which is
        // measurable next to a 300-byte body when each call crosses into aws-lc.
        let mut buf = [0u8; HEAD_LEN];
        let tag = match join_into(&mut buf, &[timestamp, b"\n", nonce, b"\n"]) {
            Some(head) => self.mac_parts(&[head, body, b"\n"]),
            None => self.mac_parts(&[timestamp, b"\n", nonce, b"\n", body, b"\n"]),
        };
        Signature::from_tag(&tag)
    }

    /// Checks a received `BinancePay-Signature` (server side).
    ///
    /// The received value is validated without branching on its characters, the expected one is
    /// recomputed, and the two are compared in constant time. Freshness is a separate check:
    /// [`check_freshness`](crate::check_freshness).
    ///
    /// # Errors
    /// [`Error::SignatureLength`], [`Error::SignatureNotHex`] or [`Error::SignatureLowercase`] for a
    /// malformed value; [`Error::SignatureMismatch`] when it does not match.
    pub fn verify(
        &self,
        timestamp: &Timestamp,
        nonce: &Nonce,
        body: &[u8],
        signature: &str,
    ) -> Result<(), Error> {
        let received = Signature::parse(signature)?;
        let expected = self.sign(timestamp, nonce, body);
        if bool::from(expected.ct_eq(&received)) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch)
        }
    }

    /// HMAC over the concatenation of `parts`, without concatenating them.
    fn mac_parts(&self, parts: &[&[u8]]) -> [u8; SIGNATURE_LEN / 2] {
        self.mac.mac_parts(parts)
    }
}

/// HMAC-SHA512 keyed once: RustCrypto `hmac`.
#[cfg(not(feature = "aws-lc"))]
#[derive(Clone)]
struct KeyedMac(HmacSha512);

#[cfg(not(feature = "aws-lc"))]
impl KeyedMac {
    fn new(secret: &[u8]) -> Self {
        Self(keyed_hmac(secret))
    }

    fn mac_parts(&self, parts: &[&[u8]]) -> [u8; SIGNATURE_LEN / 2] {
        use hmac::Mac as _;
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// HMAC-SHA512 keyed once: aws-lc-rs (copying its context allocates nothing on the Rust heap).
#[cfg(feature = "aws-lc")]
#[derive(Clone)]
struct KeyedMac(aws_lc_rs::hmac::Key);

#[cfg(feature = "aws-lc")]
impl KeyedMac {
    fn new(secret: &[u8]) -> Self {
        Self(aws_lc_rs::hmac::Key::new(
            aws_lc_rs::hmac::HMAC_SHA512,
            secret,
        ))
    }

    fn mac_parts(&self, parts: &[&[u8]]) -> [u8; SIGNATURE_LEN / 2] {
        let mut context = aws_lc_rs::hmac::Context::with_key(&self.0);
        for part in parts {
            context.update(part);
        }
        let mut tag = [0u8; SIGNATURE_LEN / 2];
        for (slot, byte) in tag.iter_mut().zip(context.sign().as_ref()) {
            *slot = *byte;
        }
        tag
    }
}

impl fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestSigner { key: [REDACTED] }")
    }
}

/// Builds the RustCrypto HMAC state with a block-sized key (RFC 2104: keys longer than a block are hashed,
/// shorter ones zero-padded), which is infallible unlike `Mac::new_from_slice`.
#[cfg_attr(all(feature = "aws-lc", not(test)), allow(dead_code))]
fn keyed_hmac(secret: &[u8]) -> HmacSha512 {
    let mut block = Zeroizing::new([0u8; BLOCK_LEN]);
    if secret.len() > BLOCK_LEN {
        // Hash straight into the key block so no unwiped copy of the digest is left behind.
        let (head, _) = block.split_at_mut(64);
        Sha512::new()
            .chain_update(secret)
            .finalize_into(GenericArray::from_mut_slice(head));
    } else {
        for (slot, byte) in block.iter_mut().zip(secret) {
            *slot = *byte;
        }
    }
    <HmacSha512 as KeyInit>::new(GenericArray::from_slice(&block[..]))
}

/// The exact bytes a request signature covers: `timestamp\nnonce\nbody\n`.
///
/// The signer never builds this buffer; it is here for logging and for comparing with another
/// implementation when Binance answers `400002` (signature invalid).
///
/// ```
/// assert_eq!(
///     binancepay_sign::string_to_sign("1654943252000", "5f14d51f62136d24c87480faa9009d7d", b"body"),
///     b"1654943252000\n5f14d51f62136d24c87480faa9009d7d\nbody\n"
/// );
/// ```
#[must_use]
pub fn string_to_sign(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [
        timestamp.as_bytes(),
        b"\n",
        nonce.as_bytes(),
        b"\n",
        body,
        b"\n",
    ] {
        payload.extend_from_slice(part);
    }
    payload
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::{RequestSigner, keyed_hmac, string_to_sign};
    use crate::{ApiSecret, Error, Nonce, Timestamp};
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use hmac::Mac;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    /// A raw HMAC-SHA512 vector (no Binance framing), one TOML file each.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // `source` is for readers of the data files.
    struct HmacVector {
        source: String,
        kind: Option<String>,
        key: Option<String>,
        key_hex: Option<String>,
        message_file: Option<String>,
        data_hex: Option<String>,
        truncate_bytes: Option<usize>,
        hmac_sha512: String,
    }

    fn vectors_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
    }

    fn unhex(text: &str) -> Vec<u8> {
        assert!(text.len() % 2 == 0, "odd hex length");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn tag(key: &[u8], message: &[u8]) -> [u8; 64] {
        let mut mac = keyed_hmac(key);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Every HMAC-primitive vector: RFC 4231 (all seven cases) and the Go SDK's `TestSign`.
    #[test]
    fn hmac_primitive_vectors() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir().join("rfc4231"))
            .expect("rfc4231 dir")
            .map(|entry| entry.expect("entry").path())
            .collect();
        files.push(vectors_dir().join("v2-go-sign.toml"));
        files.sort();
        assert_eq!(files.len(), 8, "7 RFC 4231 cases + V2: {files:?}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read vector");
            let vector: HmacVector = toml::from_str(&text).expect("parse vector");
            assert!(vector.kind.as_deref().is_none_or(|k| k == "hmac"));
            let key = match (&vector.key, &vector.key_hex) {
                (Some(key), None) => key.as_bytes().to_vec(),
                (None, Some(hex)) => unhex(hex),
                _ => panic!("{file:?}: exactly one of key / key_hex"),
            };
            let message = match (&vector.message_file, &vector.data_hex) {
                (Some(name), None) => std::fs::read(vectors_dir().join(name)).expect("message"),
                (None, Some(hex)) => unhex(hex),
                _ => panic!("{file:?}: exactly one of message_file / data_hex"),
            };
            let expected = unhex(&vector.hmac_sha512);
            let len = vector.truncate_bytes.unwrap_or(64);
            // RustCrypto, and whichever implementation the signer uses in this build.
            assert_eq!(&tag(&key, &message)[..len], expected.as_slice(), "{file:?}");
            let signer = super::KeyedMac::new(&key);
            assert_eq!(
                &signer.mac_parts(&[&message])[..len],
                expected.as_slice(),
                "{file:?}"
            );
        }
    }

    fn signer(secret: &str) -> RequestSigner {
        RequestSigner::new(&ApiSecret::new(secret).expect("secret"))
    }

    #[test]
    fn verify_rejects_malformed_values_with_distinct_errors() {
        let signer = signer("abcd1234");
        let ts = Timestamp::from_millis(1_636_876_819_000).expect("ts");
        let nonce = Nonce::new("NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH").expect("nonce");
        let good = signer.sign(&ts, &nonce, b"{}");
        let text = good.as_str();
        assert_eq!(signer.verify(&ts, &nonce, b"{}", text), Ok(()));
        assert_eq!(
            signer.verify(&ts, &nonce, b"{}", &text[..127]),
            Err(Error::SignatureLength {
                expected: 128,
                actual: 127
            })
        );
        assert_eq!(
            signer.verify(&ts, &nonce, b"{}", &text.to_lowercase()),
            Err(Error::SignatureLowercase)
        );
        let mut not_hex = String::from(&text[..127]);
        not_hex.push('Z');
        assert_eq!(
            signer.verify(&ts, &nonce, b"{}", &not_hex),
            Err(Error::SignatureNotHex)
        );
        assert_eq!(
            signer.verify(&ts, &nonce, b"{ }", text),
            Err(Error::SignatureMismatch)
        );
    }

    proptest! {
        /// The signer feeds pieces; the result must equal one HMAC over the built payload.
        #[test]
        fn pieces_equal_payload(secret in "[ -~]{1,200}", ts in "[0-9]{0,20}", nonce in "\\PC{0,40}",
                                body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let signer = signer(&secret);
            let payload = string_to_sign(&ts, &nonce, &body);
            let expected = crate::Signature::from_tag(&tag(secret.as_bytes(), &payload));
            prop_assert_eq!(signer.sign_raw(&ts, &nonce, &body), expected);
        }

        #[test]
        fn join_into_matches_concat(parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..5)) {
            let mut buf = [0u8; super::HEAD_LEN];
            let slices: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            let joined: Vec<u8> = parts.concat();
            let result = super::join_into(&mut buf, &slices);
            if joined.len() <= super::HEAD_LEN {
                prop_assert_eq!(result, Some(joined.as_slice()));
            } else {
                prop_assert_eq!(result, None);
            }
        }

        #[test]
        fn sign_then_verify(secret in "\\PC{1,64}", millis in 100_000_000_000u64..100_000_000_000_000,
                            nonce in "[A-Za-z0-9]{32}", body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let signer = signer(&secret);
            let ts = Timestamp::from_millis(millis).expect("ts");
            let nonce = Nonce::new(&nonce).expect("nonce");
            let signature = signer.sign(&ts, &nonce, &body);
            prop_assert_eq!(signer.verify(&ts, &nonce, &body, signature.as_str()), Ok(()));
            let raw = signer.sign_raw(&ts.to_string(), nonce.as_str(), &body);
            prop_assert_eq!(raw, signature);
        }

        #[test]
        fn any_changed_input_is_rejected(millis in 100_000_000_000u64..99_999_999_999_999,
                                         nonce in "[A-Za-z0-9]{32}",
                                         body in proptest::collection::vec(any::<u8>(), 1..300),
                                         position in any::<usize>(), flip in 1u8..=255) {
            let signer = signer("abcd1234");
            let ts = Timestamp::from_millis(millis).expect("ts");
            let nonce_value = Nonce::new(&nonce).expect("nonce");
            let signature = signer.sign(&ts, &nonce_value, &body);
            let text = signature.as_str();

            let mut changed_body = body.clone();
            let index = position % changed_body.len();
            changed_body[index] ^= flip;
            prop_assert_eq!(signer.verify(&ts, &nonce_value, &changed_body, text), Err(Error::SignatureMismatch));

            let later = Timestamp::from_millis(millis + 1).expect("ts");
            prop_assert_eq!(signer.verify(&later, &nonce_value, &body, text), Err(Error::SignatureMismatch));

            let mut other_nonce = nonce.into_bytes();
            let index = position % other_nonce.len();
            other_nonce[index] = if other_nonce[index] == b'a' { b'b' } else { b'a' };
            let other_nonce = Nonce::new(core::str::from_utf8(&other_nonce).expect("ascii")).expect("nonce");
            prop_assert_eq!(signer.verify(&ts, &other_nonce, &body, text), Err(Error::SignatureMismatch));

            let mut other_signature = text.as_bytes().to_vec();
            let index = position % other_signature.len();
            other_signature[index] = if other_signature[index] == b'0' { b'1' } else { b'0' };
            let other_signature = core::str::from_utf8(&other_signature).expect("ascii");
            prop_assert_eq!(signer.verify(&ts, &nonce_value, &body, other_signature), Err(Error::SignatureMismatch));
        }

        #[test]
        fn verify_never_panics(signature in "\\PC*") {
            let signer = signer("abcd1234");
            let ts = Timestamp::from_millis(1_636_876_819_000).expect("ts");
            let nonce = Nonce::new("NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH").expect("nonce");
            let body = b"{}";
            prop_assert!(signer.verify(&ts, &nonce, body, &signature).is_err());
        }
    }
}
