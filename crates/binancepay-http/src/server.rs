//! The server side of the scheme, for the sandbox and for mocks: authenticating signed
//! requests the way Binance does, answering with Binance's envelopes, signing webhooks.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use binancepay_sign::{ApiKey, Nonce, RequestSigner, Timestamp, check_freshness};
use binancepay_types::ResultCode;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::error::{SYSTEM_ABNORMALITY, truncate_chars};
use crate::headers::{HeaderProblem, SigningHeader, SigningValues};

/// Finds the signer of a known API key.
pub trait ApiKeyLookup {
    /// The signer keyed with the secret of `api_key`, if the key is known.
    fn signer(&self, api_key: &ApiKey) -> Option<&RequestSigner>;
}

impl<S: BuildHasher> ApiKeyLookup for HashMap<String, RequestSigner, S> {
    fn signer(&self, api_key: &ApiKey) -> Option<&RequestSigner> {
        self.get(api_key.as_str())
    }
}

impl ApiKeyLookup for BTreeMap<String, RequestSigner> {
    fn signer(&self, api_key: &ApiKey) -> Option<&RequestSigner> {
        self.get(api_key.as_str())
    }
}

impl ApiKeyLookup for (ApiKey, RequestSigner) {
    fn signer(&self, api_key: &ApiKey) -> Option<&RequestSigner> {
        (self.0.as_str() == api_key.as_str()).then_some(&self.1)
    }
}

impl<T: ApiKeyLookup + ?Sized> ApiKeyLookup for &T {
    fn signer(&self, api_key: &ApiKey) -> Option<&RequestSigner> {
        (**self).signer(api_key)
    }
}

/// A request whose signature checked out.
#[derive(Debug, Clone)]
pub struct AuthenticatedRequest<'a> {
    /// The merchant's API key.
    pub api_key: ApiKey,
    /// The signed timestamp (inside the window).
    pub timestamp: Timestamp,
    /// The signed nonce. Detecting reuse needs state, so it is the caller's job.
    pub nonce: Nonce,
    /// The request path, e.g. `/binancepay/openapi/v3/order`.
    pub path: &'a str,
    /// The signed body: one JSON object.
    pub body: &'a [u8],
}

/// Why a request was refused; each maps to Binance's result code, HTTP status and body.
///
/// Binance documents no HTTP statuses for these answers: every `FAIL` travels with 400 (see
/// [`status_for_code`]). The system error `100001001` (wrong method, no content type, no body)
/// is answered with 405, 415 and 400 respectively.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The method is not `POST` (system error `100001001`).
    #[error("method {method}: every endpoint takes POST")]
    MethodNotAllowed {
        /// The method used (truncated to 16 characters).
        method: String,
    },
    /// No `Content-Type` (system error `100001001`).
    #[error("Content-Type is missing; send application/json")]
    MissingContentType,
    /// A `Content-Type` other than `application/json` (`400007`).
    #[error("Content-Type {content_type:?}: must be application/json")]
    UnsupportedContentType {
        /// The value sent (truncated to 64 characters).
        content_type: String,
    },
    /// No body at all (system error `100001001`).
    #[error("the request has no body; send a JSON object, `{{}}` when there are no fields")]
    EmptyBody,
    /// A signing header is absent, repeated or not UTF-8.
    #[error("header {header}: {problem}")]
    Header {
        /// Which header.
        header: SigningHeader,
        /// What is wrong: "missing", "repeated" or "not UTF-8".
        problem: &'static str,
    },
    /// The API key is not 1..=128 ASCII letters or digits (`400005`).
    #[error("BinancePay-Certificate-SN: API key format is invalid")]
    BadApiKeyFormat,
    /// The API key is not known (`400004`).
    #[error("BinancePay-Certificate-SN: API key is not known")]
    UnknownApiKey,
    /// The timestamp is not epoch milliseconds (`400003`).
    #[error("BinancePay-Timestamp: must be epoch milliseconds")]
    InvalidTimestamp,
    /// The timestamp is outside the window (`400003`).
    #[error("BinancePay-Timestamp: {skew_ms} ms from now, outside the {window_ms} ms window")]
    StaleTimestamp {
        /// `now - timestamp` in milliseconds.
        skew_ms: i64,
        /// The window.
        window_ms: u64,
    },
    /// The nonce is not 32 ASCII letters or digits (`400001`).
    #[error("BinancePay-Nonce: must be exactly 32 ASCII letters or digits")]
    InvalidNonce,
    /// The signature does not match (`400002`).
    #[error("BinancePay-Signature: signature for this request is not valid")]
    InvalidSignature,
    /// The signed body is not one JSON object (`400008`).
    #[error("request body: must be one UTF-8 JSON object")]
    InvalidBody,
}

impl AuthError {
    /// The code Binance answers with: a six-digit result code, or `100001001` for the
    /// system-error shape.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MethodNotAllowed { .. }
            | AuthError::MissingContentType
            | AuthError::EmptyBody => SYSTEM_ABNORMALITY,
            AuthError::UnsupportedContentType { .. } => "400007",
            AuthError::Header { header, .. } => match header {
                SigningHeader::Timestamp => "400003",
                SigningHeader::CertificateSn => "400005",
                // Requests never carry the `-New` pair; a signature problem if one were named.
                SigningHeader::Signature
                | SigningHeader::CertificateSnNew
                | SigningHeader::SignatureNew => "400002",
                SigningHeader::Nonce => "400001",
            },
            AuthError::BadApiKeyFormat => "400005",
            AuthError::UnknownApiKey => "400004",
            AuthError::InvalidTimestamp | AuthError::StaleTimestamp { .. } => "400003",
            AuthError::InvalidNonce => "400001",
            AuthError::InvalidSignature => "400002",
            AuthError::InvalidBody => "400008",
        }
    }

    /// The result code as the typed [`ResultCode`].
    pub fn result_code(&self) -> ResultCode {
        ResultCode::from_code(self.code())
    }

    /// Whether Binance answers this with the system-error shape rather than a FAIL envelope.
    pub fn is_system_error(&self) -> bool {
        self.code() == SYSTEM_ABNORMALITY
    }

    /// The HTTP status of the answer (see the type's docs for the mapping).
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AuthError::MissingContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AuthError::EmptyBody => StatusCode::BAD_REQUEST,
            _ => status_for_code(self.code()),
        }
    }

    /// The `errorMessage` of the answer: for a wrong signature or timestamp, the text Binance's
    /// pages print for the code, word for word; otherwise what was wrong (a missing header is
    /// named, as no page prints a message for it).
    pub fn wire_message(&self) -> String {
        let documented = match self {
            AuthError::InvalidSignature
            | AuthError::InvalidTimestamp
            | AuthError::StaleTimestamp { .. } => self.result_code().documented_message(),
            _ => None,
        };
        documented.map_or_else(|| self.to_string(), str::to_owned)
    }

    /// The complete answer: the FAIL envelope (`{"status":"FAIL","code":…,"errorMessage":…}`,
    /// with the message Binance's pages print for the code when they print one, e.g.
    /// `Timestamp for this request is outside of the recvWindow.` for `400003`)
    /// or, for `100001001`, `{"status":"ERROR","type":"SYS","code":"100001001","errorData":"System abnormality"}`.
    pub fn response(&self) -> Response<Vec<u8>> {
        if self.is_system_error() {
            let body = br#"{"status":"ERROR","type":"SYS","code":"100001001","errorData":"System abnormality"}"#;
            let mut response = json_response(self.status(), body.to_vec());
            if let AuthError::MethodNotAllowed { .. } = self {
                // A 405 names the methods the resource supports (RFC 9110 §15.5.6).
                response
                    .headers_mut()
                    .insert(http::header::ALLOW, HeaderValue::from_static("POST"));
            }
            return response;
        }
        let mut response = fail_response(self.code(), &self.wire_message());
        *response.status_mut() = self.status();
        response
    }
}

/// The HTTP status for a FAIL with `code`: 400 for every code.
///
/// Binance documents no HTTP status for its `FAIL` envelopes (its FAQ shows only the
/// CloudFront HTML 403 of a wrong path). A community Rust client reads error bodies under HTTP
/// 400 only, which is the one hint of what Binance sends; one community C# SDK maps codes to
/// 401/403/404/406/409, which made `ORDER_NOT_FOUND` look like the wrong-path 403. So every
/// `FAIL` travels with 400, the least surprising status, and clients decide on the envelope.
pub fn status_for_code(code: &str) -> StatusCode {
    let _ = code;
    StatusCode::BAD_REQUEST
}

fn header_problem(header: SigningHeader, problem: HeaderProblem) -> AuthError {
    AuthError::Header {
        header,
        problem: match problem {
            HeaderProblem::Missing => "missing",
            HeaderProblem::Duplicated => "repeated",
            HeaderProblem::NotUtf8 => "not UTF-8",
        },
    }
}

/// Authenticates a signed request as Binance does, checking in this order: method `POST`;
/// `Content-Type: application/json` (parameters such as `; charset=utf-8` allowed); a body;
/// the four headers; API key format (`400005`); key known (`400004`); timestamp syntax and
/// window (`400003`); nonce format (`400001`); the HMAC signature in constant time
/// (`400002`); the body is a JSON object (`400008`).
///
/// `window_ms` applies either side of `now`; Binance documents 1 s.
///
/// # Errors
/// The first [`AuthError`] met; [`AuthError::response`] is the answer to send.
pub fn authenticate<'a, B, K>(
    request: &'a Request<B>,
    keys: &K,
    now: Timestamp,
    window_ms: u64,
) -> Result<AuthenticatedRequest<'a>, AuthError>
where
    B: AsRef<[u8]>,
    K: ApiKeyLookup + ?Sized,
{
    let authenticated = authenticate_signature(request, keys, now, window_ms)?;
    if !is_json_object(authenticated.body) {
        return Err(AuthError::InvalidBody);
    }
    Ok(authenticated)
}

/// [`authenticate`] up to and including the signature, without the last check that the body is
/// one JSON object (`400008`), for a server that parses the body anyway: parse it, and when that
/// fails answer [`AuthError::InvalidBody`] if [`is_json_object`] says so, else the parameter
/// error. Only the body's first non-blank character is checked here (`{`), so that a JSON array
/// cannot reach a parser that would read it as a struct.
///
/// # Errors
/// As [`authenticate`]; [`AuthError::InvalidBody`] only for a body not starting with `{`.
pub fn authenticate_signature<'a, B, K>(
    request: &'a Request<B>,
    keys: &K,
    now: Timestamp,
    window_ms: u64,
) -> Result<AuthenticatedRequest<'a>, AuthError>
where
    B: AsRef<[u8]>,
    K: ApiKeyLookup + ?Sized,
{
    if request.method() != Method::POST {
        return Err(AuthError::MethodNotAllowed {
            method: truncate_chars(request.method().as_str(), 16),
        });
    }
    let headers = request.headers();
    let content_type = headers
        .get(CONTENT_TYPE)
        .ok_or(AuthError::MissingContentType)?;
    if !is_json_content_type(content_type) {
        return Err(AuthError::UnsupportedContentType {
            content_type: truncate_chars(&String::from_utf8_lossy(content_type.as_bytes()), 64),
        });
    }
    let body = request.body().as_ref();
    if body.is_empty() {
        return Err(AuthError::EmptyBody);
    }
    let values = SigningValues::from_map(headers).map_err(|(h, p)| header_problem(h, p))?;
    let api_key = ApiKey::new(values.certificate_sn).map_err(|_| AuthError::BadApiKeyFormat)?;
    let signer = keys.signer(&api_key).ok_or(AuthError::UnknownApiKey)?;
    let timestamp = Timestamp::parse(values.timestamp).map_err(|_| AuthError::InvalidTimestamp)?;
    // The signature covers the header text as sent, but verification signs the canonical digits:
    // refuse any other spelling of the same number (leading zeros) instead of checking the wrong text.
    if !is_canonical_decimal(values.timestamp, timestamp.as_millis()) {
        return Err(AuthError::InvalidTimestamp);
    }
    check_freshness(now, timestamp, window_ms).map_err(|e| AuthError::StaleTimestamp {
        skew_ms: match e {
            binancepay_sign::Error::TimestampOutsideWindow { skew_ms, .. } => skew_ms,
            _ => 0,
        },
        window_ms,
    })?;
    let nonce = Nonce::new(values.nonce).map_err(|_| AuthError::InvalidNonce)?;
    signer
        .verify(&timestamp, &nonce, body, values.signature)
        .map_err(|_| AuthError::InvalidSignature)?;
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(AuthError::InvalidBody);
    }
    Ok(AuthenticatedRequest {
        api_key,
        timestamp,
        nonce,
        path: request.uri().path(),
        body,
    })
}

fn is_json_content_type(value: &HeaderValue) -> bool {
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Whether `body` is exactly one UTF-8 JSON object (whitespace around it allowed): the rule
/// behind `400008`.
///
/// ```
/// use binancepay_http::server::is_json_object;
///
/// assert!(is_json_object(br#" {"merchantTradeNo":"A1"} "#));
/// assert!(!is_json_object(b"[1]"));
/// assert!(!is_json_object(br#"{"a":1} x"#));
/// ```
pub fn is_json_object(body: &[u8]) -> bool {
    let Ok(text) = core::str::from_utf8(body) else {
        return false;
    };
    text.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[derive(Serialize)]
struct SuccessEnvelope<'a, T: ?Sized> {
    status: &'static str,
    code: &'static str,
    data: &'a T,
}

#[derive(Serialize)]
struct FailEnvelope<'a> {
    status: &'static str,
    code: &'a str,
    #[serde(rename = "errorMessage")]
    error_message: &'a str,
}

/// HTTP 200 with `{"status":"SUCCESS","code":"000000","data":…}`.
///
/// # Errors
/// serde_json's error if `data` cannot be serialised (e.g. a map with non-string keys).
pub fn success_response<T: Serialize + ?Sized>(
    data: &T,
) -> Result<Response<Vec<u8>>, serde_json::Error> {
    envelope_response("SUCCESS", "000000", data)
}

/// HTTP 200 with `{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":…}`: the answer to a
/// repeated `requestId`, carrying the first request's result (Binance's Transfer Fund page).
///
/// # Errors
/// As [`success_response`].
pub fn replay_response<T: Serialize + ?Sized>(
    data: &T,
) -> Result<Response<Vec<u8>>, serde_json::Error> {
    envelope_response("REPEAT_REQ_SUCCESS", "000001", data)
}

fn envelope_response<T: Serialize + ?Sized>(
    status: &'static str,
    code: &'static str,
    data: &T,
) -> Result<Response<Vec<u8>>, serde_json::Error> {
    // Most answers fit in 1 KiB; starting there skips the doubling from 8 bytes up.
    let mut body = Vec::with_capacity(1024);
    serde_json::to_writer(&mut body, &SuccessEnvelope { status, code, data })?;
    Ok(json_response(StatusCode::OK, body))
}

/// `{"status":"FAIL","code":…,"errorMessage":…}` with the status of [`status_for_code`];
/// the message is cut to Binance's 256-character limit.
pub fn fail_response(code: &str, message: &str) -> Response<Vec<u8>> {
    let message: String = message.chars().take(256).collect();
    let envelope = FailEnvelope {
        status: "FAIL",
        code,
        error_message: &message,
    };
    // Two strings cannot fail to serialise; the fallback keeps this total anyway.
    let body = serde_json::to_vec(&envelope)
        .unwrap_or_else(|_| br#"{"status":"FAIL","code":"400000","errorMessage":null}"#.to_vec());
    json_response(status_for_code(code), body)
}

/// Whether `text` is exactly the plain decimal spelling of `value` (no sign, no leading zeros).
fn is_canonical_decimal(text: &str, value: u64) -> bool {
    let mut digits = [0u8; 20];
    let mut rest = value;
    let mut start = digits.len();
    loop {
        start -= 1;
        // `rest % 10` is below 10, so the cast cannot truncate.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    text.as_bytes() == &digits[start..]
}

#[cfg(feature = "signing")]
#[cfg_attr(docsrs, doc(cfg(feature = "signing")))]
pub use signing::{add_new_pair, sign_webhook, webhook_request};

#[cfg(feature = "signing")]
mod signing {
    use binancepay_sign::webhook::WebhookSigningKey;
    use binancepay_sign::{Nonce, Timestamp};
    use http::header::CONTENT_TYPE;
    use http::{HeaderMap, HeaderValue, Method, Request, Uri};

    use crate::error::{Error, truncate_chars};
    use crate::headers::{
        BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_CERTIFICATE_SN_NEW, BINANCEPAY_NONCE,
        BINANCEPAY_SIGNATURE, BINANCEPAY_SIGNATURE_NEW, BINANCEPAY_TIMESTAMP,
    };

    /// Adds the new platform certificate's pair to a webhook's headers:
    /// `BinancePay-Certificate-SN-New` = `serial` and `BinancePay-Signature-New` = base64
    /// RSA-SHA256 under `key` over the same `timestamp\nnonce\nbody\n` as the old pair.
    ///
    /// # Errors
    /// [`Error::InvalidHeaderValue`] if `serial` is not a valid header value;
    /// [`Error::Sign`] if the RSA operation fails.
    pub fn add_new_pair(
        headers: &mut HeaderMap,
        key: &WebhookSigningKey,
        serial: &str,
        body: &[u8],
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<(), Error> {
        let invalid = |header| move |_| Error::InvalidHeaderValue { header };
        let ts = timestamp.as_millis().to_string();
        let signature = key.sign(&ts, nonce.as_str(), body).map_err(Error::Sign)?;
        headers.insert(
            BINANCEPAY_CERTIFICATE_SN_NEW,
            HeaderValue::from_str(serial).map_err(invalid("BinancePay-Certificate-SN-New"))?,
        );
        headers.insert(
            BINANCEPAY_SIGNATURE_NEW,
            HeaderValue::from_str(&signature).map_err(invalid("BinancePay-Signature-New"))?,
        );
        Ok(())
    }

    /// The headers of an outgoing webhook: `Content-Type` and the four `BinancePay-*`
    /// headers, the signature being base64 RSA-SHA256 over `timestamp\nnonce\nbody\n`.
    ///
    /// # Errors
    /// [`Error::InvalidHeaderValue`] if `serial` is not a valid header value;
    /// [`Error::Sign`] if the RSA operation fails.
    pub fn sign_webhook(
        key: &WebhookSigningKey,
        serial: &str,
        body: &[u8],
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<HeaderMap, Error> {
        let invalid = |header| move |_| Error::InvalidHeaderValue { header };
        let ts = timestamp.as_millis().to_string();
        let signature = key.sign(&ts, nonce.as_str(), body).map_err(Error::Sign)?;
        let mut headers = HeaderMap::with_capacity(5);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            BINANCEPAY_TIMESTAMP,
            HeaderValue::from(timestamp.as_millis()),
        );
        headers.insert(
            BINANCEPAY_NONCE,
            HeaderValue::from_str(nonce.as_str()).map_err(invalid("BinancePay-Nonce"))?,
        );
        headers.insert(
            BINANCEPAY_CERTIFICATE_SN,
            HeaderValue::from_str(serial).map_err(invalid("BinancePay-Certificate-SN"))?,
        );
        headers.insert(
            BINANCEPAY_SIGNATURE,
            HeaderValue::from_str(&signature).map_err(invalid("BinancePay-Signature"))?,
        );
        Ok(headers)
    }

    /// A complete signed `POST` of `body` to the merchant's webhook `url`.
    ///
    /// # Errors
    /// [`Error::InvalidBaseUrl`] if `url` is not an absolute http(s) URI; as [`sign_webhook`].
    pub fn webhook_request(
        url: &str,
        key: &WebhookSigningKey,
        serial: &str,
        body: Vec<u8>,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<Request<Vec<u8>>, Error> {
        let uri = Uri::try_from(url).map_err(|_| Error::InvalidBaseUrl {
            url: truncate_chars(url, 64),
            rule: "webhook URL must parse as a URI",
        })?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(Error::InvalidBaseUrl {
                url: truncate_chars(url, 64),
                rule: "webhook URL must be absolute with scheme http or https",
            });
        }
        let headers = sign_webhook(key, serial, &body, timestamp, nonce)?;
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }
}
