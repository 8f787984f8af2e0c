//! Payouts and wallet transfers, whose repeated `requestId` Binance does not document, against the
//! worst case: a sandbox that pays every repeat again (`deduplicate_request_ids(false)`). 1,000
//! payouts and 1,000 transfers go out while the sandbox drops the connection after acting on a
//! share of them (and before acting, or answers 503, on a few more). The client must look every
//! attempt with an unknown outcome up by its `requestId` instead of resending it. Afterwards:
//! no payout or transfer was made twice (the balances move by exactly one amount per object the
//! sandbox holds), every call's outcome agrees with what the sandbox holds, and none is unknown.

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
/// Calls in flight at once: a lookup waits about 2 s for the attempt's signature to expire.
const IN_FLIGHT: usize = 100;
const UNIT: &str = "0.01";

/// On the two money-moving paths only: the lookups themselves go through unharmed.
fn fault_plan(seed: u64) -> FaultPlan {
    let mut plan = FaultPlan::new(seed);
    for path in [CreatePayoutRequest::PATH, TransferFundRequest::PATH] {
        plan = plan
            .with_rule(FaultRule::new(Fault::DropAfterAction, 0.20).on_path(path))
            .with_rule(FaultRule::new(Fault::DropBeforeAction, 0.05).on_path(path))
            .with_rule(FaultRule::new(Fault::ServerError { status: 503 }, 0.05).on_path(path));
    }
    plan
}

fn client(sandbox: &RunningSandbox) -> Result<Client, BoxError> {
    Ok(client_for(sandbox)
        .timeout(Duration::from_secs(5))
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
    /// Succeeded (on the first attempt, or on a resend after a lookup found nothing).
    Done,
    /// Not resent: the lookup found it, so an attempt acted.
    FoundAfterUnknown,
    /// Not resent: the lookup found nothing and no attempt was left.
    AbsentAfterUnknown,
    /// Failed with a known outcome: nothing happened.
    NothingHappened,
    /// Failed, and whether it happened is still unknown.
    Unknown,
}

impl Ending {
    fn of(result: &Result<(), Error>) -> Ending {
        match result {
            Ok(()) => Ending::Done,
            Err(Error::NotResent { lookup, .. }) => match lookup {
                Lookup::Exists { .. } => Ending::FoundAfterUnknown,
                Lookup::Absent { .. } => Ending::AbsentAfterUnknown,
                _ => Ending::Unknown,
            },
            Err(error) => match error.outcome() {
                Outcome::NotSent | Outcome::Rejected => Ending::NothingHappened,
                _ => Ending::Unknown,
            },
        }
    }

    /// Whether the object must exist at the sandbox after this ending.
    fn acted(self) -> Option<bool> {
        match self {
            Ending::Done | Ending::FoundAfterUnknown => Some(true),
            Ending::AbsentAfterUnknown | Ending::NothingHappened => Some(false),
            Ending::Unknown => None,
        }
    }
}

/// Runs every call with at most [`IN_FLIGHT`] at once; the endings by `requestId`.
async fn run<R, F, Fut>(
    requests: Vec<(String, R)>,
    call: F,
) -> Result<BTreeMap<String, Ending>, BoxError>
where
    R: Send + 'static,
    F: Fn(R) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), Error>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for (id, request) in requests {
        let permits = Arc::clone(&permits);
        let call = call.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = call(request).await;
            (id, Ending::of(&result), result.err().map(|e| e.to_string()))
        });
    }
    let mut endings = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (id, ending, error) = joined?;
        if ending == Ending::Unknown {
            println!(
                "money: {id}: outcome unknown: {}",
                error.unwrap_or_default()
            );
        }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_and_transfers_are_never_sent_twice_after_an_unknown_outcome() -> TestResult {
    let _heavy = crate::HEAVY.read().await;
    bounded("money/no double payout", async {
        let sandbox = sandbox()?
            .deduplicate_request_ids(false)
            .faults(fault_plan(0x5AFE_CA11))
            .start()
            .await?;
        let control = Control::new(&sandbox)?;
        let before = control.get("/sandbox/balances").await?;
        let started = Instant::now();

        let payout_requests = (0..PAYOUTS)
            .map(|n| payout(n).map(|r| (r.request_id.clone(), r)))
            .collect::<Result<Vec<_>, _>>()?;
        let transfer_requests = (0..TRANSFERS)
            .map(|n| transfer(n).map(|r| (r.request_id.clone(), r)))
            .collect::<Result<Vec<_>, _>>()?;
        let payouts_client = client(&sandbox)?;
        let payouts = tokio::spawn(run(payout_requests, move |request: CreatePayoutRequest| {
            let client = payouts_client.clone();
            async move { client.payouts().create(&request).await.map(drop) }
        }));
        let transfers_client = client(&sandbox)?;
        let transfers = tokio::spawn(run(
            transfer_requests,
            move |request: TransferFundRequest| {
                let client = transfers_client.clone();
                async move { client.wallet().transfer(&request).await.map(drop) }
            },
        ));
        let payouts = payouts.await??;
        let transfers = transfers.await??;
        let elapsed = started.elapsed();
        let faults = control.faults().await?;
        sandbox.set_faults(FaultPlan::default())?;
        let sent = sandbox.request_counts().total;

        // Every outcome agrees with what the sandbox holds.
        let checker = client_for(&sandbox).build()?;
        let mut payouts_held = 0;
        for (id, ending) in &payouts {
            let exists = held(
                checker
                    .payouts()
                    .query(&QueryPayoutRequest::new(id.as_str()))
                    .await
                    .map(drop),
            )?;
            payouts_held += usize::from(exists);
            assert_eq!(ending.acted(), Some(exists), "payout {id}: {ending:?}");
        }
        let mut transfers_held = 0;
        for (id, ending) in &transfers {
            let exists = held(
                checker
                    .wallet()
                    .query_transfer(&QueryTransferRequest::new(id.as_str()))
                    .await
                    .map(drop),
            )?;
            transfers_held += usize::from(exists);
            assert_eq!(ending.acted(), Some(exists), "transfer {id}: {ending:?}");
        }

        // No double payout: the funding wallet lost exactly one unit per payout and transfer
        // held, and the spot wallet gained exactly one per transfer held.
        let after = control.get("/sandbox/balances").await?;
        let funding_spent = balance(&before, "FUNDING_WALLET")?
            .checked_sub(&balance(&after, "FUNDING_WALLET")?)
            .ok_or("funding grew")?;
        let spot_gained = balance(&after, "SPOT_WALLET")?
            .checked_sub(&balance(&before, "SPOT_WALLET")?)
            .ok_or("spot shrank")?;
        // Fired per rule, in the plan's order: drop after, drop before, 503; payouts first.
        let fired: Vec<u64> = faults["fired"]
            .as_array()
            .map(|counts| counts.iter().map(|c| c.as_u64().unwrap_or(0)).collect())
            .unwrap_or_default();
        println!(
            "money: {PAYOUTS} payouts + {TRANSFERS} transfers, {IN_FLIGHT} in flight, in {:.1} s; \
             {sent} requests at the sandbox; faults fired (drop after action, drop before, 503): \
             payouts {:?}, transfers {:?}",
            elapsed.as_secs_f64(),
            fired.get(..3).unwrap_or_default(),
            fired.get(3..).unwrap_or_default(),
        );
        assert!(
            fired.first().is_some_and(|n| *n > 0) && fired.get(3).is_some_and(|n| *n > 0),
            "drop-after-action never fired on both paths: {fired:?}"
        );
        println!(
            "money: payout endings {:?}; held {payouts_held}",
            tally(&payouts)
        );
        println!(
            "money: transfer endings {:?}; held {transfers_held}",
            tally(&transfers)
        );
        println!("money: funding spent {funding_spent}, spot gained {spot_gained}");
        assert_eq!(funding_spent, times(payouts_held + transfers_held)?);
        assert_eq!(spot_gained, times(transfers_held)?);
        let unknown = tally(&payouts).get(&Ending::Unknown).copied().unwrap_or(0)
            + tally(&transfers)
                .get(&Ending::Unknown)
                .copied()
                .unwrap_or(0);
        assert_eq!(unknown, 0, "every unknown outcome must be resolved");
        // The faults did fire on both paths, and lookups resolved some of them.
        let resolved = [&payouts, &transfers]
            .iter()
            .flat_map(|e| e.values())
            .filter(|e| matches!(e, Ending::FoundAfterUnknown))
            .count();
        assert!(resolved > 0, "no attempt was looked up");
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}
