//! The [`Endpoint`] trait every request type implements, and the table of all endpoints.

use crate::validate::ValidationErrors;

pub use crate::generated::endpoints::ENDPOINTS;

/// What a client may do when a call failed in a way that leaves its outcome unknown
/// (timeout, connection reset, HTTP 5xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Read-only (or harmless to repeat): safe to retry.
    Query,
    /// Safe to retry with the same value of the merchant's idempotency key.
    Idempotent {
        /// Wire name of the request field that is the idempotency key, e.g. `refundRequestId`.
        key_field: &'static str,
    },
    /// Never retried automatically: a resend may act twice or answer misleadingly.
    Unsafe,
}

impl RetryClass {
    /// `"query"`, `"idempotent"` or `"unsafe"`, as in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Idempotent { .. } => "idempotent",
            Self::Unsafe => "unsafe",
        }
    }

    /// Whether a client may resend the request automatically.
    pub fn may_retry(self) -> bool {
        !matches!(self, Self::Unsafe)
    }
}

/// One merchant endpoint: its typed request and response, and what the spec says about it.
///
/// Implemented by the generated request types, e.g.
/// [`CreateOrderV3Request`](crate::order::CreateOrderV3Request).
pub trait Endpoint: serde::Serialize {
    /// Full path, e.g. "/binancepay/openapi/v3/order".
    const PATH: &'static str;
    /// Stable operation name from the spec, e.g. "create_order_v3".
    const OPERATION: &'static str;
    /// What a client may do on a retry.
    const RETRY: RetryClass;
    /// The typed `data` of a SUCCESS response.
    type Response: serde::de::DeserializeOwned;

    /// All violations of the spec's client-side rules, each naming the wire field and the rule.
    ///
    /// # Errors
    ///
    /// Returns every violation found (not only the first).
    fn validate(&self) -> Result<(), ValidationErrors>;

    /// The merchant idempotency key's value, when the endpoint has one.
    fn idempotency_key(&self) -> Option<&str>;

    /// Appends the request's JSON body to `out`: exactly the bytes `serde_json::to_writer`
    /// writes for it. The generated requests write them directly, without serde's per-byte
    /// escaping of field names, which makes serialising a typical order about three times faster.
    ///
    /// ```
    /// use binancepay_types::order::{
    ///     CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, TerminalType,
    /// };
    /// use binancepay_types::{Amount, Endpoint};
    ///
    /// let goods = Goods::new(GoodsType::Virtual, GoodsCategory::GameAndRecharge, "g1", "\"Gems\"");
    /// let order = CreateOrderV3Request::new(Env::new(TerminalType::Web), "A1", "Gems", vec![goods])
    ///     .with_order_amount(Amount::new("25.170")?)
    ///     .with_currency("USDT");
    /// let mut body = Vec::new();
    /// order.write_body(&mut body)?;
    /// assert_eq!(body, serde_json::to_vec(&order)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Only what serde_json itself would fail with for the same value.
    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, self)
    }
}

/// What the spec says about one endpoint; see [`ENDPOINTS`] and [`endpoint_by_path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointInfo {
    /// Full path, e.g. "/binancepay/openapi/v3/order".
    pub path: &'static str,
    /// Stable operation name, e.g. "create_order_v3".
    pub operation: &'static str,
    /// The area (the module of the crate that holds its types), e.g. "order".
    pub area: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// What a client may do on a retry.
    pub retry: RetryClass,
    /// Why the endpoint has that retry class.
    pub retry_note: &'static str,
    /// How sure the reference is: "2+" (two or more sources), "1" (one source), "!" (sources disagree).
    pub confidence: &'static str,
    /// Name of the request type.
    pub request_type: &'static str,
    /// Name of the response type (`bool`, an object, or `list:Name`).
    pub response_type: &'static str,
}

/// The endpoint with this full path (e.g. "/binancepay/openapi/order/refund"), if the spec has it.
pub fn endpoint_by_path(path: &str) -> Option<&'static EndpointInfo> {
    ENDPOINTS.iter().find(|e| e.path == path)
}

/// The endpoint with this operation name (e.g. "refund_order"), if the spec has it.
pub fn endpoint_by_operation(operation: &str) -> Option<&'static EndpointInfo> {
    ENDPOINTS.iter().find(|e| e.operation == operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let refund = endpoint_by_path("/binancepay/openapi/order/refund");
        assert_eq!(
            refund.map(|e| e.retry),
            Some(RetryClass::Idempotent {
                key_field: "refundRequestId"
            })
        );
        assert_eq!(
            endpoint_by_operation("query_order_v2").map(|e| e.retry),
            Some(RetryClass::Query)
        );
        assert!(endpoint_by_path("/binancepay/openapi/v3/order/create").is_none());
    }

    #[test]
    fn paths_and_operations_are_unique() {
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in ENDPOINTS.iter().skip(i + 1) {
                assert_ne!(a.path, b.path);
                assert_ne!(a.operation, b.operation);
            }
        }
    }
}
