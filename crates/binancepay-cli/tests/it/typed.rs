//! The typed subcommands against an in-process sandbox: pretty JSON of the typed `data` on
//! stdout, and the same exit codes as `binancepay request`.

use std::process::Output;

use crate::cli::{json, one_error_line, run, stderr, stdout};
use crate::test_sandbox::{TestSandbox, closed_port, pairs};

struct Session {
    sandbox: TestSandbox,
    env: Vec<(&'static str, String)>,
}

impl Session {
    fn start() -> Self {
        let sandbox = TestSandbox::start();
        let env = sandbox.env();
        Self { sandbox, env }
    }

    fn run(&self, args: &[&str]) -> Output {
        run(args, &pairs(&self.env), None)
    }

    /// Runs a command that must succeed and returns its JSON.
    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{args:?}");
        json(&output)
    }

    fn create_order(&self, trade_no: &str, amount: &str) -> String {
        let created = self.ok(&[
            "order",
            "create",
            "--trade-no",
            trade_no,
            "--amount",
            amount,
            "--currency",
            "USDT",
            "--description",
            "100 gems",
            "--goods-name",
            "gems",
        ]);
        assert_eq!(created["currency"], "USDT");
        assert_eq!(created["totalFee"], amount);
        created["prepayId"].as_str().expect("prepayId").to_owned()
    }
}

#[test]
fn order_create_query_and_close() {
    let session = Session::start();
    let paid = session.create_order("TYPED1", "25.17");
    assert_eq!(session.sandbox.control(&format!("orders/{paid}/pay")), 200);

    let by_id = session.ok(&["order", "query", "--prepay-id", &paid]);
    assert_eq!(by_id["status"], "PAID");
    assert_eq!(by_id["orderAmount"], "25.17");
    let by_number = session.ok(&["order", "query", "--trade-no", "TYPED1"]);
    assert_eq!(by_number["prepayId"], paid.as_str());

    let open = session.create_order("TYPED2", "1");
    assert_eq!(session.ok(&["order", "close", "--prepay-id", &open]), true);
    // A paid order cannot be closed: the API says so, exit 1.
    let line = one_error_line(&session.run(&["order", "close", "--trade-no", "TYPED1"]), 1);
    assert!(line.contains("400204 INVALID_ORDER_STATUS"), "{line}");
    // A reused merchantTradeNo is refused.
    let line = one_error_line(
        &session.run(&[
            "order",
            "create",
            "--trade-no",
            "TYPED1",
            "--amount",
            "1",
            "--currency",
            "USDT",
            "--description",
            "again",
        ]),
        1,
    );
    assert!(line.contains("400201"), "{line}");
}

#[test]
fn refund_create_and_query() {
    let session = Session::start();
    let prepay_id = session.create_order("TYPED3", "25.17");
    assert_eq!(
        session.sandbox.control(&format!("orders/{prepay_id}/pay")),
        200
    );

    let refund = session.ok(&[
        "refund",
        "create",
        "--request-id",
        "REF1",
        "--prepay-id",
        &prepay_id,
        "--amount",
        "10.00",
        "--reason",
        "damaged",
    ]);
    assert_eq!(refund["refundRequestId"], "REF1");
    assert_eq!(refund["refundAmount"], "10.00");
    let queried = session.ok(&["refund", "query", "--request-id", "REF1"]);
    assert_eq!(queried["refundStatus"], "REFUND_SUCCESS");

    // More than what is left: refused by the API.
    let line = one_error_line(
        &session.run(&[
            "refund",
            "create",
            "--request-id",
            "REF2",
            "--prepay-id",
            &prepay_id,
            "--amount",
            "15.18",
        ]),
        1,
    );
    assert!(line.contains("400303 INVALID_REFUND_AMOUNT"), "{line}");
    let line = one_error_line(
        &session.run(&["refund", "query", "--request-id", "NOPE"]),
        1,
    );
    assert!(line.contains("400202"), "{line}");
}

#[test]
fn payout_totals_are_exact_sums() {
    let session = Session::start();
    let accepted = session.ok(&[
        "payout",
        "create",
        "--request-id",
        "PAYOUT1",
        "--batch-name",
        "May",
        "--currency",
        "USDT",
        "--receiver",
        "EMAIL:ann@example.com:0.1",
        "--receiver",
        "PAY_ID:12345:0.2",
        "--receiver",
        "BINANCE_ID:777:10.45",
    ]);
    assert_eq!(accepted["requestId"], "PAYOUT1");
    assert_eq!(accepted["status"], "ACCEPTED");

    let output = session.run(&["payout", "query", "--request-id", "PAYOUT1"]);
    // 0.1 + 0.2 + 10.45, exactly (a float sum would be 10.750000000000002).
    assert!(
        stdout(&output).contains("\"totalAmount\": 10.75,"),
        "{}",
        stdout(&output)
    );
    let batch = json(&output);
    assert_eq!(batch["totalNumber"], 3);
    let details = batch["transferDetailList"].as_array().expect("details");
    assert_eq!(details.len(), 3);
    assert_eq!(details[0]["receiver"], "ann@example.com");
    assert_eq!(details[0]["merchantSendId"], "PAYOUT1001");
    assert_eq!(details[2]["receiveType"], "BINANCE_ID");
}

#[test]
fn balance_and_certificates() {
    let session = Session::start();
    let output = session.run(&["balance"]);
    // Pretty-printed: one field per line.
    assert!(
        stdout(&output).contains("\n  \"wallet\": \"FUNDING_WALLET\""),
        "{}",
        stdout(&output)
    );
    let funding = session.ok(&["balance"]);
    assert_eq!(funding["wallet"], "FUNDING_WALLET");
    let spot = session.ok(&["balance", "--wallet", "SPOT_WALLET", "--currency", "BNB"]);
    assert_eq!(spot["wallet"], "SPOT_WALLET");
    let assets = spot["balance"].as_array().expect("balance list");
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0]["asset"], "BNB");

    let certificates = session.ok(&["certificates"]);
    assert_eq!(
        certificates[0]["certSerial"],
        session.sandbox.sandbox().certificate_serial().as_str()
    );
    assert!(
        certificates[0]["certPublic"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN PUBLIC KEY-----"))
    );

    // The new platform certificate: an empty list until Binance (here: the sandbox) enables it.
    assert_eq!(
        session.ok(&["certificates", "--new"]),
        serde_json::json!([])
    );
    assert_eq!(session.sandbox.control("certificates/rotate"), 200);
    let new = session.ok(&["certificates", "--new"]);
    let listed = session.sandbox.sandbox().new_certificates();
    assert_eq!(listed.len(), 1);
    assert_eq!(new[0]["certSerial"], listed[0].cert_serial.as_str());
    assert_ne!(
        new[0]["certSerial"],
        session.sandbox.sandbox().certificate_serial().as_str()
    );
    // Without --new, still the old certificate alone.
    assert_eq!(session.ok(&["certificates"]), certificates);
}

#[test]
fn typed_calls_share_the_exit_codes() {
    // No credentials: a usage error before anything is sent.
    let line = one_error_line(&run(&["certificates"], &[], None), 2);
    assert!(line.contains("BINANCEPAY_API_KEY is not set"), "{line}");

    // Nothing listening: exit 3 once the query's retries are spent.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let env = [
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", "secret"),
    ];
    let output = run(
        &["order", "query", "--trade-no", "A1", "--base-url", &url],
        &env,
        None,
    );
    let line = one_error_line(&output, 3);
    assert!(line.contains("query_order_v2: cannot connect"), "{line}");

    // Wrong credentials: the API refuses, exit 1.
    let session = Session::start();
    let mut env = pairs(&session.env);
    for pair in &mut env {
        if pair.0 == "BINANCEPAY_API_SECRET" {
            pair.1 = "not the secret";
        }
    }
    let line = one_error_line(&run(&["balance"], &env, None), 1);
    assert!(line.contains("400002 INVALID_SIGNATURE"), "{line}");
}
