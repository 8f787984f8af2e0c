//! What every typed subcommand does: check the request, call, print the typed `data` as
//! pretty JSON on stdout.

use std::future::Future;
use std::process::ExitCode;

use binancepay_client::Client;
use binancepay_types::{Endpoint, Violation};
use serde::Serialize;

use crate::args::ApiArgs;
use crate::config;
use crate::error::CliError;
use crate::failure;
use crate::streams::print_line;

/// Which flag sets which wire field, so that a broken rule names what the user typed.
pub(crate) type Flags = &'static [(&'static str, &'static str)];

/// Validates `request` (every broken rule, one line each), then sends it and prints its data.
pub(crate) fn execute<E>(request: &E, flags: Flags, api: &ApiArgs) -> Result<ExitCode, CliError>
where
    E: Endpoint,
    E::Response: Serialize,
{
    check(request, flags)?;
    let data = call(api, |client| async move { client.execute(request).await })?;
    print_json(&data)?;
    Ok(ExitCode::SUCCESS)
}

/// The client's validation, before any credential or network is needed.
pub(crate) fn check<E: Endpoint>(request: &E, flags: Flags) -> Result<(), CliError> {
    request.validate().map_err(|errors| {
        CliError::Invalid(
            errors
                .violations()
                .iter()
                .map(|v| describe(v, flags))
                .collect(),
        )
    })
}

/// Runs one call with a client from the environment (and `--base-url`).
pub(crate) fn call<T, F, Fut>(api: &ApiArgs, call: F) -> Result<T, CliError>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<T, binancepay_client::Error>>,
{
    crate::runtime::block_on(async {
        let client = config::client(api.base_url.as_deref())?;
        call(client).await.map_err(failure::from_client)
    })?
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Api(format!("the answer cannot be printed as JSON: {e}")))?;
    print_line(&text)
}

/// `--trade-no (merchantTradeNo): at most 32 letters or digits, got "ab-1"`.
fn describe(violation: &Violation, flags: Flags) -> String {
    let flag = flags
        .iter()
        .find(|(wire, _)| *wire == violation.field)
        .map(|(_, flag)| *flag);
    let mut line = match flag {
        Some(flag) => format!("{flag} ({}): {}", violation.field, violation.rule),
        None => format!("{}: {}", violation.field, violation.rule),
    };
    if let Some(got) = &violation.got {
        line.push_str(&format!(", got {got:?}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use binancepay_types::refund::QueryRefundRequest;

    #[test]
    fn broken_rules_name_the_flag_and_the_field() {
        let flags: Flags = &[("refundRequestId", "--request-id")];
        let long = "x".repeat(65);
        let result = check(&QueryRefundRequest::new(long), flags);
        let lines = match result {
            Err(CliError::Invalid(lines)) => lines,
            other => panic!("{other:?}"),
        };
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("--request-id (refundRequestId): "),
            "{lines:?}"
        );
        let empty = check(&QueryRefundRequest::new(""), &[]);
        assert!(
            matches!(&empty, Err(CliError::Invalid(lines)) if lines.iter().all(|l| l.starts_with("refundRequestId: "))),
            "{empty:?}"
        );
    }
}
