//! Webhook delivery and retry: a merchant endpoint that refuses the first two deliveries of
//! every notification; the sandbox retries until it succeeds, and every delivery verifies.

use std::time::Duration;

use binancepay_integration_tests::{
    Control, Merchant, TestResult, amount, bounded, client_for, order, sandbox, wait_until,
};
use binancepay_types::refund::RefundOrderRequest;
use http::StatusCode;
use serde_json::Value;

/// The deliveries listed by `GET /sandbox/webhooks`.
fn deliveries(listing: &Value) -> Vec<Value> {
    listing["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_the_merchant_accepts_and_all_verify() -> TestResult {
    bounded("webhook_retries", async {
        let sandbox = sandbox()?.start().await?;
        let client = client_for(&sandbox).build()?;
        let control = Control::new(&sandbox)?;
        let merchant = Merchant::start(client.webhooks(), 2).await?;

        // Three payments and one refund, each notifying the merchant.
        let mut expected = Vec::new();
        for n in 1..=3 {
            let created = client
                .orders()
                .create_v3(&order(&format!("HOOK{n}"), "10")?.with_webhook_url(merchant.url()))
                .await?;
            control.pay(created.prepay_id().as_str()).await?;
            expected.push(format!("PAY:{}:PAY_SUCCESS", created.prepay_id()));
            if n == 3 {
                let refund = RefundOrderRequest::new(
                    "HOOKREFUND",
                    created.prepay_id().clone(),
                    amount("4")?,
                )
                .with_webhook_url(merchant.url());
                client.refunds().create(&refund).await?;
            }
        }

        // The sandbox's view: every notification delivered on its third attempt.
        let listing = wait_until(
            "every webhook delivered",
            Duration::from_secs(20),
            || async {
                let listing = control.webhooks().await?;
                let done = listing["delivered"].as_u64() == Some(4)
                    && listing["pending"].as_u64() == Some(0);
                Ok(done.then_some(listing))
            },
        )
        .await?;
        let listed = deliveries(&listing);
        assert_eq!(listed.len(), 4, "{listing}");
        for delivery in &listed {
            assert_eq!(delivery["status"], "DELIVERED", "{delivery}");
            assert_eq!(delivery["attempts"], 3, "{delivery}");
            assert_eq!(delivery["url"].as_str(), Some(merchant.url().as_str()));
        }
        let refund_listed = listed
            .iter()
            .find(|d| d["bizType"] == "PAY_REFUND")
            .ok_or("no PAY_REFUND delivery listed")?;
        // A refund's key adds its refundRequestId: its bizId is the order's.
        expected.push(format!(
            "PAY_REFUND:{}:{}:HOOKREFUND",
            refund_listed["bizId"].as_str().unwrap_or_default(),
            refund_listed["bizStatus"].as_str().unwrap_or_default()
        ));

        // The merchant's view: 12 deliveries, all verified, 2 refusals then 1 success per key,
        // and each notification acted on exactly once.
        let received = merchant.deliveries();
        assert_eq!(received.len(), 12);
        assert!(received.iter().all(|d| d.refused.is_none()), "{received:?}");
        for key in &expected {
            let statuses: Vec<StatusCode> = received
                .iter()
                .filter(|d| d.key.as_deref() == Some(key.as_str()))
                .map(|d| d.status)
                .collect();
            assert_eq!(
                statuses,
                [
                    StatusCode::SERVICE_UNAVAILABLE,
                    StatusCode::SERVICE_UNAVAILABLE,
                    StatusCode::OK
                ],
                "{key}"
            );
        }
        let mut processed: Vec<String> =
            merchant.processed().iter().map(|n| n.dedup_key()).collect();
        processed.sort();
        expected.sort();
        assert_eq!(processed, expected);
        assert_eq!(merchant.duplicates(), 0);
        // Each attempt was signed afresh: no signature repeats.
        let mut signatures: Vec<String> = received
            .iter()
            .filter_map(|d| d.signature.clone())
            .collect();
        signatures.sort();
        signatures.dedup();
        assert_eq!(signatures.len(), 12);

        let report = sandbox.shutdown().await;
        assert!(report.is_clean());
        assert_eq!(report.delivered(), 4);
        merchant.stop().await;
        Ok(())
    })
    .await
}
