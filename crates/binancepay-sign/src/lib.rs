#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod credentials;
mod error;
mod nonce;
#[cfg(feature = "payer-detail")]
#[cfg_attr(docsrs, doc(cfg(feature = "payer-detail")))]
pub mod payer_detail;
mod request;
mod signature;
mod timestamp;
pub mod webhook;

pub use credentials::{API_KEY_MAX_LEN, ApiKey, ApiSecret};
pub use error::Error;
pub use nonce::{NONCE_LEN, NONCE_RANDOM_BYTES, Nonce};
pub use request::{RequestSigner, string_to_sign};
pub use signature::{SIGNATURE_LEN, Signature};
pub use timestamp::{Timestamp, check_freshness};
