//! Refunds (part of) a paid order, then queries the refund.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=... BINANCEPAY_BASE_URL=http://127.0.0.1:8080
//! cargo run -p binancepay-client --example refund -- <prepayId> R20261121x1 1.50
//! ```

use binancepay_client::Client;
use binancepay_types::refund::{QueryRefundRequest, RefundOrderRequest};
use binancepay_types::{Amount, Id};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let prepay_id = Id::new(
        &args
            .next()
            .ok_or("usage: refund <prepayId> <refundRequestId> <amount>")?,
    )?;
    let refund_request_id = args.next().unwrap_or_else(|| "R20261121x1".to_owned());
    let amount = Amount::new(&args.next().unwrap_or_else(|| "1.50".to_owned()))?;
    let client = Client::from_env()?;

    // Retried with the same refundRequestId, so a lost answer cannot refund twice.
    let request = RefundOrderRequest::new(refund_request_id.clone(), prepay_id, amount)
        .with_refund_reason("customer request");
    let refund = client.refunds().create(&request).await?;
    let text = |amount: Option<Amount>| {
        amount
            .map(|a| a.to_string())
            .unwrap_or_else(|| "?".to_owned())
    };
    println!(
        "refunded {} of {} (repeat of an earlier request: {:?})",
        text(refund.refund_amount),
        text(refund.order_amount),
        refund.duplicate_request
    );

    let status = client
        .refunds()
        .query(&QueryRefundRequest::new(refund_request_id))
        .await?;
    println!("refund status {:?}", status.refund_status);
    Ok(())
}
