//! One handle per API area (`client.orders()`, `client.refunds()`, …) with a typed method per
//! endpoint. Every method is a thin call of [`Client::execute`]; only order creation adds the
//! duplicate-after-timeout recovery (see [`Orders::create_v3`]).

use binancepay_types::Endpoint;

use crate::client::Client;
use crate::error::Error;

/// Calls `$callback!` with the table of every plain (non-recovering) typed method:
/// `Handle, accessor, types_module { method => RequestType, … }`. The async handles below and
/// the blocking ones in `crate::blocking` are both generated from it, so they cannot drift.
macro_rules! for_each_area {
    ($callback:ident) => {
        $callback! {
            /// Orders: create (v3, v2, v1), query (v2, v1) and close.
            Orders, orders, order {
                /// Queries an order (v2) by `prepayId` or `merchantTradeNo`.
                query_v2 => QueryOrderV2Request,
                /// Queries an order with the older v1 endpoint.
                query_v1 => QueryOrderV1Request,
                /// Asks Binance to close an unpaid order (`data` is `true` when accepted; the
                /// result arrives as a `PAY_CLOSED` webhook). Never retried once it may have
                /// reached Binance: query the order instead.
                close => CloseOrderRequest,
            }
            /// Payer verification: check a payer's KYC information against a Binance id.
            Payer, payer, payer {
                /// Checks the payer's information.
                verify => VerifyPayerRequest,
            }
            /// Refunds: refund an order and query a refund.
            Refunds, refunds, refund {
                /// Refunds (part of) an order. Retried with the same `refundRequestId`; a
                /// repeat answers the first result with `duplicateRequest` `Y`.
                create => RefundOrderRequest,
                /// Queries a refund by `refundRequestId`.
                query => QueryRefundRequest,
            }
            /// Payouts: batch transfers, their query, and receiver check.
            Payouts, payouts, payout {
                /// Sends a batch payout. Resent only when an attempt certainly did nothing;
                /// after an unknown outcome it is looked up by `requestId`, never resent
                /// ([`Error::NotResent`]).
                create => CreatePayoutRequest,
                /// Queries a payout batch by `requestId`.
                query => QueryPayoutRequest,
                /// Checks that a payout receiver exists.
                check_receiver => CheckPayoutReceiverRequest,
            }
            /// Wallet: transfers between the spot and funding wallets, and balances.
            Wallet, wallet, wallet {
                /// Moves funds between the spot and funding wallets (retried with the same
                /// `requestId`, also after an unknown outcome: a repeat is answered with the
                /// first transfer; `execute_answer` tells a replay).
                transfer => TransferFundRequest,
                /// Queries a transfer by `tranId`.
                query_transfer => QueryTransferRequest,
                /// Wallet balances (v2).
                balance_v2 => QueryBalanceV2Request,
                /// Wallet balance (v1).
                balance_v1 => QueryBalanceV1Request,
            }
            /// Sub-merchants: create, modify and query (partners only).
            SubMerchants, sub_merchants, sub_merchant {
                /// Creates a sub-merchant (never retried once it may have reached Binance).
                add => AddSubMerchantRequest,
                /// Modifies a sub-merchant (never retried once it may have reached Binance).
                modify => ModifySubMerchantRequest,
                /// Looks a sub-merchant up by id or by name; `None` when no sub-merchant has
                /// that name (the name is free for `add`).
                query => QuerySubMerchantRequest,
            }
            /// Convert (whitelisted merchants): pairs, quotes, execution, order query.
            Convert, convert, convert {
                /// Lists the assets an asset converts to.
                list_pairs => ListConvertPairsRequest,
                /// Gets a short-lived quote.
                get_quote => GetConvertQuoteRequest,
                /// Executes a quote (moves money; never retried once it may have reached
                /// Binance: query the convert order instead).
                execute_quote => ExecuteConvertQuoteRequest,
                /// Queries a convert order.
                query_order => QueryConvertOrderRequest,
            }
            /// Direct debit (whitelisted): contracts, payment notice and payment.
            DirectDebit, direct_debit, direct_debit {
                /// Creates a direct-debit contract (never retried once it may have reached
                /// Binance: query it by `merchantContractCode`).
                create_contract => CreateContractRequest,
                /// Queries a contract.
                query_contract => QueryContractRequest,
                /// Terminates a contract (never retried once it may have reached Binance).
                terminate_contract => TerminateContractRequest,
                /// Announces an upcoming periodic debit (retried with the same
                /// `merchantRequestId`).
                notify_payment => NotifyPaymentRequest,
                /// Debits a contract (retried with the same `merchantRequestId`).
                apply_payment => ApplyPaymentRequest,
            }
            /// Technical Service Providers: authorization requests and records.
            Tsp, tsp, tsp {
                /// Asks a merchant for authorization (never retried once it may have reached
                /// Binance).
                create_authorization => CreateTspAuthorizationRequest,
                /// Lists authorization records (paged).
                query_records => QueryTspRecordsRequest,
                /// Gets the record of one merchant.
                get_record => GetTspRecordRequest,
                /// The scopes this provider may request.
                query_config => QueryTspConfigRequest,
            }
            /// Share account id: ask a user to share their Binance id.
            ShareInfo, share_info, share_info {
                /// Creates a share request; the id arrives as a `SHARE_ACCOUNT_ID` webhook.
                share_account_id => ShareAccountIdRequest,
            }
            /// Certificates: the public keys that sign webhooks ([`Client::webhooks`] fetches
            /// and caches them for you).
            Certificates, certificates, certificate {
                /// Fetches the webhook-verification keys.
                query => QueryCertificatesRequest,
            }
            /// Profit sharing: receivers, splits and split returns.
            ProfitSharing, profit_sharing, profit_sharing {
                /// Adds a receiver (never retried once it may have reached Binance).
                add_receiver => AddProfitReceiverRequest,
                /// Lists receivers (paged).
                query_receivers => QueryProfitReceiversRequest,
                /// Deletes a receiver (never retried once it may have reached Binance).
                delete_receiver => DeleteProfitReceiverRequest,
                /// Submits a split (never retried once it may have reached Binance: query it).
                submit_split => SubmitProfitSplitRequest,
                /// Queries a split.
                query_split => QueryProfitSplitRequest,
                /// Returns a split (never retried once it may have reached Binance).
                return_split => ReturnProfitSplitRequest,
            }
            /// Reports: transaction and settlement files, balance reports.
            Reports, reports, report {
                /// Download links of transaction or settlement reports.
                get_file => GetReportFileRequest,
                /// Starts a balance report (delivered by a `BALANCE` webhook).
                request_balance_report => RequestBalanceReportRequest,
                /// Queries a balance report.
                query_balance_report => QueryBalanceReportRequest,
            }
        }
    };
}
// Only the blocking module expands the table a second time.
#[cfg(feature = "blocking")]
pub(crate) use for_each_area;

macro_rules! async_areas {
    ($(
        $(#[$area_doc:meta])*
        $area:ident, $accessor:ident, $module:ident {
            $( $(#[$doc:meta])* $method:ident => $request:ident, )*
        }
    )*) => {
        $(
            $(#[$area_doc])*
            #[doc = ""]
            #[doc = concat!("Get it with [`Client::", stringify!($accessor), "`].")]
            #[derive(Debug, Clone, Copy)]
            pub struct $area<'a> {
                pub(crate) client: &'a Client,
            }

            impl $area<'_> {
                $(
                    $(#[$doc])*
                    ///
                    /// # Errors
                    /// As [`Client::execute`].
                    pub async fn $method(
                        &self,
                        request: &binancepay_types::$module::$request,
                    ) -> Result<<binancepay_types::$module::$request as Endpoint>::Response, Error> {
                        self.client.execute(request).await
                    }
                )*
            }
        )*

        impl Client {
            $(
                $(#[$area_doc])*
                pub fn $accessor(&self) -> $area<'_> {
                    $area { client: self }
                }
            )*
        }

        /// `(accessor, method, operation)` of every plain typed method.
        #[cfg(test)]
        pub(crate) const PLAIN_METHODS: &[(&str, &str, &str)] = &[
            $($(
                (
                    stringify!($accessor),
                    stringify!($method),
                    <binancepay_types::$module::$request as Endpoint>::OPERATION,
                ),
            )*)*
        ];
    };
}

for_each_area!(async_areas);

impl Certificates<'_> {
    /// Fetches the keys of Binance's new platform certificate (for webhooks'
    /// `BinancePay-Signature-New`, found by `certSerial` = `BinancePay-Certificate-SN-New`):
    /// empty until Binance enables it, possibly several while Binance replaces it, in no
    /// meaningful order. Sent to [`ClientBuilder::certificates_new_path`] when set (the spec's
    /// path is unconfirmed). [`Client::webhooks`] fetches and caches them for you.
    ///
    /// # Errors
    /// As [`Client::execute`].
    ///
    /// [`ClientBuilder::certificates_new_path`]: crate::ClientBuilder::certificates_new_path
    pub async fn query_new(
        &self,
        request: &binancepay_types::certificate::QueryCertificatesNewRequest,
    ) -> Result<Vec<binancepay_types::certificate::Certificate>, Error> {
        match &self.client.inner().certificates_new_path {
            Some(path) => self.client.execute_at(request, path).await,
            None => self.client.execute(request).await,
        }
    }
}

/// `(accessor, method, operation)` of the hand-written typed methods outside the table.
#[cfg(test)]
pub(crate) const EXTRA_METHODS: [(&str, &str, &str); 1] = [(
    "certificates",
    "query_new",
    <binancepay_types::certificate::QueryCertificatesNewRequest as Endpoint>::OPERATION,
)];

#[cfg(test)]
mod tests {
    use super::*;
    use binancepay_types::ENDPOINTS;

    #[test]
    fn every_endpoint_has_exactly_one_typed_method() {
        let methods: Vec<(&str, &str, &str)> = PLAIN_METHODS
            .iter()
            .copied()
            .chain(crate::orders::CREATE_METHODS)
            .chain(EXTRA_METHODS)
            .collect();
        for endpoint in ENDPOINTS {
            let count = methods
                .iter()
                .filter(|(_, _, op)| *op == endpoint.operation)
                .count();
            assert_eq!(count, 1, "{} has {count} typed methods", endpoint.operation);
        }
        assert_eq!(methods.len(), ENDPOINTS.len());
    }
}
