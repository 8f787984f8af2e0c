//! Everything the command reports, and the exit code each maps to.

use std::path::PathBuf;
use std::process::ExitCode;

/// A failure of one run; `Display` is the one line printed after `error: `.
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
}

impl CliError {
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Self::Rejected(_) => ExitCode::from(1),
            _ => ExitCode::from(2),
        }
    }
}
