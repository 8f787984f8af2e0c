//! `binancepay demo`: a whole checkout against an in-process sandbox, told step by step.
//!
//! Order (v3) → the simulated customer pays → PAY webhook verified → query reads PAID →
//! partial refund → PAY_REFUND webhook verified. Everything stays on 127.0.0.1, every wait is
//! bounded, and any failed step ends the run with exit 1 and a line naming the step.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use binancepay_client::{Client, CreatedOrder, RetryPolicy, reqwest};
use binancepay_sandbox::{RunningSandbox, Sandbox};
use binancepay_types::enums::{OrderStatus, PayRefundStatus, PayStatus};
use binancepay_types::order::{
    CreateOrderV3Request, Env, Goods, GoodsCategory, GoodsType, QueryOrderV2Request, TerminalType,
};
use binancepay_types::refund::RefundOrderRequest;
use binancepay_types::webhook::Notification;
use binancepay_types::{Amount, Id};

use crate::error::CliError;
use crate::receiver::{Delivery, WebhookReceiver};
use crate::streams::print_line;

/// Longest wait for one webhook.
const WEBHOOK_WAIT: Duration = Duration::from_secs(10);
/// Longest wait for the sandbox to start (key generation included) and for any one call.
const STEP_WAIT: Duration = Duration::from_secs(60);
/// Binance's own test keys are 1024-bit; generating one keeps the demo quick in debug builds.
const DEMO_KEY_BITS: usize = 1024;
const ORDER_AMOUNT: &str = "25.17";
const REFUND_AMOUNT: &str = "10.00";
const CURRENCY: &str = "USDT";

pub(crate) fn run() -> Result<ExitCode, CliError> {
    crate::runtime::block_on(demo())??;
    Ok(ExitCode::SUCCESS)
}

async fn demo() -> Result<(), CliError> {
    say(
        "binancepay demo: a full checkout against a local Binance Pay sandbox (nothing leaves 127.0.0.1)",
    )?;
    let sandbox = bounded(
        "starting the sandbox",
        STEP_WAIT,
        Sandbox::builder()
            .webhook_key_bits(DEMO_KEY_BITS)
            .retry_base_delay(Duration::from_millis(200))
            .shutdown_timeout(Duration::from_secs(5))
            .start(),
    )
    .await?
    .map_err(|e| fail("starting the sandbox", e))?;
    say(&format!(
        "sandbox      started at {} with generated merchant credentials and a {DEMO_KEY_BITS}-bit webhook signing key; dashboard at {}/sandbox/",
        sandbox.base_url(),
        sandbox.base_url()
    ))?;

    let client = demo_client(&sandbox)?;
    let mut webhooks = WebhookReceiver::start(client.webhooks())
        .await
        .map_err(|e| fail("starting the webhook receiver", e))?;
    say(&format!(
        "webhooks     receiver listening at {}; it checks every notification's RSA signature with the certificates the API serves",
        webhooks.url()
    ))?;

    let result = checkout(&sandbox, &client, &mut webhooks).await;
    // The receiver outlives the sandbox, so the last acknowledgement is not cut off.
    let report = sandbox.shutdown().await;
    drop(webhooks);
    result?;
    say(&format!(
        "done         sandbox stopped; {} webhooks delivered, {} undelivered. Next: `binancepay sandbox --listen 127.0.0.1:8080`, open http://127.0.0.1:8080/sandbox/, then `binancepay order create --help`",
        report.delivered(),
        report.pending_webhooks.len()
    ))
}

async fn checkout(
    sandbox: &RunningSandbox,
    client: &Client,
    webhooks: &mut WebhookReceiver,
) -> Result<(), CliError> {
    // 1. Create the order.
    let amount = amount(ORDER_AMOUNT)?;
    let trade_no = format!("DEMO{}", millis());
    let goods = Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    );
    let request = CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        &trade_no,
        "100 gems (binancepay demo)",
        vec![goods],
    )
    .with_currency(CURRENCY)
    .with_order_amount(amount.clone())
    .with_webhook_url(webhooks.url());
    let step = "1/6 creating the order";
    let created = api(step, client.orders().create_v3(&request)).await?;
    let prepay_id = created.prepay_id().clone();
    let checkout_page = match &created {
        CreatedOrder::Created(order) => order.checkout_url.clone().unwrap_or_default(),
        _ => String::new(),
    };
    say(&format!(
        "1/6 order    created order {trade_no} for {amount} {CURRENCY}: Binance's id (prepayId) is {prepay_id}, checkout page {checkout_page}"
    ))?;

    // 2. The customer pays, through the sandbox's control API.
    pay(sandbox, &prepay_id).await?;
    say(&format!(
        "2/6 payment  the simulated customer paid it (POST /sandbox/orders/{prepay_id}/pay)"
    ))?;

    // 3. The PAY webhook.
    let step = "3/6 waiting for the PAY webhook";
    match expect(webhooks, step, "PAY", "PAY_SUCCESS").await? {
        Notification::Pay(pay) if pay.status == PayStatus::PaySuccess => say(&format!(
            "3/6 webhook  PAY_SUCCESS arrived and its signature verified (certificate {}…): order {} paid, {} {}",
            short(&sandbox.certificate_serial()),
            pay.data.merchant_trade_no.as_deref().unwrap_or("?"),
            pay.data.total_fee.as_ref().map_or("?", Amount::as_str),
            pay.data.currency.as_deref().unwrap_or("?"),
        ))?,
        other => return Err(unexpected(step, &other)),
    }

    // 4. The query agrees.
    let step = "4/6 querying the order";
    let query = QueryOrderV2Request::new().with_prepay_id(prepay_id.clone());
    let order = api(step, client.orders().query_v2(&query)).await?;
    if order.status != OrderStatus::Paid {
        return Err(fail(
            step,
            format!("the order reads {}, not PAID", order.status),
        ));
    }
    say(&format!(
        "4/6 query    the order reads {}: {} {}",
        order.status, order.order_amount, order.currency
    ))?;

    // 5. A partial refund.
    let step = "5/6 refunding part of the order";
    let refund_amount = amount_of(REFUND_AMOUNT, step)?;
    let refund_id = format!("{trade_no}R1");
    let refund = RefundOrderRequest::new(&refund_id, prepay_id.clone(), refund_amount.clone())
        .with_refund_reason("binancepay demo: partial refund")
        .with_webhook_url(webhooks.url());
    let refunded = api(step, client.refunds().create(&refund)).await?;
    let so_far = refunded
        .refunded_amount
        .unwrap_or_else(|| refund_amount.clone());
    let left = amount
        .checked_sub(&so_far)
        .map_or_else(|| "?".to_owned(), |left| left.to_string());
    say(&format!(
        "5/6 refund   refunded {refund_amount} of {amount} {CURRENCY} (refund id {refund_id}): {so_far} refunded so far, {left} left"
    ))?;

    // 6. The PAY_REFUND webhook.
    let step = "6/6 waiting for the PAY_REFUND webhook";
    match expect(webhooks, step, "PAY_REFUND", "REFUND_SUCCESS").await? {
        Notification::PayRefund(note) if note.status == PayRefundStatus::RefundSuccess => {
            let info = note.data.refund_info.map(|info| info.value);
            say(&format!(
                "6/6 webhook  REFUND_SUCCESS arrived and its signature verified: refund {} of {} {}",
                info.as_ref()
                    .and_then(|i| i.refund_request_id.as_deref())
                    .unwrap_or("?"),
                info.as_ref()
                    .and_then(|i| i.refund_amount.as_ref())
                    .map_or("?", Amount::as_str),
                note.data.currency.as_deref().unwrap_or("?"),
            ))
        }
        other => Err(unexpected(step, &other)),
    }
}

/// A client on the sandbox's credentials; no proxy, since everything is on loopback.
fn demo_client(sandbox: &RunningSandbox) -> Result<Client, CliError> {
    let step = "building the client";
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .build()
        .map_err(|e| fail(step, e))?;
    Client::builder()
        .credentials(sandbox.api_key(), sandbox.api_secret())
        .base_url(sandbox.base_url())
        .http_client(http)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .map_err(|e| fail(step, e))
}

/// The simulated customer's payment (the sandbox's control API, not a Binance endpoint).
async fn pay(sandbox: &RunningSandbox, prepay_id: &Id) -> Result<(), CliError> {
    let step = "2/6 paying as the customer";
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| fail(step, e))?;
    let url = format!("{}/sandbox/orders/{prepay_id}/pay", sandbox.base_url());
    // The control API takes state changes as JSON requests only.
    let answer = http
        .post(url)
        .header("content-type", "application/json")
        .send()
        .await
        .map_err(|e| fail(step, e))?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        let body = answer.text().await.unwrap_or_default();
        Err(fail(step, format!("HTTP {status}: {body}")))
    }
}

/// The next verified notification of `biz_type`/`biz_status`; others (e.g. repeats) are skipped.
async fn expect(
    webhooks: &mut WebhookReceiver,
    step: &'static str,
    biz_type: &str,
    biz_status: &str,
) -> Result<Notification, CliError> {
    let wait = async {
        loop {
            match webhooks.next().await {
                Some(Delivery::Verified(note))
                    if note.biz_type() == biz_type && note.biz_status() == biz_status =>
                {
                    return Ok(*note);
                }
                Some(Delivery::Verified(_)) => {}
                Some(Delivery::Refused(why)) => return Err(fail(step, why)),
                None => return Err(fail(step, "the webhook receiver stopped")),
            }
        }
    };
    bounded(step, WEBHOOK_WAIT, wait).await?
}

async fn api<T>(
    step: &'static str,
    call: impl Future<Output = Result<T, binancepay_client::Error>>,
) -> Result<T, CliError> {
    bounded(step, STEP_WAIT, call)
        .await?
        .map_err(|e| fail(step, e))
}

async fn bounded<F: Future>(
    step: &'static str,
    limit: Duration,
    future: F,
) -> Result<F::Output, CliError> {
    tokio::time::timeout(limit, future).await.map_err(|_| {
        fail(
            step,
            format!("nothing happened within {} s", limit.as_secs()),
        )
    })
}

fn fail(step: &'static str, reason: impl ToString) -> CliError {
    CliError::Demo {
        step,
        reason: reason.to_string(),
    }
}

fn unexpected(step: &'static str, note: &Notification) -> CliError {
    fail(
        step,
        format!("got {} / {} instead", note.biz_type(), note.biz_status()),
    )
}

fn amount(text: &str) -> Result<Amount, CliError> {
    amount_of(text, "preparing the order")
}

fn amount_of(text: &str, step: &'static str) -> Result<Amount, CliError> {
    Amount::new(text).map_err(|e| fail(step, e))
}

fn say(line: &str) -> Result<(), CliError> {
    print_line(line)
}

/// Milliseconds since 1970, to make the demo's order number unique between runs.
fn millis() -> u64 {
    binancepay_sign::Timestamp::now().map_or(0, binancepay_sign::Timestamp::as_millis)
}

fn short(serial: &str) -> &str {
    serial.get(..12).unwrap_or(serial)
}
