//! Webhook verification through the client: certificates fetched once, shared, refreshed on
//! rotation, and not hammered by forged serials; `process` acting once per notification.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::{
    Claim, DedupStore, DedupStoreError, Processed, StoreFuture, WebhookHandlerError,
};
use binancepay_http::webhook::WebhookError;
use binancepay_types::webhook::Notification;
use http::{HeaderMap, StatusCode};

use crate::support::{Mock, Reply, WebhookKey, fixture};

/// A mock whose certificates endpoint publishes `published` (after `delay`).
async fn certificate_server(
    published: Arc<Mutex<Vec<serde_json::Value>>>,
    delay: Duration,
) -> Mock {
    Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            let certificates = published
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            Reply::success(serde_json::Value::Array(certificates)).after(delay)
        } else {
            Reply::json(404, "{}")
        }
    })
    .await
}

fn pay_body() -> Vec<u8> {
    fixture("webhooks/pay_success.json").into_bytes()
}

#[tokio::test]
async fn a_signed_notification_is_verified_decoded_and_answered() {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = pay_body();
    let headers = key.sign(key.serial, &body);
    let verified = client
        .webhooks()
        .handle(&headers, &body)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match verified.notification() {
        Notification::Pay(pay) => {
            assert_eq!(pay.biz_id_str, "29383937493038367292");
            assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        verified.reply_body(),
        br#"{"returnCode":"SUCCESS","returnMessage":null}"#.to_vec()
    );
    assert_eq!(verified.reply().status(), StatusCode::OK);
    assert_eq!(mock.count("/certificates"), 1);
    assert_eq!(
        client.webhooks().cached_serials(),
        vec!["serial-a".to_owned()]
    );
}

#[tokio::test]
async fn tampering_and_missing_headers_are_refused_with_the_right_status() {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = pay_body();
    let headers = key.sign(key.serial, &body);

    let mut tampered = body.clone();
    if let Some(last) = tampered.iter_mut().rev().find(|b| b.is_ascii_digit()) {
        *last = if *last == b'9' { b'8' } else { b'9' };
    }
    let refused = webhooks.handle(&headers, &tampered).await.err();
    match &refused {
        Some(e @ WebhookHandlerError::Rejected(WebhookError::InvalidSignature(_))) => {
            assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(e.response().status(), StatusCode::UNAUTHORIZED);
        }
        other => panic!("{other:?}"),
    }

    let mut missing = headers.clone();
    missing.remove("binancepay-signature");
    let refused = webhooks.handle(&missing, &body).await.err();
    assert_eq!(refused.map(|e| e.status()), Some(StatusCode::BAD_REQUEST));
    assert_eq!(mock.count("/certificates"), 1);
}

#[tokio::test]
async fn a_rotated_certificate_causes_exactly_one_refresh() {
    let key_a = WebhookKey::load("a", "serial-a");
    let key_b = WebhookKey::load("b", "serial-b");
    let published = Arc::new(Mutex::new(vec![key_a.certificate()]));
    let mock = certificate_server(Arc::clone(&published), Duration::ZERO).await;
    let client = mock
        .client()
        .certificate_refresh_interval(Duration::ZERO)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = pay_body();

    let first = webhooks
        .handle(&key_a.sign(key_a.serial, &body), &body)
        .await;
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(mock.count("/certificates"), 1);

    // Binance rotates: only B is published now, and notifications are signed with B.
    *published.lock().unwrap_or_else(PoisonError::into_inner) = vec![key_b.certificate()];
    for _ in 0..5 {
        let rotated = webhooks
            .handle(&key_b.sign(key_b.serial, &body), &body)
            .await;
        assert!(rotated.is_ok(), "{rotated:?}");
    }
    assert_eq!(
        mock.count("/certificates"),
        2,
        "one refresh for the new serial"
    );
    assert_eq!(webhooks.cached_serials(), vec!["serial-b".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_webhooks_share_one_certificate_fetch() {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    // A slow certificates answer makes sure the 50 verifications overlap.
    let mock = certificate_server(published, Duration::from_millis(200)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = Arc::new(pay_body());
    let headers = Arc::new(key.sign(key.serial, &body));
    let verified = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (webhooks, body, headers, verified) = (
            client.webhooks(),
            Arc::clone(&body),
            Arc::clone(&headers),
            Arc::clone(&verified),
        );
        tasks.push(tokio::spawn(async move {
            if webhooks.handle(&headers, &body).await.is_ok() {
                verified.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    for task in tasks {
        assert!(task.await.is_ok());
    }
    assert_eq!(verified.load(Ordering::SeqCst), 50);
    assert_eq!(mock.count("/certificates"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_serials_fetches_at_most_once_per_interval() {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::from_millis(50)).await;
    let client = mock
        .client()
        .certificate_refresh_interval(Duration::from_secs(3600))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let body = Arc::new(pay_body());
    for wave in 0..2 {
        let mut tasks = Vec::new();
        for i in 0..100 {
            let serial = format!("forged-{wave}-{i}");
            let headers = key.sign(&serial, &body);
            let (webhooks, body) = (client.webhooks(), Arc::clone(&body));
            tasks.push(tokio::spawn(async move {
                webhooks.handle(&headers, &body).await.err()
            }));
        }
        for task in tasks {
            match task.await.ok().flatten() {
                Some(WebhookHandlerError::Rejected(WebhookError::UnknownCertificate {
                    serial,
                })) => {
                    assert!(serial.starts_with("forged-"), "{serial}");
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(mock.count("/certificates"), 1, "wave {wave}");
    }
    // The genuine serial still verifies from the cache.
    let genuine = client
        .webhooks()
        .handle(&key.sign(key.serial, &body), &body)
        .await;
    assert!(genuine.is_ok(), "{genuine:?}");
    assert_eq!(mock.count("/certificates"), 1);
}

#[tokio::test]
async fn unavailable_certificates_ask_binance_to_retry_later() {
    let mock = Mock::start(|_| Reply::fixture(502, "bad_gateway_502.html")).await;
    let client = mock
        .client()
        .retry_policy(binancepay_client::RetryPolicy::never())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let key = WebhookKey::load("a", "serial-a");
    let body = pay_body();
    let refused = client
        .webhooks()
        .handle(&key.sign(key.serial, &body), &body)
        .await;
    match refused {
        Err(e @ WebhookHandlerError::Certificates(_)) => {
            assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
            let answer = e.response();
            assert_eq!(
                answer.body().as_slice(),
                br#"{"returnCode":"FAIL","returnMessage":"verification unavailable"}"#
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn webhook_handlers_of_clones_share_the_cache() {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    client
        .webhooks()
        .refresh_certificates()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = pay_body();
    let clone = client.clone();
    let verified = clone
        .webhooks()
        .handle(&key.sign(key.serial, &body), &body)
        .await;
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/certificates"), 1);
}

#[tokio::test]
async fn before_any_certificate_was_loaded_webhooks_get_503_not_401() {
    // The first fetch fails; the next one is not due for an hour.
    let mock = Mock::start(|_| Reply::fixture(502, "bad_gateway_502.html")).await;
    let client = mock
        .client()
        .retry_policy(binancepay_client::RetryPolicy::never())
        .certificate_refresh_interval(Duration::from_secs(3600))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let key = WebhookKey::load("a", "serial-a");
    let body = pay_body();
    let headers = key.sign(key.serial, &body);
    let first = client.webhooks().handle(&headers, &body).await;
    assert!(
        matches!(first, Err(WebhookHandlerError::Certificates(_))),
        "{first:?}"
    );
    for _ in 0..3 {
        let again = client.webhooks().handle(&headers, &body).await;
        match again {
            Err(e @ WebhookHandlerError::CertificatesNotLoaded) => {
                assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
                assert_eq!(
                    e.response().body().as_slice(),
                    br#"{"returnCode":"FAIL","returnMessage":"verification unavailable"}"#
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        mock.count("/certificates"),
        1,
        "no fetch before the interval"
    );
}

/// A client whose mock publishes key `a`, and a signed PAY notification for `biz_id`.
async fn signed_pay(biz_id: &str) -> (Mock, binancepay_client::Client, HeaderMap, Vec<u8>) {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = String::from_utf8(pay_body())
        .unwrap_or_default()
        .replace("29383937493038367292", biz_id)
        .into_bytes();
    let headers = key.sign(key.serial, &body);
    (mock, client, headers, body)
}

/// Merchant code that counts its calls and successes, failing while `fail` is set.
#[derive(Clone, Default)]
struct Merchant {
    calls: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
    fail: Arc<std::sync::atomic::AtomicBool>,
    delay: Arc<Mutex<Duration>>,
}

impl Merchant {
    fn act(
        &self,
    ) -> impl FnOnce(
        Notification,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), String>> + Send>,
    > + Send
    + 'static {
        let merchant = self.clone();
        move |notification| {
            Box::pin(async move {
                merchant.calls.fetch_add(1, Ordering::SeqCst);
                let delay = *merchant
                    .delay
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                tokio::time::sleep(delay).await;
                if merchant.fail.load(Ordering::SeqCst) {
                    return Err(format!("cannot fulfil {}", notification.dedup_key()));
                }
                merchant.done.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_acts_once_releases_on_failure_and_answers_409_while_acting() {
    let (_mock, client, headers, body) = signed_pay("1001").await;
    let webhooks = client.webhooks();
    let merchant = Merchant::default();

    // A failure releases the key: 500, and the next delivery acts.
    merchant.fail.store(true, Ordering::SeqCst);
    let failed = webhooks.process(&headers, &body, merchant.act()).await;
    assert!(matches!(failed, Processed::Failed { .. }), "{failed:?}");
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!failed.acted());
    merchant.fail.store(false, Ordering::SeqCst);

    // A slow action holds the lease: a concurrent delivery (another handler of the same
    // client, as another request would use) gets 409 and does not act.
    *merchant
        .delay
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Duration::from_millis(300);
    let slow = {
        let (webhooks, headers, body, act) = (
            client.webhooks(),
            headers.clone(),
            body.clone(),
            merchant.act(),
        );
        tokio::spawn(async move { webhooks.process(&headers, &body, act).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let concurrent = webhooks.process(&headers, &body, merchant.act()).await;
    assert!(
        matches!(concurrent, Processed::InProgress(_)),
        "{concurrent:?}"
    );
    assert_eq!(concurrent.status(), StatusCode::CONFLICT);
    let acted = slow.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(acted, Processed::Acted(_)), "{acted:?}");
    assert_eq!(acted.response().status(), StatusCode::OK);
    assert_eq!(
        acted.response().body().as_slice(),
        br#"{"returnCode":"SUCCESS","returnMessage":null}"#
    );

    // Repeats are answered SUCCESS without acting.
    *merchant
        .delay
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Duration::ZERO;
    for _ in 0..3 {
        let repeat = webhooks.process(&headers, &body, merchant.act()).await;
        assert!(matches!(repeat, Processed::AlreadyDone(_)), "{repeat:?}");
        assert_eq!(repeat.status(), StatusCode::OK);
    }
    assert_eq!(merchant.calls.load(Ordering::SeqCst), 2);
    assert_eq!(merchant.done.load(Ordering::SeqCst), 1);

    // A forged delivery is refused before any claim.
    let mut forged = body.clone();
    forged.push(b' ');
    let refused = webhooks.process(&headers, &forged, merchant.act()).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(merchant.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_panicking_action_releases_the_key() {
    let (_mock, client, headers, body) = signed_pay("1002").await;
    let webhooks = client.webhooks();
    let panicked = webhooks
        .process(&headers, &body, |_| async {
            if std::hint::black_box(true) {
                panic!("merchant bug");
            }
            Ok::<(), String>(())
        })
        .await;
    assert!(matches!(panicked, Processed::Aborted(_)), "{panicked:?}");
    assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let merchant = Merchant::default();
    let retried = webhooks.process(&headers, &body, merchant.act()).await;
    assert!(matches!(retried, Processed::Acted(_)), "{retried:?}");
}

/// A store that is down: every operation fails.
#[derive(Debug)]
struct DownStore;

impl DedupStore for DownStore {
    fn claim<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(async { Err(DedupStoreError::new("connection refused")) })
    }
    fn renew<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("connection refused")) })
    }
    fn complete<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("connection refused")) })
    }
    fn release<'a>(&'a self, _: &'a str, _: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async { Err(DedupStoreError::new("connection refused")) })
    }
}

/// A store that never answers.
#[derive(Debug)]
struct HungStore;

impl DedupStore for HungStore {
    fn claim<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, Claim> {
        Box::pin(std::future::pending())
    }
    fn renew<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(std::future::pending())
    }
    fn complete<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Box::pin(std::future::pending())
    }
    fn release<'a>(&'a self, _: &'a str, _: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn an_unreachable_store_answers_503_and_nothing_runs() {
    let (_mock, client, headers, body) = signed_pay("1003").await;
    let merchant = Merchant::default();
    let down = client.webhooks().with_dedup_store(Arc::new(DownStore));
    let hung = client
        .webhooks()
        .with_dedup_store(Arc::new(HungStore))
        .with_store_timeout(Duration::from_millis(50));
    for webhooks in [down, hung] {
        let processed = webhooks.process(&headers, &body, merchant.act()).await;
        assert!(
            matches!(processed, Processed::StoreUnavailable(_)),
            "{processed:?}"
        );
        assert_eq!(processed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            processed.response().body().as_slice(),
            br#"{"returnCode":"FAIL","returnMessage":"processing unavailable"}"#
        );
    }
    assert_eq!(merchant.calls.load(Ordering::SeqCst), 0);
}

/// A client whose mock publishes key `a`, and `body` signed with it.
async fn signed(body: &str) -> (Mock, binancepay_client::Client, HeaderMap, Vec<u8>) {
    let key = WebhookKey::load("a", "serial-a");
    let published = Arc::new(Mutex::new(vec![key.certificate()]));
    let mock = certificate_server(published, Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = body.as_bytes().to_vec();
    let headers = key.sign(key.serial, &body);
    (mock, client, headers, body)
}

#[tokio::test]
async fn events_of_different_biz_types_with_one_id_are_each_acted_on() {
    let payout = r#"{"bizType":"PAYOUT","bizIdStr":"4242","bizStatus":"SUCCESS","data":"{\"requestId\":\"p1\"}"}"#;
    let share = r#"{"bizType":"SHARE_ACCOUNT_ID","bizIdStr":"4242","bizStatus":"SUCCESS","data":"{\"requestId\":\"s1\"}"}"#;
    let (_mock, client, headers, body) = signed(payout).await;
    let (_mock2, _, share_headers, share_body) = signed(share).await;
    let webhooks = client.webhooks();
    let merchant = Merchant::default();
    let first = webhooks.process(&headers, &body, merchant.act()).await;
    assert!(matches!(first, Processed::Acted(_)), "{first:?}");
    let other = webhooks
        .process(&share_headers, &share_body, merchant.act())
        .await;
    assert!(matches!(other, Processed::Acted(_)), "{other:?}");
    // Binance's retry of the first is still recognised.
    let retry = webhooks.process(&headers, &body, merchant.act()).await;
    assert!(matches!(retry, Processed::AlreadyDone(_)), "{retry:?}");
    assert_eq!(merchant.done.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refunds_without_refund_info_are_never_swallowed() {
    // Two partial refunds of one order whose notifications carry no refundInfo read exactly
    // alike: both must reach the merchant's code (which checks the refunds itself).
    let refund = r#"{"bizType":"PAY_REFUND","bizIdStr":"4243","bizStatus":"REFUND_SUCCESS","data":"{\"merchantTradeNo\":\"T1\",\"totalFee\":10,\"currency\":\"USDT\"}"}"#;
    let (_mock, client, headers, body) = signed(refund).await;
    let webhooks = client.webhooks();
    let merchant = Merchant::default();
    for _ in 0..2 {
        let processed = webhooks.process(&headers, &body, merchant.act()).await;
        assert!(matches!(processed, Processed::Acted(_)), "{processed:?}");
        assert_eq!(processed.status(), StatusCode::OK);
    }
    assert_eq!(merchant.done.load(Ordering::SeqCst), 2);
}

/// The in-memory store, except that `complete` fails while `failing` is set.
#[derive(Debug, Default)]
struct CompleteFails {
    inner: binancepay_client::MemoryDedupStore,
    failing: std::sync::atomic::AtomicBool,
    completes: AtomicUsize,
}

impl DedupStore for CompleteFails {
    fn claim<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, Claim> {
        self.inner.claim(key, lease, ttl)
    }
    fn renew<'a>(&'a self, key: &'a str, lease: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.inner.renew(key, lease, ttl)
    }
    fn complete<'a>(
        &'a self,
        key: &'a str,
        lease: &'a str,
        keep: Duration,
    ) -> StoreFuture<'a, bool> {
        self.completes.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Box::pin(async { Err(DedupStoreError::new("write failed")) });
        }
        self.inner.complete(key, lease, keep)
    }
    fn release<'a>(&'a self, key: &'a str, lease: &'a str) -> StoreFuture<'a, bool> {
        self.inner.release(key, lease)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrecorded_action_keeps_its_lease_until_it_is_recorded() {
    let (_mock, client, headers, body) = signed_pay("1004").await;
    let store = Arc::new(CompleteFails::default());
    store.failing.store(true, Ordering::SeqCst);
    let lease = Duration::from_millis(90);
    let first = client
        .webhooks()
        .with_dedup_store(store.clone())
        .with_lease(lease);
    let second = client
        .webhooks()
        .with_dedup_store(store.clone())
        .with_lease(lease);
    let merchant = Merchant::default();
    let unrecorded = first.process(&headers, &body, merchant.act()).await;
    assert!(
        matches!(unrecorded, Processed::Unrecorded { .. }),
        "{unrecorded:?}"
    );
    assert_eq!(unrecorded.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Well past the lease: the first handler still holds it, so the other one does not act.
    for _ in 0..4 {
        tokio::time::sleep(lease).await;
        let again = second.process(&headers, &body, merchant.act()).await;
        assert!(matches!(again, Processed::InProgress(_)), "{again:?}");
    }
    assert!(
        store.completes.load(Ordering::SeqCst) >= 2,
        "complete retried"
    );
    // The store takes writes again: the action is recorded, repeats are answered SUCCESS.
    store.failing.store(false, Ordering::SeqCst);
    tokio::time::sleep(lease * 2).await;
    let done = second.process(&headers, &body, merchant.act()).await;
    assert!(matches!(done, Processed::AlreadyDone(_)), "{done:?}");
    assert_eq!(merchant.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_runtime_shut_down_mid_action_leaves_the_key_leased_until_the_lease_runs_out() {
    let runtime = |threads| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let outside = runtime(1);
    let (_mock, client, headers, body) = outside.block_on(signed_pay("1005"));
    let store = Arc::new(binancepay_client::MemoryDedupStore::new());
    let lease = Duration::from_millis(150);
    let webhooks = client
        .webhooks()
        .with_dedup_store(store.clone())
        .with_lease(lease);
    let doomed = runtime(1);
    {
        let (webhooks, headers, body) = (webhooks.clone(), headers.clone(), body.clone());
        doomed.spawn(async move {
            webhooks
                .process(&headers, &body, |_| {
                    std::future::pending::<Result<(), String>>()
                })
                .await
        });
    }
    outside.block_on(async {
        for _ in 0..100 {
            if !store.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    assert_eq!(store.len(), 1, "the key was claimed");
    doomed.shutdown_background();
    let merchant = Merchant::default();
    outside.block_on(async {
        // As documented for Processed::Aborted: the lease stands until it runs out.
        let held = webhooks.process(&headers, &body, merchant.act()).await;
        assert!(matches!(held, Processed::InProgress(_)), "{held:?}");
        tokio::time::sleep(lease * 2).await;
        let acted = webhooks.process(&headers, &body, merchant.act()).await;
        assert!(matches!(acted, Processed::Acted(_)), "{acted:?}");
    });
}
