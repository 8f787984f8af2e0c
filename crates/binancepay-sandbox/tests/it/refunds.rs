//! The refund state machine: partial and cumulative limits, ten attempts, idempotent request
//! ids, paid orders only, REFUNDING/REFUNDED/FULL_REFUNDED, balances, PAY_REFUND webhooks.

use binancepay_types::enums::{DuplicateRequest, OrderStatus, RefundStatus, Wallet};
use binancepay_types::refund::{QueryRefundRequest, RefundOrderRequest};
use binancepay_types::wallet::QueryBalanceV2Request;
use binancepay_types::{Amount, Id};
use serde_json::json;

use crate::orders::{amount, by_prepay, order, paid_order};
use crate::support::{Client, Receiver, builder, start};

fn refund(id: &str, prepay: &Id, total: &str) -> RefundOrderRequest {
    RefundOrderRequest::new(id, prepay.clone(), amount(total))
}

async fn funding_usdt(client: &Client) -> Amount {
    let balance = client
        .ok(&QueryBalanceV2Request::new(Wallet::FundingWallet).with_currency("USDT"))
        .await;
    balance
        .balance
        .and_then(|b| b.into_iter().next())
        .and_then(|b| b.available)
        .unwrap_or_else(|| panic!("no USDT balance"))
}

#[tokio::test]
async fn partial_refunds_accumulate_up_to_the_order_amount() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    let before = funding_usdt(&client).await;
    let prepay = paid_order(&client, "REF1", "25.17").await;
    let after_pay = funding_usdt(&client).await;
    assert_eq!(
        after_pay
            .checked_sub(&before)
            .map(|a| a.to_string())
            .as_deref(),
        Some("25.17")
    );

    let first = client.ok(&refund("R1", &prepay, "0.10")).await;
    assert_eq!(
        first.refunded_amount.as_ref().map(Amount::as_str),
        Some("0.10")
    );
    assert_eq!(
        first.remaining_attempts.as_ref().map(|n| n.as_str()),
        Some("9")
    );
    assert_eq!(first.duplicate_request, Some(DuplicateRequest::No));
    assert_eq!(
        client.ok(&by_prepay(&prepay)).await.status,
        OrderStatus::Refunded
    );

    // More than what is left: 400303, nothing changes.
    let message = client.fail(&refund("R2", &prepay, "25.08"), "400303").await;
    assert!(message.contains("refundAmount"), "{message}");
    let rest = client.ok(&refund("R3", &prepay, "25.07")).await;
    assert_eq!(
        rest.refunded_amount.as_ref().map(Amount::as_str),
        Some("25.17")
    );
    assert_eq!(
        client.ok(&by_prepay(&prepay)).await.status,
        OrderStatus::FullRefunded
    );
    client
        .fail(&refund("R4", &prepay, "0.00000001"), "400303")
        .await;
    assert_eq!(funding_usdt(&client).await, before);

    let queried = client.ok(&QueryRefundRequest::new("R3")).await;
    assert_eq!(queried.refund_status, Some(RefundStatus::RefundSuccess));
    assert_eq!(
        queried.refund_amount.as_ref().map(Amount::as_str),
        Some("25.07")
    );
    client.fail(&QueryRefundRequest::new("R2"), "400202").await;

    // PAY_SUCCESS plus two PAY_REFUND / REFUND_SUCCESS.
    let received = receiver.wait_for(3).await;
    let refunds: Vec<serde_json::Value> = received
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .filter(|b| b["bizType"] == "PAY_REFUND")
        .collect();
    assert_eq!(refunds.len(), 2);
    assert!(refunds.iter().all(|b| b["bizStatus"] == "REFUND_SUCCESS"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refund_request_ids_are_idempotent() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "IDEM1", "10").await;
    let first = client.ok(&refund("SAME", &prepay, "1")).await;
    let again = client.ok(&refund("SAME", &prepay, "1")).await;
    assert_eq!(again.duplicate_request, Some(DuplicateRequest::Yes));
    assert_eq!(again.refunded_amount, first.refunded_amount);
    // Even with another amount the repeat answers the first refund and refunds nothing more.
    let other = client.ok(&refund("SAME", &prepay, "5")).await;
    assert_eq!(other.refund_amount.as_ref().map(Amount::as_str), Some("1"));
    assert_eq!(sandbox.state_counts().refunds, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn at_most_ten_refunds_and_the_tenth_takes_the_remainder() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "TEN1", "100").await;
    for n in 1..=9 {
        let result = client.ok(&refund(&format!("T{n}"), &prepay, "1")).await;
        assert_eq!(
            result.remaining_attempts.map(|r| r.as_str().to_owned()),
            Some((10 - n).to_string())
        );
    }
    // One attempt left: the documented rule refunds the whole remainder.
    let last = client.ok(&refund("T10", &prepay, "1")).await;
    assert_eq!(last.refund_amount.as_ref().map(Amount::as_str), Some("91"));
    assert_eq!(
        client.ok(&by_prepay(&prepay)).await.status,
        OrderStatus::FullRefunded
    );
    client.fail(&refund("T11", &prepay, "1"), "400302").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn only_paid_orders_of_known_prepay_ids_refund() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let unpaid = client.ok(&order("UNPAID1", "5")).await.prepay_id;
    client.fail(&refund("U1", &unpaid, "1"), "400204").await;
    let unknown = Id::new("123456789012345678").unwrap_or_else(|e| panic!("{e}"));
    client.fail(&refund("U2", &unknown, "1"), "400301").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refunds_need_the_funding_balance() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "BAL1", "50").await;
    client
        .post(
            "/sandbox/balances",
            Some(json!({"wallet": "FUNDING_WALLET", "asset": "USDT", "amount": "10"})),
        )
        .await;
    client.fail(&refund("B1", &prepay, "20"), "400304").await;
    client.ok(&refund("B2", &prepay, "10")).await;
    assert_eq!(funding_usdt(&client).await.as_str(), "0");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn manual_refunds_stay_refunding_until_settled() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder().manual_refunds(true).webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    let prepay = paid_order(&client, "MAN1", "8").await;
    client.ok(&refund("M1", &prepay, "3")).await;
    client.ok(&refund("M2", &prepay, "5")).await;
    assert_eq!(
        client.ok(&by_prepay(&prepay)).await.status,
        OrderStatus::Refunding
    );
    let pending = client.ok(&QueryRefundRequest::new("M1")).await;
    assert_eq!(pending.refund_status, Some(RefundStatus::RefundPending));

    let settled = client.post("/sandbox/refunds/M1/complete", None).await;
    assert_eq!(settled["refundStatus"], "REFUND_SUCCESS");
    assert_eq!(settled["orderStatus"], "REFUNDING");
    let rejected = client.post("/sandbox/refunds/M2/reject", None).await;
    assert_eq!(rejected["refundStatus"], "REFUND_FAIL");
    assert_eq!(
        client.ok(&by_prepay(&prepay)).await.status,
        OrderStatus::Refunded
    );
    let (status, _) = client
        .control(reqwest::Method::POST, "/sandbox/refunds/M2/complete", None)
        .await;
    assert_eq!(status, 409);
    // The rejected 5 can be refunded again.
    client.ok(&refund("M3", &prepay, "5")).await;

    let received = receiver.wait_for(3).await;
    let statuses: Vec<String> = received
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .filter(|b| b["bizType"] == "PAY_REFUND")
        .map(|b| b["bizStatus"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["REFUND_REJECTED", "REFUND_SUCCESS"],
        "{statuses:?}"
    );
    sandbox.shutdown().await;
}
