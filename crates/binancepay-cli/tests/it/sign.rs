//! `binancepay sign` on V1 (timestamp in seconds, 4-char nonce) and V6 (UTF-8 body).

use crate::run::{assert_clean_failure, binancepay, path, stderr, stdout, vector};

fn sign_file(name: &str) {
    let v = vector(name);
    let secret = v.secret.as_deref().expect("secret");
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            &path(&v.body_file),
        ],
        Some(secret),
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{}\n", v.signature));
}

fn sign_stdin(name: &str) {
    let v = vector(name);
    let secret = v.secret.as_deref().expect("secret");
    let body = std::fs::read(path(&v.body_file)).expect("body");
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            "-",
        ],
        Some(secret),
        Some(&body),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{}\n", v.signature));
}

#[test]
fn v1_from_file_warns_about_headers_binance_would_refuse() {
    sign_file("v1-binance-pay-rs.toml");
    let v = vector("v1-binance-pay-rs.toml");
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            &path(&v.body_file),
        ],
        v.secret.as_deref(),
        None,
    );
    let warnings = stderr(&output);
    assert!(
        warnings.contains("warning: --timestamp:") && warnings.contains("seconds"),
        "{warnings}"
    );
    assert!(warnings.contains("warning: --nonce:"), "{warnings}");
}

#[test]
fn v1_from_stdin() {
    sign_stdin("v1-binance-pay-rs.toml");
}

#[test]
fn v6_from_file_is_silent() {
    sign_file("v6-utf8.toml");
    let v = vector("v6-utf8.toml");
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            &path(&v.body_file),
        ],
        v.secret.as_deref(),
        None,
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn v6_from_stdin() {
    sign_stdin("v6-utf8.toml");
}

#[test]
fn stdin_is_signed_byte_for_byte() {
    // A trailing newline is part of the body: the signature must change.
    let v = vector("v6-utf8.toml");
    let mut body = std::fs::read(path(&v.body_file)).expect("body");
    body.push(b'\n');
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            "-",
        ],
        v.secret.as_deref(),
        Some(&body),
    );
    assert_eq!(output.status.code(), Some(0));
    assert_ne!(stdout(&output), format!("{}\n", v.signature));
}

#[test]
fn missing_secret_is_a_usage_error() {
    let v = vector("v6-utf8.toml");
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            &path(&v.body_file),
        ],
        None,
        None,
    );
    let stderr = assert_clean_failure(&output, 2);
    assert!(
        stderr.starts_with("error: BINANCEPAY_API_SECRET is not set"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);

    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            &v.timestamp,
            "--nonce",
            &v.nonce,
            "--body-file",
            &path(&v.body_file),
        ],
        Some(""),
        None,
    );
    let stderr = assert_clean_failure(&output, 2);
    assert!(stderr.contains("api secret: must not be empty"), "{stderr}");
}

#[test]
fn missing_body_file_and_bad_arguments_exit_2() {
    let output = binancepay(
        &[
            "sign",
            "--timestamp",
            "1636876819000",
            "--nonce",
            "x",
            "--body-file",
            "/nonexistent/body.json",
        ],
        Some("abcd1234"),
        None,
    );
    let stderr = assert_clean_failure(&output, 2);
    assert!(
        stderr.starts_with("error: /nonexistent/body.json:"),
        "{stderr}"
    );

    let output = binancepay(&["sign", "--timestamp", "1"], Some("abcd1234"), None);
    assert_clean_failure(&output, 2);
    let output = binancepay(&["sign", "--secret", "abcd1234"], None, None);
    assert_clean_failure(&output, 2);
}
