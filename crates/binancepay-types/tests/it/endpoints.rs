//! The endpoint table against the reference, and the `Endpoint` impls against the table.

use binancepay_types::order::{CloseOrderRequest, CreateOrderV3Request};
use binancepay_types::refund::RefundOrderRequest;
use binancepay_types::{ENDPOINTS, Endpoint, Id, RetryClass, endpoint_by_path};

#[test]
fn every_reference_path_is_in_the_table_in_order() {
    let paths = crate::reference::endpoint_paths();
    assert!(
        paths.len() >= 42,
        "read only {} paths from the reference",
        paths.len()
    );
    let ours: Vec<&str> = ENDPOINTS.iter().map(|e| e.path).collect();
    for path in &paths {
        assert!(
            endpoint_by_path(path).is_some(),
            "{path} is missing from ENDPOINTS"
        );
    }
    assert_eq!(
        ours, paths,
        "ENDPOINTS should follow the reference's table order"
    );
}

#[test]
fn operation_names_are_the_fixed_ones() {
    let expected = [
        "create_order_v3",
        "create_order_v2",
        "create_order_v1",
        "query_order_v2",
        "query_order_v1",
        "close_order",
        "verify_payer",
        "refund_order",
        "query_refund",
        "create_payout",
        "query_payout",
        "check_payout_receiver",
        "transfer_fund",
        "query_transfer",
        "query_balance_v2",
        "query_balance_v1",
        "add_sub_merchant",
        "modify_sub_merchant",
        "query_sub_merchant",
        "list_convert_pairs",
        "get_convert_quote",
        "execute_convert_quote",
        "query_convert_order",
        "create_contract",
        "query_contract",
        "terminate_contract",
        "notify_payment",
        "apply_payment",
        "create_tsp_authorization",
        "query_tsp_records",
        "get_tsp_record",
        "query_tsp_config",
        "share_account_id",
        "query_certificates",
        "query_certificates_new",
        "add_profit_receiver",
        "query_profit_receivers",
        "delete_profit_receiver",
        "submit_profit_split",
        "query_profit_split",
        "return_profit_split",
        "get_report_file",
        "request_balance_report",
        "query_balance_report",
    ];
    let ours: Vec<&str> = ENDPOINTS.iter().map(|e| e.operation).collect();
    assert_eq!(ours, expected);
}

#[test]
fn retry_classes_follow_the_reference() {
    let class = |path: &str| endpoint_by_path(path).map(|e| e.retry);
    assert_eq!(
        class("/binancepay/openapi/order/refund"),
        Some(RetryClass::Idempotent {
            key_field: "refundRequestId"
        })
    );
    assert_eq!(
        class("/binancepay/openapi/pay/apply"),
        Some(RetryClass::Idempotent {
            key_field: "merchantRequestId"
        })
    );
    assert_eq!(
        class("/binancepay/openapi/v2/order/query"),
        Some(RetryClass::Query)
    );
    assert_eq!(
        class("/binancepay/openapi/certificates"),
        Some(RetryClass::Query)
    );
    assert_eq!(
        class("/binancepay/openapi/otc-portal/execute-quote"),
        Some(RetryClass::Unsafe)
    );
    for info in ENDPOINTS {
        assert!(
            !info.retry_note.is_empty(),
            "{} lacks a retry note",
            info.operation
        );
        assert!(info.path.starts_with("/binancepay/openapi/"));
        if let RetryClass::Idempotent { key_field } = info.retry {
            assert!(!key_field.is_empty());
        }
    }
}

#[test]
fn trait_constants_match_the_table() {
    fn check<E: Endpoint>() {
        let info = endpoint_by_path(E::PATH);
        assert_eq!(
            info.map(|i| (i.operation, i.retry)),
            Some((E::OPERATION, E::RETRY))
        );
    }
    check::<CreateOrderV3Request>();
    check::<RefundOrderRequest>();
    check::<CloseOrderRequest>();
    check::<binancepay_types::certificate::QueryCertificatesRequest>();
    check::<binancepay_types::certificate::QueryCertificatesNewRequest>();
    check::<binancepay_types::direct_debit::ApplyPaymentRequest>();
}

#[test]
fn idempotency_key_is_the_request_value() -> Result<(), Box<dyn std::error::Error>> {
    let refund = RefundOrderRequest::new("R1", Id::new("384582194812551168")?, "0.10".parse()?);
    assert_eq!(refund.idempotency_key(), Some("R1"));
    let close = CloseOrderRequest::new().with_merchant_trade_no("T1");
    assert_eq!(close.idempotency_key(), None);
    Ok(())
}

#[test]
fn parameterless_requests_serialise_as_an_empty_object() -> Result<(), serde_json::Error> {
    assert_eq!(
        serde_json::to_string(&binancepay_types::certificate::QueryCertificatesRequest::new())?,
        "{}"
    );
    assert_eq!(
        serde_json::to_string(&binancepay_types::certificate::QueryCertificatesNewRequest::new())?,
        "{}"
    );
    assert_eq!(
        serde_json::to_string(&binancepay_types::tsp::QueryTspConfigRequest::default())?,
        "{}"
    );
    Ok(())
}
