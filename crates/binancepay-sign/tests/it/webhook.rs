//! Webhook vectors, run on every backend compiled in; both must give the same answers.

use binancepay_sign::Error;
use binancepay_sign::webhook::{Backend, WebhookPublicKey};

use crate::data::{Vector, bytes, field, sha256_hex, text};

pub(crate) fn backends() -> Vec<Backend> {
    let available: Vec<Backend> = [Backend::RustCrypto, Backend::AwsLc]
        .into_iter()
        .filter(|b| b.is_available())
        .collect();
    assert!(!available.is_empty());
    available
}

fn public_key(vector: &Vector, backend: Backend) -> WebhookPublicKey {
    let key = WebhookPublicKey::from_pem_with(&text(&vector.public_key_file), backend)
        .expect("vector key parses");
    assert_eq!(key.backend(), backend);
    assert_eq!(Some(key.bits()), vector.bits);
    if let Some(fingerprint) = &vector.spki_sha256 {
        assert_eq!(&sha256_hex(&key.to_spki_der()), fingerprint);
    }
    key
}

pub(crate) fn webhook(vector: &Vector) {
    let timestamp = field(&vector.timestamp, "timestamp");
    let nonce = field(&vector.nonce, "nonce");
    let body = bytes(&vector.body_file);
    let signature = field(&vector.signature, "signature");
    if let Some(digest) = &vector.body_sha256 {
        assert_eq!(
            &sha256_hex(&body),
            digest,
            "body file must hold the exact bytes"
        );
    }
    for backend in backends() {
        let key = public_key(vector, backend);

        // Every encoding of the same key parses to the same key.
        let spki = bytes(&vector.public_key_spki_der_file);
        let pkcs1 = bytes(&vector.public_key_pkcs1_der_file);
        assert_eq!(key.to_spki_der(), spki);
        assert_eq!(key.to_pkcs1_der(), pkcs1);
        for other in [
            WebhookPublicKey::from_pem_with(&text(&vector.public_key_pkcs1_pem_file), backend),
            WebhookPublicKey::from_der_with(&spki, backend),
            WebhookPublicKey::from_der_with(&pkcs1, backend),
            WebhookPublicKey::from_pem_with(&key.to_pem(), backend),
            WebhookPublicKey::from_pem_with(
                &text(&vector.public_key_file).replace('\n', "\r\n"),
                backend,
            ),
        ] {
            assert_eq!(other.as_ref(), Ok(&key));
        }

        assert_eq!(
            key.verify(timestamp, nonce, &body, signature),
            Ok(()),
            "{backend:?}"
        );
        assert_eq!(
            key.verify(
                timestamp,
                nonce,
                &body,
                &format!("  {}\r\n", signature.trim())
            ),
            Ok(())
        );
        let framed = binancepay_sign::string_to_sign(timestamp, nonce, &body);
        assert_eq!(key.verify_message(&framed, signature), Ok(()));

        assert!(!vector.negative.is_empty());
        for negative in &vector.negative {
            let result = match negative.variant.as_str() {
                "no_trailing_lf" => key.verify_message(&framed[..framed.len() - 1], signature),
                "replace_body" => {
                    let from = field(&negative.from, "from");
                    let to = field(&negative.to, "to");
                    let original = String::from_utf8(body.clone()).expect("UTF-8 body");
                    assert!(original.contains(from));
                    key.verify(
                        timestamp,
                        nonce,
                        original.replace(from, to).as_bytes(),
                        signature,
                    )
                }
                "flip_body_byte" => {
                    let mut changed = body.clone();
                    changed[negative.index.expect("index")] ^= 0x01;
                    key.verify(timestamp, nonce, &changed, signature)
                }
                "flip_signature_byte" => {
                    use base64::Engine as _;
                    let engine = base64::engine::general_purpose::STANDARD;
                    let mut raw = engine.decode(signature.trim()).expect("base64");
                    raw[negative.index.expect("index")] ^= 0x01;
                    key.verify(timestamp, nonce, &body, &engine.encode(raw))
                }
                other => panic!("unknown negative variant {other:?}"),
            };
            assert_eq!(
                result,
                Err(Error::SignatureMismatch),
                "{negative:?} on {backend:?}"
            );
        }
    }
}

pub(crate) fn rsa_message(vector: &Vector) {
    let message = bytes(&vector.message_file);
    let signature = field(&vector.signature, "signature");
    for backend in backends() {
        let key = public_key(vector, backend);
        assert_eq!(
            key.verify_message(&message, signature),
            Ok(()),
            "{backend:?}"
        );
        let mut changed = message.clone();
        changed.push(b'1');
        assert_eq!(
            key.verify_message(&changed, signature),
            Err(Error::SignatureMismatch)
        );
    }
}

#[test]
fn malformed_signatures_have_distinct_errors() {
    let pem = text(&Some("v3-webhook-1024.pem".to_owned()));
    for backend in backends() {
        let key = WebhookPublicKey::from_pem_with(&pem, backend).expect("key");
        assert_eq!(
            key.verify("1", "2", b"{}", "not base64!"),
            Err(Error::SignatureBase64)
        );
        assert_eq!(
            key.verify("1", "2", b"{}", "AAAA AAAA"),
            Err(Error::SignatureBase64)
        );
        assert_eq!(
            key.verify("1", "2", b"{}", "AAAA"),
            Err(Error::SignatureLength {
                expected: 128,
                actual: 3
            })
        );
        // Right length, value above the modulus: refused as a mismatch by both backends.
        let too_big =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [0xFF; 128]);
        assert_eq!(
            key.verify("1", "2", b"{}", &too_big),
            Err(Error::SignatureMismatch)
        );
    }
}

#[test]
fn key_errors_are_typed() {
    assert_eq!(
        WebhookPublicKey::from_pem("").map(|k| k.bits()),
        Err(Error::KeyPem)
    );
    assert_eq!(
        WebhookPublicKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .map(|k| k.bits()),
        Err(Error::KeyPemLabel)
    );
    assert_eq!(
        WebhookPublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
            .map(|k| k.bits()),
        Err(Error::KeyDer)
    );
    // An SPKI labelled as PKCS#1 is not accepted as PKCS#1.
    let spki_pem = text(&Some("v3-webhook-1024.pem".to_owned()));
    assert_eq!(
        WebhookPublicKey::from_pem(&spki_pem.replace("PUBLIC KEY", "RSA PUBLIC KEY"))
            .map(|k| k.bits()),
        Err(Error::KeyDer)
    );
}

#[test]
fn with_backend_switches_and_keeps_the_key() {
    let pem = text(&Some("v4-webhook-4096.pem".to_owned()));
    let key = WebhookPublicKey::from_pem(&pem).expect("key");
    assert_eq!(key.backend(), Backend::preferred());
    for backend in [Backend::RustCrypto, Backend::AwsLc] {
        match key.with_backend(backend) {
            Ok(other) => {
                assert_eq!(other, key);
                assert_eq!(other.backend(), backend);
            }
            Err(error) => {
                assert!(!backend.is_available());
                assert_eq!(error, Error::BackendUnavailable);
            }
        }
    }
    assert_eq!(
        format!("{key:?}"),
        format!(
            "WebhookPublicKey {{ bits: 4096, backend: {:?}, .. }}",
            key.backend()
        )
    );
}
