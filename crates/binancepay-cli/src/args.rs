//! Command-line grammar. The argument names are a contract other tools call.

use std::net::SocketAddr;
use std::path::PathBuf;

use binancepay_types::{Amount, Id};
use clap::{ArgGroup, Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::values::{Receiver, parse_amount, parse_id, parse_receiver};

/// The Binance Pay merchant API from the shell: a local sandbox, signed calls, a guided demo,
/// request signatures and webhook verification.
///
/// Credentials come from BINANCEPAY_API_KEY and BINANCEPAY_API_SECRET (never from argv), the
/// host from BINANCEPAY_BASE_URL or --base-url (default `https://bpay.binanceapi.com`).
/// Exit codes: 0 success, 1 the API (or a webhook check) said no, 2 a usage error,
/// 3 the service could not be reached.
#[derive(Debug, Parser)]
#[command(name = "binancepay", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Parses the process arguments. A command without its subcommand is reported as an error in
/// one line rather than with the whole help text.
pub(crate) fn parse() -> Result<Cli, clap::Error> {
    fn one_line_errors(command: clap::Command) -> clap::Command {
        command
            .arg_required_else_help(false)
            .mut_subcommands(one_line_errors)
    }
    let matches = one_line_errors(Cli::command()).try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the BinancePay-Signature of a request; the secret comes from BINANCEPAY_API_SECRET.
    Sign(SignArgs),
    /// Webhook tools.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Run a local Binance Pay imitation until Ctrl-C or SIGTERM.
    ///
    /// Without BINANCEPAY_API_KEY and BINANCEPAY_API_SECRET a key and a secret are generated
    /// and printed first, as `BINANCEPAY_API_KEY=…` and `BINANCEPAY_API_SECRET=…` lines a shell
    /// can eval; then `listening on http://ADDR` once connections are accepted.
    Sandbox(SandboxArgs),
    /// Send a signed POST with a body file and print the answer's JSON envelope as received.
    ///
    /// The endpoint's retry policy applies (queries are retried, creations only as their
    /// idempotency key allows, an unknown path is sent once).
    Request(RequestArgs),
    /// Orders: create (v3), query, close.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Refunds: refund (part of) a paid order, query a refund.
    #[command(subcommand)]
    Refund(RefundCommand),
    /// Payouts: send a batch, query it.
    #[command(subcommand)]
    Payout(PayoutCommand),
    /// Wallet balances (v2).
    Balance(BalanceArgs),
    /// The public keys that sign webhooks (`--new`: those of the new platform certificate).
    Certificates(CertificatesArgs),
    /// Walk a whole checkout against an in-process sandbox: order, payment, webhook, query,
    /// refund, webhook. Needs no setup and never leaves 127.0.0.1.
    Demo,
    /// The encrypted payer data (`paymentInfo.payerDetail`) of approved merchants.
    #[command(subcommand)]
    PayerDetail(PayerDetailCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum PayerDetailCommand {
    /// Decrypt a `payerDetail` value with BINANCEPAY_API_SECRET and print the plaintext.
    ///
    /// Exits 1 when the value does not authenticate under that secret (another secret, or
    /// altered data), 2 when it is malformed (not base64, too short, not UTF-8) or the secret is
    /// missing.
    Decrypt(PayerDetailDecryptArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PayerDetailDecryptArgs {
    /// The field's value (base64); without it, standard input is read. Surrounding whitespace
    /// (a trailing newline) is ignored.
    // A value starting with `-` is not base64, but it is the decoder's to say so.
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub(crate) data: Option<String>,
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
    /// Check a webhook's BinancePay-Signature and/or BinancePay-Signature-New (each pair given
    /// must verify); prints `valid` or exits 1 with the reason.
    Verify(VerifyArgs),
}

/// The old pair, the `-New` pair of Binance's new platform certificate, or both: each pair given
/// must verify.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("pair")
        .args(["public_key_file", "public_key_file_new"])
        .required(true)
        .multiple(true)
))]
pub(crate) struct VerifyArgs {
    /// Binance's public key (PEM, `certPublic` from the certificates endpoint).
    #[arg(long, value_name = "PEM", requires = "signature")]
    pub(crate) public_key_file: Option<PathBuf>,
    /// BinancePay-Timestamp header, as received.
    #[arg(long, value_name = "MS")]
    pub(crate) timestamp: String,
    /// BinancePay-Nonce header, as received.
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: String,
    /// BinancePay-Signature header (base64), as received.
    #[arg(long, value_name = "B64", requires = "public_key_file")]
    pub(crate) signature: Option<String>,
    /// The new platform certificate's public key (PEM, the `certPublic` whose `certSerial` is
    /// the webhook's BinancePay-Certificate-SN-New, from `binancepay certificates --new`).
    #[arg(long, value_name = "PEM", requires = "signature_new")]
    pub(crate) public_key_file_new: Option<PathBuf>,
    /// BinancePay-Signature-New header (base64), as received.
    #[arg(long, value_name = "B64", requires = "public_key_file_new")]
    pub(crate) signature_new: Option<String>,
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

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Address to listen on; port 0 picks a free one (the line `listening on` tells which).
    /// Loopback (127.0.0.1 or ::1) unless --allow-remote.
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: SocketAddr,
    /// Accept a --listen address other than loopback: anyone who can reach it can then pay
    /// orders and drive the control API.
    #[arg(long)]
    pub(crate) allow_remote: bool,
    /// Where webhooks go when a request names no webhookUrl (default: only recorded).
    #[arg(long, value_name = "URL")]
    pub(crate) webhook_url: Option<String>,
    /// How far BinancePay-Timestamp may be from this host's clock (default 1000, as Binance).
    #[arg(long, value_name = "MS")]
    pub(crate) window_ms: Option<u64>,
    /// RSA private key (PEM) that signs webhooks, instead of generating one at start.
    #[arg(long, value_name = "PEM", conflicts_with = "key_bits")]
    pub(crate) key_file: Option<PathBuf>,
    /// Size of the generated webhook key (1024 to 4096; default 2048).
    #[arg(long, value_name = "BITS")]
    pub(crate) key_bits: Option<usize>,
    /// Leave refunds pending until `POST /sandbox/refunds/{id}/complete` or `/reject`.
    #[arg(long)]
    pub(crate) manual_refunds: bool,
    /// Act on every repeated payout or wallet-transfer `requestId` (pay again) instead of
    /// answering the first result: the worst case a client must survive.
    #[arg(long)]
    pub(crate) act_on_repeated_request_ids: bool,
    /// Add the simulated payer's data to PAY webhooks and order queries as
    /// `paymentInfo.payerDetail`, encrypted as Binance does for merchants approved for data
    /// sharing (AES-256-GCM under SHA-256 of the API secret).
    #[arg(long)]
    pub(crate) share_payer_detail: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// Endpoint path, e.g. /binancepay/openapi/v2/order/query.
    #[arg(value_name = "PATH")]
    pub(crate) path: String,
    /// The JSON object to send, byte for byte; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub(crate) body_file: PathBuf,
    /// Base URL (default: BINANCEPAY_BASE_URL, else `https://bpay.binanceapi.com`).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

/// Where a typed call goes.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// Base URL (default: BINANCEPAY_BASE_URL, else `https://bpay.binanceapi.com`).
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrderCommand {
    /// Create an order (v3) priced in a crypto currency; prints prepayId and checkout links.
    Create(OrderCreateArgs),
    /// Query an order by prepayId or merchantTradeNo.
    Query(OrderRefArgs),
    /// Ask to close an unpaid order (the result arrives as a PAY_CLOSED webhook).
    Close(OrderRefArgs),
}

#[derive(Debug, Args)]
pub(crate) struct OrderCreateArgs {
    /// merchantTradeNo: your order number, at most 32 letters or digits, unique.
    #[arg(long, value_name = "NO")]
    pub(crate) trade_no: String,
    /// orderAmount, an exact decimal (at most 8 decimal places), e.g. 25.17.
    // A negative amount reaches the parser, which says why it is refused.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount, allow_negative_numbers = true)]
    pub(crate) amount: Amount,
    /// Crypto currency the buyer pays in, upper case, e.g. USDT.
    #[arg(long, value_name = "CODE")]
    pub(crate) currency: String,
    /// What the order is for, shown to the buyer.
    #[arg(long, value_name = "TEXT")]
    pub(crate) description: String,
    /// Name of the one goods item (default: the description).
    #[arg(long, value_name = "TEXT")]
    pub(crate) goods_name: Option<String>,
    /// Where Binance sends this order's webhooks (default: the merchant portal's URL).
    #[arg(long, value_name = "URL")]
    pub(crate) webhook_url: Option<String>,
    /// env.terminalType: where the buyer pays.
    #[arg(
        long,
        value_name = "TYPE",
        default_value = "WEB",
        value_parser = ["APP", "WEB", "WAP", "MINI_PROGRAM", "OTHERS"]
    )]
    pub(crate) terminal_type: String,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// One order, by Binance's id or by the merchant's number.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("order").required(true).args(["prepay_id", "trade_no"])))]
pub(crate) struct OrderRefArgs {
    /// prepayId: Binance's order id.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub(crate) prepay_id: Option<Id>,
    /// merchantTradeNo: your order number.
    #[arg(long, value_name = "NO")]
    pub(crate) trade_no: Option<String>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RefundCommand {
    /// Refund (part of) a paid order; repeating a request id answers the first result.
    Create(RefundCreateArgs),
    /// Query a refund by its request id.
    Query(RefundQueryArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RefundCreateArgs {
    /// refundRequestId: your id for this refund (at most 64 characters); reuse it to retry.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: String,
    /// prepayId of the paid order.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub(crate) prepay_id: Id,
    /// refundAmount, an exact decimal no larger than what is left of the order.
    // A negative amount reaches the parser, which says why it is refused.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount, allow_negative_numbers = true)]
    pub(crate) amount: Amount,
    /// refundReason, at most 256 characters.
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: Option<String>,
    /// Where Binance sends the PAY_REFUND webhook (default: the merchant portal's URL).
    #[arg(long, value_name = "URL")]
    pub(crate) webhook_url: Option<String>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RefundQueryArgs {
    /// refundRequestId given when the refund was created.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: String,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PayoutCommand {
    /// Send a batch payout; totalAmount and totalNumber are computed from the receivers.
    Create(PayoutCreateArgs),
    /// Query a payout batch by its request id.
    Query(PayoutQueryArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PayoutCreateArgs {
    /// requestId: your id for the batch, at most 32 letters or digits; reuse it to retry.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: String,
    /// batchName, at most 32 characters.
    #[arg(long, value_name = "NAME")]
    pub(crate) batch_name: String,
    /// Currency of every transfer, upper case, e.g. USDT.
    #[arg(long, value_name = "CODE")]
    pub(crate) currency: String,
    /// One transfer, TYPE:VALUE:AMOUNT with TYPE one of PAY_ID, BINANCE_ID, EMAIL; repeat the
    /// flag for each receiver (e.g. --receiver EMAIL:ann@example.com:10.50).
    #[arg(long = "receiver", value_name = "TYPE:VALUE:AMOUNT", value_parser = parse_receiver, required = true)]
    pub(crate) receivers: Vec<Receiver>,
    /// transferMethod: the wallet that pays.
    #[arg(
        long,
        value_name = "WALLET",
        default_value = "FUNDING_WALLET",
        value_parser = ["FUNDING_WALLET", "SPOT_WALLET"]
    )]
    pub(crate) transfer_method: String,
    /// Where Binance sends the PAYOUT webhooks (default: the merchant portal's URL).
    #[arg(long, value_name = "URL")]
    pub(crate) webhook_url: Option<String>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Args)]
pub(crate) struct PayoutQueryArgs {
    /// requestId given when the batch was created.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: String,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Args)]
pub(crate) struct BalanceArgs {
    /// The wallet to read.
    #[arg(
        long,
        value_name = "WALLET",
        default_value = "FUNDING_WALLET",
        value_parser = ["FUNDING_WALLET", "SPOT_WALLET"]
    )]
    pub(crate) wallet: String,
    /// Only this asset, e.g. USDT (default: every asset).
    #[arg(long, value_name = "CODE")]
    pub(crate) currency: Option<String>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CertificatesArgs {
    /// The new platform certificate's keys (for BinancePay-Signature-New) instead: an empty
    /// list until Binance enables it.
    #[arg(long)]
    pub(crate) new: bool,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}
