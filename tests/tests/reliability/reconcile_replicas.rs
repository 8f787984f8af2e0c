//! No payment missed when webhooks are: three merchant replicas, each with its own client, a
//! `Reconciler` and a `WebhookService`, share one real `redis-server` (the deduplication keys,
//! the polling leases and the pending set). 200 orders are created through the reconciler and
//! paid at random times; a third of them have no webhook URL or one that answers 500 until the
//! sandbox gives up (6 retries, as Binance); some are refunded (half without a URL) and one
//! payout is completed with none. One replica is killed mid-run. Every event must be acted on
//! exactly once, none lost, and the queries per object stay bounded.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use binancepay_client::reconcile::{Pending, event_key};
use binancepay_client::{Reconciler, RedisDedupStore, RedisPendingStore, RunningReconciler};
use binancepay_integration_tests::{
    BoxError, Control, TestResult, amount, bounded, client_for, order, small_webhook_key_pem,
    wait_until,
};
use binancepay_sandbox::{RunningSandbox, Sandbox};
use binancepay_types::enums::{ReceiveType, Wallet};
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer};
use binancepay_types::refund::RefundOrderRequest;
use binancepay_types::webhook::Notification;
use tokio::task::JoinHandle;

use crate::HEAVY;
use crate::webhook_replicas::{RedisServer, redis_or_skip};

const ORDERS: usize = 200;
const REFUNDS: usize = 20;
/// Orders never paid: the customer walks away and they expire (no webhook exists for that;
/// only polling sees the PAY_CLOSED).
const EXPIRED: usize = 5;
/// Payments are spread over this window.
const PAY_WINDOW_MS: u64 = 3000;
/// The reconciler's intervals: short, so the run takes seconds.
const MIN_INTERVAL: Duration = Duration::from_millis(300);
const MAX_INTERVAL: Duration = Duration::from_millis(1500);
/// Queries per second, the three replicas together.
const RATE: u32 = 150;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the merchant's code did, all replicas together: actions per event key.
#[derive(Default)]
struct Ledger {
    committed: Mutex<HashMap<String, u32>>,
    calls: AtomicU64,
}

impl Ledger {
    fn act(
        self: &Arc<Self>,
    ) -> impl Fn(Notification) -> std::future::Ready<Result<(), String>> + Clone + Send + Sync + 'static
    {
        let ledger = Arc::clone(self);
        move |notification| {
            ledger.calls.fetch_add(1, Ordering::SeqCst);
            *lock(&ledger.committed)
                .entry(event_key(&notification))
                .or_default() += 1;
            std::future::ready(Ok(()))
        }
    }
}

struct Replica {
    reconciler: Reconciler,
    running: Mutex<Option<RunningReconciler>>,
    alive: Arc<AtomicBool>,
    url: String,
    server: JoinHandle<()>,
    /// The objects this replica registered.
    registered: Mutex<Vec<String>>,
}

impl Replica {
    async fn start(
        sandbox: &RunningSandbox,
        api: &str,
        redis_url: &str,
        ledger: &Arc<Ledger>,
    ) -> Result<Replica, BoxError> {
        let client = client_for(sandbox).base_url(api).build()?;
        let dedup = RedisDedupStore::open(redis_url)?.with_timeout(Duration::from_millis(500));
        let webhooks = client
            .webhooks()
            .with_dedup_store(Arc::new(dedup))
            .with_lease(Duration::from_secs(3))
            .with_store_timeout(Duration::from_secs(1));
        webhooks.refresh_certificates().await?;
        let reconciler = Reconciler::new(webhooks)
            .with_pending_store(Arc::new(RedisPendingStore::open(redis_url)?))
            .with_intervals(MIN_INTERVAL, MAX_INTERVAL)
            .with_max_polls_per_second(RATE)
            .with_default_expiry(Duration::from_secs(60))
            .with_grace(Duration::ZERO);
        let service = reconciler.webhooks().into_service(ledger.act());
        let alive = Arc::new(AtomicBool::new(true));
        let gate = Arc::clone(&alive);
        // A killed replica answers nothing useful: 503 before the service sees the request.
        let router =
            Router::new()
                .route_service("/webhook", service)
                .layer(axum::middleware::from_fn(
                    move |request: Request, next: Next| {
                        let alive = gate.load(Ordering::SeqCst);
                        async move {
                            if alive {
                                next.run(request).await
                            } else {
                                let mut response = Response::new(Body::empty());
                                *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
                                response
                            }
                        }
                    },
                ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let running = reconciler.run(Duration::from_millis(50), ledger.act());
        Ok(Replica {
            reconciler,
            running: Mutex::new(Some(running)),
            alive,
            url: format!("http://{addr}/webhook"),
            server,
            registered: Mutex::new(Vec::new()),
        })
    }

    /// The replica dies: no more polls, webhooks answered 503.
    fn kill(&self) {
        self.alive.store(false, Ordering::SeqCst);
        if let Some(running) = lock(&self.running).take() {
            running.stop();
        }
    }
}

/// Queries per object, counted by the proxy in front of the sandbox.
type QueryCounts = Arc<Mutex<HashMap<String, u64>>>;

struct Proxy {
    http: reqwest::Client,
    upstream: String,
    queries: QueryCounts,
}

/// Forwards every API request to the sandbox unchanged (the signature covers the body, the
/// timestamp and the nonce, not the host) and counts the queries per object id.
async fn forward(
    axum::extract::State(proxy): axum::extract::State<Arc<Proxy>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    if path.ends_with("/query") {
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let id = [
            "merchantTradeNo",
            "prepayId",
            "refundRequestId",
            "requestId",
        ]
        .iter()
        .find_map(|field| json.get(*field).map(|v| v.to_string()));
        if let Some(id) = id {
            *lock(&proxy.queries)
                .entry(format!("{path} {id}"))
                .or_default() += 1;
        }
    }
    let mut headers = parts.headers.clone();
    headers.remove(http::header::HOST);
    headers.remove(http::header::CONTENT_LENGTH);
    let answer = proxy
        .http
        .request(parts.method, format!("{}{path}", proxy.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let mut response = Response::new(Body::empty());
    match answer {
        Ok(answer) => {
            *response.status_mut() = answer.status();
            *response.headers_mut() = answer.headers().clone();
            *response.body_mut() = Body::from(answer.bytes().await.unwrap_or_default());
        }
        Err(_) => *response.status_mut() = http::StatusCode::BAD_GATEWAY,
    }
    response
}

async fn start_proxy(upstream: &str) -> Result<(String, QueryCounts, JoinHandle<()>), BoxError> {
    let queries = QueryCounts::default();
    let proxy = Arc::new(Proxy {
        http: reqwest::Client::builder().no_proxy().build()?,
        upstream: upstream.trim_end_matches('/').to_owned(),
        queries: Arc::clone(&queries),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = Router::new().fallback(forward).with_state(proxy);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((format!("http://{addr}"), queries, task))
}

/// A webhook endpoint that answers 500 to everything, until the sandbox gives up.
async fn failing_endpoint() -> Result<(String, JoinHandle<()>), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = Router::new().fallback(|| async {
        let mut response = Response::new(Body::from("down"));
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        response
    });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((format!("http://{addr}/webhook"), task))
}

/// How order `i`'s webhooks are delivered: a third fail.
fn webhook_url(i: usize, replicas: &[Arc<Replica>], failing: &str) -> Option<String> {
    match i % 6 {
        0 => None,
        3 => Some(failing.to_owned()),
        _ => Some(replicas[i % replicas.len()].url.clone()),
    }
}

fn random_below(bound: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    random % bound.max(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_reconcile_every_missed_webhook_once() -> TestResult {
    let Some(binary) = redis_or_skip("three_replicas_reconcile_every_missed_webhook_once") else {
        return Ok(());
    };
    let _heavy = HEAVY.read().await;
    bounded("three reconciling replicas, one Redis", async {
        let redis = RedisServer::start(binary).await?;
        // No default webhook URL: each object carries its own, or none.
        let sandbox = Sandbox::builder()
            .webhook_key_pem(small_webhook_key_pem()?)
            .retry_base_delay(Duration::from_millis(20))
            .max_retries(6)
            .delivery_timeout(Duration::from_millis(500))
            .shutdown_timeout(Duration::from_secs(5))
            .start()
            .await?;
        let control = Control::new(&sandbox)?;
        let ledger = Arc::new(Ledger::default());
        let (failing, failing_task) = failing_endpoint().await?;
        let (api, queries_by_object, proxy_task) = start_proxy(sandbox.base_url()).await?;
        let mut replicas = Vec::new();
        for _ in 0..3 {
            replicas.push(Arc::new(
                Replica::start(&sandbox, &api, &redis.url(), &ledger).await?,
            ));
        }
        let started = Instant::now();

        // Orders, created through the replicas in turn (each registers what it creates), and
        // paid at random times.
        let mut expected = BTreeSet::new();
        let mut payments = Vec::new();
        let mut prepay_ids = Vec::new();
        for i in 0..ORDERS {
            let replica = Arc::clone(&replicas[i % replicas.len()]);
            let trade_no = format!("RC{i:04}");
            let mut request = order(&trade_no, "1.5")?;
            if let Some(url) = webhook_url(i, &replicas, &failing) {
                request = request.with_webhook_url(url);
            }
            let created = replica.reconciler.create_order_v3(&request).await?;
            lock(&replica.registered).push(format!("order:tn:{trade_no}"));
            let prepay_id = created.prepay_id().clone();
            expected.insert(format!("{prepay_id}:PAY_SUCCESS"));
            prepay_ids.push(prepay_id.clone());
            let control = control.clone();
            let delay = Duration::from_millis(random_below(PAY_WINDOW_MS));
            payments.push(tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                control.pay(&prepay_id.to_string()).await.map(drop)
            }));
        }

        // Kill the third replica in the middle of the payments.
        let victim = Arc::clone(&replicas[2]);
        let killer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(PAY_WINDOW_MS / 2)).await;
            let pending: BTreeSet<String> = victim
                .reconciler
                .pending()
                .await
                .unwrap_or_default()
                .iter()
                .map(Pending::key)
                .collect();
            victim.kill();
            lock(&victim.registered)
                .iter()
                .filter(|key| pending.contains(*key))
                .count()
        });

        // Refunds of the first orders once paid (half without a URL), and one payout.
        for payment in payments.drain(..REFUNDS) {
            payment.await??;
        }
        for (n, prepay_id) in prepay_ids.iter().take(REFUNDS).enumerate() {
            let replica = &replicas[n % 2];
            let refund_id = format!("RCR{n:04}");
            let mut request = RefundOrderRequest::new(&refund_id, prepay_id.clone(), amount("0.5")?);
            if n % 2 == 0 {
                request = request.with_webhook_url(replica.url.clone());
            }
            replica.reconciler.refund(&request).await?;
            expected.insert(format!("{prepay_id}:REFUND_SUCCESS:{refund_id}"));
        }
        let payout = CreatePayoutRequest::new(
            "RCPAYOUT1",
            "reconcile",
            "USDT",
            amount("2")?,
            1,
            vec![PayoutTransfer::new(
                "RCS1",
                ReceiveType::PayId,
                "354205155",
                amount("2")?,
                Wallet::FundingWallet,
            )],
        );
        replicas[0].reconciler.payout(&payout).await?;
        expected.insert("payout:RCPAYOUT1:SUCCESS".to_owned());
        tokio::time::sleep(Duration::from_millis(random_below(1000))).await;
        control
            .post_ok(
                "/sandbox/payouts/RCPAYOUT1/complete",
                Some(serde_json::json!({"failedMerchantSendIds": []})),
            )
            .await?;
        for payment in payments {
            payment.await??;
        }
        for i in 0..EXPIRED {
            let replica = &replicas[i % 2];
            let trade_no = format!("RCX{i:04}");
            let created = replica
                .reconciler
                .create_order_v3(&order(&trade_no, "1.5")?)
                .await?;
            let prepay_id = created.prepay_id().to_string();
            tokio::time::sleep(Duration::from_millis(random_below(500))).await;
            control
                .post_ok(&format!("/sandbox/orders/{prepay_id}/expire"), None)
                .await?;
            expected.insert(format!("{prepay_id}:PAY_CLOSED"));
        }
        let orphans = killer.await?;

        // Every event acted on, and Binance's side done delivering (late retries included).
        let (check_ledger, check_control, keys) =
            (Arc::clone(&ledger), control.clone(), expected.clone());
        wait_until("every event acted on", Duration::from_secs(60), move || {
            let (ledger, control, keys) =
                (Arc::clone(&check_ledger), check_control.clone(), keys.clone());
            async move {
                let all = {
                    let committed = lock(&ledger.committed);
                    keys.iter().all(|key| committed.contains_key(key))
                };
                if !all {
                    return Ok(None);
                }
                let webhooks = control.webhooks().await?;
                Ok((webhooks["pending"] == 0).then_some(()))
            }
        })
        .await?;
        let elapsed = started.elapsed();
        // A moment for any straggling poll of the live replicas to show a double action.
        tokio::time::sleep(MAX_INTERVAL).await;

        let committed = lock(&ledger.committed).clone();
        let twice: Vec<_> = committed.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "acted on more than once: {twice:?}");
        let acted: BTreeSet<String> = committed.keys().cloned().collect();
        let missing: Vec<_> = expected.difference(&acted).collect();
        assert!(missing.is_empty(), "lost: {missing:?}");
        let unexpected: Vec<_> = acted.difference(&expected).collect();
        assert!(unexpected.is_empty(), "unexpected events: {unexpected:?}");
        assert!(
            replicas[0].reconciler.pending().await?.is_empty(),
            "objects still pending"
        );

        let webhooks = control.webhooks().await?;
        let counts = sandbox.request_counts();
        let path = |p: &str| {
            counts
                .by_path
                .get(&format!("/binancepay/openapi{p}"))
                .copied()
                .unwrap_or_default()
        };
        let queries = BTreeMap::from([
            ("order", path("/v2/order/query")),
            ("refund", path("/order/refund/query")),
            ("payout", path("/payout/query")),
        ]);
        let objects = (ORDERS + EXPIRED + REFUNDS + 1) as u64;
        let total: u64 = queries.values().sum();
        let per_object = total as f64 / objects as f64;
        let by_object = lock(&queries_by_object).clone();
        assert_eq!(by_object.values().sum::<u64>(), total, "the proxy saw every query");
        let most = by_object.values().copied().max().unwrap_or_default();
        let mut histogram = BTreeMap::new();
        for n in by_object.values() {
            *histogram.entry(*n).or_insert(0_u64) += 1;
        }
        // An object is polled at registration, then after half its age (at least MIN, at most
        // MAX, jitter 80-120 %): alive under 10 s here, that is at most about 6 polls while the
        // interval grows from 0.3 s to 1.5 s and 6 more at 1.2 s or more.
        assert!(most <= 14, "{most} queries for one object: {histogram:?}");
        assert!(orphans > 0, "the killed replica had nothing pending");
        eprintln!(
            "FIGURES reconcile: {} events ({ORDERS} PAY_SUCCESS, {EXPIRED} PAY_CLOSED, {REFUNDS} refunds, 1 payout) over {} objects, \
             each acted on exactly once ({} calls of the merchant's code), none lost; webhooks: {} delivered, \
             {} given up after 6 retries, {} without URL; queries {queries:?} = {total} in all, {per_object:.2} per object on average, at most {most} for one ({} objects never queried; queried objects by query count: {histogram:?}); \
             replica 3 killed mid-run with {orphans} of its objects pending, all taken over; {:.1} s",
            expected.len(),
            objects,
            ledger.calls.load(Ordering::SeqCst),
            webhooks["delivered"],
            webhooks["failed"],
            webhooks["noUrl"],
            objects - by_object.len() as u64,
            elapsed.as_secs_f64()
        );
        for replica in &replicas {
            replica.kill();
            replica.server.abort();
        }
        failing_task.abort();
        proxy_task.abort();
        sandbox.shutdown().await;
        drop(redis);
        Ok(())
    })
    .await
}
