//! The vectors of test-vectors.md, one `#[test]` per data file.

use binancepay_sign::{ApiSecret, Error, Nonce, RequestSigner, Timestamp, string_to_sign};

use crate::data::{self, Vector, bytes, field};

macro_rules! vectors {
    ($($name:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run(data::load($file));
            }
        )*

        const LISTED: &[&str] = &[$($file),*];
    };
}

vectors! {
    v0_faq => "v0-faq.toml",
    v0_faq_busd => "v0-faq-busd.toml",
    v1_binance_pay_rs => "v1-binance-pay-rs.toml",
    v2_go_payload => "v2-go-payload.toml",
    v3_webhook_1024 => "v3-webhook-1024.toml",
    v4_webhook_4096 => "v4-webhook-4096.toml",
    v4_raw_message_4096 => "v4-raw-message-4096.toml",
    v6_utf8 => "v6-utf8.toml",
    test_signing_key_1024 => "test-signing-key-1024.toml",
    test_key_8192 => "test-key-8192.toml",
}

fn run(vector: Vector) {
    match vector.kind.as_str() {
        "request" => request(&vector),
        "payload" => payload(&vector),
        "webhook" => webhook(&vector),
        "rsa_message" => rsa_message(&vector),
        "signing" => signing(&vector),
        other => panic!("unknown vector kind {other:?}"),
    }
}

#[cfg(any(feature = "rsa", feature = "aws-lc"))]
use crate::webhook::{rsa_message, webhook};

/// Without a backend there is nothing to verify webhooks with.
#[cfg(not(any(feature = "rsa", feature = "aws-lc")))]
fn webhook(_: &Vector) {}

#[cfg(not(any(feature = "rsa", feature = "aws-lc")))]
fn rsa_message(_: &Vector) {}

#[cfg(feature = "signing")]
use crate::signing::signing;

/// Without the `signing` feature there is no signing key.
#[cfg(not(feature = "signing"))]
fn signing(_: &Vector) {}

/// A vector file that is in no list would silently never run.
#[test]
fn every_vector_file_is_run() {
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(data::dir()).expect("vectors dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".toml") || LISTED.contains(&name.as_str()) {
            continue;
        }
        // HMAC-primitive vectors exercise a private function: src/request.rs runs them.
        if data::load(&name).kind != "hmac" {
            unlisted.push(name);
        }
    }
    assert!(unlisted.is_empty(), "vector files not run: {unlisted:?}");
}

fn request(vector: &Vector) {
    let secret = ApiSecret::new(field(&vector.secret, "secret")).expect("secret");
    let signer = RequestSigner::new(&secret);
    let timestamp = field(&vector.timestamp, "timestamp");
    let nonce = field(&vector.nonce, "nonce");
    let body = bytes(&vector.body_file);
    let expected = field(&vector.signature, "signature");

    let signature = signer.sign_raw(timestamp, nonce, &body);
    assert_eq!(signature.as_str(), expected);

    if let Some(payload) = &vector.payload {
        assert_eq!(string_to_sign(timestamp, nonce, &body), payload.as_bytes());
    }

    // Whether Binance would take these headers, as our typed constructors judge it.
    let typed = (Timestamp::parse(timestamp), Nonce::new(nonce));
    let strict = vector
        .strict
        .expect("vector says whether its headers are valid");
    assert_eq!(typed.0.is_ok() && typed.1.is_ok(), strict, "{typed:?}");
    if let (Ok(timestamp), Ok(nonce)) = typed {
        assert_eq!(signer.sign(&timestamp, &nonce, &body).as_str(), expected);
        assert_eq!(signer.verify(&timestamp, &nonce, &body, expected), Ok(()));
        // A difference in letter case alone in the body must fail.
        let position = body
            .iter()
            .position(u8::is_ascii_alphabetic)
            .expect("a letter");
        let mut recased = body.clone();
        recased[position] ^= 0x20;
        assert_eq!(
            signer.verify(&timestamp, &nonce, &recased, expected),
            Err(Error::SignatureMismatch)
        );
    }
    if let Some(prefix) = &vector.ascii_lossy_prefix {
        assert!(!signature.as_str().starts_with(prefix.as_str()));
    }
}

fn payload(vector: &Vector) {
    let timestamp = field(&vector.timestamp, "timestamp");
    let nonce = field(&vector.nonce, "nonce");
    let body = bytes(&vector.body_file);
    let expected = bytes(&vector.payload_file);
    assert_eq!(string_to_sign(timestamp, nonce, &body), expected);
    assert_eq!(
        expected.last(),
        Some(&b'\n'),
        "the payload file keeps its trailing LF"
    );

    // The signer feeds pieces; an HMAC computed over the golden payload in one go must agree.
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(b"any secret").expect("hmac key");
    mac.update(&expected);
    let reference: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let signer = RequestSigner::new(&ApiSecret::new("any secret").expect("secret"));
    assert_eq!(signer.sign_raw(timestamp, nonce, &body).as_str(), reference);
}

/// The signature the FAQ prints is Binance's own vector for the BUSD body; the page shows the
/// same body with USDT, whose signature differs (test-vectors.md V0).
#[test]
fn the_faq_printed_signature_belongs_to_the_busd_body() {
    let usdt = data::load("v0-faq.toml");
    let busd = data::load("v0-faq-busd.toml");
    let usdt_body = bytes(&usdt.body_file);
    let busd_body = bytes(&busd.body_file);
    assert_eq!(
        String::from_utf8_lossy(&usdt_body)
            .replace("\"currency\":\"USDT\"", "\"currency\":\"BUSD\""),
        String::from_utf8_lossy(&busd_body),
        "the two bodies differ in the currency only"
    );
    let signer =
        RequestSigner::new(&ApiSecret::new(field(&usdt.secret, "secret")).expect("secret"));
    let (timestamp, nonce) = (
        field(&usdt.timestamp, "timestamp"),
        field(&usdt.nonce, "nonce"),
    );
    let printed = field(&busd.signature, "signature");
    assert_eq!(
        signer.sign_raw(timestamp, nonce, &busd_body).as_str(),
        printed
    );
    assert_ne!(
        signer.sign_raw(timestamp, nonce, &usdt_body).as_str(),
        printed
    );
}
