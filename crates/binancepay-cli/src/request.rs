//! `binancepay request PATH --body-file FILE`: one signed POST of a body sent byte for byte, with
//! the endpoint's retry policy, printing the answer's envelope exactly as received.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use binancepay_client::{
    DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Outcome, RetryPolicy,
    TransportKind,
};
use binancepay_http::{Nonce, now, parse_response_raw};
use http::{Request, Response, StatusCode};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::args::RequestArgs;
use crate::config::{self, RawSender};
use crate::error::CliError;
use crate::failure::{OUTCOME_UNKNOWN, describe_answer, unavailable, with_causes};
use crate::retry::{self, Plan};
use crate::streams::read_bytes;

pub(crate) fn run(args: &RequestArgs) -> Result<ExitCode, CliError> {
    let body = read_bytes(&args.body_file)?;
    // Checked here for a message naming the file; the bytes sent are the bytes read.
    let object: Map<String, Value> = serde_json::from_slice(&body).map_err(|e| {
        let source = if args.body_file == Path::new("-") {
            "standard input".to_owned()
        } else {
            args.body_file.display().to_string()
        };
        CliError::Usage(format!("{source}: the body must be one JSON object: {e}"))
    })?;
    let plan = retry::plan(&args.path, &object);
    crate::runtime::block_on(async {
        let sender = config::raw_sender(args.base_url.as_deref())?;
        let nonce = Nonce::from_os_rng().map_err(|e| CliError::Usage(e.to_string()))?;
        let timestamp = now().map_err(|_| CliError::Clock)?;
        let request = sender
            .requests
            .build_raw(&args.path, body, timestamp, &nonce)
            .map_err(|e| CliError::Usage(e.to_string()))?;
        let ended = send(&sender, request, plan).await?;
        report(&args.path, ended)
    })?
}

/// How the last attempt ended.
#[derive(Debug)]
enum Ending {
    Answer(Response<Vec<u8>>),
    TooLarge(StatusCode),
    Failed(reqwest::Error, TransportKind),
}

/// The last attempt, how many were made, and whether an earlier one may have acted.
#[derive(Debug)]
struct Ended {
    ending: Ending,
    attempts: u32,
    earlier_unknown: bool,
}

/// Sends, and re-signs and resends (same bytes, fresh timestamp and nonce) while the plan, the
/// client's default [`RetryPolicy`] and its total deadline allow.
async fn send(
    sender: &RawSender,
    mut request: Request<Vec<u8>>,
    plan: Plan,
) -> Result<Ended, CliError> {
    let policy = RetryPolicy::default();
    let deadline = Instant::now() + DEFAULT_DEADLINE;
    let mut attempts: u32 = 0;
    let mut earlier_unknown = false;
    loop {
        attempts += 1;
        if attempts > 1 {
            sender
                .requests
                .resign_now(&mut request)
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        let timeout = DEFAULT_TIMEOUT.min(deadline.saturating_duration_since(Instant::now()));
        let ending = exchange(&sender.http, &request, timeout).await;
        let (outcome, retryable, retry_after) = judge(&ending);
        let wait = wait_before(&policy, attempts, retry_after);
        let again = retryable
            && retry::permits(plan, outcome)
            && attempts < policy.max_attempts()
            && Instant::now() + wait < deadline;
        if !again {
            return Ok(Ended {
                ending,
                attempts,
                earlier_unknown,
            });
        }
        // A query acts on nothing, so its unknown attempts taint nothing.
        if plan != Plan::Class(binancepay_types::RetryClass::Query) && outcome == Outcome::Unknown {
            earlier_unknown = true;
        }
        tokio::time::sleep(wait).await;
    }
}

/// What Binance may have done, whether trying again can help, and the server's requested wait.
fn judge(ending: &Ending) -> (Outcome, bool, Option<Duration>) {
    match ending {
        Ending::Answer(response) => match parse_response_raw(response) {
            Ok(_) => (Outcome::Succeeded, false, None),
            Err(error) => (
                error.outcome(),
                error.is_retryable(),
                RetryPolicy::retry_after(response.headers()),
            ),
        },
        Ending::TooLarge(status) if status.is_client_error() => (Outcome::Rejected, false, None),
        Ending::TooLarge(status) => (Outcome::Unknown, status.is_server_error(), None),
        Ending::Failed(_, kind) => (kind.outcome(), *kind != TransportKind::Build, None),
    }
}

/// The policy's backoff, or the server's `Retry-After` up to the policy's cap if longer.
fn wait_before(policy: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    policy.wait(attempt, retry::jitter(), retry_after)
}

/// One attempt: the request as signed, the answer read up to the library's size limit.
async fn exchange(http: &reqwest::Client, request: &Request<Vec<u8>>, timeout: Duration) -> Ending {
    let outgoing = http
        .request(request.method().clone(), request.uri().to_string())
        .headers(request.headers().clone())
        .body(request.body().clone())
        .timeout(timeout);
    let mut response = match outgoing.send().await {
        Ok(response) => response,
        Err(error) => return failed(error),
    };
    let status = response.status();
    let limit = DEFAULT_MAX_RESPONSE_BYTES;
    if response
        .content_length()
        .is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Ending::TooLarge(status);
    }
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len().saturating_add(chunk.len()) > limit => {
                return Ending::TooLarge(status);
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(error) => return failed(error),
        }
    }
    let mut answer = Response::new(body);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ending::Answer(answer)
}

/// A failed attempt, classified as the client library does.
fn failed(error: reqwest::Error) -> Ending {
    let kind = TransportKind::classify(&error);
    Ending::Failed(error, kind)
}

/// Prints the answer's JSON body as received on stdout and, for a failure, one line on stderr.
fn report(path: &str, ended: Ended) -> Result<ExitCode, CliError> {
    let suffix = |mut line: String, outcome: Outcome| {
        if ended.attempts > 1 {
            line.push_str(&format!(" (after {} attempts)", ended.attempts));
        }
        if outcome == Outcome::Unknown || (ended.earlier_unknown && outcome != Outcome::Succeeded) {
            line.push_str("; ");
            line.push_str(OUTCOME_UNKNOWN);
        }
        line
    };
    match ended.ending {
        Ending::Answer(response) => {
            let answer = parse_response_raw(&response);
            // An envelope goes to stdout as received; an HTML page is only described on stderr.
            if answer.is_ok() || serde_json::from_slice::<IgnoredAny>(response.body()).is_ok() {
                write_body(response.body())?;
            }
            match answer {
                Ok(_) => Ok(ExitCode::SUCCESS),
                Err(error) => {
                    let line = suffix(
                        format!("{path}: {}", describe_answer(&error)),
                        error.outcome(),
                    );
                    Err(if unavailable(&error) {
                        CliError::Unreachable(line)
                    } else {
                        CliError::Api(line)
                    })
                }
            }
        }
        Ending::TooLarge(status) => Err(CliError::Api(suffix(
            format!(
                "{path}: HTTP {}: response body larger than {DEFAULT_MAX_RESPONSE_BYTES} bytes",
                status.as_u16()
            ),
            if status.is_client_error() {
                Outcome::Rejected
            } else {
                Outcome::Unknown
            },
        ))),
        Ending::Failed(error, kind) => Err(CliError::Unreachable(suffix(
            format!("{path}: {kind}: {}", with_causes(&error)),
            kind.outcome(),
        ))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answer(status: u16, body: &str) -> Ending {
        let mut response = Response::new(body.as_bytes().to_vec());
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        Ending::Answer(response)
    }

    #[test]
    fn answers_are_judged_like_the_client_does() {
        let ok = answer(200, r#"{"status":"SUCCESS","code":"000000","data":true}"#);
        assert_eq!(judge(&ok), (Outcome::Succeeded, false, None));
        let not_found = answer(
            400,
            r#"{"status":"FAIL","code":"400202","errorMessage":"x"}"#,
        );
        assert_eq!(judge(&not_found), (Outcome::Rejected, false, None));
        let unknown = answer(200, r#"{"status":"FAIL","code":"400000"}"#);
        assert_eq!(judge(&unknown), (Outcome::Unknown, true, None));
        let gateway = answer(502, "<html>bad gateway</html>");
        assert_eq!(judge(&gateway), (Outcome::Unknown, true, None));
        assert_eq!(
            judge(&Ending::TooLarge(StatusCode::BAD_GATEWAY)),
            (Outcome::Unknown, true, None)
        );
        assert_eq!(
            judge(&Ending::TooLarge(StatusCode::NOT_FOUND)),
            (Outcome::Rejected, false, None)
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(10))
            .with_max_backoff(Duration::from_secs(2));
        assert_eq!(
            wait_before(&policy, 1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            wait_before(&policy, 1, Some(Duration::from_secs(60))),
            Duration::from_secs(2)
        );
        assert!(wait_before(&policy, 1, None) <= Duration::from_millis(10));
    }

    proptest! {
        #[test]
        fn judging_any_answer_never_panics(status in 100u16..600, body in "\\PC{0,80}") {
            let _ = judge(&answer(status, &body));
        }
    }
}
