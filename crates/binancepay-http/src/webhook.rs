//! Incoming webhooks: header reading, certificate lookup, RSA verification over the raw
//! body, freshness, typed decoding; and the reply Binance expects.
//!
//! # Two certificates
//!
//! Binance Pay is introducing a new platform certificate. A webhook signed with it carries
//! `BinancePay-Certificate-SN-New` and `BinancePay-Signature-New` next to the usual
//! `BinancePay-Certificate-SN` and `BinancePay-Signature` (same timestamp, nonce and algorithm);
//! the keys of the new pair come from their own endpoint
//! (`binancepay_types::certificate::QueryCertificatesNewRequest`), the old pair's from the
//! certificates endpoint. [`WebhookVerifier`] applies one policy to every webhook:
//!
//! * at least one complete pair must be present; half a pair is refused
//!   ([`WebhookError::MissingHeader`] naming the missing half);
//! * **only the old pair** (today): it must verify, exactly as before;
//! * **both pairs** (the transition): every pair whose key list is known must verify; a `-New`
//!   pair whose list is not known yet (never fetched, or the fetch failed) does not block a
//!   valid old pair: the webhook is accepted on the old pair alone (callers log it:
//!   [`WebhookVerifier::new_pair_unchecked`]);
//! * **only the `-New` pair** (once Binance retires the old certificate): it must verify;
//!   with no list known it is [`WebhookError::UnknownNewCertificate`] (fetch the list, retry);
//! * a serial absent from its list is [`WebhookError::UnknownCertificate`] or
//!   [`WebhookError::UnknownNewCertificate`]: fetch that list again, then verify again. A key
//!   is only ever taken from the list of its own pair, by exact serial.

use std::collections::BTreeMap;

use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_sign::{Timestamp, check_freshness};
use binancepay_types::certificate::Certificate;
use binancepay_types::webhook::{Notification, WebhookParseError, WebhookReply};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::error::truncate_chars;
use crate::headers::{HeaderProblem, SigningHeader, optional};

mod duplicates;

pub use duplicates::DuplicateFilter;

/// Default freshness window: 5 minutes either side of `now`.
///
/// Binance retries a failed delivery up to 6 times and does not document whether a retry
/// is signed again with a fresh timestamp. If retries keep the first timestamp, a retry
/// later than the window is refused as [`WebhookError::Stale`] (its signature *was*
/// valid: freshness is checked after the signature). 5 minutes bounds replays of a
/// captured notification while tolerating ordinary clock skew and delivery delay; widen
/// it with [`WebhookVerifier::with_freshness_window`] (or switch it off with `None`) if
/// you see authentic retries refused, and keep handlers idempotent either way
/// ([`Notification::dedup_key`]).
pub const DEFAULT_FRESHNESS_WINDOW_MS: u64 = 5 * 60 * 1000;

/// Default body limit: 1 MiB, far above any documented notification.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Why an incoming webhook was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A signing header is absent.
    #[error("webhook header {header} is missing")]
    MissingHeader {
        /// Which one.
        header: SigningHeader,
    },
    /// A signing header appears more than once.
    #[error("webhook header {header} appears more than once")]
    DuplicateHeader {
        /// Which one.
        header: SigningHeader,
    },
    /// A signing header value is not UTF-8.
    #[error("webhook header {header} is not valid UTF-8")]
    NonUtf8Header {
        /// Which one.
        header: SigningHeader,
    },
    /// The body is larger than the configured limit; nothing else was checked.
    #[error("webhook body is {got} bytes, more than the limit of {limit}")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
        /// The body's length.
        got: usize,
    },
    /// `BinancePay-Timestamp` is not epoch milliseconds.
    #[error("webhook header BinancePay-Timestamp: {0}")]
    InvalidTimestamp(#[source] binancepay_sign::Error),
    /// No certificate with this serial is known: fetch the certificates again (the key
    /// may have rotated), then verify again. See [`WebhookError::needs_certificate_refresh`].
    #[error("no certificate with serial {serial:?}; refresh the certificates and retry")]
    UnknownCertificate {
        /// The `BinancePay-Certificate-SN` value (truncated to 64 characters).
        serial: String,
    },
    /// The RSA signature does not match the raw body and headers under the certificate.
    #[error("webhook signature does not verify: {0}")]
    InvalidSignature(#[source] binancepay_sign::Error),
    /// No certificate with the `BinancePay-Certificate-SN-New` serial is in the new platform
    /// certificates' list, or that list is not known yet: fetch it (again), then verify again.
    #[error(
        "no new platform certificate with serial {serial:?}; refresh the new certificates and retry"
    )]
    UnknownNewCertificate {
        /// The `BinancePay-Certificate-SN-New` value (truncated to 64 characters).
        serial: String,
    },
    /// `BinancePay-Signature-New` does not match the raw body and headers under the new
    /// platform certificate.
    #[error("webhook signature BinancePay-Signature-New does not verify: {0}")]
    InvalidNewSignature(#[source] binancepay_sign::Error),
    /// The signature is valid but the timestamp is outside the freshness window.
    #[error("webhook timestamp is {skew_ms} ms away from now, outside the {window_ms} ms window")]
    Stale {
        /// `now - timestamp` in milliseconds (negative: from the future).
        skew_ms: i64,
        /// The configured window.
        window_ms: u64,
    },
    /// The authentic body is not a notification we can decode (not JSON, `data` not JSON …).
    #[error("webhook body: {0}")]
    Parse(#[from] WebhookParseError),
}

impl WebhookError {
    /// Whether the right reaction is to re-fetch the certificates and verify again.
    pub fn needs_certificate_refresh(&self) -> bool {
        matches!(
            self,
            WebhookError::UnknownCertificate { .. } | WebhookError::UnknownNewCertificate { .. }
        )
    }

    /// Whether the list to re-fetch is the new platform certificates' (the `-New` pair).
    pub fn concerns_new_certificate(&self) -> bool {
        matches!(
            self,
            WebhookError::UnknownNewCertificate { .. } | WebhookError::InvalidNewSignature(_)
        )
    }

    /// Whether the notification is known to come from Binance (the signature verified)
    /// although it was refused.
    pub fn is_authentic(&self) -> bool {
        matches!(self, WebhookError::Stale { .. } | WebhookError::Parse(_))
    }
}

fn header_error(header: SigningHeader, problem: HeaderProblem) -> WebhookError {
    match problem {
        HeaderProblem::Missing => WebhookError::MissingHeader { header },
        HeaderProblem::Duplicated => WebhookError::DuplicateHeader { header },
        HeaderProblem::NotUtf8 => WebhookError::NonUtf8Header { header },
    }
}

/// One certificate serial and the signature made with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pair {
    serial: String,
    signature: String,
}

/// The `BinancePay-*` header values of one notification, as they arrived: timestamp, nonce,
/// and the old pair, the `-New` pair or both (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHeaders {
    timestamp: String,
    nonce: String,
    old: Option<Pair>,
    new: Option<Pair>,
}

/// A pair from its two optional halves: both or neither, else the missing half is named.
fn pair(
    serial: Option<String>,
    signature: Option<String>,
    names: [SigningHeader; 2],
) -> Result<Option<Pair>, WebhookError> {
    match (serial, signature) {
        (Some(serial), Some(signature)) => Ok(Some(Pair { serial, signature })),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(WebhookError::MissingHeader { header: names[0] }),
        (Some(_), None) => Err(WebhookError::MissingHeader { header: names[1] }),
    }
}

/// Timestamp, nonce and the pairs; refuses a webhook with no pair at all by naming the old
/// pair's missing header (what it always lacked before the new certificate).
fn assemble(
    timestamp: Option<String>,
    nonce: Option<String>,
    old: [Option<String>; 2],
    new: [Option<String>; 2],
) -> Result<WebhookHeaders, WebhookError> {
    let need = |v: Option<String>, header| v.ok_or(WebhookError::MissingHeader { header });
    let timestamp = need(timestamp, SigningHeader::Timestamp)?;
    let nonce = need(nonce, SigningHeader::Nonce)?;
    let [old_sn, old_sig] = old;
    let [new_sn, new_sig] = new;
    let old = pair(
        old_sn,
        old_sig,
        [SigningHeader::CertificateSn, SigningHeader::Signature],
    )?;
    let new = pair(new_sn, new_sig, SigningHeader::NEW_PAIR)?;
    if old.is_none() && new.is_none() {
        return Err(WebhookError::MissingHeader {
            header: SigningHeader::CertificateSn,
        });
    }
    Ok(WebhookHeaders {
        timestamp,
        nonce,
        old,
        new,
    })
}

impl WebhookHeaders {
    /// Reads the headers from an `http::HeaderMap` (names are case-insensitive there).
    ///
    /// # Errors
    /// [`WebhookError::MissingHeader`], [`WebhookError::DuplicateHeader`] or
    /// [`WebhookError::NonUtf8Header`], naming the header.
    pub fn from_header_map(headers: &HeaderMap) -> Result<Self, WebhookError> {
        let get = |h| {
            optional(headers, h)
                .map(|v| v.map(str::to_owned))
                .map_err(|p| header_error(h, p))
        };
        assemble(
            get(SigningHeader::Timestamp)?,
            get(SigningHeader::Nonce)?,
            [
                get(SigningHeader::CertificateSn)?,
                get(SigningHeader::Signature)?,
            ],
            [
                get(SigningHeader::CertificateSnNew)?,
                get(SigningHeader::SignatureNew)?,
            ],
        )
    }

    /// Reads the headers from `(name, value)` string pairs, matching names ignoring ASCII
    /// case, for frameworks that hand out plain strings. Other headers are skipped; names
    /// and values are trimmed of surrounding whitespace, as HTTP itself does.
    ///
    /// # Errors
    /// [`WebhookError::MissingHeader`] or [`WebhookError::DuplicateHeader`], naming the header.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut found: [Option<String>; 6] = [None, None, None, None, None, None];
        for (name, value) in pairs {
            let Some(header) = SigningHeader::from_name(name.as_ref().trim()) else {
                continue;
            };
            let slot = match header {
                SigningHeader::Timestamp => &mut found[0],
                SigningHeader::Nonce => &mut found[1],
                SigningHeader::CertificateSn => &mut found[2],
                SigningHeader::Signature => &mut found[3],
                SigningHeader::CertificateSnNew => &mut found[4],
                SigningHeader::SignatureNew => &mut found[5],
                // Request-only headers a future version may add.
                #[allow(unreachable_patterns)]
                _ => continue,
            };
            if slot.is_some() {
                return Err(WebhookError::DuplicateHeader { header });
            }
            // HTTP strips optional whitespace around values; a framework may not have.
            *slot = Some(value.as_ref().trim().to_owned());
        }
        let [timestamp, nonce, sn, signature, sn_new, signature_new] = found;
        assemble(timestamp, nonce, [sn, signature], [sn_new, signature_new])
    }

    /// `BinancePay-Timestamp` as received.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// `BinancePay-Nonce` as received.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `BinancePay-Certificate-SN` as received: the serial of the signing certificate; `None`
    /// when the webhook carries only the `-New` pair.
    pub fn certificate_sn(&self) -> Option<&str> {
        self.old.as_ref().map(|p| p.serial.as_str())
    }

    /// `BinancePay-Signature` as received (base64); `None` with only the `-New` pair.
    pub fn signature(&self) -> Option<&str> {
        self.old.as_ref().map(|p| p.signature.as_str())
    }

    /// `BinancePay-Certificate-SN-New` as received: the serial of Binance's new platform
    /// certificate; `None` when the webhook carries only the old pair.
    pub fn certificate_sn_new(&self) -> Option<&str> {
        self.new.as_ref().map(|p| p.serial.as_str())
    }

    /// `BinancePay-Signature-New` as received (base64); `None` with only the old pair.
    pub fn signature_new(&self) -> Option<&str> {
        self.new.as_ref().map(|p| p.signature.as_str())
    }
}

/// A `certPublic` that does not parse, or a serial listed twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The PEM of certificate `serial` is not an acceptable RSA public key.
    #[error("certificate {serial:?}: certPublic is not an acceptable RSA public key: {source}")]
    InvalidKey {
        /// The certificate's `certSerial` (truncated to 64 characters).
        serial: String,
        /// Why the key was refused.
        #[source]
        source: binancepay_sign::Error,
    },
    /// Two certificates carry the same serial with different keys.
    #[error("certificate {serial:?}: serial listed twice with different keys")]
    DuplicateSerial {
        /// The repeated `certSerial` (truncated to 64 characters).
        serial: String,
    },
}

/// Binance's webhook verification keys, keyed by certificate serial.
///
/// Fill it from the certificates endpoint ([`CertificateStore::from_certificates`]), keep
/// it, and rebuild it only when a webhook names an unknown serial
/// ([`WebhookError::UnknownCertificate`]), not on every notification.
#[derive(Debug, Clone, Default)]
pub struct CertificateStore {
    keys: BTreeMap<String, (String, WebhookPublicKey)>,
}

impl CertificateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses every `certPublic` PEM of a certificates response.
    ///
    /// # Errors
    /// [`CertificateError::InvalidKey`] naming the first serial whose key does not parse
    /// (or is under 1024 / over 8192 bits); [`CertificateError::DuplicateSerial`].
    pub fn from_certificates(certificates: Vec<Certificate>) -> Result<Self, CertificateError> {
        let mut store = CertificateStore::new();
        for certificate in certificates {
            store.insert_pem(certificate.cert_serial, &certificate.cert_public)?;
        }
        Ok(store)
    }

    /// Adds (or, for the same PEM, keeps) the key of `serial`.
    ///
    /// # Errors
    /// As [`CertificateStore::from_certificates`].
    pub fn insert_pem(&mut self, serial: String, pem: &str) -> Result<(), CertificateError> {
        if let Some((known, _)) = self.keys.get(&serial) {
            if known.trim() == pem.trim() {
                return Ok(());
            }
            return Err(CertificateError::DuplicateSerial {
                serial: truncate_chars(&serial, 64),
            });
        }
        let key =
            WebhookPublicKey::from_pem(pem).map_err(|source| CertificateError::InvalidKey {
                serial: truncate_chars(&serial, 64),
                source,
            })?;
        self.keys.insert(serial, (pem.to_owned(), key));
        Ok(())
    }

    /// The key of `serial`, compared exactly.
    pub fn get(&self, serial: &str) -> Option<&WebhookPublicKey> {
        self.keys.get(serial).map(|(_, key)| key)
    }

    /// The known serials, sorted.
    pub fn serials(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// How many keys are known.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is known.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Verifies incoming notifications and decodes them.
///
/// Checks, in this order: body size; the headers; timestamp syntax; for each signature pair
/// present, the certificate serial and the RSA signature over `timestamp\nnonce\nbody\n` of
/// the **raw** body bytes (old pair first, see the [module docs](self) for the policy with two
/// certificates); the freshness window; then decodes the [`Notification`]. The nonce is taken
/// as it arrived (Binance does not promise its format for webhooks).
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    store: CertificateStore,
    /// The new platform certificates; `None` while their list is not known.
    new_store: Option<CertificateStore>,
    window_ms: Option<u64>,
    max_body_bytes: usize,
}

impl WebhookVerifier {
    /// A verifier with [`DEFAULT_FRESHNESS_WINDOW_MS`] and [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new(store: CertificateStore) -> Self {
        WebhookVerifier {
            store,
            new_store: None,
            window_ms: Some(DEFAULT_FRESHNESS_WINDOW_MS),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Sets the freshness window in milliseconds either side of `now`; `None` accepts any
    /// timestamp (only for callers with their own replay defence).
    pub fn with_freshness_window(mut self, window_ms: Option<u64>) -> Self {
        self.window_ms = window_ms;
        self
    }

    /// Sets the largest accepted body.
    pub fn with_max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// The certificates in use.
    pub fn store(&self) -> &CertificateStore {
        &self.store
    }

    /// Replaces the certificates, e.g. after [`WebhookError::UnknownCertificate`].
    pub fn set_store(&mut self, store: CertificateStore) {
        self.store = store;
    }

    /// Sets the new platform certificates (the list of the new certificates endpoint, possibly
    /// empty); `None` (the default) means that list is not known.
    #[must_use]
    pub fn with_new_store(mut self, new_store: Option<CertificateStore>) -> Self {
        self.new_store = new_store;
        self
    }

    /// The new platform certificates, when their list is known.
    pub fn new_store(&self) -> Option<&CertificateStore> {
        self.new_store.as_ref()
    }

    /// Replaces the new platform certificates, e.g. after
    /// [`WebhookError::UnknownNewCertificate`].
    pub fn set_new_store(&mut self, new_store: Option<CertificateStore>) {
        self.new_store = new_store;
    }

    /// Whether a webhook with these headers would be accepted on its old pair alone because
    /// its `-New` pair cannot be checked yet (it has both pairs and the new list is not known):
    /// worth a log line, never a refusal.
    pub fn new_pair_unchecked(&self, headers: &WebhookHeaders) -> bool {
        headers.old.is_some() && headers.new.is_some() && self.new_store.is_none()
    }

    /// Verifies a notification given its `http::HeaderMap` and raw body bytes.
    ///
    /// # Errors
    /// Every [`WebhookError`] variant; [`WebhookError::UnknownCertificate`] means "refresh
    /// the certificates, then call again".
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Notification, WebhookError> {
        self.check_size(body)?;
        let headers = WebhookHeaders::from_header_map(headers)?;
        self.verify_values(&headers, body, now)
    }

    /// Verifies a notification whose headers were read with [`WebhookHeaders`].
    ///
    /// # Errors
    /// As [`WebhookVerifier::verify`].
    pub fn verify_headers(
        &self,
        headers: &WebhookHeaders,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Notification, WebhookError> {
        self.check_size(body)?;
        self.verify_values(headers, body, now)
    }

    fn check_size(&self, body: &[u8]) -> Result<(), WebhookError> {
        if body.len() > self.max_body_bytes {
            return Err(WebhookError::BodyTooLarge {
                limit: self.max_body_bytes,
                got: body.len(),
            });
        }
        Ok(())
    }

    fn verify_values(
        &self,
        v: &WebhookHeaders,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Notification, WebhookError> {
        let timestamp = Timestamp::parse(&v.timestamp).map_err(WebhookError::InvalidTimestamp)?;
        if let Some(old) = &v.old {
            let key =
                self.store
                    .get(&old.serial)
                    .ok_or_else(|| WebhookError::UnknownCertificate {
                        serial: truncate_chars(&old.serial, 64),
                    })?;
            key.verify(&v.timestamp, &v.nonce, body, &old.signature)
                .map_err(WebhookError::InvalidSignature)?;
        }
        if let Some(new) = &v.new {
            let unknown = || WebhookError::UnknownNewCertificate {
                serial: truncate_chars(&new.serial, 64),
            };
            match &self.new_store {
                Some(store) => {
                    let key = store.get(&new.serial).ok_or_else(unknown)?;
                    key.verify(&v.timestamp, &v.nonce, body, &new.signature)
                        .map_err(WebhookError::InvalidNewSignature)?;
                }
                // The list is not known: the old pair, verified above, decides alone.
                None if v.old.is_some() => {}
                None => return Err(unknown()),
            }
        }
        if let Some(window_ms) = self.window_ms {
            check_freshness(now, timestamp, window_ms).map_err(|e| WebhookError::Stale {
                skew_ms: skew_ms(&e),
                window_ms,
            })?;
        }
        Ok(Notification::from_slice(body)?)
    }
}

pub(crate) fn skew_ms(error: &binancepay_sign::Error) -> i64 {
    match error {
        binancepay_sign::Error::TimestampOutsideWindow { skew_ms, .. } => *skew_ms,
        _ => 0,
    }
}

/// The HTTP answer to a webhook: status 200, `Content-Type: application/json`, and the
/// reply's JSON (`{"returnCode":"SUCCESS","returnMessage":null}` for
/// [`WebhookReply::success`]; a `FAIL` reply asks Binance to deliver again).
pub fn webhook_reply(reply: &WebhookReply) -> Response<Vec<u8>> {
    let mut response = Response::new(reply.to_json());
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
