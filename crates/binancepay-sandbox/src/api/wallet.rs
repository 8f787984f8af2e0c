//! Wallets: funding and spot balances per asset, transfers between them, balance queries, and
//! the fixed USD prices the sandbox values and converts assets with.

use std::collections::BTreeMap;

use binancepay_types::Amount;
use binancepay_types::enums::{TransferStatus, TransferType, Wallet};
use binancepay_types::wallet::{
    AssetBalance, BalanceV1Result, BalanceV2Result, QueryBalanceV1Request, QueryBalanceV2Request,
    QueryTransferRequest, QueryTransferResult, TransferFundRequest, TransferFundResult,
};

use super::error::{ApiError, known};
use crate::context::Ctx;
use crate::money::{SCALE, amount_of, from_units, mul_div, to_units};
use crate::state::State;

/// Crypto assets the sandbox knows, with a fixed USD price in 10⁻⁸ USD.
pub(crate) const ASSETS: &[(&str, u128)] = &[
    ("USDT", SCALE),
    ("USDC", SCALE),
    ("FDUSD", SCALE),
    ("BNB", 61_710_000_000),
    ("BTC", 60_000 * SCALE),
    ("ETH", 3_000 * SCALE),
];

/// Fiat currencies accepted for fiat-denominated orders (paid 1:1 in USDT in the sandbox).
const FIAT: &[&str] = &[
    "USD", "EUR", "GBP", "AUD", "BRL", "TRY", "JPY", "SGD", "HKD",
];

/// The fiat currency valuations are given in.
const VALUATION_FIAT: &str = "USD";

/// Whether the sandbox knows `asset` as a crypto currency.
pub(crate) fn is_crypto(asset: &str) -> bool {
    ASSETS.iter().any(|(a, _)| *a == asset)
}

/// Whether `currency` is an accepted fiat currency.
pub(crate) fn is_fiat(currency: &str) -> bool {
    FIAT.contains(&currency)
}

/// USD price of one unit of `asset`, in 10⁻⁸ USD.
pub(crate) fn price(asset: &str) -> Option<u128> {
    ASSETS.iter().find(|(a, _)| *a == asset).map(|(_, p)| *p)
}

/// The two wallets of the merchant account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum WalletKind {
    Funding,
    Spot,
}

impl WalletKind {
    /// The kind a known wire value names.
    pub(crate) fn of(wallet: &Wallet, field: &str) -> Result<Self, ApiError> {
        known(field, wallet)?;
        match wallet {
            Wallet::SpotWallet => Ok(Self::Spot),
            _ => Ok(Self::Funding),
        }
    }

    pub(crate) fn wallet(self) -> Wallet {
        match self {
            Self::Funding => Wallet::FundingWallet,
            Self::Spot => Wallet::SpotWallet,
        }
    }

    /// Parses the control API's spelling (the wire values).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "FUNDING_WALLET" => Some(Self::Funding),
            "SPOT_WALLET" => Some(Self::Spot),
            _ => None,
        }
    }
}

/// Balances in 10⁻⁸ units, exact.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wallets {
    balances: BTreeMap<(WalletKind, String), u128>,
}

impl Wallets {
    /// The starting balances: a million USDT and some of every other asset in both wallets.
    pub(crate) fn seeded() -> Self {
        let mut wallets = Self::default();
        for kind in [WalletKind::Funding, WalletKind::Spot] {
            for (asset, units) in [
                ("USDT", 1_000_000 * SCALE),
                ("USDC", 1_000_000 * SCALE),
                ("FDUSD", 100_000 * SCALE),
                ("BNB", 1_000 * SCALE),
                ("BTC", 10 * SCALE),
                ("ETH", 100 * SCALE),
            ] {
                wallets.set_units(kind, asset, units);
            }
        }
        wallets
    }

    pub(crate) fn set_units(&mut self, kind: WalletKind, asset: &str, units: u128) {
        self.balances.insert((kind, asset.to_owned()), units);
    }

    pub(crate) fn units(&self, kind: WalletKind, asset: &str) -> u128 {
        self.balances
            .get(&(kind, asset.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Adds `amount`.
    ///
    /// # Errors
    /// `400000` if the balance would overflow an amount.
    pub(crate) fn credit(
        &mut self,
        kind: WalletKind,
        asset: &str,
        amount: &Amount,
    ) -> Result<(), ApiError> {
        let balance = self
            .units(kind, asset)
            .checked_add(to_units(amount))
            .filter(|v| from_units(*v).is_some())
            .ok_or_else(|| ApiError::internal(format!("{asset} balance would overflow")))?;
        self.set_units(kind, asset, balance);
        Ok(())
    }

    /// Takes `amount`.
    ///
    /// # Errors
    /// `400304` when the balance is smaller.
    pub(crate) fn debit(
        &mut self,
        kind: WalletKind,
        asset: &str,
        amount: &Amount,
    ) -> Result<(), ApiError> {
        let balance = self
            .units(kind, asset)
            .checked_sub(to_units(amount))
            .ok_or_else(|| ApiError::insufficient(kind.wallet().as_str(), asset))?;
        self.set_units(kind, asset, balance);
        Ok(())
    }

    /// Every asset held in one wallet (zero balances of known assets included), by name.
    fn assets(&self, kind: WalletKind) -> Vec<(String, u128)> {
        let mut out: BTreeMap<String, u128> =
            ASSETS.iter().map(|(a, _)| ((*a).to_owned(), 0)).collect();
        for ((k, asset), units) in &self.balances {
            if *k == kind {
                out.insert(asset.clone(), *units);
            }
        }
        out.into_iter().collect()
    }

    /// Every balance, for the control API.
    pub(crate) fn snapshot(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for kind in [WalletKind::Funding, WalletKind::Spot] {
            let assets: serde_json::Map<String, serde_json::Value> = self
                .assets(kind)
                .into_iter()
                .map(|(asset, units)| {
                    let text = from_units(units).map(|a| a.to_string()).unwrap_or_default();
                    (asset, serde_json::Value::String(text))
                })
                .collect();
            map.insert(
                kind.wallet().as_str().to_owned(),
                serde_json::Value::Object(assets),
            );
        }
        serde_json::Value::Object(map)
    }
}

/// A wallet transfer, kept for the transfer query and for idempotent repeats.
#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    currency: String,
    amount: Amount,
    transfer_type: TransferType,
}

impl Transfer {
    fn result(&self, tran_id: &str) -> TransferFundResult {
        TransferFundResult::new(tran_id)
            .with_status(TransferStatus::Success)
            .with_currency(self.currency.clone())
            .with_amount(self.amount.clone())
            .with_transfer_type(self.transfer_type.clone())
    }
}

pub(crate) fn transfer(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: TransferFundRequest,
) -> Result<TransferFundResult, ApiError> {
    known("transferType", &req.transfer_type)?;
    // The requestId becomes the tranId, so a repeat answers the first transfer again with
    // `REPEAT_REQ_SUCCESS` / `000001`, as the Transfer Fund page documents (unless the sandbox
    // is told not to deduplicate: then it moves the funds again).
    if let Some(existing) = state.transfers.get(&req.request_id) {
        if state.deduplicate_request_ids {
            ctx.replayed = true;
            return Ok(existing.result(&req.request_id));
        }
    }
    if !is_crypto(&req.currency) {
        return Err(ApiError::value(
            "currency",
            format!("{:?} is not a supported asset", req.currency),
        ));
    }
    let (from, to) = match req.transfer_type {
        TransferType::ToMain => (WalletKind::Funding, WalletKind::Spot),
        _ => (WalletKind::Spot, WalletKind::Funding),
    };
    state.wallets.debit(from, &req.currency, &req.amount)?;
    if let Err(error) = state.wallets.credit(to, &req.currency, &req.amount) {
        // Put the money back so a failed transfer changes nothing.
        state.wallets.credit(from, &req.currency, &req.amount)?;
        return Err(error);
    }
    let transfer = Transfer {
        currency: req.currency,
        amount: req.amount,
        transfer_type: req.transfer_type,
    };
    let result = transfer.result(&req.request_id);
    state.transfers.insert(req.request_id, transfer);
    Ok(result)
}

pub(crate) fn query_transfer(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryTransferRequest,
) -> Result<QueryTransferResult, ApiError> {
    if !state.transfers.contains_key(&req.tran_id) {
        return Err(ApiError::not_found(format!("transfer {:?}", req.tran_id)));
    }
    Ok(QueryTransferResult::new(req.tran_id).with_status(TransferStatus::Success))
}

/// Valuations of `units` of `asset`: in USD and in BTC, rounded down to 8 decimals.
fn valuations(asset: &str, units: u128) -> Result<(Amount, Amount), ApiError> {
    let usd = price(asset)
        .and_then(|p| mul_div(units, p, SCALE))
        .unwrap_or(0);
    let btc = price("BTC")
        .and_then(|p| mul_div(usd, SCALE, p))
        .unwrap_or(0);
    Ok((amount_of(usd, "valuation")?, amount_of(btc, "valuation")?))
}

fn asset_balance(asset: &str, units: u128) -> Result<AssetBalance, ApiError> {
    let (usd, btc) = valuations(asset, units)?;
    Ok(AssetBalance::new(asset)
        .with_available(amount_of(units, "balance")?)
        .with_freeze(amount_of(0, "freeze")?)
        .with_available_fiat_valuation(usd)
        .with_available_btc_valuation(btc))
}

pub(crate) fn balance_v2(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: QueryBalanceV2Request,
) -> Result<BalanceV2Result, ApiError> {
    let kind = WalletKind::of(&req.wallet, "wallet")?;
    let entries = match &req.currency {
        Some(asset) => vec![asset_balance(asset, state.wallets.units(kind, asset))?],
        None => state
            .wallets
            .assets(kind)
            .into_iter()
            .map(|(asset, units)| asset_balance(&asset, units))
            .collect::<Result<_, _>>()?,
    };
    Ok(BalanceV2Result::new()
        .with_balance(entries)
        .with_wallet(kind.wallet())
        .with_update_time(ctx.now_i64())
        .with_fiat(VALUATION_FIAT))
}

pub(crate) fn balance_v1(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: QueryBalanceV1Request,
) -> Result<BalanceV1Result, ApiError> {
    let kind = WalletKind::of(&req.wallet, "wallet")?;
    let units = state.wallets.units(kind, &req.currency);
    let (usd, btc) = valuations(&req.currency, units)?;
    Ok(BalanceV1Result::new()
        .with_balance(amount_of(units, "balance")?)
        .with_asset(req.currency)
        .with_fiat(VALUATION_FIAT)
        .with_available_fiat_valuation(usd)
        .with_available_btc_valuation(btc))
}

#[cfg(test)]
mod tests {
    use super::{WalletKind, Wallets, valuations};
    use binancepay_types::{Amount, ResultCode};

    fn amount(text: &str) -> Amount {
        Amount::new(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn debit_refuses_more_than_the_balance() {
        let mut wallets = Wallets::default();
        assert!(
            wallets
                .credit(WalletKind::Funding, "USDT", &amount("10.5"))
                .is_ok()
        );
        let err = wallets.debit(WalletKind::Funding, "USDT", &amount("10.50000001"));
        assert_eq!(
            err.map_err(|e| e.code),
            Err(ResultCode::AccountRemainingAmountNotEnough)
        );
        assert!(
            wallets
                .debit(WalletKind::Funding, "USDT", &amount("10.5"))
                .is_ok()
        );
        assert_eq!(wallets.units(WalletKind::Funding, "USDT"), 0);
    }

    #[test]
    fn valuations_are_exact() {
        let (usd, btc) = valuations("BTC", 150_000_000).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((usd.as_str(), btc.as_str()), ("90000", "1.5"));
    }
}
