//! `binancepay sign`: the request signature of a body, for debugging `400002` answers.

use std::process::ExitCode;

use binancepay_sign::{ApiSecret, Nonce, RequestSigner, Timestamp};

use crate::args::SignArgs;
use crate::error::CliError;
use crate::streams::{print_error_line, print_line, read_bytes};

pub(crate) const SECRET_VAR: &str = "BINANCEPAY_API_SECRET";

pub(crate) fn run(args: &SignArgs) -> Result<ExitCode, CliError> {
    let secret = match std::env::var(SECRET_VAR) {
        Ok(secret) => ApiSecret::new(secret).map_err(|source| CliError::Argument {
            name: SECRET_VAR,
            source,
        })?,
        Err(std::env::VarError::NotPresent) => return Err(CliError::MissingSecret),
        Err(std::env::VarError::NotUnicode(_)) => return Err(CliError::SecretNotUtf8),
    };
    let body = read_bytes(&args.body_file)?;

    // Headers Binance would refuse are still signed, so that other implementations' output
    // (some public vectors use seconds or short nonces) can be reproduced; say so on stderr.
    if let Err(error) = Timestamp::parse(&args.timestamp) {
        print_error_line(&format!("warning: --timestamp: {error} (signed as given)"));
    }
    if let Err(error) = Nonce::new(&args.nonce) {
        print_error_line(&format!("warning: --nonce: {error} (signed as given)"));
    }

    let signature = RequestSigner::new(&secret).sign_raw(&args.timestamp, &args.nonce, &body);
    print_line(signature.as_str())?;
    Ok(ExitCode::SUCCESS)
}
