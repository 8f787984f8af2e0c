//! `binancepay payout create | query`.

use std::process::ExitCode;

use binancepay_types::enums::Wallet;
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer, QueryPayoutRequest};

use crate::args::{PayoutCommand, PayoutCreateArgs};
use crate::call::{self, Flags};
use crate::error::CliError;
use crate::values::{send_id, total};

const FLAGS: Flags = &[
    ("requestId", "--request-id"),
    ("batchName", "--batch-name"),
    ("currency", "--currency"),
    ("totalNumber", "--receiver"),
    ("transferDetailList", "--receiver"),
    ("webhookUrl", "--webhook-url"),
];

pub(crate) fn run(command: &PayoutCommand) -> Result<ExitCode, CliError> {
    match command {
        PayoutCommand::Create(args) => {
            let request = create_request(args)?;
            call::execute(&request, FLAGS, &args.api)
        }
        PayoutCommand::Query(args) => {
            call::execute(&QueryPayoutRequest::new(&args.request_id), FLAGS, &args.api)
        }
    }
}

/// The batch of the flags, with `totalAmount` the exact sum of the transfers and `totalNumber`
/// their count, so the two can never disagree with the list.
pub(crate) fn create_request(args: &PayoutCreateArgs) -> Result<CreatePayoutRequest, CliError> {
    let total_amount = total(&args.receivers).ok_or_else(|| {
        CliError::Usage(
            "--receiver: the amounts add up to more than 20 digits before the decimal point"
                .to_owned(),
        )
    })?;
    let count = i32::try_from(args.receivers.len())
        .map_err(|_| CliError::Usage("--receiver: too many receivers".to_owned()))?;
    let method = Wallet::from_wire(&args.transfer_method);
    let transfers = args
        .receivers
        .iter()
        .enumerate()
        .map(|(index, r)| {
            PayoutTransfer::new(
                send_id(&args.request_id, index),
                r.receive_type.clone(),
                &r.receiver,
                r.amount.clone(),
                method.clone(),
            )
        })
        .collect();
    let mut request = CreatePayoutRequest::new(
        &args.request_id,
        &args.batch_name,
        &args.currency,
        total_amount,
        count,
        transfers,
    );
    if let Some(url) = &args.webhook_url {
        request = request.with_webhook_url(url);
    }
    Ok(request)
}
