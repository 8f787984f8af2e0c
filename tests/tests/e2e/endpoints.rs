//! Every endpoint of `binancepay_types::ENDPOINTS` once through the client's typed method,
//! driven by the table itself: an endpoint added to the table without a call here fails.

use std::collections::BTreeSet;

use binancepay_client::Client;
use binancepay_integration_tests::{
    BoxError, Control, TestResult, amount, bounded, client_for, order, sandbox,
};
use binancepay_sandbox::RunningSandbox;
use binancepay_types::certificate::{QueryCertificatesNewRequest, QueryCertificatesRequest};
use binancepay_types::convert::{
    ExecuteConvertQuoteRequest, GetConvertQuoteRequest, ListConvertPairsRequest,
    QueryConvertOrderRequest,
};
use binancepay_types::direct_debit::{
    ApplyPaymentRequest, CreateContractRequest, NotifyPaymentRequest, QueryContractRequest,
    TerminateContractRequest,
};
use binancepay_types::enums::{
    CertificateType, ContractStatus, CycleType, GoodsCategory, GoodsType, MerchantType,
    OrderStatus, PayerInfoCategory, PayerType, PayoutBatchStatus, ReceiveType,
    ReportTransactionType, ReportType, ScenarioCode, StoreType, TerminalType, TradeMode, TradeType,
    TransferType, TspScope, Wallet,
};
use binancepay_types::order::{
    CloseOrderRequest, CreateOrderV1Request, CreateOrderV2Request, Env, Goods, QueryOrderV1Request,
    QueryOrderV2Request,
};
use binancepay_types::payer::{PayerInfo, VerifyPayerRequest};
use binancepay_types::payout::{
    CheckPayoutReceiverRequest, CreatePayoutRequest, PayoutTransfer, QueryPayoutRequest,
};
use binancepay_types::profit_sharing::{
    AddProfitReceiverRequest, DeleteProfitReceiverRequest, ProfitSplitReceiver,
    QueryProfitReceiversRequest, QueryProfitSplitRequest, ReturnProfitSplitRequest,
    SubmitProfitSplitRequest,
};
use binancepay_types::refund::{QueryRefundRequest, RefundOrderRequest};
use binancepay_types::report::{
    GetReportFileRequest, QueryBalanceReportRequest, RequestBalanceReportRequest,
};
use binancepay_types::share_info::ShareAccountIdRequest;
use binancepay_types::sub_merchant::{
    AddSubMerchantRequest, ModifySubMerchantRequest, QuerySubMerchantRequest,
};
use binancepay_types::tsp::{
    CreateTspAuthorizationRequest, GetTspRecordRequest, QueryTspConfigRequest,
    QueryTspRecordsRequest,
};
use binancepay_types::wallet::{
    QueryBalanceV1Request, QueryBalanceV2Request, QueryTransferRequest, TransferFundRequest,
};
use binancepay_types::{ENDPOINTS, Id};

/// The merchant id the sandbox reports; TSP calls name it.
const SANDBOX_MERCHANT_ID: &str = "350962587";
/// The receiver the profit split pays.
const RECEIVER: &str = "354205155";

fn id(text: &str) -> Result<Id, BoxError> {
    Ok(Id::new(text)?)
}

fn goods() -> Goods {
    Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    )
}

/// `(day, month, year)` of an epoch-milliseconds time (Hinnant's civil_from_days).
fn civil_date(epoch_ms: u64) -> (u32, u32, i64) {
    let days = i64::try_from(epoch_ms / 86_400_000).unwrap_or(0);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        u32::try_from(day).unwrap_or(1),
        u32::try_from(month).unwrap_or(1),
        year,
    )
}

/// The objects calls depend on, made on first need through the typed methods themselves.
struct Scenario<'a> {
    sandbox: &'a RunningSandbox,
    client: &'a Client,
    control: Control,
    paid_order: Option<Id>,
    refund: Option<String>,
    payout: Option<String>,
    transfer: Option<String>,
    sub_merchant: Option<Id>,
    quote: Option<String>,
    convert_order: Option<String>,
    contract: Option<Id>,
    notice: Option<Id>,
    tsp: bool,
    receiver: bool,
    split: Option<String>,
    balance_report: Option<Id>,
}

impl<'a> Scenario<'a> {
    fn new(sandbox: &'a RunningSandbox, client: &'a Client) -> Result<Self, BoxError> {
        Ok(Scenario {
            sandbox,
            client,
            control: Control::new(sandbox)?,
            paid_order: None,
            refund: None,
            payout: None,
            transfer: None,
            sub_merchant: None,
            quote: None,
            convert_order: None,
            contract: None,
            notice: None,
            tsp: false,
            receiver: false,
            split: None,
            balance_report: None,
        })
    }

    async fn paid_order(&mut self) -> Result<Id, BoxError> {
        if let Some(prepay_id) = &self.paid_order {
            return Ok(prepay_id.clone());
        }
        let created = self
            .client
            .orders()
            .create_v3(&order("E2EPAID", "25.17")?)
            .await?;
        let prepay_id = created.prepay_id().clone();
        self.control.pay(prepay_id.as_str()).await?;
        self.paid_order = Some(prepay_id.clone());
        Ok(prepay_id)
    }

    async fn refund(&mut self) -> Result<String, BoxError> {
        if let Some(refund) = &self.refund {
            return Ok(refund.clone());
        }
        let prepay_id = self.paid_order().await?;
        let refunded = self
            .client
            .refunds()
            .create(&RefundOrderRequest::new(
                "E2EREFUND1",
                prepay_id,
                amount("1")?,
            ))
            .await?;
        assert_eq!(refunded.refund_request_id, "E2EREFUND1");
        self.refund = Some(refunded.refund_request_id.clone());
        Ok(refunded.refund_request_id)
    }

    async fn payout(&mut self) -> Result<String, BoxError> {
        if let Some(payout) = &self.payout {
            return Ok(payout.clone());
        }
        let transfers = vec![PayoutTransfer::new(
            "E2ESEND1",
            ReceiveType::PayId,
            "354205155",
            amount("2.5")?,
            Wallet::FundingWallet,
        )];
        let batch =
            CreatePayoutRequest::new("E2EBATCH1", "rewards", "USDT", amount("2.5")?, 1, transfers);
        let accepted = self.client.payouts().create(&batch).await?;
        assert_eq!(accepted.request_id.as_deref(), Some("E2EBATCH1"));
        self.payout = Some("E2EBATCH1".to_owned());
        Ok("E2EBATCH1".to_owned())
    }

    async fn transfer(&mut self) -> Result<String, BoxError> {
        if let Some(transfer) = &self.transfer {
            return Ok(transfer.clone());
        }
        let request =
            TransferFundRequest::new("E2ETR1", "USDT", amount("1.5")?, TransferType::ToMain);
        let result = self.client.wallet().transfer(&request).await?;
        assert_eq!(result.tran_id, "E2ETR1");
        self.transfer = Some(result.tran_id.clone());
        Ok(result.tran_id)
    }

    async fn sub_merchant(&mut self) -> Result<Id, BoxError> {
        if let Some(sub_merchant) = &self.sub_merchant {
            return Ok(sub_merchant.clone());
        }
        let request = AddSubMerchantRequest::new(
            "Tea Shop",
            MerchantType::Individual,
            "1001",
            StoreType::Online,
            "GO",
        )
        .with_site_url("https://tea.example")
        .with_certificate_type(CertificateType::Passport)
        .with_certificate_country("GB")
        .with_certificate_number("X1234567")
        .with_certificate_valid_date(1_900_000_000_000);
        let added = self.client.sub_merchants().add(&request).await?;
        self.sub_merchant = Some(added.sub_merchant_id.clone());
        Ok(added.sub_merchant_id)
    }

    async fn quote(&mut self) -> Result<String, BoxError> {
        if let Some(quote) = &self.quote {
            return Ok(quote.clone());
        }
        let request = GetConvertQuoteRequest::new(Wallet::FundingWallet, "USDT", "BNB")
            .with_from_amount(amount("25.17")?);
        let quote = self.client.convert().get_quote(&request).await?;
        self.quote = Some(quote.quote_id.clone());
        Ok(quote.quote_id)
    }

    async fn convert_order(&mut self) -> Result<String, BoxError> {
        if let Some(order) = &self.convert_order {
            return Ok(order.clone());
        }
        let quote = self.quote().await?;
        let executed = self
            .client
            .convert()
            .execute_quote(&ExecuteConvertQuoteRequest::new(quote))
            .await?;
        self.convert_order = Some(executed.order_id.clone());
        Ok(executed.order_id)
    }

    /// Creates a monthly contract and has the user sign it; returns its contract id.
    async fn signed_contract(&self, code: &str) -> Result<Id, BoxError> {
        let first_debit =
            i64::try_from(self.sandbox.clock().now_ms() + 7 * 86_400_000).unwrap_or(i64::MAX);
        let request = CreateContractRequest::new(
            code,
            "Gym",
            ScenarioCode::Membership,
            amount("50")?,
            "USDT",
            true,
        )
        .with_cycle_debit_fixed(true)
        .with_cycle_type(CycleType::Month)
        .with_cycle_value(1)
        .with_first_deduct_time(first_debit);
        self.client.direct_debit().create_contract(&request).await?;
        let signed = self
            .control
            .post_ok(&format!("/sandbox/contracts/{code}/sign"), None)
            .await?;
        id(signed["contractId"].as_str().unwrap_or_default())
    }

    async fn contract(&mut self) -> Result<Id, BoxError> {
        if let Some(contract) = &self.contract {
            return Ok(contract.clone());
        }
        let contract = self.signed_contract("E2EGYM1").await?;
        self.contract = Some(contract.clone());
        Ok(contract)
    }

    async fn notice(&mut self) -> Result<Id, BoxError> {
        if let Some(notice) = &self.notice {
            return Ok(notice.clone());
        }
        let contract = self.contract().await?;
        let request = NotifyPaymentRequest::new(
            "E2ENOTICE1",
            TradeMode::DirectDebit,
            contract,
            amount("49.99")?,
            "USDT",
        );
        let notice = self.client.direct_debit().notify_payment(&request).await?;
        let order_id = notice.order_id.ok_or("notify_payment: no orderId")?;
        self.notice = Some(order_id.clone());
        Ok(order_id)
    }

    async fn tsp(&mut self) -> TestResult {
        if self.tsp {
            return Ok(());
        }
        let request =
            CreateTspAuthorizationRequest::new(SANDBOX_MERCHANT_ID, vec![TspScope::Refund], vec![]);
        let created = self.client.tsp().create_authorization(&request).await?;
        assert!(created.authorization_id.is_some());
        self.tsp = true;
        Ok(())
    }

    async fn receiver(&mut self) -> TestResult {
        if self.receiver {
            return Ok(());
        }
        self.client
            .profit_sharing()
            .add_receiver(&AddProfitReceiverRequest::new(RECEIVER))
            .await?;
        self.receiver = true;
        Ok(())
    }

    async fn split(&mut self) -> Result<String, BoxError> {
        if let Some(split) = &self.split {
            return Ok(split.clone());
        }
        self.receiver().await?;
        let prepay_id = self.paid_order().await?;
        let request = SubmitProfitSplitRequest::new(
            "E2ESPLIT1",
            prepay_id,
            vec![ProfitSplitReceiver::new(
                RECEIVER,
                amount("2.51")?,
                "seller",
            )],
        );
        self.client.profit_sharing().submit_split(&request).await?;
        self.split = Some("E2ESPLIT1".to_owned());
        Ok("E2ESPLIT1".to_owned())
    }

    fn today_iso(&self) -> String {
        let (day, month, year) = civil_date(self.sandbox.clock().now_ms());
        format!("{year:04}-{month:02}-{day:02}")
    }

    async fn balance_report(&mut self) -> Result<Id, BoxError> {
        if let Some(report) = &self.balance_report {
            return Ok(report.clone());
        }
        let today = self.today_iso();
        let request = RequestBalanceReportRequest::new(ReportType::Balance, today.clone(), today);
        let ticket = self
            .client
            .reports()
            .request_balance_report(&request)
            .await?;
        let download_id = ticket
            .download_id
            .ok_or("request_balance_report: no downloadId")?;
        self.balance_report = Some(download_id.clone());
        Ok(download_id)
    }

    /// Calls the typed method of `operation` and checks what it answers.
    async fn call(&mut self, operation: &str) -> TestResult {
        let client = self.client;
        match operation {
            "create_order_v3" => {
                let created = client.orders().create_v3(&order("E2EV3", "25.17")?).await?;
                assert!(!created.is_recovered());
                assert!(created.checkout_url().is_some());
            }
            "create_order_v2" => {
                let request =
                    CreateOrderV2Request::new(Env::new(TerminalType::App), "E2EV2", goods())
                        .with_currency("USDT")
                        .with_order_amount(amount("1")?);
                client.orders().create_v2(&request).await?;
            }
            "create_order_v1" => {
                let request = CreateOrderV1Request::new(
                    id(SANDBOX_MERCHANT_ID)?,
                    "E2EV1",
                    TradeType::Web,
                    amount("0.88")?,
                    "BNB",
                    "Food",
                    "Ice Cream",
                );
                client.orders().create_v1(&request).await?;
            }
            "query_order_v2" => {
                let prepay_id = self.paid_order().await?;
                let query = QueryOrderV2Request::new().with_prepay_id(prepay_id);
                let found = client.orders().query_v2(&query).await?;
                assert!(matches!(
                    found.status,
                    OrderStatus::Paid | OrderStatus::Refunded
                ));
                assert_eq!(found.order_amount.as_str(), "25.17");
            }
            "query_order_v1" => {
                self.paid_order().await?;
                let query = QueryOrderV1Request::new().with_merchant_trade_no("E2EPAID");
                let found = client.orders().query_v1(&query).await?;
                assert_eq!(found.merchant_trade_no, "E2EPAID");
            }
            "close_order" => {
                let created = client.orders().create_v3(&order("E2ECLOSE", "3")?).await?;
                let close = CloseOrderRequest::new().with_prepay_id(created.prepay_id().clone());
                assert!(client.orders().close(&close).await?);
            }
            "verify_payer" => {
                let request = VerifyPayerRequest::new(
                    "354205155",
                    PayerType::Individual,
                    vec![
                        PayerInfo::new(PayerInfoCategory::FirstName, "Joe"),
                        PayerInfo::new(PayerInfoCategory::DateOfBirth, "1990-02-28"),
                    ],
                );
                assert!(client.payer().verify(&request).await?);
            }
            "refund_order" => {
                let refund = self.refund().await?;
                // A repeat of the same refundRequestId answers the first refund.
                let prepay_id = self.paid_order().await?;
                let again = client
                    .refunds()
                    .create(&RefundOrderRequest::new(refund, prepay_id, amount("1")?))
                    .await?;
                assert_eq!(
                    again.duplicate_request.map(|d| d.to_string()).as_deref(),
                    Some("Y")
                );
            }
            "query_refund" => {
                let refund = self.refund().await?;
                let found = client
                    .refunds()
                    .query(&QueryRefundRequest::new(refund))
                    .await?;
                assert_eq!(
                    found.refund_status.map(|s| s.to_string()).as_deref(),
                    Some("REFUND_SUCCESS")
                );
            }
            "create_payout" => {
                self.payout().await?;
            }
            "query_payout" => {
                let payout = self.payout().await?;
                let found = client
                    .payouts()
                    .query(&QueryPayoutRequest::new(payout))
                    .await?;
                assert_eq!(found.batch_status, PayoutBatchStatus::Accepted);
            }
            "check_payout_receiver" => {
                let request = CheckPayoutReceiverRequest::new(ReceiveType::Email, "x@example.com");
                assert!(client.payouts().check_receiver(&request).await?);
            }
            "transfer_fund" => {
                self.transfer().await?;
            }
            "query_transfer" => {
                let transfer = self.transfer().await?;
                let found = client
                    .wallet()
                    .query_transfer(&QueryTransferRequest::new(transfer))
                    .await?;
                assert!(found.status.is_some());
            }
            "query_balance_v2" => {
                let balances = client
                    .wallet()
                    .balance_v2(&QueryBalanceV2Request::new(Wallet::FundingWallet))
                    .await?;
                assert!(!balances.balance.unwrap_or_default().is_empty());
            }
            "query_balance_v1" => {
                let balance = client
                    .wallet()
                    .balance_v1(&QueryBalanceV1Request::new(Wallet::FundingWallet, "USDT"))
                    .await?;
                assert!(balance.balance.is_some());
            }
            "add_sub_merchant" => {
                self.sub_merchant().await?;
            }
            "modify_sub_merchant" => {
                let sub_merchant = self.sub_merchant().await?;
                let request =
                    ModifySubMerchantRequest::new(sub_merchant.clone(), "1001", StoreType::Online)
                        .with_site_url("https://tea.example")
                        .with_merchant_name("Tea House");
                let modified = client.sub_merchants().modify(&request).await?;
                assert_eq!(modified.sub_merchant_id, sub_merchant);
            }
            "query_sub_merchant" => {
                let sub_merchant = self.sub_merchant().await?;
                let found = client
                    .sub_merchants()
                    .query(
                        &QuerySubMerchantRequest::new()
                            .with_sub_merchant_id(sub_merchant.to_string()),
                    )
                    .await?;
                assert_eq!(
                    found.and_then(|info| info.sub_merchant_id),
                    Some(sub_merchant)
                );
                let free = client
                    .sub_merchants()
                    .query(&QuerySubMerchantRequest::new().with_sub_merchant_name("No Such Shop"))
                    .await?;
                assert_eq!(free, None);
            }
            "list_convert_pairs" => {
                let pairs = client
                    .convert()
                    .list_pairs(&ListConvertPairsRequest::new("USDT"))
                    .await?;
                assert!(!pairs.to_list.unwrap_or_default().is_empty());
            }
            "get_convert_quote" => {
                self.quote().await?;
            }
            "execute_convert_quote" => {
                self.convert_order().await?;
            }
            "query_convert_order" => {
                let order_id = self.convert_order().await?;
                let found = client
                    .convert()
                    .query_order(&QueryConvertOrderRequest::new(order_id.clone()))
                    .await?;
                assert_eq!(found.order_id, order_id);
            }
            "create_contract" => {
                self.contract().await?;
            }
            "query_contract" => {
                let contract = self.contract().await?;
                let query = QueryContractRequest::new().with_contract_id(contract);
                let found = client.direct_debit().query_contract(&query).await?;
                assert_eq!(found.biz_status, Some(ContractStatus::ContractSigned));
            }
            "terminate_contract" => {
                // A contract of its own: the payment calls below still need theirs signed.
                let contract = self.signed_contract("E2EGYM2").await?;
                let terminate = TerminateContractRequest::new().with_contract_id(contract);
                assert!(client.direct_debit().terminate_contract(&terminate).await?);
            }
            "notify_payment" => {
                self.notice().await?;
            }
            "apply_payment" => {
                let notice = self.notice().await?;
                let contract = self.contract().await?;
                let request = ApplyPaymentRequest::new(
                    "E2EAPPLY1",
                    TradeMode::DirectDebit,
                    contract,
                    amount("49.99")?,
                    "Gym January",
                )
                .with_pre_biz_id(notice);
                let applied = client.direct_debit().apply_payment(&request).await?;
                assert!(applied.prepay_id.is_some());
            }
            "create_tsp_authorization" => {
                self.tsp().await?;
            }
            "query_tsp_records" => {
                self.tsp().await?;
                let page = client
                    .tsp()
                    .query_records(&QueryTspRecordsRequest::new(1, 10))
                    .await?;
                assert_eq!(page.total, Some(1));
            }
            "get_tsp_record" => {
                self.tsp().await?;
                let record = client
                    .tsp()
                    .get_record(&GetTspRecordRequest::new(SANDBOX_MERCHANT_ID))
                    .await?;
                assert!(record.status.is_some());
            }
            "query_tsp_config" => {
                let config = client
                    .tsp()
                    .query_config(&QueryTspConfigRequest::new())
                    .await?;
                assert!(config.allow_scopes.is_some_and(|s| !s.is_empty()));
            }
            "share_account_id" => {
                let shared = client
                    .share_info()
                    .share_account_id(&ShareAccountIdRequest::new("E2ESHARE1"))
                    .await?;
                assert!(shared.id.is_some());
            }
            "query_certificates" => {
                let certificates = client
                    .certificates()
                    .query(&QueryCertificatesRequest::new())
                    .await?;
                let serials: Vec<&str> = certificates
                    .iter()
                    .map(|c| c.cert_serial.as_str())
                    .collect();
                assert_eq!(serials, [self.sandbox.certificate_serial().as_str()]);
            }
            "query_certificates_new" => {
                // Empty until the new platform certificate is enabled (a rotation here).
                let listed = client
                    .certificates()
                    .query_new(&QueryCertificatesNewRequest::new())
                    .await?;
                assert!(listed.is_empty(), "{listed:?}");
            }
            "add_profit_receiver" => {
                self.receiver().await?;
            }
            "query_profit_receivers" => {
                self.receiver().await?;
                let page = client
                    .profit_sharing()
                    .query_receivers(&QueryProfitReceiversRequest::new(1, 10))
                    .await?;
                assert!(page.total_record_num.is_some_and(|n| n >= 1));
            }
            "delete_profit_receiver" => {
                // Its own receiver: the split below pays the first one.
                let profit = client.profit_sharing();
                profit
                    .add_receiver(&AddProfitReceiverRequest::new("387128364"))
                    .await?;
                assert!(
                    profit
                        .delete_receiver(&DeleteProfitReceiverRequest::new("387128364"))
                        .await?
                );
            }
            "submit_profit_split" => {
                self.split().await?;
            }
            "query_profit_split" => {
                let split = self.split().await?;
                let prepay_id = self.paid_order().await?;
                let found = client
                    .profit_sharing()
                    .query_split(&QueryProfitSplitRequest::new(split, prepay_id))
                    .await?;
                assert!(found.split_order_no.is_some());
            }
            "return_profit_split" => {
                self.split().await?;
                let prepay_id = self.paid_order().await?;
                let request = ReturnProfitSplitRequest::new(
                    prepay_id,
                    "E2ERETURN1",
                    RECEIVER,
                    amount("0.10")?,
                );
                let returned = client.profit_sharing().return_split(&request).await?;
                assert!(returned.finish_time.is_some());
            }
            "get_report_file" => {
                self.paid_order().await?;
                let (day, month, year) = civil_date(self.sandbox.clock().now_ms());
                let date = format!("{day:02}/{month:02}/{year:04}");
                let request =
                    GetReportFileRequest::new(ReportType::Transaction, date.clone(), date)
                        .with_transaction_type(ReportTransactionType::Payment);
                let files = client.reports().get_file(&request).await?;
                assert_eq!(files.len(), 1);
            }
            "request_balance_report" => {
                self.balance_report().await?;
            }
            "query_balance_report" => {
                let report = self.balance_report().await?;
                let status = client
                    .reports()
                    .query_balance_report(&QueryBalanceReportRequest::new(report))
                    .await?;
                assert_eq!(status.exist, Some(true));
            }
            other => {
                return Err(format!(
                    "no end-to-end call for operation {other:?}: add one to tests/tests/e2e/endpoints.rs"
                )
                .into());
            }
        }
        Ok(())
    }
}

#[tokio::test]
async fn every_endpoint_answers_through_its_typed_method() -> TestResult {
    bounded("every_endpoint", async {
        let sandbox = sandbox()?.start().await?;
        let client = client_for(&sandbox).build()?;
        let mut scenario = Scenario::new(&sandbox, &client)?;
        for endpoint in ENDPOINTS {
            scenario
                .call(endpoint.operation)
                .await
                .map_err(|e| format!("{}: {e}", endpoint.operation))?;
        }

        // The server saw every endpoint, and nothing else.
        let counts = sandbox.request_counts();
        let seen: BTreeSet<&str> = counts.by_path.keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = ENDPOINTS.iter().map(|e| e.path).collect();
        assert_eq!(seen, expected);
        assert_eq!(counts.unknown_paths, 0);
        sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[test]
fn civil_dates_match_known_days() {
    assert_eq!(civil_date(0), (1, 1, 1970));
    // 2025-01-01T00:00:00Z and 2024-02-29T12:00:00Z.
    assert_eq!(civil_date(1_735_689_600_000), (1, 1, 2025));
    assert_eq!(civil_date(1_709_208_000_000), (29, 2, 2024));
}
