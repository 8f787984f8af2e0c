//! Loading vector files: one TOML descriptor per vector, with bodies and keys as exact-byte files.

use std::path::{Path, PathBuf};

/// Every field any vector kind uses; each kind reads its own.
/// HMAC-primitive vectors (`kind = "hmac"`) have other fields; src/request.rs runs them.
#[derive(Debug, Default, serde::Deserialize)]
#[allow(dead_code)] // Kinds behind optional features leave their fields unread without them.
pub(crate) struct Vector {
    pub(crate) source: String,
    pub(crate) kind: String,
    pub(crate) secret: Option<String>,
    pub(crate) timestamp: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) body_file: Option<String>,
    pub(crate) body_sha256: Option<String>,
    pub(crate) signature: Option<String>,
    pub(crate) payload: Option<String>,
    pub(crate) payload_file: Option<String>,
    pub(crate) message_file: Option<String>,
    pub(crate) strict: Option<bool>,
    pub(crate) reason: Option<String>,
    pub(crate) ascii_lossy_prefix: Option<String>,
    pub(crate) public_key_file: Option<String>,
    pub(crate) public_key_pkcs1_pem_file: Option<String>,
    pub(crate) public_key_spki_der_file: Option<String>,
    pub(crate) public_key_pkcs1_der_file: Option<String>,
    pub(crate) private_key_pkcs1_file: Option<String>,
    pub(crate) private_key_pkcs8_file: Option<String>,
    pub(crate) bits: Option<usize>,
    pub(crate) spki_sha256: Option<String>,
    #[serde(default)]
    pub(crate) negative: Vec<Negative>,
}

/// A variant of a positive vector that must be rejected.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // `why` documents the case in the data file.
pub(crate) struct Negative {
    pub(crate) variant: String,
    pub(crate) why: String,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) index: Option<usize>,
}

pub(crate) fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

pub(crate) fn load(name: &str) -> Vector {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let vector: Vector = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        !vector.source.is_empty(),
        "{name}: every vector names its source"
    );
    vector
}

/// Exact bytes of a data file named by a vector.
pub(crate) fn bytes(name: &Option<String>) -> Vec<u8> {
    let name = name.as_deref().expect("vector names the file");
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[cfg_attr(not(any(feature = "rsa", feature = "aws-lc")), allow(dead_code))]
pub(crate) fn text(name: &Option<String>) -> String {
    String::from_utf8(bytes(name)).expect("UTF-8 file")
}

pub(crate) fn field<'a>(value: &'a Option<String>, what: &str) -> &'a str {
    value
        .as_deref()
        .unwrap_or_else(|| panic!("vector lacks {what}"))
}

#[cfg_attr(not(any(feature = "rsa", feature = "aws-lc")), allow(dead_code))]
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
