//! Through the client, each class of what Binance's systems send beyond its pages: other number
//! spellings, numbers for strings, other envelopes, other field names.

use binancepay_client::{Error, RetryPolicy};
use binancepay_types::enums::{OrderStatus, TransferType};
use binancepay_types::order::{QueryOrderV1Request, QueryOrderV2Request};
use binancepay_types::wallet::TransferFundRequest;
use binancepay_types::{Amount, ResultCode};

use crate::support::{Mock, Reply};

fn query() -> QueryOrderV2Request {
    QueryOrderV2Request::new().with_merchant_trade_no("9825382937292")
}

#[tokio::test]
async fn an_answer_spelled_as_java_prints_it_decodes_to_the_documented_values() {
    // Amounts in exponent notation and with trailing zeros, ids and the trade number as JSON
    // numbers (one beyond u64), timestamps as strings and in integral exponent form.
    let body = r#"{"status":"SUCCESS","code":"000000","data":{"merchantId":98765987,
        "prepayId":29383937493038367292,"transactionId":"M_P_71505104267788288",
        "merchantTradeNo":9825382937292,"status":"PAID","currency":"USDT",
        "orderAmount":2.517E1,"commission":"0.000000010","transactTime":"1611232922428",
        "createTime":1.611232922428E12}}"#;
    let mock = Mock::start(move |_| Reply::json(200, body)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let order = client
        .orders()
        .query_v2(&query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(order.merchant_trade_no, "9825382937292");
    assert_eq!(order.prepay_id.as_str(), "29383937493038367292");
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.order_amount, Amount::new("25.17").unwrap());
    assert_eq!(
        order.commission.as_ref().map(Amount::as_str),
        Some("0.00000001")
    );
    assert_eq!(order.transact_time, Some(1_611_232_922_428));
    assert_eq!(order.create_time, 1_611_232_922_428);
}

#[tokio::test]
async fn the_v1_answer_names_the_amount_total_fee() {
    let body = r#"{"status":"SUCCESS","code":"000000","data":{"merchantId":98765987,
        "prepayId":"29383937493038367292","merchantTradeNo":"A1","tradeType":"WEB",
        "status":"PAID","currency":"USDT","totalFee":"0.88000000","productName":"Ice Cream",
        "productDetail":"Greentea ice cream cone","createTime":1611232922428}}"#;
    let mock = Mock::start(move |_| Reply::json(200, body)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let request = QueryOrderV1Request::new().with_merchant_trade_no("A1");
    let order = client
        .orders()
        .query_v1(&request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(order.order_amount.as_str(), "0.88000000");
    assert_eq!(order.product_name.as_deref(), Some("Ice Cream"));
}

#[tokio::test]
async fn a_repeated_transfer_answered_repeat_req_success_is_a_success() {
    let body = r#"{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":{"tranId":100002021071407140001,"status":"SUCCESS"}}"#;
    let mock = Mock::start(move |_| Reply::json(200, body)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let request = TransferFundRequest::new(
        "100002021071407140001",
        "BNB",
        Amount::new("0.01").unwrap(),
        TransferType::ToMain,
    );
    let answer = client.wallet().transfer(&request).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn the_restricted_location_answer_is_its_own_error_and_not_retried() {
    let body = r#"{"code":0,"msg":"Service unavailable from a restricted location according to 'b. Eligibility' in https://www.binance.com/en/terms. Please contact customer service if you believe you received this message in error."}"#;
    let mock = Mock::start(move |_| Reply::json(451, body)).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let error = client
        .orders()
        .query_v2(&query())
        .await
        .expect_err("a refusal");
    let Error::Response { source, .. } = &error else {
        panic!("not a response error: {error:?}");
    };
    assert!(
        matches!(source, binancepay_http::Error::RestrictedLocation { message, .. } if message.contains("restricted location")),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("restricted location"), "{error}");
    // A query is retried on what can pass; this cannot, so it was sent once.
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test]
async fn error_text_comes_from_whichever_key_carries_it() {
    for body in [
        r#"{"status":"FAIL","code":"400201","errorMessage":"","msg":"duplicated"}"#,
        r#"{"status":"FAIL","code":"400201","errorMessage":null,"errorData":"duplicated"}"#,
        r#"{"code":"400201","msg":"duplicated"}"#,
    ] {
        let mock = Mock::start(move |_| Reply::json(400, body)).await;
        let client = mock
            .client()
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let error = client
            .orders()
            .query_v2(&query())
            .await
            .expect_err("a failure");
        assert_eq!(
            error.result_code(),
            Some(&ResultCode::InvalidMerchantTradeNo),
            "{body}"
        );
        assert!(error.to_string().contains("duplicated"), "{body}: {error}");
    }
}

#[tokio::test]
async fn webhooks_spelled_as_java_prints_them_verify_and_decode() {
    use binancepay_types::webhook::Notification;

    use crate::support::WebhookKey;

    let key = WebhookKey::load("a", "serial-a");
    let certificate = key.certificate();
    let mock = Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            Reply::success(serde_json::Value::Array(vec![certificate.clone()]))
        } else {
            Reply::json(404, "{}")
        }
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    // A PAY webhook: 20-digit bizId as a number, bizIdStr as a number, a fee in exponent form.
    let pay = br#"{"bizType":"PAY","bizId":29383937493038367292,"bizIdStr":29383937493038367292,"bizStatus":"PAY_SUCCESS","data":"{\"merchantTradeNo\":9825382937292,\"totalFee\":0.88000000,\"transactTime\":1.619508939664E12,\"currency\":\"USDT\",\"commission\":1.0E-7}"}"#;
    let verified = client
        .webhooks()
        .handle(&key.sign(key.serial, pay), pay)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Notification::Pay(n) = verified.notification() else {
        panic!("{:?}", verified.notification());
    };
    assert_eq!(n.biz_id_str, "29383937493038367292");
    assert_eq!(n.data.merchant_trade_no.as_deref(), Some("9825382937292"));
    assert_eq!(n.data.transact_time, Some(1_619_508_939_664));
    assert_eq!(
        n.data.commission.as_ref().map(Amount::as_str),
        Some("0.00000010")
    );
    // A PAY_REFUND webhook shaped like the production capture of the reference (§4.4): the
    // refund's refundId a JSON number, no refundRequestId, refundStatus REFUNDED.
    let refund = br#"{"bizType":"PAY_REFUND","bizId":29383937493038367292,"bizIdStr":"29383937493038367292","bizStatus":"REFUND_SUCCESS","data":"{\"merchantTradeNo\":\"9825382937292\",\"totalFee\":\"25.17\",\"refundInfo\":{\"refundId\":384582194812551168,\"prepayId\":\"29383937493038367292\",\"orderAmount\":\"25.17\",\"refundedAmount\":\"1.0E+1\",\"refundAmount\":\"10\",\"remainingAttempts\":9,\"payerOpenId\":\"b1b4\",\"duplicateRequest\":\"N\",\"refundStatus\":\"REFUNDED\"}}"}"#;
    let verified = client
        .webhooks()
        .handle(&key.sign(key.serial, refund), refund)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let Notification::PayRefund(n) = verified.notification() else {
        panic!("{:?}", verified.notification());
    };
    let info = n.data.refund_info.as_ref().map(|i| i.value.clone());
    let info = info.unwrap_or_else(|| panic!("no refundInfo: {n:?}"));
    assert_eq!(info.refund_id.as_deref(), Some("384582194812551168"));
    assert_eq!(info.refund_request_id, None);
    assert_eq!(
        info.refunded_amount.as_ref().map(Amount::as_str),
        Some("10")
    );
    assert_eq!(info.refund_status.as_deref(), Some("REFUNDED"));
    // The refund's own id keeps a second partial refund of the order apart from this one.
    assert!(
        verified
            .notification()
            .dedup_key()
            .ends_with(":384582194812551168"),
        "{}",
        verified.notification().dedup_key()
    );
}
