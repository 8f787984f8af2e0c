//! The reconciler logs no id and nothing personal: a run with a paid order found by polling
//! (its webhook had no URL), an unknown id reported, a merchant's code that fails once, all
//! logged at TRACE into a buffer; no line the client wrote carries the merchant trade number,
//! the refund id, the payer's open user id or the API secret. A binary of its own: tracing
//! caches callsite interest process-wide (see `tests/logs/main.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use binancepay_client::Reconciler;
use binancepay_client::reconcile::{Pending, Unresolved};
use binancepay_integration_tests::{
    Control, TestResult, bounded, capture_logs, client_for, order, sandbox,
};
use binancepay_types::order::QueryOrderV2Request;
use binancepay_types::webhook::Notification;

const SECRET: &str = "s3cr3tDoNotLogMe8f2c71e0a94b5d36c0ffee17aa9b4e2d";
const TRADE_NO: &str = "PersonalTrade4711x";
const UNKNOWN_REFUND: &str = "UnknownRefund0815y";

#[tokio::test(flavor = "current_thread")]
async fn the_reconciler_logs_no_id_and_nothing_personal() -> TestResult {
    let (logs, guard) = capture_logs();
    let outcome = bounded("reconciler logs", async {
        let sandbox = sandbox()?.api_secret(SECRET).start().await?;
        let control = Control::new(&sandbox)?;
        let client = client_for(&sandbox).build()?;
        let reconciler = Reconciler::new(client.webhooks())
            .with_intervals(Duration::from_millis(20), Duration::from_millis(20))
            .with_max_polls_per_second(100);
        let created = reconciler.create_order_v3(&order(TRADE_NO, "2.5")?).await?;
        control.pay(&created.prepay_id().to_string()).await?;
        let open_user_id = client
            .orders()
            .query_v2(&QueryOrderV2Request::new().with_merchant_trade_no(TRADE_NO))
            .await?
            .open_user_id
            .unwrap_or_default();
        reconciler
            .register(&Pending::refund(UNKNOWN_REFUND)?)
            .await?;
        let calls = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&calls);
        let act = move |_: Notification| {
            // Fails the first time: the failure is logged, then retried.
            let n = counter.fetch_add(1, Ordering::SeqCst);
            std::future::ready(if n == 0 {
                Err("warehouse down")
            } else {
                Ok(())
            })
        };
        let mut reports = Vec::new();
        let mut acted = 0;
        for _ in 0..200 {
            let pass = reconciler.poll_once(&act).await?;
            acted += pass.acted;
            reports.extend(pass.unresolved);
            if acted == 1 && !reports.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(acted, 1);
        assert_eq!(calls.load(Ordering::SeqCst), 2, "failed once, then acted");
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].reason, Unresolved::UnknownId);
        sandbox.shutdown().await;
        Ok(open_user_id)
    })
    .await;
    drop(guard);
    let open_user_id = outcome?;
    let text = logs.text();
    assert!(
        text.contains("binancepay reconciler gave up on an object"),
        "the capture missed the report"
    );
    assert!(
        text.contains("the merchant's code failed"),
        "the capture missed the failure"
    );
    assert!(!open_user_id.is_empty(), "the paid order has no payer");
    let needles = [TRADE_NO, UNKNOWN_REFUND, SECRET, open_user_id.as_str()];
    let client_lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("binancepay_client"))
        .collect();
    assert!(!client_lines.is_empty());
    for line in &client_lines {
        for needle in &needles {
            assert!(
                !line.contains(needle),
                "a client log line carries an id or personal data: {line}"
            );
        }
    }
    println!(
        "reconciler logs: {} client lines searched for {} values",
        client_lines.len(),
        needles.len()
    );
    Ok(())
}
