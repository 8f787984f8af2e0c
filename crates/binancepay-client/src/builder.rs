//! [`ClientBuilder`]: credentials, base URL, timeouts, retries and the HTTP client.

use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use binancepay_http::{ApiKey, ApiSecret, PRODUCTION_BASE_URL, RequestBuilder};

use crate::client::{Client, Inner};
use crate::clock::Clock;
use crate::error::{ConfigError, Error};
use crate::retry::RetryPolicy;
use crate::webhook::CertificateCache;

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "BINANCEPAY_API_KEY";
/// Environment variable holding the API secret.
pub const ENV_API_SECRET: &str = "BINANCEPAY_API_SECRET";
/// Optional environment variable overriding the base URL (e.g. a local mock server).
pub const ENV_BASE_URL: &str = "BINANCEPAY_BASE_URL";

/// Default time to establish a connection (TCP + TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time one attempt may take, answer included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a whole call may take, retries and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// Default minimum time between two certificate fetches caused by unknown serials.
pub const DEFAULT_CERTIFICATE_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// The longest any duration setting is taken to be (one day): timeouts, the deadline, retry
/// waits and the certificate refresh interval are clamped to it when the client is built, so
/// that no deadline arithmetic can overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// Default largest response body read: far above any documented answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Which credential broke its rule (kept until `build` reports it).
#[derive(Debug, Clone)]
enum CredentialError {
    Key(binancepay_sign::Error),
    Secret(binancepay_sign::Error),
}

/// Configures a [`Client`]; start with [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// ```
/// use std::time::Duration;
/// use binancepay_client::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .credentials("hx8wpbzmn5ftzkxfrzqwlvfsybadfdrxuzwxhjvbagbw6dmnafvffshpcfxgm2pj", "my-secret")
///     .base_url("http://127.0.0.1:8080")
///     .timeout(Duration::from_secs(5))
///     .deadline(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().with_max_attempts(4))
///     .build()?;
/// assert!(!format!("{client:?}").contains("my-secret"));
/// # Ok::<(), binancepay_client::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Result<(ApiKey, ApiSecret), CredentialError>>,
    base_url: Option<String>,
    allow_insecure_http: bool,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    user_agent: Option<String>,
    clock_offset_ms: i64,
    http_client: Option<reqwest::Client>,
    certificate_refresh_interval: Duration,
    certificates_new_path: Option<String>,
    webhook_freshness_window: Option<Duration>,
    max_response_bytes: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = match &self.credentials {
            None => "unset",
            Some(Ok(_)) => "[REDACTED]",
            Some(Err(_)) => "invalid",
        };
        f.debug_struct("ClientBuilder")
            .field("credentials", &credentials)
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("clock_offset_ms", &self.clock_offset_ms)
            .field("custom_http_client", &self.http_client.is_some())
            .field(
                "certificate_refresh_interval",
                &self.certificate_refresh_interval,
            )
            .field("certificates_new_path", &self.certificates_new_path)
            .field("webhook_freshness_window", &self.webhook_freshness_window)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            base_url: None,
            allow_insecure_http: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            deadline: Some(DEFAULT_DEADLINE),
            retry: RetryPolicy::default(),
            user_agent: None,
            clock_offset_ms: 0,
            http_client: None,
            certificate_refresh_interval: DEFAULT_CERTIFICATE_REFRESH_INTERVAL,
            certificates_new_path: None,
            webhook_freshness_window: Some(Duration::from_millis(
                binancepay_http::webhook::DEFAULT_FRESHNESS_WINDOW_MS,
            )),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl ClientBuilder {
    /// A builder with production defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with credentials from `BINANCEPAY_API_KEY` and `BINANCEPAY_API_SECRET`, and
    /// the base URL from `BINANCEPAY_BASE_URL` when it is set.
    ///
    /// ```no_run
    /// let client = binancepay_client::ClientBuilder::from_env()?.build()?;
    /// # Ok::<(), binancepay_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::MissingEnvVar`] naming the first required variable that is unset or
    /// empty; [`ConfigError::NonUnicodeEnvVar`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var_os(name))
    }

    /// Like [`from_env`](Self::from_env), reading the three variables through `get` (for
    /// configuration that comes from somewhere else than the process environment).
    ///
    /// ```
    /// use binancepay_client::{ClientBuilder, ConfigError, Error};
    ///
    /// let err = ClientBuilder::from_env_with(|name| match name {
    ///     "BINANCEPAY_API_KEY" => Some("abc123".into()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(matches!(err, Error::Config(ConfigError::MissingEnvVar { name: "BINANCEPAY_API_SECRET", .. })));
    /// assert!(err.to_string().contains("BINANCEPAY_API_SECRET is not set"));
    /// ```
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_env_with<F>(get: F) -> Result<Self, Error>
    where
        F: Fn(&str) -> Option<OsString>,
    {
        let read = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match get(name) {
                None => Ok(None),
                Some(value) => match value.into_string() {
                    Ok(text) if text.is_empty() => Ok(None),
                    Ok(text) => Ok(Some(text)),
                    Err(_) => Err(ConfigError::NonUnicodeEnvVar { name }),
                },
            }
        };
        let required = |name: &'static str, what: &'static str| {
            read(name)?.ok_or(ConfigError::MissingEnvVar { name, what })
        };
        let api_key = required(ENV_API_KEY, "API key")?;
        let api_secret = required(ENV_API_SECRET, "API secret")?;
        let mut builder = ClientBuilder::new().credentials(api_key, api_secret);
        if let Some(base_url) = read(ENV_BASE_URL)? {
            builder = builder.base_url(base_url);
        }
        Ok(builder)
    }

    /// The merchant API key (sent as `BinancePay-Certificate-SN`) and API secret (the HMAC
    /// key). Checked by [`build`](Self::build); the secret is zeroized on drop and never
    /// printed.
    #[must_use]
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        let key = ApiKey::new(api_key).map_err(CredentialError::Key);
        let secret = ApiSecret::new(api_secret).map_err(CredentialError::Secret);
        self.credentials = Some(key.and_then(|key| secret.map(|secret| (key, secret))));
        self
    }

    /// Sends requests to `base_url` instead of production (`https://bpay.binanceapi.com`).
    ///
    /// Plain `http://` is refused unless the host is loopback (`localhost`, `127.0.0.0/8`,
    /// `::1`) or [`allow_insecure_http`](Self::allow_insecure_http) is set.
    #[must_use]
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Allows plain `http://` to any host (e.g. a mock server in a container network).
    /// Signatures do not hide anything: never use this across an untrusted network.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Time to establish a connection (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time one attempt may take, answer included (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time a whole call may take, retries and waits included (default 30 s). An attempt's
    /// timeout is cut to what is left of it, and no retry is scheduled past it.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Removes the total deadline: only the per-attempt timeout and the retry policy bound a
    /// call.
    #[must_use]
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// How many attempts and which waits (default: 3 attempts, 200 ms to 5 s).
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default `binancepay-rs/<version>`).
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Milliseconds added to the system clock when signing (positive when this host's clock is
    /// behind Binance's). Binance refuses timestamps more than about 1 s off (`400003`).
    #[must_use]
    pub fn clock_offset_ms(mut self, offset_ms: i64) -> Self {
        self.clock_offset_ms = offset_ms;
        self
    }

    /// Uses this `reqwest::Client` (its pool, proxy and TLS settings) instead of building one.
    ///
    /// The connect timeout set here is then not applied. The client must never follow
    /// redirects, or it would resend the signed headers to whatever host a redirect names:
    /// build it with `redirect(reqwest::redirect::Policy::none())`, otherwise
    /// [`build`](Self::build) fails with [`ConfigError::RedirectingHttpClient`]. Any 3xx answer
    /// is then an [`Error::Redirected`](crate::Error::Redirected).
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Where the new platform certificates are fetched (the list of keys for webhooks'
    /// `BinancePay-Signature-New`), instead of the spec's `/binancepay/openapi/certificates/new`.
    /// Binance's page does not show that path in a form the project could read, so it is a
    /// guess (see the `QueryCertificatesNewRequest` docs): set the documented one here if it
    /// differs. It must start with `/binancepay/openapi/` and carry no query.
    #[must_use]
    pub fn certificates_new_path(mut self, path: impl Into<String>) -> Self {
        self.certificates_new_path = Some(path.into());
        self
    }

    /// Minimum time between two certificate fetches caused by webhooks with an unknown
    /// certificate serial (default 60 s), so forged serials cannot make the client hammer
    /// the certificates endpoint. `Duration::ZERO` refetches on every unknown serial (still
    /// one fetch shared by concurrent webhooks). Each list (the certificates and the new
    /// platform certificates) has its own interval.
    #[must_use]
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.certificate_refresh_interval = interval;
        self
    }

    /// How far a webhook's timestamp may be from now (default 5 minutes); `None` accepts any
    /// age (only with your own replay defence).
    #[must_use]
    pub fn webhook_freshness_window(mut self, window: Option<Duration>) -> Self {
        self.webhook_freshness_window = window;
        self
    }

    /// Largest response body read (default 4 MiB); a larger answer is an error.
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] with [`ConfigError::MissingCredentials`],
    /// [`ConfigError::InvalidApiKey`] / [`ConfigError::InvalidApiSecret`],
    /// [`ConfigError::UnparsableBaseUrl`], [`ConfigError::InsecureHttp`],
    /// [`ConfigError::ZeroDuration`], [`ConfigError::Request`] (base URL or User-Agent
    /// rules of `binancepay-http`) or [`ConfigError::HttpClient`].
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client::from_inner(Arc::new(self.into_inner()?)))
    }

    pub(crate) fn into_inner(self) -> Result<Inner, ConfigError> {
        // Clamped here so that no later `Instant + duration` can overflow.
        let clamp = |d: Duration| d.min(MAX_DURATION);
        let (api_key, api_secret) = match self.credentials {
            None => return Err(ConfigError::MissingCredentials),
            Some(Err(CredentialError::Key(e))) => return Err(ConfigError::InvalidApiKey(e)),
            Some(Err(CredentialError::Secret(e))) => return Err(ConfigError::InvalidApiSecret(e)),
            Some(Ok(credentials)) => credentials,
        };
        for (setting, value) in [
            ("connect_timeout", Some(self.connect_timeout)),
            ("timeout", Some(self.timeout)),
            ("deadline", self.deadline),
        ] {
            if value.is_some_and(|v| v.is_zero()) {
                return Err(ConfigError::ZeroDuration { setting });
            }
        }
        if let Some(path) = &self.certificates_new_path {
            let valid = path.starts_with(binancepay_http::OPENAPI_PATH_PREFIX)
                && path.len() > binancepay_http::OPENAPI_PATH_PREFIX.len()
                && path
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#');
            if !valid {
                return Err(ConfigError::InvalidPath {
                    setting: "certificates_new_path",
                    path: path.chars().take(64).collect(),
                });
            }
        }
        let base_url = self.base_url.as_deref().unwrap_or(PRODUCTION_BASE_URL);
        check_scheme(base_url, self.allow_insecure_http)?;
        let mut requests = RequestBuilder::new(api_key, &api_secret)
            .map_err(ConfigError::Request)?
            .with_base_url(base_url)
            .map_err(ConfigError::Request)?;
        if let Some(user_agent) = &self.user_agent {
            requests = requests
                .with_user_agent(user_agent)
                .map_err(ConfigError::Request)?;
        }
        let http = match self.http_client {
            Some(client) if follows_redirects(&client) => {
                return Err(ConfigError::RedirectingHttpClient);
            }
            Some(client) => client,
            None => default_http_client(clamp(self.connect_timeout))?,
        };
        let window_ms = self
            .webhook_freshness_window
            .map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
        Ok(Inner {
            http,
            requests,
            clock: Clock::with_offset_ms(self.clock_offset_ms),
            timeout: clamp(self.timeout),
            deadline: self.deadline.map(clamp),
            retry: self.retry.clamped(MAX_DURATION),
            max_response_bytes: self.max_response_bytes,
            certificates: CertificateCache::new(
                clamp(self.certificate_refresh_interval),
                window_ms,
            ),
            certificates_new_path: self.certificates_new_path,
        })
    }
}

/// reqwest with redirects off (a signed request must go where it was signed for), our own
/// retries only, and the chosen TLS backend.
fn default_http_client(connect_timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60));
    // With both TLS features on, rustls (the default) wins.
    #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
    let builder = builder.tls_backend_native();
    #[cfg(feature = "rustls")]
    let builder = builder.tls_backend_rustls();
    builder.build().map_err(ConfigError::HttpClient)
}

/// Whether a caller's `reqwest::Client` may follow a redirect. reqwest offers no accessor for the
/// policy; its `Debug` output names a policy other than the default (which follows up to 10
/// redirects), so only `Policy::none()` and `Policy::limited(0)` pass. A reqwest release that
/// prints it differently makes every caller's client fail here, never pass silently (a test
/// pins the accepted form).
fn follows_redirects(client: &reqwest::Client) -> bool {
    let shown = format!("{client:?}");
    !(shown.contains(r#"redirect_policy: "Policy(None)""#)
        || shown.contains(r#"redirect_policy: "Policy(Limit(0))""#))
}

/// Refuses plain `http://` except to loopback hosts, unless explicitly allowed.
fn check_scheme(base_url: &str, allow_insecure_http: bool) -> Result<(), ConfigError> {
    let url = reqwest::Url::parse(base_url).map_err(|_| ConfigError::UnparsableBaseUrl {
        url: base_url.chars().take(64).collect(),
    })?;
    if url.scheme() != "http" || allow_insecure_http {
        // Other schemes are refused by binancepay-http with the rule spelled out.
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    // The URL parser has already normalised IP literals; IPv6 keeps its brackets.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if loopback {
        Ok(())
    } else {
        Err(ConfigError::InsecureHttp {
            host: host.chars().take(64).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_clients_that_never_follow_redirects_are_taken() {
        let build = |policy| {
            reqwest::Client::builder()
                .redirect(policy)
                .build()
                .map_err(|e| e.to_string())
        };
        let none = build(reqwest::redirect::Policy::none());
        assert!(matches!(&none, Ok(c) if !follows_redirects(c)), "{none:?}");
        let zero = build(reqwest::redirect::Policy::limited(0));
        assert!(matches!(&zero, Ok(c) if !follows_redirects(c)), "{zero:?}");
        for policy in [
            reqwest::redirect::Policy::default(),
            reqwest::redirect::Policy::limited(3),
            reqwest::redirect::Policy::custom(|attempt| attempt.stop()),
        ] {
            let client = build(policy);
            assert!(
                matches!(&client, Ok(c) if follows_redirects(c)),
                "{client:?}"
            );
        }
        let own = default_http_client(Duration::from_secs(1)).map_err(|e| e.to_string());
        assert!(matches!(&own, Ok(c) if !follows_redirects(c)), "{own:?}");
    }

    proptest! {
        #[test]
        fn the_scheme_check_never_panics(url in "\\PC{0,64}", allow in any::<bool>()) {
            let _ = check_scheme(&url, allow);
        }

        #[test]
        fn loopback_ipv4_is_always_allowed(b in 0u8.., c in 0u8.., d in 0u8.., port in 1u16..) {
            let url = format!("http://127.{b}.{c}.{d}:{port}/mock");
            prop_assert!(check_scheme(&url, false).is_ok());
        }

    }

    proptest! {
        // Each case builds a reqwest client (TLS set-up included): keep the count small.
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn env_values_are_taken_as_given(key in "[A-Za-z0-9]{1,64}", secret in "\\PC{1,64}") {
            let built = ClientBuilder::from_env_with(|name| match name {
                ENV_API_KEY => Some(key.clone().into()),
                ENV_API_SECRET => Some(secret.clone().into()),
                _ => None,
            })
            .and_then(ClientBuilder::build);
            prop_assert!(built.is_ok(), "{:?}", built.err());
        }
    }

    #[test]
    fn http_is_allowed_for_loopback_only() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:1",
            "http://LOCALHOST",
            "http://[::1]:8080/mock",
            "https://bpay.binanceapi.com",
            "https://10.0.0.1",
        ] {
            assert!(check_scheme(ok, false).is_ok(), "{ok} refused");
        }
        for bad in [
            "http://bpay.binanceapi.com",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "http://[::2]",
            "http://0.0.0.0:80",
        ] {
            assert!(
                matches!(
                    check_scheme(bad, false),
                    Err(ConfigError::InsecureHttp { .. })
                ),
                "{bad} accepted"
            );
            assert!(check_scheme(bad, true).is_ok());
        }
        assert!(matches!(
            check_scheme("not a url", false),
            Err(ConfigError::UnparsableBaseUrl { .. })
        ));
    }
}
