//! The response envelope every endpoint answers with (reference §1).

use serde::{Deserialize, Serialize};

use crate::generated::enums::ResponseStatus;
use crate::generated::result_code::ResultCode;

/// The envelope `{status, code, data, errorMessage}` of every response.
///
/// Tolerant of the other error shapes seen: `{code, msg}` (FAQ) and
/// `{status: "ERROR", type, code, errorData}` (system errors); `msg` and `errorData` are read as
/// `error_message`. A missing `status` is inferred from `code` (`000000` means SUCCESS); a missing
/// `code` becomes `ResultCode::Other("")`.
///
/// ```
/// use binancepay_types::{ApiResponse, ResultCode};
/// let body = br#"{"code":"400002","msg":"Signature for this request is not valid."}"#;
/// let response: ApiResponse<bool> = serde_json::from_slice(body).unwrap();
/// assert_eq!(response.code, ResultCode::InvalidSignature);
/// assert!(response.into_data().is_err());
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

    /// Whether `status` is SUCCESS and `code` is `000000`.
    pub fn is_success(&self) -> bool {
        self.status == ResponseStatus::Success && self.code == ResultCode::Success
    }

    /// The data of a successful response.
    ///
    /// # Errors
    ///
    /// Returns [`ApiFailure`] when the status is not SUCCESS, the code is not `000000`, or `data`
    /// is absent.
    pub fn into_data(self) -> Result<T, ApiFailure> {
        match self.data {
            Some(data)
                if self.status == ResponseStatus::Success && self.code == ResultCode::Success =>
            {
                Ok(data)
            }
            _ => Err(ApiFailure {
                status: self.status,
                code: self.code,
                message: self.error_message,
            }),
        }
    }
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
    error_message: Option<String>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default, rename = "errorData")]
    error_data: Option<serde_json::Value>,
    #[serde(default, rename = "type")]
    error_type: Option<String>,
}

fn none<T>() -> Option<T> {
    None
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ApiResponse<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::<T>::deserialize(deserializer)?;
        let code = wire
            .code
            .unwrap_or_else(|| ResultCode::Other(String::new()));
        let status = wire.status.unwrap_or(if code == ResultCode::Success {
            ResponseStatus::Success
        } else {
            ResponseStatus::Fail
        });
        // errorData is a string in the one sample seen; anything else is kept as its JSON text.
        let error_data = wire.error_data.map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        Ok(ApiResponse {
            status,
            code,
            data: wire.data,
            error_message: wire.error_message.or(wire.msg).or(error_data),
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
        let zero = parse(r#"{"code":0,"msg":"x"}"#);
        assert_eq!(zero.map(|r| r.code), Some(ResultCode::Other("0".into())));
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
