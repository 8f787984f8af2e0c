//! The reconciler against the stand-in server: polls an order until it is paid, hands the
//! same event a webhook carries to the same closure under the same key (so the webhook that
//! arrives later is a duplicate), and reports an unknown id once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::reconcile::{Pending, PendingKind, Unresolved};
use binancepay_client::{Processed, Reconciler};
use binancepay_types::webhook::Notification;

use crate::support::{Mock, Reply, WebhookKey, fixture};

const PREPAY_ID: &str = "29383937493038367292";

/// An order query answer: `status` for `PREPAY_ID`, trade no `9825382937292`.
fn order(status: &str) -> serde_json::Value {
    serde_json::json!({
        "merchantId": 98765987, "prepayId": PREPAY_ID, "transactionId": "M_P_71505104267788288",
        "merchantTradeNo": "9825382937292", "status": status, "currency": "USDT",
        "orderAmount": "0.88000000", "openUserId": "1211HS10K81f4273ac031",
        "transactTime": 1619508939664_u64, "createTime": 1619508939000_u64
    })
}

/// Answers certificates, and order queries: INITIAL for the first `unpaid` queries, then PAID;
/// trade no `NOPE` is unknown (400202).
async fn server(key: &WebhookKey, unpaid: usize) -> Mock {
    let certificate = key.certificate();
    let queries = AtomicUsize::new(0);
    Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            return Reply::success(serde_json::json!([certificate.clone()]));
        }
        if call.path.ends_with("/order/query") {
            if String::from_utf8_lossy(&call.body).contains("NOPE") {
                return Reply::json(
                    200,
                    r#"{"status":"FAIL","code":"400202","errorMessage":"Order not found."}"#,
                );
            }
            let n = queries.fetch_add(1, Ordering::SeqCst);
            return Reply::success(order(if n < unpaid { "INITIAL" } else { "PAID" }));
        }
        Reply::json(404, "{}")
    })
    .await
}

type Seen = Arc<Mutex<Vec<Notification>>>;

fn recorder(
    seen: &Seen,
) -> impl Fn(Notification) -> std::future::Ready<Result<(), String>> + Clone + Send + Sync + 'static
{
    let seen = Arc::clone(seen);
    move |notification| {
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notification);
        std::future::ready(Ok(()))
    }
}

#[tokio::test]
async fn a_missed_webhook_is_found_by_polling_and_the_late_webhook_is_a_duplicate() {
    let key = WebhookKey::load("a", "serial-a");
    let mock = server(&key, 2).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let reconciler = Reconciler::new(client.webhooks())
        .with_intervals(Duration::from_millis(20), Duration::from_millis(40))
        .with_max_polls_per_second(100);
    let pending = Pending::order_by_trade_no("9825382937292").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reconciler.register(&pending).await.ok(), Some(true));
    assert_eq!(reconciler.register(&pending).await.ok(), Some(false));
    let seen: Seen = Arc::default();
    let act = recorder(&seen);

    let mut polls = 0;
    for _ in 0..50 {
        let pass = reconciler
            .poll_once(&act)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        polls += pass.polls;
        if pass.acted == 1 {
            break;
        }
        // Within the interval the object is leased: no query.
        let again = reconciler
            .poll_once(&act)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.polls, 0, "polled again within its interval");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(polls, 3, "INITIAL twice, then PAID");
    assert_eq!(mock.count("/v2/order/query"), 3);
    let acted = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(acted.len(), 1);
    match &acted[0] {
        Notification::Pay(pay) => {
            assert_eq!(acted[0].dedup_key(), format!("{PREPAY_ID}:PAY_SUCCESS"));
            assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
            assert_eq!(
                pay.data.total_fee.as_ref().map(|a| a.as_str().to_owned()),
                Some("0.88000000".to_owned())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(reconciler.pending().await.unwrap_or_default().is_empty());

    // The webhook Binance retried arrives now: same key, already done, nothing runs.
    let body = fixture("webhooks/pay_success.json").into_bytes();
    let processed: Processed<String> = reconciler
        .webhooks()
        .process(&key.sign(key.serial, &body), &body, recorder(&seen))
        .await;
    assert!(
        matches!(processed, Processed::AlreadyDone(_)),
        "{processed:?}"
    );
    assert_eq!(seen.lock().unwrap_or_else(PoisonError::into_inner).len(), 1);
}

#[tokio::test]
async fn a_webhook_that_arrives_first_ends_the_polling() {
    let key = WebhookKey::load("a", "serial-a");
    let mock = server(&key, usize::MAX).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let reconciler = Reconciler::new(client.webhooks())
        .with_intervals(Duration::from_millis(20), Duration::from_millis(40));
    let by_trade_no = Pending::order_by_trade_no("9825382937292").unwrap_or_else(|e| panic!("{e}"));
    let by_prepay_id = Pending::order_by_prepay_id(PREPAY_ID).unwrap_or_else(|e| panic!("{e}"));
    for pending in [&by_trade_no, &by_prepay_id] {
        assert_eq!(reconciler.register(pending).await.ok(), Some(true));
    }
    let seen: Seen = Arc::default();
    let body = fixture("webhooks/pay_success.json").into_bytes();
    let processed: Processed<String> = reconciler
        .webhooks()
        .process(&key.sign(key.serial, &body), &body, recorder(&seen))
        .await;
    assert!(processed.acted(), "{processed:?}");
    // The hook removes both registrations in a task of its own.
    for _ in 0..100 {
        if reconciler.pending().await.unwrap_or_default().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(reconciler.pending().await.unwrap_or_default().is_empty());
    let pass = reconciler
        .poll_once(&recorder(&seen))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pass.polls, 0);
    assert_eq!(mock.count("/v2/order/query"), 0);
    assert_eq!(seen.lock().unwrap_or_else(PoisonError::into_inner).len(), 1);
}

#[tokio::test]
async fn an_unknown_id_is_reported_once_and_not_polled_again() {
    let key = WebhookKey::load("a", "serial-a");
    let mock = server(&key, 0).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let reconciler = Reconciler::new(client.webhooks())
        .with_intervals(Duration::from_millis(10), Duration::from_millis(10));
    let unknown = Pending::order_by_trade_no("NOPE").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reconciler.register(&unknown).await.ok(), Some(true));
    let seen: Seen = Arc::default();
    let mut running = reconciler.run(Duration::from_millis(5), recorder(&seen));
    let report = tokio::time::timeout(Duration::from_secs(5), running.next_report())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no report"));
    assert_eq!(report.reason, Unresolved::UnknownId);
    assert_eq!(report.pending.kind(), PendingKind::Order);
    assert_eq!(report.pending.id(), "NOPE");
    tokio::time::sleep(Duration::from_millis(100)).await;
    running.stop();
    assert!(running.reports().is_empty(), "reported twice");
    assert_eq!(mock.count("/v2/order/query"), 1);
    assert!(
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    );
}

#[tokio::test]
async fn the_deadline_ends_the_waiting() {
    let key = WebhookKey::load("a", "serial-a");
    let mock = server(&key, usize::MAX).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let reconciler = Reconciler::new(client.webhooks())
        .with_intervals(Duration::from_millis(10), Duration::from_millis(10))
        .with_grace(Duration::ZERO);
    let expired = Pending::order_by_trade_no("9825382937292")
        .unwrap_or_else(|e| panic!("{e}"))
        .expires_at_ms(1);
    assert_eq!(reconciler.register(&expired).await.ok(), Some(true));
    let seen: Seen = Arc::default();
    let pass = reconciler
        .poll_once(&recorder(&seen))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pass.unresolved.len(), 1);
    assert_eq!(pass.unresolved[0].reason, Unresolved::DeadlinePassed);
    assert_eq!(pass.polls, 0);
    assert!(reconciler.pending().await.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn the_rate_limit_bounds_queries_per_second() {
    let key = WebhookKey::load("a", "serial-a");
    let mock = server(&key, usize::MAX).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let reconciler = Reconciler::new(client.webhooks())
        .with_intervals(Duration::from_millis(10), Duration::from_millis(10))
        .with_max_polls_per_second(3);
    for n in 0..10 {
        let pending =
            Pending::order_by_trade_no(&format!("T{n}")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reconciler.register(&pending).await.ok(), Some(true));
    }
    let seen: Seen = Arc::default();
    let act = recorder(&seen);
    // Two passes back to back span at most two wall-clock seconds: 3 queries in each at most.
    let first = reconciler
        .poll_once(&act)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second = reconciler
        .poll_once(&act)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.polls <= 3 && first.rate_limited > 0, "{first:?}");
    assert!(first.polls + second.polls <= 6, "{first:?} {second:?}");
    assert_eq!(mock.count("/v2/order/query"), first.polls + second.polls);
    assert_eq!(reconciler.pending().await.map(|p| p.len()).ok(), Some(10));
}
