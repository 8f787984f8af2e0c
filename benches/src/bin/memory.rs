//! `memory`: what an idle `binancepay_client::Client` costs in memory.
//!
//! ```text
//! memory [--clients 1000] [--heap-clients 100]
//! ```
//!
//! Two readings, each for a client with its own connection pool (the default) and for one
//! given a shared `reqwest::Client` (`ClientBuilder::http_client`):
//! * resident memory: the `VmRSS` growth of this process while `--clients` clients are held,
//!   divided by their number (includes allocator slack: an upper bound);
//! * heap: bytes live on the heap per client, counted by dhat's allocator (`--heap-clients`
//!   clients; exact, but dhat records a backtrace per allocation, so it is slow).
//!
//! The sandbox's memory with 100,000 orders is measured from outside, by `loadgen run --count
//! 100000 --server-pid PID` (see benches/README.md).

use std::process::ExitCode;

use binancepay_benches::fixtures;
use binancepay_benches::proc_stats;
use binancepay_client::Client;

// dhat's allocator forwards to the system allocator and only counts while a profiler runs.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn client(shared: Option<&reqwest::Client>) -> Result<Client, BoxError> {
    let mut builder = Client::builder()
        .credentials(fixtures::API_KEY, fixtures::API_SECRET)
        .base_url("http://127.0.0.1:9");
    if let Some(http) = shared {
        builder = builder.http_client(http.clone());
    }
    Ok(builder.build()?)
}

fn rss_per_client(n: usize, shared: Option<&reqwest::Client>) -> Result<f64, BoxError> {
    let before = proc_stats::sample(0)?.rss_kib;
    let clients = (0..n)
        .map(|_| client(shared))
        .collect::<Result<Vec<_>, _>>()?;
    let after = proc_stats::sample(0)?.rss_kib;
    drop(std::hint::black_box(clients));
    Ok(after.saturating_sub(before) as f64 * 1024.0 / n as f64)
}

fn heap_per_client(n: usize, shared: Option<&reqwest::Client>) -> Result<f64, BoxError> {
    let before = dhat::HeapStats::get().curr_bytes;
    let clients = (0..n)
        .map(|_| client(shared))
        .collect::<Result<Vec<_>, _>>()?;
    let after = dhat::HeapStats::get().curr_bytes;
    drop(std::hint::black_box(clients));
    Ok(after.saturating_sub(before) as f64 / n as f64)
}

fn parse_args() -> Result<(usize, usize), String> {
    let mut clients = 1000;
    let mut heap_clients = 100;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or(format!("{name} needs a number"))?;
            match value.parse() {
                Ok(n) if (1..=100_000).contains(&n) => Ok(n),
                _ => Err(format!("{name} must be 1..=100000, got {value:?}")),
            }
        };
        match arg.as_str() {
            "--clients" => clients = number("--clients")?,
            "--heap-clients" => heap_clients = number("--heap-clients")?,
            _ => return Err("usage: memory [--clients N] [--heap-clients N]".to_owned()),
        }
    }
    Ok((clients, heap_clients))
}

fn run() -> Result<(), BoxError> {
    let (n, heap_n) = parse_args()?;
    let shared = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // One client first, so one-time set-up (TLS roots, lazy statics) is not charged to all.
    drop(client(None)?);
    drop(client(Some(&shared))?);

    let rss_own = rss_per_client(n, None)?;
    let rss_shared = rss_per_client(n, Some(&shared))?;
    let heap_own;
    let heap_shared;
    {
        let _profiler = dhat::Profiler::builder().testing().build();
        heap_own = heap_per_client(heap_n, None)?;
        heap_shared = heap_per_client(heap_n, Some(&shared))?;
    }
    println!("idle Client, own connection pool: {rss_own:.0} B resident, {heap_own:.0} B heap");
    println!(
        "idle Client, shared reqwest::Client: {rss_shared:.0} B resident, {heap_shared:.0} B heap"
    );
    println!(
        "RESULT label=client_memory side=rust clients={n} heap_clients={heap_n} rss_bytes_per_client={rss_own:.0} heap_bytes_per_client={heap_own:.0} shared_rss_bytes_per_client={rss_shared:.0} shared_heap_bytes_per_client={heap_shared:.0}"
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memory: {e}");
            ExitCode::FAILURE
        }
    }
}
