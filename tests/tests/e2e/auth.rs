//! Every authentication failure the sandbox answers, seen through the client as a typed error
//! with its result code, a known outcome, and nothing created.

use binancepay_client::{ClientBuilder, ConfigError, Error, Outcome};
use binancepay_integration_tests::{
    BoxError, Relay, TestResult, bounded, client_for, order, sandbox,
};
use binancepay_sandbox::RunningSandbox;
use binancepay_types::ResultCode;
use http::HeaderValue;

/// Creates an order with `client` and returns the error it must end in.
async fn refused(client: &binancepay_client::Client, trade_no: &str) -> Result<Error, BoxError> {
    match client.orders().create_v3(&order(trade_no, "1")?).await {
        Ok(created) => Err(format!("{trade_no}: created {created:?} with bad credentials").into()),
        Err(error) => Ok(error),
    }
}

fn assert_refused(error: &Error, code: &ResultCode, sandbox: &RunningSandbox) {
    assert_eq!(error.result_code(), Some(code), "{error}");
    assert_eq!(error.outcome(), Outcome::Rejected, "{error}");
    assert!(!error.outcome_unknown());
    assert!(error.to_string().contains(code.code()), "{error}");
    assert_eq!(sandbox.state_counts().orders, 0);
}

#[tokio::test]
async fn wrong_key_wrong_secret_stale_clock_and_bad_key_format_are_typed_refusals() -> TestResult {
    bounded("auth", async {
        let sandbox = sandbox()?.start().await?;
        let good = client_for(&sandbox);

        // An API key the sandbox does not know: 400004.
        let wrong_key = ClientBuilder::new()
            .credentials("UnknownKey0123456789", sandbox.api_secret())
            .base_url(sandbox.base_url())
            .build()?;
        let error = refused(&wrong_key, "AUTH1").await?;
        assert_refused(&error, &ResultCode::InvalidApiKeyOrIp, &sandbox);
        assert!(!error.is_retryable());

        // The right key signed with another secret: 400002.
        let wrong_secret = ClientBuilder::new()
            .credentials(sandbox.api_key(), "not-the-secret")
            .base_url(sandbox.base_url())
            .build()?;
        let error = refused(&wrong_secret, "AUTH2").await?;
        assert_refused(&error, &ResultCode::InvalidSignature, &sandbox);

        // A clock 10 s behind: 400003. The code is retryable (a retry carries a fresh
        // timestamp), but this clock stays wrong, so every attempt is refused.
        let stale = good.clone().clock_offset_ms(-10_000).build()?;
        let error = refused(&stale, "AUTH3").await?;
        assert_refused(&error, &ResultCode::InvalidTimestamp, &sandbox);
        assert!(error.is_retryable());
        assert_eq!(error.attempts(), 4, "{error}");

        // The client never sends a malformed key (it checks the format when it is built) ...
        let malformed = ClientBuilder::new()
            .credentials("bad-key!", "secret")
            .base_url(sandbox.base_url())
            .build();
        assert!(matches!(
            malformed,
            Err(Error::Config(ConfigError::InvalidApiKey(_)))
        ));
        // ... so a relay mangles it on the way, as a broken proxy would: 400005.
        let relay = Relay::start(sandbox.base_url(), |headers| {
            headers.insert(
                "binancepay-certificate-sn",
                HeaderValue::from_static("bad-key!"),
            );
        })
        .await?;
        let mangled = good.clone().base_url(relay.base_url()).build()?;
        let error = refused(&mangled, "AUTH4").await?;
        assert_refused(&error, &ResultCode::BadApiKeyFmt, &sandbox);

        // The same client without the relay is accepted.
        let ok = good.build()?;
        ok.orders().create_v3(&order("AUTH5", "1")?).await?;
        assert_eq!(sandbox.state_counts().orders, 1);
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}
