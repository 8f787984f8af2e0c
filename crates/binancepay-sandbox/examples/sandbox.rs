//! Runs a Binance Pay sandbox until Ctrl-C or SIGTERM.
//!
//! ```text
//! cargo run -p binancepay-sandbox --example sandbox -- --listen 127.0.0.1:8080 [--webhook-url URL]
//! ```
//!
//! Credentials come from `BINANCEPAY_API_KEY` / `BINANCEPAY_API_SECRET`; without them a key and
//! secret are generated and printed once. `listening on http://ADDR` is printed when
//! connections are accepted.

use std::net::SocketAddr;
use std::process::ExitCode;

use binancepay_sandbox::Sandbox;

const USAGE: &str = "usage: sandbox --listen 127.0.0.1:PORT [--webhook-url URL]";

struct Args {
    listen: SocketAddr,
    webhook_url: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut listen = None;
    let mut webhook_url = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address")?;
                listen = Some(
                    value
                        .parse()
                        .map_err(|e| format!("--listen {value:?}: {e}"))?,
                );
            }
            "--webhook-url" => webhook_url = Some(args.next().ok_or("--webhook-url needs a URL")?),
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        listen: listen.ok_or_else(|| format!("--listen is required\n{USAGE}"))?,
        webhook_url,
    })
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let key = std::env::var("BINANCEPAY_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let secret = std::env::var("BINANCEPAY_API_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    let from_env = key.is_some() && secret.is_some();
    let mut builder = Sandbox::builder().listen(args.listen);
    if let (Some(key), Some(secret)) = (key, secret) {
        builder = builder.api_key(key).api_secret(secret);
    }
    if let Some(url) = args.webhook_url {
        builder = builder.webhook_url(url);
    }
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !from_env {
        // Shown once, like Binance shows a new secret once.
        println!("BINANCEPAY_API_KEY={}", sandbox.api_key());
        println!("BINANCEPAY_API_SECRET={}", sandbox.api_secret());
    }
    println!("listening on {}", sandbox.base_url());

    stop_signal().await;
    let report = sandbox.shutdown().await;
    println!(
        "stopped: {} webhooks delivered, {} pending",
        report.delivered(),
        report.pending_webhooks.len()
    );
    ExitCode::SUCCESS
}
