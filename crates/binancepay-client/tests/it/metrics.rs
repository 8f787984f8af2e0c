//! What the client records through the `metrics` facade, read back with metrics-util's
//! debugging recorder: calls by operation and outcome, attempts and retries, latency, webhook
//! verdicts, store errors, reconciler polls and finds; and no label carrying an id.

use std::collections::BTreeMap;
use std::time::Duration;

use binancepay_client::metrics as names;
use binancepay_client::reconcile::Pending;
use binancepay_client::{Claim, DedupStore, DedupStoreError, Processed, Reconciler, StoreFuture};
use binancepay_types::order::QueryOrderV2Request;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::{CompositeKey, MetricKind};

use crate::support::{Mock, Reply, WebhookKey, fixture};

/// A store that is never reachable.
#[derive(Debug)]
struct Down;

impl DedupStore for Down {
    fn claim<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(async { Err(DedupStoreError::new("down")) })
    }
    fn renew<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("down")) })
    }
    fn complete<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("down")) })
    }
    fn release<'a>(&'a self, _: &'a str, _: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("down")) })
    }
}

type Snapshot = Vec<(
    CompositeKey,
    Option<metrics::Unit>,
    Option<metrics::SharedString>,
    DebugValue,
)>;

/// Counter values by `name{label=value,…}`.
fn counters(snapshot: &Snapshot) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (key, _, _, value) in snapshot {
        if let (MetricKind::Counter, DebugValue::Counter(n)) = (key.kind(), value) {
            let mut labels: Vec<String> = key
                .key()
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            out.insert(format!("{}{{{}}}", key.key().name(), labels.join(",")), *n);
        }
    }
    out
}

#[test]
fn calls_webhooks_and_reconciler_polls_are_recorded_without_ids() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            names::describe();
            let key = WebhookKey::load("a", "serial-a");
            let certificate = key.certificate();
            let mock = Mock::start(move |call| {
                if call.path.ends_with("/certificates") {
                    return Reply::success(serde_json::json!([certificate.clone()]));
                }
                // One 502 then the answer: one retry.
                if call.path.ends_with("/order/query") && call.nth % 2 == 1 {
                    return Reply::fixture(502, "bad_gateway_502.html");
                }
                Reply::fixture(200, "query_order.success.json")
            })
            .await;
            let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
            let query = QueryOrderV2Request::new().with_merchant_trade_no("A1");
            client
                .orders()
                .query_v2(&query)
                .await
                .unwrap_or_else(|e| panic!("{e}"));

            let reconciler = Reconciler::new(client.webhooks())
                .with_intervals(Duration::from_millis(10), Duration::from_millis(10))
                .with_max_polls_per_second(100);
            let pending = Pending::order_by_trade_no("A1").unwrap_or_else(|e| panic!("{e}"));
            reconciler
                .register(&pending)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let pass = reconciler
                .poll_once(&|_| std::future::ready(Ok::<(), String>(())))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(pass.acted, 1);

            let body = fixture("webhooks/pay_success.json").into_bytes();
            let webhooks = client.webhooks();
            let ok = |_| std::future::ready(Ok::<(), String>(()));
            let first: Processed<String> = webhooks
                .process(&key.sign(key.serial, &body), &body, ok)
                .await;
            // The poll acted on this event already.
            assert!(matches!(first, Processed::AlreadyDone(_)));
            let again: Processed<String> = webhooks
                .process(&key.sign(key.serial, &body), &body, ok)
                .await;
            assert!(matches!(again, Processed::AlreadyDone(_)));
            let refused: Processed<String> =
                webhooks.process(&http::HeaderMap::new(), &body, ok).await;
            assert!(matches!(refused, Processed::Refused(_)));
            let failing = |_| std::future::ready(Err::<(), String>("no".to_owned()));
            let failed: Processed<String> = webhooks
                .process(&key.sign(key.serial, &body), &body, failing)
                .await;
            // Already done: the failing closure never runs.
            assert!(matches!(failed, Processed::AlreadyDone(_)));
            let unavailable: Processed<String> = webhooks
                .with_dedup_store(std::sync::Arc::new(Down))
                .process(&key.sign(key.serial, &body), &body, ok)
                .await;
            assert!(matches!(unavailable, Processed::StoreUnavailable(_)));
        });
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let counted = counters(&snapshot);
    let get = |name: &str| counted.get(name).copied().unwrap_or_default();
    assert_eq!(
        get("binancepay_calls_total{operation=query_order_v2,outcome=succeeded}"),
        2,
        "{counted:#?}"
    );
    // Each query: one 502, then the answer.
    assert_eq!(
        get("binancepay_call_attempts_total{operation=query_order_v2}"),
        4
    );
    assert_eq!(
        get("binancepay_call_retries_total{operation=query_order_v2}"),
        2
    );
    assert_eq!(
        get("binancepay_calls_total{operation=query_certificates,outcome=succeeded}"),
        1,
        "{counted:#?}"
    );
    assert_eq!(
        get("binancepay_reconciler_polls_total{kind=order,result=final}"),
        1
    );
    assert_eq!(
        get("binancepay_reconciler_finds_total{kind=order,verdict=acted}"),
        1
    );
    // The poll acted first; the webhook deliveries found it done.
    assert_eq!(get("binancepay_webhooks_total{verdict=duplicate}"), 3);
    assert_eq!(get("binancepay_webhooks_total{verdict=refused}"), 1);
    assert_eq!(get("binancepay_webhooks_total{verdict=acted}"), 0);
    assert_eq!(get("binancepay_webhooks_total{verdict=unavailable}"), 1);
    assert_eq!(
        get("binancepay_store_errors_total{operation=claim,store=dedup}"),
        1,
        "{counted:#?}"
    );
    let latency = snapshot.iter().find_map(|(key, unit, _, value)| {
        (key.key().name() == names::CALL_DURATION).then_some((*unit, value))
    });
    match latency {
        Some((Some(metrics::Unit::Seconds), DebugValue::Histogram(values))) => {
            assert!(!values.is_empty());
        }
        other => panic!("no latency histogram: {other:?}"),
    }
    // No label value is an id, a key or an amount: every value is from the documented sets.
    let allowed = [
        "query_order_v2",
        "query_certificates",
        "succeeded",
        "order",
        "final",
        "acted",
        "duplicate",
        "refused",
        "unavailable",
        "dedup",
        "claim",
    ];
    for (key, _, _, _) in &snapshot {
        for label in key.key().labels() {
            assert!(
                allowed.contains(&label.value()),
                "unexpected label {}={}",
                label.key(),
                label.value()
            );
        }
    }
}
