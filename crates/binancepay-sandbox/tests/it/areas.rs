//! The other areas' rules: payouts, wallet, sub-merchants, convert, direct debit, TSP, share
//! account id, profit sharing, reports, payer verification.

use binancepay_sandbox::RunningSandbox;
use binancepay_types::convert::{
    ExecuteConvertQuoteRequest, GetConvertQuoteRequest, ListConvertPairsRequest,
    QueryConvertOrderRequest,
};
use binancepay_types::direct_debit::{
    ApplyPaymentRequest, CreateContractRequest, NotifyPaymentRequest, QueryContractRequest,
    TerminateContractRequest,
};
use binancepay_types::enums::{
    ContractStatus, ContractTerminationWay, CycleType, PayerInfoCategory, PayerType,
    PayoutBatchStatus, PayoutDetailFilter, PayoutDetailStatus, ReceiveType, ReportTransactionType,
    ReportType, ScenarioCode, StoreType, TradeMode, TransferType, TspAuthorizationStatus, TspScope,
    Wallet,
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
use binancepay_types::report::{
    GetReportFileRequest, QueryBalanceReportRequest, RequestBalanceReportRequest,
};
use binancepay_types::sub_merchant::{AddSubMerchantRequest, ModifySubMerchantRequest};
use binancepay_types::tsp::{
    CreateTspAuthorizationRequest, GetTspRecordRequest, QueryTspConfigRequest,
    QueryTspRecordsRequest,
};
use binancepay_types::wallet::{QueryBalanceV1Request, QueryTransferRequest, TransferFundRequest};
use binancepay_types::{Amount, Id};
use serde_json::json;

use crate::orders::{amount, order, paid_order};
use crate::support::{Client, builder, start};

fn id(text: &str) -> Id {
    Id::new(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Today on the sandbox clock as `yyyy-MM-dd`.
pub(crate) fn iso_today(sandbox: &RunningSandbox) -> String {
    let days = i64::try_from(sandbox.clock().now_ms() / 86_400_000).unwrap_or(0);
    // Hinnant's civil_from_days, as the sandbox computes it.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

async fn balance(client: &Client, wallet: Wallet, asset: &str) -> String {
    let result = client.ok(&QueryBalanceV1Request::new(wallet, asset)).await;
    result.balance.map(|b| b.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn payouts_debit_wallets_complete_and_filter_details() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    client
        .post(
            "/sandbox/balances",
            Some(json!({"wallet":"FUNDING_WALLET","asset":"USDT","amount":"100"})),
        )
        .await;
    let transfers = vec![
        PayoutTransfer::new(
            "a",
            ReceiveType::PayId,
            "354205155",
            amount("25.17"),
            Wallet::FundingWallet,
        ),
        PayoutTransfer::new(
            "b",
            ReceiveType::BinanceId,
            "387128364",
            amount("0.10"),
            Wallet::FundingWallet,
        ),
        PayoutTransfer::new(
            "c",
            ReceiveType::Email,
            "x@example.com",
            amount("0.00000001"),
            Wallet::FundingWallet,
        ),
    ];
    let request = CreatePayoutRequest::new(
        "BATCH1",
        "January",
        "USDT",
        amount("25.27000001"),
        3,
        transfers.clone(),
    );
    let accepted = client.ok(&request).await;
    assert_eq!(accepted.request_id.as_deref(), Some("BATCH1"));
    assert_eq!(
        balance(&client, Wallet::FundingWallet, "USDT").await,
        "74.72999999"
    );
    // A repeat pays nothing more.
    client.ok(&request).await;
    assert_eq!(
        balance(&client, Wallet::FundingWallet, "USDT").await,
        "74.72999999"
    );

    let queried = client.ok(&QueryPayoutRequest::new("BATCH1")).await;
    assert_eq!(queried.batch_status, PayoutBatchStatus::Accepted);
    client
        .post(
            "/sandbox/payouts/BATCH1/complete",
            Some(json!({"failedMerchantSendIds": ["b"]})),
        )
        .await;
    let done = client.ok(&QueryPayoutRequest::new("BATCH1")).await;
    assert_eq!(done.batch_status, PayoutBatchStatus::PartSuccess);
    assert_eq!(
        done.total_paid_amount.as_ref().map(Amount::as_str),
        Some("25.17000001")
    );
    let failed = client
        .ok(&QueryPayoutRequest::new("BATCH1").with_detail_status(vec![PayoutDetailFilter::Fail]))
        .await;
    let details = failed.transfer_detail_list.unwrap_or_default();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].status, Some(PayoutDetailStatus::Fail));
    assert_eq!(
        balance(&client, Wallet::FundingWallet, "USDT").await,
        "74.82999999"
    );

    // Totals that disagree with the details, and too little money.
    // The typed client refuses these before sending, so they go raw.
    let wrong = r#"{"requestId":"BATCH2","batchName":"x","currency":"USDT","totalAmount":1,"totalNumber":1,"transferDetailList":[{"merchantSendId":"a","receiveType":"PAY_ID","receiver":"1","transferAmount":2,"transferMethod":"FUNDING_WALLET"}]}"#;
    let response = client
        .raw("/binancepay/openapi/payout/transfer", wrong)
        .await;
    assert_eq!(crate::support::envelope(&response)["code"], "400102");
    let rich = vec![PayoutTransfer::new(
        "z",
        ReceiveType::PayId,
        "1",
        amount("1000"),
        Wallet::FundingWallet,
    )];
    client
        .fail(
            &CreatePayoutRequest::new("BATCH3", "x", "USDT", amount("1000"), 1, rich),
            "400304",
        )
        .await;
    client
        .fail(&QueryPayoutRequest::new("NOPE"), "400202")
        .await;

    assert!(
        client
            .ok(&CheckPayoutReceiverRequest::new(
                ReceiveType::Email,
                "x@example.com"
            ))
            .await
    );
    assert!(
        !client
            .ok(&CheckPayoutReceiverRequest::new(
                ReceiveType::PayId,
                "not digits"
            ))
            .await
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wallet_transfers_move_exact_amounts_and_are_idempotent() {
    let sandbox = start(builder().balance(Wallet::SpotWallet, "BTC", amount("0"))).await;
    let client = Client::new(&sandbox);
    let funding = balance(&client, Wallet::FundingWallet, "BTC").await;
    assert_eq!(funding, "10");
    let move_out =
        TransferFundRequest::new("TR1", "BTC", amount("0.30000001"), TransferType::ToMain);
    let first = client.call(&move_out).await;
    assert_eq!(crate::support::envelope(&first)["status"], "SUCCESS");
    let result = client.ok(&move_out).await;
    assert_eq!(result.tran_id, "TR1");
    // A repeated requestId is answered as the Transfer Fund page shows: REPEAT_REQ_SUCCESS,
    // code 000001, the first transfer in `data`, and no money moved again.
    let repeat = client.call(&move_out).await;
    let envelope = crate::support::envelope(&repeat);
    assert_eq!(envelope["status"], "REPEAT_REQ_SUCCESS");
    assert_eq!(envelope["code"], "000001");
    assert_eq!(envelope["data"]["tranId"], "TR1");
    let answer = binancepay_http::parse_answer::<TransferFundRequest, _>(&repeat)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.is_replay());
    assert_eq!(answer.data.tran_id, "TR1");
    assert_eq!(
        balance(&client, Wallet::FundingWallet, "BTC").await,
        "9.69999999"
    );
    assert_eq!(
        balance(&client, Wallet::SpotWallet, "BTC").await,
        "0.30000001"
    );
    let back = TransferFundRequest::new("TR2", "BTC", amount("0.30000002"), TransferType::ToPay);
    client.fail(&back, "400304").await;
    assert!(
        client
            .ok(&QueryTransferRequest::new("TR1"))
            .await
            .status
            .is_some()
    );
    client
        .fail(&QueryTransferRequest::new("TR2"), "400202")
        .await;
    let response = client
        .raw(
            "/binancepay/openapi/wallet/transfer",
            r#"{"requestId":"TR3","currency":"BTC","amount":"1","transferType":"SIDEWAYS"}"#,
        )
        .await;
    assert_eq!(crate::support::envelope(&response)["code"], "400102");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn sub_merchant_names_are_unique_and_unknown_ids_refused() {
    use binancepay_types::enums::{CertificateType, MerchantType, StoreType};
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let add = |name: &str| {
        AddSubMerchantRequest::new(
            name,
            MerchantType::Individual,
            "1001",
            StoreType::Online,
            "GO",
        )
        .with_site_url("https://tea.example")
        .with_certificate_type(CertificateType::Passport)
        .with_certificate_country("GB")
        .with_certificate_number("X1234567")
        .with_certificate_valid_date(1_900_000_000_000)
    };
    let first = client.ok(&add("Tea Shop")).await;
    client.fail(&add("Tea Shop"), "400205").await;
    let second = client.ok(&add("Cake Shop")).await;
    let modify = |id: Id| {
        ModifySubMerchantRequest::new(id, "1001", StoreType::Online)
            .with_site_url("https://tea.example")
    };
    let rename = modify(second.sub_merchant_id.clone()).with_merchant_name("Tea Shop");
    client.fail(&rename, "400205").await;
    let modified = client
        .ok(&modify(first.sub_merchant_id.clone()).with_merchant_name("Tea House"))
        .await;
    assert_eq!(modified.sub_merchant_id, first.sub_merchant_id);
    client.fail(&modify(id("999")), "400206").await;
    assert_eq!(sandbox.state_counts().sub_merchants, 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn convert_quotes_expire_and_execute_exactly() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let pairs = client.ok(&ListConvertPairsRequest::new("USDT")).await;
    assert!(
        pairs
            .to_list
            .unwrap_or_default()
            .iter()
            .any(|t| t.coin.as_deref() == Some("BNB"))
    );

    let quote = client
        .ok(
            &GetConvertQuoteRequest::new(Wallet::FundingWallet, "USDT", "BNB")
                .with_from_amount(amount("25.17")),
        )
        .await;
    assert_eq!(
        quote.to_amount.as_ref().map(Amount::as_str),
        Some("0.04078755")
    );
    let usdt_before = balance(&client, Wallet::FundingWallet, "USDT").await;
    let executed = client
        .ok(&ExecuteConvertQuoteRequest::new(quote.quote_id.clone()))
        .await;
    assert_eq!(
        executed.to_coin_amount.as_ref().map(Amount::as_str),
        Some("0.04078755")
    );
    // Executing again answers the same order.
    let again = client
        .ok(&ExecuteConvertQuoteRequest::new(quote.quote_id.clone()))
        .await;
    assert_eq!(again.order_id, executed.order_id);
    let usdt_after = balance(&client, Wallet::FundingWallet, "USDT").await;
    let spent = amount(&usdt_before)
        .checked_sub(&amount(&usdt_after))
        .map(|a| a.to_string());
    assert_eq!(spent.as_deref(), Some("25.17"));
    let order = client
        .ok(&QueryConvertOrderRequest::new(executed.order_id.clone()))
        .await;
    assert_eq!(
        order.to_amount.as_ref().map(Amount::as_str),
        Some("0.04078755")
    );

    let late = client
        .ok(
            &GetConvertQuoteRequest::new(Wallet::SpotWallet, "BTC", "USDT")
                .with_to_amount(amount("600")),
        )
        .await;
    assert_eq!(late.from_amount.as_ref().map(Amount::as_str), Some("0.01"));
    client
        .post("/sandbox/clock/advance", Some(json!({"millis": 11_000})))
        .await;
    client
        .fail(&ExecuteConvertQuoteRequest::new(late.quote_id), "345231")
        .await;
    client
        .fail(&ExecuteConvertQuoteRequest::new("nope"), "400202")
        .await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn direct_debit_contracts_sign_pay_and_terminate() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let first_debit = i64::try_from(sandbox.clock().now_ms() + 7 * 86_400_000).unwrap_or(i64::MAX);
    let contract = CreateContractRequest::new(
        "GYM1",
        "Gym",
        ScenarioCode::Membership,
        amount("50"),
        "USDT",
        true,
    )
    .with_cycle_debit_fixed(true)
    .with_cycle_type(CycleType::Month)
    .with_cycle_value(1)
    .with_first_deduct_time(first_debit);
    client.ok(&contract).await;
    let queried = client
        .ok(&QueryContractRequest::new().with_merchant_contract_code("GYM1"))
        .await;
    assert_eq!(queried.biz_status, Some(ContractStatus::Initial));
    assert!(queried.contract_id.is_none());

    // Unknown and unsigned contracts.
    let unknown =
        ApplyPaymentRequest::new("P0", TradeMode::DirectDebit, id("12345"), amount("1"), "x");
    client.fail(&unknown, "406207").await;
    client
        .fail(
            &QueryContractRequest::new().with_contract_id(id("12345")),
            "406207",
        )
        .await;
    client
        .fail(
            &TerminateContractRequest::new().with_merchant_contract_code("GYM1"),
            "406212",
        )
        .await;

    let signed = client.post("/sandbox/contracts/GYM1/sign", None).await;
    let contract_id = id(signed["contractId"].as_str().unwrap_or_default());
    let by_id = client
        .ok(&QueryContractRequest::new().with_contract_id(contract_id.clone()))
        .await;
    assert_eq!(by_id.biz_status, Some(ContractStatus::ContractSigned));

    let notice = client
        .ok(&NotifyPaymentRequest::new(
            "N1",
            TradeMode::DirectDebit,
            contract_id.clone(),
            amount("49.99"),
            "USDT",
        ))
        .await;
    let apply = ApplyPaymentRequest::new(
        "P1",
        TradeMode::DirectDebit,
        contract_id.clone(),
        amount("49.99"),
        "Gym January",
    )
    .with_pre_biz_id(notice.order_id.clone().unwrap_or_else(|| id("1")));
    let paid = client.ok(&apply).await;
    let again = client.ok(&apply).await;
    assert_eq!(again.prepay_id, paid.prepay_id);
    let over = ApplyPaymentRequest::new(
        "P2",
        TradeMode::DirectDebit,
        contract_id.clone(),
        amount("50.01"),
        "x",
    );
    let message = client.fail(&over, "400102").await;
    assert!(message.starts_with("amount"), "{message}");
    let order = client
        .ok(&binancepay_types::order::QueryOrderV2Request::new()
            .with_prepay_id(paid.prepay_id.unwrap_or_else(|| id("1"))))
        .await;
    assert_eq!(order.order_amount.as_str(), "49.99");

    assert!(
        client
            .ok(&TerminateContractRequest::new().with_contract_id(contract_id.clone()))
            .await
    );
    let ended = client
        .ok(&QueryContractRequest::new().with_contract_id(contract_id.clone()))
        .await;
    assert_eq!(ended.biz_status, Some(ContractStatus::ContractTerminated));
    assert_eq!(
        ended.contract_termination_way,
        Some(ContractTerminationWay::MerchantApi)
    );
    let after =
        ApplyPaymentRequest::new("P3", TradeMode::DirectDebit, contract_id, amount("1"), "x");
    client.fail(&after, "406212").await;
    let (status, _) = client
        .control(reqwest::Method::POST, "/sandbox/contracts/GYM1/sign", None)
        .await;
    assert_eq!(status, 409);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tsp_share_profit_reports_and_payer() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);

    let merchant = "350962587".to_owned();
    let created = client
        .ok(&CreateTspAuthorizationRequest::new(
            merchant.clone(),
            vec![TspScope::Refund],
            vec![],
        ))
        .await;
    assert_eq!(created.status, Some(TspAuthorizationStatus::Pending));
    let page = client.ok(&QueryTspRecordsRequest::new(1, 10)).await;
    assert_eq!(page.total, Some(1));
    client
        .post(
            &format!(
                "/sandbox/tsp/{}/reject",
                created.authorization_id.unwrap_or_default()
            ),
            None,
        )
        .await;
    let record = client.ok(&GetTspRecordRequest::new(merchant)).await;
    // No page names the status of a rejected authorization: the sandbox's guess.
    assert_eq!(
        record.status,
        Some(TspAuthorizationStatus::from_wire("REJECTED"))
    );
    // A known merchant without a record, then a merchant id the sandbox does not know.
    client
        .fail(&GetTspRecordRequest::new("merchant2"), "400202")
        .await;
    client.fail(&GetTspRecordRequest::new("1"), "406210").await;
    assert!(
        client
            .ok(&QueryTspConfigRequest::new())
            .await
            .allow_scopes
            .is_some_and(|s| s.len() == 7)
    );

    let share = binancepay_types::share_info::ShareAccountIdRequest::new("SHARE1");
    let first = client.ok(&share).await;
    // "default 1 hour" (the Share Account Id page).
    let now = i64::try_from(sandbox.clock().now_ms()).unwrap_or(i64::MAX);
    let expire = first.expire_time.unwrap_or_default();
    assert!(
        (now + 3_590_000..=now + 3_600_000).contains(&expire),
        "{expire} vs {now}"
    );
    // A repeated requestId: 406301, not the first answer again.
    client.fail(&share, "406301").await;
    client
        .post(
            "/sandbox/share-account/SHARE1/share",
            Some(json!({"userBinanceId": "111", "userName": "Joe"})),
        )
        .await;
    let (status, _) = client
        .control(
            reqwest::Method::POST,
            "/sandbox/share-account/SHARE1/share",
            None,
        )
        .await;
    assert_eq!(status, 409);

    let prepay = paid_order(&client, "SPLIT1", "10").await;
    client.ok(&AddProfitReceiverRequest::new("354205155")).await;
    client.ok(&AddProfitReceiverRequest::new("387128364")).await;
    let receivers = client.ok(&QueryProfitReceiversRequest::new(1, 1)).await;
    assert_eq!(
        (receivers.total_record_num, receivers.total_page_num),
        (Some(2), Some(2))
    );
    let split = SubmitProfitSplitRequest::new(
        "SPLITREQ1",
        prepay.clone(),
        vec![
            ProfitSplitReceiver::new("354205155", amount("2.51"), "seller"),
            ProfitSplitReceiver::new("387128364", amount("0.10"), "affiliate"),
        ],
    );
    client.ok(&split).await;
    assert!(
        client
            .ok(&QueryProfitSplitRequest::new("SPLITREQ1", prepay.clone()))
            .await
            .split_order_no
            .is_some()
    );
    let too_much = SubmitProfitSplitRequest::new(
        "SPLITREQ2",
        prepay.clone(),
        vec![ProfitSplitReceiver::new("354205155", amount("7.40"), "x")],
    );
    client.fail(&too_much, "400102").await;
    let stranger = SubmitProfitSplitRequest::new(
        "SPLITREQ3",
        prepay.clone(),
        vec![ProfitSplitReceiver::new("1", amount("1"), "x")],
    );
    client.fail(&stranger, "400102").await;
    let returned = client
        .ok(&ReturnProfitSplitRequest::new(
            prepay.clone(),
            "RET1",
            "387128364",
            amount("0.10"),
        ))
        .await;
    assert!(returned.finish_time.is_some());
    client
        .fail(
            &ReturnProfitSplitRequest::new(prepay, "RET2", "387128364", amount("0.01")),
            "400102",
        )
        .await;
    assert!(
        client
            .ok(&DeleteProfitReceiverRequest::new("387128364"))
            .await
    );
    client
        .fail(&DeleteProfitReceiverRequest::new("387128364"), "400202")
        .await;
    let unpaid = client.ok(&order("SPLIT2", "1")).await.prepay_id;
    client
        .fail(
            &SubmitProfitSplitRequest::new(
                "SPLITREQ4",
                unpaid,
                vec![ProfitSplitReceiver::new("354205155", amount("1"), "x")],
            ),
            "400204",
        )
        .await;

    let today = iso_today(&sandbox);
    let ticket = client
        .ok(&RequestBalanceReportRequest::new(
            ReportType::Balance,
            today.clone(),
            today.clone(),
        ))
        .await;
    let status = client
        .ok(&QueryBalanceReportRequest::new(
            ticket.download_id.unwrap_or_else(|| id("1")),
        ))
        .await;
    assert_eq!(status.exist, Some(true));
    let url = status.download_url.unwrap_or_default();
    let csv = client
        .http
        .get(&url)
        .send()
        .await
        .and_then(|r| r.error_for_status());
    let csv = match csv {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("{url}: {e}"),
    };
    assert!(
        csv.starts_with("wallet,asset,balance\n") && csv.contains("FUNDING_WALLET,USDT,"),
        "{csv}"
    );
    assert_eq!(
        client
            .ok(&QueryBalanceReportRequest::new(id("1")))
            .await
            .exist,
        Some(false)
    );

    let (y, m, d) = (
        today.get(..4).unwrap_or_default(),
        today.get(5..7).unwrap_or_default(),
        today.get(8..).unwrap_or_default(),
    );
    let files = client
        .ok(&GetReportFileRequest::new(
            ReportType::Transaction,
            format!("{d}/{m}/{y}"),
            format!("{d}/{m}/{y}"),
        )
        .with_transaction_type(ReportTransactionType::Payment))
        .await;
    assert_eq!(files.len(), 1);
    let file = client
        .http
        .get(files[0].download_url.clone().unwrap_or_default())
        .send()
        .await;
    let text = match file {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("{e}"),
    };
    assert!(text.contains("SPLIT1,PAID,USDT,10"), "{text}");
    let reversed = GetReportFileRequest::new(ReportType::Settlement, "02/01/2025", "01/01/2025");
    client.fail(&reversed, "400102").await;
    let badly_written =
        GetReportFileRequest::new(ReportType::Settlement, "2025-01-01", "2025-01-02");
    client.fail(&badly_written, "400101").await;

    let payer = VerifyPayerRequest::new(
        "354205155",
        PayerType::Individual,
        vec![
            PayerInfo::new(PayerInfoCategory::FirstName, "Joe"),
            PayerInfo::new(PayerInfoCategory::DateOfBirth, "1990-02-28"),
        ],
    );
    assert!(client.ok(&payer).await);
    let wrong_date = VerifyPayerRequest::new(
        "354205155",
        PayerType::Individual,
        vec![PayerInfo::new(PayerInfoCategory::DateOfBirth, "28/02/1990")],
    );
    client.fail(&wrong_date, "400101").await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tsp_endpoints_need_a_technical_service_provider() {
    let sandbox = start(builder().technical_service_provider(false)).await;
    let client = Client::new(&sandbox);
    let message = client
        .fail(
            &CreateTspAuthorizationRequest::new("merchant1", vec![TspScope::Checkout], vec![]),
            "400606",
        )
        .await;
    // The FAQ's text for 400606, word for word.
    assert_eq!(message, "Account has no accessibility to this function");
    client
        .fail(&QueryTspRecordsRequest::new(1, 10), "400606")
        .await;
    client.fail(&QueryTspConfigRequest::new(), "400606").await;
    sandbox.shutdown().await;

    let sandbox = start(builder().tsp_merchant("merchant9")).await;
    let client = Client::new(&sandbox);
    let created = client
        .ok(&CreateTspAuthorizationRequest::new(
            "merchant9",
            vec![TspScope::Checkout],
            vec![],
        ))
        .await;
    assert_eq!(
        created.merchant_id,
        Some(binancepay_types::NumberOrString::String("merchant9".into()))
    );
    client
        .fail(
            &CreateTspAuthorizationRequest::new("merchant10", vec![TspScope::Checkout], vec![]),
            "406210",
        )
        .await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn sub_merchants_are_queried_by_id_or_by_name() {
    use binancepay_types::sub_merchant::QuerySubMerchantRequest;
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let added = client
        .ok(&{
            let text = std::fs::read_to_string(
                crate::support::samples_dir().join("add_sub_merchant.request.json"),
            )
            .unwrap_or_else(|e| panic!("sample: {e}"));
            let mut add: AddSubMerchantRequest =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("sample: {e}"));
            add.merchant_name = "Acme Coffee Shop".to_owned();
            add
        })
        .await;
    let id = added.sub_merchant_id.to_string();
    let by_id = client
        .ok(&QuerySubMerchantRequest::new().with_sub_merchant_id(id.clone()))
        .await
        .unwrap_or_else(|| panic!("no sub-merchant {id}"));
    assert_eq!(by_id.merchant_name.as_deref(), Some("Acme Coffee Shop"));
    assert_eq!(by_id.store_type, Some(StoreType::Both));
    let by_name = client
        .ok(&QuerySubMerchantRequest::new().with_sub_merchant_name("Acme Coffee Shop"))
        .await;
    assert_eq!(by_name, Some(by_id));
    // An unknown name is free: SUCCESS with `data: null`; an unknown id is a 400102.
    assert_eq!(
        client
            .ok(&QuerySubMerchantRequest::new().with_sub_merchant_name("Free Name"))
            .await,
        None
    );
    client
        .fail(
            &QuerySubMerchantRequest::new().with_sub_merchant_id("1"),
            "400102",
        )
        .await;
    sandbox.shutdown().await;
}
