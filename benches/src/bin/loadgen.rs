//! `loadgen`: signed Binance Pay load against a local server (the sandbox), and a timed
//! in-process build + sign loop to set beside other SDKs.
//!
//! ```text
//! loadgen run --url http://127.0.0.1:PORT [--client raw|sdk] [--concurrency 16]
//!             [--duration 5 | --count 100000] [--mix create:1,query:1 | trivial:1]
//!             [--server-pid PID] [--warmup 1] [--label NAME]
//! loadgen sign [--iterations 200000] [--rounds 5]
//! ```
//!
//! Credentials come from `--key`/`--secret` or `BINANCEPAY_API_KEY`/`BINANCEPAY_API_SECRET`.
//! Every run ends with one `RESULT key=value …` line for scripts (`benches/python/run.sh`).
//!
//! * `--client raw`: `binancepay-http` builds and signs, bare `reqwest` sends, the answer is
//!   decoded with `parse_response`. `--client sdk`: `binancepay_client::Client` (retries off).
//! * `--mix`: weights of `create` (v3 create-order, a unique `merchantTradeNo` each),
//!   `query` (v2 query of this worker's latest order) and `trivial` (the same signed create
//!   bytes sent to the sandbox's `GET /sandbox/clock`, which ignores them: same client work,
//!   no authentication, validation or state on the server). `trivial` needs `--client raw`.
//! * `--server-pid`: the server's CPU time per operation and resident memory, from `/proc`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use binancepay_benches::fixtures::{self, TradeNumbers};
use binancepay_benches::latency::Latencies;
use binancepay_benches::proc_stats::{self, ProcessSample};
use binancepay_client::{Client, RetryPolicy};
use binancepay_http::{ApiKey, ApiSecret, RequestBuilder, parse_response};
use binancepay_types::order::{CreateOrderV3Request, QueryOrderV2Request};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "Signed Binance Pay load, and an in-process signing loop"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sends signed requests to a server and reports throughput and latency.
    Run(RunArgs),
    /// Times build + validate + serialise + sign of the typical create-order, in process.
    Sign(SignArgs),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Base URL of the server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// API key (default: $BINANCEPAY_API_KEY).
    #[arg(long)]
    key: Option<String>,
    /// API secret (default: $BINANCEPAY_API_SECRET; prefer the variable, argv is public).
    #[arg(long)]
    secret: Option<String>,
    /// Concurrent callers.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Seconds to measure (after the warm-up); ignored with --count.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Stop after this many operations instead (no warm-up).
    #[arg(long)]
    count: Option<u64>,
    /// Seconds of unmeasured load before measuring.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Weights of the operations, e.g. `create:1,query:1` or `trivial:1`.
    #[arg(long, default_value = "create:1,query:1")]
    mix: String,
    /// Which client sends the requests.
    #[arg(long, value_enum, default_value_t = ClientKind::Raw)]
    client: ClientKind,
    /// Process id of the server, to report its CPU time per operation and its memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// A name for the RESULT line.
    #[arg(long, default_value = "run")]
    label: String,
}

#[derive(Debug, clap::Args)]
struct SignArgs {
    /// Iterations per round.
    #[arg(long, default_value_t = 200_000)]
    iterations: u32,
    /// Rounds; the median round is reported (and the best).
    #[arg(long, default_value_t = 5)]
    rounds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ClientKind {
    /// binancepay-http + bare reqwest.
    Raw,
    /// binancepay_client::Client.
    Sdk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Query,
    Trivial,
}

fn parse_mix(mix: &str) -> Result<Vec<Op>, String> {
    let mut schedule = Vec::new();
    for part in mix.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, weight) = part.split_once(':').unwrap_or((part, "1"));
        let op = match name.trim() {
            "create" => Op::Create,
            "query" => Op::Query,
            "trivial" => Op::Trivial,
            other => return Err(format!("--mix: unknown operation {other:?}")),
        };
        let weight: usize = weight
            .trim()
            .parse()
            .map_err(|_| format!("--mix: weight of {name:?} must be a whole number"))?;
        if weight > 100 {
            return Err(format!("--mix: weight of {name:?} must be at most 100"));
        }
        schedule.extend(std::iter::repeat_n(op, weight));
    }
    if schedule.is_empty() {
        return Err("--mix: no operation has a weight above zero".to_owned());
    }
    Ok(schedule)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a worker sends with: one shared per run, cloned into each worker.
#[derive(Clone)]
enum Sender {
    Raw {
        http: reqwest::Client,
        // Shared: the keyed signer makes a builder about 1.5 KB.
        builder: Arc<RequestBuilder>,
        trivial_url: http::Uri,
    },
    Sdk(Client),
}

impl Sender {
    async fn create(&self, order: &CreateOrderV3Request) -> Result<(), BoxError> {
        match self {
            Sender::Raw { http, builder, .. } => {
                let request = builder.build_now(order)?;
                let response = send(http, request).await?;
                parse_response::<CreateOrderV3Request, _>(&response)?;
            }
            Sender::Sdk(client) => {
                client.orders().create_v3(order).await?;
            }
        }
        Ok(())
    }

    async fn query(&self, trade_no: &str) -> Result<(), BoxError> {
        let query = QueryOrderV2Request::new().with_merchant_trade_no(trade_no);
        match self {
            Sender::Raw { http, builder, .. } => {
                let request = builder.build_now(&query)?;
                let response = send(http, request).await?;
                parse_response::<QueryOrderV2Request, _>(&response)?;
            }
            Sender::Sdk(client) => {
                client.orders().query_v2(&query).await?;
            }
        }
        Ok(())
    }

    async fn trivial(&self, order: &CreateOrderV3Request) -> Result<(), BoxError> {
        match self {
            Sender::Raw {
                http,
                builder,
                trivial_url,
            } => {
                let mut request = builder.build_now(order)?;
                *request.method_mut() = http::Method::GET;
                *request.uri_mut() = trivial_url.clone();
                let response = send(http, request).await?;
                if !response.status().is_success() {
                    return Err(format!("trivial route answered {}", response.status()).into());
                }
                Ok(())
            }
            Sender::Sdk(_) => Err("the trivial route needs --client raw".into()),
        }
    }
}

async fn send(
    http: &reqwest::Client,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, BoxError> {
    let answer = http.execute(reqwest::Request::try_from(request)?).await?;
    let status = answer.status();
    let body = answer.bytes().await?.to_vec();
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    Ok(response)
}

/// What one worker measured.
#[derive(Default)]
struct WorkerReport {
    latencies: Latencies,
    errors: u64,
    first_error: Option<String>,
}

struct Plan {
    schedule: Vec<Op>,
    template: CreateOrderV3Request,
    numbers: TradeNumbers,
    measure_from: Instant,
    until: Option<Instant>,
    remaining: Option<AtomicU64>,
}

impl Plan {
    /// Claims the next operation, or says the run is over.
    fn next(&self) -> bool {
        match (&self.remaining, self.until) {
            (Some(remaining), _) => remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
            (None, Some(until)) => Instant::now() < until,
            (None, None) => false,
        }
    }
}

async fn worker(id: usize, plan: Arc<Plan>, sender: Sender) -> WorkerReport {
    let mut report = WorkerReport::default();
    let mut order = plan.template.clone();
    let mut seq: u64 = 0;
    // Every worker's queries need an order of its own: create one before the clock starts.
    order.merchant_trade_no = plan.numbers.get(id, seq);
    if let Err(e) = sender.create(&order).await {
        report.errors += 1;
        report.first_error = Some(format!("seed order: {e}"));
        return report;
    }
    let mut last_created = order.merchant_trade_no.clone();
    let mut step = id;
    while plan.next() {
        let op = plan
            .schedule
            .get(step % plan.schedule.len().max(1))
            .copied();
        step = step.wrapping_add(1);
        let started = Instant::now();
        let result = match op {
            Some(Op::Create) => {
                seq += 1;
                order.merchant_trade_no = plan.numbers.get(id, seq);
                let result = sender.create(&order).await;
                if result.is_ok() {
                    last_created.clone_from(&order.merchant_trade_no);
                }
                result
            }
            Some(Op::Query) => sender.query(&last_created).await,
            Some(Op::Trivial) | None => sender.trivial(&order).await,
        };
        if started < plan.measure_from {
            continue;
        }
        match result {
            Ok(()) => report.latencies.record(started.elapsed()),
            Err(e) => {
                report.errors += 1;
                if report.first_error.is_none() {
                    report.first_error = Some(e.to_string());
                }
            }
        }
    }
    report
}

fn credentials(args: &RunArgs) -> Result<(String, String), String> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let key = args
        .key
        .clone()
        .or_else(|| from_env("BINANCEPAY_API_KEY"))
        .ok_or("no API key: pass --key or set BINANCEPAY_API_KEY")?;
    let secret = args
        .secret
        .clone()
        .or_else(|| from_env("BINANCEPAY_API_SECRET"))
        .ok_or("no API secret: pass --secret or set BINANCEPAY_API_SECRET")?;
    Ok((key, secret))
}

fn sender(args: &RunArgs, key: &str, secret: &str) -> Result<Sender, BoxError> {
    let url = args.url.trim_end_matches('/');
    match args.client {
        ClientKind::Raw => {
            let builder = RequestBuilder::new(ApiKey::new(key)?, &ApiSecret::new(secret)?)?
                .with_base_url(url)?;
            let http = reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(args.concurrency.max(1))
                .build()?;
            let trivial_url = format!("{url}/sandbox/clock").parse()?;
            Ok(Sender::Raw {
                http,
                builder: Arc::new(builder),
                trivial_url,
            })
        }
        ClientKind::Sdk => Ok(Sender::Sdk(
            Client::builder()
                .credentials(key, secret)
                .base_url(url)
                // A failed attempt must count as a failure, not be hidden by a retry.
                .retry_policy(RetryPolicy::never())
                .build()?,
        )),
    }
}

async fn run(args: RunArgs) -> Result<(), BoxError> {
    let (key, secret) = credentials(&args)?;
    if args.concurrency == 0 || args.concurrency > 1024 {
        return Err("--concurrency must be 1..=1024".into());
    }
    // `contains` is also false for NaN, which clap would parse.
    if !(f64::MIN_POSITIVE..=3600.0).contains(&args.duration)
        || !(0.0..=600.0).contains(&args.warmup)
    {
        return Err("--duration must be in (0, 3600] and --warmup in [0, 600] seconds".into());
    }
    let schedule = parse_mix(&args.mix)?;
    let sender = sender(&args, &key, &secret)?;
    let template = fixtures::create_order()?;

    let warmup = if args.count.is_some() {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(args.warmup)
    };
    let measure_from = Instant::now() + warmup;
    let plan = Arc::new(Plan {
        schedule,
        template,
        numbers: TradeNumbers::new(),
        measure_from,
        until: match args.count {
            Some(_) => None,
            None => Some(measure_from + Duration::from_secs_f64(args.duration)),
        },
        remaining: args.count.map(AtomicU64::new),
    });

    // A count run has no warm-up: sample the server before the first request. A timed run
    // samples it when measuring starts, after the warm-up.
    let mut server_before = match (args.server_pid, args.count) {
        (Some(pid), Some(_)) => Some(proc_stats::sample(pid)?),
        _ => None,
    };
    let workers: Vec<_> = (0..args.concurrency)
        .map(|id| tokio::spawn(worker(id, Arc::clone(&plan), sender.clone())))
        .collect();
    if let (Some(pid), None) = (args.server_pid, args.count) {
        tokio::time::sleep_until(measure_from.into()).await;
        server_before = Some(proc_stats::sample(pid)?);
    }
    let mut latencies = Latencies::default();
    let mut errors = 0;
    let mut first_error = None;
    for handle in workers {
        let report = handle.await?;
        latencies.merge(report.latencies);
        errors += report.errors;
        if first_error.is_none() {
            first_error = report.first_error;
        }
    }
    let elapsed = measure_from.elapsed();
    let server_after = match args.server_pid {
        Some(pid) => Some(proc_stats::sample(pid)?),
        None => None,
    };

    print_result(
        &args,
        &mut latencies,
        errors,
        elapsed,
        server_before,
        server_after,
    );
    if let Some(error) = first_error {
        eprintln!("loadgen: {errors} operations failed; first: {error}");
    }
    if latencies.is_empty() {
        return Err("no operation succeeded".into());
    }
    Ok(())
}

fn print_result(
    args: &RunArgs,
    latencies: &mut Latencies,
    errors: u64,
    elapsed: Duration,
    before: Option<ProcessSample>,
    after: Option<ProcessSample>,
) {
    let ops = latencies.len();
    let secs = elapsed.as_secs_f64();
    let rps = if secs > 0.0 { ops as f64 / secs } else { 0.0 };
    let p50 = latencies.percentile(50.0).unwrap_or(0);
    let p99 = latencies.percentile(99.0).unwrap_or(0);
    let client = match args.client {
        ClientKind::Raw => "raw",
        ClientKind::Sdk => "sdk",
    };
    let mut line = format!(
        "RESULT label={} side=rust client={client} mix={} concurrency={} ops={ops} errors={errors} secs={secs:.3} rps={rps:.1} p50_us={p50} p99_us={p99}",
        args.label, args.mix, args.concurrency
    );
    if let (Some(before), Some(after)) = (before, after) {
        let cpu = after.cpu.saturating_sub(before.cpu);
        let per_op = if ops > 0 {
            cpu.as_secs_f64() * 1e6 / ops as f64
        } else {
            0.0
        };
        line.push_str(&format!(
            " server_cpu_us_per_op={per_op:.1} server_cpu_share={:.2} server_rss_kib_before={} server_rss_kib_after={}",
            if secs > 0.0 { cpu.as_secs_f64() / secs } else { 0.0 },
            before.rss_kib,
            after.rss_kib
        ));
    }
    println!(
        "{label}: {ops} ops in {secs:.2} s = {rps:.0}/s, p50 {p50} µs, p99 {p99} µs, {errors} errors",
        label = args.label
    );
    println!("{line}");
}

/// The same work the Python connector does per signed call: clock, nonce, serialise, sign,
/// headers. The network is not involved.
fn sign(args: &SignArgs) -> Result<(), BoxError> {
    let order = fixtures::create_order()?;
    let builder = RequestBuilder::new(
        ApiKey::new(fixtures::API_KEY)?,
        &ApiSecret::new(fixtures::API_SECRET)?,
    )?;
    let iterations = args.iterations.max(1);
    let mut rounds = Vec::new();
    let mut bytes = 0;
    for _ in 0..args.rounds.max(1) {
        let started = Instant::now();
        for _ in 0..iterations {
            let request = builder.build_now(std::hint::black_box(&order))?;
            bytes = std::hint::black_box(request).body().len();
        }
        rounds.push(started.elapsed().as_nanos() as f64 / f64::from(iterations));
    }
    rounds.sort_by(f64::total_cmp);
    let median = rounds.get(rounds.len() / 2).copied().unwrap_or(0.0);
    let best = rounds.first().copied().unwrap_or(0.0);
    println!(
        "build_now(create-order v3, {bytes} B body): median {median:.0} ns, best {best:.0} ns"
    );
    println!(
        "RESULT label=sign side=rust body_bytes={bytes} ns_per_op={median:.1} best_ns_per_op={best:.1} iterations={iterations} rounds={}",
        rounds.len()
    );
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Sign(args) => sign(&args),
        Command::Run(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(BoxError::from)
            .and_then(|runtime| runtime.block_on(run(args))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_mix_text_parses_or_is_refused_without_panicking(text in "\\PC{0,40}") {
            let _ = parse_mix(&text);
        }

        #[test]
        fn a_schedule_holds_each_operation_as_often_as_its_weight(
            create in 0usize..=100, query in 0usize..=100, trivial in 0usize..=100,
        ) {
            let text = format!("create:{create},query:{query},trivial:{trivial}");
            match parse_mix(&text) {
                Ok(schedule) => {
                    let count = |op| schedule.iter().filter(|o| **o == op).count();
                    prop_assert_eq!(count(Op::Create), create);
                    prop_assert_eq!(count(Op::Query), query);
                    prop_assert_eq!(count(Op::Trivial), trivial);
                }
                Err(_) => prop_assert_eq!(create + query + trivial, 0),
            }
        }
    }

    #[test]
    fn mixes() {
        assert_eq!(
            parse_mix("create:2,query:1"),
            Ok(vec![Op::Create, Op::Create, Op::Query])
        );
        assert_eq!(parse_mix("trivial"), Ok(vec![Op::Trivial]));
        assert!(parse_mix("create:0").is_err());
        assert!(parse_mix("refund:1").is_err());
        assert!(parse_mix("create:x").is_err());
        assert!(parse_mix("create:1000").is_err());
    }
}
