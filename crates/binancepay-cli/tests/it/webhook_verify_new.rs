//! `binancepay webhook verify` with Binance's new platform certificate: the `-New` pair beside
//! the usual one, or alone; each pair given must verify. The existing form is unchanged (see
//! `webhook_verify`).

use std::process::Output;

use binancepay_sign::webhook::WebhookSigningKey;

use crate::cli::rotation_key_file;
use crate::run::{assert_clean_failure, binancepay, path, stdout, vector};

const V3: &str = "v3-webhook-1024.toml";

/// The second key's public half in a file of its own, and its signature over V3.
struct NewPair {
    key_file: std::path::PathBuf,
    signature: String,
}

impl NewPair {
    fn make(name: &str) -> NewPair {
        let pem = std::fs::read_to_string(rotation_key_file()).expect("rotation key");
        let key = WebhookSigningKey::from_pkcs8_pem(&pem).expect("PKCS#8 key");
        let v = vector(V3);
        let body = std::fs::read(path(&v.body_file)).expect("body");
        let signature = key.sign(&v.timestamp, &v.nonce, &body).expect("signs");
        let key_file = std::env::temp_dir().join(format!(
            "binancepay-cli-{}-{name}-new-key.pem",
            std::process::id()
        ));
        std::fs::write(&key_file, key.public_key_pem()).expect("write key");
        NewPair {
            key_file,
            signature,
        }
    }

    fn key_path(&self) -> &str {
        self.key_file.to_str().expect("UTF-8 path")
    }
}

impl Drop for NewPair {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key_file);
    }
}

/// `webhook verify` on V3 with the given pair flags.
fn verify(pairs: &[(&str, &str)]) -> Output {
    let v = vector(V3);
    let body = path(&v.body_file);
    let mut args: Vec<&str> = vec![
        "webhook",
        "verify",
        "--timestamp",
        &v.timestamp,
        "--nonce",
        &v.nonce,
        "--body-file",
        &body,
    ];
    for (flag, value) in pairs {
        args.push(flag);
        args.push(value);
    }
    binancepay(&args, None, None)
}

fn old_key() -> String {
    path(vector(V3).public_key_file.as_deref().expect("key"))
}

#[test]
fn both_pairs_valid_prints_valid() {
    let new = NewPair::make("both");
    let old_key = old_key();
    let old_signature = vector(V3).signature;
    let output = verify(&[
        ("--public-key-file", &old_key),
        ("--signature", &old_signature),
        ("--public-key-file-new", new.key_path()),
        ("--signature-new", &new.signature),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "valid\n");
}

#[test]
fn the_new_pair_alone_prints_valid() {
    let new = NewPair::make("alone");
    let output = verify(&[
        ("--public-key-file-new", new.key_path()),
        ("--signature-new", &new.signature),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "valid\n");
}

#[test]
fn a_bad_new_signature_exits_1_naming_the_new_header() {
    let new = NewPair::make("bad");
    let old_key = old_key();
    let old_signature = vector(V3).signature;
    // The old key's signature offered as the -New one.
    let output = verify(&[
        ("--public-key-file", &old_key),
        ("--signature", &old_signature),
        ("--public-key-file-new", new.key_path()),
        ("--signature-new", old_signature.trim()),
    ]);
    let stderr = assert_clean_failure(&output, 1);
    assert!(
        stderr.starts_with("error: webhook rejected: BinancePay-Signature-New: "),
        "{stderr}"
    );
    // A valid -New pair does not rescue a bad old one.
    let output = verify(&[
        ("--public-key-file", &old_key),
        ("--signature", &new.signature),
        ("--public-key-file-new", new.key_path()),
        ("--signature-new", &new.signature),
    ]);
    let stderr = assert_clean_failure(&output, 1);
    assert!(
        stderr.starts_with("error: webhook rejected: signature: "),
        "{stderr}"
    );
}

#[test]
fn half_a_pair_or_no_pair_is_a_usage_error() {
    let new = NewPair::make("half");
    assert_clean_failure(&verify(&[("--signature-new", &new.signature)]), 2);
    assert_clean_failure(&verify(&[("--public-key-file-new", new.key_path())]), 2);
    let old_key = old_key();
    assert_clean_failure(&verify(&[("--public-key-file", &old_key)]), 2);
    assert_clean_failure(&verify(&[]), 2);
    // A new key file that is not a key: usage, before any verdict.
    let body = path(&vector(V3).body_file);
    let output = verify(&[
        ("--public-key-file-new", &body),
        ("--signature-new", &new.signature),
    ]);
    let stderr = assert_clean_failure(&output, 2);
    assert!(stderr.contains("public key: PEM"), "{stderr}");
}
