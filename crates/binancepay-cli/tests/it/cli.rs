//! Running the binary with a clean environment and a time limit, and reading its output.

use std::io::{BufRead as _, BufReader, Read, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// No run of the binary may take longer (the demo generates an RSA key in a debug build).
pub(crate) const LIMIT: Duration = Duration::from_secs(120);

/// Variables that would change what the binary does; every run starts without them.
const CLEARED: &[&str] = &[
    "BINANCEPAY_API_KEY",
    "BINANCEPAY_API_SECRET",
    "BINANCEPAY_BASE_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

pub(crate) fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    path.to_str().expect("UTF-8 path").to_owned()
}

/// The sandbox's test webhook key (generating one per test is far too slow in debug builds).
pub(crate) fn test_key_file() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../binancepay-sandbox/tests/data/webhook-key.pem");
    path.to_str().expect("UTF-8 path").to_owned()
}

/// The second test key: what the sandbox's first certificate rotation signs with.
pub(crate) fn rotation_key_file() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../binancepay-sandbox/tests/data/rotation-key.pem");
    path.to_str().expect("UTF-8 path").to_owned()
}

/// `binancepay ARGS` with only `env` set of the variables that matter.
pub(crate) fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_binancepay"));
    command.args(args);
    for name in CLEARED {
        command.env_remove(name);
    }
    // A panic would then print a backtrace, which the clean-failure checks look for.
    command.env("RUST_BACKTRACE", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs to completion within [`LIMIT`], feeding `stdin` if given.
pub(crate) fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut command = command(args, env);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn binancepay");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input).expect("write stdin");
    }
    finish(child, LIMIT)
}

/// Collects a child's output, killing it (and failing the test) if it outlives `limit`.
pub(crate) fn finish(mut child: Child, limit: Duration) -> Output {
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let status = wait(&mut child, limit);
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

pub(crate) fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for binancepay") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("binancepay ran longer than {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Lines of a running child's stdout, as they come.
pub(crate) fn lines<R: Read + Send + 'static>(pipe: R) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Exit `code` with exactly one `error: ` line on stderr, no panic; returns that line.
pub(crate) fn one_error_line(output: &Output, code: i32) -> String {
    let stderr = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {stderr}\nstdout: {}",
        stdout(output)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    let line = lines.first().copied().unwrap_or_default();
    assert!(line.starts_with("error: "), "{line}");
    line.to_owned()
}

/// The JSON printed on stdout.
pub(crate) fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}
