#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod headers;
#[cfg(feature = "std-clock")]
mod nonce_pool;
#[cfg(feature = "payer-detail")]
#[cfg_attr(docsrs, doc(cfg(feature = "payer-detail")))]
pub mod payer_detail;
mod request;
mod response;
pub mod server;
pub mod webhook;

pub use error::{Error, Outcome, RawData};
pub use headers::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_CERTIFICATE_SN_NEW, BINANCEPAY_NONCE,
    BINANCEPAY_SIGNATURE, BINANCEPAY_SIGNATURE_NEW, BINANCEPAY_TIMESTAMP, SigningHeader,
};
pub use request::{
    DEFAULT_USER_AGENT, OPENAPI_PATH_PREFIX, PRODUCTION_BASE_URL, RequestBuilder, SigningHeaders,
};
#[cfg(feature = "std-clock")]
pub use request::{fresh_nonce, now};
pub use response::{Answer, SNIPPET_MAX_BYTES, parse_answer, parse_response, parse_response_raw};
pub use webhook::{
    CertificateStore, DuplicateFilter, WebhookError, WebhookHeaders, WebhookVerifier,
};

// The signing primitives a caller needs to use this crate.
pub use binancepay_sign::{ApiKey, ApiSecret, Nonce, Timestamp};
