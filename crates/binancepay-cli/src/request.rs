//! `binancepay request PATH --body-file FILE`: one signed POST of a body sent byte for byte, with
//! the endpoint's retry policy, printing the answer's envelope exactly as received.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use binancepay_client::{Error as ClientError, Outcome, RawResponse};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use crate::args::RequestArgs;
use crate::config;
use crate::error::CliError;
use crate::failure::{self, describe_answer, suffix, unavailable, with_causes};
use crate::streams::read_bytes;

pub(crate) fn run(args: &RequestArgs) -> Result<ExitCode, CliError> {
    let body = read_bytes(&args.body_file)?;
    // Checked here for a message naming the file; the bytes sent are the bytes read.
    serde_json::from_slice::<Map<String, Value>>(&body).map_err(|e| {
        let source = if args.body_file == Path::new("-") {
            "standard input".to_owned()
        } else {
            args.body_file.display().to_string()
        };
        CliError::Usage(format!("{source}: the body must be one JSON object: {e}"))
    })?;
    crate::runtime::block_on(async {
        let client = config::client(args.base_url.as_deref())?;
        // The client's one path: the endpoint's retry class, the same bytes re-signed for each
        // retry, an unknown path sent once.
        let answer = client.send_raw(&args.path, body).await;
        report(&args.path, answer)
    })?
}

/// Prints the answer's JSON body as received on stdout and, for a failure, one line on stderr.
fn report(path: &str, answer: Result<RawResponse, ClientError>) -> Result<ExitCode, CliError> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => return Err(no_answer(path, error)),
    };
    let data = answer.data();
    // An envelope goes to stdout as received; an HTML page is only described on stderr.
    if data.is_ok() || serde_json::from_slice::<IgnoredAny>(answer.body()).is_ok() {
        write_body(answer.body())?;
    }
    match data {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            let line = suffix(
                format!("{path}: {}", describe_answer(error)),
                answer.attempts(),
                answer.outcome_unknown(),
            );
            Err(if unavailable(error) {
                CliError::Unreachable(line)
            } else {
                CliError::Api(line)
            })
        }
    }
}

/// The last attempt got no answer to print, or nothing was sent.
fn no_answer(path: &str, error: ClientError) -> CliError {
    let attempts = error.attempts();
    let unknown = error.outcome() == Outcome::Unknown;
    match error {
        ClientError::Request { source, .. } => CliError::Usage(source.to_string()),
        ClientError::ResponseTooLarge { status, limit, .. } => CliError::Api(suffix(
            format!(
                "{path}: HTTP {}: response body larger than {limit} bytes",
                status.as_u16()
            ),
            attempts,
            unknown,
        )),
        ClientError::Transport {
            kind, ref source, ..
        } => CliError::Unreachable(suffix(
            format!("{path}: {kind}: {}", with_causes(source)),
            attempts,
            unknown,
        )),
        other => failure::from_client(other),
    }
}

/// The body byte for byte; a newline is added only for a terminal, so pipes get the exact bytes.
fn write_body(body: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    let newline = stdout.is_terminal() && !body.ends_with(b"\n");
    stdout
        .write_all(body)
        .and_then(|()| {
            if newline {
                stdout.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)
}
