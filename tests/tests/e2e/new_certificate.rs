//! Binance's new platform certificate end to end: the sandbox rotates it, the client's webhook
//! handler verifies webhooks with both pairs, with the `-New` pair alone (a relay strips the
//! old pair, as once Binance retires it), and refuses serials and keys nobody served.

use std::time::Duration;

use binancepay_client::WebhookHandlerError;
use binancepay_http::webhook::WebhookError;
use binancepay_integration_tests::{
    Control, Merchant, Relay, TestResult, bounded, client_for, order, read_data, sandbox,
    small_webhook_key_pem, wait_until,
};
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{Nonce, Timestamp};
use http::StatusCode;

const NEW_PATH: &str = "/binancepay/openapi/certificates/new";

#[tokio::test]
async fn rotation_both_pairs_new_pair_only_and_unknown_serials() -> TestResult {
    bounded("new_certificate", async {
        let sandbox = sandbox()?
            .rotation_key_pem(small_webhook_key_pem()?)
            .start()
            .await?;
        let client = client_for(&sandbox).build()?;
        let control = Control::new(&sandbox)?;
        let merchant = Merchant::start(client.webhooks(), 0).await?;
        // The same handler behind a relay that drops the old pair.
        let merchant_new_only = Merchant::start(client.webhooks(), 0).await?;
        let relay = Relay::start(
            &merchant_new_only.url().replace("/webhook", ""),
            |headers| {
                headers.remove("binancepay-certificate-sn");
                headers.remove("binancepay-signature");
            },
        )
        .await?;
        let pay = |trade_no: &'static str, url: String| {
            let client = client.clone();
            let control = &control;
            async move {
                let created = client
                    .orders()
                    .create_v3(&order(trade_no, "3")?.with_webhook_url(url))
                    .await?;
                control.pay(created.prepay_id().as_str()).await?;
                Ok::<_, binancepay_integration_tests::BoxError>(format!(
                    "PAY:{}:PAY_SUCCESS",
                    created.prepay_id()
                ))
            }
        };
        let processed = |merchant: &Merchant| {
            merchant
                .processed()
                .iter()
                .map(|n| n.dedup_key())
                .collect::<Vec<_>>()
        };

        // Today: the old pair only; the new list is never asked for.
        let first = pay("NEWCERT1", merchant.url()).await?;
        wait_until("the first webhook", Duration::from_secs(15), || async {
            Ok(processed(&merchant).contains(&first).then_some(()))
        })
        .await?;
        assert_eq!(client.webhooks().cached_new_serials(), None);
        assert_eq!(sandbox.request_counts().by_path.get(NEW_PATH), None);

        // Binance enables the new certificate: both pairs on every later webhook.
        let rotated = control
            .post_ok("/sandbox/certificates/rotate", Some(serde_json::json!({})))
            .await?;
        let new_serial = rotated["certSerial"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!new_serial.is_empty(), "{rotated}");
        let second = pay("NEWCERT2", merchant.url()).await?;
        wait_until("the second webhook", Duration::from_secs(15), || async {
            Ok(processed(&merchant).contains(&second).then_some(()))
        })
        .await?;
        assert_eq!(
            client.webhooks().cached_new_serials(),
            Some(vec![new_serial.clone()])
        );
        assert_eq!(sandbox.request_counts().by_path.get(NEW_PATH), Some(&1));
        for delivery in merchant.deliveries() {
            assert_eq!(delivery.status, StatusCode::OK, "{:?}", delivery.refused);
        }

        // Binance retires the old certificate: the -New pair alone verifies.
        let third = pay("NEWCERT3", format!("{}/webhook", relay.base_url())).await?;
        wait_until("the -New-only webhook", Duration::from_secs(15), || async {
            Ok(processed(&merchant_new_only).contains(&third).then_some(()))
        })
        .await?;
        assert!(
            merchant_new_only
                .deliveries()
                .iter()
                .all(|d| d.signature.is_none() && d.status == StatusCode::OK),
            "the relay dropped the old pair and the webhook verified"
        );

        // Keys nobody served: refused, whatever the serial.
        let attacker = WebhookSigningKey::from_pkcs8_pem(&read_data("attacker-key.pem")?)?;
        let body =
            br#"{"bizType":"PAY","bizId":1,"bizIdStr":"1","bizStatus":"PAY_SUCCESS","data":"{}"}"#;
        let now = Timestamp::from_millis(u64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis(),
        )?)?;
        let nonce = Nonce::new("ZtwYW9u3hd8Wq0Xk1bT4rQ7mN2pL5vCe")?;
        for serial in ["an-unknown-new-serial", new_serial.as_str()] {
            let mut headers =
                binancepay_http::server::sign_webhook(&attacker, "x", body, now, &nonce)?;
            binancepay_http::server::add_new_pair(
                &mut headers,
                &attacker,
                serial,
                body,
                now,
                &nonce,
            )?;
            headers.remove("binancepay-certificate-sn");
            headers.remove("binancepay-signature");
            let refused = client.webhooks().handle(&headers, body).await;
            match (serial == new_serial, &refused) {
                (
                    false,
                    Err(
                        e @ WebhookHandlerError::Rejected(WebhookError::UnknownNewCertificate {
                            ..
                        }),
                    ),
                )
                | (
                    true,
                    Err(e @ WebhookHandlerError::Rejected(WebhookError::InvalidNewSignature(_))),
                ) => assert_eq!(e.status(), StatusCode::UNAUTHORIZED),
                other => panic!("{serial}: {other:?}"),
            }
        }

        drop(relay);
        merchant.stop().await;
        merchant_new_only.stop().await;
        assert!(sandbox.shutdown().await.is_clean());
        Ok(())
    })
    .await
}
