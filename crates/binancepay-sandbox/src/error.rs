//! Errors of starting and configuring a sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a sandbox could not be configured or started.
///
/// Messages name the setting and the rule it breaks; secrets never appear in them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API key is not 1..=128 ASCII letters or digits.
    #[error("api_key: must be 1 to 128 ASCII letters or digits")]
    InvalidApiKey,
    /// The API secret is empty.
    #[error("api_secret: must not be empty")]
    InvalidApiSecret,
    /// The default webhook URL is not an absolute http(s) URL.
    #[error("webhook_url {url:?}: must be an absolute http:// or https:// URL")]
    InvalidWebhookUrl {
        /// The URL given (cut to 64 characters).
        url: String,
    },
    /// A setting is out of its allowed range.
    #[error("{setting}: {rule}")]
    InvalidSetting {
        /// The builder method's name.
        setting: &'static str,
        /// The rule it breaks.
        rule: String,
    },
    /// The webhook signing key PEM could not be read from disk.
    #[error("webhook key file {path:?}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The webhook signing key is not a usable RSA private key, or could not be generated.
    #[error("webhook signing key: {0}")]
    Key(#[source] binancepay_sign::Error),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Rng,
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The webhook HTTP client could not be built.
    #[error("webhook HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// Building a request builder for the sandbox failed.
    #[error("request builder: {0}")]
    RequestBuilder(#[source] binancepay_http::Error),
}
