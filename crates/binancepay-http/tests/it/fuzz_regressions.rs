//! Inputs the cargo-fuzz targets (`fuzz/` at the repository root) turned up, replayed as
//! ordinary tests from `tests/data/fuzz/` (see the README there for each input's framing).

// The replays sign with the vector's private key, which needs `signing`.
#![cfg(feature = "signing")]

use binancepay_http::webhook::{CertificateStore, WebhookError, WebhookHeaders, WebhookVerifier};
use binancepay_sign::webhook::WebhookSigningKey;

use crate::support::{read, ts, vector, vector_file, vector_str};

/// A `webhook_verify` input: flags byte, four header lines (timestamp, nonce, serial,
/// signature), then the raw body.
struct WebhookInput {
    flags: u8,
    timestamp: String,
    nonce: String,
    body: Vec<u8>,
}

fn webhook_input(name: &str) -> WebhookInput {
    let data = read(&format!("tests/data/fuzz/{name}"));
    let (&flags, mut rest) = data.split_first().expect("a flags byte");
    let mut lines = Vec::new();
    for _ in 0..4 {
        let at = rest.iter().position(|&b| b == b'\n').expect("four lines");
        lines.push(String::from_utf8(rest[..at].to_vec()).expect("UTF-8 header value"));
        rest = &rest[at + 1..];
    }
    WebhookInput {
        flags,
        timestamp: lines[0].clone(),
        nonce: lines[1].clone(),
        body: rest.to_vec(),
    }
}

/// The key the target signs with, and a store that knows its public half as `serial`.
fn signing_key(serial: &str) -> (WebhookSigningKey, CertificateStore) {
    let v = vector("test-signing-key-1024.toml");
    let pem = vector_file(vector_str(&v, "private_key_pkcs8_file"));
    let key = WebhookSigningKey::from_pkcs8_pem(std::str::from_utf8(&pem).expect("PEM text"))
        .expect("vector key");
    let mut store = CertificateStore::new();
    store
        .insert_pem(serial.to_owned(), &key.public_key_pem())
        .expect("public half");
    (key, store)
}

#[test]
fn pair_values_are_verified_as_trimmed() {
    let input = webhook_input("webhook_verify-untrimmed-nonce");
    assert_eq!(input.flags & 1, 1, "the target signed this input itself");
    assert_ne!(
        input.nonce.trim(),
        input.nonce,
        "the nonce carries whitespace"
    );
    let (key, store) = signing_key("fuzz");
    let verifier = WebhookVerifier::new(store);
    let now = ts(input.timestamp.trim().parse().expect("millisecond digits"));
    let verify = |signed_nonce: &str| {
        let signature = key
            .sign(input.timestamp.trim(), signed_nonce, &input.body)
            .expect("signs");
        let headers = WebhookHeaders::from_pairs([
            ("BinancePay-Timestamp", input.timestamp.as_str()),
            ("BinancePay-Nonce", input.nonce.as_str()),
            ("BinancePay-Certificate-SN", "fuzz"),
            ("BinancePay-Signature", signature.as_str()),
        ])
        .expect("four headers");
        assert_eq!(headers.nonce(), input.nonce.trim());
        verifier.verify_headers(&headers, &input.body, now)
    };

    // Signed over the trimmed nonce, as it crosses HTTP: authentic. The empty body is not a
    // notification, which is refused after the signature, as authentic.
    let trimmed = verify(input.nonce.trim());
    assert!(
        matches!(&trimmed, Err(e @ WebhookError::Parse(_)) if e.is_authentic()),
        "{trimmed:?}"
    );
    // Signed over the text with its whitespace: not what the verifier checks.
    let untrimmed = verify(&input.nonce);
    assert!(
        matches!(untrimmed, Err(WebhookError::InvalidSignature(_))),
        "{untrimmed:?}"
    );
}
