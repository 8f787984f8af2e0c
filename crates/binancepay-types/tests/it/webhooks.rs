//! Webhook parsing against the sample bodies and the V3 vector.

use binancepay_types::Amount;
use binancepay_types::enums::{PayStatus, QrCodeType};
use binancepay_types::webhook::{Notification, WebhookParseError, WebhookReply};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(crate::data::path(&format!("samples/webhooks/{name}"))).unwrap_or_default()
}

#[test]
fn v3_vector_decodes_exactly() -> TestResult {
    let body = sample("v3-vector.json");
    assert_eq!(body.len(), 374);
    let Notification::Pay(pay) = Notification::from_slice(&body)? else {
        return Err("not a PAY notification".into());
    };
    // bizIdStr is absent: the exact text of bizId (above u64::MAX) stands in.
    assert_eq!(
        pay.biz_id.as_ref().map(|id| id.as_str()),
        Some("29383937493038367292")
    );
    assert_eq!(pay.biz_id_str, "29383937493038367292");
    assert_eq!(pay.status, PayStatus::PaySuccess);
    assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
    let fee = pay.data.total_fee.ok_or("no totalFee")?;
    assert_eq!(fee.as_str(), "0.88000000");
    assert_eq!(fee, Amount::new("0.88")?);
    Ok(())
}

/// Every webhook sample parses into its bizType's variant with a known bizStatus.
#[test]
fn every_sample_parses_into_its_variant() -> TestResult {
    let files = crate::data::files("samples/webhooks", "json");
    assert!(files.len() >= 27, "only {} webhook samples", files.len());
    for path in files {
        let name = crate::data::name(&path);
        if name == "v3-vector.json" {
            continue;
        }
        let mut parts = name.split('.');
        let (biz_type, biz_status) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let body = std::fs::read(&path)?;
        let notification = Notification::from_slice(&body).map_err(|e| format!("{name}: {e}"))?;
        assert_eq!(notification.biz_type(), biz_type, "{name}");
        assert_eq!(notification.biz_status(), biz_status, "{name}");
        assert!(
            !matches!(notification, Notification::Unknown { .. }),
            "{name}"
        );
        let known = match &notification {
            Notification::Pay(n) => {
                !matches!(n.status, binancepay_types::enums::PayStatus::Unknown(_))
            }
            Notification::PayRefund(n) => !matches!(
                n.status,
                binancepay_types::enums::PayRefundStatus::Unknown(_)
            ),
            Notification::Payout(n) => !matches!(
                n.status,
                binancepay_types::enums::PayoutBatchStatus::Unknown(_)
            ),
            Notification::PayoutNonBinance(n) => !matches!(
                n.status,
                binancepay_types::enums::PayoutDetailStatus::Unknown(_)
            ),
            Notification::DirectDebitContract(n) => !matches!(
                n.status,
                binancepay_types::enums::ContractStatus::Unknown(_)
            ),
            Notification::TechProvider(n) => !matches!(
                n.status,
                binancepay_types::enums::TechProviderStatus::Unknown(_)
            ),
            Notification::ShareAccountId(n) => !matches!(
                n.status,
                binancepay_types::enums::ShareAccountIdStatus::Unknown(_)
            ),
            Notification::Balance(n) => !matches!(
                n.status,
                binancepay_types::enums::BalanceWebhookStatus::Unknown(_)
            ),
            Notification::MerchantQrCode(n) => !matches!(
                n.status,
                binancepay_types::enums::MerchantQrCodeStatus::Unknown(_)
            ),
            _ => false,
        };
        assert!(known, "{name}: bizStatus not known");
        let expected = match &notification {
            Notification::PayRefund(refund) => match &refund.data.refund_info {
                Some(info) => format!(
                    "{}:{biz_status}:{}",
                    notification.biz_id_str(),
                    info.value
                        .refund_request_id
                        .as_deref()
                        .or(info.value.refund_id.as_deref())
                        .unwrap_or_default()
                ),
                None => format!("{}:{biz_status}", notification.biz_id_str()),
            },
            _ => format!("{}:{biz_status}", notification.biz_id_str()),
        };
        assert_eq!(notification.dedup_key(), expected, "{name}");
    }
    Ok(())
}

#[test]
fn two_partial_refunds_of_one_order_have_different_dedup_keys() -> TestResult {
    // Both notifications carry the order's bizId and the same bizStatus; only the refund's own
    // id tells them apart, so a handler deduplicating on the key acts on each once.
    let body = String::from_utf8(sample("PAY_REFUND.REFUND_SUCCESS.json"))?;
    let first = Notification::from_slice(body.as_bytes())?;
    let Notification::PayRefund(refund) = &first else {
        return Err("not PAY_REFUND".into());
    };
    let id = &refund
        .data
        .refund_info
        .as_ref()
        .ok_or("no refundInfo")?
        .value
        .refund_request_id
        .clone()
        .ok_or("no refundRequestId")?;
    assert!(!id.is_empty());
    let other = body.replace(id.as_str(), "anotherPartialRefund2");
    assert_ne!(
        other, body,
        "the sample names its refundRequestId once at least"
    );
    let second = Notification::from_slice(other.as_bytes())?;
    assert_eq!(first.biz_id_str(), second.biz_id_str());
    assert_eq!(first.biz_status(), second.biz_status());
    assert_ne!(first.dedup_key(), second.dedup_key());
    assert!(second.dedup_key().ends_with(":anotherPartialRefund2"));
    Ok(())
}

#[test]
fn refund_info_as_object_or_string() -> TestResult {
    for name in [
        "PAY_REFUND.REFUND_SUCCESS.json",
        "PAY_REFUND.REFUND_SUCCESS.refund_info_string.json",
    ] {
        let Notification::PayRefund(refund) = Notification::from_slice(&sample(name))? else {
            return Err(format!("{name}: not PAY_REFUND").into());
        };
        let info = refund.data.refund_info.ok_or("no refundInfo")?;
        assert_eq!(info.as_string, name.contains("refund_info_string"));
        assert_eq!(
            info.value.prepay_id.as_ref().map(|id| id.as_str()),
            Some("384582194812551168")
        );
    }
    Ok(())
}

#[test]
fn qr_code_data_as_object_and_as_string() -> TestResult {
    let object = sample("MERCHANT_QR_CODE.MERCHANT_QR_CODE_SCANED.json");
    let Notification::MerchantQrCode(qr) = Notification::from_slice(&object)? else {
        return Err("not MERCHANT_QR_CODE".into());
    };
    assert_eq!(qr.data.qr_code_type, Some(QrCodeType::FixedAmount));
    assert_eq!(qr.data.refer_id.as_deref(), Some(qr.biz_id_str.as_str()));
    // The same payload as a JSON string decodes the same way.
    let as_string = br#"{"bizType":"MERCHANT_QR_CODE","bizIdStr":"1","bizStatus":"MERCHANT_QR_CODE_SCANED","data":"{\"qrCodeType\":\"USER_INPUT_AMOUNT\"}"}"#;
    let Notification::MerchantQrCode(qr) = Notification::from_slice(as_string)? else {
        return Err("not MERCHANT_QR_CODE".into());
    };
    assert_eq!(qr.data.qr_code_type, Some(QrCodeType::UserInputAmount));
    Ok(())
}

#[test]
fn pay_data_as_an_object_is_accepted() -> TestResult {
    let body =
        br#"{"bizType":"PAY","bizId":1,"bizStatus":"PAY_CLOSED","data":{"merchantTradeNo":"T1"}}"#;
    let Notification::Pay(pay) = Notification::from_slice(body)? else {
        return Err("not PAY".into());
    };
    assert_eq!(pay.status, PayStatus::PayClosed);
    assert_eq!(pay.biz_id_str, "1");
    Ok(())
}

#[test]
fn unknown_biz_type_keeps_the_raw_body() -> TestResult {
    let body = br#"{"bizType":"PAY_BATCH_PAYOUT","bizId":18446744073709551616,"bizStatus":"SUCCESS","data":"{}"}"#;
    let notification = Notification::from_slice(body)?;
    assert_eq!(notification.biz_type(), "PAY_BATCH_PAYOUT");
    assert_eq!(notification.dedup_key(), "18446744073709551616:SUCCESS");
    let Notification::Unknown { raw, .. } = notification else {
        return Err("expected Unknown".into());
    };
    assert_eq!(raw.get().as_bytes(), body);
    Ok(())
}

#[test]
fn unknown_status_is_kept() -> TestResult {
    let body = br#"{"bizType":"PAY","bizIdStr":"7","bizStatus":"PAY_SOMETHING_NEW","data":"{}"}"#;
    let notification = Notification::from_slice(body)?;
    assert_eq!(notification.biz_status(), "PAY_SOMETHING_NEW");
    Ok(())
}

#[test]
fn malformed_bodies_are_errors() {
    let missing_type =
        Notification::from_slice(br#"{"bizId":1,"bizStatus":"PAY_SUCCESS","data":"{}"}"#);
    assert!(matches!(
        missing_type,
        Err(WebhookParseError::MissingField("bizType"))
    ));
    let missing_id =
        Notification::from_slice(br#"{"bizType":"PAY","bizStatus":"PAY_SUCCESS","data":"{}"}"#);
    assert!(matches!(
        missing_id,
        Err(WebhookParseError::MissingField("bizIdStr"))
    ));
    let missing_data =
        Notification::from_slice(br#"{"bizType":"PAY","bizId":1,"bizStatus":"PAY_SUCCESS"}"#);
    assert!(matches!(
        missing_data,
        Err(WebhookParseError::MissingField("data"))
    ));
    // V4 of test-vectors.md: a signature-only vector whose data is not JSON.
    let v4 = Notification::from_slice(
        br#"{"bizType":"PAY","bizId":"111","data":"testdata","bizStatus":"SUCCESS"}"#,
    );
    assert!(matches!(v4, Err(WebhookParseError::Data { ref biz_type, .. }) if biz_type == "PAY"));
    assert!(matches!(
        Notification::from_slice(b"[]"),
        Err(WebhookParseError::Envelope(_))
    ));
    assert!(matches!(
        Notification::from_slice(b""),
        Err(WebhookParseError::Envelope(_))
    ));
}

#[test]
fn replies_are_the_documented_bytes() -> Result<(), serde_json::Error> {
    assert_eq!(
        WebhookReply::success().to_json(),
        br#"{"returnCode":"SUCCESS","returnMessage":null}"#
    );
    assert_eq!(
        serde_json::to_string(&WebhookReply::success())?,
        r#"{"returnCode":"SUCCESS","returnMessage":null}"#
    );
    assert_eq!(
        serde_json::to_string(&WebhookReply::fail("busy"))?,
        r#"{"returnCode":"FAIL","returnMessage":"busy"}"#
    );
    Ok(())
}
