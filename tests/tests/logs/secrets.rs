//! Secrets never leave in formatting or logs: every credential-bearing type is formatted
//! (`Debug`, `Display` where it has one, errors), and a demo-like run (create, pay, webhook,
//! query, refund, webhook, a refused call) is logged at TRACE into a buffer; neither the API
//! secret, nor any request signature the sandbox received, nor a webhook signature, nor any
//! part of the private key PEM appears anywhere.

use std::time::Duration;

use binancepay_client::{ClientBuilder, WebhookHandlerError};
use binancepay_http::RequestBuilder;
use binancepay_http::webhook::WebhookError;
use binancepay_integration_tests::{
    Control, Merchant, TestResult, amount, bounded, capture_logs, client_for, order, sandbox,
    wait_until, webhook_key_pem,
};
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{ApiKey, ApiSecret, RequestSigner};
use binancepay_types::order::QueryOrderV2Request;
use binancepay_types::refund::RefundOrderRequest;

/// A secret long and random-looking enough that a chance match is impossible.
const SECRET: &str = "s3cr3tDoNotLogMe8f2c71e0a94b5d36c0ffee17aa9b4e2d";
const OTHER_SECRET: &str = "wrongButStillSecretQ7r2x9k4m1v8z3p6w5n0b7c2";

/// Every part of a PEM that is key material: the base64 lines, at least 16 characters long
/// (shorter pieces could occur by chance in unrelated text).
fn pem_pieces(pem: &str) -> Vec<String> {
    pem.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----") && line.len() >= 16)
        .map(str::to_owned)
        .collect()
}

/// Fails naming what leaked where, without printing the secret itself.
fn assert_absent(haystack: &str, where_: &str, needles: &[(String, String)]) -> TestResult {
    for (what, needle) in needles {
        if haystack.contains(needle.as_str()) {
            return Err(format!("{what} appears in {where_}").into());
        }
    }
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_signature_or_key_in_formatting_or_trace_logs() -> TestResult {
    let (logs, guard) = capture_logs();
    let outcome = bounded("secrets", async {
        let key_pem = webhook_key_pem()?;
        let sandbox_builder = sandbox()?.api_secret(SECRET);
        let formatted_builder = format!("{sandbox_builder:?}");
        let sandbox = sandbox_builder.start().await?;
        let control = Control::new(&sandbox)?;
        let builder = client_for(&sandbox);
        let client = builder.clone().build()?;
        let merchant = Merchant::start(client.webhooks(), 0).await?;

        // A demo-like run: create, pay, PAY webhook, query, refund, PAY_REFUND webhook.
        tracing::info!("demo run starts");
        let created = client
            .orders()
            .create_v3(&order("SECRET1", "25.17")?.with_webhook_url(merchant.url()))
            .await?;
        control.pay(created.prepay_id().as_str()).await?;
        let query = QueryOrderV2Request::new().with_prepay_id(created.prepay_id().clone());
        client.orders().query_v2(&query).await?;
        let refund =
            RefundOrderRequest::new("SECRETREF1", created.prepay_id().clone(), amount("5")?)
                .with_webhook_url(merchant.url());
        client.refunds().create(&refund).await?;
        wait_until("two webhooks acted on", Duration::from_secs(10), || async {
            Ok((merchant.processed().len() == 2).then_some(()))
        })
        .await?;

        // A refused call (wrong secret) and a forged webhook, to format their errors.
        let wrong = ClientBuilder::new()
            .credentials(sandbox.api_key(), OTHER_SECRET)
            .base_url(sandbox.base_url())
            .build()?;
        let failed = match wrong.orders().query_v2(&query).await {
            Ok(found) => return Err(format!("wrong secret accepted: {found:?}").into()),
            Err(error) => error,
        };
        let mut forged = http::HeaderMap::new();
        for (name, value) in [
            ("binancepay-timestamp", "1700000000000"),
            ("binancepay-nonce", "abc"),
            (
                "binancepay-certificate-sn",
                sandbox.certificate_serial().as_str(),
            ),
            ("binancepay-signature", "AAAA"),
        ] {
            forged.insert(name, http::HeaderValue::from_str(value)?);
        }
        let refused: WebhookHandlerError = match client.webhooks().handle(&forged, b"{}").await {
            Ok(_) => return Err("forged webhook accepted".into()),
            Err(refused) => refused,
        };
        let refusal_inner: Option<&WebhookError> = match &refused {
            WebhookHandlerError::Rejected(inner) => Some(inner),
            _ => None,
        };

        // Every credential-bearing value, formatted every way it can be.
        let api_secret = ApiSecret::new(SECRET)?;
        let signing_key = WebhookSigningKey::from_pkcs8_pem(&key_pem)?;
        let requests = RequestBuilder::new(ApiKey::new(sandbox.api_key())?, &api_secret)?;
        let empty_secret = ApiSecret::new("");
        let bad_builder = ClientBuilder::new().credentials("key", "").build();
        let formatted = [
            format!("{api_secret:?}"),
            format!("{:?}", RequestSigner::new(&api_secret)),
            format!("{signing_key:?}"),
            format!("{requests:?}"),
            format!("{:?}", sandbox.request_builder()?),
            format!("{client:?}"),
            format!("{builder:?}"),
            format!("{:?}", client.webhooks()),
            format!("{sandbox:?}"),
            formatted_builder,
            format!("{failed}"),
            format!("{failed:?}"),
            format!("{refused}"),
            format!("{refused:?}"),
            format!("{refusal_inner:?}"),
            format!("{empty_secret:?}"),
            format!("{bad_builder:?}"),
            format!("{merchant:?}"),
        ]
        .join("\n");

        // What must never show: the secrets, every request signature the sandbox received,
        // every webhook signature the merchant received, and the private key.
        let mut needles = vec![
            ("the API secret".to_owned(), SECRET.to_owned()),
            ("the wrong API secret".to_owned(), OTHER_SECRET.to_owned()),
        ];
        let signatures = sandbox.recent_signatures();
        assert!(
            signatures.len() >= 5,
            "{} signatures recorded",
            signatures.len()
        );
        for signature in signatures {
            needles.push(("a request signature".to_owned(), signature));
        }
        for delivery in merchant.deliveries() {
            if let Some(signature) = delivery.signature {
                needles.push(("a webhook signature".to_owned(), signature));
            }
        }
        let pieces = pem_pieces(&key_pem);
        assert!(pieces.len() > 10, "the PEM did not split into lines");
        for piece in pieces {
            needles.push(("a line of the private key PEM".to_owned(), piece));
        }
        assert_absent(&formatted, "formatted values", &needles)?;

        merchant.stop().await;
        let report = sandbox.shutdown().await;
        assert!(report.is_clean());
        assert_absent(&format!("{report:?}"), "the shutdown report", &needles)?;
        Ok(needles)
    })
    .await;
    drop(guard);
    let needles = outcome?;
    let text = logs.text();
    // The capture really saw the run: client spans, sandbox and delivery events.
    for expected in [
        "binancepay.call",
        "create_order_v3",
        "refund_order",
        "demo run starts",
    ] {
        assert!(text.contains(expected), "the logs lack {expected:?}");
    }
    println!(
        "secrets: searched {} bytes of TRACE logs for {} secret values",
        text.len(),
        needles.len()
    );
    assert_absent(&text, "the TRACE logs", &needles)
}
