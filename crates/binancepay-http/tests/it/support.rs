//! Shared fixtures: data files, a test merchant key, fixed times and nonces.

use std::path::PathBuf;

use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp};
use binancepay_sign::RequestSigner;

/// A made-up 64-character API key (Binance keys are 64 letters and digits).
pub(crate) const API_KEY: &str = "TestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU";
/// A made-up secret; it signs nothing outside these tests.
pub(crate) const API_SECRET: &str =
    "testsecretuahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunio";
/// 2021-01-21T12:42:02.428Z, the vectors' timestamp.
pub(crate) const T0: u64 = 1_611_232_922_428;

/// A file below `crates/binancepay-http/`, e.g. `tests/data/responses/cases.json`.
pub(crate) fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub(crate) fn read(relative: &str) -> Vec<u8> {
    let p = path(relative);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub(crate) fn read_string(relative: &str) -> String {
    String::from_utf8(read(relative)).expect("UTF-8 data file")
}

/// A shared sample body of binancepay-types (`tests/data/samples/<name>`).
pub(crate) fn sample(name: &str) -> Vec<u8> {
    read(&format!("../binancepay-types/tests/data/samples/{name}"))
}

/// A signature vector of binancepay-sign (`tests/vectors/<name>`).
pub(crate) fn vector_file(name: &str) -> Vec<u8> {
    read(&format!("../binancepay-sign/tests/vectors/{name}"))
}

/// A vector's TOML description.
pub(crate) fn vector(name: &str) -> toml::Table {
    let text = String::from_utf8(vector_file(name)).expect("UTF-8 TOML");
    text.parse().expect("vector TOML parses")
}

pub(crate) fn vector_str<'a>(table: &'a toml::Table, key: &str) -> &'a str {
    table
        .get(key)
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("vector key {key} missing"))
}

pub(crate) fn api_key() -> ApiKey {
    ApiKey::new(API_KEY).expect("valid test key")
}

pub(crate) fn secret() -> ApiSecret {
    ApiSecret::new(API_SECRET).expect("valid test secret")
}

pub(crate) fn builder() -> RequestBuilder {
    RequestBuilder::new(api_key(), &secret()).expect("builder")
}

/// The lookup a server uses: our one test key.
pub(crate) fn keys() -> (ApiKey, RequestSigner) {
    (api_key(), RequestSigner::new(&secret()))
}

pub(crate) fn ts(millis: u64) -> Timestamp {
    Timestamp::from_millis(millis).expect("millisecond timestamp")
}

/// A distinct valid nonce per `n`.
pub(crate) fn nonce(n: u32) -> Nonce {
    Nonce::new(&format!("NonceNonceNonceNonceNonce{n:07}")).expect("32 alphanumerics")
}
