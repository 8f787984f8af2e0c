#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

mod credentials;
mod error;
mod nonce;
mod request;
mod signature;
mod timestamp;
#[cfg(any(feature = "rsa", feature = "aws-lc"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "rsa", feature = "aws-lc"))))]
pub mod webhook;

pub use credentials::{API_KEY_MAX_LEN, ApiKey, ApiSecret};
pub use error::Error;
pub use nonce::{NONCE_LEN, NONCE_RANDOM_BYTES, Nonce};
pub use request::{RequestSigner, string_to_sign};
pub use signature::{SIGNATURE_LEN, Signature};
pub use timestamp::{Timestamp, check_freshness};
