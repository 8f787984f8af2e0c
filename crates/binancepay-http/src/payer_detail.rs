//! Typed access to `paymentInfo.payerDetail`, the encrypted payer data Binance shares with
//! approved merchants in PAY webhooks and order queries (feature `payer-detail`).
//!
//! The models of binancepay-types keep the field as the text Binance sent; this extension
//! decrypts it with the merchant's API secret (`binancepay_sign::payer_detail`), so the models
//! stay free of cryptography and binancepay-sign stays free of models.
//!
//! ```
//! use binancepay_http::ApiSecret;
//! use binancepay_http::payer_detail::PayerDetailExt as _;
//! use binancepay_types::order::QueryOrderResult;
//!
//! let secret = ApiSecret::new("mmqz3v0twbhxgyk6xyqtpwwfdu3wyspaqyhqunbzujsknagoijxeuakhctcxhibh")?;
//! let order: QueryOrderResult = serde_json::from_str(
//!     r#"{"merchantId":98765987,"prepayId":"29383937493038367292","merchantTradeNo":"9825382937292",
//!         "status":"PAID","currency":"USDT","orderAmount":"1.00","openUserId":"","createTime":1,
//!         "paymentInfo":{"payerDetail":"obLD1OX2BxgpOktcF4LX1tF4SM1KjHZah7DOaK6zeQ"}}"#,
//! ).expect("a query result");
//! let detail = order.decrypt_payer_detail(&secret)?.expect("shared with this merchant");
//! assert_eq!(detail.as_str(), "abc");
//! # Ok::<(), binancepay_sign::Error>(())
//! ```

use binancepay_sign::ApiSecret;
pub use binancepay_sign::payer_detail::{PayerDetail, decrypt};
use binancepay_types::order::{PaymentInfo, QueryOrderResult};
use binancepay_types::webhook::PayNotificationData;

/// Decrypts `paymentInfo.payerDetail` where a model carries it.
pub trait PayerDetailExt {
    /// The raw `payerDetail` text, if Binance sent one.
    fn payer_detail_raw(&self) -> Option<&str>;

    /// Decrypts `payerDetail` with the API secret the order was created with; `Ok(None)` when the
    /// field is absent (the merchant is not approved for data sharing, or Binance left it out).
    ///
    /// # Errors
    /// [`binancepay_sign::Error::PayerDetailBase64`], `PayerDetailTooShort`,
    /// `PayerDetailAuthentication` (another secret, or altered data) or `PayerDetailUtf8`.
    fn decrypt_payer_detail(
        &self,
        secret: &ApiSecret,
    ) -> Result<Option<PayerDetail>, binancepay_sign::Error> {
        self.payer_detail_raw()
            .map(|data| decrypt(secret, data))
            .transpose()
    }
}

impl PayerDetailExt for PaymentInfo {
    fn payer_detail_raw(&self) -> Option<&str> {
        self.payer_detail.as_deref()
    }
}

impl PayerDetailExt for PayNotificationData {
    fn payer_detail_raw(&self) -> Option<&str> {
        self.payment_info.as_ref()?.payer_detail_raw()
    }
}

impl PayerDetailExt for QueryOrderResult {
    fn payer_detail_raw(&self) -> Option<&str> {
        self.payment_info.as_ref()?.payer_detail_raw()
    }
}

#[cfg(test)]
mod tests {
    use super::PayerDetailExt as _;
    use binancepay_sign::{ApiSecret, Error};
    use binancepay_types::order::PaymentInfo;
    use binancepay_types::webhook::PayNotificationData;

    const SECRET: &str = "mmqz3v0twbhxgyk6xyqtpwwfdu3wyspaqyhqunbzujsknagoijxeuakhctcxhibh";
    // "abc" under SECRET (tests/data/payer_detail/vectors.json, case unpadded-base64).
    const DATA: &str = "obLD1OX2BxgpOktcF4LX1tF4SM1KjHZah7DOaK6zeQ";

    fn secret(text: &str) -> ApiSecret {
        ApiSecret::new(text).unwrap_or_else(|e| panic!("secret: {e}"))
    }

    #[test]
    fn pay_webhook_data_decrypts() {
        let json = format!(
            r#"{{"merchantTradeNo":"A1","totalFee":1,"currency":"USDT","paymentInfo":{{"payerId":1,"payerDetail":"{DATA}"}}}}"#
        );
        let data: PayNotificationData =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("data: {e}"));
        assert_eq!(data.payer_detail_raw(), Some(DATA));
        let detail = data.decrypt_payer_detail(&secret(SECRET));
        assert_eq!(
            detail.map(|d| d.map(|d| d.into_string())),
            Ok(Some("abc".into()))
        );
        assert_eq!(
            data.decrypt_payer_detail(&secret("other")).map(|_| ()),
            Err(Error::PayerDetailAuthentication)
        );
    }

    #[test]
    fn absent_field_or_payment_info_is_none() {
        let none = PayNotificationData::new();
        assert_eq!(
            none.decrypt_payer_detail(&secret(SECRET))
                .map(|d| d.is_none()),
            Ok(true)
        );
        let info = PaymentInfo::new().with_pay_method("funding");
        assert_eq!(
            info.decrypt_payer_detail(&secret(SECRET))
                .map(|d| d.is_none()),
            Ok(true)
        );
        let bad = PaymentInfo::new().with_payer_detail("not base64!");
        assert_eq!(
            bad.decrypt_payer_detail(&secret(SECRET)).map(|_| ()),
            Err(Error::PayerDetailBase64)
        );
    }
}
