//! Webhook notifications (reference §4): the envelope, typed payloads per `bizType`, and the reply.
//!
//! This module only parses; verifying the RSA signature over the raw body is the job of
//! `binancepay-sign`. Parse the same bytes you verified.
//!
//! ```
//! use binancepay_types::webhook::{Notification, WebhookReply};
//! let body = br#"{"bizType":"PAY","bizId":29383937493038367292,"bizStatus":"PAY_SUCCESS","data":"{\"merchantTradeNo\":\"9825382937292\",\"totalFee\":0.88000000,\"currency\":\"USDT\"}"}"#;
//! let notification = Notification::from_slice(body).unwrap();
//! assert_eq!(notification.dedup_key(), "29383937493038367292:PAY_SUCCESS");
//! if let Notification::Pay(pay) = &notification {
//!     assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
//! }
//! assert_eq!(serde_json::to_string(&WebhookReply::success()).unwrap(), r#"{"returnCode":"SUCCESS","returnMessage":null}"#);
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::id::Id;

pub use crate::generated::webhooks::*;

/// Why a webhook body could not be parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookParseError {
    /// The body is not a JSON object of the webhook envelope's shape.
    #[error("webhook body is not a valid envelope: {0}")]
    Envelope(#[source] serde_json::Error),
    /// A field every notification carries is missing.
    #[error("webhook body lacks `{0}`")]
    MissingField(&'static str),
    /// `data` could not be decoded as the payload of its bizType.
    #[error("webhook `data` of bizType {biz_type} is invalid: {source}")]
    Data {
        /// The bizType whose payload failed.
        biz_type: String,
        /// What went wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// The envelope as it arrives, before `data` is decoded; read tolerantly like every webhook
/// field (`crate::tolerant`): ids and texts may come as numbers or strings.
#[derive(Deserialize)]
struct WireEnvelope {
    // Not tolerant: a body without `bizType` (or a JSON array) is no envelope at all.
    #[serde(rename = "bizType")]
    biz_type: Option<String>,
    #[serde(
        rename = "bizId",
        default,
        deserialize_with = "crate::tolerant::option"
    )]
    biz_id: Option<Id>,
    #[serde(
        rename = "bizIdStr",
        default,
        deserialize_with = "crate::tolerant::option"
    )]
    biz_id_str: Option<String>,
    #[serde(
        rename = "bizStatus",
        default,
        deserialize_with = "crate::tolerant::option"
    )]
    biz_status: Option<String>,
    #[serde(default)]
    data: Option<Box<RawValue>>,
}

/// The parsed envelope handed to the generated per-bizType decoding.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) biz_type: String,
    pub(crate) biz_id: Option<Id>,
    pub(crate) biz_id_str: String,
    pub(crate) biz_status: String,
    pub(crate) data: Option<Box<RawValue>>,
    pub(crate) raw: Box<RawValue>,
}

/// Decodes `data`, whether it is a JSON string holding JSON (as documented for most bizTypes) or
/// an object (as documented for MERCHANT_QR_CODE).
pub(crate) fn decode_data<T: DeserializeOwned>(
    envelope: &Envelope,
) -> Result<T, WebhookParseError> {
    let raw = envelope
        .data
        .as_ref()
        .ok_or(WebhookParseError::MissingField("data"))?;
    let fail = |source| WebhookParseError::Data {
        biz_type: envelope.biz_type.clone(),
        source,
    };
    let text = raw.get();
    if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).map_err(fail)?;
        serde_json::from_str(&inner).map_err(fail)
    } else {
        serde_json::from_str(text).map_err(fail)
    }
}

impl Notification {
    /// Parses a webhook body (the exact bytes that were verified).
    ///
    /// `bizId` is read as exact text (it can exceed `u64`); when `bizIdStr` is absent the text of
    /// `bizId` stands in for it. Unknown bizTypes become [`Notification::Unknown`].
    ///
    /// # Errors
    ///
    /// [`WebhookParseError::Envelope`] when the body is not a JSON object with string `bizType` /
    /// `bizStatus`; [`WebhookParseError::MissingField`] when `bizType`, `bizStatus`, both `bizId`
    /// and `bizIdStr`, or (for a known bizType) `data` are missing; [`WebhookParseError::Data`]
    /// when `data` does not decode as its bizType's payload.
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookParseError> {
        let wire: WireEnvelope =
            serde_json::from_slice(body).map_err(WebhookParseError::Envelope)?;
        let raw: Box<RawValue> =
            serde_json::from_slice(body).map_err(WebhookParseError::Envelope)?;
        let biz_type = wire
            .biz_type
            .ok_or(WebhookParseError::MissingField("bizType"))?;
        let biz_status = wire
            .biz_status
            .ok_or(WebhookParseError::MissingField("bizStatus"))?;
        let biz_id_str = match (wire.biz_id_str, &wire.biz_id) {
            (Some(text), _) => text,
            (None, Some(id)) => id.as_str().to_owned(),
            (None, None) => return Err(WebhookParseError::MissingField("bizIdStr")),
        };
        Self::from_envelope(Envelope {
            biz_type,
            biz_id: wire.biz_id,
            biz_id_str,
            biz_status,
            data: wire.data,
            raw,
        })
    }

    /// The key to deduplicate deliveries on: `bizIdStr` + `:` + `bizStatus`, and for a
    /// `PAY_REFUND` that carries its `refundInfo`, `:` + its `refundRequestId`.
    ///
    /// Delivery is at least once (up to 6 retries), so a handler should act once per key. A
    /// refund notification's `bizId` is the order's, and an order may be refunded several times
    /// in part: without the refund's own id the second partial refund would look like a
    /// repeat of the first and never be acted on.
    pub fn dedup_key(&self) -> String {
        match self {
            Notification::PayRefund(refund) => match refund_id_of(refund) {
                Some(id) => format!("{}:{}:{id}", self.biz_id_str(), self.biz_status()),
                None => format!("{}:{}", self.biz_id_str(), self.biz_status()),
            },
            _ => format!("{}:{}", self.biz_id_str(), self.biz_status()),
        }
    }
}

/// The refund's own id in a PAY_REFUND: the documented `refundRequestId`, else the `refundId`
/// production sends instead (reference §4.4).
fn refund_id_of(refund: &crate::generated::webhooks::PayRefundNotification) -> Option<&str> {
    let info = &refund.data.refund_info.as_ref()?.value;
    info.refund_request_id
        .as_deref()
        .or(info.refund_id.as_deref())
        .filter(|id| !id.is_empty())
}

impl Notification {}

/// The body to answer a webhook with (HTTP 200).
///
/// `returnCode` `SUCCESS` acknowledges; `FAIL` asks Binance to deliver again (up to 6 times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookReply {
    /// `SUCCESS` or `FAIL`.
    #[serde(rename = "returnCode")]
    pub return_code: String,
    /// Why it failed; `null` on success.
    #[serde(rename = "returnMessage")]
    pub return_message: Option<String>,
}

impl WebhookReply {
    /// `{"returnCode":"SUCCESS","returnMessage":null}`.
    pub fn success() -> Self {
        WebhookReply {
            return_code: "SUCCESS".into(),
            return_message: None,
        }
    }

    /// `{"returnCode":"FAIL","returnMessage":msg}`: asks Binance to deliver the notification again.
    pub fn fail(msg: impl Into<String>) -> Self {
        WebhookReply {
            return_code: "FAIL".into(),
            return_message: Some(msg.into()),
        }
    }

    /// The reply as JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        // Two string fields cannot fail to serialise; fall back to the literal success body anyway.
        serde_json::to_vec(self)
            .unwrap_or_else(|_| br#"{"returnCode":"FAIL","returnMessage":null}"#.to_vec())
    }
}
