//! Credentials and base URL from the environment (and `--base-url`), checked by the client's own
//! rules: the secret never comes from argv, plain http only reaches loopback hosts.

use binancepay_client::{Client, ClientBuilder, ENV_API_KEY, ENV_API_SECRET};
use binancepay_http::ApiKey;

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
