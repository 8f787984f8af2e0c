//! `binancepay refund create | query`.

use std::process::ExitCode;

use binancepay_types::refund::{QueryRefundRequest, RefundOrderRequest};

use crate::args::RefundCommand;
use crate::call::{self, Flags};
use crate::error::CliError;

const FLAGS: Flags = &[
    ("refundRequestId", "--request-id"),
    ("prepayId", "--prepay-id"),
    ("refundAmount", "--amount"),
    ("refundReason", "--reason"),
    ("webhookUrl", "--webhook-url"),
];

pub(crate) fn run(command: &RefundCommand) -> Result<ExitCode, CliError> {
    match command {
        RefundCommand::Create(args) => {
            let mut request = RefundOrderRequest::new(
                &args.request_id,
                args.prepay_id.clone(),
                args.amount.clone(),
            );
            if let Some(reason) = &args.reason {
                request = request.with_refund_reason(reason);
            }
            if let Some(url) = &args.webhook_url {
                request = request.with_webhook_url(url);
            }
            call::execute(&request, FLAGS, &args.api)
        }
        RefundCommand::Query(args) => {
            call::execute(&QueryRefundRequest::new(&args.request_id), FLAGS, &args.api)
        }
    }
}
