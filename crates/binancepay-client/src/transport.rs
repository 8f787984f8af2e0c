//! One attempt on the wire: an `http::Request<Vec<u8>>` out, an `http::Response<Vec<u8>>` in.

use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Request, Response};

/// How one attempt ended.
#[derive(Debug)]
pub(crate) enum Exchange {
    /// A complete answer (any status).
    Answer(Response<Vec<u8>>),
    /// An answer whose body exceeded the limit; the body was not kept.
    TooLarge(http::StatusCode),
    /// No answer.
    Failed(reqwest::Error),
}

/// Sends the signed request as is (method, URI, headers, body bytes) and reads the answer,
/// keeping at most `max_body` bytes of it.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: &Request<Vec<u8>>,
    timeout: Duration,
    max_body: usize,
) -> Exchange {
    let outgoing = http
        .request(request.method().clone(), request.uri().to_string())
        .headers(request.headers().clone())
        .body(request.body().clone())
        .timeout(timeout);
    let mut response = match outgoing.send().await {
        Ok(response) => response,
        Err(error) => return Exchange::Failed(error),
    };
    let status = response.status();
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

/// A `Retry-After` given in seconds (the HTTP-date form is ignored: it needs a trusted clock).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn retry_after_never_panics_and_reads_plain_seconds(text in "[ -~]{0,24}") {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&text) {
                headers.insert(RETRY_AFTER, value);
                let expected = text.trim().parse::<u64>().ok().map(Duration::from_secs);
                prop_assert_eq!(retry_after(&headers), expected);
            }
        }
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }
}
