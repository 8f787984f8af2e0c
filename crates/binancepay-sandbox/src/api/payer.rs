//! Payer verification and the certificates endpoint: answers that need no stored state.

use binancepay_types::certificate::{
    Certificate, QueryCertificatesNewRequest, QueryCertificatesRequest,
};
use binancepay_types::enums::PayerInfoCategory;
use binancepay_types::payer::VerifyPayerRequest;

use super::error::{ApiError, known};
use super::reports::parse_date;
use crate::context::Ctx;
use crate::state::State;

/// Checks the KYC items' form; the sandbox knows no real payers, so well-formed data verifies.
pub(crate) fn verify(
    _state: &mut State,
    _ctx: &mut Ctx<'_>,
    req: VerifyPayerRequest,
) -> Result<bool, ApiError> {
    known("payerType", &req.payer_type)?;
    for (index, item) in req.information.iter().enumerate() {
        let path = format!("information[{index}]");
        known(&format!("{path}.category"), &item.category)?;
        if item.value.trim().is_empty() {
            return Err(ApiError::missing(&format!("{path}.value")));
        }
        if item.category == PayerInfoCategory::DateOfBirth {
            parse_date(&format!("{path}.value"), &item.value, false)?;
        }
    }
    Ok(true)
}

/// The new platform certificates: empty until `POST /sandbox/certificates/rotate`, then one
/// per rotation, newest first (the order means nothing to Binance's clients).
pub(crate) fn certificates_new(
    state: &mut State,
    _ctx: &mut Ctx<'_>,
    _req: QueryCertificatesNewRequest,
) -> Result<Vec<Certificate>, ApiError> {
    Ok(state.new_certificates.clone())
}

/// The sandbox's one webhook key: its serial and PEM.
pub(crate) fn certificates(
    _state: &mut State,
    ctx: &mut Ctx<'_>,
    _req: QueryCertificatesRequest,
) -> Result<Vec<Certificate>, ApiError> {
    Ok(vec![Certificate::new(
        ctx.config.cert_serial.clone(),
        ctx.config.cert_public.clone(),
    )])
}
