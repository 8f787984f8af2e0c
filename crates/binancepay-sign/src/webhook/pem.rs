//! PEM armour (RFC 7468) for public keys.

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;

/// What the PEM label says the DER inside is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemKind {
    /// `-----BEGIN PUBLIC KEY-----`: `SubjectPublicKeyInfo`.
    Spki,
    /// `-----BEGIN RSA PUBLIC KEY-----`: PKCS#1 `RSAPublicKey`.
    Pkcs1,
}

/// Decodes one PEM block. Whitespace anywhere in the body is ignored (so CRLF, indentation and
/// single-line PEM all work), but nothing else may surround the block.
pub(crate) fn decode(pem: &str) -> Result<(PemKind, Vec<u8>), Error> {
    let text = pem.trim_ascii();
    let rest = text.strip_prefix("-----BEGIN ").ok_or(Error::KeyPem)?;
    let (label, rest) = rest.split_once("-----").ok_or(Error::KeyPem)?;
    let (body, end) = rest.rsplit_once("-----END ").ok_or(Error::KeyPem)?;
    let end_label = end.strip_suffix("-----").ok_or(Error::KeyPem)?;
    if end_label != label {
        return Err(Error::KeyPem);
    }
    let kind = match label {
        "PUBLIC KEY" => PemKind::Spki,
        "RSA PUBLIC KEY" => PemKind::Pkcs1,
        _ => return Err(Error::KeyPemLabel),
    };
    let compact: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(compact).map_err(|_| Error::KeyBase64)?;
    Ok((kind, der))
}

/// Encodes DER as PEM with 64-character lines and LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in body.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{PemKind, decode, encode};
    use crate::Error;
    use proptest::prelude::*;

    #[test]
    fn armour_errors() {
        assert_eq!(decode(""), Err(Error::KeyPem));
        assert_eq!(
            decode("-----BEGIN PUBLIC KEY-----\nAAAA\n"),
            Err(Error::KeyPem)
        );
        assert_eq!(
            decode("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"),
            Err(Error::KeyPem)
        );
        assert_eq!(
            decode("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
            Err(Error::KeyPemLabel)
        );
        assert_eq!(
            decode("-----BEGIN PUBLIC KEY-----\nAA*A\n-----END PUBLIC KEY-----"),
            Err(Error::KeyBase64)
        );
    }

    #[test]
    fn layouts() {
        let expected = Ok((PemKind::Pkcs1, alloc::vec![0u8, 1, 2, 3, 4, 5]));
        assert_eq!(
            decode("-----BEGIN RSA PUBLIC KEY-----AAECAwQF-----END RSA PUBLIC KEY-----"),
            expected
        );
        assert_eq!(
            decode(
                "\r\n  -----BEGIN RSA PUBLIC KEY-----\r\nAAEC\r\n AwQF\r\n-----END RSA PUBLIC KEY-----\r\n"
            ),
            expected
        );
        assert_eq!(
            decode(&encode("RSA PUBLIC KEY", &[0, 1, 2, 3, 4, 5])),
            expected
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics(text in "\\PC*") {
            let _ = decode(&text);
        }

        #[test]
        fn armoured_noise_never_panics(body in "[A-Za-z0-9+/=\\s-]{0,300}") {
            let _ = decode(&alloc::format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----"));
        }

        #[test]
        fn round_trip(der in proptest::collection::vec(any::<u8>(), 0..400)) {
            prop_assert_eq!(decode(&encode("PUBLIC KEY", &der)), Ok((PemKind::Spki, der)));
        }
    }
}
