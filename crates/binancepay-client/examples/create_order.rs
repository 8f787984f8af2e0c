//! Creates a v3 order and prints its checkout URL.
//!
//! ```sh
//! export BINANCEPAY_API_KEY=... BINANCEPAY_API_SECRET=...
//! export BINANCEPAY_BASE_URL=http://127.0.0.1:8080   # a local server; unset for production
//! cargo run -p binancepay-client --example create_order -- A20261121x1 25.17 USDT
//! ```

use binancepay_client::{Client, CreatedOrder};
use binancepay_types::Amount;
use binancepay_types::order::{
    CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, TerminalType,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trade_no = args.next().unwrap_or_else(|| "A20261121x1".to_owned());
    let amount = Amount::new(&args.next().unwrap_or_else(|| "25.17".to_owned()))?;
    let currency = args.next().unwrap_or_else(|| "USDT".to_owned());

    let client = Client::from_env()?;
    let goods = Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    );
    let request = CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        trade_no,
        "100 gems",
        vec![goods],
    )
    .with_currency(currency)
    .with_order_amount(amount);

    match client.orders().create_v3(&request).await {
        Ok(CreatedOrder::Created(order)) => {
            println!("prepayId    {}", order.prepay_id);
            match order.checkout_url {
                Some(url) => println!("checkoutUrl {url}"),
                None => println!("checkoutUrl (none sent)"),
            }
        }
        Ok(order) => {
            // An earlier attempt created it and its answer was lost; no checkout URL then.
            println!(
                "prepayId    {} (recovered after a lost answer)",
                order.prepay_id()
            );
        }
        Err(error) if error.outcome_unknown() => {
            eprintln!("outcome unknown, query merchantTradeNo before retrying: {error}");
            std::process::exit(2);
        }
        Err(error) => {
            eprintln!("not created: {error}");
            std::process::exit(1);
        }
    }
    Ok(())
}
