//! `WebhookPublicKey::from_der` / `from_pem` on arbitrary bytes and strings.
//!
//! Input: DER or PEM bytes. Checks: an accepted key is in 1024..=8192 bits and re-encodes to
//! the exact DER it came from (the parser is strict DER); PEM and DER agree on the same bytes.

#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use binancepay_sign::webhook::{Backend, MAX_KEY_BITS, MIN_KEY_BITS, WebhookPublicKey};
use libfuzzer_sys::fuzz_target;

fn armour(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        STANDARD.encode(der)
    )
}

fn check_key(key: &WebhookPublicKey) {
    assert!(
        (MIN_KEY_BITS..=MAX_KEY_BITS).contains(&key.bits()),
        "{key:?}"
    );
    let spki = key.to_spki_der();
    let pkcs1 = key.to_pkcs1_der();
    assert_eq!(WebhookPublicKey::from_der(&spki).as_ref(), Ok(key));
    assert_eq!(WebhookPublicKey::from_der(&pkcs1).as_ref(), Ok(key));
    assert_eq!(WebhookPublicKey::from_pem(&key.to_pem()).as_ref(), Ok(key));
    assert_eq!(
        WebhookPublicKey::from_pem(&armour("RSA PUBLIC KEY", &pkcs1)).as_ref(),
        Ok(key)
    );
    assert_eq!(key.with_backend(Backend::RustCrypto).as_ref(), Ok(key));
}

fuzz_target!(|data: &[u8]| {
    let from_der = WebhookPublicKey::from_der(data);
    if let Ok(key) = &from_der {
        check_key(key);
        // Strict DER: one key, one encoding, so the input is one of the two re-encodings.
        assert!(
            key.to_spki_der() == data || key.to_pkcs1_der() == data,
            "accepted DER is not canonical"
        );
    }
    // The same bytes armoured: PEM accepts exactly what DER accepts, per label.
    let as_spki = WebhookPublicKey::from_pem(&armour("PUBLIC KEY", data));
    let as_pkcs1 = WebhookPublicKey::from_pem(&armour("RSA PUBLIC KEY", data));
    match &from_der {
        Ok(key) => {
            let spki = key.to_spki_der() == data;
            assert_eq!(as_spki.as_ref().ok(), spki.then_some(key));
            assert_eq!(as_pkcs1.as_ref().ok(), (!spki).then_some(key));
        }
        Err(_) => assert!(as_spki.is_err() && as_pkcs1.is_err()),
    }

    if let Ok(text) = std::str::from_utf8(data) {
        match WebhookPublicKey::from_pem(text) {
            Ok(key) => check_key(&key),
            Err(error) => {
                let _ = (error.to_string(), format!("{error:?}"));
            }
        }
    }
});
