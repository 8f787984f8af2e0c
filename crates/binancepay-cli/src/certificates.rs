//! `binancepay certificates [--new]`: the public keys that sign webhooks, with their serials
//! (`--new`: those of Binance's new platform certificate, for BinancePay-Signature-New).

use std::process::ExitCode;

use binancepay_types::certificate::{QueryCertificatesNewRequest, QueryCertificatesRequest};

use crate::args::CertificatesArgs;
use crate::call;
use crate::error::CliError;

pub(crate) fn run(args: &CertificatesArgs) -> Result<ExitCode, CliError> {
    if args.new {
        call::execute(&QueryCertificatesNewRequest::new(), &[], &args.api)
    } else {
        call::execute(&QueryCertificatesRequest::new(), &[], &args.api)
    }
}
