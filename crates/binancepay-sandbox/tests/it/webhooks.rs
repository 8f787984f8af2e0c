//! Webhook delivery: signed with the key the certificates endpoint serves, retried with backoff
//! until the merchant answers 200 + SUCCESS, recorded in `GET /sandbox/webhooks`.

use std::time::Duration;

use binancepay_http::webhook::{CertificateStore, WebhookVerifier};
use binancepay_sandbox::{DeliveryStatus, RunningSandbox};
use binancepay_types::certificate::QueryCertificatesRequest;
use binancepay_types::enums::{ContractStatus, PayStatus, ScenarioCode, TspScope};
use binancepay_types::webhook::Notification;

use crate::orders::{amount, order, paid_order};
use crate::support::{Client, Receiver, builder, start, wait_deliveries};

/// A verifier filled from the sandbox's own certificates endpoint.
async fn verifier(client: &Client) -> WebhookVerifier {
    let certificates = client.ok(&QueryCertificatesRequest::new()).await;
    assert_eq!(certificates.len(), 1);
    let store = CertificateStore::from_certificates(certificates)
        .unwrap_or_else(|e| panic!("certificates: {e}"));
    WebhookVerifier::new(store)
}

fn now() -> binancepay_http::Timestamp {
    binancepay_http::now().unwrap_or_else(|e| panic!("clock: {e}"))
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_third_attempt_and_it_verifies() {
    let receiver = Receiver::start(2).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "HOOK1", "0.88").await;

    let received = receiver.wait_for(1).await;
    assert_eq!(receiver.calls(), 3);
    let notification = verifier(&client)
        .await
        .verify(&received[0].headers, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify: {e}"));
    match notification {
        Notification::Pay(pay) => {
            assert_eq!(pay.biz_id_str, prepay.as_str());
            assert_eq!(pay.status, PayStatus::PaySuccess);
            assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("HOOK1"));
            assert_eq!(
                pay.data.total_fee.as_ref().map(|f| f.as_str()),
                Some("0.88")
            );
        }
        other => panic!("expected PAY, got {other:?}"),
    }
    assert_eq!(
        received[0]
            .headers
            .get("binancepay-certificate-sn")
            .and_then(|v| v.to_str().ok()),
        Some(sandbox.certificate_serial().as_str())
    );

    let log = client.get("/sandbox/webhooks").await;
    assert_eq!(log["delivered"], 1);
    let delivery = &log["deliveries"][0];
    assert_eq!(
        (delivery["status"].as_str(), delivery["attempts"].as_u64()),
        (Some("DELIVERED"), Some(3))
    );
    assert_eq!(delivery["bizType"], "PAY");

    // Tampering with the delivered bytes breaks the signature.
    let mut body = received[0].body.to_vec();
    body.push(b' ');
    assert!(
        verifier(&client)
            .await
            .verify(&received[0].headers, &body, now())
            .is_err()
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn deliveries_stop_after_the_retries_and_count_fail_replies_as_failures() {
    let down = Receiver::start(u32::MAX).await;
    let refusing = Receiver::start_with(0, r#"{"returnCode":"FAIL","returnMessage":"busy"}"#).await;
    let sandbox = start(
        builder()
            .max_retries(2)
            .retry_base_delay(Duration::from_millis(10)),
    )
    .await;
    let client = Client::new(&sandbox);
    let a = client
        .ok(&order("DOWN1", "1").with_webhook_url(down.url()))
        .await
        .prepay_id;
    let b = client
        .ok(&order("FAIL1", "1").with_webhook_url(refusing.url()))
        .await
        .prepay_id;
    client.post(&format!("/sandbox/orders/{a}/pay"), None).await;
    client.post(&format!("/sandbox/orders/{b}/pay"), None).await;
    let deliveries = wait_deliveries(&sandbox, |d| {
        d.len() == 2 && d.iter().all(|d| d.status == DeliveryStatus::Failed)
    })
    .await;
    assert!(
        deliveries.iter().all(|d| d.attempts == 3),
        "{deliveries:#?}"
    );
    assert_eq!(down.calls(), 3);
    assert_eq!(refusing.calls(), 3);
    assert!(
        deliveries
            .iter()
            .any(|d| d.last_error.as_deref() == Some("HTTP 500"))
    );
    assert!(
        deliveries
            .iter()
            .any(|d| d.last_error.as_deref().is_some_and(|e| e.contains("FAIL")))
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn notifications_without_a_url_are_recorded_not_sent() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    paid_order(&client, "NOURL1", "1").await;
    let log = client.get("/sandbox/webhooks").await;
    assert_eq!(log["noUrl"], 1);
    assert_eq!(log["deliveries"][0]["status"], "NO_URL");
    assert!(
        log["deliveries"][0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("PAY_SUCCESS"))
    );
    sandbox.shutdown().await;
}

/// Triggers one notification of every bizType the sandbox produces.
async fn trigger_every_kind(client: &Client, sandbox: &RunningSandbox, url: &str) -> usize {
    use binancepay_types::direct_debit::CreateContractRequest;
    use binancepay_types::enums::{ReceiveType, ReportType, Wallet};
    use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer};
    use binancepay_types::refund::RefundOrderRequest;
    use binancepay_types::report::RequestBalanceReportRequest;
    use binancepay_types::share_info::ShareAccountIdRequest;
    use binancepay_types::tsp::CreateTspAuthorizationRequest;

    let prepay = paid_order(client, "KIND1", "5").await;
    client
        .ok(&RefundOrderRequest::new("KINDR1", prepay, amount("1")).with_webhook_url(url))
        .await;
    let closed = client.ok(&order("KIND2", "1").with_webhook_url(url)).await;
    client
        .ok(&binancepay_types::order::CloseOrderRequest::new().with_prepay_id(closed.prepay_id))
        .await;
    let transfers = vec![
        PayoutTransfer::new(
            "s1",
            ReceiveType::PayId,
            "354205155",
            amount("1"),
            Wallet::FundingWallet,
        ),
        PayoutTransfer::new(
            "s2",
            ReceiveType::Email,
            "a@example.com",
            amount("2"),
            Wallet::SpotWallet,
        ),
    ];
    let payout = CreatePayoutRequest::new("KINDP1", "batch", "USDT", amount("3"), 2, transfers)
        .with_webhook_url(url);
    client.ok(&payout).await;
    client.post("/sandbox/payouts/KINDP1/complete", None).await;
    let contract = CreateContractRequest::new(
        "KINDC1",
        "Gym",
        ScenarioCode::Membership,
        amount("50"),
        "USDT",
        false,
    );
    client.ok(&contract).await;
    client
        .post(
            "/sandbox/contracts/KINDC1/sign",
            Some(serde_json::json!({ "webhookUrl": url })),
        )
        .await;
    let merchant = "350962587";
    let tsp = client
        .ok(&CreateTspAuthorizationRequest::new(
            merchant,
            vec![TspScope::Checkout],
            vec!["127.0.0.1".into()],
        ))
        .await;
    client
        .post(
            &format!(
                "/sandbox/tsp/{}/agree",
                tsp.authorization_id.unwrap_or_default()
            ),
            None,
        )
        .await;
    client
        .ok(&ShareAccountIdRequest::new("KINDS1").with_webhook_url(url))
        .await;
    client
        .post("/sandbox/share-account/KINDS1/share", None)
        .await;
    let today = crate::areas::iso_today(sandbox);
    client
        .ok(&RequestBalanceReportRequest::new(
            ReportType::Balance,
            today.clone(),
            today,
        ))
        .await;
    // PAY x2, PAY_REFUND, PAYOUT, PAYOUT_NON_BN, DIRECT_DEBIT_CT, TECH_PROVIDER, SHARE_ACCOUNT_ID, BALANCE
    9
}

#[tokio::test]
async fn every_kind_of_notification_verifies_and_parses() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    let expected = trigger_every_kind(&client, &sandbox, &receiver.url()).await;
    let received = receiver.wait_for(expected).await;
    let verifier = verifier(&client).await;
    let mut kinds: Vec<String> = Vec::new();
    for hook in &received {
        let notification = verifier
            .verify(&hook.headers, &hook.body, now())
            .unwrap_or_else(|e| panic!("verify {}: {e}", String::from_utf8_lossy(&hook.body)));
        assert!(
            !matches!(notification, Notification::Unknown { .. }),
            "{notification:?}"
        );
        // The TECH_PROVIDER page sends `merchantId` as a JSON number.
        if let Notification::TechProvider(tp) = &notification {
            assert!(
                matches!(
                    tp.data.merchant_id,
                    Some(binancepay_types::NumberOrString::Number(_))
                ),
                "{:?}",
                tp.data.merchant_id
            );
        }
        if let Notification::DirectDebitContract(contract) = &notification {
            assert_eq!(contract.status, ContractStatus::ContractSigned);
            assert!(contract.data.contract_id.is_some());
        }
        kinds.push(format!(
            "{}/{}",
            notification.biz_type(),
            notification.biz_status()
        ));
    }
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "BALANCE/BALANCE_SUCCESS",
            "DIRECT_DEBIT_CT/CONTRACT_SIGNED",
            "PAY/PAY_CLOSED",
            "PAY/PAY_SUCCESS",
            "PAYOUT/SUCCESS",
            "PAYOUT_NON_BN/SUCCESS",
            "PAY_REFUND/REFUND_SUCCESS",
            "SHARE_ACCOUNT_ID/SUCCESS",
            "TECH_PROVIDER/SUBMIT_AUTH_AGREE",
        ]
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shared_payer_detail_decrypts_with_the_merchant_secret_in_webhook_and_query() {
    use binancepay_http::ApiSecret;
    use binancepay_http::payer_detail::PayerDetailExt as _;
    use binancepay_types::order::QueryOrderV2Request;

    let receiver = Receiver::start(0).await;
    let sandbox = start(
        builder()
            .webhook_url(receiver.url())
            .share_payer_detail(true),
    )
    .await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "SHARE1", "3.5").await;
    let secret = ApiSecret::new(sandbox.api_secret()).unwrap_or_else(|e| panic!("secret: {e}"));

    let received = receiver.wait_for(1).await;
    let notification = verifier(&client)
        .await
        .verify(&received[0].headers, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify: {e}"));
    let Notification::Pay(pay) = notification else {
        panic!("expected PAY, got {notification:?}")
    };
    let from_webhook = pay
        .data
        .decrypt_payer_detail(&secret)
        .unwrap_or_else(|e| panic!("decrypt: {e}"))
        .unwrap_or_else(|| panic!("no payerDetail in the webhook"));
    let payer: serde_json::Value =
        serde_json::from_str(from_webhook.as_str()).unwrap_or_else(|e| panic!("JSON: {e}"));
    let payer_id = pay
        .data
        .payment_info
        .as_ref()
        .and_then(|info| info.payer_id.as_ref())
        .map(|id| id.as_str().to_owned());
    assert_eq!(payer["payerId"].as_str().map(str::to_owned), payer_id);
    assert_eq!(
        payer["openUserId"].as_str(),
        pay.data.open_user_id.as_deref()
    );
    assert!(payer["firstName"].is_string() && payer["lastName"].is_string());

    let order = client
        .ok(&QueryOrderV2Request::new().with_prepay_id(prepay))
        .await;
    let from_query = order
        .decrypt_payer_detail(&secret)
        .unwrap_or_else(|e| panic!("decrypt: {e}"))
        .unwrap_or_else(|| panic!("no payerDetail in the query"));
    assert_eq!(from_query.as_str(), from_webhook.as_str());

    // Another merchant's secret does not open it.
    let other = ApiSecret::new("another merchant").unwrap_or_else(|e| panic!("secret: {e}"));
    assert_eq!(
        order.decrypt_payer_detail(&other).map(|_| ()),
        Err(binancepay_sign::Error::PayerDetailAuthentication)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payer_detail_is_absent_unless_shared() {
    use binancepay_http::payer_detail::PayerDetailExt as _;
    use binancepay_types::order::QueryOrderV2Request;

    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "NOSHARE1", "1").await;
    let order = client
        .ok(&QueryOrderV2Request::new().with_prepay_id(prepay))
        .await;
    assert!(order.payment_info.is_some());
    assert_eq!(order.payer_detail_raw(), None);
    let log = client.get("/sandbox/webhooks").await;
    assert!(
        log["deliveries"][0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("paymentInfo") && !b.contains("payerDetail"))
    );
    sandbox.shutdown().await;
}
