//! `binancepay webhook verify`: checks a received webhook against Binance's public key.

use std::process::ExitCode;

use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_sign::{Timestamp, check_freshness};

use crate::args::VerifyArgs;
use crate::error::CliError;
use crate::streams::{print_line, read_bytes, read_text};

pub(crate) fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    // Usage problems (files, key, --now) are reported before any verdict.
    let pem = read_text(&args.public_key_file)?;
    let key = WebhookPublicKey::from_pem(&pem).map_err(|source| CliError::PublicKey {
        path: args.public_key_file.clone(),
        source,
    })?;
    let body = read_bytes(&args.body_file)?;
    let now = match &args.now {
        Some(now) => Some(Timestamp::parse(now).map_err(|source| CliError::Argument {
            name: "--now",
            source,
        })?),
        None if args.max_age_secs.is_some() => Some(Timestamp::now().map_err(|_| CliError::Clock)?),
        None => None,
    };

    key.verify(&args.timestamp, &args.nonce, &body, &args.signature)
        .map_err(CliError::Rejected)?;
    if let (Some(max_age_secs), Some(now)) = (args.max_age_secs, now) {
        let sent = Timestamp::parse(&args.timestamp).map_err(CliError::Rejected)?;
        check_freshness(now, sent, max_age_secs.saturating_mul(1000))
            .map_err(CliError::Rejected)?;
    }
    print_line("valid")?;
    Ok(ExitCode::SUCCESS)
}
