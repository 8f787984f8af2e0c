//! Limits that must hold whatever the settings and the server say: huge waits and deadlines
//! never overflow, and a signed request is never redirected.

use std::time::{Duration, Instant};

use binancepay_client::{ConfigError, Error, Outcome, RetryPolicy};
use binancepay_types::order::QueryOrderV2Request;

use crate::support::{Mock, Reply};

fn query() -> QueryOrderV2Request {
    QueryOrderV2Request::new().with_merchant_trade_no("A1")
}

#[tokio::test]
async fn a_huge_retry_after_and_huge_limits_neither_panic_nor_hang() {
    let mock = Mock::start(|_| {
        Reply::WithHeader(
            "retry-after",
            "18446744073709551615",
            Box::new(Reply::html(503, "<html>busy</html>")),
        )
    })
    .await;
    let client = mock
        .client()
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .deadline(Duration::MAX)
        .certificate_refresh_interval(Duration::MAX)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(u32::MAX)
                .with_initial_backoff(Duration::MAX)
                .with_max_backoff(Duration::MAX),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let result = client.orders().query_v2(&query()).await;
    // The server asks for 584 billion years; the wait is clamped to a day, which the (clamped)
    // deadline cannot fit, so the call ends after its first attempt.
    let Err(error) = result else {
        panic!("a 503 succeeded: {result:?}");
    };
    assert_eq!(error.attempts(), 1, "{error}");
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_caller_client_that_may_follow_redirects_is_refused() {
    let mock = Mock::start(|_| Reply::success(serde_json::json!({}))).await;
    for follows in [
        reqwest::Client::new(),
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(2))
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
    ] {
        let built = mock.client().http_client(follows).build();
        assert!(
            matches!(
                built,
                Err(Error::Config(ConfigError::RedirectingHttpClient))
            ),
            "{built:?}"
        );
    }
    assert!(mock.calls().is_empty());
}

#[tokio::test]
async fn any_3xx_is_an_error_and_the_signed_request_goes_nowhere_else() {
    let target = Mock::start(|_| Reply::success(serde_json::json!({}))).await;
    let location = format!("{}/binancepay/openapi/v2/order/query", target.url());
    let origin = Mock::start(move |_| Reply::Redirect(location.clone())).await;
    let own = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    // A query may be retried freely: a redirect is still not retried, nor followed.
    let client = origin
        .client()
        .http_client(own)
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let result = client.orders().query_v2(&query()).await;
    let Err(error) = result else {
        panic!("the redirect was followed: {result:?}");
    };
    assert!(
        matches!(
            error,
            Error::Redirected {
                followed: false,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert!(!error.is_retryable());
    assert_eq!(origin.calls().len(), 1);
    assert!(
        target.calls().is_empty(),
        "the signed request reached another host"
    );
}

mod payouts {
    //! Payouts: Binance documents no refusal of a repeated `requestId`, so an attempt that may
    //! have reached it is never resent; it is looked up, and the caller decides. Transfers: a
    //! repeated `requestId` is answered `REPEAT_REQ_SUCCESS` with the first transfer, so they
    //! are resent with the same bytes.

    use std::time::Duration;

    use binancepay_client::{Error, Lookup, Outcome, RetryPolicy};
    use binancepay_types::enums::{ReceiveType, TransferType, Wallet};
    use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer};
    use binancepay_types::wallet::TransferFundRequest;
    use binancepay_types::{Amount, Endpoint};

    use crate::support::{Mock, Reply};

    const QUERY_PAYOUT: &str = "/binancepay/openapi/payout/query";
    const QUERY_TRANSFER: &str = "/binancepay/openapi/wallet/transfer/query";

    /// Requests that reached `path` (a full path).
    fn count(mock: &Mock, path: &str) -> usize {
        mock.calls().iter().filter(|c| c.path == path).count()
    }

    fn amount(text: &str) -> Amount {
        Amount::new(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn payout() -> CreatePayoutRequest {
        let transfer = PayoutTransfer::new(
            "S1",
            ReceiveType::PayId,
            "354205155",
            amount("1.5"),
            Wallet::FundingWallet,
        );
        CreatePayoutRequest::new("P1", "May", "USDT", amount("1.5"), 1, vec![transfer])
    }

    fn not_found() -> Reply {
        Reply::json(
            200,
            r#"{"status":"FAIL","code":"400202","errorMessage":"not found"}"#,
        )
    }

    /// The first create attempt times out (the server acted or not: unknown); the lookup
    /// finds the batch with `status`, or nothing for `None`.
    async fn mock(status: Option<&'static str>) -> Mock {
        Mock::start(move |call| {
            if call.path == QUERY_PAYOUT {
                match status {
                    Some(status) => Reply::success(
                        serde_json::json!({"requestId": "P1", "batchStatus": status}),
                    ),
                    None => not_found(),
                }
            } else if call.nth == 1 {
                Reply::success(serde_json::json!({"requestId": "P1", "status": "ACCEPTED"}))
                    .after(Duration::from_secs(3))
            } else {
                Reply::success(serde_json::json!({"requestId": "P1", "status": "ACCEPTED"}))
            }
        })
        .await
    }

    fn client(mock: &Mock) -> binancepay_client::Client {
        mock.client()
            .timeout(Duration::from_millis(300))
            .retry_policy(
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(5)),
            )
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn a_payout_found_after_an_unknown_attempt_is_not_resent_and_its_status_decides() {
        for (status, outcome) in [
            ("ACCEPTED", Outcome::Unknown),
            ("PROCESSING", Outcome::Unknown),
            ("SUCCESS", Outcome::Succeeded),
            ("PART_SUCCESS", Outcome::Succeeded),
            ("FAILED", Outcome::Rejected),
            ("CANCELED", Outcome::Rejected),
        ] {
            let mock = mock(Some(status)).await;
            let result = client(&mock).payouts().create(&payout()).await;
            let Err(error) = result else {
                panic!("resent and succeeded: {result:?}");
            };
            assert!(
                matches!(&error, Error::NotResent { lookup: Lookup::Exists { status: found }, key, .. } if key == "P1" && found == status),
                "{error}"
            );
            assert_eq!(error.outcome(), outcome, "{status}");
            assert_eq!(count(&mock, CreatePayoutRequest::PATH), 1);
            assert_eq!(count(&mock, QUERY_PAYOUT), 1);
        }
    }

    #[tokio::test]
    async fn a_payout_not_found_after_an_unknown_attempt_is_not_resent() {
        // Binance may still be committing the slow attempt: a resend could pay a second batch.
        let mock = mock(None).await;
        let result = client(&mock).payouts().create(&payout()).await;
        let Err(error) = result else {
            panic!("resent and succeeded: {result:?}");
        };
        let Error::NotResent {
            lookup: Lookup::Absent { after },
            ..
        } = &error
        else {
            panic!("{error}");
        };
        assert!(*after >= Duration::from_secs(2), "{after:?}");
        assert!(error.outcome_unknown());
        assert!(error.to_string().contains("query it again"), "{error}");
        assert_eq!(count(&mock, CreatePayoutRequest::PATH), 1);
        assert_eq!(count(&mock, QUERY_PAYOUT), 1);
    }

    #[tokio::test]
    async fn a_payout_that_was_not_sent_is_sent_again() {
        // 429 before acting: nothing happened, so the same bytes go again.
        let mock = Mock::start(move |call| {
            if call.nth == 1 {
                Reply::json(429, "{}")
            } else {
                Reply::success(serde_json::json!({"requestId": "P1", "status": "ACCEPTED"}))
            }
        })
        .await;
        let result = client(&mock).payouts().create(&payout()).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(count(&mock, CreatePayoutRequest::PATH), 2);
        assert_eq!(count(&mock, QUERY_PAYOUT), 0);
    }

    #[tokio::test]
    async fn the_deadline_bounds_the_lookup() {
        let mock = mock(Some("SUCCESS")).await;
        let client = mock
            .client()
            .timeout(Duration::from_millis(300))
            .deadline(Duration::from_millis(900))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        let result = client.payouts().create(&payout()).await;
        let elapsed = started.elapsed();
        let Err(error) = result else {
            panic!("resent and succeeded: {result:?}");
        };
        assert!(
            matches!(
                &error,
                Error::NotResent {
                    lookup: Lookup::NotLookedUp,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.outcome_unknown());
        assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
        assert_eq!(count(&mock, CreatePayoutRequest::PATH), 1);
    }

    /// Transfer attempts: the first times out after Binance acted; later ones are answered as
    /// Binance answers a repeated `requestId`.
    async fn transfer_mock() -> Mock {
        Mock::start(move |call| {
            let first = r#"{"tranId":"T1","status":"SUCCESS","currency":"USDT","amount":"2"}"#;
            if call.nth == 1 {
                Reply::json(
                    200,
                    format!(r#"{{"status":"SUCCESS","code":"000000","data":{first}}}"#),
                )
                .after(Duration::from_secs(3))
            } else {
                Reply::json(
                    200,
                    format!(r#"{{"status":"REPEAT_REQ_SUCCESS","code":"000001","data":{first}}}"#),
                )
            }
        })
        .await
    }

    #[tokio::test]
    async fn a_transfer_is_resent_after_an_unknown_outcome_and_the_replay_is_told() {
        let mock = transfer_mock().await;
        let request = TransferFundRequest::new("T1", "USDT", amount("2"), TransferType::ToMain);
        let answer = client(&mock)
            .execute_answer(&request)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(answer.is_replay());
        assert_eq!(answer.data.tran_id, "T1");
        assert_eq!(count(&mock, TransferFundRequest::PATH), 2);
        assert_eq!(count(&mock, QUERY_TRANSFER), 0);
        // The typed method reports the transfer once as well.
        let mock = transfer_mock().await;
        let transferred = client(&mock).wallet().transfer(&request).await;
        assert!(transferred.is_ok_and(|t| t.tran_id == "T1"));
    }

    #[tokio::test]
    async fn no_resend_starts_without_an_attempts_time_left() {
        let mock = transfer_mock().await;
        let client = mock
            .client()
            .timeout(Duration::from_millis(300))
            .deadline(Duration::from_millis(500))
            .retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let request = TransferFundRequest::new("T1", "USDT", amount("2"), TransferType::ToMain);
        let result = client.wallet().transfer(&request).await;
        let Err(error) = result else {
            panic!("resent: {result:?}");
        };
        assert!(error.outcome_unknown(), "{error}");
        assert_eq!(count(&mock, TransferFundRequest::PATH), 1);
    }
}
