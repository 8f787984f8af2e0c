//! The npm package `binancepay-sign`: [`binancepay_sign`] compiled to WebAssembly.
//!
//! This crate is the wasm-bindgen skin only: it converts JavaScript values to the types of
//! `binancepay-sign`, calls it, and converts the results back. Every signing and verification
//! rule lives in `binancepay-sign`. Build the package with `cargo xtask js`, which writes
//! `bindings/js/pkg/` (see `bindings/js/README.md` for the JavaScript API and its loaders).
//!
//! The JavaScript loader calls [`configure`] once with the `BinancePayError` class and a
//! function that fills a `Uint8Array` from `crypto.getRandomValues`, before any other export.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod convert;

use std::cell::RefCell;

use binancepay_sign::{ApiKey, Error, NONCE_RANDOM_BYTES, Nonce, RequestSigner, Timestamp};
use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use convert::{Body, Failure};

struct Runtime {
    error_class: Function,
    fill_random: Function,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Called once by the package's loader: the class thrown for malformed input
/// (`new BinancePayError(message, code)`) and `fill(Uint8Array)` backed by
/// `crypto.getRandomValues`.
#[wasm_bindgen(js_name = "__configure")]
pub fn configure(error_class: Function, fill_random: Function) {
    RUNTIME.with(|runtime| {
        *runtime.borrow_mut() = Some(Runtime {
            error_class,
            fill_random,
        });
    });
}

/// Builds the JavaScript error for a failure: a `BinancePayError` with `code` and a message
/// naming the field and the rule.
fn throw(failure: Failure) -> JsValue {
    let message = JsValue::from_str(&failure.message());
    let code = JsValue::from_str(failure.code());
    let constructed = RUNTIME.with(|runtime| {
        runtime.borrow().as_ref().map(|runtime| {
            Reflect::construct(&runtime.error_class, &js_sys::Array::of2(&message, &code))
        })
    });
    match constructed {
        Some(Ok(error)) => error,
        Some(Err(thrown)) => thrown,
        // Not loaded through the package's loader: a plain Error still carries the code.
        None => {
            let error = js_sys::Error::new(&failure.message());
            error.set_name("BinancePayError");
            let _ = Reflect::set(&error, &JsValue::from_str("code"), &code);
            error.into()
        }
    }
}

/// Nonces drawn per call to `crypto.getRandomValues`: one call fills this many.
const POOL_NONCES: usize = 32;

thread_local! {
    /// Random bytes not used yet, consumed from the end.
    static RANDOM_POOL: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A nonce from `crypto.getRandomValues`, which is called once per 32 nonces (a call into
/// JavaScript costs more than turning 128 random bytes into a nonce).
fn random_nonce() -> Result<Nonce, Failure> {
    RANDOM_POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < NONCE_RANDOM_BYTES {
            let buffer = Uint8Array::new_with_length((NONCE_RANDOM_BYTES * POOL_NONCES) as u32);
            let filled = RUNTIME.with(|runtime| {
                runtime
                    .borrow()
                    .as_ref()
                    .map(|runtime| runtime.fill_random.call1(&JsValue::UNDEFINED, &buffer))
            });
            if !matches!(filled, Some(Ok(_))) {
                return Err(Failure::Sign(Error::Rng));
            }
            pool.resize(buffer.length() as usize, 0);
            buffer.copy_to(&mut pool);
        }
        let mut random = [0u8; NONCE_RANDOM_BYTES];
        let start = pool.len() - NONCE_RANDOM_BYTES;
        random.copy_from_slice(&pool[start..]);
        // Used bytes never stay behind in the pool.
        pool.truncate(start);
        Ok(Nonce::from_random_bytes(&random))
    })
}

fn now() -> Result<Timestamp, Failure> {
    convert::timestamp_from_f64(js_sys::Date::now()).map_err(Failure::Sign)
}

/// `sign(secret, timestamp, nonce, body)`: the upper-case hex HMAC-SHA512 signature of
/// `timestamp\nnonce\nbody\n`.
///
/// `timestamp` is epoch milliseconds as a number, a bigint or a string of digits; `nonce` is 32
/// ASCII letters or digits; `body` is a string (signed as UTF-8) or a `Uint8Array` (signed byte
/// for byte).
#[wasm_bindgen(js_name = "sign")]
pub fn sign(
    secret: &JsValue,
    timestamp: &JsValue,
    nonce: &JsValue,
    body: &JsValue,
) -> Result<String, JsValue> {
    sign_inner(secret, timestamp, nonce, body).map_err(throw)
}

fn sign_inner(
    secret: &JsValue,
    timestamp: &JsValue,
    nonce: &JsValue,
    body: &JsValue,
) -> Result<String, Failure> {
    let secret = convert::secret(secret)?;
    let timestamp = convert::timestamp(timestamp, "timestamp")?;
    let nonce = convert::nonce(nonce, "nonce")?;
    let body = Body::from_js(body)?;
    let signer = RequestSigner::new(&secret);
    Ok(signer
        .sign(&timestamp, &nonce, body.as_bytes())
        .as_str()
        .to_owned())
}

/// The work of `signRequest(apiKey, secret, body, options?)`, whose loader (facade.js) builds
/// the four `BinancePay-*` headers from the `timestamp nonce signature` this returns (one
/// string crossing into JavaScript instead of four) and the API key it was given.
///
/// `options.timestamp` (number, bigint or digit string, epoch ms) defaults to `Date.now()`,
/// `options.nonce` to a fresh 32-letter nonce from `crypto.getRandomValues`.
#[wasm_bindgen(js_name = "__signRequest")]
pub fn sign_request(
    api_key: &JsValue,
    secret: &JsValue,
    body: &JsValue,
    options: &JsValue,
) -> Result<String, JsValue> {
    sign_request_inner(api_key, secret, body, options).map_err(throw)
}

fn sign_request_inner(
    api_key: &JsValue,
    secret: &JsValue,
    body: &JsValue,
    options: &JsValue,
) -> Result<String, Failure> {
    match api_key.as_string() {
        Some(text) => ApiKey::new(text).map_err(Failure::Sign)?,
        None => return Err(Failure::Type("apiKey", "a string")),
    };
    let secret = convert::secret(secret)?;
    let body = Body::from_js(body)?;
    convert::check_options(options)?;
    let timestamp = match convert::option(options, "timestamp") {
        Some(value) => convert::timestamp(&value, "options.timestamp")?,
        None => now()?,
    };
    let nonce = match convert::option(options, "nonce") {
        Some(value) => convert::nonce(&value, "options.nonce")?,
        None => random_nonce()?,
    };
    let signature = RequestSigner::new(&secret).sign(&timestamp, &nonce, body.as_bytes());
    Ok(format!("{timestamp} {nonce} {signature}"))
}

/// `newNonce()`: a fresh 32-letter nonce drawn from `crypto.getRandomValues`.
#[wasm_bindgen(js_name = "newNonce")]
pub fn new_nonce() -> Result<String, JsValue> {
    random_nonce()
        .map(|nonce| nonce.as_str().to_owned())
        .map_err(throw)
}

/// `decryptPayerDetail(secret, data)`: the plaintext of a `paymentInfo.payerDetail` value
/// (base64 of a 12-byte IV, the AES-GCM ciphertext and its tag, under SHA-256 of the API secret).
///
/// Throws a `BinancePayError`: `PAYER_DETAIL_AUTHENTICATION` when the value does not
/// authenticate under this secret, `PAYER_DETAIL_BASE64`, `PAYER_DETAIL_TOO_SHORT` or
/// `PAYER_DETAIL_UTF8` when it is malformed.
#[cfg(feature = "payer-detail")]
#[wasm_bindgen(js_name = "decryptPayerDetail")]
pub fn decrypt_payer_detail(secret: &JsValue, data: &JsValue) -> Result<String, JsValue> {
    let secret = convert::secret(secret).map_err(throw)?;
    let Some(data) = data.as_string() else {
        return Err(throw(Failure::Type("data", "a base64 string")));
    };
    binancepay_sign::payer_detail::decrypt(&secret, &data)
        .map(binancepay_sign::payer_detail::PayerDetail::into_string)
        .map_err(|error| throw(Failure::Sign(error)))
}

/// `verifyWebhook(publicKeyPem, timestamp, nonce, body, signatureBase64, options?)`: `true` when
/// the RSA-SHA256 signature verifies over `timestamp\nnonce\nbody\n` (and, with
/// `options.maxAgeSeconds`, the timestamp is within that many seconds of `options.nowMs` or
/// `Date.now()`), `false` for a well-formed signature that does not verify or a stale timestamp.
///
/// A malformed key, signature, timestamp, nonce or body throws a `BinancePayError`.
#[cfg(feature = "rsa")]
#[wasm_bindgen(js_name = "verifyWebhook")]
pub fn verify_webhook(
    public_key_pem: &JsValue,
    timestamp: &JsValue,
    nonce: &JsValue,
    body: &JsValue,
    signature_base64: &JsValue,
    options: &JsValue,
) -> Result<bool, JsValue> {
    verify_webhook_inner(
        public_key_pem,
        timestamp,
        nonce,
        body,
        signature_base64,
        options,
    )
    .map_err(throw)
}

#[cfg(feature = "rsa")]
fn verify_webhook_inner(
    public_key_pem: &JsValue,
    timestamp: &JsValue,
    nonce: &JsValue,
    body: &JsValue,
    signature_base64: &JsValue,
    options: &JsValue,
) -> Result<bool, Failure> {
    let Some(pem) = public_key_pem.as_string() else {
        return Err(Failure::Type("publicKeyPem", "a PEM string"));
    };
    let (timestamp_text, parsed_timestamp) = convert::webhook_timestamp(timestamp)?;
    let nonce = convert::webhook_nonce(nonce)?;
    let body = Body::from_js(body)?;
    let Some(signature) = signature_base64.as_string() else {
        return Err(Failure::Type("signatureBase64", "a base64 string"));
    };
    convert::check_options(options)?;
    let max_age_ms = match convert::option(options, "maxAgeSeconds") {
        Some(value) => Some(convert::max_age_ms(&value)?),
        None => None,
    };
    let now = match convert::option(options, "nowMs") {
        Some(value) => Some(convert::timestamp(&value, "options.nowMs")?),
        None => None,
    };
    convert::verify_webhook(
        &pem,
        &timestamp_text,
        parsed_timestamp,
        &nonce,
        body.as_bytes(),
        &signature,
        max_age_ms,
        || match now {
            Some(now) => Ok(now),
            None => self::now(),
        },
    )
}
