//! The order state machine through the client: pay, close (with its PAY_CLOSED webhook),
//! closing a paid order, expiry on the sandbox clock, and a reused merchantTradeNo.

use std::time::Duration;

use binancepay_client::{Client, Outcome};
use binancepay_integration_tests::{
    BoxError, Control, Merchant, TestResult, bounded, client_for, order, sandbox, wait_until,
};
use binancepay_types::ResultCode;
use binancepay_types::enums::OrderStatus;
use binancepay_types::order::{CloseOrderRequest, QueryOrderV2Request};
use binancepay_types::webhook::Notification;
use binancepay_types::{Amount, Id};

async fn status(client: &Client, prepay_id: &Id) -> Result<OrderStatus, BoxError> {
    let query = QueryOrderV2Request::new().with_prepay_id(prepay_id.clone());
    Ok(client.orders().query_v2(&query).await?.status)
}

/// Waits until the merchant acted on the notification `bizType:bizIdStr:bizStatus`.
async fn processed(merchant: &Merchant, key: &str) -> Result<Notification, BoxError> {
    wait_until(key, Duration::from_secs(10), || async {
        Ok(merchant
            .processed()
            .into_iter()
            .find(|n| n.dedup_key() == key))
    })
    .await
}

#[tokio::test]
async fn orders_are_paid_closed_expired_and_never_duplicated() -> TestResult {
    bounded("orders", async {
        let sandbox = sandbox()?.start().await?;
        let client = client_for(&sandbox).build()?;
        let control = Control::new(&sandbox)?;
        let merchant = Merchant::start(client.webhooks(), 0).await?;

        // Created → PAID by the simulated customer → PAY_SUCCESS.
        let paid = client
            .orders()
            .create_v3(&order("ORD1", "25.17")?.with_webhook_url(merchant.url()))
            .await?;
        let paid_id = paid.prepay_id().clone();
        assert_eq!(status(&client, &paid_id).await?, OrderStatus::Initial);
        control.pay(paid_id.as_str()).await?;
        assert_eq!(status(&client, &paid_id).await?, OrderStatus::Paid);
        let success = processed(&merchant, &format!("PAY:{paid_id}:PAY_SUCCESS")).await?;
        match success {
            Notification::Pay(pay) => {
                assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("ORD1"));
                assert_eq!(pay.data.total_fee, Some(Amount::new("25.17")?));
            }
            other => return Err(format!("expected a PAY notification, got {other:?}").into()),
        }

        // Closing an unpaid order: accepted, CANCELED, PAY_CLOSED.
        let unpaid = client
            .orders()
            .create_v3(&order("ORD2", "3")?.with_webhook_url(merchant.url()))
            .await?;
        let unpaid_id = unpaid.prepay_id().clone();
        let close = CloseOrderRequest::new().with_prepay_id(unpaid_id.clone());
        assert!(client.orders().close(&close).await?);
        assert_eq!(status(&client, &unpaid_id).await?, OrderStatus::Canceled);
        let closed = processed(&merchant, &format!("PAY:{unpaid_id}:PAY_CLOSED")).await?;
        assert_eq!(closed.biz_type(), "PAY");

        // Closing a paid order: 400204, nothing changes.
        let close_paid = CloseOrderRequest::new().with_merchant_trade_no("ORD1");
        let error = match client.orders().close(&close_paid).await {
            Ok(accepted) => return Err(format!("closing a paid order answered {accepted}").into()),
            Err(error) => error,
        };
        assert_eq!(
            error.result_code(),
            Some(&ResultCode::InvalidOrderStatus),
            "{error}"
        );
        assert_eq!(error.outcome(), Outcome::Rejected);
        assert_eq!(status(&client, &paid_id).await?, OrderStatus::Paid);

        // The same merchantTradeNo for a different order: 400201, the first order stands.
        let error = match client.orders().create_v3(&order("ORD1", "99")?).await {
            Ok(created) => return Err(format!("duplicate accepted: {created:?}").into()),
            Err(error) => error,
        };
        assert_eq!(
            error.result_code(),
            Some(&ResultCode::InvalidMerchantTradeNo),
            "{error}"
        );
        assert_eq!(error.outcome(), Outcome::Rejected);
        let held = client
            .orders()
            .query_v2(&QueryOrderV2Request::new().with_merchant_trade_no("ORD1"))
            .await?;
        assert_eq!(
            (held.prepay_id, held.order_amount),
            (paid_id.clone(), Amount::new("25.17")?)
        );

        // An unpaid order runs out of time when the sandbox clock passes its expiry (1 h).
        let expiring = client.orders().create_v3(&order("ORD3", "7")?).await?;
        let expiring_id = expiring.prepay_id().clone();
        assert_eq!(status(&client, &expiring_id).await?, OrderStatus::Initial);
        control.advance_clock(3_600_000 + 1_000).await?;
        assert_eq!(status(&client, &expiring_id).await?, OrderStatus::Expired);
        // Paying it now is refused by the control API; the paid order is unaffected.
        let (code, _) = control
            .post(&format!("/sandbox/orders/{expiring_id}/pay"), None)
            .await?;
        assert_eq!(code, 409);
        assert_eq!(status(&client, &paid_id).await?, OrderStatus::Paid);

        let counts = sandbox.state_counts();
        assert_eq!(counts.orders, 3);
        for (state, expected) in [("PAID", 1), ("CANCELED", 1), ("EXPIRED", 1)] {
            assert_eq!(
                counts.orders_by_status.get(state),
                Some(&expected),
                "{counts:?}"
            );
        }
        assert!(merchant.deliveries().iter().all(|d| d.refused.is_none()));
        let report = sandbox.shutdown().await;
        assert!(report.is_clean());
        merchant.stop().await;
        Ok(())
    })
    .await
}
