//! `binancepay webhook verify`: checks a received webhook against Binance's public key.

use std::path::PathBuf;
use std::process::ExitCode;

use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_sign::{Timestamp, check_freshness};

use crate::args::VerifyArgs;
use crate::error::CliError;
use crate::streams::{print_line, read_bytes, read_text};

/// One signature with the key to check it against.
struct Pair<'a> {
    key: WebhookPublicKey,
    signature: &'a str,
    new: bool,
}

fn pair<'a>(
    key_file: Option<&PathBuf>,
    signature: Option<&'a String>,
    new: bool,
) -> Result<Option<Pair<'a>>, CliError> {
    // clap makes each pair all-or-nothing.
    let (Some(path), Some(signature)) = (key_file, signature) else {
        return Ok(None);
    };
    let pem = read_text(path)?;
    let key = WebhookPublicKey::from_pem(&pem).map_err(|source| CliError::PublicKey {
        path: path.clone(),
        source,
    })?;
    Ok(Some(Pair {
        key,
        signature,
        new,
    }))
}

pub(crate) fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    // Usage problems (files, keys, --now) are reported before any verdict.
    let pairs: Vec<Pair<'_>> = [
        pair(
            args.public_key_file.as_ref(),
            args.signature.as_ref(),
            false,
        )?,
        pair(
            args.public_key_file_new.as_ref(),
            args.signature_new.as_ref(),
            true,
        )?,
    ]
    .into_iter()
    .flatten()
    .collect();
    let body = read_bytes(&args.body_file)?;
    let now = match &args.now {
        Some(now) => Some(Timestamp::parse(now).map_err(|source| CliError::Argument {
            name: "--now",
            source,
        })?),
        None if args.max_age_secs.is_some() => Some(Timestamp::now().map_err(|_| CliError::Clock)?),
        None => None,
    };

    for pair in &pairs {
        pair.key
            .verify(&args.timestamp, &args.nonce, &body, pair.signature)
            .map_err(|source| {
                if pair.new {
                    CliError::RejectedNew(source)
                } else {
                    CliError::Rejected(source)
                }
            })?;
    }
    if let (Some(max_age_secs), Some(now)) = (args.max_age_secs, now) {
        let sent = Timestamp::parse(&args.timestamp).map_err(CliError::Rejected)?;
        check_freshness(now, sent, max_age_secs.saturating_mul(1000))
            .map_err(CliError::Rejected)?;
    }
    print_line("valid")?;
    Ok(ExitCode::SUCCESS)
}
