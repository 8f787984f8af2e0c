//! `binancepay sandbox`: the ready line, credentials printed for `eval`, a signed request
//! answered, and a clean exit 0 on SIGTERM.

use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::cli::{command, data, finish, json, lines, one_error_line, run, stderr, test_key_file};

/// How long the sandbox may take to print a line (the key is loaded, not generated).
const LINE_WAIT: Duration = Duration::from_secs(30);

struct Running {
    /// `None` once terminated.
    child: Option<Child>,
    stdout: Receiver<String>,
}

impl Running {
    fn start(env: &[(&str, &str)]) -> Self {
        Self::start_with(env, &[])
    }

    fn start_with(env: &[(&str, &str)], flags: &[&str]) -> Self {
        let key = test_key_file();
        let mut args = vec!["sandbox", "--listen", "127.0.0.1:0", "--key-file", &key];
        args.extend_from_slice(flags);
        let mut child = command(&args, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn binancepay sandbox");
        let stdout = lines(child.stdout.take().expect("stdout pipe"));
        Self {
            child: Some(child),
            stdout,
        }
    }

    fn line(&self) -> String {
        self.stdout
            .recv_timeout(LINE_WAIT)
            .expect("a line from binancepay sandbox in time")
    }

    /// Sends SIGTERM and waits; the output holds stderr (stdout is read line by line).
    fn terminate(&mut self) -> std::process::Output {
        let child = self.child.take().expect("still running");
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success());
        finish(child, Duration::from_secs(30))
    }

    /// Lines printed after the ones already read, up to the end of the (exited) process.
    fn rest(&self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(5)) {
            rest.push(line);
        }
        rest
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A child is left only when a test failed half-way.
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `NAME=value` → value, for a line that must start with `NAME=`.
fn assignment(line: &str, name: &str) -> String {
    line.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('='))
        .unwrap_or_else(|| panic!("expected {name}=…, got {line:?}"))
        .to_owned()
}

#[test]
fn generated_credentials_then_listening_then_sigterm_exits_0() {
    let mut sandbox = Running::start(&[]);
    let key = assignment(&sandbox.line(), "BINANCEPAY_API_KEY");
    let secret = assignment(&sandbox.line(), "BINANCEPAY_API_SECRET");
    // Safe to eval unquoted: letters and digits only.
    assert!(
        key.bytes()
            .chain(secret.bytes())
            .all(|b| b.is_ascii_alphanumeric())
    );
    let listening = sandbox.line();
    let base_url = listening
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{listening:?}"))
        .to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(!base_url.ends_with(":0"), "the real port: {base_url}");

    let env = [
        ("BINANCEPAY_API_KEY", key.as_str()),
        ("BINANCEPAY_API_SECRET", secret.as_str()),
        ("BINANCEPAY_BASE_URL", base_url.as_str()),
    ];
    let query = data("bodies/query-unknown-order.json");
    let answered = run(
        &[
            "request",
            "/binancepay/openapi/certificates",
            "--body-file",
            &data("bodies/empty.json"),
        ],
        &env,
        None,
    );
    assert_eq!(answered.status.code(), Some(0), "{}", stderr(&answered));
    let refused = run(
        &[
            "request",
            "/binancepay/openapi/v2/order/query",
            "--body-file",
            &query,
        ],
        &env,
        None,
    );
    assert!(one_error_line(&refused, 1).contains("400202"));

    let stopped = sandbox.terminate();
    assert_eq!(stopped.status.code(), Some(0), "{}", stderr(&stopped));
    let notes = stderr(&stopped);
    assert!(notes.contains("sandbox: stopped"), "{notes}");
    assert!(!notes.contains(&secret), "the secret goes to stdout only");
}

/// `POST /sandbox/{path}` on a sandbox's control API; the HTTP status.
fn control(base_url: &str, path: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        binancepay_client::reqwest::Client::builder()
            .no_proxy()
            .timeout(LINE_WAIT)
            .build()
            .expect("reqwest")
            .post(format!("{base_url}/sandbox/{path}"))
            .header("content-type", "application/json")
            .send()
            .await
            .expect("control call")
            .status()
            .as_u16()
    })
}

#[test]
fn share_payer_detail_then_decrypt_the_query_with_the_cli() {
    let (key, secret) = ("sharekey1", "share-secret");
    let mut sandbox = Running::start_with(
        &[
            ("BINANCEPAY_API_KEY", key),
            ("BINANCEPAY_API_SECRET", secret),
        ],
        &["--share-payer-detail"],
    );
    let listening = sandbox.line();
    let base_url = listening
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{listening:?}"))
        .to_owned();
    let env = [
        ("BINANCEPAY_API_KEY", key),
        ("BINANCEPAY_API_SECRET", secret),
        ("BINANCEPAY_BASE_URL", base_url.as_str()),
    ];
    let created = run(
        &[
            "order",
            "create",
            "--trade-no",
            "SHARE1",
            "--amount",
            "2",
            "--currency",
            "USDT",
            "--description",
            "gems",
        ],
        &env,
        None,
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let prepay_id = json(&created)["prepayId"]
        .as_str()
        .expect("prepayId")
        .to_owned();
    assert_eq!(control(&base_url, &format!("orders/{prepay_id}/pay")), 200);
    let queried = run(&["order", "query", "--prepay-id", &prepay_id], &env, None);
    assert_eq!(queried.status.code(), Some(0), "{}", stderr(&queried));
    let order = json(&queried);
    let detail = order["paymentInfo"]["payerDetail"]
        .as_str()
        .unwrap_or_else(|| panic!("no payerDetail: {order}"))
        .to_owned();

    let decrypted = run(
        &["payer-detail", "decrypt"],
        &env,
        Some(format!("{detail}\n").as_bytes()),
    );
    assert_eq!(decrypted.status.code(), Some(0), "{}", stderr(&decrypted));
    let payer: serde_json::Value = serde_json::from_slice(&decrypted.stdout).expect("JSON payer");
    assert_eq!(payer["payerId"], order["paymentInfo"]["payerId"]);
    // Under another secret: authentication fails, exit 1.
    let other = run(
        &["payer-detail", "decrypt", "--data", &detail],
        &[("BINANCEPAY_API_SECRET", "another-secret")],
        None,
    );
    assert!(one_error_line(&other, 1).contains("authentication failed"));

    let stopped = sandbox.terminate();
    assert_eq!(stopped.status.code(), Some(0), "{}", stderr(&stopped));
}

#[test]
fn given_credentials_are_used_and_not_printed() {
    let key = "givenkey123";
    let secret = "given-secret";
    let mut sandbox = Running::start(&[
        ("BINANCEPAY_API_KEY", key),
        ("BINANCEPAY_API_SECRET", secret),
    ]);
    let listening = sandbox.line();
    let base_url = listening
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the first line must be the ready line: {listening:?}"))
        .to_owned();
    let env = [
        ("BINANCEPAY_API_KEY", key),
        ("BINANCEPAY_API_SECRET", secret),
        ("BINANCEPAY_BASE_URL", base_url.as_str()),
    ];
    let balance = run(&["balance", "--currency", "USDT"], &env, None);
    assert_eq!(balance.status.code(), Some(0), "{}", stderr(&balance));
    let stopped = sandbox.terminate();
    assert_eq!(stopped.status.code(), Some(0));
    let notes = stderr(&stopped);
    let warning = notes
        .lines()
        .find(|line| line.contains("warning"))
        .unwrap_or_else(|| panic!("no warning line: {notes}"));
    assert!(
        warning.contains("BINANCEPAY_API_KEY")
            && warning.contains("accept requests signed with them"),
        "{warning}"
    );
    assert!(!notes.contains(secret), "{notes}");
    assert_eq!(
        sandbox.rest(),
        Vec::<String>::new(),
        "nothing after the ready line"
    );
}

#[test]
fn unusable_settings_exit_2() {
    let key = test_key_file();
    let half = run(
        &["sandbox", "--listen", "127.0.0.1:0", "--key-file", &key],
        &[("BINANCEPAY_API_KEY", "abc123")],
        None,
    );
    let line = one_error_line(&half, 2);
    assert!(line.contains("BINANCEPAY_API_SECRET is not"), "{line}");

    let missing = run(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--key-file",
            "/nonexistent/key.pem",
        ],
        &[],
        None,
    );
    let line = one_error_line(&missing, 2);
    assert!(line.contains("/nonexistent/key.pem"), "{line}");

    let bad_key = run(
        &["sandbox", "--listen", "127.0.0.1:0", "--key-file", &key],
        &[
            ("BINANCEPAY_API_KEY", "not-a-key"),
            ("BINANCEPAY_API_SECRET", "s"),
        ],
        None,
    );
    let line = one_error_line(&bad_key, 2);
    assert!(line.contains("BINANCEPAY_API_KEY"), "{line}");
}

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let key = test_key_file();
    for address in ["0.0.0.0:0", "[::]:0", "192.0.2.10:8080"] {
        let refused = run(
            &["sandbox", "--listen", address, "--key-file", &key],
            &[],
            None,
        );
        let line = one_error_line(&refused, 2);
        assert!(
            line.contains(address)
                && line.contains("not a loopback address")
                && line.contains("--allow-remote"),
            "{line}"
        );
    }
}

#[test]
fn allow_remote_prints_a_warning_line() {
    // Loopback here: the test never listens beyond 127.0.0.1; the flag still warns.
    let key = test_key_file();
    let mut child = command(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--allow-remote",
            "--key-file",
            &key,
        ],
        &[],
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn binancepay sandbox");
    let stdout = lines(child.stdout.take().expect("stdout pipe"));
    let mut sandbox = Running {
        child: Some(child),
        stdout,
    };
    let _key = sandbox.line();
    let _secret = sandbox.line();
    assert!(sandbox.line().starts_with("listening on "));
    let stopped = sandbox.terminate();
    assert_eq!(stopped.status.code(), Some(0));
    let notes = stderr(&stopped);
    let warnings: Vec<&str> = notes
        .lines()
        .filter(|line| line.contains("warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{notes}");
    assert!(warnings[0].contains("--allow-remote"), "{notes}");
}
