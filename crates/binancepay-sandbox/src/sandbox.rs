//! Configuring, starting and stopping a sandbox.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use binancepay_http::RequestBuilder;
use binancepay_sign::webhook::WebhookSigningKey;
use binancepay_sign::{ApiKey, ApiSecret, RequestSigner};
use binancepay_types::Amount;
use binancepay_types::enums::Wallet;
use md5::{Digest, Md5};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Error;
use crate::api::Api;
use crate::api::wallet::{WalletKind, Wallets};
use crate::clock::Clock;
use crate::context::Config;
use crate::credentials::{GENERATED_LEN, SecretText, generate_token};
use crate::faults::{FaultPlan, FaultState};
use crate::guard::Guard;
use crate::money::to_units;
use crate::requests::RequestCounts;
use crate::server::{Shared, serve};
use crate::state::{State, StateCounts};
use crate::webhooks::{DeliveryStatus, Outbox, RetryPolicy, WebhookDelivery};

/// The documented request time window (reference §2.3: "within 1s").
pub const DEFAULT_TIME_WINDOW: Duration = Duration::from_secs(1);
/// Size of a generated webhook key.
pub const DEFAULT_KEY_BITS: usize = 2048;
/// Retries after the first delivery attempt, as Binance documents.
pub const DEFAULT_MAX_RETRIES: u32 = 6;

/// Entry point: `Sandbox::builder()`.
///
/// See the [crate documentation](crate) for a complete example.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with every default: `127.0.0.1:0`, generated credentials, a generated
    /// 2048-bit webhook key, the documented 1 s window, no default webhook URL.
    #[must_use]
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

#[derive(Clone)]
enum KeySource {
    Generate(usize),
    Pem(SecretText),
    File(PathBuf),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generate(bits) => write!(f, "Generate({bits} bits)"),
            Self::Pem(_) => f.write_str("Pem([REDACTED])"),
            Self::File(path) => write!(f, "File({path:?})"),
        }
    }
}

/// Settings of a sandbox; every one has a default. Secrets are redacted in `Debug`.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    listen: SocketAddr,
    allow_remote: bool,
    allowed_hosts: Vec<String>,
    api_key: Option<String>,
    api_secret: Option<SecretText>,
    webhook_url: Option<String>,
    time_window: Duration,
    key: KeySource,
    retry_base_delay: Duration,
    max_retries: u32,
    delivery_timeout: Duration,
    shutdown_timeout: Duration,
    order_expiry: Duration,
    quote_ttl: Duration,
    manual_refunds: bool,
    share_payer_detail: bool,
    technical_service_provider: bool,
    tsp_merchants: Vec<String>,
    deduplicate_request_ids: bool,
    faults: FaultPlan,
    balances: Vec<(Wallet, String, Amount)>,
    rotation_keys: Vec<SecretText>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            allow_remote: false,
            allowed_hosts: Vec::new(),
            api_key: None,
            api_secret: None,
            webhook_url: None,
            time_window: DEFAULT_TIME_WINDOW,
            key: KeySource::Generate(DEFAULT_KEY_BITS),
            retry_base_delay: Duration::from_secs(1),
            max_retries: DEFAULT_MAX_RETRIES,
            delivery_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
            order_expiry: Duration::from_secs(3600),
            quote_ttl: Duration::from_secs(10),
            manual_refunds: false,
            share_payer_detail: false,
            technical_service_provider: true,
            tsp_merchants: Vec::new(),
            deduplicate_request_ids: true,
            faults: FaultPlan::default(),
            balances: Vec::new(),
            rotation_keys: Vec::new(),
        }
    }
}

impl SandboxBuilder {
    /// Where to listen (default `127.0.0.1:0`, an ephemeral port; read it back with
    /// [`RunningSandbox::addr`]). A loopback address unless [`allow_remote`](Self::allow_remote).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Allows a [`listen`](Self::listen) address other than loopback, and control requests
    /// addressed to any IP address (default: refused). Anyone who can reach the port can then
    /// pay orders, move the clock and make the sandbox POST to any URL.
    #[must_use]
    pub fn allow_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// A host name (besides `localhost` and IP addresses) under which the control API answers,
    /// e.g. the name a remote team uses with [`allow_remote`](Self::allow_remote). Any other
    /// name in `Host` is refused, which is what stops DNS rebinding.
    #[must_use]
    pub fn allowed_host(mut self, name: impl Into<String>) -> Self {
        self.allowed_hosts.push(name.into());
        self
    }

    /// The API key merchants must send (default: 64 random lower-case letters and digits).
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API secret requests are signed with (default: 64 random lower-case letters and digits).
    #[must_use]
    pub fn api_secret(mut self, secret: impl Into<String>) -> Self {
        self.api_secret = Some(SecretText::new(secret.into()));
        self
    }

    /// Where webhooks go when the request named no `webhookUrl` (default: nowhere; they are
    /// recorded with status `NO_URL`).
    #[must_use]
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// How far `BinancePay-Timestamp` may be from the sandbox host's clock, either way.
    ///
    /// The default is the documented 1 s. Client and sandbox usually share a host, so the skew
    /// is close to zero; widen it only to test clients that run elsewhere.
    #[must_use]
    pub fn time_window(mut self, window: Duration) -> Self {
        self.time_window = window;
        self
    }

    /// Signs webhooks with this RSA private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1
    /// `BEGIN RSA PRIVATE KEY` PEM) instead of generating one at start.
    #[must_use]
    pub fn webhook_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.key = KeySource::Pem(SecretText::new(pem.into()));
        self
    }

    /// Reads the webhook key PEM from a file at start.
    #[must_use]
    pub fn webhook_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.key = KeySource::File(path.into());
        self
    }

    /// Generates the webhook key with this many bits (default 2048; 1024 to 4096 accepted).
    #[must_use]
    pub fn webhook_key_bits(mut self, bits: usize) -> Self {
        self.key = KeySource::Generate(bits);
        self
    }

    /// The key the next certificate rotation (`POST /sandbox/certificates/rotate`,
    /// [`RunningSandbox::rotate_certificate`]) signs with, instead of generating one (PKCS#8 or
    /// PKCS#1 PEM); call it again to queue keys for later rotations. Rotations beyond the queue
    /// generate a key of the webhook key's size ([`webhook_key_bits`](Self::webhook_key_bits),
    /// default 2048), which is slow in debug builds.
    #[must_use]
    pub fn rotation_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.rotation_keys.push(SecretText::new(pem.into()));
        self
    }

    /// The wait before the first webhook retry; each further retry waits twice as long
    /// (default 1 s). Keep it short in tests.
    #[must_use]
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// Retries after the first delivery attempt (default 6, as documented; at most 20).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Time allowed for one delivery attempt (default 10 s).
    #[must_use]
    pub fn delivery_timeout(mut self, timeout: Duration) -> Self {
        self.delivery_timeout = timeout;
        self
    }

    /// How long [`RunningSandbox::shutdown`] waits for in-flight requests, and then again for
    /// webhook deliveries (default 10 s each).
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Lifetime of orders created without `orderExpireTime` (default 1 hour).
    #[must_use]
    pub fn order_expiry(mut self, expiry: Duration) -> Self {
        self.order_expiry = expiry;
        self
    }

    /// Lifetime of convert quotes (default 10 s).
    #[must_use]
    pub fn quote_ttl(mut self, ttl: Duration) -> Self {
        self.quote_ttl = ttl;
        self
    }

    /// Leaves refunds REFUND_PENDING (order REFUNDING) until the control API completes or
    /// rejects them (default: refunds succeed at once).
    #[must_use]
    pub fn manual_refunds(mut self, manual: bool) -> Self {
        self.manual_refunds = manual;
        self
    }

    /// Treats the merchant as approved for data sharing (default `false`): PAY webhooks and
    /// order queries of paid orders carry the simulated payer's data as
    /// `paymentInfo.payerDetail`, encrypted as Binance does (AES-256-GCM under SHA-256 of the API
    /// secret, a random IV each time), so a client's decryption can be tested end to end.
    #[must_use]
    pub fn share_payer_detail(mut self, share: bool) -> Self {
        self.share_payer_detail = share;
        self
    }

    /// Whether the sandbox's merchant is a Technical Service Provider (default `true`, so the
    /// TSP endpoints work out of the box). With `false` they answer 400606
    /// MERCHANT_ACCESS_FORBIDDEN, as Binance does for a merchant without TSP access.
    #[must_use]
    pub fn technical_service_provider(mut self, tsp: bool) -> Self {
        self.technical_service_provider = tsp;
        self
    }

    /// Adds a merchant id the TSP endpoints know (they answer 406210 INVALID_MERCHANT_ID for
    /// others). Known from the start: the sandbox's own merchant id and the pages' sample
    /// merchants `merchant1` and `merchant2`.
    #[must_use]
    pub fn tsp_merchant(mut self, merchant_id: impl Into<String>) -> Self {
        self.tsp_merchants.push(merchant_id.into());
        self
    }

    /// Whether a repeated `requestId` of a payout (`payout/transfer`) or a wallet transfer
    /// answers the first result without acting again (default `true`). Binance does not document
    /// what it does; `false` makes every repeat pay again, the worst case, to test that a client
    /// never resends one blindly.
    #[must_use]
    pub fn deduplicate_request_ids(mut self, deduplicate: bool) -> Self {
        self.deduplicate_request_ids = deduplicate;
        self
    }

    /// Fault injection from the start (default: none).
    #[must_use]
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// Sets one starting balance (the defaults are a million USDT and USDC, 100k FDUSD,
    /// 1000 BNB, 10 BTC and 100 ETH in each wallet).
    #[must_use]
    pub fn balance(mut self, wallet: Wallet, asset: impl Into<String>, amount: Amount) -> Self {
        self.balances.push((wallet, asset.into(), amount));
        self
    }

    /// Validates the settings, prepares credentials and the webhook key, binds the address and
    /// starts serving. Connections are accepted as soon as this returns.
    ///
    /// Generating a 2048-bit key takes about a second in release builds and much longer in
    /// debug builds; tests should load a key with [`SandboxBuilder::webhook_key_pem`].
    ///
    /// # Errors
    /// [`Error::InvalidApiKey`], [`Error::InvalidApiSecret`], [`Error::InvalidWebhookUrl`],
    /// [`Error::InvalidSetting`], [`Error::KeyFile`], [`Error::Key`], [`Error::Rng`],
    /// [`Error::HttpClient`] or [`Error::Bind`], naming what is wrong.
    pub async fn start(self) -> Result<RunningSandbox, Error> {
        if !self.listen.ip().is_loopback() && !self.allow_remote {
            return Err(Error::InvalidSetting {
                setting: "listen",
                rule: format!(
                    "{} is not a loopback address; use 127.0.0.1 or [::1], or allow_remote(true)",
                    self.listen
                ),
            });
        }
        if self.max_retries > 20 {
            return Err(Error::InvalidSetting {
                setting: "max_retries",
                rule: "at most 20".to_owned(),
            });
        }
        if self.delivery_timeout.is_zero() {
            return Err(Error::InvalidSetting {
                setting: "delivery_timeout",
                rule: "must be above zero".to_owned(),
            });
        }
        let window_ms = u64::try_from(self.time_window.as_millis()).unwrap_or(u64::MAX);
        let api_key = match self.api_key {
            Some(key) => key,
            None => generate_token(GENERATED_LEN)?,
        };
        let api_key_checked = ApiKey::new(api_key.clone()).map_err(|_| Error::InvalidApiKey)?;
        let secret = match self.api_secret {
            Some(secret) => secret,
            None => SecretText::new(generate_token(GENERATED_LEN)?),
        };
        let api_secret = ApiSecret::new(secret.expose()).map_err(|_| Error::InvalidApiSecret)?;
        if let Some(url) = &self.webhook_url {
            check_url(url)?;
        }
        let mut wallets = Wallets::seeded();
        for (wallet, asset, amount) in &self.balances {
            let kind = match wallet {
                Wallet::FundingWallet => WalletKind::Funding,
                Wallet::SpotWallet => WalletKind::Spot,
                _ => {
                    return Err(Error::InvalidSetting {
                        setting: "balance",
                        rule: format!("wallet {wallet} is not FUNDING_WALLET or SPOT_WALLET"),
                    });
                }
            };
            wallets.set_units(kind, asset, to_units(amount));
        }
        self.faults
            .validate()
            .map_err(|rule| Error::InvalidSetting {
                setting: "faults",
                rule,
            })?;

        let rotation_bits = match &self.key {
            KeySource::Generate(bits) => *bits,
            _ => DEFAULT_KEY_BITS,
        };
        let key = load_key(self.key).await?;
        let pem = key.public_key_pem();
        let serial = certificate_serial(&pem);
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Error::HttpClient)?;
        let outbox = Arc::new(
            Outbox::new(
                key,
                serial.clone(),
                self.webhook_url,
                client,
                RetryPolicy {
                    base_delay: self.retry_base_delay,
                    max_retries: self.max_retries,
                    attempt_timeout: self.delivery_timeout,
                },
            )
            .with_rotation(self.rotation_keys, rotation_bits),
        );

        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: self.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: self.listen,
            source,
        })?;
        let base_url = format!("http://{addr}");
        let config = Config {
            order_expiry_ms: u64::try_from(self.order_expiry.as_millis()).unwrap_or(u64::MAX),
            quote_ttl_ms: u64::try_from(self.quote_ttl.as_millis()).unwrap_or(u64::MAX),
            base_url: base_url.clone(),
            cert_serial: serial,
            cert_public: pem,
            technical_service_provider: self.technical_service_provider,
            tsp_merchants: crate::api::tsp::known_merchants(self.tsp_merchants),
        };
        let mut state = State::new(wallets, self.manual_refunds);
        state.deduplicate_request_ids = self.deduplicate_request_ids;
        if self.share_payer_detail {
            state.payer_detail_secret = Some(api_secret.clone());
        }
        let api = Api::new(
            state,
            config,
            Clock::new(),
            outbox,
            (api_key_checked, RequestSigner::new(&api_secret)),
            window_ms,
        );
        let guard = Guard::new(
            SecretText::new(generate_token(GENERATED_LEN)?),
            self.allow_remote,
            self.allowed_hosts,
        );
        let shared = Arc::new(Shared::new(api, FaultState::new(self.faults), guard));
        let (stop, stopped) = watch::channel(false);
        let server = tokio::spawn(serve(
            listener,
            Arc::clone(&shared),
            stopped,
            self.shutdown_timeout,
        ));
        Ok(RunningSandbox {
            addr,
            base_url,
            api_key,
            api_secret: secret,
            shared,
            stop,
            server: Some(server),
            shutdown_timeout: self.shutdown_timeout,
        })
    }
}

fn check_url(url: &str) -> Result<(), Error> {
    let ok = url.parse::<http::Uri>().ok().is_some_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidWebhookUrl {
            url: url.chars().take(64).collect(),
        })
    }
}

/// One rotation of the new platform certificate: list the key first, then sign with it, so a
/// webhook carrying the new serial always finds it on a fresh fetch.
pub(crate) async fn rotate(api: &Api) -> Result<binancepay_types::certificate::Certificate, Error> {
    let source = match api.outbox().next_rotation_key() {
        (Some(pem), _) => KeySource::Pem(pem),
        (None, bits) => KeySource::Generate(bits),
    };
    let key = load_key(source).await?;
    let pem = key.public_key_pem();
    let serial = certificate_serial(&pem);
    let certificate = binancepay_types::certificate::Certificate::new(serial.clone(), pem);
    let listed = certificate.clone();
    api.with_state(|state, _| state.new_certificates.insert(0, listed));
    api.outbox().set_new_signer(crate::webhooks::NewSigner {
        key: Arc::new(key),
        serial,
    });
    Ok(certificate)
}

async fn load_key(source: KeySource) -> Result<WebhookSigningKey, Error> {
    let pem = match source {
        KeySource::Generate(bits) => {
            // Key generation is seconds of CPU: keep it off the async workers.
            let generated = tokio::task::spawn_blocking(move || {
                WebhookSigningKey::generate(&mut rand_core::OsRng, bits).map_err(Error::Key)
            })
            .await
            // The blocking task only fails if it panicked or the runtime is shutting down.
            .map_err(|_| Error::Key(binancepay_sign::Error::PrivateKey))?;
            return generated;
        }
        KeySource::Pem(pem) => pem,
        // A key file is a few kilobytes: reading it blocking is fine.
        KeySource::File(path) => match std::fs::read_to_string(&path) {
            Ok(text) => SecretText::new(text),
            Err(source) => return Err(Error::KeyFile { path, source }),
        },
    };
    let text = pem.expose();
    if text.contains("BEGIN RSA PRIVATE KEY") {
        WebhookSigningKey::from_pkcs1_pem(text).map_err(Error::Key)
    } else {
        WebhookSigningKey::from_pkcs8_pem(text).map_err(Error::Key)
    }
}

/// `certSerial`: lower-case hex MD5 of the public key PEM. The docs call the serial "MD5 hash
/// value of public key" without saying of which encoding; this follows the one SDK that guessed.
pub(crate) fn certificate_serial(pem: &str) -> String {
    Md5::digest(pem.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A sandbox that is serving. Dropping it stops the server and abandons undelivered webhooks
/// without waiting; prefer [`RunningSandbox::shutdown`], which drains requests and webhooks.
pub struct RunningSandbox {
    addr: SocketAddr,
    base_url: String,
    api_key: String,
    api_secret: SecretText,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    shutdown_timeout: Duration,
}

impl fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("addr", &self.addr)
            .field("api_key", &self.api_key)
            .field("api_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`: the base URL for clients (Binance paths and `/sandbox/` both live there).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API key requests must carry in `BinancePay-Certificate-SN`.
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The API secret in clear text, so a CLI can print a generated secret **once** at start
    /// (Binance too shows a secret only once). Do not log it.
    #[must_use]
    pub fn api_secret(&self) -> &str {
        self.api_secret.expose()
    }

    /// The control token: a `POST` to the control API that is not `Content-Type:
    /// application/json` (a form, say) must carry it in `X-Sandbox-Token` or as the query
    /// parameter `token`. Tools that send JSON, the dashboard and the checkout page (same-origin
    /// JSON requests) do not need it.
    #[must_use]
    pub fn control_token(&self) -> &str {
        self.shared.guard.token()
    }

    /// A request builder signing with the sandbox's credentials and pointing at it.
    ///
    /// # Errors
    /// [`Error::RequestBuilder`] (not expected: the credentials were validated at start).
    pub fn request_builder(&self) -> Result<RequestBuilder, Error> {
        let key = ApiKey::new(self.api_key.clone()).map_err(|_| Error::InvalidApiKey)?;
        let secret =
            ApiSecret::new(self.api_secret.expose()).map_err(|_| Error::InvalidApiSecret)?;
        RequestBuilder::new(key, &secret)
            .and_then(|b| b.with_base_url(&self.base_url))
            .map_err(Error::RequestBuilder)
    }

    /// The sandbox clock (business time; see [`Clock`]).
    #[must_use]
    pub fn clock(&self) -> &Clock {
        self.shared.api.clock()
    }

    /// `certSerial` of the webhook key, sent as `BinancePay-Certificate-SN` on webhooks.
    #[must_use]
    pub fn certificate_serial(&self) -> String {
        self.shared.api.outbox().serial().to_owned()
    }

    /// The webhook public key, PEM (what `/binancepay/openapi/certificates` serves).
    #[must_use]
    pub fn webhook_public_key_pem(&self) -> String {
        self.shared.api.outbox().public_key_pem()
    }

    /// Rotates Binance's new platform certificate, as `POST /sandbox/certificates/rotate`
    /// does: a new key (the next [`SandboxBuilder::rotation_key_pem`], else a generated one)
    /// is listed by the new certificates endpoint, then every later webhook attempt carries
    /// `BinancePay-Certificate-SN-New` and `BinancePay-Signature-New` made with it, next to
    /// the usual pair. Returns the new certificate.
    ///
    /// # Errors
    /// [`Error::Key`] when the queued PEM does not parse or generation fails.
    pub async fn rotate_certificate(
        &self,
    ) -> Result<binancepay_types::certificate::Certificate, Error> {
        rotate(&self.shared.api).await
    }

    /// What the new certificates endpoint serves: one certificate per rotation, newest first
    /// (empty before any rotation).
    #[must_use]
    pub fn new_certificates(&self) -> Vec<binancepay_types::certificate::Certificate> {
        self.shared
            .api
            .with_state(|state, _| state.new_certificates.clone())
    }

    /// Every webhook produced so far and how its delivery went.
    #[must_use]
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.api.outbox().deliveries()
    }

    /// How many objects of each kind the sandbox holds.
    #[must_use]
    pub fn state_counts(&self) -> StateCounts {
        let now = self.clock().now_ms();
        self.shared.api.with_state(|state, _| state.counts(now))
    }

    /// How many requests reached each Binance path (faulted ones included), e.g. how often a
    /// client fetched `/binancepay/openapi/certificates`.
    #[must_use]
    pub fn request_counts(&self) -> RequestCounts {
        self.shared.requests.counts()
    }

    /// The `BinancePay-Signature` values of the latest requests (at most 1024, oldest first),
    /// so a test can check that no signature its client sent turns up in its logs.
    #[must_use]
    pub fn recent_signatures(&self) -> Vec<String> {
        self.shared.requests.signatures()
    }

    /// Replaces the fault plan (restarting its random sequence from the plan's seed).
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] naming the broken rule of the plan.
    pub fn set_faults(&self, plan: FaultPlan) -> Result<(), Error> {
        plan.validate().map_err(|rule| Error::InvalidSetting {
            setting: "faults",
            rule,
        })?;
        *self.shared.lock_faults() = FaultState::new(plan);
        Ok(())
    }

    /// Stops accepting connections, lets in-flight requests finish, then gives pending webhooks
    /// until the shutdown timeout (retrying at once instead of backing off) and reports those
    /// still undelivered.
    pub async fn shutdown(mut self) -> ShutdownReport {
        self.stop.send_replace(true);
        if let Some(server) = self.server.take() {
            // The server bounds its own drain; the margin covers scheduling.
            let _ =
                tokio::time::timeout(self.shutdown_timeout + Duration::from_secs(1), server).await;
        }
        let deadline = tokio::time::Instant::now() + self.shutdown_timeout;
        let pending = self.shared.api.outbox().drain(deadline).await;
        let deliveries = self.shared.api.outbox().deliveries();
        ShutdownReport {
            pending_webhooks: pending,
            deliveries,
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        // Delivery tasks hold the outbox; stopping them frees it and ends the retries.
        self.shared.api.outbox().abort();
    }
}

/// What [`RunningSandbox::shutdown`] left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Webhooks still undelivered when the shutdown timeout ran out.
    pub pending_webhooks: Vec<WebhookDelivery>,
    /// Every webhook produced, with its final status.
    pub deliveries: Vec<WebhookDelivery>,
}

impl ShutdownReport {
    /// Whether every webhook with a URL reached a final status (delivered or failed).
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.pending_webhooks.is_empty()
    }

    /// How many webhooks were delivered.
    #[must_use]
    pub fn delivered(&self) -> usize {
        self.deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Delivered)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::{certificate_serial, check_url};

    #[test]
    fn serial_is_md5_hex_of_the_pem() {
        // MD5("") and MD5("abc") from RFC 1321's test suite.
        assert_eq!(certificate_serial(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            certificate_serial("abc"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }

    #[test]
    fn webhook_urls_must_be_absolute_http() {
        assert!(check_url("http://127.0.0.1:9/hook").is_ok());
        assert!(check_url("https://merchant.example/hook").is_ok());
        assert!(check_url("ftp://merchant.example/hook").is_err());
        assert!(check_url("/hook").is_err());
    }
}
