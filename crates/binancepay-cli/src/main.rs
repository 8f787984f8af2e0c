//! The `binancepay` command: signs Binance Pay requests and verifies webhooks from the shell.
//!
//! ```text
//! BINANCEPAY_API_SECRET=... binancepay sign --timestamp MS --nonce NONCE --body-file FILE
//! binancepay webhook verify --public-key-file PEM --timestamp MS --nonce NONCE --signature B64 --body-file FILE
//! ```
//!
//! Exit codes: 0 success, 1 a webhook that does not verify (or is stale), 2 a usage error.
#![forbid(unsafe_code)]

mod args;
mod error;
mod sign;
mod streams;
mod webhook;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command, WebhookCommand};
use crate::error::CliError;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            streams::print_error_line(&format!("error: {error}"));
            error.exit_code()
        }
    }
}

fn run() -> Result<ExitCode, CliError> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => {
            // clap formats its own message (and --help / --version, which exit 0).
            let _ = usage.print();
            return Ok(ExitCode::from(u8::try_from(usage.exit_code()).unwrap_or(2)));
        }
    };
    match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Webhook(WebhookCommand::Verify(args)) => webhook::verify(&args),
    }
}
