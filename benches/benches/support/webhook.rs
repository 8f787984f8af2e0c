//! The PAY webhook both `client.rs` and `paired.rs` verify, with its bare aws-lc reference:
//! signed once at start-up with the benchmark key, checked to verify both ways.

use aws_lc_rs::signature;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use binancepay_benches::fixtures;
use binancepay_http::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP,
    CertificateStore, Timestamp, WebhookVerifier,
};
use binancepay_sign::string_to_sign;
use binancepay_sign::webhook::{Backend, WebhookSigningKey};
use binancepay_types::webhook::Notification;
use http::{HeaderMap, HeaderValue};

const TIMESTAMP: &str = "1619508939664";
const NONCE: &str = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";
const SERIAL: &str = "0ce4e0bb1c1e5ffd6c2e8f4c1a11b2e5";

/// What ours and the reference each get.
pub(crate) struct WebhookFixture {
    /// The notification body, as delivered.
    pub(crate) body: Vec<u8>,
    /// Ours: the verifier (aws-lc backend), the delivery headers and the time to check against.
    pub(crate) verifier: WebhookVerifier,
    pub(crate) headers: HeaderMap,
    pub(crate) now: Timestamp,
    /// The reference: the framed bytes and the raw signature, prepared outside the loop.
    pub(crate) framed: Vec<u8>,
    pub(crate) raw_signature: Vec<u8>,
    pub(crate) reference: signature::ParsedPublicKey,
}

/// Signs `benches/data/pay_webhook.json` with the 2048-bit benchmark key and prepares both sides.
pub(crate) fn pay_webhook_2048() -> WebhookFixture {
    let body = fixtures::data("pay_webhook.json").expect("webhook body");
    let pem = String::from_utf8(fixtures::data("webhook-key-2048.pkcs8.pem").expect("key"))
        .expect("PEM text");
    let signing = WebhookSigningKey::from_pkcs8_pem(&pem).expect("benchmark key");
    let signature_b64 = signing.sign(TIMESTAMP, NONCE, &body).expect("sign");
    let mut store = CertificateStore::new();
    store
        .insert_pem(SERIAL.to_owned(), &signing.public_key_pem())
        .expect("store");
    assert_eq!(
        store.get(SERIAL).map(|k| k.backend()),
        Some(Backend::AwsLc),
        "the verifier must run on aws-lc for this comparison"
    );
    let verifier = WebhookVerifier::new(store);
    let header = |v: &str| HeaderValue::from_str(v).expect("header");
    let mut headers = HeaderMap::new();
    headers.insert(BINANCEPAY_TIMESTAMP, header(TIMESTAMP));
    headers.insert(BINANCEPAY_NONCE, header(NONCE));
    headers.insert(BINANCEPAY_CERTIFICATE_SN, header(SERIAL));
    headers.insert(BINANCEPAY_SIGNATURE, header(&signature_b64));
    let now = Timestamp::parse(TIMESTAMP).expect("timestamp");
    let parsed = verifier.verify(&headers, &body, now).expect("verifies");
    assert!(matches!(parsed, Notification::Pay(_)), "{parsed:?}");
    let framed = string_to_sign(TIMESTAMP, NONCE, &body);
    let raw_signature = STANDARD.decode(&signature_b64).expect("base64");
    let pkcs1 = signing.public_key().to_pkcs1_der();
    let reference = signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &pkcs1)
        .expect("parsed key");
    assert!(reference.verify_sig(&framed, &raw_signature).is_ok());
    WebhookFixture {
        body,
        verifier,
        headers,
        now,
        framed,
        raw_signature,
        reference,
    }
}
