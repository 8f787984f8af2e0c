//! [`ClientBuilder`]: credentials, base URL, timeouts, retries and the HTTP client.

use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
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
///
/// # Connection pool
///
/// Clients built without [`http_client`](Self::http_client) and with the same
/// [`connect_timeout`](Self::connect_timeout) share one process-wide `reqwest::Client`, and so
/// one connection pool: building many of them (one per merchant key, say) costs neither a pool
/// nor a TLS set-up each, and they reuse each other's open connections. The pool is kept for
/// the life of the process, its idle connections closed after 60 s.
///
/// A pooled connection is driven by the Tokio runtime that opened it. A program that runs
/// several runtimes which are not all running all the time (e.g. a `current_thread` runtime per
/// thread or per task) should give the clients of each runtime their own pool with
/// [`http_client`](Self::http_client). The blocking client (feature `blocking`) always has a
/// pool of its own, on its private runtime.
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
    /// Build a connection pool for this client alone instead of sharing the default one.
    own_pool: bool,
    certificate_refresh_interval: Duration,
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
            .field("own_pool", &self.own_pool)
            .field(
                "certificate_refresh_interval",
                &self.certificate_refresh_interval,
            )
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
            own_pool: false,
            certificate_refresh_interval: DEFAULT_CERTIFICATE_REFRESH_INTERVAL,
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

    /// Time to establish a connection (default 5 s). Clients with the same value share their
    /// default connection pool (see [Connection pool](Self#connection-pool)).
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

    /// Uses this `reqwest::Client` (its pool, proxy and TLS settings) instead of the shared
    /// default one (see [Connection pool](Self#connection-pool)).
    ///
    /// The connect timeout set here is then not applied, and the client's own redirect
    /// policy is used: build it with `redirect(reqwest::redirect::Policy::none())` so that a
    /// signed request is never sent to another URL.
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Gives the client a connection pool of its own rather than the shared default one (the
    /// blocking client's connections live on its private runtime, which ends with it).
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    pub(crate) fn own_pool(mut self) -> Self {
        self.own_pool = true;
        self
    }

    /// Minimum time between two certificate fetches caused by webhooks with an unknown
    /// certificate serial (default 60 s), so forged serials cannot make the client hammer
    /// the certificates endpoint. `Duration::ZERO` refetches on every unknown serial (still
    /// one fetch shared by concurrent webhooks).
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
            Some(client) => client,
            None if self.own_pool => default_http_client(self.connect_timeout)?,
            None => shared_http_client(self.connect_timeout)?,
        };
        let window_ms = self
            .webhook_freshness_window
            .map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
        Ok(Inner {
            http,
            requests,
            clock: Clock::with_offset_ms(self.clock_offset_ms),
            timeout: self.timeout,
            deadline: self.deadline,
            retry: self.retry,
            max_response_bytes: self.max_response_bytes,
            certificates: CertificateCache::new(self.certificate_refresh_interval, window_ms),
        })
    }
}

/// How many distinct default HTTP clients are kept for sharing; clients asking for yet another
/// connect timeout get a pool of their own, so odd settings cannot grow the cache without end.
const SHARED_HTTP_CLIENTS: usize = 8;

/// The default HTTP clients built so far, one per connect timeout (the only setting that goes
/// into them besides the TLS backend, which is fixed at compile time). A `reqwest::Client` is
/// an `Arc` inside: every `Client` handed a clone shares its connection pool.
static DEFAULT_HTTP_CLIENTS: Mutex<Vec<(Duration, reqwest::Client)>> = Mutex::new(Vec::new());

/// The process-wide default HTTP client for `connect_timeout`, built on first use.
fn shared_http_client(connect_timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    // The cache holds only finished clients, so a panic elsewhere cannot leave it half-written.
    let mut cache = DEFAULT_HTTP_CLIENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, client)) = cache
        .iter()
        .find(|(timeout, _)| *timeout == connect_timeout)
    {
        return Ok(client.clone());
    }
    // Built under the lock: clients built at the same time still end up with one pool.
    let client = default_http_client(connect_timeout)?;
    if cache.len() < SHARED_HTTP_CLIENTS {
        cache.push((connect_timeout, client.clone()));
    }
    Ok(client)
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
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    /// An HTTP/1.1 server on loopback answering every request with a SUCCESS envelope on a
    /// kept-alive connection; returns its address and the count of connections it accepted.
    async fn counting_server() -> (String, Arc<AtomicUsize>) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut buffer = [0u8; 4096];
                    loop {
                        let Ok(read) = socket.read(&mut buffer).await else {
                            return;
                        };
                        if read == 0 {
                            return;
                        }
                        seen.extend_from_slice(&buffer[..read]);
                        let text = String::from_utf8_lossy(&seen).into_owned();
                        let Some(end) = text.find("\r\n\r\n") else {
                            continue;
                        };
                        let length = text[..end]
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if seen.len() < end + 4 + length {
                            continue;
                        }
                        seen.drain(..end + 4 + length);
                        let body = r#"{"status":"SUCCESS","code":"000000","data":{}}"#;
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{address}"), accepted)
    }

    #[tokio::test]
    async fn default_clients_with_the_same_settings_share_one_pool() {
        let (base_url, accepted) = counting_server().await;
        // A connect timeout no other test uses, so the pool is this test's alone.
        let builder = ClientBuilder::new()
            .credentials("abc123", "secret")
            .base_url(&base_url)
            .connect_timeout(Duration::from_millis(4_321));
        let body = serde_json::json!({"merchantTradeNo": "A1"});
        let path = "/binancepay/openapi/v2/order/query";
        for _ in 0..2 {
            let client = builder.clone().build().expect("client");
            client.execute_raw(path, &body).await.expect("answer");
        }
        // The second client found the first one's idle connection.
        assert_eq!(accepted.load(Ordering::SeqCst), 1);

        let own = builder.clone().own_pool().build().expect("client");
        own.execute_raw(path, &body).await.expect("answer");
        assert_eq!(accepted.load(Ordering::SeqCst), 2);

        let other = builder
            .connect_timeout(Duration::from_millis(4_322))
            .build()
            .expect("client");
        other.execute_raw(path, &body).await.expect("answer");
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn the_cache_keeps_one_client_per_connect_timeout() {
        let timeout = Duration::from_millis(4_323);
        for _ in 0..3 {
            shared_http_client(timeout).expect("client");
        }
        let cache = DEFAULT_HTTP_CLIENTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        assert_eq!(cache.iter().filter(|(t, _)| *t == timeout).count(), 1);
        assert!(cache.len() <= SHARED_HTTP_CLIENTS);
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
