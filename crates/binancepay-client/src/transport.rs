//! One attempt on the wire: an `http::Request<Vec<u8>>` out, an `http::Response<Vec<u8>>` in.

use std::time::Duration;

use binancepay_http::RequestBuilder;
use binancepay_sign::{Nonce, Timestamp};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};

/// How one attempt ended.
#[derive(Debug)]
pub(crate) enum Exchange {
    /// A complete answer (any status).
    Answer(Response<Vec<u8>>),
    /// An answer whose body exceeded the limit; the body was not kept.
    TooLarge(http::StatusCode),
    /// A redirect (3xx), or an answer from elsewhere because the HTTP client followed one.
    Redirected {
        status: http::StatusCode,
        followed: bool,
    },
    /// No answer.
    Failed(reqwest::Error),
}

/// Where a call goes, parsed for reqwest once per call rather than once per attempt.
#[derive(Debug, Clone)]
enum Target {
    /// The request's URI as a URL reqwest accepts (absolute, with a host).
    Url(reqwest::Url),
    /// A URI reqwest refuses; every attempt hands it over as text, so that reqwest reports
    /// its own build error, as for any other unusable request.
    Text(String),
}

/// A signed request in the shape reqwest takes, kept for every attempt of one call.
///
/// The URL is parsed once and the body bytes are moved (not copied) into a [`Bytes`], so an
/// attempt clones a URL and a reference count instead of parsing the URI and copying the
/// body. Only the headers change between attempts: [`resign`](Self::resign) signs the very
/// bytes that are sent.
#[derive(Debug)]
pub(crate) struct Outgoing {
    method: Method,
    target: Target,
    headers: HeaderMap,
    body: Bytes,
}

impl Outgoing {
    /// Takes the signed request apart (no copy of the body).
    pub(crate) fn new(request: Request<Vec<u8>>) -> Outgoing {
        let (parts, body) = request.into_parts();
        let text = parts.uri.to_string();
        let target = match reqwest::Url::parse(&text) {
            Ok(url) if url.has_host() => Target::Url(url),
            _ => Target::Text(text),
        };
        Outgoing {
            method: parts.method,
            target,
            headers: parts.headers,
            body: Bytes::from(body),
        }
    }

    /// The body bytes, as signed and sent.
    #[cfg(test)]
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// The headers the next attempt sends.
    #[cfg(test)]
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A new timestamp, nonce and signature over the same body bytes, for a retry: the
    /// signing headers are computed over the bytes held here and applied, as for the first
    /// attempt; nothing is copied or rebuilt.
    pub(crate) fn resign(
        &mut self,
        requests: &RequestBuilder,
        timestamp: Timestamp,
        nonce: &Nonce,
    ) -> Result<(), binancepay_http::Error> {
        requests
            .sign(&self.body, timestamp, nonce)?
            .apply_to(&mut self.headers);
        Ok(())
    }

    /// One attempt on the wire, up to the answer's headers.
    async fn attempt(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<reqwest::Response, reqwest::Error> {
        match &self.target {
            Target::Url(url) => {
                let mut request = reqwest::Request::new(self.method.clone(), url.clone());
                *request.headers_mut() = self.headers.clone();
                *request.body_mut() = Some(reqwest::Body::from(self.body.clone()));
                *request.timeout_mut() = Some(timeout);
                http.execute(request).await
            }
            Target::Text(text) => {
                http.request(self.method.clone(), text.as_str())
                    .headers(self.headers.clone())
                    .body(self.body.clone())
                    .timeout(timeout)
                    .send()
                    .await
            }
        }
    }
}

/// Sends the signed request as is (method, URI, headers, body bytes) and reads the answer,
/// keeping at most `max_body` bytes of it.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: &Outgoing,
    timeout: Duration,
    max_body: usize,
) -> Exchange {
    let mut response = match request.attempt(http, timeout).await {
        Ok(response) => response,
        Err(error) => return Exchange::Failed(error),
    };
    let status = response.status();
    // A signed request goes only where it was signed for: a redirect is never an answer.
    let followed = match &request.target {
        Target::Url(url) => response.url() != url,
        Target::Text(_) => false,
    };
    if status.is_redirection() || followed {
        return Exchange::Redirected { status, followed };
    }
    if response
        .content_length()
        .is_some_and(|len| len > u64::try_from(max_body).unwrap_or(u64::MAX))
    {
        return Exchange::TooLarge(status);
    }
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len().saturating_add(chunk.len()) > max_body {
                    return Exchange::TooLarge(status);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) => return Exchange::Failed(error),
        }
    }
    let mut answer = Response::new(body);
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Exchange::Answer(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use binancepay_sign::{ApiKey, ApiSecret};

    const PATH: &str = "/binancepay/openapi/v2/order/query";

    fn builder() -> RequestBuilder {
        let key = ApiKey::new("abc123").expect("key");
        let secret = ApiSecret::new("secret").expect("secret");
        RequestBuilder::new(key, &secret)
            .and_then(|b| b.with_base_url("http://127.0.0.1:9/prefix"))
            .expect("builder")
    }

    fn stamp(millis: u64, nonce: &str) -> (Timestamp, Nonce) {
        (
            Timestamp::from_millis(millis).expect("timestamp"),
            Nonce::new(nonce).expect("nonce"),
        )
    }

    fn signed(body: &[u8]) -> Request<Vec<u8>> {
        let (timestamp, nonce) = stamp(1_700_000_000_000, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        builder()
            .build_raw(PATH, body.to_vec(), timestamp, &nonce)
            .expect("signed request")
    }

    #[test]
    fn the_url_is_the_request_uri() {
        let request = signed(br#"{"merchantTradeNo":"A1"}"#);
        let uri = request.uri().to_string();
        let outgoing = Outgoing::new(request);
        match &outgoing.target {
            Target::Url(url) => assert_eq!(url.as_str(), uri),
            Target::Text(text) => panic!("not parsed: {text}"),
        }
        assert_eq!(outgoing.body(), br#"{"merchantTradeNo":"A1"}"#);
    }

    #[test]
    fn a_retry_signs_the_bytes_it_sends_like_resign_does() {
        let requests = builder();
        let body = br#"{"merchantTradeNo":"A1","x":"\u00e9"}"#;
        let mut classic = signed(body);
        let mut outgoing = Outgoing::new(signed(body));
        for (round, nonce) in [
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "cccccccccccccccccccccccccccccccc",
        ]
        .into_iter()
        .enumerate()
        {
            // The second round re-signs while an attempt still holds the bytes.
            let held = (round == 1).then(|| outgoing.body.clone());
            let (timestamp, nonce) = stamp(1_700_000_000_100 + round as u64, nonce);
            requests
                .resign(&mut classic, timestamp, &nonce)
                .expect("classic resign");
            outgoing
                .resign(&requests, timestamp, &nonce)
                .expect("resign");
            assert_eq!(outgoing.headers(), classic.headers());
            assert_eq!(outgoing.body(), classic.body().as_slice());
            drop(held);
        }
    }
}
