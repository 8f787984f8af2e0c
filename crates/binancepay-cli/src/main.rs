//! The `binancepay` command: the Binance Pay merchant API from the shell.
//!
//! ```text
//! binancepay demo                                   # a whole checkout against an in-process sandbox
//! binancepay sandbox --listen 127.0.0.1:8080        # a local Binance Pay imitation
//! binancepay request /binancepay/openapi/v2/order/query --body-file query.json
//! binancepay order create --trade-no A1 --amount 25.17 --currency USDT --description "100 gems"
//! binancepay order query --prepay-id ID | order close --trade-no NO
//! binancepay refund create --request-id R1 --prepay-id ID --amount 10 | refund query --request-id R1
//! binancepay payout create --request-id P1 --batch-name May --currency USDT --receiver EMAIL:ann@example.com:10.50
//! binancepay payout query --request-id P1 | balance --wallet SPOT_WALLET | certificates
//! BINANCEPAY_API_SECRET=... binancepay sign --timestamp MS --nonce NONCE --body-file FILE
//! binancepay webhook verify --public-key-file PEM --timestamp MS --nonce NONCE --signature B64 --body-file FILE
//! BINANCEPAY_API_SECRET=... binancepay payer-detail decrypt [--data VALUE]   # else reads stdin
//! ```
//!
//! `payer-detail decrypt` prints the plaintext of a `paymentInfo.payerDetail` value; it exits 1
//! when the value does not authenticate under the secret and 2 when it is malformed or the
//! secret is missing.
//!
//! Exit codes: 0 success; 1 the API refused (or a webhook does not verify, or is stale);
//! 2 a usage error (arguments, files, environment); 3 the service could not be reached.
//!
//! `RUST_LOG` (`info`, `debug`, `binancepay_client=debug,binancepay_sandbox=info` …) prints the
//! client's call and attempt spans and the sandbox's events on stderr; they never carry
//! secrets, signatures, header values or bodies.
#![forbid(unsafe_code)]

mod args;
mod balance;
mod call;
mod certificates;
mod config;
mod demo;
mod error;
mod failure;
mod logging;
mod order;
mod payer_detail;
mod payout;
mod receiver;
mod refund;
mod request;
mod runtime;
mod sandbox;
mod sign;
mod streams;
mod usage;
mod values;
mod webhook;

use std::process::ExitCode;

use crate::args::{Command, PayerDetailCommand, WebhookCommand};
use crate::error::CliError;

fn main() -> ExitCode {
    logging::init();
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(usage) => return usage::report(&usage),
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            for line in error.lines() {
                streams::print_error_line(&format!("error: {line}"));
            }
            error.exit_code()
        }
    }
}

fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Sign(args) => sign::run(&args),
        Command::Webhook(WebhookCommand::Verify(args)) => webhook::verify(&args),
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Request(args) => request::run(&args),
        Command::Order(command) => order::run(&command),
        Command::Refund(command) => refund::run(&command),
        Command::Payout(command) => payout::run(&command),
        Command::Balance(args) => balance::run(&args),
        Command::Certificates(args) => certificates::run(&args),
        Command::Demo => demo::run(),
        Command::PayerDetail(PayerDetailCommand::Decrypt(args)) => payer_detail::decrypt(&args),
    }
}
