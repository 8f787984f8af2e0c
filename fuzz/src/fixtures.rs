//! Keys, serials and secrets the targets verify against.
//!
//! Everything is read at compile time from the data files of the crates (the signature vectors
//! of binancepay-sign and the samples of binancepay-types), so the fuzzers and the test suites
//! share one source. Set-up failures panic with a message: they are harness bugs, not findings.

use std::sync::OnceLock;

use binancepay_http::CertificateStore;
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{ApiKey, ApiSecret, RequestSigner};
use binancepay_types::ApiResponse;
use binancepay_types::certificate::Certificate;

macro_rules! vector {
    ($name:literal) => {
        include_str!(concat!(
            "../../crates/binancepay-sign/tests/vectors/",
            $name
        ))
    };
}

/// The throwaway private key of the `signing` vector (PKCS#8 PEM).
pub const SIGNING_KEY_PKCS8: &str = vector!("test-signing-key-1024.pkcs8.pem");
/// The 4096-bit public key of vector V4.
pub const V4_PUBLIC_PEM: &str = vector!("v4-webhook-4096.pem");
/// The certificates response sample: one serial with the 1024-bit key of vector V3.
const CERTIFICATES_SAMPLE: &str = include_str!(
    "../../crates/binancepay-types/tests/data/samples/query_certificates.response.json"
);
/// Vector V0 (the FAQ example): its secret keys the request targets.
const V0_FAQ: &str = vector!("v0-faq.toml");

/// Serial under which the store holds the public half of [`signing_key`].
pub const SERIAL_SIGNING: &str = "fuzz-signing-1024";
/// Serial under which the store holds the V4 key.
pub const SERIAL_V4: &str = "v4-webhook-4096";

/// The API key the request targets accept: made up, 64 letters and digits like Binance's.
pub const API_KEY: &str = "FuzzKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU";

/// The value of `key = "value"` in a flat TOML file; the vector files use no escapes.
pub fn toml_string<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        if name.trim() != key {
            return None;
        }
        value.trim().strip_prefix('"')?.strip_suffix('"')
    })
}

/// The private key whose public half the store knows as [`SERIAL_SIGNING`].
pub fn signing_key() -> &'static WebhookSigningKey {
    static KEY: OnceLock<WebhookSigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        WebhookSigningKey::from_pkcs8_pem(SIGNING_KEY_PKCS8).expect("signing vector key parses")
    })
}

/// The serial of the certificates sample (the V3 key), as Binance would send it.
pub fn sample_serial() -> &'static str {
    &sample_certificates()
        .first()
        .expect("the certificates sample lists a certificate")
        .cert_serial
}

fn sample_certificates() -> &'static [Certificate] {
    static CERTS: OnceLock<Vec<Certificate>> = OnceLock::new();
    CERTS.get_or_init(|| {
        let response: ApiResponse<Vec<Certificate>> =
            serde_json::from_str(CERTIFICATES_SAMPLE).expect("certificates sample parses");
        response
            .into_data()
            .expect("certificates sample is a success")
    })
}

/// A fixed store: the certificates sample, the signing key's public half and the V4 key.
pub fn store() -> &'static CertificateStore {
    static STORE: OnceLock<CertificateStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = CertificateStore::from_certificates(sample_certificates().to_vec())
            .expect("certificates sample is a valid store");
        store
            .insert_pem(SERIAL_SIGNING.to_owned(), &signing_key().public_key_pem())
            .expect("signing key's public half is valid");
        store
            .insert_pem(SERIAL_V4.to_owned(), V4_PUBLIC_PEM)
            .expect("V4 key is valid");
        store
    })
}

/// The request secret of vector V0.
pub fn request_secret() -> &'static str {
    toml_string(V0_FAQ, "secret").expect("v0-faq.toml has a secret")
}

/// The nonce of vector V0: 32 letters and digits, as `Nonce` requires.
pub fn request_nonce() -> &'static str {
    toml_string(V0_FAQ, "nonce").expect("v0-faq.toml has a nonce")
}

/// [`API_KEY`] with the signer of [`request_secret`]: the one merchant the server knows.
pub fn merchant() -> &'static (ApiKey, RequestSigner) {
    static MERCHANT: OnceLock<(ApiKey, RequestSigner)> = OnceLock::new();
    MERCHANT.get_or_init(|| {
        let key = ApiKey::new(API_KEY).expect("API_KEY is valid");
        let secret = ApiSecret::new(request_secret()).expect("V0 secret is valid");
        (key, RequestSigner::new(&secret))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_load() {
        assert_eq!(store().len(), 3);
        assert!(store().get(sample_serial()).is_some());
        assert_eq!(request_nonce().len(), 32);
        assert_eq!(toml_string("a = 1\nkey = \"v\"\n", "key"), Some("v"));
        let signature = signing_key().sign("1", "n", b"{}");
        let key = store().get(SERIAL_SIGNING);
        assert!(
            matches!((signature, key), (Ok(s), Some(k)) if k.verify("1", "n", b"{}", &s).is_ok())
        );
    }
}
