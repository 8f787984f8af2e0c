//! `validate()`: every rule kind reports the wire path and the rule; valid samples pass.

use binancepay_types::Endpoint;
use binancepay_types::convert::GetConvertQuoteRequest;
use binancepay_types::enums::{GoodsCategory, GoodsType, ReceiveType, TerminalType, Wallet};
use binancepay_types::order::{
    CreateOrderV1Request, CreateOrderV3Request, Env, Goods, QueryOrderV2Request,
};
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer};
use binancepay_types::tsp::QueryTspRecordsRequest;
use binancepay_types::validate::{CharClass, Rule};
use binancepay_types::{Amount, Id, ValidationErrors};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn amount(text: &str) -> Result<Amount, binancepay_types::AmountError> {
    Amount::new(text)
}

fn goods() -> Goods {
    Goods::new(
        GoodsType::Virtual,
        GoodsCategory::GameAndRecharge,
        "gems100",
        "100 gems",
    )
}

fn v3() -> Result<CreateOrderV3Request, binancepay_types::AmountError> {
    Ok(CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        "9825382937292",
        "100 gems",
        vec![goods()],
    )
    .with_currency("USDT")
    .with_order_amount(amount("25.17")?))
}

/// The violations' messages, or an empty list when valid.
fn messages(result: Result<(), ValidationErrors>) -> Vec<String> {
    result
        .err()
        .map(|e| e.violations().iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn a_valid_order_passes() -> TestResult {
    assert_eq!(v3()?.validate(), Ok(()));
    Ok(())
}

#[test]
fn required_text_must_not_be_empty() -> TestResult {
    let order = CreateOrderV3Request::new(Env::new(TerminalType::Web), "T1", "", vec![goods()])
        .with_currency("USDT")
        .with_order_amount(amount("1")?);
    assert_eq!(messages(order.validate()), ["description: required"]);
    Ok(())
}

#[test]
fn nested_paths_name_the_list_index() -> TestResult {
    let order = CreateOrderV3Request::new(
        Env::new(TerminalType::Web),
        "T1",
        "x",
        vec![
            goods(),
            Goods::new(GoodsType::Tangible, GoodsCategory::Jewelry, "ring", ""),
        ],
    )
    .with_currency("USDT")
    .with_order_amount(amount("1")?);
    assert_eq!(
        messages(order.validate()),
        ["goodsDetails[1].goodsName: required"]
    );
    Ok(())
}

#[test]
fn length_and_character_class() -> TestResult {
    let order = v3()?;
    let mut bad = order.clone();
    bad.merchant_trade_no = "ab-1".into();
    assert_eq!(
        messages(bad.validate()),
        [r#"merchantTradeNo: at most 32 letters or digits, got "ab-1""#]
    );
    let mut long = order.clone();
    long.merchant_trade_no = "a".repeat(33);
    let errors = long.validate().err().ok_or("expected a violation")?;
    let first = errors.violations().first().ok_or("no violation")?;
    assert_eq!(first.field, "merchantTradeNo");
    assert_eq!(
        first.rule,
        Rule::Text {
            min: None,
            max: Some(32),
            class: Some(CharClass::Alnum)
        }
    );
    let url = order.with_webhook_url("ftp://x.example");
    assert_eq!(
        messages(url.validate()),
        [r#"webhookUrl: at most 256 characters of an http(s) URL, got "ftp://x.example""#]
    );
    Ok(())
}

#[test]
fn long_values_are_cut_in_messages() -> TestResult {
    let mut order = v3()?;
    order.merchant_trade_no = "Z".repeat(200);
    let text = order
        .validate()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        text.contains(&format!("got \"{}…\"", "Z".repeat(64))),
        "{text}"
    );
    Ok(())
}

#[test]
fn conditional_requirements() -> TestResult {
    let order = CreateOrderV3Request::new(
        Env::new(TerminalType::MiniProgram),
        "T1",
        "x",
        vec![goods()],
    )
    .with_currency("USDT");
    assert_eq!(
        messages(order.validate()),
        [
            "orderAmount: required when currency is set",
            "appId: required when env.terminalType is MINI_PROGRAM"
        ]
    );
    let with_app = CreateOrderV3Request::new(
        Env::new(TerminalType::MiniProgram),
        "T1",
        "x",
        vec![goods()],
    )
    .with_fiat_currency("EUR")
    .with_fiat_amount(amount("3")?)
    .with_app_id("wx1");
    assert_eq!(with_app.validate(), Ok(()));
    Ok(())
}

#[test]
fn currency_or_fiat_currency() {
    let order = CreateOrderV3Request::new(Env::new(TerminalType::Web), "T1", "x", vec![goods()]);
    assert_eq!(
        messages(order.validate()),
        ["currency/fiatCurrency: at least one of currency, fiatCurrency must be set"]
    );
}

#[test]
fn one_of_groups() -> TestResult {
    assert_eq!(
        messages(QueryOrderV2Request::new().validate()),
        ["prepayId/merchantTradeNo: at least one of prepayId, merchantTradeNo must be set"]
    );
    assert_eq!(
        QueryOrderV2Request::new()
            .with_prepay_id(Id::new("1")?)
            .with_merchant_trade_no("T1")
            .validate(),
        Ok(())
    );
    let both = GetConvertQuoteRequest::new(Wallet::FundingWallet, "USDT", "BNB")
        .with_from_amount(amount("1")?)
        .with_to_amount(amount("2")?);
    assert_eq!(
        messages(both.validate()),
        ["fromAmount/toAmount: exactly one of fromAmount, toAmount must be set"]
    );
    Ok(())
}

#[test]
fn numeric_ranges() -> TestResult {
    let v1 = CreateOrderV1Request::new(
        Id::new("98765987")?,
        "T1",
        binancepay_types::enums::TradeType::App,
        amount("20000.01")?,
        "USDT",
        "Food",
        "Ice Cream",
    );
    assert_eq!(
        messages(v1.validate()),
        [r#"totalFee: from 0.01 to 20000, got "20000.01""#]
    );
    let zero = CreateOrderV3Request::new(Env::new(TerminalType::Web), "T1", "x", vec![goods()])
        .with_currency("USDT")
        .with_order_amount(amount("0.00")?);
    assert_eq!(
        messages(zero.validate()),
        [r#"orderAmount: at least 0.00000001, got "0.00""#]
    );
    assert_eq!(
        messages(QueryTspRecordsRequest::new(1, 11).validate()),
        [r#"rows: from 1 to 10, got "11""#]
    );
    Ok(())
}

fn transfer(id: &str, value: &str) -> Result<PayoutTransfer, binancepay_types::AmountError> {
    Ok(PayoutTransfer::new(
        id,
        ReceiveType::PayId,
        "354205155",
        amount(value)?,
        Wallet::FundingWallet,
    ))
}

#[test]
fn payout_totals_and_list_length() -> TestResult {
    let details = vec![transfer("a1", "25.17")?, transfer("a2", "0.10")?];
    let ok = CreatePayoutRequest::new(
        "B1",
        "January",
        "USDT",
        amount("25.270")?,
        2,
        details.clone(),
    );
    assert_eq!(ok.validate(), Ok(()));
    let wrong = CreatePayoutRequest::new("B1", "January", "USDT", amount("25.28")?, 3, details);
    assert_eq!(
        messages(wrong.validate()),
        [
            r#"totalNumber: must equal the number of transferDetailList items, got "3""#,
            r#"totalAmount: must equal the sum of transferDetailList[].transferAmount, got "25.28""#,
        ]
    );
    let many: Vec<PayoutTransfer> = (0..501)
        .map(|i| transfer(&format!("s{i}"), "1"))
        .collect::<Result<_, _>>()?;
    let too_many = CreatePayoutRequest::new("B1", "Big", "USDT", amount("501")?, 501, many);
    assert_eq!(
        messages(too_many.validate()),
        [
            r#"totalNumber: from 1 to 500, got "501""#,
            r#"transferDetailList: 1 to 500 items, got "501""#
        ]
    );
    Ok(())
}

#[test]
fn all_violations_are_reported_together() -> TestResult {
    let mut order =
        CreateOrderV3Request::new(Env::new(TerminalType::MiniProgram), "a_b", "", vec![]);
    order.return_url = Some("r".repeat(300));
    let errors = order.validate().err().ok_or("expected violations")?;
    let fields: Vec<&str> = errors
        .violations()
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "merchantTradeNo",
            "description",
            "goodsDetails",
            "returnUrl",
            "currency/fiatCurrency",
            "appId"
        ]
    );
    assert_eq!(errors.to_string().matches("; ").count(), 5);
    Ok(())
}

/// Every request sample parses into its endpoint's request type and passes validation.
#[test]
fn request_samples_are_valid() {
    let files = crate::data::files("samples", "json");
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| crate::data::name(p).ends_with(".request.json"))
    {
        let name = crate::data::name(path);
        let operation = name.split('.').next().unwrap_or_default();
        let Some((_, check)) = crate::model_round_trips::REQUEST_CHECKERS
            .iter()
            .find(|(op, _)| *op == operation)
        else {
            panic!("{name}: no endpoint named {operation}");
        };
        let body = std::fs::read(path).unwrap_or_default();
        assert_eq!(check(&body), Ok(Ok(())), "{name}");
        checked += 1;
    }
    assert!(checked >= 42, "only {checked} request samples");
}

#[test]
fn contract_cycles() -> TestResult {
    use binancepay_types::direct_debit::CreateContractRequest;
    use binancepay_types::enums::{CycleType, ScenarioCode};
    let base = || -> Result<CreateContractRequest, binancepay_types::AmountError> {
        Ok(CreateContractRequest::new(
            "GYM1",
            "Gym",
            ScenarioCode::Membership,
            amount("50")?,
            "USDT",
            true,
        ))
    };
    assert_eq!(
        messages(base()?.validate()),
        [
            "cycleDebitFixed: required when periodic is true",
            "cycleType: required when periodic is true",
            "cycleValue: required when periodic is true",
            "firstDeductTime: required when periodic is true",
        ]
    );
    let periodic = |kind: CycleType,
                    value: i32|
     -> Result<CreateContractRequest, binancepay_types::AmountError> {
        Ok(base()?
            .with_cycle_debit_fixed(true)
            .with_cycle_type(kind)
            .with_cycle_value(value)
            .with_first_deduct_time(1))
    };
    assert_eq!(periodic(CycleType::Month, 24)?.validate(), Ok(()));
    assert_eq!(
        messages(periodic(CycleType::Month, 25)?.validate()),
        [r#"cycleValue: must be 1 to 24 when cycleType is MONTH, got "25""#]
    );
    assert_eq!(
        messages(periodic(CycleType::Day, 7)?.validate()),
        [r#"cycleValue: must be above 7 when cycleType is DAY, got "7""#]
    );
    assert_eq!(periodic(CycleType::Day, 8)?.validate(), Ok(()));
    Ok(())
}

/// The fields the violations name, or an empty list when valid.
fn fields(result: Result<(), ValidationErrors>) -> Vec<String> {
    result
        .err()
        .map(|e| e.violations().iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// The later v1 page adds four fields with limits; v2 and v3 share the first two limits.
#[test]
fn v1_fields_of_the_later_page_and_their_limits_on_v2_v3() -> TestResult {
    let v1 = || -> Result<CreateOrderV1Request, Box<dyn std::error::Error>> {
        Ok(CreateOrderV1Request::new(
            Id::new("98765987")?,
            "T1",
            binancepay_types::enums::TradeType::App,
            amount("25.17")?,
            "USDT",
            "Food",
            "Ice Cream",
        ))
    };
    let at_limit = v1()?
        .with_support_pay_currency("U".repeat(1024))
        .with_universal_url_attach("a".repeat(120))
        .with_pass_through_info("p".repeat(512))
        .with_webhook_url(format!("https://{}", "h".repeat(248)));
    assert_eq!(fields(at_limit.validate()), Vec::<String>::new());
    let over = v1()?
        .with_support_pay_currency("U".repeat(1025))
        .with_universal_url_attach("a".repeat(121))
        .with_pass_through_info("p".repeat(513))
        .with_webhook_url(format!("https://{}", "h".repeat(249)));
    assert_eq!(
        fields(over.validate()),
        [
            "supportPayCurrency",
            "universalUrlAttach",
            "passThroughInfo",
            "webhookUrl"
        ]
    );
    let v3 = v3()?
        .with_support_pay_currency("U".repeat(1025))
        .with_universal_url_attach("a".repeat(121));
    assert_eq!(
        fields(v3.validate()),
        ["supportPayCurrency", "universalUrlAttach"]
    );
    let v2 = binancepay_types::order::CreateOrderV2Request::new(
        Env::new(TerminalType::Web),
        "T2",
        goods(),
    )
    .with_currency("USDT")
    .with_order_amount(amount("1")?)
    .with_support_pay_currency("U".repeat(1025))
    .with_universal_url_attach("a".repeat(121));
    assert_eq!(
        fields(v2.validate()),
        ["supportPayCurrency", "universalUrlAttach"]
    );
    Ok(())
}

/// The TSP pages show `PENDING` and `AUTHORIZED`; nothing else is modelled, and other values
/// stay readable.
#[test]
fn tsp_authorization_statuses_are_the_pages() {
    use binancepay_types::enums::TspAuthorizationStatus as S;
    assert_eq!(S::KNOWN, [S::Pending, S::Authorized]);
    assert_eq!(S::from_wire("AUTHORIZED"), S::Authorized);
    assert_eq!(S::from_wire("REJECTED"), S::Unknown("REJECTED".to_owned()));
}

/// TSP merchant ids are strings on the pages (`"merchant1"`), not digits.
#[test]
fn tsp_merchant_ids_are_strings() {
    let request = binancepay_types::tsp::CreateTspAuthorizationRequest::new(
        "merchant1",
        vec![binancepay_types::enums::TspScope::Checkout],
        vec![],
    );
    assert_eq!(fields(request.validate()), Vec::<String>::new());
    assert_eq!(
        serde_json::to_string(&request).ok().as_deref(),
        Some(r#"{"merchantId":"merchant1","scopes":["CHECKOUT"],"ipWhitelist":[]}"#)
    );
}

#[test]
fn an_amount_read_with_more_than_eight_places_is_not_sent() {
    use binancepay_types::Amount;
    use binancepay_types::wallet::TransferFundRequest;
    let tiny = Amount::parse_received("0.000000015").expect("a received amount");
    let request = TransferFundRequest::new(
        "TR1",
        "BTC",
        tiny,
        binancepay_types::enums::TransferType::ToMain,
    );
    let err = binancepay_types::Endpoint::validate(&request).expect_err("refused");
    assert!(err.to_string().contains("amount"), "{err}");
    assert!(err.to_string().contains('8'), "{err}");
}
