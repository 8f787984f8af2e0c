//! Money moves once even when Binance is slow. 1,000 payouts and 1,000 wallet transfers go out
//! while the sandbox drops the connection after acting on a share of them (and before acting, or
//! answers 503, on a few more), and commits another share only after the client has given up
//! (`slow_action`, beyond the client's timeout and beyond its lookup).
//!
//! Payouts run against the worst case, a sandbox that pays every repeated `requestId` again
//! (`deduplicate_request_ids(false)`): the client must never resend a payout that may have
//! reached it, and report each such call as not resent with what its lookup saw. Transfers run
//! against the documented Binance, which answers a repeated `requestId` with the first transfer
//! (`REPEAT_REQ_SUCCESS`): the client resends them and must report each transfer once.
//!
//! Afterwards, once every slow action has landed: no payout or transfer was made twice (the
//! balances move by exactly one amount per object the sandbox holds), every call said to have
//! acted did, every call said to have done nothing did nothing, and every other one was
//! reported unknown.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use binancepay_client::{Client, Error, Lookup, Outcome};
use binancepay_integration_tests::{
    BoxError, Control, TestResult, amount, bounded, client_for, sandbox,
};
use binancepay_sandbox::{Fault, FaultPlan, FaultRule, RunningSandbox};
use binancepay_types::enums::{ReceiveType, TransferType, Wallet};
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer, QueryPayoutRequest};
use binancepay_types::wallet::{QueryTransferRequest, TransferFundRequest};
use binancepay_types::{Amount, Endpoint, ResultCode};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const PAYOUTS: usize = 1_000;
const TRANSFERS: usize = 1_000;
/// Calls in flight at once: a payout lookup waits about 2 s for the attempt's signature to
/// expire.
const IN_FLIGHT: usize = 100;
const UNIT: &str = "0.01";
/// The client gives up on an attempt after this long.
const TIMEOUT: Duration = Duration::from_millis(1000);
/// A slow action lands this long after its request arrived: after the client's timeout and
/// after its lookup (2 s after the attempt), so the lookup finds nothing although it will act.
const SLOW_MS: u64 = 3_000;

/// Fault rules in this order, on the money-moving path only (lookups go through unharmed).
const FAULT_NAMES: [&str; 4] = [
    "drop after action",
    "drop before action",
    "503",
    "slow action",
];

fn fault_plan(seed: u64, path: &str) -> FaultPlan {
    FaultPlan::new(seed)
        .with_rule(FaultRule::new(Fault::DropAfterAction, 0.15).on_path(path))
        .with_rule(FaultRule::new(Fault::DropBeforeAction, 0.05).on_path(path))
        .with_rule(FaultRule::new(Fault::ServerError { status: 503 }, 0.05).on_path(path))
        .with_rule(FaultRule::new(Fault::SlowAction { ms: SLOW_MS }, 0.10).on_path(path))
}

fn client(sandbox: &RunningSandbox) -> Result<Client, BoxError> {
    Ok(client_for(sandbox)
        .timeout(TIMEOUT)
        .deadline(Duration::from_secs(30))
        .build()?)
}

fn payout(n: usize) -> Result<CreatePayoutRequest, BoxError> {
    let transfer = PayoutTransfer::new(
        format!("S{n}"),
        ReceiveType::PayId,
        "354205155",
        amount(UNIT)?,
        Wallet::FundingWallet,
    );
    Ok(CreatePayoutRequest::new(
        format!("MPO{n:05}"),
        "money",
        "USDT",
        amount(UNIT)?,
        1,
        vec![transfer],
    ))
}

fn transfer(n: usize) -> Result<TransferFundRequest, BoxError> {
    Ok(TransferFundRequest::new(
        format!("MTR{n:05}"),
        "USDT",
        amount(UNIT)?,
        TransferType::ToMain,
    ))
}

/// How one call ended, as the caller learns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    /// Succeeded with a first answer.
    Done,
    /// Succeeded with Binance's replay of an earlier attempt (`REPEAT_REQ_SUCCESS`).
    Replayed,
    /// Not resent: the lookup found it, so an attempt acted.
    FoundAfterUnknown,
    /// Not resent: the lookup did not find it (yet); reported unknown.
    AbsentAfterUnknown,
    /// Not resent: the lookup failed or was not made in time; reported unknown.
    NotLookedUp,
    /// Failed with a known outcome: nothing happened.
    NothingHappened,
    /// Failed, and reported unknown.
    Unknown,
}

impl Ending {
    fn of(result: &Result<bool, Error>) -> Ending {
        match result {
            Ok(false) => Ending::Done,
            Ok(true) => Ending::Replayed,
            Err(error @ Error::NotResent { lookup, .. }) => {
                // What the caller is told must agree with what was seen.
                match lookup {
                    Lookup::Exists { .. } => Ending::FoundAfterUnknown,
                    Lookup::Absent { .. } => {
                        assert!(error.outcome_unknown(), "{error}");
                        Ending::AbsentAfterUnknown
                    }
                    _ => {
                        assert!(error.outcome_unknown(), "{error}");
                        Ending::NotLookedUp
                    }
                }
            }
            Err(error) => match error.outcome() {
                Outcome::NotSent | Outcome::Rejected => Ending::NothingHappened,
                _ => Ending::Unknown,
            },
        }
    }

    /// Whether the object must exist at the sandbox after this ending (`None`: either).
    fn acted(self) -> Option<bool> {
        match self {
            Ending::Done | Ending::Replayed | Ending::FoundAfterUnknown => Some(true),
            Ending::NothingHappened => Some(false),
            Ending::AbsentAfterUnknown | Ending::NotLookedUp | Ending::Unknown => None,
        }
    }
}

/// Runs every call with at most [`IN_FLIGHT`] at once; the endings by `requestId`. A call
/// answers whether its answer was a replay.
async fn run<R, F, Fut>(
    requests: Vec<(String, R)>,
    call: F,
) -> Result<BTreeMap<String, Ending>, BoxError>
where
    R: Send + 'static,
    F: Fn(R) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<bool, Error>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for (id, request) in requests {
        let permits = Arc::clone(&permits);
        let call = call.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = call(request).await;
            (id, Ending::of(&result))
        });
    }
    let mut endings = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (id, ending) = joined?;
        endings.insert(id, ending);
    }
    Ok(endings)
}

/// Whether the sandbox holds the object: `Ok(true)` found, `Ok(false)` not found.
fn held(result: Result<(), Error>) -> Result<bool, BoxError> {
    match result {
        Ok(()) => Ok(true),
        Err(error) if error.result_code() == Some(&ResultCode::OrderNotFound) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

fn balance(balances: &Value, wallet: &str) -> Result<Amount, BoxError> {
    let text = balances[wallet]["USDT"]
        .as_str()
        .ok_or_else(|| format!("no {wallet} USDT balance"))?;
    amount(text)
}

fn times(count: usize) -> Result<Amount, BoxError> {
    // 0.01 × count, exactly, from integer cents.
    Ok(Amount::new(&format!("{}.{:02}", count / 100, count % 100))?)
}

fn tally(endings: &BTreeMap<String, Ending>) -> BTreeMap<Ending, usize> {
    let mut counts = BTreeMap::new();
    for ending in endings.values() {
        *counts.entry(*ending).or_insert(0) += 1;
    }
    counts
}

/// What one sandbox saw: faults fired per rule, requests per path, and the money moved.
struct Figures {
    fired: Vec<u64>,
    by_path: BTreeMap<String, u64>,
    funding_spent: Amount,
    spot_gained: Amount,
}

/// Waits out every slow action, then reads the sandbox's figures.
async fn figures(
    sandbox: &RunningSandbox,
    control: &Control,
    before: &Value,
) -> Result<Figures, BoxError> {
    let faults = control.faults().await?;
    sandbox.set_faults(FaultPlan::default())?;
    tokio::time::sleep(Duration::from_millis(SLOW_MS + 500)).await;
    let after = control.get("/sandbox/balances").await?;
    let fired = faults["fired"]
        .as_array()
        .map(|counts| counts.iter().map(|c| c.as_u64().unwrap_or(0)).collect())
        .unwrap_or_default();
    Ok(Figures {
        fired,
        by_path: sandbox.request_counts().by_path,
        funding_spent: balance(before, "FUNDING_WALLET")?
            .checked_sub(&balance(&after, "FUNDING_WALLET")?)
            .ok_or("funding grew")?,
        spot_gained: balance(&after, "SPOT_WALLET")?
            .checked_sub(&balance(before, "SPOT_WALLET")?)
            .ok_or("spot shrank")?,
    })
}

fn fired_text(fired: &[u64]) -> String {
    FAULT_NAMES
        .iter()
        .zip(fired)
        .map(|(name, count)| format!("{name} {count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_and_transfers_move_money_once_when_binance_is_slow() -> TestResult {
    let _heavy = crate::HEAVY.read().await;
    bounded("money/once", async {
        // Payouts: every repeated requestId pays again, the worst case.
        let payout_sandbox = sandbox()?
            .deduplicate_request_ids(false)
            .faults(fault_plan(0x5AFE_CA11, CreatePayoutRequest::PATH))
            .start()
            .await?;
        // Transfers: a repeated requestId is answered with the first transfer, as documented.
        let transfer_sandbox = sandbox()?
            .faults(fault_plan(0x7A45_F3E5, TransferFundRequest::PATH))
            .start()
            .await?;
        let payout_control = Control::new(&payout_sandbox)?;
        let transfer_control = Control::new(&transfer_sandbox)?;
        let payout_before = payout_control.get("/sandbox/balances").await?;
        let transfer_before = transfer_control.get("/sandbox/balances").await?;
        let started = Instant::now();

        let payout_requests = (0..PAYOUTS)
            .map(|n| payout(n).map(|r| (r.request_id.clone(), r)))
            .collect::<Result<Vec<_>, _>>()?;
        let transfer_requests = (0..TRANSFERS)
            .map(|n| transfer(n).map(|r| (r.request_id.clone(), r)))
            .collect::<Result<Vec<_>, _>>()?;
        let payouts_client = client(&payout_sandbox)?;
        let payouts = tokio::spawn(run(payout_requests, move |request: CreatePayoutRequest| {
            let client = payouts_client.clone();
            async move { client.payouts().create(&request).await.map(|_| false) }
        }));
        let transfers_client = client(&transfer_sandbox)?;
        let transfers = tokio::spawn(run(
            transfer_requests,
            move |request: TransferFundRequest| {
                let client = transfers_client.clone();
                async move {
                    client
                        .execute_answer(&request)
                        .await
                        .map(|answer| answer.is_replay())
                }
            },
        ));
        let payouts = payouts.await??;
        let transfers = transfers.await??;
        let elapsed = started.elapsed();
        let payout_figures = figures(&payout_sandbox, &payout_control, &payout_before).await?;
        let transfer_figures =
            figures(&transfer_sandbox, &transfer_control, &transfer_before).await?;

        // Every ending agrees with what the sandbox holds once the slow actions landed.
        let payout_checker = client_for(&payout_sandbox).build()?;
        let mut payouts_held = 0;
        let mut unknown_then_held = 0;
        for (id, ending) in &payouts {
            let exists = held(
                payout_checker
                    .payouts()
                    .query(&QueryPayoutRequest::new(id.as_str()))
                    .await
                    .map(drop),
            )?;
            payouts_held += usize::from(exists);
            if ending.acted().is_none() && exists {
                unknown_then_held += 1;
            }
            if let Some(acted) = ending.acted() {
                assert_eq!(acted, exists, "payout {id}: {ending:?}");
            }
        }
        let transfer_checker = client_for(&transfer_sandbox).build()?;
        let mut transfers_held = 0;
        for (id, ending) in &transfers {
            let exists = held(
                transfer_checker
                    .wallet()
                    .query_transfer(&QueryTransferRequest::new(id.as_str()))
                    .await
                    .map(drop),
            )?;
            transfers_held += usize::from(exists);
            if let Some(acted) = ending.acted() {
                assert_eq!(acted, exists, "transfer {id}: {ending:?}");
            }
        }

        let count = |figures: &Figures, path: &str| figures.by_path.get(path).copied().unwrap_or(0);
        println!(
            "money: {PAYOUTS} payouts + {TRANSFERS} transfers, {IN_FLIGHT} in flight, client timeout {} ms, slow actions {SLOW_MS} ms, in {:.1} s",
            TIMEOUT.as_millis(),
            elapsed.as_secs_f64(),
        );
        println!(
            "money: payouts: {} create calls at the sandbox, {} lookups (payout/query); faults fired: {}",
            count(&payout_figures, CreatePayoutRequest::PATH),
            count(&payout_figures, QueryPayoutRequest::PATH),
            fired_text(&payout_figures.fired),
        );
        println!(
            "money: transfers: {} transfer calls at the sandbox, {} lookups (wallet/transfer/query); faults fired: {}",
            count(&transfer_figures, TransferFundRequest::PATH),
            count(&transfer_figures, QueryTransferRequest::PATH),
            fired_text(&transfer_figures.fired),
        );
        println!(
            "money: payout endings {:?}; held {payouts_held} ({unknown_then_held} of them reported unknown)",
            tally(&payouts)
        );
        println!(
            "money: transfer endings {:?}; held {transfers_held}",
            tally(&transfers)
        );
        println!(
            "money: payouts: funding spent {} for {payouts_held} held; transfers: funding spent {}, spot gained {} for {transfers_held} held",
            payout_figures.funding_spent,
            transfer_figures.funding_spent,
            transfer_figures.spot_gained
        );
        // The faults fired on both paths, slow actions included.
        for figures in [&payout_figures, &transfer_figures] {
            assert!(
                figures.fired.first().is_some_and(|n| *n > 0)
                    && figures.fired.get(3).is_some_and(|n| *n > 0),
                "drop-after-action or slow action never fired: {:?}",
                figures.fired
            );
        }
        // No double payout, no double transfer: one unit per object held, exactly.
        assert_eq!(payout_figures.funding_spent, times(payouts_held)?);
        assert_eq!(payout_figures.spot_gained, times(0)?);
        assert_eq!(transfer_figures.funding_spent, times(transfers_held)?);
        assert_eq!(transfer_figures.spot_gained, times(transfers_held)?);
        // Slow payouts were not found by their lookup and were not resent; the caller was
        // told the outcome is unknown.
        let absent = tally(&payouts)
            .get(&Ending::AbsentAfterUnknown)
            .copied()
            .unwrap_or(0);
        assert!(absent > 0, "no lookup met a slow action");
        assert!(unknown_then_held > 0, "no slow payout landed after its lookup");
        // Transfers were resent after unknown outcomes and Binance's replays reported them once.
        assert!(tally(&transfers).get(&Ending::Replayed).is_some_and(|n| *n > 0));
        payout_sandbox.shutdown().await;
        transfer_sandbox.shutdown().await;
        Ok(())
    })
    .await
}
