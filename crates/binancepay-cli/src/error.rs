//! Everything the command reports, and the exit code each maps to.

use std::path::PathBuf;
use std::process::ExitCode;

/// The API (or a webhook check) said no.
pub(crate) const EXIT_REFUSED: u8 = 1;
/// The command line, a file or the environment is unusable; nothing was sent.
pub(crate) const EXIT_USAGE: u8 = 2;
/// The service could not be reached, even after the retries the endpoint allows.
pub(crate) const EXIT_UNREACHABLE: u8 = 3;

/// A failure of one run; `Display` is the one line printed after `error: ` (see
/// [`CliError::lines`] for the one kind that reports several).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// An input file or standard input could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The secret is taken only from the environment, never from argv (shell history, `ps`).
    #[error("BINANCEPAY_API_SECRET is not set; export the API secret in that variable")]
    MissingSecret,
    #[error("BINANCEPAY_API_SECRET is not valid UTF-8")]
    SecretNotUtf8,
    /// A value given on the command line or in the environment is malformed.
    #[error("{name}: {source}")]
    Argument {
        name: &'static str,
        source: binancepay_sign::Error,
    },
    #[error("{}: {source}", path.display())]
    PublicKey {
        path: PathBuf,
        source: binancepay_sign::Error,
    },
    #[error("standard output: {0}")]
    Write(std::io::Error),
    #[error("the system clock is before 1970")]
    Clock,
    /// The webhook does not verify or is stale: a verdict, not a usage error.
    #[error("webhook rejected: {0}")]
    Rejected(binancepay_sign::Error),
    /// BinancePay-Signature-New does not verify under the new platform certificate's key.
    #[error("webhook rejected: BinancePay-Signature-New: {0}")]
    RejectedNew(binancepay_sign::Error),
    /// A command-line or environment value breaks a rule no parser could check earlier.
    #[error("{0}")]
    Usage(String),
    /// The request breaks the API's rules, one line per broken rule; nothing was sent.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    /// Credentials or base URL are unusable (missing variable, plain http to a remote host …).
    #[error("{0}")]
    Config(binancepay_client::Error),
    /// The service answered, and the answer is an error.
    #[error("{0}")]
    Api(String),
    /// No usable answer: no connection, a timeout, a gateway that kept failing.
    #[error("{0}")]
    Unreachable(String),
    /// The sandbox could not start.
    #[error("sandbox: {0}")]
    Sandbox(binancepay_sandbox::Error),
    /// The async runtime (or a local socket) could not be set up.
    #[error("{what}: {source}")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
    /// A `payerDetail` value is malformed or does not authenticate under the secret.
    #[error("payer detail: {0}")]
    PayerDetail(binancepay_sign::Error),
    /// A step of `binancepay demo` went wrong.
    #[error("demo failed at {step}: {reason}")]
    Demo { step: &'static str, reason: String },
}

impl CliError {
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.status())
    }

    /// The exit status this failure ends the process with.
    pub(crate) fn status(&self) -> u8 {
        match self {
            Self::Rejected(_)
            | Self::RejectedNew(_)
            | Self::Api(_)
            | Self::Io { .. }
            | Self::Demo { .. } => EXIT_REFUSED,
            // A value that is well formed but was not encrypted under this secret is a verdict;
            // one that cannot be a payerDetail at all is the caller's input to fix.
            Self::PayerDetail(binancepay_sign::Error::PayerDetailAuthentication) => EXIT_REFUSED,
            Self::Unreachable(_) => EXIT_UNREACHABLE,
            // Settings are the caller's to fix; a busy port or a broken RNG is not.
            Self::Sandbox(
                binancepay_sandbox::Error::Bind { .. }
                | binancepay_sandbox::Error::Rng
                | binancepay_sandbox::Error::HttpClient(_),
            ) => EXIT_REFUSED,
            _ => EXIT_USAGE,
        }
    }

    /// The lines printed after `error: `, one per broken rule for [`CliError::Invalid`].
    pub(crate) fn lines(&self) -> Vec<String> {
        match self {
            Self::Invalid(lines) if !lines.is_empty() => lines.clone(),
            other => vec![other.to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code() {
        assert_eq!(CliError::Api("x".into()).status(), 1);
        assert_eq!(CliError::Unreachable("x".into()).status(), 3);
        assert_eq!(CliError::Usage("x".into()).status(), 2);
        assert_eq!(CliError::Invalid(vec![]).status(), 2);
        assert_eq!(
            CliError::PayerDetail(binancepay_sign::Error::PayerDetailAuthentication).status(),
            1
        );
        assert_eq!(
            CliError::PayerDetail(binancepay_sign::Error::PayerDetailBase64).status(),
            2
        );
        let bad_key = CliError::Sandbox(binancepay_sandbox::Error::InvalidApiKey);
        assert_eq!(bad_key.status(), 2);
        assert_eq!(
            CliError::Sandbox(binancepay_sandbox::Error::Rng).status(),
            1
        );
    }

    #[test]
    fn invalid_requests_report_one_line_per_rule() {
        let error = CliError::Invalid(vec!["a: x".into(), "b: y".into()]);
        assert_eq!(error.lines(), ["a: x", "b: y"]);
        assert_eq!(CliError::Usage("u".into()).lines(), ["u"]);
    }
}
