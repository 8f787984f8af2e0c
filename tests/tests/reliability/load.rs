//! Load: 32 clients create and pay orders against one sandbox for a bounded run (5 s or
//! 5,000 requests, whichever comes first). The run must finish (no deadlock), every PAY
//! notification must reach the merchant at least once, and the process memory must stay
//! flat. Then graceful shutdown: requests in flight when it starts all get full answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use binancepay_client::{Client, RetryPolicy, TransportKind};
use binancepay_integration_tests::{
    BoxError, Control, Merchant, TestResult, bounded, client_for, order, rss_kib, sandbox,
    small_webhook_key_pem, wait_until,
};
use binancepay_sandbox::{DeliveryStatus, Fault, FaultPlan, FaultRule, RunningSandbox};
use binancepay_types::order::QueryOrderV2Request;
use tokio::task::JoinSet;

const CLIENTS: usize = 32;
const RUN_FOR: Duration = Duration::from_secs(5);
const MAX_REQUESTS: u64 = 5_000;
const WARM_UP_REQUESTS: u64 = 320;
/// Every 16th order is paid (a PAY webhook the sandbox signs with RSA, slow in debug builds);
/// the others are queried.
const PAY_EVERY: usize = 16;
/// Generous: the sandbox keeps every order and webhook it made, a few KiB each.
const MAX_GROWTH_KIB: u64 = 96 * 1024;

/// One phase: every client loops create → pay (every [`PAY_EVERY`]th order, the first one
/// included) or create → query, until the request budget or the time is spent. Returns the
/// requests made and the prepay ids paid.
async fn phase(
    clients: &[Client],
    control: &Control,
    webhook_url: &str,
    prefix: &str,
    budget: u64,
    run_for: Duration,
) -> Result<(u64, Vec<String>), BoxError> {
    let requests = Arc::new(AtomicU64::new(0));
    let deadline = tokio::time::Instant::now() + run_for;
    let mut tasks = JoinSet::new();
    for (n, client) in clients.iter().enumerate() {
        let (client, control, requests) = (client.clone(), control.clone(), Arc::clone(&requests));
        let (webhook_url, prefix) = (webhook_url.to_owned(), prefix.to_owned());
        tasks.spawn(async move {
            let mut made = 0_u64;
            let mut paid = Vec::new();
            let mut i = 0_usize;
            // Each iteration is two requests; the budget is claimed before they are sent.
            while tokio::time::Instant::now() < deadline
                && requests.fetch_add(2, Ordering::Relaxed) + 2 <= budget
            {
                let request = order(&format!("{prefix}{n}X{i}"), "1.5")?
                    .with_webhook_url(webhook_url.clone());
                let created = client.orders().create_v3(&request).await?;
                let prepay_id = created.prepay_id().clone();
                if i % PAY_EVERY == 0 {
                    control.pay(prepay_id.as_str()).await?;
                    paid.push(prepay_id.to_string());
                } else {
                    let query = QueryOrderV2Request::new().with_prepay_id(prepay_id);
                    client.orders().query_v2(&query).await?;
                }
                made += 2;
                i += 1;
            }
            Ok::<_, BoxError>((made, paid))
        });
    }
    let mut made = 0;
    let mut paid = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (requests, ids) = done??;
        made += requests;
        paid.extend(ids);
    }
    Ok((made, paid))
}

/// Waits until the sandbox reports every webhook delivered and the merchant acted on a
/// PAY_SUCCESS for every paid order.
async fn all_delivered(
    sandbox: &RunningSandbox,
    merchant: &Merchant,
    paid: &[String],
) -> TestResult {
    wait_until(
        "every PAY webhook delivered",
        Duration::from_secs(60),
        || async {
            let deliveries = sandbox.webhook_deliveries();
            let pending = deliveries
                .iter()
                .filter(|d| d.status == DeliveryStatus::Pending)
                .count();
            Ok((pending == 0 && merchant.processed().len() >= paid.len()).then_some(()))
        },
    )
    .await?;
    let failed: Vec<_> = sandbox
        .webhook_deliveries()
        .into_iter()
        .filter(|d| d.status != DeliveryStatus::Delivered)
        .collect();
    assert!(failed.is_empty(), "undelivered: {failed:?}");
    let processed: std::collections::HashSet<String> =
        merchant.processed().iter().map(|n| n.dedup_key()).collect();
    for prepay_id in paid {
        let key = format!("PAY:{prepay_id}:PAY_SUCCESS");
        assert!(processed.contains(&key), "{key} never reached the merchant");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn load_loses_no_webhook_and_keeps_memory_flat() -> TestResult {
    let _heavy = crate::HEAVY.write().await;
    bounded("load", async {
        let start_kib = rss_kib();
        // A loaded machine can queue a request past the documented 1 s window; the window is
        // not what this test is about.
        let sandbox = sandbox()?
            .webhook_key_pem(small_webhook_key_pem()?)
            .time_window(Duration::from_secs(30))
            .start()
            .await?;
        let control = Control::new(&sandbox)?;
        let clients: Vec<Client> = (0..CLIENTS)
            .map(|_| client_for(&sandbox).build())
            .collect::<Result<_, _>>()?;
        let webhooks = clients.first().ok_or("no client")?.webhooks();
        webhooks.refresh_certificates().await?;
        let merchant = Merchant::start(webhooks, 0).await?;

        let (warm_requests, warm_paid) =
            phase(&clients, &control, &merchant.url(), "W", WARM_UP_REQUESTS, RUN_FOR).await?;
        all_delivered(&sandbox, &merchant, &warm_paid).await?;
        let warm_kib = rss_kib();

        let started = tokio::time::Instant::now();
        let (run_requests, run_paid) =
            phase(&clients, &control, &merchant.url(), "L", MAX_REQUESTS, RUN_FOR).await?;
        let elapsed = started.elapsed();
        let mut paid = warm_paid;
        paid.extend(run_paid);
        all_delivered(&sandbox, &merchant, &paid).await?;
        let end_kib = rss_kib();

        let counts = sandbox.state_counts();
        let orders = usize::try_from((warm_requests + run_requests) / 2)?;
        assert_eq!(counts.orders, orders);
        assert_eq!(counts.orders_by_status.get("PAID"), Some(&paid.len()));
        println!(
            "load: {CLIENTS} clients, warm-up {warm_requests} requests, run {run_requests} requests \
             in {elapsed:.1?}; {orders} orders, {} paid, {} PAY webhooks acted on ({} deliveries, {} duplicates \
             filtered); RSS KiB: start {start_kib:?}, after warm-up {warm_kib:?}, after run {end_kib:?}",
            paid.len(),
            merchant.processed().len(),
            merchant.deliveries().len(),
            merchant.duplicates(),
        );
        if let (Some(warm), Some(end)) = (warm_kib, end_kib) {
            let growth = end.saturating_sub(warm);
            assert!(growth < MAX_GROWTH_KIB, "RSS grew by {growth} KiB during the run");
        }
        merchant.stop().await;
        let report = sandbox.shutdown().await;
        assert!(report.is_clean());
        Ok(())
    })
    .await
}

#[tokio::test]
async fn shutdown_lets_requests_in_flight_finish() -> TestResult {
    bounded("graceful_shutdown", async {
        // Every request is held 400 ms before the sandbox handles it.
        let plan = FaultPlan::new(1).with_rule(FaultRule::new(Fault::Latency { ms: 400 }, 1.0));
        let sandbox = sandbox()?.faults(plan).start().await?;
        // One attempt only: a retry must not hide a request cut off by the shutdown.
        let client = client_for(&sandbox)
            .retry_policy(RetryPolicy::never())
            .build()?;
        let mut in_flight = JoinSet::new();
        for n in 0..20 {
            let client = client.clone();
            in_flight.spawn(async move {
                client
                    .orders()
                    .create_v3(&order(&format!("DRAIN{n}"), "1")?)
                    .await
                    .map_err(BoxError::from)
            });
        }
        wait_until(
            "20 requests in the sandbox",
            Duration::from_secs(10),
            || async { Ok((sandbox.request_counts().total == 20).then_some(())) },
        )
        .await?;
        let base_url = sandbox.base_url().to_owned();
        let report = sandbox.shutdown().await;
        assert!(report.is_clean());
        let mut answered = 0;
        while let Some(joined) = in_flight.join_next().await {
            let created = joined??;
            assert!(!created.is_recovered());
            answered += 1;
        }
        assert_eq!(answered, 20);

        // Once it is down, a new call is refused before anything is sent.
        let late = Client::builder()
            .credentials("AnyKey0123", "any secret")
            .base_url(base_url)
            .retry_policy(RetryPolicy::never())
            .build()?;
        match late.orders().create_v3(&order("DRAIN20", "1")?).await {
            Ok(created) => return Err(format!("created after shutdown: {created:?}").into()),
            Err(error) => {
                assert!(
                    matches!(
                        &error,
                        binancepay_client::Error::Transport {
                            kind: TransportKind::Connect,
                            ..
                        }
                    ),
                    "{error}"
                );
                assert!(!error.outcome_unknown());
            }
        }
        Ok(())
    })
    .await
}
