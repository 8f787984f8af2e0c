//! Command-line grammar. The argument names are a contract other tools call.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Sign Binance Pay requests and verify Binance Pay webhooks.
#[derive(Debug, Parser)]
#[command(name = "binancepay", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the BinancePay-Signature of a request; the secret comes from BINANCEPAY_API_SECRET.
    Sign(SignArgs),
    /// Webhook tools.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// BinancePay-Timestamp: epoch milliseconds.
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp: String,
    /// BinancePay-Nonce: 32 ASCII letters or digits.
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: String,
    /// The exact request body, signed byte for byte; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) body_file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Check a webhook's BinancePay-Signature; prints `valid` or exits 1 with the reason.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Binance's public key (PEM, `certPublic` from the certificates endpoint).
    #[arg(long, value_name = "PEM")]
    pub(crate) public_key_file: PathBuf,
    /// BinancePay-Timestamp header, as received.
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp: String,
    /// BinancePay-Nonce header, as received.
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: String,
    /// BinancePay-Signature header (base64), as received.
    #[arg(long, value_name = "B64")]
    pub(crate) signature: String,
    /// The raw webhook body; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) body_file: PathBuf,
    /// Also reject a timestamp more than this many seconds away from the clock.
    #[arg(long, value_name = "N")]
    pub(crate) max_age_secs: Option<u64>,
    /// The clock for --max-age-secs, in epoch milliseconds (default: the system clock).
    #[arg(long, value_name = "MS", requires = "max_age_secs")]
    pub(crate) now: Option<String>,
}
