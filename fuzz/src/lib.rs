//! Shared pieces of the fuzz targets: fixtures read from the crates' vector files, the input
//! framings, and independent reference implementations (oracles) the targets compare against.
//!
//! The targets panic on purpose when an invariant breaks: a panic is how libFuzzer records a
//! finding. Nothing here is used outside `fuzz_targets/`.

pub mod fixtures;
pub mod framing;
pub mod oracle;

/// Calls `$callback!` with every request type of binancepay-types (every `Endpoint`), so a
/// target covers each endpoint's request or response type without listing them itself.
#[macro_export]
macro_rules! with_endpoints {
    ($callback:ident) => {
        $callback! {
            binancepay_types::certificate::QueryCertificatesRequest,
            binancepay_types::convert::ListConvertPairsRequest,
            binancepay_types::convert::GetConvertQuoteRequest,
            binancepay_types::convert::ExecuteConvertQuoteRequest,
            binancepay_types::convert::QueryConvertOrderRequest,
            binancepay_types::direct_debit::CreateContractRequest,
            binancepay_types::direct_debit::QueryContractRequest,
            binancepay_types::direct_debit::TerminateContractRequest,
            binancepay_types::direct_debit::NotifyPaymentRequest,
            binancepay_types::direct_debit::ApplyPaymentRequest,
            binancepay_types::order::CreateOrderV3Request,
            binancepay_types::order::CreateOrderV2Request,
            binancepay_types::order::CreateOrderV1Request,
            binancepay_types::order::QueryOrderV2Request,
            binancepay_types::order::QueryOrderV1Request,
            binancepay_types::order::CloseOrderRequest,
            binancepay_types::payer::VerifyPayerRequest,
            binancepay_types::payout::CreatePayoutRequest,
            binancepay_types::payout::QueryPayoutRequest,
            binancepay_types::payout::CheckPayoutReceiverRequest,
            binancepay_types::profit_sharing::AddProfitReceiverRequest,
            binancepay_types::profit_sharing::QueryProfitReceiversRequest,
            binancepay_types::profit_sharing::DeleteProfitReceiverRequest,
            binancepay_types::profit_sharing::SubmitProfitSplitRequest,
            binancepay_types::profit_sharing::QueryProfitSplitRequest,
            binancepay_types::profit_sharing::ReturnProfitSplitRequest,
            binancepay_types::refund::RefundOrderRequest,
            binancepay_types::refund::QueryRefundRequest,
            binancepay_types::report::GetReportFileRequest,
            binancepay_types::report::RequestBalanceReportRequest,
            binancepay_types::report::QueryBalanceReportRequest,
            binancepay_types::share_info::ShareAccountIdRequest,
            binancepay_types::sub_merchant::AddSubMerchantRequest,
            binancepay_types::sub_merchant::ModifySubMerchantRequest,
            binancepay_types::sub_merchant::QuerySubMerchantRequest,
            binancepay_types::tsp::CreateTspAuthorizationRequest,
            binancepay_types::tsp::QueryTspRecordsRequest,
            binancepay_types::tsp::GetTspRecordRequest,
            binancepay_types::tsp::QueryTspConfigRequest,
            binancepay_types::wallet::TransferFundRequest,
            binancepay_types::wallet::QueryTransferRequest,
            binancepay_types::wallet::QueryBalanceV2Request,
            binancepay_types::wallet::QueryBalanceV1Request,
        }
    };
}
