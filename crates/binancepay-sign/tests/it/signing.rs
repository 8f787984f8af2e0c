//! `WebhookSigningKey`: reproduces OpenSSL's signatures and round-trips with every backend.

use std::sync::OnceLock;

use binancepay_sign::Error;
use binancepay_sign::webhook::{Backend, WebhookPublicKey, WebhookSigningKey};
use proptest::prelude::*;

use crate::data::{Vector, bytes, field, text};
use crate::webhook::backends;

/// Key generation is slow, so one 1024-bit key serves the whole test binary.
fn generated() -> &'static WebhookSigningKey {
    static KEY: OnceLock<WebhookSigningKey> = OnceLock::new();
    KEY.get_or_init(|| WebhookSigningKey::generate(&mut rand_core::OsRng, 1024).expect("keygen"))
}

pub(crate) fn signing(vector: &Vector) {
    let pkcs1 =
        WebhookSigningKey::from_pkcs1_pem(&text(&vector.private_key_pkcs1_file)).expect("pkcs1");
    let pkcs8 =
        WebhookSigningKey::from_pkcs8_pem(&text(&vector.private_key_pkcs8_file)).expect("pkcs8");
    let public = WebhookPublicKey::from_pem(&text(&vector.public_key_file)).expect("public");
    assert_eq!(pkcs1.public_key(), public);
    assert_eq!(pkcs8.public_key(), public);
    assert_eq!(pkcs8.public_key_pem(), text(&vector.public_key_file));
    assert_eq!(Some(public.bits()), vector.bits);

    let timestamp = field(&vector.timestamp, "timestamp");
    let nonce = field(&vector.nonce, "nonce");
    let body = bytes(&vector.body_file);
    let expected = field(&vector.signature, "signature");
    for key in [&pkcs1, &pkcs8] {
        // PKCS#1 v1.5 is deterministic: the same bytes as OpenSSL.
        assert_eq!(key.sign(timestamp, nonce, &body).as_deref(), Ok(expected));
    }
    for backend in backends() {
        let public = public.with_backend(backend).expect("backend");
        assert_eq!(public.verify(timestamp, nonce, &body, expected), Ok(()));
    }
}

#[test]
fn generated_key_round_trips_on_every_backend() {
    let key = generated();
    assert_eq!(key.public_key().bits(), 1024);
    let signature = key.sign("1700000000000", "abc", b"{}").expect("sign");
    for backend in backends() {
        let public = key.public_key().with_backend(backend).expect("backend");
        assert_eq!(
            public.verify("1700000000000", "abc", b"{}", &signature),
            Ok(())
        );
        assert_eq!(
            public.verify("1700000000001", "abc", b"{}", &signature),
            Err(Error::SignatureMismatch)
        );
    }
    let reparsed = WebhookPublicKey::from_pem(&key.public_key_pem()).expect("pem");
    assert_eq!(reparsed, key.public_key());
    let persisted = key.to_pkcs8_pem().expect("pkcs8");
    let reloaded = WebhookSigningKey::from_pkcs8_pem(&persisted).expect("reload");
    assert_eq!(reloaded.sign("1", "2", b"3"), key.sign("1", "2", b"3"));
}

#[test]
fn debug_is_redacted() {
    let shown = format!("{:?}", generated());
    assert_eq!(
        shown,
        "WebhookSigningKey { bits: 1024, key: \"[REDACTED]\" }"
    );
}

#[test]
fn sizes_outside_the_range_are_refused() {
    for bits in [0, 512, 1023, 4097, 8192] {
        assert_eq!(
            WebhookSigningKey::generate(&mut rand_core::OsRng, bits).map(|_| ()),
            Err(Error::KeySize { bits })
        );
    }
    assert_eq!(
        WebhookSigningKey::from_pkcs8_pem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        )
        .map(|_| ()),
        Err(Error::PrivateKey)
    );
    let _ = Backend::preferred();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_then_verify_and_any_change_rejects(timestamp in "[0-9]{13}", nonce in "[A-Za-z0-9]{32}",
                                               body in proptest::collection::vec(any::<u8>(), 1..300),
                                               position in any::<usize>(), flip in 1u8..=255) {
        let key = generated();
        let public = key.public_key();
        let signature = key.sign(&timestamp, &nonce, &body).expect("sign");
        prop_assert_eq!(public.verify(&timestamp, &nonce, &body, &signature), Ok(()));

        let mut changed = body.clone();
        let index = position % changed.len();
        changed[index] ^= flip;
        prop_assert_eq!(public.verify(&timestamp, &nonce, &changed, &signature), Err(Error::SignatureMismatch));
        let other_nonce = format!("{}x", &nonce[..31]);
        if other_nonce != nonce {
            prop_assert_eq!(public.verify(&timestamp, &other_nonce, &body, &signature), Err(Error::SignatureMismatch));
        }
        prop_assert_eq!(public.verify(&format!("{timestamp}0"), &nonce, &body, &signature), Err(Error::SignatureMismatch));
    }

    #[test]
    fn private_key_parsers_never_panic(text in "\\PC*") {
        let _ = WebhookSigningKey::from_pkcs8_pem(&text);
        let _ = WebhookSigningKey::from_pkcs1_pem(&text);
    }

    #[test]
    fn armoured_private_noise_never_panics(body in "[A-Za-z0-9+/=\\n]{0,400}") {
        let _ = WebhookSigningKey::from_pkcs8_pem(&format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"));
        let _ = WebhookSigningKey::from_pkcs1_pem(&format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"));
    }
}
