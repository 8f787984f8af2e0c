//! Configuration: environment variables, the http:// rule, and secrets that never show.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::{Client, ClientBuilder, ConfigError, Error, RetryPolicy};
use binancepay_types::order::QueryOrderV2Request;

use crate::support::{API_SECRET, Mock, Reply};

/// Set in the child process that runs the real `from_env` against a controlled environment.
const CHILD: &str = "BINANCEPAY_CLIENT_TEST_FROM_ENV_CHILD";

#[test]
fn from_env_names_the_missing_variable() {
    if std::env::var_os(CHILD).is_some() {
        // In the child: print what from_env says, for the parent to check.
        match Client::from_env() {
            Ok(client) => println!("BUILT {}", client.base_url()),
            Err(error) => println!("ERROR {error}"),
        }
        return;
    }
    let run = |vars: &[(&str, &str)]| -> String {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let mut command = std::process::Command::new(exe);
        command
            .args([
                "--exact",
                "config::from_env_names_the_missing_variable",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .env_remove("BINANCEPAY_API_KEY")
            .env_remove("BINANCEPAY_API_SECRET")
            .env_remove("BINANCEPAY_BASE_URL");
        for (name, value) in vars {
            command.env(name, value);
        }
        let output = command.output().unwrap_or_else(|e| panic!("{e}"));
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };

    let none = run(&[]);
    assert!(
        none.contains(
            "ERROR client configuration: environment variable BINANCEPAY_API_KEY is not set"
        ),
        "{none}"
    );
    let no_secret = run(&[("BINANCEPAY_API_KEY", "abc123")]);
    assert!(
        no_secret.contains("environment variable BINANCEPAY_API_SECRET is not set"),
        "{no_secret}"
    );
    let empty_secret = run(&[
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", ""),
    ]);
    assert!(
        empty_secret.contains("BINANCEPAY_API_SECRET is not set"),
        "{empty_secret}"
    );
    let complete = run(&[
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", "s3cr3t-from-env"),
        ("BINANCEPAY_BASE_URL", "http://127.0.0.1:9"),
    ]);
    assert!(complete.contains("BUILT http://127.0.0.1:9"), "{complete}");
    assert!(!complete.contains("s3cr3t-from-env"));
    let production = run(&[
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", "x"),
    ]);
    assert!(
        production.contains("BUILT https://bpay.binanceapi.com"),
        "{production}"
    );
}

#[test]
fn plain_http_is_refused_except_for_loopback() {
    let build = |url: &str, allow: bool| {
        ClientBuilder::new()
            .credentials("abc123", "secret")
            .base_url(url)
            .allow_insecure_http(allow)
            .build()
    };
    for url in ["http://bpay.binanceapi.com", "http://192.168.1.10:8080"] {
        match build(url, false) {
            Err(Error::Config(ConfigError::InsecureHttp { host })) => {
                assert!(url.contains(&host), "{host}");
            }
            other => panic!("{url}: {other:?}"),
        }
        assert!(build(url, true).is_ok());
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:2",
        "https://example.com",
    ] {
        assert!(build(url, false).is_ok(), "{url}");
    }
    for (url, rule) in [
        ("ftp://example.com", "scheme"),
        ("https://example.com/?a=1", "query"),
    ] {
        let error = build(url, false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains(rule), "{url}: {error}");
    }
}

#[test]
fn bad_settings_are_named() {
    let missing = ClientBuilder::new().build().err();
    assert!(matches!(
        missing,
        Some(Error::Config(ConfigError::MissingCredentials))
    ));
    let bad_key = ClientBuilder::new()
        .credentials("key with spaces", "s")
        .build()
        .err();
    assert!(matches!(
        bad_key,
        Some(Error::Config(ConfigError::InvalidApiKey(_)))
    ));
    let empty_secret = ClientBuilder::new().credentials("abc", "").build().err();
    assert!(matches!(
        empty_secret,
        Some(Error::Config(ConfigError::InvalidApiSecret(_)))
    ));
    let zero = ClientBuilder::new()
        .credentials("abc", "s")
        .timeout(Duration::ZERO)
        .build()
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        zero.as_deref(),
        Some("client configuration: timeout: must be greater than zero")
    );
    let agent = ClientBuilder::new()
        .credentials("abc", "s")
        .user_agent("bad\nagent")
        .build()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(agent.contains("User-Agent"), "{agent}");
}

/// Collects everything `tracing` writes while a test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_signatures_and_bodies_never_show() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // current_thread runtime: every future of this test runs on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start(|call| match call.nth {
        1 => Reply::fixture(502, "bad_gateway_502.html"),
        _ => Reply::fixture(400, "fail_signature.json"),
    })
    .await;
    let builder = mock.client().retry_policy(
        RetryPolicy::default()
            .with_max_attempts(2)
            .with_initial_backoff(Duration::from_millis(1)),
    );
    let client = builder.clone().build().unwrap_or_else(|e| panic!("{e}"));
    let query = QueryOrderV2Request::new().with_merchant_trade_no("A1SecretTradeNo");
    let error = client.orders().query_v2(&query).await.err();
    let Some(error) = error else {
        panic!("a FAIL decoded");
    };

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(
        logs.contains("query_order_v2"),
        "the call was not logged: {logs}"
    );
    assert!(
        logs.contains("400002"),
        "the result code was not logged: {logs}"
    );
    assert!(
        logs.contains("attempt=2"),
        "attempts were not logged: {logs}"
    );

    let calls = mock.calls();
    assert_eq!(calls.len(), 2);
    let debug_texts = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{:?}", client.webhooks()),
        format!("{error:?}"),
        error.to_string(),
        logs,
    ];
    for text in &debug_texts {
        assert!(!text.contains(API_SECRET), "secret leaked: {text}");
        assert!(!text.contains("A1SecretTradeNo"), "body leaked: {text}");
        for call in &calls {
            assert!(!text.contains(&call.signature), "signature leaked: {text}");
        }
    }
}
