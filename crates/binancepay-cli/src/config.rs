//! Credentials and base URL from the environment (and `--base-url`), checked by the client's own
//! rules: the secret never comes from argv, plain http only reaches loopback hosts.

use binancepay_client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL,
};
use binancepay_http::{ApiKey, ApiSecret, PRODUCTION_BASE_URL, RequestBuilder};

use crate::error::CliError;

/// A client from `BINANCEPAY_API_KEY`, `BINANCEPAY_API_SECRET` and the base URL (`--base-url`,
/// else `BINANCEPAY_BASE_URL`, else production).
pub(crate) fn client(base_url: Option<&str>) -> Result<Client, CliError> {
    let mut builder = ClientBuilder::from_env().map_err(CliError::Config)?;
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build().map_err(CliError::Config)
}

/// What `binancepay request` needs to send a body it did not serialise: a signer and an HTTP
/// client set up as the library's (no redirects, no hidden retries).
#[derive(Debug)]
pub(crate) struct RawSender {
    pub(crate) requests: RequestBuilder,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn raw_sender(base_url: Option<&str>) -> Result<RawSender, CliError> {
    // The library's checks and messages first (missing variables, http to a remote host …).
    let builder = ClientBuilder::from_env().map_err(CliError::Config)?;
    let url = match base_url {
        Some(url) => url.to_owned(),
        None => non_empty_var(ENV_BASE_URL)?.unwrap_or_else(|| PRODUCTION_BASE_URL.to_owned()),
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .tls_backend_rustls()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot build the HTTP client: {e}")))?;
    builder
        .base_url(url.as_str())
        .http_client(http.clone())
        .build()
        .map_err(CliError::Config)?;

    let key = non_empty_var(ENV_API_KEY)?.unwrap_or_default();
    let secret = non_empty_var(ENV_API_SECRET)?.unwrap_or_default();
    let key = ApiKey::new(key).map_err(|source| CliError::Argument {
        name: ENV_API_KEY,
        source,
    })?;
    let secret = ApiSecret::new(secret).map_err(|source| CliError::Argument {
        name: ENV_API_SECRET,
        source,
    })?;
    let requests = RequestBuilder::new(key, &secret)
        .and_then(|b| b.with_base_url(&url))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(RawSender { requests, http })
}

/// The merchant credentials for `binancepay sandbox`: both variables, or neither (generate).
pub(crate) fn sandbox_credentials() -> Result<Option<(String, String)>, CliError> {
    match (non_empty_var(ENV_API_KEY)?, non_empty_var(ENV_API_SECRET)?) {
        (Some(key), Some(secret)) => {
            ApiKey::new(key.as_str()).map_err(|source| CliError::Argument {
                name: ENV_API_KEY,
                source,
            })?;
            Ok(Some((key, secret)))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(half_set(ENV_API_KEY, ENV_API_SECRET)),
        (None, Some(_)) => Err(half_set(ENV_API_SECRET, ENV_API_KEY)),
    }
}

fn half_set(set: &str, unset: &str) -> CliError {
    CliError::Usage(format!(
        "{set} is set but {unset} is not; set both to use your own credentials, or neither to generate them"
    ))
}

/// A variable's value; unset and empty are the same, as in the client library.
fn non_empty_var(name: &'static str) -> Result<Option<String>, CliError> {
    match std::env::var(name) {
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::Usage(format!("{name} is not valid UTF-8")))
        }
    }
}
