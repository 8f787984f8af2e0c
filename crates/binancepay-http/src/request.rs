//! Building signed `http::Request`s: serialise once, sign those bytes, send those bytes.

use core::fmt;

use binancepay_sign::{ApiKey, ApiSecret, Nonce, RequestSigner, Timestamp};
use binancepay_types::Endpoint;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};

use crate::error::{Error, truncate_chars};
use crate::headers::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP,
};

/// Production host of the merchant API.
pub const PRODUCTION_BASE_URL: &str = "https://bpay.binanceapi.com";

/// Every merchant endpoint lives under this path.
pub const OPENAPI_PATH_PREFIX: &str = "/binancepay/openapi/";

/// `User-Agent` sent unless [`RequestBuilder::with_user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("binancepay-rs/", env!("CARGO_PKG_VERSION"));

const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Builds signed requests for one merchant API key; holds no connection and reads no clock.
///
/// One generic [`build`](Self::build) serves every endpoint. The caller passes the
/// timestamp and nonce, sends the returned `http::Request<Vec<u8>>` with any HTTP stack
/// (without touching the body), and hands the answer to [`parse_response`](crate::parse_response).
///
/// `Clone` is cheap enough to share one builder per task; it is also `Send + Sync`.
/// `Debug` shows neither the secret nor the API key.
#[derive(Clone)]
pub struct RequestBuilder {
    api_key: ApiKey,
    api_key_value: HeaderValue,
    signer: RequestSigner,
    base_url: String,
    target: Target,
    user_agent: HeaderValue,
}

/// The base URL taken apart once, so that building a request does not parse it again.
#[derive(Clone, Debug)]
struct Target {
    scheme: Scheme,
    authority: Authority,
    /// Path prefix of the base URL without its trailing `/`; usually empty.
    prefix: String,
}

impl Target {
    fn production() -> Self {
        Target {
            scheme: Scheme::HTTPS,
            authority: Authority::from_static("bpay.binanceapi.com"),
            prefix: String::new(),
        }
    }
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("api_key", &"[REDACTED]")
            .field("signer", &"[REDACTED]")
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl RequestBuilder {
    /// A builder for `api_key` signing with `secret`, against [`PRODUCTION_BASE_URL`].
    ///
    /// # Errors
    /// [`Error::InvalidHeaderValue`] if the key cannot be a header value (a validated
    /// [`ApiKey`] always can).
    pub fn new(api_key: ApiKey, secret: &ApiSecret) -> Result<Self, Error> {
        Self::from_signer(api_key, RequestSigner::new(secret))
    }

    /// A builder from an already keyed [`RequestSigner`].
    ///
    /// # Errors
    /// As [`RequestBuilder::new`].
    pub fn from_signer(api_key: ApiKey, signer: RequestSigner) -> Result<Self, Error> {
        let mut api_key_value =
            HeaderValue::from_str(api_key.as_str()).map_err(|_| Error::InvalidHeaderValue {
                header: "BinancePay-Certificate-SN",
            })?;
        // The key identifies the merchant; keep it out of logs like the signature.
        api_key_value.set_sensitive(true);
        Ok(RequestBuilder {
            api_key,
            api_key_value,
            signer,
            base_url: PRODUCTION_BASE_URL.to_owned(),
            target: Target::production(),
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
        })
    }

    /// Sends requests to `base_url` instead, e.g. a local mock at `http://127.0.0.1:8080`.
    ///
    /// The URL must be absolute `http` or `https` with a host, and carry no query or
    /// fragment. A path prefix is kept (`https://proxy.example/bpay` + endpoint path);
    /// a trailing `/` is dropped.
    ///
    /// # Errors
    /// [`Error::InvalidBaseUrl`] naming the rule the URL breaks.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, Error> {
        let (base_url, target) = validate_base_url(base_url)?;
        self.base_url = base_url;
        self.target = target;
        Ok(self)
    }

    /// Sends `user_agent` as the `User-Agent` header.
    ///
    /// # Errors
    /// [`Error::InvalidUserAgent`] unless it is 1..=256 printable ASCII characters.
    pub fn with_user_agent(mut self, user_agent: &str) -> Result<Self, Error> {
        let ok = (1..=256).contains(&user_agent.len())
            && user_agent.bytes().all(|b| (b' '..=b'~').contains(&b));
        let invalid = || Error::InvalidUserAgent {
            value: truncate_chars(user_agent, 64),
        };
        if !ok {
            return Err(invalid());
        }
        self.user_agent = HeaderValue::from_str(user_agent).map_err(|_| invalid())?;
        Ok(self)
    }

    /// The API key sent as `BinancePay-Certificate-SN`.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// The base URL requests go to (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Validates `request`, serialises it once, signs exactly those bytes and returns the
    /// `POST` request with `Content-Type`, `User-Agent` and the four `BinancePay-*` headers
    /// (key and signature marked sensitive).
    ///
    /// # Errors
    /// [`Error::Validation`] with every rule the request breaks; [`Error::Serialize`];
    /// [`Error::InvalidBaseUrl`] if the base URL and the endpoint path do not form a URI.
    pub fn build<E: Endpoint>(
        &self,
        request: &E,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<Request<Vec<u8>>, Error> {
        request.validate()?;
        // A typical create-order is about 1.3 KB; 2 KiB holds it without reallocating.
        let mut body = Vec::with_capacity(2048);
        request
            .write_body(&mut body)
            .map_err(|e| Error::Serialize {
                operation: E::OPERATION,
                message: e.to_string(),
            })?;
        self.assemble(
            Bytes::from_static(E::PATH.as_bytes()),
            body,
            timestamp,
            nonce,
        )
    }

    /// Signs a body you serialised yourself, for an endpoint not modelled yet.
    ///
    /// `path` must start with [`OPENAPI_PATH_PREFIX`] and have no query; `body` must be one
    /// UTF-8 JSON object and is signed and sent byte for byte as given.
    ///
    /// # Errors
    /// [`Error::InvalidPath`], [`Error::InvalidBody`], or [`Error::InvalidBaseUrl`].
    pub fn build_raw(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<Request<Vec<u8>>, Error> {
        validate_path(path)?;
        let body = body.into();
        validate_json_object(&body)?;
        self.assemble(
            Bytes::copy_from_slice(path.as_bytes()),
            body,
            timestamp,
            nonce,
        )
    }

    /// Signs `body` and returns the four `BinancePay-*` headers, without touching any request
    /// (the shape of aws-sigv4's signing instructions): the first attempt and every retry apply
    /// them to whatever request type their HTTP stack uses, over the same body bytes.
    ///
    /// ```
    /// use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp, BINANCEPAY_NONCE};
    ///
    /// let builder = RequestBuilder::new(ApiKey::new("abc123")?, &ApiSecret::new("secret")?)?;
    /// let body = br#"{"merchantTradeNo":"A1"}"#;
    /// let nonce = Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA")?;
    /// let signed = builder.sign(body, Timestamp::from_millis(1_700_000_000_000)?, &nonce)?;
    /// let mut headers = http::HeaderMap::new();
    /// signed.apply_to(&mut headers);
    /// assert_eq!(headers[BINANCEPAY_NONCE], "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA");
    /// assert_eq!(headers.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidHeaderValue`] (not expected with validated inputs).
    pub fn sign(
        &self,
        body: &[u8],
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<SigningHeaders, Error> {
        let signature = self.signer.sign(&timestamp, nonce, body);
        let nonce =
            HeaderValue::from_str(nonce.as_str()).map_err(|_| Error::InvalidHeaderValue {
                header: "BinancePay-Nonce",
            })?;
        let mut signature =
            HeaderValue::from_str(signature.as_str()).map_err(|_| Error::InvalidHeaderValue {
                header: "BinancePay-Signature",
            })?;
        signature.set_sensitive(true);
        Ok(SigningHeaders {
            timestamp: HeaderValue::from(timestamp.as_millis()),
            nonce,
            certificate_sn: self.api_key_value.clone(),
            signature,
        })
    }

    /// Replaces the timestamp, nonce and signature (and the key header) of a request built
    /// earlier, signing the same body bytes: what a retry needs, since Binance refuses a
    /// stale timestamp but the body must not be serialised again. The same as applying
    /// [`sign`](Self::sign)'s headers to the request.
    ///
    /// # Errors
    /// [`Error::InvalidHeaderValue`] (not expected with validated inputs).
    pub fn resign(
        &self,
        request: &mut Request<Vec<u8>>,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<(), Error> {
        let headers = self.sign(request.body(), timestamp, nonce)?;
        headers.apply_to(request.headers_mut());
        Ok(())
    }

    /// `path` is borrowed for the `'static` paths of modelled endpoints, so the common case
    /// neither copies nor re-parses the base URL.
    fn assemble(
        &self,
        path: Bytes,
        body: Vec<u8>,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<Request<Vec<u8>>, Error> {
        let uri = self.uri(path).ok_or_else(|| Error::InvalidBaseUrl {
            url: truncate_chars(&self.base_url, 64),
            rule: "base URL followed by the endpoint path must form a valid URI",
        })?;
        let signed = self.sign(&body, timestamp, nonce)?;
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.reserve(6);
        headers.insert(CONTENT_TYPE, JSON);
        headers.insert(USER_AGENT, self.user_agent.clone());
        signed.apply_to(headers);
        Ok(request)
    }
}

impl RequestBuilder {
    /// The base URL's scheme and authority with its prefix followed by `path`.
    fn uri(&self, path: Bytes) -> Option<Uri> {
        let path = if self.target.prefix.is_empty() {
            path
        } else {
            let mut joined = Vec::with_capacity(self.target.prefix.len() + path.len());
            joined.extend_from_slice(self.target.prefix.as_bytes());
            joined.extend_from_slice(&path);
            Bytes::from(joined)
        };
        let path_and_query = PathAndQuery::from_maybe_shared(path).ok()?;
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.target.scheme.clone());
        parts.authority = Some(self.target.authority.clone());
        parts.path_and_query = Some(path_and_query);
        Uri::from_parts(parts).ok()
    }
}

#[cfg(feature = "std-clock")]
#[cfg_attr(docsrs, doc(cfg(feature = "std-clock")))]
impl RequestBuilder {
    /// [`build`](Self::build) with the system clock and a nonce from [`fresh_nonce`].
    ///
    /// # Errors
    /// As [`build`](Self::build), plus [`Error::Sign`] if the clock or the RNG fails.
    pub fn build_now<E: Endpoint>(&self, request: &E) -> Result<Request<Vec<u8>>, Error> {
        let nonce = fresh_nonce()?;
        self.build(request, now()?, &nonce)
    }

    /// [`resign`](Self::resign) with the system clock and a nonce from [`fresh_nonce`].
    ///
    /// # Errors
    /// As [`resign`](Self::resign), plus [`Error::Sign`] if the clock or the RNG fails.
    pub fn resign_now(&self, request: &mut Request<Vec<u8>>) -> Result<(), Error> {
        let nonce = fresh_nonce()?;
        self.resign(request, now()?, &nonce)
    }
}

/// A fresh nonce (feature `std-clock`): 32 random letters like [`Nonce::from_os_rng`], from OS
/// random bytes that each thread draws 4 KiB at a time, so most requests make no system call
/// for their nonce. No byte is used twice, and a forked child draws its own.
///
/// ```
/// let a = binancepay_http::fresh_nonce()?;
/// let b = binancepay_http::fresh_nonce()?;
/// assert_ne!(a, b);
/// assert_eq!(a.as_str().len(), 32);
/// # Ok::<(), binancepay_http::Error>(())
/// ```
///
/// # Errors
/// [`Error::Sign`] if the operating system cannot provide random bytes.
#[cfg(feature = "std-clock")]
#[cfg_attr(docsrs, doc(cfg(feature = "std-clock")))]
pub fn fresh_nonce() -> Result<Nonce, Error> {
    crate::nonce_pool::fresh_nonce().map_err(Error::Sign)
}

/// [`Timestamp::now`] with this crate's error (feature `std-clock`).
///
/// # Errors
/// [`Error::Sign`] if the clock is before 1970 or so far off that it is not a
/// plausible millisecond timestamp.
#[cfg(feature = "std-clock")]
#[cfg_attr(docsrs, doc(cfg(feature = "std-clock")))]
pub fn now() -> Result<Timestamp, Error> {
    Timestamp::now().map_err(Error::Sign)
}

/// The four `BinancePay-*` headers of one signature ([`RequestBuilder::sign`]).
///
/// The API key and signature values are marked sensitive; `Debug` shows only the timestamp and
/// the nonce.
#[derive(Clone)]
pub struct SigningHeaders {
    timestamp: HeaderValue,
    nonce: HeaderValue,
    certificate_sn: HeaderValue,
    signature: HeaderValue,
}

impl SigningHeaders {
    /// Inserts the four headers, replacing any earlier signature's.
    pub fn apply_to(&self, headers: &mut HeaderMap) {
        for (name, value) in self.iter() {
            headers.insert(name, value.clone());
        }
    }

    /// The four headers as (name, value) pairs: timestamp, nonce, certificate SN, signature.
    pub fn iter(&self) -> impl Iterator<Item = (HeaderName, &HeaderValue)> {
        [
            (BINANCEPAY_TIMESTAMP, &self.timestamp),
            (BINANCEPAY_NONCE, &self.nonce),
            (BINANCEPAY_CERTIFICATE_SN, &self.certificate_sn),
            (BINANCEPAY_SIGNATURE, &self.signature),
        ]
        .into_iter()
    }
}

impl fmt::Debug for SigningHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningHeaders")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

fn validate_base_url(base_url: &str) -> Result<(String, Target), Error> {
    let invalid = |rule| Error::InvalidBaseUrl {
        url: truncate_chars(base_url, 64),
        rule,
    };
    if base_url.contains(['?', '#']) {
        return Err(invalid("must not contain a query or fragment"));
    }
    let uri = Uri::try_from(base_url).map_err(|_| invalid("must parse as a URI"))?;
    let scheme = match uri.scheme() {
        Some(s)
            if s.as_str().eq_ignore_ascii_case("http")
                || s.as_str().eq_ignore_ascii_case("https") =>
        {
            s.clone()
        }
        _ => return Err(invalid("must be absolute with scheme http or https")),
    };
    let authority = match uri.authority() {
        Some(a) if !a.host().is_empty() && !a.as_str().contains('@') => a.clone(),
        Some(_) => return Err(invalid("must name a host and carry no user info")),
        None => return Err(invalid("must name a host")),
    };
    let trimmed = base_url.trim_end_matches('/');
    let target = Target {
        scheme,
        authority,
        prefix: uri.path().trim_end_matches('/').to_owned(),
    };
    Ok((trimmed.to_owned(), target))
}

fn validate_path(path: &str) -> Result<(), Error> {
    let invalid = |rule| Error::InvalidPath {
        path: truncate_chars(path, 64),
        rule,
    };
    if !path.starts_with(OPENAPI_PATH_PREFIX) || path.len() == OPENAPI_PATH_PREFIX.len() {
        return Err(invalid(
            "must start with /binancepay/openapi/ and name an endpoint",
        ));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.');
    if !path.bytes().all(allowed) || path.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(invalid(
            "may contain only ASCII letters, digits and / - _ . (no query, no dot segments)",
        ));
    }
    Ok(())
}

/// A JSON object and nothing else, checked without building a `Value`.
fn validate_json_object(body: &[u8]) -> Result<(), Error> {
    let invalid = |reason: String| Error::InvalidBody { reason };
    let text = core::str::from_utf8(body)
        .map_err(|e| invalid(format!("not UTF-8 at byte {}", e.valid_up_to())))?;
    if !text.trim_start().starts_with('{') {
        return Err(invalid("it does not start with `{`".to_owned()));
    }
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let text = |url| validate_base_url(url).ok().map(|(text, _)| text);
        assert_eq!(
            text("https://bpay.binanceapi.com/").as_deref(),
            Some("https://bpay.binanceapi.com")
        );
        assert_eq!(
            text("http://127.0.0.1:8080/mock").as_deref(),
            Some("http://127.0.0.1:8080/mock")
        );
        for bad in [
            "",
            "bpay.binanceapi.com",
            "/binancepay",
            "ftp://bpay.binanceapi.com",
            "https://bpay.binanceapi.com/?x=1",
            "https://bpay.binanceapi.com/#top",
            "https://user:pw@bpay.binanceapi.com",
            "https://bpay binanceapi.com",
        ] {
            assert!(
                matches!(validate_base_url(bad), Err(Error::InvalidBaseUrl { .. })),
                "{bad:?} accepted"
            );
        }
    }

    /// The URI of a built request is the base URL followed by the path, whatever the base.
    #[test]
    fn uris_join_base_and_path() {
        let builder = RequestBuilder::new(
            ApiKey::new("k").expect("key"),
            &ApiSecret::new("s").expect("secret"),
        )
        .expect("builder");
        let path = "/binancepay/openapi/v3/order";
        for (base, expected) in [
            (
                None,
                "https://bpay.binanceapi.com/binancepay/openapi/v3/order",
            ),
            (
                Some("http://127.0.0.1:8080"),
                "http://127.0.0.1:8080/binancepay/openapi/v3/order",
            ),
            (
                Some("http://127.0.0.1:8080/"),
                "http://127.0.0.1:8080/binancepay/openapi/v3/order",
            ),
            (
                Some("https://proxy.example/bpay//"),
                "https://proxy.example/bpay/binancepay/openapi/v3/order",
            ),
            (
                Some("HTTPS://[::1]:9/a/b"),
                "https://[::1]:9/a/b/binancepay/openapi/v3/order",
            ),
        ] {
            let builder = match base {
                Some(base) => builder.clone().with_base_url(base).expect("base"),
                None => builder.clone(),
            };
            let uri = builder
                .uri(Bytes::from_static(path.as_bytes()))
                .map(|u| u.to_string());
            assert_eq!(uri.as_deref(), Some(expected), "{base:?}");
        }
        assert!(builder.uri(Bytes::from_static(b"no slash")).is_none());
    }

    #[test]
    fn path_rules() {
        assert!(validate_path("/binancepay/openapi/v3/order").is_ok());
        assert!(validate_path("/binancepay/openapi/otc-portal/get-quote").is_ok());
        for bad in [
            "",
            "/binancepay/openapi/",
            "/sapi/v1/pay/transactions",
            "binancepay/openapi/v3/order",
            "/binancepay/openapi/v3/order?x=1",
            "/binancepay/openapi/../admin",
            "/binancepay/openapi/v3/order#x",
            "/binancepay/openapi/v3/ord er",
        ] {
            assert!(
                matches!(validate_path(bad), Err(Error::InvalidPath { .. })),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn json_object_rules() {
        assert!(validate_json_object(b"{}").is_ok());
        assert!(validate_json_object(b" {\"a\":[1,2,{\"b\":null}]} \n").is_ok());
        for bad in [
            &b""[..],
            b"[]",
            b"\"x\"",
            b"null",
            b"{",
            b"{} {}",
            b"{\"a\":1,}",
            b"{\"a\":\"\xff\"}",
        ] {
            assert!(
                matches!(validate_json_object(bad), Err(Error::InvalidBody { .. })),
                "{bad:?} accepted"
            );
        }
    }
}
