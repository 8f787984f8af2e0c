//! Configuration: environment variables and the http:// rule. That secrets never show in logs
//! is tested in `tests/logs.rs`, a binary of its own.

use std::time::Duration;

use binancepay_client::{Client, ClientBuilder, ConfigError, Error};

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
