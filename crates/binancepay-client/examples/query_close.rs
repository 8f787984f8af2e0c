//! Queries an order by merchantTradeNo and closes it if it is still unpaid.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=... BINANCEPAY_BASE_URL=http://127.0.0.1:8080
//! cargo run -p binancepay-client --example query_close -- A20261121x1
//! ```

use binancepay_client::Client;
use binancepay_types::enums::OrderStatus;
use binancepay_types::order::{CloseOrderRequest, QueryOrderV2Request};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trade_no = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "A20261121x1".to_owned());
    let client = Client::from_env()?;

    let order = client
        .orders()
        .query_v2(&QueryOrderV2Request::new().with_merchant_trade_no(&trade_no))
        .await?;
    println!(
        "{} {:?}: {} {}",
        order.merchant_trade_no, order.status, order.order_amount, order.currency
    );

    if matches!(order.status, OrderStatus::Initial | OrderStatus::Pending) {
        // Close is never resent automatically once it may have arrived; on an unknown
        // outcome, query again instead.
        let accepted = client
            .orders()
            .close(&CloseOrderRequest::new().with_merchant_trade_no(&trade_no))
            .await?;
        println!("close accepted: {accepted} (the result arrives as a PAY_CLOSED webhook)");
    }
    Ok(())
}
