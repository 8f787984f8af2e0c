//! The response body type of the server: a whole body, or one cut short on purpose.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// Why a response body stopped early; hyper then closes the connection mid-body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CutShort;

impl fmt::Display for CutShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response body cut short by fault injection")
    }
}

impl std::error::Error for CutShort {}

/// A response body: sent whole, or (fault injection) its first part and then an error.
#[derive(Debug)]
pub(crate) enum SandboxBody {
    /// The whole body, taken on the first poll.
    Full(Option<Bytes>),
    /// The first part of a body whose `Content-Length` promises more; after it, an error.
    Truncated {
        /// Bytes still to send.
        part: Option<Bytes>,
        /// The length announced in the headers.
        announced: u64,
    },
}

impl SandboxBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        Self::Full(Some(bytes.into()))
    }

    /// Announces `whole.len()` bytes but sends only the first half.
    pub(crate) fn truncated(whole: &[u8]) -> Self {
        let half = whole.len() / 2;
        let part = Bytes::copy_from_slice(whole.get(..half).unwrap_or_default());
        Self::Truncated {
            part: Some(part),
            announced: u64::try_from(whole.len()).unwrap_or(u64::MAX),
        }
    }
}

impl Body for SandboxBody {
    type Data = Bytes;
    type Error = CutShort;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutShort>>> {
        match self.get_mut() {
            SandboxBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            SandboxBody::Truncated { part, .. } => match part.take() {
                Some(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                None => Poll::Ready(Some(Err(CutShort))),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, SandboxBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SandboxBody::Full(bytes) => SizeHint::with_exact(
                bytes
                    .as_ref()
                    .map_or(0, |b| u64::try_from(b.len()).unwrap_or(u64::MAX)),
            ),
            SandboxBody::Truncated { announced, .. } => SizeHint::with_exact(*announced),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SandboxBody;
    use http_body::Body;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn full_body_is_collected_whole() {
        let body = SandboxBody::full(&b"hello"[..]);
        assert_eq!(body.size_hint().exact(), Some(5));
        let bytes = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(bytes.ok().as_deref(), Some(&b"hello"[..]));
    }

    #[tokio::test]
    async fn truncated_body_announces_all_and_fails_after_half() {
        let mut body = SandboxBody::truncated(b"0123456789");
        assert_eq!(body.size_hint().exact(), Some(10));
        let first = body.frame().await;
        let data = first.and_then(|f| f.ok()).and_then(|f| f.into_data().ok());
        assert_eq!(data.as_deref(), Some(&b"01234"[..]));
        assert!(matches!(body.frame().await, Some(Err(_))));
    }
}
