//! The response envelope every endpoint answers with (reference §1).

use serde::{Deserialize, Serialize};

use crate::generated::enums::ResponseStatus;
use crate::generated::result_code::ResultCode;

/// The envelope `{status, code, data, errorMessage}` of every response.
///
/// This is the one envelope reader of the workspace: `binancepay-http` decodes every answer
/// through `ApiResponse<&RawValue>` and only then decodes `data` for the endpoint.
///
/// Tolerant of the other error shapes seen: `{code, msg}` (FAQ) and
/// `{status: "ERROR", type, code, errorData}` (system errors); `msg` and `errorData` are read as
/// `error_message`, and a message that is not a string is kept as its JSON text. `code` may be
/// a string or a number and is kept as its wire text. A missing `code` becomes
/// `ResultCode::Other("")`; an object with neither `status` nor `code` is not an envelope.
///
/// **The one rule for success:** `status` decides when it is present (`SUCCESS`, and
/// `REPEAT_REQ_SUCCESS`: a repeated `requestId` answered with the first request's result); without
/// it, a code made only of zeros (`"000000"`, `0`) means SUCCESS and any other code FAIL
/// ([`is_success_code`]), except that a zero code with error text and no `data` (Binance's
/// `{"code":0,"msg":"Service unavailable from a restricted location ..."}`) is a FAIL: nothing
/// was done. An empty error text counts as none, so `{"errorMessage":"","msg":"why"}` says why.
///
/// ```
/// use binancepay_types::{ApiResponse, ResultCode};
/// let body = br#"{"code":"400002","msg":"Signature for this request is not valid."}"#;
/// let response: ApiResponse<bool> = serde_json::from_slice(body).unwrap();
/// assert_eq!(response.code, ResultCode::InvalidSignature);
/// assert!(response.into_data().is_err());
///
/// let zero: ApiResponse<bool> = serde_json::from_slice(br#"{"code":0,"data":true}"#).unwrap();
/// assert!(zero.is_success());
/// assert_eq!(zero.code, ResultCode::Other("0".into())); // the wire text is kept
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// `SUCCESS`, `FAIL` or `ERROR`.
    pub status: ResponseStatus,
    /// The result code.
    pub code: ResultCode,
    /// The endpoint's result; absent on failure.
    pub data: Option<T>,
    /// Why it failed (`errorMessage`, or `msg` / `errorData` in other error shapes).
    pub error_message: Option<String>,
    /// The `type` of a system error body (e.g. `SYS`).
    pub error_type: Option<String>,
}

/// A response that was not a success with data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Binance Pay answered {status} {code}: {}", message.as_deref().unwrap_or("no message"))]
#[non_exhaustive]
pub struct ApiFailure {
    /// The envelope status.
    pub status: ResponseStatus,
    /// The result code.
    pub code: ResultCode,
    /// The error message, if any.
    pub message: Option<String>,
}

impl ApiFailure {
    /// Whether sending the request again (fresh timestamp, nonce, signature) can succeed.
    pub fn is_retryable(&self) -> bool {
        self.code.is_retryable()
    }
}

impl<T> ApiResponse<T> {
    /// A SUCCESS envelope around `data`.
    pub fn success(data: T) -> Self {
        ApiResponse {
            status: ResponseStatus::Success,
            code: ResultCode::Success,
            data: Some(data),
            error_message: None,
            error_type: None,
        }
    }

    /// A FAIL envelope with a code and message.
    pub fn fail(code: ResultCode, message: impl Into<String>) -> Self {
        ApiResponse {
            status: ResponseStatus::Fail,
            code,
            data: None,
            error_message: Some(message.into()),
            error_type: None,
        }
    }

    /// Whether `status` is (or, without one, was inferred as) SUCCESS, or is
    /// `REPEAT_REQ_SUCCESS` (see [`is_replay`](ApiResponse::is_replay)).
    pub fn is_success(&self) -> bool {
        is_success_status(&self.status)
    }

    /// Whether Binance answered a repeated `requestId` with the first request's result
    /// (`REPEAT_REQ_SUCCESS`): a success, but nothing was done this time.
    ///
    /// ```
    /// use binancepay_types::ApiResponse;
    /// let body = br#"{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":true}"#;
    /// let response: ApiResponse<bool> = serde_json::from_slice(body).unwrap();
    /// assert!(response.is_success() && response.is_replay());
    /// assert_eq!(response.into_data(), Ok(true));
    /// ```
    pub fn is_replay(&self) -> bool {
        self.status == ResponseStatus::RepeatReqSuccess
    }

    /// The data of a successful response.
    ///
    /// # Errors
    ///
    /// Returns [`ApiFailure`] when the status is not SUCCESS or `data` is absent.
    pub fn into_data(self) -> Result<T, ApiFailure> {
        match self.data {
            Some(data) if is_success_status(&self.status) => Ok(data),
            _ => Err(ApiFailure {
                status: self.status,
                code: self.code,
                message: self.error_message,
            }),
        }
    }
}

/// Whether a result code without an envelope `status` means success: one or more zeros and
/// nothing else (`000000` as documented, `0` as some answers send it).
///
/// ```
/// use binancepay_types::envelope::is_success_code;
/// assert!(is_success_code("000000") && is_success_code("0"));
/// assert!(!is_success_code("") && !is_success_code("400002") && !is_success_code("-0"));
/// ```
pub fn is_success_code(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b == b'0')
}

/// Whether an envelope `status` means success: `SUCCESS` or `REPEAT_REQ_SUCCESS`.
///
/// ```
/// use binancepay_types::{envelope::is_success_status, ResponseStatus};
/// assert!(is_success_status(&ResponseStatus::RepeatReqSuccess));
/// assert!(!is_success_status(&ResponseStatus::Fail));
/// ```
pub fn is_success_status(status: &ResponseStatus) -> bool {
    matches!(
        status,
        ResponseStatus::Success | ResponseStatus::RepeatReqSuccess
    )
}

/// Every key any of the error shapes uses.
#[derive(Deserialize)]
struct Wire<T> {
    #[serde(default)]
    status: Option<ResponseStatus>,
    #[serde(default)]
    code: Option<ResultCode>,
    #[serde(default = "none")]
    data: Option<T>,
    #[serde(default, rename = "errorMessage")]
    error_message: Option<Message>,
    #[serde(default)]
    msg: Option<Message>,
    #[serde(default, rename = "errorData")]
    error_data: Option<Message>,
    #[serde(default, rename = "type")]
    error_type: Option<String>,
}

fn none<T>() -> Option<T> {
    None
}

/// Error text: a string as documented, or any other JSON kept as its text (`null` is none).
struct Message(Option<String>);

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Message(
            match serde_json::Value::deserialize(deserializer)? {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                other => Some(other.to_string()),
            },
        ))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ApiResponse<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::<T>::deserialize(deserializer)?;
        if wire.status.is_none() && wire.code.is_none() {
            return Err(serde::de::Error::custom(
                "a response envelope needs `status` or `code`",
            ));
        }
        let code = wire
            .code
            .unwrap_or_else(|| ResultCode::Other(String::new()));
        let message = [wire.error_message, wire.msg, wire.error_data]
            .into_iter()
            .find_map(|m| m.and_then(|m| m.0).filter(|m| !m.trim().is_empty()));
        let status = wire.status.unwrap_or_else(|| {
            // A zero code that carries error text and no data refuses the request (the
            // restricted-location answer): reading it as a success would lose the reason.
            if is_success_code(code.code()) && (wire.data.is_some() || message.is_none()) {
                ResponseStatus::Success
            } else {
                ResponseStatus::Fail
            }
        });
        Ok(ApiResponse {
            status,
            code,
            data: wire.data,
            error_message: message,
            error_type: wire.error_type,
        })
    }
}

impl<T: Serialize> Serialize for ApiResponse<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let fields = 2
            + usize::from(self.error_type.is_some())
            + usize::from(self.data.is_some())
            + usize::from(self.error_message.is_some());
        let mut s = serializer.serialize_struct("ApiResponse", fields)?;
        s.serialize_field("status", &self.status)?;
        if let Some(kind) = &self.error_type {
            s.serialize_field("type", kind)?;
        }
        s.serialize_field("code", &self.code)?;
        if let Some(data) = &self.data {
            s.serialize_field("data", data)?;
        }
        if let Some(message) = &self.error_message {
            s.serialize_field("errorMessage", message)?;
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Option<ApiResponse<bool>> {
        serde_json::from_str(body).ok()
    }

    #[test]
    fn success() {
        let r = parse(r#"{"status":"SUCCESS","code":"000000","data":true}"#);
        assert_eq!(r.clone().map(ApiResponse::into_data), Some(Ok(true)));
        assert!(r.is_some_and(|r| r.is_success()));
    }

    #[test]
    fn fail_shapes() {
        let fail = parse(r#"{"status":"FAIL","code":"400002","errorMessage":"bad"}"#);
        assert_eq!(
            fail.as_ref().map(|r| r.error_message.as_deref()),
            Some(Some("bad"))
        );
        let msg = parse(r#"{"code":"400002","msg":"bad"}"#);
        assert_eq!(
            msg.as_ref()
                .map(|r| (&r.status, r.error_message.as_deref())),
            Some((&ResponseStatus::Fail, Some("bad")))
        );
        let sys = parse(
            r#"{"status":"ERROR","type":"SYS","code":"100001001","errorData":"System abnormality"}"#,
        );
        assert_eq!(
            sys.as_ref().map(|r| &r.code),
            Some(&ResultCode::SystemAbnormality)
        );
        assert_eq!(
            sys.as_ref().and_then(|r| r.error_type.as_deref()),
            Some("SYS")
        );
        // A zero code with error text and no data refuses (the restricted-location answer);
        // with data, or without text, it is a success.
        let zero = parse(r#"{"code":0,"msg":"x"}"#);
        assert_eq!(
            zero.as_ref().map(|r| (&r.status, &r.code)),
            Some((&ResponseStatus::Fail, &ResultCode::Other("0".into())))
        );
        let zero_with_data = parse(r#"{"code":0,"msg":"ok","data":true}"#);
        assert_eq!(
            zero_with_data.map(|r| (r.status, r.data)),
            Some((ResponseStatus::Success, Some(true)))
        );
        let zero_empty_text = parse(r#"{"code":"000000","errorMessage":"","data":null}"#);
        assert_eq!(
            zero_empty_text.map(|r| r.status),
            Some(ResponseStatus::Success)
        );
        // An empty or null text is none: the next key's text is the reason.
        for body in [
            r#"{"status":"FAIL","code":"400002","errorMessage":"","msg":"why"}"#,
            r#"{"status":"FAIL","code":"400002","errorMessage":null,"errorData":"why"}"#,
            r#"{"status":"FAIL","code":"400002","errorMessage":"  ","msg":"why"}"#,
        ] {
            assert_eq!(
                parse(body).and_then(|r| r.error_message),
                Some("why".to_owned()),
                "{body}"
            );
        }
        let replay = parse(r#"{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":true}"#);
        assert_eq!(
            replay
                .as_ref()
                .map(|r| (r.is_success(), r.is_replay(), &r.code)),
            Some((true, true, &ResultCode::RepeatReqSuccess))
        );
        assert_eq!(replay.map(ApiResponse::into_data), Some(Ok(true)));
        let failed_zero = parse(r#"{"status":"FAIL","code":0,"errorMessage":{"k":1}}"#);
        assert_eq!(
            failed_zero.map(|r| (r.status, r.error_message)),
            Some((ResponseStatus::Fail, Some(r#"{"k":1}"#.to_owned())))
        );
        assert!(parse("{}").is_none());
        assert!(parse(r#"{"data":true}"#).is_none());
    }

    #[test]
    fn failure_is_an_error_with_the_code() {
        let r: ApiResponse<bool> = ApiResponse::fail(ResultCode::InvalidTimestamp, "late");
        let err = r.into_data().err();
        assert_eq!(err.as_ref().map(ApiFailure::is_retryable), Some(true));
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("Binance Pay answered FAIL 400003 INVALID_TIMESTAMP: late".into())
        );
    }
}
