//! Sans-I/O Binance Pay HTTP layer: builds signed `http::Request`s, decodes responses and
//! errors, verifies webhooks, and authenticates requests on the server side. It contains
//! no networking code, no async runtime and no clock: the caller passes the time and the
//! nonce, and sends the request with whatever HTTP stack it has (reqwest, hyper, a wasm
//! fetch …), without touching the body bytes, which are exactly the bytes that were signed.
//!
//! ```
//! use binancepay_http::{ApiKey, ApiSecret, Error, Nonce, RequestBuilder, Timestamp, parse_response};
//! use binancepay_types::order::CloseOrderRequest;
//!
//! let builder = RequestBuilder::new(
//!     ApiKey::new("K4nx2c8PjT0SrMh3wZqV9bYdLfG7aE1uNoX5iRtHyCmBv6sDkQpW3jOgUl8eIzAF")?,
//!     &ApiSecret::new("the secret shown once when the key was created")?,
//! )?;
//!
//! // 1. Build: validate, serialise once, sign those bytes.
//! let close = CloseOrderRequest::new().with_merchant_trade_no("9825382937292");
//! let now = Timestamp::from_millis(1_700_000_000_000)?; // the caller reads the clock
//! let nonce = Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA")?; // ... and draws the nonce
//! let request = builder.build(&close, now, &nonce)?;
//! assert_eq!(request.uri(), "https://bpay.binanceapi.com/binancepay/openapi/order/close");
//! assert_eq!(request.body(), br#"{"merchantTradeNo":"9825382937292"}"#);
//!
//! // 2. Send `request` with any HTTP client. Here, Binance's answer is canned.
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"status":"SUCCESS","code":"000000","data":true}"#.to_vec())?;
//!
//! // 3. Parse: the typed `data` of the endpoint, or a typed error.
//! let accepted: bool = parse_response::<CloseOrderRequest, _>(&response)?;
//! assert!(accepted);
//!
//! let refused = http::Response::builder()
//!     .status(400)
//!     .body(br#"{"status":"FAIL","code":"400002","errorMessage":"Signature for this request is not valid."}"#.to_vec())?;
//! let error = parse_response::<CloseOrderRequest, _>(&refused).unwrap_err();
//! assert!(matches!(error, Error::Api { .. }));
//! assert!(!error.is_retryable());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Retries re-sign the same body: [`RequestBuilder::sign`] returns the four signing headers
//! for any body bytes and both the first attempt and every retry apply them; [`Error::is_retryable`]
//! and [`Error::outcome`] say whether a retry can help and whether Binance may have acted.
//! Incoming notifications go through [`webhook::WebhookVerifier`], and
//! [`webhook::DuplicateFilter`] drops redeliveries in bounded memory; the [`server`] module
//! holds Binance's side of the scheme for the sandbox and for mocks.
//!
//! Features: `rsa` (default) verifies webhooks in pure Rust, `aws-lc` natively;
//! `std-clock` adds `build_now`/`resign_now`; `signing` signs outgoing webhooks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod headers;
#[cfg(feature = "std-clock")]
mod nonce_pool;
mod request;
mod response;
pub mod server;
pub mod webhook;

pub use error::{Error, Outcome};
pub use headers::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP,
    SigningHeader,
};
pub use request::{
    DEFAULT_USER_AGENT, OPENAPI_PATH_PREFIX, PRODUCTION_BASE_URL, RequestBuilder, SigningHeaders,
};
#[cfg(feature = "std-clock")]
pub use request::{fresh_nonce, now};
pub use response::{SNIPPET_MAX_BYTES, parse_response, parse_response_raw};
pub use webhook::{
    CertificateStore, DuplicateFilter, WebhookError, WebhookHeaders, WebhookVerifier,
};

// The signing primitives a caller needs to use this crate.
pub use binancepay_sign::{ApiKey, ApiSecret, Nonce, Timestamp};
