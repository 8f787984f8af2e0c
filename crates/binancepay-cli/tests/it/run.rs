//! Running the binary and loading the shared vector files.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub(crate) const SECRET_VAR: &str = "BINANCEPAY_API_SECRET";

/// The fields of binancepay-sign's vector descriptors that these tests use.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Vector {
    pub(crate) secret: Option<String>,
    pub(crate) timestamp: String,
    pub(crate) nonce: String,
    pub(crate) body_file: String,
    pub(crate) signature: String,
    pub(crate) public_key_file: Option<String>,
}

pub(crate) fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../binancepay-sign/tests/vectors")
}

pub(crate) fn vector(name: &str) -> Vector {
    let text = std::fs::read_to_string(vectors_dir().join(name)).expect("vector file");
    toml::from_str(&text).expect("vector toml")
}

pub(crate) fn path(name: &str) -> String {
    vectors_dir()
        .join(name)
        .to_str()
        .expect("UTF-8 path")
        .to_owned()
}

/// Runs `binancepay` with `args`, an optional secret and optional standard input.
pub(crate) fn binancepay(args: &[&str], secret: Option<&str>, stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_binancepay"));
    command
        .args(args)
        .env_remove(SECRET_VAR)
        .env("RUST_BACKTRACE", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = secret {
        command.env(SECRET_VAR, secret);
    }
    let mut child = command.spawn().expect("spawn binancepay");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("wait for binancepay")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// A user mistake must end in a clean message, never a panic or a backtrace.
pub(crate) fn assert_clean_failure(output: &Output, code: i32) -> String {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(output.stdout.is_empty());
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    stderr
}
