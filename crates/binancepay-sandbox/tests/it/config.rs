//! Builder settings: credentials, keys (generated, PEM, file), refused settings, dropping.

use std::time::Duration;

use binancepay_sandbox::{Error, Sandbox};
use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_types::certificate::QueryCertificatesRequest;

use crate::support::{Client, builder, data_dir, start, test_key};

#[tokio::test]
async fn generated_credentials_look_like_binance_ones_and_given_ones_are_used() {
    let sandbox = start(builder()).await;
    for value in [sandbox.api_key(), sandbox.api_secret()] {
        assert_eq!(value.len(), 64);
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
    assert_ne!(sandbox.api_key(), sandbox.api_secret());
    assert!(!format!("{sandbox:?}").contains(sandbox.api_secret()));
    sandbox.shutdown().await;

    let sandbox = start(builder().api_key("merchantkey1").api_secret("s3cret")).await;
    assert_eq!(
        (sandbox.api_key(), sandbox.api_secret()),
        ("merchantkey1", "s3cret")
    );
    let client = Client::new(&sandbox);
    assert_eq!(client.ok(&QueryCertificatesRequest::new()).await.len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn keys_from_a_file_or_generated_are_what_the_certificates_endpoint_serves() {
    let from_file = start(builder().webhook_key_file(data_dir().join("webhook-key.pem"))).await;
    let from_pem = start(builder()).await;
    assert_eq!(
        from_file.webhook_public_key_pem(),
        from_pem.webhook_public_key_pem()
    );
    assert_eq!(
        from_file.certificate_serial(),
        from_pem.certificate_serial()
    );
    from_pem.shutdown().await;

    let client = Client::new(&from_file);
    let certificates = client.ok(&QueryCertificatesRequest::new()).await;
    assert_eq!(
        certificates[0].cert_public,
        from_file.webhook_public_key_pem()
    );
    assert_eq!(certificates[0].cert_serial, from_file.certificate_serial());
    let key =
        WebhookPublicKey::from_pem(&certificates[0].cert_public).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(key.bits(), 2048);
    from_file.shutdown().await;

    // Generation is exercised with a small key: 2048 bits takes tens of seconds in debug builds.
    let generated = start(Sandbox::builder().webhook_key_bits(1024)).await;
    let key = WebhookPublicKey::from_pem(&generated.webhook_public_key_pem())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(key.bits(), 1024);
    generated.shutdown().await;
}

#[tokio::test]
async fn bad_settings_are_refused_naming_them() {
    let cases: Vec<(binancepay_sandbox::SandboxBuilder, &str)> = vec![
        (builder().api_key("no spaces please"), "api_key"),
        (builder().api_secret(""), "api_secret"),
        (
            builder().webhook_url("ftp://merchant.example/hook"),
            "webhook_url",
        ),
        (builder().max_retries(21), "max_retries"),
        (
            builder().delivery_timeout(Duration::ZERO),
            "delivery_timeout",
        ),
        (
            builder()
                .webhook_key_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "webhook signing key",
        ),
        (
            builder().webhook_key_file(data_dir().join("no-such-key.pem")),
            "webhook key file",
        ),
        (builder().webhook_key_bits(512), "webhook signing key"),
    ];
    for (builder, name) in cases {
        match builder.start().await {
            Ok(_) => panic!("{name}: accepted"),
            Err(error) => assert!(error.to_string().starts_with(name), "{name}: {error}"),
        }
    }
    // The secret never appears in an error.
    let error = builder()
        .api_key("bad key")
        .api_secret("topsecret")
        .start()
        .await
        .err();
    assert!(matches!(error, Some(Error::InvalidApiKey)));
    assert!(!format!("{error:?}").contains("topsecret"));
    // A port already in use.
    let taken = start(builder()).await;
    let error = builder().listen(taken.addr()).start().await.err();
    assert!(matches!(error, Some(Error::Bind { .. })), "{error:?}");
    taken.shutdown().await;
    assert!(test_key().contains("BEGIN PRIVATE KEY"));
}

#[tokio::test]
async fn dropping_a_running_sandbox_stops_it() {
    let sandbox = start(builder()).await;
    let addr = sandbox.addr();
    drop(sandbox);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still accepting after drop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
