//! The Python package `binancepay_sign`: [`binancepay_sign`] through PyO3 (stable ABI, CPython
//! 3.9 or later).
//!
//! This crate is the PyO3 skin only: it converts Python values to the types of
//! `binancepay-sign`, calls it, and converts the results back. Every signing and verification
//! rule lives in `binancepay-sign`. `pip install ./bindings/python` builds it with maturin; the
//! Python API and its type stubs are in `bindings/python/python/binancepay_sign/`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod convert;

use std::sync::Mutex;

use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_sign::{ApiKey, ApiSecret, Error as SignError, Nonce, RequestSigner, Timestamp};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use convert::{Body, Failure};

/// Bodies from this size on are hashed with the GIL released, so other Python threads run
/// meanwhile; below it, releasing and re-taking the GIL would cost more than the hash.
const RELEASE_GIL_FROM: usize = 16 * 1024;

pyo3::create_exception!(
    binancepay_sign,
    Error,
    pyo3::exceptions::PyValueError,
    "Malformed input: `str(error)` names the field and the rule, `error.code` is a stable code (`NONCE_LENGTH`, `KEY_PEM`, ...)."
);

fn now() -> Result<Timestamp, Failure> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(millis).map_err(Failure::Sign)
}

fn sign_with(
    signer: &RequestSigner,
    py: Python<'_>,
    timestamp: &Timestamp,
    nonce: &Nonce,
    body: &Body<'_>,
) -> String {
    let bytes = body.as_bytes();
    if bytes.len() >= RELEASE_GIL_FROM {
        py.detach(|| signer.sign(timestamp, nonce, bytes).as_str().to_owned())
    } else {
        signer.sign(timestamp, nonce, bytes).as_str().to_owned()
    }
}

/// sign(secret, timestamp, nonce, body) -> str
///
/// The upper-case hex HMAC-SHA512 signature of `timestamp\nnonce\nbody\n`: `timestamp` in epoch
/// milliseconds, `nonce` 32 ASCII letters or digits, `body` bytes (signed as they are) or str
/// (signed as UTF-8).
#[pyfunction]
fn sign(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    timestamp: &Bound<'_, PyAny>,
    nonce: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let secret = convert::secret(secret)?;
    let timestamp = convert::timestamp_int(timestamp, "timestamp")?;
    let nonce = convert::nonce(nonce, "nonce")?;
    let body = Body::extract(body)?;
    let signer = RequestSigner::new(&secret);
    Ok(sign_with(&signer, py, &timestamp, &nonce, &body))
}

/// new_nonce() -> str
///
/// A fresh nonce: 32 ASCII letters from the operating system's random number generator.
#[pyfunction]
fn new_nonce() -> PyResult<String> {
    Nonce::from_os_rng()
        .map(|nonce| nonce.as_str().to_owned())
        .map_err(|error| Failure::Sign(error).into())
}

/// RequestSigner(secret)
///
/// Signs requests with one API secret, keyed once: reuse it for every request.
#[pyclass(frozen, name = "RequestSigner", module = "binancepay_sign")]
struct PyRequestSigner {
    signer: RequestSigner,
}

#[pymethods]
impl PyRequestSigner {
    #[new]
    fn new(secret: &Bound<'_, PyAny>) -> PyResult<Self> {
        let secret: ApiSecret = convert::secret(secret)?;
        Ok(Self {
            signer: RequestSigner::new(&secret),
        })
    }

    /// sign(timestamp, nonce, body) -> str
    ///
    /// The request signature, as the module-level `sign` with this signer's secret.
    fn sign(
        &self,
        py: Python<'_>,
        timestamp: &Bound<'_, PyAny>,
        nonce: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let timestamp = convert::timestamp_int(timestamp, "timestamp")?;
        let nonce = convert::nonce(nonce, "nonce")?;
        let body = Body::extract(body)?;
        Ok(sign_with(&self.signer, py, &timestamp, &nonce, &body))
    }

    /// headers(api_key, body, timestamp=None, nonce=None) -> dict[str, str]
    ///
    /// The four `BinancePay-*` headers of a request with this body; `timestamp` defaults to now
    /// (epoch milliseconds), `nonce` to a fresh one.
    #[pyo3(signature = (api_key, body, timestamp=None, nonce=None))]
    fn headers<'py>(
        &self,
        py: Python<'py>,
        api_key: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
        timestamp: Option<&Bound<'py, PyAny>>,
        nonce: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let api_key = convert::api_key(api_key)?;
        let body = Body::extract(body)?;
        let timestamp = match timestamp {
            Some(value) => convert::timestamp_int(value, "timestamp")?,
            None => now()?,
        };
        let nonce = match nonce {
            Some(value) => convert::nonce(value, "nonce")?,
            None => Nonce::from_os_rng().map_err(Failure::Sign)?,
        };
        let signature = sign_with(&self.signer, py, &timestamp, &nonce, &body);
        headers_dict(py, &api_key, &timestamp, &nonce, &signature)
    }

    fn __repr__(&self) -> &'static str {
        "RequestSigner(secret=[REDACTED])"
    }
}

fn headers_dict<'py>(
    py: Python<'py>,
    api_key: &ApiKey,
    timestamp: &Timestamp,
    nonce: &Nonce,
    signature: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let headers = PyDict::new(py);
    headers.set_item("BinancePay-Timestamp", timestamp.to_string())?;
    headers.set_item("BinancePay-Nonce", nonce.as_str())?;
    headers.set_item("BinancePay-Certificate-SN", api_key.as_str())?;
    headers.set_item("BinancePay-Signature", signature)?;
    Ok(headers)
}

/// The last key parsed, by its PEM text: a webhook handler verifies many notifications with the
/// one key Binance serves, so this saves parsing it on every call.
static KEY_CACHE: Mutex<Option<(String, WebhookPublicKey)>> = Mutex::new(None);

fn public_key(pem: &str) -> Result<WebhookPublicKey, Failure> {
    let mut cache = KEY_CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((cached_pem, key)) = cache.as_ref()
        && cached_pem == pem
    {
        return Ok(key.clone());
    }
    let key = WebhookPublicKey::from_pem(pem).map_err(Failure::Sign)?;
    *cache = Some((pem.to_owned(), key.clone()));
    Ok(key)
}

/// verify_webhook(public_key_pem, timestamp, nonce, body, signature, max_age_seconds=None,
/// now_ms=None) -> bool
///
/// `True` when the base64 RSA-SHA256 `signature` verifies over `timestamp\nnonce\nbody\n` (the
/// raw body bytes) and, with `max_age_seconds`, the timestamp lies within that many seconds of
/// `now_ms` (default: now). `False` for a well-formed signature that does not verify or a stale
/// timestamp. A malformed key, signature, timestamp or nonce raises `binancepay_sign.Error`.
#[pyfunction]
#[pyo3(signature = (public_key_pem, timestamp, nonce, body, signature, max_age_seconds=None, now_ms=None))]
#[allow(clippy::too_many_arguments)] // The contract's seven parameters, plus the GIL token.
fn verify_webhook(
    py: Python<'_>,
    public_key_pem: &Bound<'_, PyAny>,
    timestamp: &Bound<'_, PyAny>,
    nonce: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    signature: &Bound<'_, PyAny>,
    max_age_seconds: Option<&Bound<'_, PyAny>>,
    now_ms: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let pem = convert::text(public_key_pem, "public_key_pem")?;
    let (timestamp_text, timestamp) = convert::webhook_timestamp(timestamp)?;
    let nonce = convert::text(nonce, "nonce")?;
    convert::check_webhook_nonce(&nonce)?;
    let body = Body::extract(body)?;
    let signature = convert::text(signature, "signature")?;
    let max_age_ms = max_age_seconds.map(convert::max_age_ms).transpose()?;
    let now_ms = now_ms
        .map(|value| convert::timestamp_int(value, "now_ms"))
        .transpose()?;
    let key = public_key(&pem)?;
    let bytes = body.as_bytes();
    // RSA verification takes tens of microseconds: always worth letting other threads run.
    let verified = py.detach(|| key.verify(&timestamp_text, &nonce, bytes, &signature));
    match verified {
        Ok(()) => {}
        Err(SignError::SignatureMismatch) => return Ok(false),
        Err(error) => return Err(Failure::Sign(error).into()),
    }
    if let Some(window_ms) = max_age_ms {
        let now = match now_ms {
            Some(now) => now,
            None => now()?,
        };
        match binancepay_sign::check_freshness(now, timestamp, window_ms) {
            Ok(()) => {}
            Err(SignError::TimestampOutsideWindow { .. }) => return Ok(false),
            Err(error) => return Err(Failure::Sign(error).into()),
        }
    }
    Ok(true)
}

/// decrypt_payer_detail(secret, data) -> str
///
/// The plaintext of a `paymentInfo.payerDetail` value (base64 of a 12-byte IV, the AES-GCM
/// ciphertext and its tag, under SHA-256 of the API secret). A malformed value raises `Error`
/// with `PAYER_DETAIL_BASE64`, `PAYER_DETAIL_TOO_SHORT` or `PAYER_DETAIL_UTF8`; one that does
/// not authenticate under this secret (another secret, or altered data) with
/// `PAYER_DETAIL_AUTHENTICATION`.
#[pyfunction]
fn decrypt_payer_detail(secret: &Bound<'_, PyAny>, data: &Bound<'_, PyAny>) -> PyResult<String> {
    let secret = convert::secret(secret)?;
    let data = convert::text(data, "data")?;
    binancepay_sign::payer_detail::decrypt(&secret, &data)
        .map(binancepay_sign::payer_detail::PayerDetail::into_string)
        .map_err(|error| Failure::Sign(error).into())
}

/// The extension module `binancepay_sign._native`, re-exported by the package
/// `binancepay_sign`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(sign, module)?)?;
    module.add_function(wrap_pyfunction!(new_nonce, module)?)?;
    module.add_function(wrap_pyfunction!(verify_webhook, module)?)?;
    module.add_function(wrap_pyfunction!(decrypt_payer_detail, module)?)?;
    module.add_class::<PyRequestSigner>()?;
    module.add("Error", module.py().get_type::<Error>())?;
    Ok(())
}
