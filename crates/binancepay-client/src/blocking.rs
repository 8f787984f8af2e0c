//! The same client for programs without an async runtime (feature `blocking`).
//!
//! [`Client`] wraps the async [`crate::Client`] and a private Tokio runtime with one worker
//! thread. Calls run on the calling thread with [`tokio::runtime::Runtime::block_on`]; the
//! worker keeps pooled connections serviced between calls, so a connection the server closed
//! is noticed before it is reused.
//!
//! ```no_run
//! use binancepay_types::order::QueryOrderV2Request;
//!
//! let client = binancepay_client::blocking::Client::from_env()?;
//! let order = client.orders().query_v2(&QueryOrderV2Request::new().with_merchant_trade_no("A1"))?;
//! println!("{:?}", order.status);
//! # Ok::<(), binancepay_client::Error>(())
//! ```
//!
//! Do not call it from async code (it would stall the executor): it refuses with
//! [`Error::BlockingInAsyncContext`] on any thread where a Tokio runtime is current, including
//! `spawn_blocking` threads (use the async client with `Handle::block_on` there).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use binancepay_types::Endpoint;
use binancepay_types::order::{CreateOrderV1Request, CreateOrderV2Request, CreateOrderV3Request};
use http::HeaderMap;

use std::time::Duration;

use crate::areas::for_each_area;
use crate::error::{ConfigError, Error};
use crate::orders::CreatedOrder;
use crate::raw::RawResponse;
use crate::retry::RetryPolicy;
use crate::webhook::{VerifiedWebhook, WebhookHandlerError};

/// Owns the runtime; shuts it down without blocking, so dropping the last client never
/// panics, whatever thread it happens on.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A blocking Binance Pay client: the API of [`crate::Client`] without `async`.
///
/// Cheap to clone, `Send + Sync`; clones share the connection pool, the runtime and the
/// webhook certificate cache. `Debug` shows no credentials.
#[derive(Clone)]
pub struct Client {
    client: crate::Client,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// Builds a blocking [`Client`]: the settings of [`crate::ClientBuilder`], and a
/// [`build`](Self::build) that returns the blocking client.
///
/// ```
/// use std::time::Duration;
///
/// let client = binancepay_client::blocking::Client::builder()
///     .credentials("abc123", "secret")
///     .base_url("http://127.0.0.1:1")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:1");
/// # Ok::<(), binancepay_client::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

/// Setters that forward to the async builder's.
macro_rules! forward {
    ($( $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*); )*) => {
        $(
            $(#[$doc])*
            pub fn $name(self, $($arg: $ty),*) -> Self {
                ClientBuilder { inner: self.inner.$name($($arg),*) }
            }
        )*
    };
}

impl ClientBuilder {
    /// Production defaults, as [`crate::ClientBuilder::new`].
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// Settings from the environment, as [`crate::ClientBuilder::from_env`].
    ///
    /// # Errors
    /// As [`crate::ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        Ok(ClientBuilder {
            inner: crate::ClientBuilder::from_env()?,
        })
    }

    forward! {
        /// As [`crate::ClientBuilder::credentials`].
        credentials(api_key: impl Into<String>, api_secret: impl Into<String>);
        /// As [`crate::ClientBuilder::base_url`].
        base_url(base_url: impl Into<String>);
        /// As [`crate::ClientBuilder::allow_insecure_http`].
        allow_insecure_http(allow: bool);
        /// As [`crate::ClientBuilder::connect_timeout`].
        connect_timeout(timeout: Duration);
        /// As [`crate::ClientBuilder::timeout`].
        timeout(timeout: Duration);
        /// As [`crate::ClientBuilder::deadline`].
        deadline(deadline: Duration);
        /// As [`crate::ClientBuilder::no_deadline`].
        no_deadline();
        /// As [`crate::ClientBuilder::retry_policy`].
        retry_policy(policy: RetryPolicy);
        /// As [`crate::ClientBuilder::user_agent`].
        user_agent(user_agent: impl Into<String>);
        /// As [`crate::ClientBuilder::clock_offset_ms`].
        clock_offset_ms(offset_ms: i64);
        /// As [`crate::ClientBuilder::http_client`].
        http_client(client: reqwest::Client);
        /// As [`crate::ClientBuilder::certificate_refresh_interval`].
        certificate_refresh_interval(interval: Duration);
        /// As [`crate::ClientBuilder::webhook_freshness_window`].
        webhook_freshness_window(window: Option<Duration>);
        /// As [`crate::ClientBuilder::max_response_bytes`].
        max_response_bytes(limit: usize);
    }

    /// Checks the settings and builds the blocking client and its runtime.
    ///
    /// # Errors
    /// As [`crate::ClientBuilder::build`], plus [`ConfigError::Runtime`].
    pub fn build(self) -> Result<Client, Error> {
        Client::from_builder(self.inner)
    }
}

impl From<crate::ClientBuilder> for ClientBuilder {
    fn from(inner: crate::ClientBuilder) -> Self {
        ClientBuilder { inner }
    }
}

impl Client {
    /// A builder with production defaults whose [`build`](ClientBuilder::build) returns a
    /// blocking client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Builds a blocking client from the async client's builder.
    ///
    /// ```
    /// let client = binancepay_client::blocking::Client::from_builder(
    ///     binancepay_client::Client::builder()
    ///         .credentials("abc123", "secret")
    ///         .base_url("http://127.0.0.1:1"),
    /// )?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:1");
    /// # Ok::<(), binancepay_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`crate::ClientBuilder::build`], plus [`ConfigError::Runtime`].
    pub fn from_builder(builder: crate::ClientBuilder) -> Result<Client, Error> {
        let client = builder.build()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("binancepay-blocking")
            .enable_io()
            .enable_time()
            .build()
            .map_err(ConfigError::Runtime)?;
        Ok(Client {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// A blocking client from `BINANCEPAY_API_KEY`, `BINANCEPAY_API_SECRET` and the optional
    /// `BINANCEPAY_BASE_URL`.
    ///
    /// # Errors
    /// As [`crate::Client::from_env`], plus [`ConfigError::Runtime`].
    pub fn from_env() -> Result<Client, Error> {
        Client::from_builder(crate::ClientBuilder::from_env()?)
    }

    /// The async client inside, for code that has both worlds.
    pub fn as_async(&self) -> &crate::Client {
        &self.client
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Blocking [`crate::Client::execute`].
    ///
    /// # Errors
    /// As [`crate::Client::execute`], plus [`Error::BlockingInAsyncContext`].
    pub fn execute<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error> {
        self.block_on(self.client.execute(request))?
    }

    /// Blocking [`crate::Client::execute_answer`]: the answer, and whether it is Binance's
    /// replay of an earlier request with the same id.
    ///
    /// # Errors
    /// As [`crate::Client::execute_answer`], plus [`Error::BlockingInAsyncContext`].
    pub fn execute_answer<E: Endpoint>(
        &self,
        request: &E,
    ) -> Result<crate::Answer<E::Response>, Error> {
        self.block_on(self.client.execute_answer(request))?
    }

    /// Blocking [`crate::Client::execute_raw`].
    ///
    /// # Errors
    /// As [`crate::Client::execute_raw`], plus [`Error::BlockingInAsyncContext`].
    pub fn execute_raw(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.block_on(self.client.execute_raw(path, body))?
    }

    /// Blocking [`crate::Client::send_raw`].
    ///
    /// # Errors
    /// As [`crate::Client::send_raw`], plus [`Error::BlockingInAsyncContext`].
    pub fn send_raw(&self, path: &str, body: impl Into<Vec<u8>>) -> Result<RawResponse, Error> {
        self.block_on(self.client.send_raw(path, body))?
    }

    /// The blocking webhook handler, sharing this client's certificate cache.
    pub fn webhooks(&self) -> WebhookHandler {
        WebhookHandler {
            client: self.clone(),
        }
    }

    fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        match &self.runtime.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            // Only `Drop` empties it, and nothing can call us after that.
            None => Err(Error::BlockingInAsyncContext),
        }
    }
}

/// Blocking [`crate::WebhookHandler`].
#[derive(Debug, Clone)]
pub struct WebhookHandler {
    client: Client,
}

impl WebhookHandler {
    /// Blocking [`crate::WebhookHandler::handle`].
    ///
    /// # Errors
    /// As [`crate::WebhookHandler::handle`]; called from async code it fails with
    /// [`WebhookHandlerError::Certificates`] wrapping [`Error::BlockingInAsyncContext`].
    pub fn handle(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookHandlerError> {
        let handler = self.client.client.webhooks();
        self.client
            .block_on(handler.handle(headers, body))
            .map_err(|e| WebhookHandlerError::Certificates(Box::new(e)))?
    }
}

macro_rules! blocking_areas {
    ($(
        $(#[$area_doc:meta])*
        $area:ident, $accessor:ident, $module:ident {
            $( $(#[$doc:meta])* $method:ident => $request:ident, )*
        }
    )*) => {
        $(
            #[doc = concat!("Blocking [`crate::", stringify!($area), "`]; get it with [`Client::", stringify!($accessor), "`].")]
            #[derive(Debug, Clone, Copy)]
            pub struct $area<'a> {
                client: &'a Client,
            }

            impl $area<'_> {
                $(
                    $(#[$doc])*
                    ///
                    /// # Errors
                    /// As [`crate::Client::execute`], plus [`Error::BlockingInAsyncContext`].
                    pub fn $method(
                        &self,
                        request: &binancepay_types::$module::$request,
                    ) -> Result<<binancepay_types::$module::$request as Endpoint>::Response, Error> {
                        self.client.block_on(self.client.client.$accessor().$method(request))?
                    }
                )*
            }
        )*

        impl Client {
            $(
                $(#[$area_doc])*
                pub fn $accessor(&self) -> $area<'_> {
                    $area { client: self }
                }
            )*
        }
    };
}

for_each_area!(blocking_areas);

impl Certificates<'_> {
    /// Blocking [`crate::Certificates::query_new`].
    ///
    /// # Errors
    /// As [`crate::Client::execute`], plus [`Error::BlockingInAsyncContext`].
    pub fn query_new(
        &self,
        request: &binancepay_types::certificate::QueryCertificatesNewRequest,
    ) -> Result<Vec<binancepay_types::certificate::Certificate>, Error> {
        self.client
            .block_on(self.client.client.certificates().query_new(request))?
    }
}

impl Orders<'_> {
    /// Blocking [`crate::Orders::create_v3`], with the same duplicate-after-timeout recovery.
    ///
    /// # Errors
    /// As [`crate::Orders::create_v3`], plus [`Error::BlockingInAsyncContext`].
    pub fn create_v3(&self, request: &CreateOrderV3Request) -> Result<CreatedOrder, Error> {
        self.client
            .block_on(self.client.client.orders().create_v3(request))?
    }

    /// Blocking [`crate::Orders::create_v2`].
    ///
    /// # Errors
    /// As [`crate::Orders::create_v2`], plus [`Error::BlockingInAsyncContext`].
    pub fn create_v2(&self, request: &CreateOrderV2Request) -> Result<CreatedOrder, Error> {
        self.client
            .block_on(self.client.client.orders().create_v2(request))?
    }

    /// Blocking [`crate::Orders::create_v1`].
    ///
    /// # Errors
    /// As [`crate::Orders::create_v1`], plus [`Error::BlockingInAsyncContext`].
    pub fn create_v1(&self, request: &CreateOrderV1Request) -> Result<CreatedOrder, Error> {
        self.client
            .block_on(self.client.client.orders().create_v1(request))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}

    #[test]
    fn blocking_client_is_send_sync_and_clone() {
        assert_send_sync_clone::<Client>();
    }

    #[test]
    fn refuses_to_block_inside_a_runtime() {
        let client = ClientBuilder::new()
            .credentials("abc123", "secret")
            .base_url("http://127.0.0.1:9")
            .build();
        let Ok(client) = client else {
            panic!("client does not build: {client:?}");
        };
        let runtime = tokio::runtime::Builder::new_current_thread().build();
        let Ok(runtime) = runtime else {
            panic!("runtime does not build");
        };
        let result = runtime.block_on(async {
            client.execute_raw("/binancepay/openapi/certificates", &serde_json::json!({}))
        });
        assert!(
            matches!(result, Err(Error::BlockingInAsyncContext)),
            "{result:?}"
        );
        // Dropping the client inside the runtime must not panic either.
        runtime.block_on(async move { drop(client) });
    }
}
