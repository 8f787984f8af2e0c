//! How a failed call is told: one line with the result code and its name, and the exit code
//! that says whether the service refused (1), the call was unusable (2) or nothing answered (3).

use binancepay_client::Error as ClientError;
use binancepay_client::Lookup;
use binancepay_http::Error as HttpError;
use http::StatusCode;

use crate::error::CliError;

/// An error answer in one line: `API error 400202 ORDER_NOT_FOUND: Order not found (HTTP 400)`.
pub(crate) fn describe_answer(error: &HttpError) -> String {
    match error {
        HttpError::Api {
            status,
            code,
            message,
        } => format!(
            "API error {} {}: {} (HTTP {})",
            code.code(),
            code.name(),
            one_line(message.as_deref().unwrap_or_else(|| code.description())),
            status.as_u16()
        ),
        HttpError::System {
            status,
            code,
            kind,
            message,
        } => format!(
            "system error {code}{}: {} (HTTP {})",
            kind.as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default(),
            one_line(message.as_deref().unwrap_or("no message")),
            status.as_u16()
        ),
        other => one_line(&other.to_string()),
    }
}

/// Whether an error answer means the service is not there (a gateway's 5xx, 429 or 408 page
/// without a Binance envelope) rather than a refusal by the service.
pub(crate) fn unavailable(error: &HttpError) -> bool {
    match error {
        HttpError::Unexpected { status, .. } => {
            status.is_server_error()
                || *status == StatusCode::TOO_MANY_REQUESTS
                || *status == StatusCode::REQUEST_TIMEOUT
        }
        _ => false,
    }
}

/// `error` with its chain of causes (reqwest's own message omits "connection refused").
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = inner.source();
    }
    one_line(&text)
}

/// What to add when a money-moving call may or may not have happened.
pub(crate) const OUTCOME_UNKNOWN: &str =
    "the outcome is unknown: query the object before sending it again";

/// ` (after N attempts)` and, when the outcome is unknown, the advice to query first: the end
/// of every failure line, typed or raw.
pub(crate) fn suffix(mut line: String, attempts: u32, unknown: bool) -> String {
    if attempts > 1 {
        line.push_str(&format!(" (after {attempts} attempts)"));
    }
    if unknown {
        line.push_str("; ");
        line.push_str(OUTCOME_UNKNOWN);
    }
    line
}

/// The [`CliError`] (and so the exit code) of a failed typed call.
pub(crate) fn from_client(error: ClientError) -> CliError {
    let unknown = error.outcome_unknown();
    let attempts = error.attempts();
    let suffix = |line: String| suffix(line, attempts, unknown);
    match error {
        ClientError::Config(_) => CliError::Config(error),
        ClientError::Request {
            source: HttpError::Validation(errors),
            ..
        } => CliError::Invalid(
            errors
                .violations()
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        ClientError::Request { operation, source } => {
            CliError::Usage(format!("{operation}: {}", one_line(&source.to_string())))
        }
        ClientError::Response {
            operation, source, ..
        } => {
            let line = suffix(format!("{operation}: {}", describe_answer(&source)));
            if unavailable(&source) {
                CliError::Unreachable(line)
            } else {
                CliError::Api(line)
            }
        }
        ClientError::Transport {
            operation,
            kind,
            ref source,
            ..
        } => CliError::Unreachable(suffix(format!(
            "{operation}: {kind}: {}",
            with_causes(source)
        ))),
        ClientError::DuplicateUnresolved { source, .. } if is_unreachable(&source) => {
            CliError::Unreachable(suffix(with_causes(&*source)))
        }
        // A payout or transfer whose attempt and lookup both went unanswered: the service could
        // not be reached, as before lookups existed (exit 3), not an API refusal.
        ClientError::NotResent {
            lookup: Lookup::Failed(ref lookup),
            ref source,
            ..
        } if is_unreachable(lookup) && is_unreachable(source) => {
            CliError::Unreachable(suffix(with_causes(&error)))
        }
        other => CliError::Api(suffix(with_causes(&other))),
    }
}

fn is_unreachable(error: &ClientError) -> bool {
    match error {
        ClientError::Transport { .. } => true,
        ClientError::Response { source, .. } => unavailable(source),
        _ => false,
    }
}

/// Server text goes on one stderr line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use binancepay_types::ResultCode;
    use proptest::prelude::*;

    #[test]
    fn lines_carry_attempts_and_the_unknown_outcome() {
        assert_eq!(suffix("p: x".into(), 1, false), "p: x");
        assert_eq!(
            suffix("p: x".into(), 3, true),
            format!("p: x (after 3 attempts); {OUTCOME_UNKNOWN}")
        );
    }

    #[test]
    fn api_errors_carry_code_name_and_message() {
        let error = HttpError::Api {
            status: StatusCode::BAD_REQUEST,
            code: ResultCode::from_code("400202"),
            message: Some("Order not found.\nreally".to_owned()),
        };
        assert_eq!(
            describe_answer(&error),
            "API error 400202 ORDER_NOT_FOUND: Order not found. really (HTTP 400)"
        );
        assert!(!unavailable(&error));
        let silent = HttpError::Api {
            status: StatusCode::OK,
            code: ResultCode::from_code("400002"),
            message: None,
        };
        assert_eq!(
            describe_answer(&silent),
            format!(
                "API error 400002 INVALID_SIGNATURE: {} (HTTP 200)",
                ResultCode::InvalidSignature.description()
            )
        );
    }

    #[test]
    fn gateway_pages_are_unavailability() {
        for (status, expected) in [(502, true), (429, true), (408, true), (404, false)] {
            let error = HttpError::Unexpected {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                reason: "not JSON".to_owned(),
                snippet: "<html>".to_owned(),
            };
            assert_eq!(unavailable(&error), expected, "{status}");
        }
    }

    proptest! {
        #[test]
        fn descriptions_are_one_line(message in "\\PC{0,40}(\n\\PC{0,40}){0,3}", code in "[0-9]{6}") {
            let error = HttpError::Api {
                status: StatusCode::BAD_REQUEST,
                code: ResultCode::from_code(&code),
                message: Some(message),
            };
            let line = describe_answer(&error);
            prop_assert!(!line.contains('\n'));
            prop_assert!(line.contains(&code));
        }
    }
}
