//! `binancepay payer-detail decrypt` on the shared vectors of `tests/data/payer_detail/` (made
//! with pyca/cryptography): plaintext on stdout, exit 1 for a failed authentication, exit 2 for
//! malformed input or a missing secret.

use crate::run::{assert_clean_failure, binancepay, stderr, stdout};

#[derive(Debug, serde::Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Debug, serde::Deserialize)]
struct Case {
    name: String,
    secret: String,
    data: String,
    plaintext: Option<String>,
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/payer_detail/vectors.json");
    let text = std::fs::read_to_string(path).expect("vectors.json");
    serde_json::from_str::<File>(&text).expect("vectors").cases
}

fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

#[test]
fn every_vector_through_data_flag() {
    for case in cases() {
        let output = binancepay(
            &["payer-detail", "decrypt", "--data", &case.data],
            Some(&case.secret),
            None,
        );
        match (case.plaintext, case.error.as_deref()) {
            (Some(plaintext), None) => {
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "{}: {}",
                    case.name,
                    stderr(&output)
                );
                assert_eq!(stdout(&output), format!("{plaintext}\n"), "{}", case.name);
            }
            (None, Some(code)) => {
                let expected = if code == "PAYER_DETAIL_AUTHENTICATION" {
                    1
                } else {
                    2
                };
                let message = assert_clean_failure(&output, expected);
                assert!(
                    message.starts_with("error: payer detail: "),
                    "{}: {message}",
                    case.name
                );
                assert!(!message.contains(&case.secret), "{}", case.name);
            }
            _ => panic!("{}: plaintext or error", case.name),
        }
    }
}

#[test]
fn reads_standard_input_with_its_newline() {
    let case = case("json-utf8");
    let input = format!("{}\n", case.data);
    let output = binancepay(
        &["payer-detail", "decrypt"],
        Some(&case.secret),
        Some(input.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("{}\n", case.plaintext.expect("plaintext"))
    );
}

#[test]
fn tampered_input_on_stdin_exits_1() {
    let case = case("tampered-tag");
    let output = binancepay(
        &["payer-detail", "decrypt"],
        Some(&case.secret),
        Some(case.data.as_bytes()),
    );
    let message = assert_clean_failure(&output, 1);
    assert!(message.contains("authentication failed"), "{message}");
}

#[test]
fn missing_or_empty_secret_exits_2() {
    let case = case("json-ascii");
    let output = binancepay(
        &["payer-detail", "decrypt", "--data", &case.data],
        None,
        None,
    );
    let message = assert_clean_failure(&output, 2);
    assert!(message.contains("BINANCEPAY_API_SECRET"), "{message}");
    let output = binancepay(
        &["payer-detail", "decrypt", "--data", &case.data],
        Some(""),
        None,
    );
    let message = assert_clean_failure(&output, 2);
    assert!(message.contains("BINANCEPAY_API_SECRET"), "{message}");
}

#[test]
fn empty_standard_input_exits_2() {
    let case = case("json-ascii");
    let output = binancepay(
        &["payer-detail", "decrypt"],
        Some(&case.secret),
        Some(b"\n"),
    );
    let message = assert_clean_failure(&output, 2);
    assert!(message.contains("at least 28"), "{message}");
}
