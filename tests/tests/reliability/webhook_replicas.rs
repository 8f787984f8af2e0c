//! Webhooks acted on exactly once across replicas: three merchant replicas, each with its own
//! client and `RedisDedupStore`, share one real `redis-server` (started here on a loopback
//! port, stopped at the end). The sandbox delivers every notification through a round-robin
//! balancer, so retries land on other replicas; the merchant's code fails or stalls for a share
//! of calls. Every (bizIdStr, bizStatus) must be acted on exactly once and none lost, also when
//! Redis is stopped mid-run (answers 503 meanwhile, nothing acts without it).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use binancepay_client::{Processed, RedisDedupStore};
use binancepay_integration_tests::{
    BoxError, Control, TestResult, bounded, client_for, order, small_webhook_key_pem, wait_until,
};
use binancepay_sandbox::{RunningSandbox, Sandbox};
use binancepay_types::webhook::Notification;
use http::HeaderMap;
use tokio::task::JoinHandle;

use crate::HEAVY;

/// How long a stalled action takes: longer than the sandbox's delivery timeout, so Binance's
/// side gives up and retries on another replica while the action still holds the lease.
const STALL: Duration = Duration::from_millis(1200);
/// The lease: renewed while an action runs; longer than the Redis outage of the second test.
const LEASE: Duration = Duration::from_secs(3);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A `redis-server` on 127.0.0.1 with an append-only file synced on every write, in a
/// directory of its own; restartable on the same port and data.
pub(crate) struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// `None` when no `redis-server` is installed.
    fn find() -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
            .map(|dir| dir.join("redis-server"))
            .find(|candidate| candidate.is_file())
    }

    pub(crate) async fn start(binary: PathBuf) -> Result<RedisServer, BoxError> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "binancepay-redis-{}-{port}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)?;
        let mut server = RedisServer {
            binary,
            port,
            dir,
            child: None,
        };
        server.run().await?;
        Ok(server)
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn run(&mut self) -> Result<(), BoxError> {
        let child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args(["--daemonize", "no", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        wait_until(
            "redis-server to answer PING",
            Duration::from_secs(10),
            || async move { Ok(ping(addr).await.then_some(())) },
        )
        .await
    }

    /// Kills the server outright (no chance to save): only the synced append-only file remains.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ping(addr: SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(Ok(mut stream)) = tokio::time::timeout(
        Duration::from_millis(500),
        tokio::net::TcpStream::connect(addr),
    )
    .await
    else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    matches!(
        tokio::time::timeout(Duration::from_millis(500), stream.read_exact(&mut answer)).await,
        Ok(Ok(_))
    ) && &answer == b"+PONG\r\n"
}

/// What the merchant's code did, across all replicas.
#[derive(Default)]
struct Ledger {
    /// Committed actions per key: must end at exactly 1 each.
    committed: Mutex<HashMap<String, u32>>,
    /// When each call of the merchant's code started.
    started: Mutex<Vec<Instant>>,
    /// When each committed action finished.
    finished: Mutex<Vec<Instant>>,
    calls: AtomicU64,
    failed: AtomicU64,
    stalled: AtomicU64,
    /// Stalled actions running now.
    stalling: AtomicU64,
}

impl Ledger {
    /// The merchant's code: every 10 calls, one fails before acting and one stalls.
    async fn act(self: Arc<Self>, notification: Notification) -> Result<(), String> {
        lock(&self.started).push(Instant::now());
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        match call % 10 {
            3 => {
                self.failed.fetch_add(1, Ordering::SeqCst);
                return Err("warehouse unavailable".to_owned());
            }
            7 => {
                self.stalled.fetch_add(1, Ordering::SeqCst);
                self.stalling.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(STALL).await;
                self.stalling.fetch_sub(1, Ordering::SeqCst);
            }
            _ => {}
        }
        *lock(&self.committed)
            .entry(notification.dedup_key())
            .or_default() += 1;
        lock(&self.finished).push(Instant::now());
        Ok(())
    }
}

struct ReplicaState {
    webhooks: binancepay_client::WebhookHandler,
    ledger: Arc<Ledger>,
    statuses: Mutex<BTreeMap<u16, u64>>,
    /// Actions that succeeded while the store could not record them (recorded later).
    unrecorded: AtomicU64,
}

async fn receive(
    State(state): State<Arc<ReplicaState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ledger = Arc::clone(&state.ledger);
    let processed: Processed<String> = state
        .webhooks
        .process(&headers, &body, move |notification| {
            ledger.act(notification)
        })
        .await;
    if matches!(processed, Processed::Unrecorded { .. }) {
        state.unrecorded.fetch_add(1, Ordering::SeqCst);
    }
    let response = processed.response();
    *lock(&state.statuses)
        .entry(response.status().as_u16())
        .or_default() += 1;
    response.map(Body::from)
}

/// Serves `router` on 127.0.0.1:0.
async fn serve(router: Router) -> Result<(SocketAddr, JoinHandle<()>), BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    Ok((addr, serve_on(listener, router)))
}

fn serve_on(listener: tokio::net::TcpListener, router: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}

struct Balancer {
    http: reqwest::Client,
    replicas: Vec<SocketAddr>,
    next: AtomicUsize,
}

/// Forwards each request to the next replica in turn, as a round-robin load balancer.
async fn balance(State(state): State<Arc<Balancer>>, headers: HeaderMap, body: Bytes) -> Response {
    let turn = state.next.fetch_add(1, Ordering::SeqCst);
    let replica = state.replicas[turn % state.replicas.len()];
    let mut forwarded = HeaderMap::new();
    for (name, value) in &headers {
        if name != http::header::HOST && name != http::header::CONTENT_LENGTH {
            forwarded.append(name, value.clone());
        }
    }
    let answer = state
        .http
        .post(format!("http://{replica}/webhook"))
        .headers(forwarded)
        .body(body)
        .send()
        .await;
    let mut response = Response::new(Body::empty());
    match answer {
        Ok(answer) => {
            *response.status_mut() = answer.status();
            if let Ok(bytes) = answer.bytes().await {
                *response.body_mut() = Body::from(bytes);
            }
        }
        Err(_) => *response.status_mut() = http::StatusCode::BAD_GATEWAY,
    }
    response
}

/// The sandbox, three replicas sharing `redis`, the balancer in front of them.
struct Deployment {
    sandbox: RunningSandbox,
    control: Control,
    ledger: Arc<Ledger>,
    replicas: Vec<Arc<ReplicaState>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Deployment {
    async fn start(redis: &RedisServer) -> Result<Deployment, BoxError> {
        let ledger = Arc::new(Ledger::default());
        // The balancer's port first: the sandbox sends every webhook there, and the replicas'
        // clients need the sandbox (its certificates) before the balancer can serve.
        let balancer_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let balancer_addr = balancer_listener.local_addr()?;
        let sandbox = Sandbox::builder()
            .webhook_key_pem(small_webhook_key_pem()?)
            .webhook_url(format!("http://{balancer_addr}/webhook"))
            .retry_base_delay(Duration::from_millis(20))
            .max_retries(20)
            .delivery_timeout(Duration::from_millis(500))
            .shutdown_timeout(Duration::from_secs(5))
            .start()
            .await?;
        let mut replicas = Vec::new();
        let mut tasks = Vec::new();
        let mut addrs = Vec::new();
        for _ in 0..3 {
            // One client and one store each: as separate processes would have.
            let client = client_for(&sandbox).build()?;
            let store =
                RedisDedupStore::open(&redis.url())?.with_timeout(Duration::from_millis(500));
            let webhooks = client
                .webhooks()
                .with_dedup_store(Arc::new(store))
                .with_lease(LEASE)
                .with_store_timeout(Duration::from_secs(1));
            webhooks.refresh_certificates().await?;
            let state = Arc::new(ReplicaState {
                webhooks,
                ledger: Arc::clone(&ledger),
                statuses: Mutex::new(BTreeMap::new()),
                unrecorded: AtomicU64::new(0),
            });
            let (addr, task) = serve(
                Router::new()
                    .route("/webhook", post(receive))
                    .with_state(Arc::clone(&state)),
            )
            .await?;
            replicas.push(state);
            addrs.push(addr);
            tasks.push(task);
        }
        let balancer = Arc::new(Balancer {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()?,
            replicas: addrs,
            next: AtomicUsize::new(0),
        });
        tasks.push(serve_on(
            balancer_listener,
            Router::new()
                .route("/webhook", post(balance))
                .with_state(balancer),
        ));
        let control = Control::new(&sandbox)?;
        Ok(Deployment {
            sandbox,
            control,
            ledger,
            replicas,
            tasks,
        })
    }

    /// Creates and pays `count` orders (one PAY_SUCCESS notification each); their keys.
    async fn pay_orders(&self, prefix: &str, count: usize) -> Result<Vec<String>, BoxError> {
        let client = client_for(&self.sandbox).build()?;
        let mut keys = Vec::new();
        for i in 0..count {
            let created = client
                .orders()
                .create_v3(&order(&format!("{prefix}{i}"), "1.5")?)
                .await?;
            let prepay_id = created.prepay_id().to_string();
            self.control.pay(&prepay_id).await?;
            keys.push(format!("{prepay_id}:PAY_SUCCESS"));
        }
        Ok(keys)
    }

    /// Waits until every key was committed and the sandbox has nothing pending.
    async fn settle(&self, keys: &[String], within: Duration) -> Result<(), BoxError> {
        let ledger = Arc::clone(&self.ledger);
        let control = self.control.clone();
        let keys = keys.to_vec();
        wait_until(
            "every notification acted on and delivered",
            within,
            move || {
                let (ledger, control, keys) = (Arc::clone(&ledger), control.clone(), keys.clone());
                async move {
                    let all_committed = {
                        let committed = lock(&ledger.committed);
                        keys.iter().all(|key| committed.contains_key(key))
                    };
                    if !all_committed {
                        return Ok(None);
                    }
                    let webhooks = control.webhooks().await?;
                    Ok((webhooks["pending"] == 0).then_some(()))
                }
            },
        )
        .await
    }

    /// The answers of all replicas by HTTP status.
    fn statuses(&self) -> BTreeMap<u16, u64> {
        let mut all = BTreeMap::new();
        for replica in &self.replicas {
            for (status, count) in lock(&replica.statuses).iter() {
                *all.entry(*status).or_default() += count;
            }
        }
        all
    }

    /// Every key acted on exactly once, nothing else acted on, nothing lost on the sandbox's side.
    async fn check_exactly_once(&self, keys: &[String]) -> TestResult {
        let committed = lock(&self.ledger.committed).clone();
        let twice: Vec<_> = committed.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "acted on more than once: {twice:?}");
        for key in keys {
            assert_eq!(committed.get(key), Some(&1), "{key} not acted on");
        }
        assert_eq!(
            committed.len(),
            keys.len(),
            "unexpected keys: {committed:?}"
        );
        let webhooks = self.control.webhooks().await?;
        assert_eq!(
            webhooks["failed"], 0,
            "notifications given up on: {webhooks}"
        );
        assert_eq!(webhooks["pending"], 0);
        Ok(())
    }

    async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        self.sandbox.shutdown().await;
    }
}

pub(crate) fn redis_or_skip(test: &str) -> Option<PathBuf> {
    let found = RedisServer::find();
    if found.is_none() {
        eprintln!(
            "SKIPPED {test}: no redis-server on PATH (Debian: apt-get install redis-server; .ci/run installs it)"
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_act_once_per_notification_through_redis() -> TestResult {
    let Some(binary) = redis_or_skip("three_replicas_act_once_per_notification_through_redis")
    else {
        return Ok(());
    };
    let _heavy = HEAVY.read().await;
    bounded("three replicas, one Redis", async {
        let redis = RedisServer::start(binary).await?;
        let deployment = Deployment::start(&redis).await?;
        let started = Instant::now();
        let keys = deployment.pay_orders("REPL", 120).await?;
        deployment.settle(&keys, Duration::from_secs(60)).await?;
        let elapsed = started.elapsed();
        deployment.check_exactly_once(&keys).await?;

        let statuses = deployment.statuses();
        let ledger = &deployment.ledger;
        let (calls, failed, stalled) = (
            ledger.calls.load(Ordering::SeqCst),
            ledger.failed.load(Ordering::SeqCst),
            ledger.stalled.load(Ordering::SeqCst),
        );
        let webhooks = deployment.control.webhooks().await?;
        let attempts: u64 = webhooks["deliveries"]
            .as_array()
            .map(|all| all.iter().filter_map(|d| d["attempts"].as_u64()).sum())
            .unwrap_or_default();
        eprintln!(
            "FIGURES replicas: {} notifications, {attempts} delivery attempts, merchant code called {calls} times ({failed} failed, {stalled} stalled {STALL:?}), answers by status {statuses:?}, {} acted on exactly once, {:.1} s",
            keys.len(),
            keys.len(),
            elapsed.as_secs_f64()
        );
        // The run exercised what it claims to: failures retried, stalls met by other replicas.
        assert!(failed > 0 && stalled > 0, "calls {calls}");
        assert!(statuses.get(&500).copied().unwrap_or_default() >= failed);
        assert!(
            statuses.get(&409).copied().unwrap_or_default() > 0,
            "no delivery met another replica's lease: {statuses:?}"
        );
        assert_eq!(calls, keys.len() as u64 + failed, "one successful call per key");
        deployment.stop().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_means_503_and_no_double_action() -> TestResult {
    let Some(binary) = redis_or_skip("redis_stopped_mid_run_means_503_and_no_double_action") else {
        return Ok(());
    };
    let _heavy = HEAVY.read().await;
    bounded("Redis stopped mid-run", async {
        let mut redis = RedisServer::start(binary).await?;
        let deployment = Deployment::start(&redis).await?;
        let keys = deployment.pay_orders("DOWN", 60).await?;
        // Some notifications acted on, others still coming, and a stalled action under way
        // (it will finish while Redis is down, so it cannot be recorded then): stop Redis now.
        let ledger = Arc::clone(&deployment.ledger);
        wait_until("a first share acted on, a stall under way", Duration::from_secs(30), move || {
            let ledger = Arc::clone(&ledger);
            async move {
                let stalling = ledger.stalling.load(Ordering::SeqCst) > 0;
                Ok((lock(&ledger.committed).len() >= 10 && stalling).then_some(()))
            }
        })
        .await?;
        let before = deployment.statuses();
        redis.kill();
        let stopped = Instant::now();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let during = deployment.statuses();
        let restarted = Instant::now();
        redis.run().await?;
        deployment.settle(&keys, Duration::from_secs(60)).await?;
        deployment.check_exactly_once(&keys).await?;

        let unavailable = during.get(&503).copied().unwrap_or_default()
            - before.get(&503).copied().unwrap_or_default();
        assert!(unavailable > 0, "no 503 while Redis was down: {during:?}");
        // Nothing acted without the store: no call of the merchant's code began while Redis
        // was down (a claim made just before the stop may start its action a moment later).
        let grace = Duration::from_millis(300);
        let started_while_down = lock(&deployment.ledger.started)
            .iter()
            .filter(|at| **at > stopped + grace && **at < restarted)
            .count();
        assert_eq!(started_while_down, 0, "actions began while Redis was down");
        // Actions that finished while Redis was down could only be recorded after the restart.
        let finished_while_down = lock(&deployment.ledger.finished)
            .iter()
            .filter(|at| **at > stopped && **at < restarted)
            .count();
        assert!(finished_while_down > 0, "the stalled action did not finish during the outage");
        let unrecorded: u64 = deployment
            .replicas
            .iter()
            .map(|replica| replica.unrecorded.load(Ordering::SeqCst))
            .sum();
        eprintln!(
            "FIGURES redis-down: {} notifications, Redis down {:?}: {unavailable} answers 503 meanwhile, {finished_while_down} actions finished while it was down and were recorded after the restart ({unrecorded} answered 503 Unrecorded to a still-waiting request), 0 actions begun without it; every key acted on exactly once; answers by status {:?}",
            keys.len(),
            restarted - stopped,
            deployment.statuses()
        );
        deployment.stop().await;
        Ok(())
    })
    .await
}
