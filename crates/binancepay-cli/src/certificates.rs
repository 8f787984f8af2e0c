//! `binancepay certificates`: the public keys that sign webhooks, with their serials.

use std::process::ExitCode;

use binancepay_types::certificate::QueryCertificatesRequest;

use crate::args::CertificatesArgs;
use crate::call;
use crate::error::CliError;

pub(crate) fn run(args: &CertificatesArgs) -> Result<ExitCode, CliError> {
    call::execute(&QueryCertificatesRequest::new(), &[], &args.api)
}
