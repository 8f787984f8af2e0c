//! `binancepay order create | query | close`.

use std::process::ExitCode;

use binancepay_client::CreatedOrder;
use binancepay_types::order::{
    CloseOrderRequest, CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType,
    QueryOrderV2Request, TerminalType,
};

use crate::args::{OrderCommand, OrderCreateArgs, OrderRefArgs};
use crate::call::{self, Flags};
use crate::error::CliError;
use crate::streams::print_error_line;

const CREATE_FLAGS: Flags = &[
    ("merchantTradeNo", "--trade-no"),
    ("orderAmount", "--amount"),
    ("currency", "--currency"),
    ("description", "--description"),
    ("goodsDetails[0].goodsName", "--goods-name"),
    ("webhookUrl", "--webhook-url"),
];

const REF_FLAGS: Flags = &[
    ("prepayId", "--prepay-id"),
    ("merchantTradeNo", "--trade-no"),
];

pub(crate) fn run(command: &OrderCommand) -> Result<ExitCode, CliError> {
    match command {
        OrderCommand::Create(args) => create(args),
        OrderCommand::Query(args) => {
            let mut request = QueryOrderV2Request::new();
            if let Some(id) = &args.prepay_id {
                request = request.with_prepay_id(id.clone());
            }
            if let Some(no) = &args.trade_no {
                request = request.with_merchant_trade_no(no);
            }
            call::execute(&request, REF_FLAGS, &args.api)
        }
        OrderCommand::Close(args) => close(args),
    }
}

/// The v3 request of the flags: one virtual goods item named after the order unless told.
pub(crate) fn create_request(args: &OrderCreateArgs) -> CreateOrderV3Request {
    let goods_name = args.goods_name.as_deref().unwrap_or(&args.description);
    let goods = Goods::new(GoodsType::Virtual, GoodsCategory::Others, "1", goods_name);
    let env = Env::new(TerminalType::from_wire(&args.terminal_type));
    let mut request =
        CreateOrderV3Request::new(env, &args.trade_no, &args.description, vec![goods])
            .with_currency(&args.currency)
            .with_order_amount(args.amount.clone());
    if let Some(url) = &args.webhook_url {
        request = request.with_webhook_url(url);
    }
    request
}

fn create(args: &OrderCreateArgs) -> Result<ExitCode, CliError> {
    let request = create_request(args);
    call::check(&request, CREATE_FLAGS)?;
    let created = call::call(&args.api, |client| async move {
        client.orders().create_v3(&request).await
    })?;
    match created {
        CreatedOrder::Recovered(recovered) => {
            // The answer to the create was lost; what is printed is the order Binance holds.
            print_error_line(
                "note: the order already existed (an earlier attempt created it); printing it as queried",
            );
            call::print_json(&recovered.order)?;
        }
        CreatedOrder::Created(order) => call::print_json(&order)?,
        other => call::print_json(&other.prepay_id())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn close(args: &OrderRefArgs) -> Result<ExitCode, CliError> {
    let mut request = CloseOrderRequest::new();
    if let Some(id) = &args.prepay_id {
        request = request.with_prepay_id(id.clone());
    }
    if let Some(no) = &args.trade_no {
        request = request.with_merchant_trade_no(no);
    }
    call::execute(&request, REF_FLAGS, &args.api)
}
