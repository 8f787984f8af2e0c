//! `binancepay request`: exit codes against an in-process sandbox, retries per endpoint, and the
//! bytes on the wire and on stdout seen through a capture server.

use binancepay_sandbox::{Fault, FaultPlan, FaultRule};
use binancepay_sign::{ApiSecret, RequestSigner};

use crate::capture::Capture;
use crate::cli::{data, json, one_error_line, run, stderr, stdout};
use crate::test_sandbox::{TestSandbox, closed_port, pairs};

const QUERY: &str = "/binancepay/openapi/v2/order/query";
const CREATE: &str = "/binancepay/openapi/v3/order";
const CLOSE: &str = "/binancepay/openapi/order/close";
const UNKNOWN: &str = "/binancepay/openapi/v9/no/such/endpoint";

fn request(path: &str, body: &str, env: &[(&str, &str)]) -> std::process::Output {
    run(&["request", path, "--body-file", &data(body)], env, None)
}

#[test]
fn success_prints_the_envelope_and_exits_0() {
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let env = pairs(&env);
    let created = request(CREATE, "bodies/create-order-v3.json", &env);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert_eq!(stderr(&created), "");
    let envelope = json(&created);
    assert_eq!(envelope["status"], "SUCCESS");
    assert_eq!(envelope["code"], "000000");
    assert!(envelope["data"]["prepayId"].is_string(), "{envelope}");

    // The body comes from standard input just as well.
    let body = std::fs::read(data("bodies/query-order.json")).expect("body");
    let queried = run(&["request", QUERY, "--body-file", "-"], &env, Some(&body));
    assert_eq!(queried.status.code(), Some(0), "{}", stderr(&queried));
    let envelope = json(&queried);
    assert_eq!(envelope["data"]["merchantTradeNo"], "CLITEST1");
    // Sent byte for byte: the amount keeps the trailing zero it was written with.
    assert_eq!(envelope["data"]["orderAmount"], "25.170");
}

#[test]
fn an_api_error_exits_1_with_code_and_name_on_one_line() {
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let output = request(QUERY, "bodies/query-unknown-order.json", &pairs(&env));
    let line = one_error_line(&output, 1);
    assert!(line.contains("400202 ORDER_NOT_FOUND"), "{line}");
    // The envelope is still printed, as received.
    let envelope = json(&output);
    assert_eq!(envelope["status"], "FAIL");
    assert_eq!(envelope["code"], "400202");

    // A second create with the same merchantTradeNo is refused, not retried into success.
    let first = request(CREATE, "bodies/create-order-v3.json", &pairs(&env));
    assert_eq!(first.status.code(), Some(0));
    let again = request(CREATE, "bodies/create-order-v3.json", &pairs(&env));
    let line = one_error_line(&again, 1);
    assert!(line.contains("400201 INVALID_MERCHANT_TRADE_NO"), "{line}");
}

#[test]
fn a_repeated_transfer_answered_repeat_req_success_exits_0() {
    const TRANSFER: &str = "/binancepay/openapi/wallet/transfer";
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let first = request(TRANSFER, "bodies/transfer-fund.json", &pairs(&env));
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(json(&first)["status"], "SUCCESS");
    // Binance answers a repeated requestId with the first transfer: a success, printed as sent.
    let again = request(TRANSFER, "bodies/transfer-fund.json", &pairs(&env));
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stderr(&again), "");
    let envelope = json(&again);
    assert_eq!(envelope["status"], "REPEAT_REQ_SUCCESS");
    assert_eq!(envelope["code"], "000001");
    assert_eq!(envelope["data"]["tranId"], "CLITR1");
}

#[test]
fn an_unknown_path_is_refused_by_the_service_with_exit_1() {
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let output = request(UNKNOWN, "bodies/unknown-endpoint.json", &pairs(&env));
    let line = one_error_line(&output, 1);
    assert!(line.contains("HTML error page"), "{line}");
    // Not JSON, so nothing on stdout.
    assert!(output.stdout.is_empty());
}

#[test]
fn a_closed_port_exits_3_after_the_retries_a_query_allows() {
    let base_url = format!("http://127.0.0.1:{}", closed_port());
    let env = [
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", "secret"),
        ("BINANCEPAY_BASE_URL", base_url.as_str()),
    ];
    let line = one_error_line(&request(QUERY, "bodies/query-order.json", &env), 3);
    assert!(line.contains("cannot connect"), "{line}");
    assert!(line.contains("(after 3 attempts)"), "{line}");

    // Nothing reached the server, so even an unsafe close may be tried again …
    let line = one_error_line(&request(CLOSE, "bodies/close-order.json", &env), 3);
    assert!(line.contains("(after 3 attempts)"), "{line}");
    // … but a path the table does not know is sent once.
    let line = one_error_line(&request(UNKNOWN, "bodies/unknown-endpoint.json", &env), 3);
    assert!(!line.contains("attempts"), "{line}");
}

#[test]
fn a_failing_gateway_is_retried_for_a_query_but_not_for_a_close() {
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let env = pairs(&env);
    assert_eq!(
        request(CREATE, "bodies/create-order-v3.json", &env)
            .status
            .code(),
        Some(0)
    );

    // Two 503 pages, then the real answer: the query succeeds on its third attempt.
    let plan = FaultPlan::new(7).with_rule(
        FaultRule::new(Fault::ServerError { status: 503 }, 1.0)
            .on_path(QUERY)
            .with_limit(2),
    );
    sandbox.set_faults(plan);
    let output = request(QUERY, "bodies/query-order.json", &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output)["status"], "SUCCESS");

    // A 503 after a close may have been sent leaves its outcome unknown: no resend, exit 3.
    let plan = FaultPlan::new(7)
        .with_rule(FaultRule::new(Fault::ServerError { status: 503 }, 1.0).on_path(CLOSE));
    sandbox.set_faults(plan);
    let output = request(CLOSE, "bodies/close-order.json", &env);
    let line = one_error_line(&output, 3);
    assert!(!line.contains("attempts"), "{line}");
    assert!(line.contains("the outcome is unknown"), "{line}");
}

#[test]
fn usage_errors_exit_2() {
    let sandbox = TestSandbox::start();
    let env = sandbox.env();
    let env = pairs(&env);
    let query = data("bodies/query-order.json");
    let invalid = data("bodies/invalid.json");
    let not_object = data("bodies/not-an-object.json");
    let cases = [
        (
            vec!["request", "/v2/order/query", "--body-file", &query],
            "must start with /binancepay/openapi/",
        ),
        (
            vec!["request", QUERY, "--body-file", "/nonexistent/body.json"],
            "/nonexistent/body.json:",
        ),
        (
            vec!["request", QUERY, "--body-file", &invalid],
            "the body must be one JSON object",
        ),
        (
            vec!["request", QUERY, "--body-file", &not_object],
            "expected a map",
        ),
        (
            vec![
                "request",
                QUERY,
                "--body-file",
                &query,
                "--base-url",
                "ftp://127.0.0.1",
            ],
            "base URL",
        ),
        (
            vec![
                "request",
                QUERY,
                "--body-file",
                &query,
                "--base-url",
                "http://example.com",
            ],
            "plain http:// is refused",
        ),
    ];
    for (args, expected) in cases {
        let line = one_error_line(&run(&args, &env, None), 2);
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    let no_secret: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .filter(|(name, _)| *name != "BINANCEPAY_API_SECRET")
        .collect();
    let line = one_error_line(&request(QUERY, "bodies/query-order.json", &no_secret), 2);
    assert!(line.contains("BINANCEPAY_API_SECRET is not set"), "{line}");
    let output = run(
        &["request", QUERY, "--body-file", "-"],
        &env,
        Some(b"not json"),
    );
    let line = one_error_line(&output, 2);
    assert!(line.starts_with("error: standard input:"), "{line}");
}

#[test]
fn the_body_is_sent_and_the_answer_printed_byte_for_byte() {
    let answer = std::fs::read(data("bodies/success-envelope.json")).expect("envelope");
    let capture = Capture::start(vec![
        (502, b"<html>bad gateway</html>".to_vec()),
        (200, answer.clone()),
    ]);
    let env = [
        ("BINANCEPAY_API_KEY", "abc123"),
        ("BINANCEPAY_API_SECRET", "the secret"),
        ("BINANCEPAY_BASE_URL", capture.base_url.as_str()),
    ];
    let output = request(QUERY, "bodies/query-order.json", &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Exactly the server's bytes, odd spacing and trailing newline included.
    assert_eq!(output.stdout, answer, "{}", stdout(&output));

    let body = std::fs::read(data("bodies/query-order.json")).expect("body");
    let requests = capture.requests();
    assert_eq!(requests.len(), 2, "the 502 is retried once");
    let secret = ApiSecret::new("the secret").expect("secret");
    let signer = RequestSigner::new(&secret);
    for captured in &requests {
        assert_eq!(captured.path, QUERY);
        assert_eq!(captured.body, body, "sent as read");
        let header = |name: &str| captured.headers.get(name).cloned().unwrap_or_default();
        assert_eq!(header("binancepay-certificate-sn"), "abc123");
        let expected = signer.sign_raw(
            &header("binancepay-timestamp"),
            &header("binancepay-nonce"),
            &body,
        );
        assert_eq!(header("binancepay-signature"), expected.as_str());
    }
    // The retry is signed afresh.
    let nonces: Vec<String> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("binancepay-nonce")
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    assert_ne!(nonces.first(), nonces.get(1));
}
