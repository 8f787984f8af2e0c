//! `binancepay webhook verify` on V3: valid, tampered, unusable inputs and staleness.

use std::process::Output;

use crate::run::{assert_clean_failure, binancepay, path, stdout, vector};

const V3: &str = "v3-webhook-1024.toml";

/// Runs `webhook verify` on V3 with some arguments replaced or added.
fn verify(replace: &[(&str, &str)], extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let v = vector(V3);
    let key = path(v.public_key_file.as_deref().expect("key"));
    let body = path(&v.body_file);
    let mut pairs: Vec<(&str, String)> = vec![
        ("--public-key-file", key),
        ("--timestamp", v.timestamp.clone()),
        ("--nonce", v.nonce.clone()),
        ("--signature", v.signature.clone()),
        ("--body-file", body),
    ];
    for (flag, value) in replace {
        let slot = pairs
            .iter_mut()
            .find(|(f, _)| f == flag)
            .expect("known flag");
        slot.1 = (*value).to_owned();
    }
    let mut args: Vec<&str> = vec!["webhook", "verify"];
    for (flag, value) in &pairs {
        args.push(flag);
        args.push(value);
    }
    args.extend_from_slice(extra);
    binancepay(&args, None, stdin)
}

#[test]
fn valid_webhook_prints_valid() {
    let output = verify(&[], &[], None);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "valid\n");
}

#[test]
fn body_from_stdin() {
    let body = std::fs::read(path(&vector(V3).body_file)).expect("body");
    let output = verify(&[("--body-file", "-")], &[], Some(&body));
    assert_eq!(stdout(&output), "valid\n");
}

#[test]
fn tampered_body_exits_1_with_the_reason() {
    let body = std::fs::read(path(&vector(V3).body_file)).expect("body");
    let tampered = String::from_utf8(body)
        .expect("UTF-8")
        .replace("29383937493038367292", "29383937493038367000");
    let output = verify(&[("--body-file", "-")], &[], Some(tampered.as_bytes()));
    let stderr = assert_clean_failure(&output, 1);
    assert_eq!(
        stderr,
        "error: webhook rejected: signature: does not match the signed content\n"
    );
}

#[test]
fn tampered_headers_exit_1() {
    assert_clean_failure(&verify(&[("--timestamp", "1611232922429")], &[], None), 1);
    assert_clean_failure(
        &verify(
            &[("--nonce", "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sB")],
            &[],
            None,
        ),
        1,
    );
    let stderr = assert_clean_failure(
        &verify(&[("--signature", "bm90IGEgc2lnbmF0dXJl")], &[], None),
        1,
    );
    assert!(stderr.contains("signature: length"), "{stderr}");
}

#[test]
fn missing_key_file_exits_2() {
    let stderr = assert_clean_failure(
        &verify(&[("--public-key-file", "/nonexistent/key.pem")], &[], None),
        2,
    );
    assert!(
        stderr.starts_with("error: /nonexistent/key.pem:"),
        "{stderr}"
    );
}

#[test]
fn garbage_key_exits_2() {
    // A body file is not a key.
    let body = path(&vector(V3).body_file);
    let stderr = assert_clean_failure(&verify(&[("--public-key-file", &body)], &[], None), 2);
    assert!(stderr.contains("public key: PEM"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn missing_body_and_bad_now_exit_2() {
    assert_clean_failure(
        &verify(&[("--body-file", "/nonexistent/body")], &[], None),
        2,
    );
    assert_clean_failure(
        &verify(&[], &["--max-age-secs", "60", "--now", "soon"], None),
        2,
    );
    // --now without --max-age-secs is a clap usage error.
    assert_clean_failure(&verify(&[], &["--now", "1611232922428"], None), 2);
}

#[test]
fn freshness_only_when_asked() {
    // The V3 timestamp is from 2021: fine without --max-age-secs, stale with it.
    assert_eq!(verify(&[], &[], None).status.code(), Some(0));
    let fresh = verify(
        &[],
        &["--max-age-secs", "300", "--now", "1611232982428"],
        None,
    );
    assert_eq!(stdout(&fresh), "valid\n");
    let stale = verify(
        &[],
        &["--max-age-secs", "300", "--now", "1611233922428"],
        None,
    );
    let stderr = assert_clean_failure(&stale, 1);
    assert!(stderr.contains("1000000 ms"), "{stderr}");
    let by_system_clock = verify(&[], &["--max-age-secs", "300"], None);
    assert_clean_failure(&by_system_clock, 1);
}
