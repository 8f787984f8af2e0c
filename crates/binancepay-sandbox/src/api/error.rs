//! Business errors of the API handlers: a result code and a message naming the field and rule.

use binancepay_types::ResultCode;

/// A FAIL answer: Binance's result code and an `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: ResultCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: ResultCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `code` with the message Binance's pages print for it (its description when none does).
    pub(crate) fn documented(code: ResultCode) -> Self {
        let message = code
            .documented_message()
            .map_or_else(|| code.description().to_owned(), str::to_owned);
        Self::new(code, message)
    }

    /// `400100`: a parameter is missing or empty.
    pub(crate) fn missing(field: &str) -> Self {
        Self::new(
            ResultCode::MandatoryParamEmptyOrMalformed,
            format!("{field}: required"),
        )
    }

    /// `400101`: a parameter has the wrong length or format.
    pub(crate) fn format(field: &str, rule: impl std::fmt::Display) -> Self {
        Self::new(
            ResultCode::InvalidParamWrongLength,
            format!("{field}: {rule}"),
        )
    }

    /// `400102`: a parameter's value is out of range or not allowed.
    pub(crate) fn value(field: &str, rule: impl std::fmt::Display) -> Self {
        Self::new(
            ResultCode::InvalidParamWrongValue,
            format!("{field}: {rule}"),
        )
    }

    /// `400202`: the object the request names does not exist.
    pub(crate) fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ResultCode::OrderNotFound, format!("{what} not found"))
    }

    /// `400304`: the wallet cannot cover the amount.
    pub(crate) fn insufficient(wallet: &str, asset: &str) -> Self {
        Self::new(
            ResultCode::AccountRemainingAmountNotEnough,
            format!("{wallet} {asset} balance is not enough"),
        )
    }

    /// `400000`: an internal limit was hit (a sum overflowed); retrying will not help either.
    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        Self::new(ResultCode::UnknownError, format!("{what}"))
    }
}

/// Enums whose unknown wire values the server refuses (clients keep them; Binance does not).
pub(crate) trait KnownValue {
    /// The wire text when it is not a value of the spec.
    fn unknown_text(&self) -> Option<&str>;
}

macro_rules! known_value {
    ($($ty:ty),* $(,)?) => {
        $(impl KnownValue for $ty {
            fn unknown_text(&self) -> Option<&str> {
                match self {
                    Self::Unknown(text) => Some(text),
                    _ => None,
                }
            }
        })*
    };
}

use binancepay_types::enums as e;

known_value!(
    e::TerminalType,
    e::TradeType,
    e::OsType,
    e::GoodsType,
    e::GoodsCategory,
    e::ShippingAddressType,
    e::Wallet,
    e::TransferType,
    e::ReceiveType,
    e::BizScene,
    e::PayoutDetailFilter,
    e::MerchantType,
    e::StoreType,
    e::CertificateType,
    e::ScenarioCode,
    e::CycleType,
    e::TradeMode,
    e::TspScope,
    e::PayerType,
    e::PayerInfoCategory,
    e::ReportType,
    e::ReportTransactionType,
);

/// `400102` naming `field` when `value` is not one of the spec's values.
pub(crate) fn known<T: KnownValue>(field: &str, value: &T) -> Result<(), ApiError> {
    match value.unknown_text() {
        Some(text) => Err(ApiError::value(
            field,
            format!("{:?} is not an accepted value", cut(text)),
        )),
        None => Ok(()),
    }
}

/// At most 64 characters of a value quoted back in a message.
pub(crate) fn cut(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or_default()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiError, cut, known};
    use binancepay_types::ResultCode;
    use binancepay_types::enums::Wallet;

    #[test]
    fn unknown_enum_values_are_refused_naming_the_field() {
        assert!(known("wallet", &Wallet::FundingWallet).is_ok());
        let err = known("wallet", &Wallet::from_wire("PIGGY_BANK"));
        assert_eq!(
            err,
            Err(ApiError::new(
                ResultCode::InvalidParamWrongValue,
                "wallet: \"PIGGY_BANK\" is not an accepted value"
            ))
        );
    }

    #[test]
    fn quoted_values_are_cut() {
        assert_eq!(cut(&"é".repeat(70)).chars().count(), 65);
        assert_eq!(cut("short"), "short");
    }
}
