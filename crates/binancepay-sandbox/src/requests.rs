//! What arrived at the Binance paths: a count per endpoint and the latest request signatures,
//! so a test can see what its client really sent (how often it fetched certificates, whether a
//! signature it sent turns up in its logs).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use binancepay_types::endpoint_by_path;
use serde::{Deserialize, Serialize};

/// How many signatures are kept; older ones are forgotten, so memory stays bounded under load.
pub(crate) const RECENT_SIGNATURES: usize = 1024;

/// A signature is 128 hex characters; anything longer is cut so one request cannot hog memory.
const MAX_SIGNATURE_CHARS: usize = 256;

/// Requests received at Binance paths, faulted ones included (what `GET /sandbox/requests` shows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestCounts {
    /// Every request to a path outside `/sandbox/`.
    pub total: u64,
    /// Requests per endpoint path, e.g. `/binancepay/openapi/certificates`.
    pub by_path: BTreeMap<String, u64>,
    /// Requests to paths that are no endpoint (they get the CloudFront 403).
    pub unknown_paths: u64,
}

#[derive(Debug, Default)]
struct Inner {
    counts: RequestCounts,
    signatures: VecDeque<String>,
}

/// The log; one per sandbox.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    inner: Mutex<Inner>,
}

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Counting must survive a panic elsewhere.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one request and keeps its `BinancePay-Signature`, if it carried one.
    pub(crate) fn record(&self, path: &str, signature: Option<&[u8]>) {
        let mut inner = self.lock();
        inner.counts.total = inner.counts.total.saturating_add(1);
        match endpoint_by_path(path) {
            // Only endpoint paths get a key, so the map cannot grow with what clients invent.
            // Look the path up by reference first: allocate its key only on first sight.
            Some(endpoint) => match inner.counts.by_path.get_mut(endpoint.path) {
                Some(count) => *count = count.saturating_add(1),
                None => {
                    inner.counts.by_path.insert(endpoint.path.to_owned(), 1);
                }
            },
            None => inner.counts.unknown_paths = inner.counts.unknown_paths.saturating_add(1),
        }
        if let Some(signature) = signature {
            // Once full, the oldest entry's buffer is reused for the newest.
            let mut slot = if inner.signatures.len() >= RECENT_SIGNATURES {
                inner.signatures.pop_front().unwrap_or_default()
            } else {
                String::new()
            };
            slot.clear();
            slot.extend(
                String::from_utf8_lossy(signature)
                    .chars()
                    .take(MAX_SIGNATURE_CHARS),
            );
            inner.signatures.push_back(slot);
        }
    }

    pub(crate) fn counts(&self) -> RequestCounts {
        self.lock().counts.clone()
    }

    pub(crate) fn signatures(&self) -> Vec<String> {
        self.lock().signatures.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{RECENT_SIGNATURES, RequestLog};

    #[test]
    fn counts_per_endpoint_and_keeps_the_latest_signatures() {
        let log = RequestLog::default();
        log.record("/binancepay/openapi/certificates", Some(b"AB"));
        log.record("/binancepay/openapi/certificates", None);
        log.record("/binancepay/openapi/v3/order/create", Some(b"CD"));
        let counts = log.counts();
        assert_eq!(counts.total, 3);
        assert_eq!(counts.unknown_paths, 1);
        assert_eq!(
            counts.by_path.get("/binancepay/openapi/certificates"),
            Some(&2)
        );
        assert_eq!(counts.by_path.len(), 1);
        assert_eq!(log.signatures(), ["AB", "CD"]);

        for n in 0..RECENT_SIGNATURES + 5 {
            log.record("/x", Some(n.to_string().as_bytes()));
        }
        let kept = log.signatures();
        assert_eq!(kept.len(), RECENT_SIGNATURES);
        assert_eq!(kept.first().map(String::as_str), Some("5"));
        log.record("/x", Some("F".repeat(10_000).as_bytes()));
        assert_eq!(log.signatures().last().map(String::len), Some(256));
    }
}
