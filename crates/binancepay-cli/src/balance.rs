//! `binancepay balance`: the wallet balances (v2).

use std::process::ExitCode;

use binancepay_types::enums::Wallet;
use binancepay_types::wallet::QueryBalanceV2Request;

use crate::args::BalanceArgs;
use crate::call::{self, Flags};
use crate::error::CliError;

const FLAGS: Flags = &[("wallet", "--wallet"), ("currency", "--currency")];

pub(crate) fn run(args: &BalanceArgs) -> Result<ExitCode, CliError> {
    let mut request = QueryBalanceV2Request::new(Wallet::from_wire(&args.wallet));
    if let Some(currency) = &args.currency {
        request = request.with_currency(currency);
    }
    call::execute(&request, FLAGS, &args.api)
}
