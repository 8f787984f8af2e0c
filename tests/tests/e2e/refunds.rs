//! The refund state machine through the client: partial refunds up to the order amount, an
//! over-refund, an idempotent refundRequestId, and the limit of 10 refunds per order.

use binancepay_client::{Client, Error, Outcome};
use binancepay_integration_tests::{
    BoxError, Control, TestResult, amount, bounded, client_for, order, sandbox,
};
use binancepay_types::enums::{DuplicateRequest, OrderStatus};
use binancepay_types::order::QueryOrderV2Request;
use binancepay_types::refund::{RefundOrderRequest, RefundResult};
use binancepay_types::{Id, ResultCode};

async fn paid_order(
    client: &Client,
    control: &Control,
    trade_no: &str,
    total: &str,
) -> Result<Id, BoxError> {
    let created = client.orders().create_v3(&order(trade_no, total)?).await?;
    control.pay(created.prepay_id().as_str()).await?;
    Ok(created.prepay_id().clone())
}

async fn refund(
    client: &Client,
    request_id: &str,
    prepay_id: &Id,
    value: &str,
) -> Result<Result<RefundResult, Error>, BoxError> {
    let request = RefundOrderRequest::new(request_id, prepay_id.clone(), amount(value)?);
    Ok(client.refunds().create(&request).await)
}

fn refused_with(result: Result<RefundResult, Error>, code: &ResultCode) -> TestResult {
    match result {
        Ok(refunded) => Err(format!("expected {code:?}, got {refunded:?}").into()),
        Err(error) => {
            assert_eq!(error.result_code(), Some(code), "{error}");
            assert_eq!(error.outcome(), Outcome::Rejected, "{error}");
            Ok(())
        }
    }
}

async fn status(client: &Client, prepay_id: &Id) -> Result<OrderStatus, BoxError> {
    let query = QueryOrderV2Request::new().with_prepay_id(prepay_id.clone());
    Ok(client.orders().query_v2(&query).await?.status)
}

#[tokio::test]
async fn refunds_add_up_to_the_order_are_idempotent_and_limited_to_ten() -> TestResult {
    bounded("refunds", async {
        let sandbox = sandbox()?.start().await?;
        let client = client_for(&sandbox).build()?;
        let control = Control::new(&sandbox)?;

        // Partial refunds up to the order amount, then nothing more.
        let order_a = paid_order(&client, &control, "REF1", "100").await?;
        let first = refund(&client, "REFA1", &order_a, "30").await??;
        assert_eq!(first.duplicate_request, Some(DuplicateRequest::No));
        assert_eq!(first.refunded_amount, Some(amount("30")?));
        assert_eq!(status(&client, &order_a).await?, OrderStatus::Refunded);
        refund(&client, "REFA2", &order_a, "30").await??;
        // 40 left: 40.00000001 is too much.
        refused_with(
            refund(&client, "REFA3", &order_a, "40.00000001").await?,
            &ResultCode::InvalidRefundAmount,
        )?;
        let last = refund(&client, "REFA4", &order_a, "40").await??;
        assert_eq!(last.refunded_amount, Some(amount("100")?));
        assert_eq!(status(&client, &order_a).await?, OrderStatus::FullRefunded);
        refused_with(
            refund(&client, "REFA5", &order_a, "0.01").await?,
            &ResultCode::InvalidRefundAmount,
        )?;

        // The same refundRequestId again answers the first refund and moves no money.
        let repeat = refund(&client, "REFA1", &order_a, "30").await??;
        assert_eq!(repeat.duplicate_request, Some(DuplicateRequest::Yes));
        assert_eq!(repeat.refund_amount, first.refund_amount);
        assert_eq!(sandbox.state_counts().refunds, 3);

        // Ten refunds per order; as documented, the tenth takes the whole remainder.
        let order_b = paid_order(&client, &control, "REF2", "100").await?;
        for n in 1..=9 {
            let partial = refund(&client, &format!("REFB{n}"), &order_b, "1").await??;
            assert_eq!(
                partial.remaining_attempts.map(|r| r.to_string()),
                Some((10 - n).to_string())
            );
        }
        let tenth = refund(&client, "REFB10", &order_b, "1").await??;
        assert_eq!(tenth.refund_amount, Some(amount("91")?));
        assert_eq!(status(&client, &order_b).await?, OrderStatus::FullRefunded);
        refused_with(
            refund(&client, "REFB11", &order_b, "1").await?,
            &ResultCode::TooManyRefundAttempts,
        )?;

        // An unpaid order cannot be refunded.
        let unpaid = client.orders().create_v3(&order("REF3", "5")?).await?;
        refused_with(
            refund(&client, "REFC1", unpaid.prepay_id(), "1").await?,
            &ResultCode::InvalidOrderStatus,
        )?;
        assert_eq!(sandbox.state_counts().refunds, 13);
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}
