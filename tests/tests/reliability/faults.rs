//! Faults on the wire: the sandbox breaks about a third of all requests (5xx pages, connections
//! dropped before and after it acted, latency past the client timeout, truncated and malformed
//! bodies, CloudFront's HTML 403) while 8 workers create 1,000 orders, 300 refunds and 300
//! payouts, each with its own idempotency key. Afterwards, with the faults off, every key is
//! looked up: each success exists exactly once, each known failure does not exist, each
//! unknown outcome is resolved, and the sandbox holds nothing else (money included).

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::{Client, Error, Lookup, Outcome};
use binancepay_http::Error as HttpError;
use binancepay_integration_tests::{
    BoxError, Control, TestResult, amount, bounded, client_for, fast_retries, order, sandbox,
};
use binancepay_sandbox::{Fault, FaultPlan, FaultRule, RunningSandbox};
use binancepay_types::enums::{ReceiveType, Wallet};
use binancepay_types::order::{CreateOrderV3Request, QueryOrderV2Request};
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer, QueryPayoutRequest};
use binancepay_types::refund::{QueryRefundRequest, RefundOrderRequest};
use binancepay_types::{Amount, ResultCode};
use serde_json::Value;
use tokio::task::JoinSet;

const ORDERS: usize = 1_000;
const REFUNDS: usize = 300;
const PAYOUTS: usize = 300;
/// Refunds per paid order (10 are allowed; 5 leaves room and keeps every refund partial).
const REFUNDS_PER_ORDER: usize = 5;
const WORKERS: usize = 8;
/// The client gives up on an attempt after this long ...
const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);
/// ... while the latency fault holds a request this long before the sandbox acts on it.
const LATENCY_MS: u64 = 600;

/// About a third of all requests misbehave; the rules are drawn in order, latency adds to
/// whatever else fires.
fn fault_plan(seed: u64) -> FaultPlan {
    FaultPlan::new(seed)
        .with_rule(FaultRule::new(Fault::ServerError { status: 503 }, 0.08))
        .with_rule(FaultRule::new(Fault::DropBeforeAction, 0.06))
        .with_rule(FaultRule::new(Fault::DropAfterAction, 0.06))
        .with_rule(FaultRule::new(Fault::Latency { ms: LATENCY_MS }, 0.03))
        .with_rule(FaultRule::new(Fault::TruncatedBody, 0.05))
        .with_rule(FaultRule::new(Fault::MalformedBody, 0.04))
        .with_rule(FaultRule::new(Fault::Html403, 0.02))
}

/// A client that times out quickly and retries fast, as the faults require.
fn faulty_client(sandbox: &RunningSandbox) -> Result<Client, BoxError> {
    Ok(client_for(sandbox)
        .timeout(CLIENT_TIMEOUT)
        .deadline(Duration::from_secs(10))
        .retry_policy(fast_retries())
        .build()?)
}

/// Runs `op` on every item with [`WORKERS`] workers; the results in no particular order.
async fn run_all<I, T, F, Fut>(items: Vec<I>, op: F) -> Result<Vec<(I, Result<T, Error>)>, BoxError>
where
    I: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<T, Error>> + Send + 'static,
{
    let queue = Arc::new(Mutex::new(items.into_iter().collect::<VecDeque<I>>()));
    let mut workers = JoinSet::new();
    for _ in 0..WORKERS {
        let queue = Arc::clone(&queue);
        let op = op.clone();
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front();
                let Some(item) = next else { break };
                let result = op(item.clone()).await;
                done.push((item, result));
            }
            done
        });
    }
    let mut results = Vec::new();
    while let Some(done) = workers.join_next().await {
        results.extend(done?);
    }
    Ok(results)
}

/// A short name for how a call failed, for the figures.
fn label(error: &Error) -> String {
    match error {
        Error::Transport { kind, .. } => format!("transport: {kind}"),
        Error::Response { source, .. } => match source {
            HttpError::Api { code, .. } => format!("FAIL {}", code.code()),
            HttpError::WrongPath { .. } => "HTML 403 page".to_owned(),
            HttpError::Unexpected { status, .. } => format!("unreadable HTTP {}", status.as_u16()),
            other => format!("response: {other}"),
        },
        Error::DuplicateUnresolved { .. } => "400201 after unknown, lookup failed".to_owned(),
        Error::NotResent { lookup, .. } => match lookup {
            Lookup::Exists { .. } => "unknown attempt looked up: exists, not resent".to_owned(),
            Lookup::Absent { .. } => "unknown attempt looked up: absent, not resent".to_owned(),
            _ => "unknown attempt looked up: lookup failed".to_owned(),
        },
        other => format!("{other}"),
    }
}

/// How the operations ended and how the unknown ones were resolved.
#[derive(Debug, Default)]
struct Tally {
    succeeded: usize,
    /// Successes whose answer came from an earlier attempt (recovered order, duplicateRequest).
    via_earlier_attempt: usize,
    not_sent: usize,
    rejected: usize,
    done_but_undecodable: usize,
    unknown: usize,
    unknown_exists: usize,
    unknown_absent: usize,
    errors: BTreeMap<String, usize>,
}

impl Tally {
    fn error(&mut self, error: &Error) {
        *self.errors.entry(label(error)).or_default() += 1;
        match error.outcome() {
            Outcome::NotSent => self.not_sent += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Succeeded => self.done_but_undecodable += 1,
            _ => self.unknown += 1,
        }
    }
}

/// What the reconciliation found for one key.
enum Found<T> {
    Exists(T),
    Absent,
}

/// Looks every key up with the faults off: `Exists`, or `Absent` on 400202.
async fn look_up<I, T, F, Fut>(items: Vec<I>, op: F) -> Result<Vec<(I, Found<T>)>, BoxError>
where
    I: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<T, Error>> + Send + 'static,
{
    let mut found = Vec::new();
    for (item, result) in run_all(items, op).await? {
        match result {
            Ok(value) => found.push((item, Found::Exists(value))),
            Err(error) if error.result_code() == Some(&ResultCode::OrderNotFound) => {
                found.push((item, Found::Absent));
            }
            Err(error) => return Err(format!("lookup failed without faults: {error}").into()),
        }
    }
    Ok(found)
}

/// Reads the fault counts, switches the faults off and waits out requests still held by the
/// latency fault, so the lookups see the final state.
async fn stop_faults(sandbox: &RunningSandbox, control: &Control) -> Result<Value, BoxError> {
    let faults = control.faults().await?;
    sandbox.set_faults(FaultPlan::default())?;
    tokio::time::sleep(Duration::from_millis(LATENCY_MS + 500)).await;
    Ok(faults)
}

/// `kind × count` of every rule that fired.
fn fired(faults: &Value) -> (u64, String) {
    let rules = faults["plan"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let counts = faults["fired"].as_array().cloned().unwrap_or_default();
    let mut total = 0;
    let mut text = Vec::new();
    for (rule, count) in rules.iter().zip(counts) {
        let count = count.as_u64().unwrap_or(0);
        total += count;
        let kind = rule["kind"].as_str().unwrap_or("?");
        let detail = match kind {
            "server_error" => format!("{kind} {}", rule["status"]),
            "latency" => format!("{kind} {} ms", rule["ms"]),
            _ => kind.to_owned(),
        };
        text.push(format!("{detail} x{count}"));
    }
    (total, text.join(", "))
}

fn print_figures(
    what: &str,
    operations: usize,
    requests: u64,
    faults: &Value,
    tally: &Tally,
    held: usize,
) {
    let (injected, kinds) = fired(faults);
    println!(
        "faults/{what}: {operations} operations by {WORKERS} workers, {requests} requests at the sandbox, \
         {injected} faults injected ({kinds})"
    );
    println!(
        "faults/{what}: outcomes: {} succeeded ({} answered from an earlier attempt), {} rejected, \
         {} not sent, {} done but undecodable, {} unknown -> {} found, {} absent; sandbox holds {held}",
        tally.succeeded,
        tally.via_earlier_attempt,
        tally.rejected,
        tally.not_sent,
        tally.done_but_undecodable,
        tally.unknown,
        tally.unknown_exists,
        tally.unknown_absent,
    );
    println!("faults/{what}: errors by kind: {:?}", tally.errors);
}

/// Checks one key's outcome (`None` for a success, else its error) against whether the
/// sandbox holds the object; counts how unknown outcomes resolved.
fn reconcile(tally: &mut Tally, key: &str, failure: Option<&Error>, exists: bool) -> TestResult {
    let Some(error) = failure else {
        return if exists {
            Ok(())
        } else {
            Err(format!("{key}: succeeded but the sandbox does not hold it").into())
        };
    };
    match error.outcome() {
        Outcome::NotSent | Outcome::Rejected if exists => Err(format!(
            "{key}: failed with a known outcome ({error}) yet the sandbox holds it"
        )
        .into()),
        Outcome::Succeeded if !exists => {
            Err(format!("{key}: reported done, but the sandbox does not hold it").into())
        }
        Outcome::NotSent | Outcome::Rejected | Outcome::Succeeded => Ok(()),
        _ => {
            if exists {
                tally.unknown_exists += 1;
            } else {
                tally.unknown_absent += 1;
            }
            Ok(())
        }
    }
}

fn funding_usdt(balances: &Value) -> Result<Amount, BoxError> {
    let text = balances["FUNDING_WALLET"]["USDT"]
        .as_str()
        .ok_or("no funding USDT balance")?;
    amount(text)
}

fn times(unit: &str, count: usize) -> Result<Amount, BoxError> {
    let unit = amount(unit)?;
    let mut total = amount("0")?;
    for _ in 0..count {
        total = total.checked_add(&unit).ok_or("amount overflow")?;
    }
    Ok(total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_survive_faults_without_loss_or_duplicates() -> TestResult {
    let _heavy = crate::HEAVY.read().await;
    bounded("faults/orders", async {
        let sandbox = sandbox()?.faults(fault_plan(0x00C0_FFEE)).start().await?;
        let control = Control::new(&sandbox)?;
        let client = faulty_client(&sandbox)?;

        let requests: Vec<CreateOrderV3Request> = (0..ORDERS)
            .map(|n| order(&format!("FLT{n:05}"), "12.34"))
            .collect::<Result<_, _>>()?;
        let outcomes = run_all(requests, move |request: CreateOrderV3Request| {
            let client = client.clone();
            async move { client.orders().create_v3(&request).await }
        })
        .await?;
        assert_eq!(outcomes.len(), ORDERS);
        let faults = stop_faults(&sandbox, &control).await?;
        let sent = sandbox.request_counts().total;

        let mut tally = Tally::default();
        let mut results = BTreeMap::new();
        for (request, outcome) in outcomes {
            match &outcome {
                Ok(created) => {
                    tally.succeeded += 1;
                    tally.via_earlier_attempt += usize::from(created.is_recovered());
                }
                Err(error) => tally.error(error),
            }
            results.insert(request.merchant_trade_no.clone(), outcome);
        }

        let checker = client_for(&sandbox).build()?;
        let keys: Vec<String> = results.keys().cloned().collect();
        let found = look_up(keys, move |trade_no: String| {
            let checker = checker.clone();
            async move {
                let query = QueryOrderV2Request::new().with_merchant_trade_no(trade_no);
                checker.orders().query_v2(&query).await
            }
        })
        .await?;
        let mut held = 0;
        let price = amount("12.34")?;
        for (trade_no, found) in &found {
            let result = results.get(trade_no).ok_or("no outcome recorded")?;
            let exists = match found {
                Found::Exists(order) => {
                    held += 1;
                    assert_eq!(&order.merchant_trade_no, trade_no);
                    assert_eq!(order.order_amount, price, "{trade_no}");
                    if let Ok(created) = result {
                        assert_eq!(created.prepay_id(), &order.prepay_id, "{trade_no}");
                    }
                    true
                }
                Found::Absent => false,
            };
            reconcile(&mut tally, trade_no, result.as_ref().err(), exists)?;
        }
        let counts = sandbox.state_counts();
        print_figures("orders", ORDERS, sent, &faults, &tally, counts.orders);

        // One order per success, none for known failures, every unknown resolved, nothing else.
        assert_eq!(counts.orders, held);
        assert_eq!(
            held,
            tally.succeeded + tally.done_but_undecodable + tally.unknown_exists
        );
        assert_eq!(tally.unknown, tally.unknown_exists + tally.unknown_absent);
        let (injected, _) = fired(&faults);
        assert!(
            injected * 5 >= ORDERS as u64,
            "only {injected} faults fired"
        );
        assert!(
            tally.via_earlier_attempt > 0,
            "no order was recovered: {tally:?}"
        );
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_survive_faults_on_their_refund_request_id() -> TestResult {
    let _heavy = crate::HEAVY.read().await;
    bounded("faults/refunds", async {
        let sandbox = sandbox()?.start().await?;
        let control = Control::new(&sandbox)?;
        let setup = client_for(&sandbox).build()?;
        let mut paid = Vec::new();
        for n in 0..REFUNDS / REFUNDS_PER_ORDER {
            let created = setup
                .orders()
                .create_v3(&order(&format!("RFO{n:03}"), "10")?)
                .await?;
            control.pay(created.prepay_id().as_str()).await?;
            paid.push(created.prepay_id().clone());
        }
        let before = funding_usdt(&control.get("/sandbox/balances").await?)?;

        sandbox.set_faults(fault_plan(0x0BAD_F00D))?;
        let client = faulty_client(&sandbox)?;
        let requests: Vec<RefundOrderRequest> = (0..REFUNDS)
            .map(|n| {
                let prepay_id = paid.get(n / REFUNDS_PER_ORDER).cloned().ok_or("no order")?;
                Ok::<_, BoxError>(RefundOrderRequest::new(
                    format!("RF{n:05}"),
                    prepay_id,
                    amount("1")?,
                ))
            })
            .collect::<Result<_, _>>()?;
        let outcomes = run_all(requests, move |request: RefundOrderRequest| {
            let client = client.clone();
            async move { client.refunds().create(&request).await }
        })
        .await?;
        let faults = stop_faults(&sandbox, &control).await?;
        let sent = sandbox.request_counts().total;

        let mut tally = Tally::default();
        let mut results = BTreeMap::new();
        for (request, outcome) in outcomes {
            match &outcome {
                Ok(refunded) => {
                    tally.succeeded += 1;
                    let repeat = refunded.duplicate_request.as_ref().map(ToString::to_string);
                    tally.via_earlier_attempt += usize::from(repeat.as_deref() == Some("Y"));
                    assert_eq!(refunded.refund_amount, Some(amount("1")?));
                }
                Err(error) => tally.error(error),
            }
            results.insert(
                request.refund_request_id.clone(),
                (request.prepay_id, outcome),
            );
        }

        let checker = client_for(&sandbox).build()?;
        let keys: Vec<String> = results.keys().cloned().collect();
        let found = look_up(keys, move |id: String| {
            let checker = checker.clone();
            async move { checker.refunds().query(&QueryRefundRequest::new(id)).await }
        })
        .await?;
        let mut held = 0;
        for (id, found) in &found {
            let entry = results.get(id);
            let exists = match found {
                Found::Exists(refund) => {
                    held += 1;
                    assert_eq!(refund.refund_amount, Some(amount("1")?), "{id}");
                    assert_eq!(refund.prepay_id.as_ref(), entry.map(|(p, _)| p), "{id}");
                    true
                }
                Found::Absent => false,
            };
            let (_, result) = entry.ok_or("no outcome recorded")?;
            reconcile(&mut tally, id, result.as_ref().err(), exists)?;
        }
        let counts = sandbox.state_counts();
        print_figures("refunds", REFUNDS, sent, &faults, &tally, counts.refunds);
        assert_eq!(counts.refunds, held);
        assert_eq!(
            held,
            tally.succeeded + tally.done_but_undecodable + tally.unknown_exists
        );
        // Exactly one unit of money left the wallet per refund held.
        let after = funding_usdt(&control.get("/sandbox/balances").await?)?;
        assert_eq!(before.checked_sub(&after), Some(times("1", held)?));
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_survive_faults_on_their_request_id() -> TestResult {
    let _heavy = crate::HEAVY.read().await;
    bounded("faults/payouts", async {
        let sandbox = sandbox()?.faults(fault_plan(0x00DE_CADE)).start().await?;
        let control = Control::new(&sandbox)?;
        let before = funding_usdt(&control.get("/sandbox/balances").await?)?;
        let client = faulty_client(&sandbox)?;
        let requests: Vec<CreatePayoutRequest> = (0..PAYOUTS)
            .map(|n| {
                let transfer = PayoutTransfer::new(
                    format!("S{n}"),
                    ReceiveType::PayId,
                    "354205155",
                    amount("0.01")?,
                    Wallet::FundingWallet,
                );
                Ok::<_, BoxError>(CreatePayoutRequest::new(
                    format!("PO{n:05}"),
                    "faults",
                    "USDT",
                    amount("0.01")?,
                    1,
                    vec![transfer],
                ))
            })
            .collect::<Result<_, _>>()?;
        let outcomes = run_all(requests, move |request: CreatePayoutRequest| {
            let client = client.clone();
            async move { client.payouts().create(&request).await }
        })
        .await?;
        let faults = stop_faults(&sandbox, &control).await?;
        let sent = sandbox.request_counts().total;

        let mut tally = Tally::default();
        let mut results = BTreeMap::new();
        for (request, outcome) in outcomes {
            match &outcome {
                Ok(_) => tally.succeeded += 1,
                Err(error) => tally.error(error),
            }
            results.insert(request.request_id.clone(), outcome);
        }
        let checker = client_for(&sandbox).build()?;
        let keys: Vec<String> = results.keys().cloned().collect();
        let found = look_up(keys, move |id: String| {
            let checker = checker.clone();
            async move { checker.payouts().query(&QueryPayoutRequest::new(id)).await }
        })
        .await?;
        let mut held = 0;
        for (id, found) in &found {
            let exists = match found {
                Found::Exists(payout) => {
                    held += 1;
                    assert_eq!(&payout.request_id, id);
                    true
                }
                Found::Absent => false,
            };
            let result = results.get(id).ok_or("no outcome recorded")?;
            reconcile(&mut tally, id, result.as_ref().err(), exists)?;
        }
        let counts = sandbox.state_counts();
        print_figures("payouts", PAYOUTS, sent, &faults, &tally, counts.payouts);
        assert_eq!(counts.payouts, held);
        assert_eq!(
            held,
            tally.succeeded + tally.done_but_undecodable + tally.unknown_exists
        );
        let after = funding_usdt(&control.get("/sandbox/balances").await?)?;
        assert_eq!(before.checked_sub(&after), Some(times("0.01", held)?));
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}
