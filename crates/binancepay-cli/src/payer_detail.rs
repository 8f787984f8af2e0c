//! `binancepay payer-detail decrypt`: the plaintext of a `paymentInfo.payerDetail` value.

use std::io::Read as _;
use std::process::ExitCode;

use binancepay_sign::{ApiSecret, payer_detail};

use crate::args::PayerDetailDecryptArgs;
use crate::error::CliError;
use crate::sign::SECRET_VAR;
use crate::streams::print_line;

pub(crate) fn decrypt(args: &PayerDetailDecryptArgs) -> Result<ExitCode, CliError> {
    let secret = match std::env::var(SECRET_VAR) {
        Ok(secret) => ApiSecret::new(secret).map_err(|source| CliError::Argument {
            name: SECRET_VAR,
            source,
        })?,
        Err(std::env::VarError::NotPresent) => return Err(CliError::MissingSecret),
        Err(std::env::VarError::NotUnicode(_)) => return Err(CliError::SecretNotUtf8),
    };
    let data = match &args.data {
        Some(data) => data.clone(),
        None => {
            let mut text = String::new();
            std::io::stdin()
                .lock()
                .read_to_string(&mut text)
                .map_err(|source| CliError::Read {
                    path: "-".into(),
                    source,
                })?;
            text
        }
    };
    let detail = payer_detail::decrypt(&secret, data.trim()).map_err(CliError::PayerDetail)?;
    print_line(detail.as_str())?;
    Ok(ExitCode::SUCCESS)
}
