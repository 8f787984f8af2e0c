//! Attacks on the merchant's webhook handling (the client's `WebhookHandler` and
//! `binancepay-http`'s verifier): forged and tampered signatures, replays outside the window,
//! repeated deliveries, floods of unknown certificate serials, oversized bodies, authentic
//! bodies that do not decode, missing, repeated and malformed headers. Each gets a typed
//! rejection with the right HTTP status, never a panic, and the endpoint keeps serving.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use binancepay_client::{Client, WebhookHandler, WebhookHandlerError};
use binancepay_http::server::sign_webhook;
use binancepay_http::webhook::{
    CertificateStore, DEFAULT_MAX_BODY_BYTES, WebhookError, WebhookVerifier,
};
use binancepay_http::{Nonce, SigningHeader, Timestamp};
use binancepay_integration_tests::{
    BoxError, Merchant, TestResult, bounded, client_for, read_data, sandbox, webhook_key_pem,
};
use binancepay_sandbox::RunningSandbox;
use binancepay_sign::webhook::WebhookSigningKey;
use http::{HeaderMap, HeaderValue, StatusCode};
use proptest::prelude::*;
use tokio::task::JoinSet;

const CERTIFICATES_PATH: &str = "/binancepay/openapi/certificates";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A PAY / PAY_SUCCESS notification body in the sandbox's envelope.
fn pay_body(biz_id: u64, trade_no: &str, total: &str) -> Vec<u8> {
    let data = serde_json::json!({
        "merchantTradeNo": trade_no,
        "totalFee": total,
        "currency": "USDT",
        "transactTime": 1_700_000_000_000_u64,
        "productType": "Food",
        "productName": "Ice Cream",
        "tradeType": "WEB",
    })
    .to_string();
    serde_json::json!({
        "bizType": "PAY",
        "bizId": biz_id,
        "bizIdStr": biz_id.to_string(),
        "bizStatus": "PAY_SUCCESS",
        "data": data,
    })
    .to_string()
    .into_bytes()
}

/// The signing keys and the handler under attack.
struct Target {
    sandbox: RunningSandbox,
    client: Client,
    webhooks: WebhookHandler,
    key: WebhookSigningKey,
    attacker: WebhookSigningKey,
    serial: String,
}

impl Target {
    async fn start() -> Result<Target, BoxError> {
        let sandbox = sandbox()?.start().await?;
        let client = client_for(&sandbox).build()?;
        let webhooks = client.webhooks();
        Ok(Target {
            serial: sandbox.certificate_serial(),
            key: WebhookSigningKey::from_pkcs8_pem(&webhook_key_pem()?)?,
            attacker: WebhookSigningKey::from_pkcs8_pem(&read_data("attacker-key.pem")?)?,
            sandbox,
            client,
            webhooks,
        })
    }

    /// Headers for `body` signed with `key` under `serial` at `at_ms`.
    fn sign_with(
        key: &WebhookSigningKey,
        serial: &str,
        body: &[u8],
        at_ms: u64,
    ) -> Result<HeaderMap, BoxError> {
        let nonce = Nonce::from_os_rng()?;
        Ok(sign_webhook(
            key,
            serial,
            body,
            Timestamp::from_millis(at_ms)?,
            &nonce,
        )?)
    }

    /// Headers a genuine delivery of `body` carries now.
    fn genuine(&self, body: &[u8]) -> Result<HeaderMap, BoxError> {
        Self::sign_with(&self.key, &self.serial, body, now_ms())
    }

    fn certificate_fetches(&self) -> u64 {
        self.sandbox
            .request_counts()
            .by_path
            .get(CERTIFICATES_PATH)
            .copied()
            .unwrap_or(0)
    }

    /// The handler's refusal of `headers` + `body`; an error if it was accepted.
    async fn refusal(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<WebhookHandlerError, BoxError> {
        match self.webhooks.handle(headers, body).await {
            Ok(verified) => Err(format!("accepted: {:?}", verified.notification()).into()),
            Err(refused) => Ok(refused),
        }
    }
}

/// The same headers naming another certificate serial.
fn with_serial(headers: &HeaderMap, serial: &str) -> Result<HeaderMap, BoxError> {
    let mut headers = headers.clone();
    headers.insert("binancepay-certificate-sn", HeaderValue::from_str(serial)?);
    Ok(headers)
}

/// The `WebhookError` inside a handler refusal.
fn rejected(error: &WebhookHandlerError) -> Result<&WebhookError, BoxError> {
    match error {
        WebhookHandlerError::Rejected(inner) => Ok(inner),
        other => Err(format!("expected a rejection, got {other}").into()),
    }
}

#[tokio::test]
async fn forged_and_tampered_signatures_are_refused() -> TestResult {
    bounded("forged", async {
        let target = Target::start().await?;
        let body = pay_body(384_500_000_000_000_001, "ATK1", "25.17");
        target
            .webhooks
            .handle(&target.genuine(&body)?, &body)
            .await?;

        // Signed by someone else's key under Binance's serial.
        let forged = Target::sign_with(&target.attacker, &target.serial, &body, now_ms())?;
        // A genuine signature over a body whose amount was then changed.
        let tampered = pay_body(384_500_000_000_000_001, "ATK1", "2517");
        // A genuine signature whose timestamp header was moved afterwards.
        let mut moved = target.genuine(&body)?;
        moved.insert("binancepay-timestamp", HeaderValue::from(now_ms() - 1));
        // Not base64 at all.
        let mut garbage = target.genuine(&body)?;
        garbage.insert(
            "binancepay-signature",
            HeaderValue::from_static("!!not-base64!!"),
        );

        for (what, headers, body) in [
            ("forged", &forged, &body),
            ("tampered", &target.genuine(&body)?, &tampered),
            ("moved timestamp", &moved, &body),
            ("garbage", &garbage, &body),
        ] {
            let refused = target.refusal(headers, body).await?;
            assert!(
                matches!(rejected(&refused)?, WebhookError::InvalidSignature(_)),
                "{what}: {refused}"
            );
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{what}");
            // The answer names the class only.
            let answer = String::from_utf8_lossy(refused.response().body()).into_owned();
            assert!(
                answer.contains("not authentic") && !answer.contains("ATK1"),
                "{answer}"
            );
        }
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn replays_outside_the_window_are_refused_although_authentic() -> TestResult {
    bounded("replay", async {
        let target = Target::start().await?;
        let body = pay_body(384_500_000_000_000_002, "ATK2", "1");
        for skew in [-10 * 60 * 1000_i64, 10 * 60 * 1000] {
            let at = now_ms().saturating_add_signed(skew);
            let headers = Target::sign_with(&target.key, &target.serial, &body, at)?;
            let refused = target.refusal(&headers, &body).await?;
            let inner = rejected(&refused)?;
            assert!(matches!(inner, WebhookError::Stale { .. }), "{refused}");
            // Freshness is checked after the signature: this replay was authentic.
            assert!(inner.is_authentic());
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        }

        // binancepay-http's verifier on a published vector from 2021: valid, but stale now.
        let vector: serde_json::Value =
            serde_json::from_str(&read_data("webhook-v3-vector.json")?)?;
        let text = |field: &str| vector[field].as_str().unwrap_or_default().to_owned();
        let mut store = CertificateStore::new();
        store.insert_pem(text("certificateSn"), &text("publicKeyPem"))?;
        let mut headers = HeaderMap::new();
        for (name, field) in [
            ("binancepay-timestamp", "timestamp"),
            ("binancepay-nonce", "nonce"),
            ("binancepay-certificate-sn", "certificateSn"),
            ("binancepay-signature", "signature"),
        ] {
            headers.insert(name, HeaderValue::from_str(&text(field))?);
        }
        let body = text("body");
        let verifier = WebhookVerifier::new(store);
        let now = Timestamp::from_millis(now_ms())?;
        let stale = verifier.verify(&headers, body.as_bytes(), now);
        assert!(
            matches!(stale, Err(WebhookError::Stale { .. })),
            "{stale:?}"
        );
        let then = Timestamp::parse(&text("timestamp"))?;
        let notification = verifier.verify(&headers, body.as_bytes(), then)?;
        assert_eq!(
            notification.dedup_key(),
            "PAY:29383937493038367292:PAY_SUCCESS"
        );
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn repeated_deliveries_are_acted_on_once() -> TestResult {
    bounded("repeats", async {
        let target = Target::start().await?;
        let merchant = Merchant::start(target.client.webhooks(), 0).await?;
        let http = reqwest::Client::builder().no_proxy().build()?;
        let body = pay_body(384_500_000_000_000_003, "ATK3", "5");
        let replayed = target.genuine(&body)?;
        // Three deliveries signed afresh, plus the first one's exact bytes twice more.
        let mut attempts = Vec::new();
        for _ in 0..3 {
            attempts.push(target.genuine(&body)?);
        }
        attempts.push(replayed.clone());
        attempts.push(replayed);
        for headers in attempts {
            let answer = http
                .post(merchant.url())
                .headers(headers)
                .body(body.clone())
                .send()
                .await?;
            assert_eq!(answer.status(), StatusCode::OK);
        }
        assert_eq!(merchant.processed().len(), 1);
        assert_eq!(merchant.duplicates(), 4);
        merchant.stop().await;
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_flood_of_unknown_serials_costs_one_certificate_fetch() -> TestResult {
    bounded("serial_flood", async {
        let target = Target::start().await?;
        let body = pay_body(384_500_000_000_000_004, "ATK4", "1");
        // The serial is not part of what is signed: one genuine signature serves every serial.
        let signed = target.genuine(&body)?;
        let mut flood = JoinSet::new();
        for n in 0..300_u64 {
            let webhooks = target.webhooks.clone();
            let headers = with_serial(&signed, &format!("{:032x}", 0xDEAD_0000_u64 + n))?;
            let body = body.clone();
            flood.spawn(async move { webhooks.handle(&headers, &body).await.map(|_| ()) });
        }
        while let Some(joined) = flood.join_next().await {
            let refused = match joined? {
                Ok(()) => return Err("an unknown serial was accepted".into()),
                Err(refused) => refused,
            };
            assert!(
                matches!(rejected(&refused)?, WebhookError::UnknownCertificate { .. }),
                "{refused}"
            );
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        }
        // The first webhook fetched the certificates; the serials it then did not know could
        // not make the handler fetch again within the refresh interval (60 s).
        assert_eq!(target.certificate_fetches(), 1);
        target
            .webhooks
            .handle(&target.genuine(&body)?, &body)
            .await?;
        assert_eq!(target.certificate_fetches(), 1);
        println!(
            "webhook attacks: 300 unknown serials -> {} certificate fetch",
            target.certificate_fetches()
        );
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn unknown_serials_refresh_at_most_once_per_interval() -> TestResult {
    bounded("serial_interval", async {
        let target = Target::start().await?;
        let interval = Duration::from_millis(250);
        let webhooks = client_for(&target.sandbox)
            .certificate_refresh_interval(interval)
            .build()?
            .webhooks();
        let body = pay_body(384_500_000_000_000_005, "ATK5", "1");
        let signed = target.genuine(&body)?;
        let started = tokio::time::Instant::now();
        let mut sent = 0_u64;
        // Waves of unknown serials for a bit over a second.
        while started.elapsed() < Duration::from_millis(1_200) {
            let mut wave = JoinSet::new();
            for _ in 0..25 {
                sent += 1;
                let headers = with_serial(&signed, &format!("unknown{sent}"))?;
                let (webhooks, body) = (webhooks.clone(), body.clone());
                wave.spawn(async move { webhooks.handle(&headers, &body).await.is_err() });
            }
            while let Some(refused) = wave.join_next().await {
                assert!(refused?);
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let elapsed = started.elapsed();
        let fetches = target.certificate_fetches();
        let allowed = elapsed.as_millis() / interval.as_millis() + 1;
        println!(
            "webhook attacks: {sent} unknown serials over {elapsed:?} with a {interval:?} \
             refresh interval -> {fetches} certificate fetches (at most {allowed} allowed)"
        );
        assert!(u128::from(fetches) <= allowed, "{fetches} > {allowed}");
        // Serials kept arriving after the first interval, so the cache did refresh.
        assert!(fetches >= 2, "{fetches}");
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

/// One malformed delivery and how it must be refused.
struct Case {
    what: String,
    headers: HeaderMap,
    body: Vec<u8>,
    status: StatusCode,
    check: fn(&WebhookError) -> bool,
}

fn case(
    what: impl Into<String>,
    headers: HeaderMap,
    body: Vec<u8>,
    status: StatusCode,
    check: fn(&WebhookError) -> bool,
) -> Case {
    Case {
        what: what.into(),
        headers,
        body,
        status,
        check,
    }
}

fn malformed_cases(target: &Target) -> Result<Vec<Case>, BoxError> {
    let body = pay_body(384_500_000_000_000_006, "ATK6", "1");
    let signed = target.genuine(&body)?;
    let mut cases = Vec::new();
    for header in SigningHeader::ALL {
        let mut missing = signed.clone();
        missing.remove(header.header_name());
        cases.push(case(
            format!("missing {}", header.as_str()),
            missing,
            body.clone(),
            StatusCode::BAD_REQUEST,
            |e| matches!(e, WebhookError::MissingHeader { .. }),
        ));
        let mut twice = signed.clone();
        let value = twice
            .get(header.header_name())
            .cloned()
            .ok_or("header not set")?;
        twice.append(header.header_name(), value);
        cases.push(case(
            format!("repeated {}", header.as_str()),
            twice,
            body.clone(),
            StatusCode::BAD_REQUEST,
            |e| matches!(e, WebhookError::DuplicateHeader { .. }),
        ));
        let mut binary = signed.clone();
        binary.insert(header.header_name(), HeaderValue::from_bytes(b"\xff\xfe")?);
        cases.push(case(
            format!("non-UTF-8 {}", header.as_str()),
            binary,
            body.clone(),
            StatusCode::BAD_REQUEST,
            |e| matches!(e, WebhookError::NonUtf8Header { .. }),
        ));
    }
    let mut letters = signed.clone();
    letters.insert(
        "binancepay-timestamp",
        HeaderValue::from_static("yesterday"),
    );
    cases.push(case(
        "timestamp not a number".to_owned(),
        letters,
        body.clone(),
        StatusCode::BAD_REQUEST,
        |e| matches!(e, WebhookError::InvalidTimestamp(_)),
    ));
    // Authentic bodies that do not decode.
    let not_json_data =
        br#"{"bizType":"PAY","bizIdStr":"7","bizStatus":"PAY_SUCCESS","data":"not json"}"#;
    let not_json = b"<html>not a notification</html>";
    let no_type = br#"{"bizIdStr":"7","bizStatus":"PAY_SUCCESS","data":"{}"}"#;
    for (what, body) in [
        ("data not JSON", &not_json_data[..]),
        ("body not JSON", &not_json[..]),
        ("no bizType", &no_type[..]),
    ] {
        cases.push(case(
            what.to_owned(),
            target.genuine(body)?,
            body.to_vec(),
            StatusCode::BAD_REQUEST,
            |e| matches!(e, WebhookError::Parse(_)) && e.is_authentic(),
        ));
    }
    // One byte over the limit, validly signed: refused before anything else is looked at.
    let mut huge = pay_body(384_500_000_000_000_007, "ATK7", "1");
    huge.resize(DEFAULT_MAX_BODY_BYTES + 1, b' ');
    cases.push(case(
        "body over 1 MiB".to_owned(),
        target.genuine(&huge)?,
        huge,
        StatusCode::PAYLOAD_TOO_LARGE,
        |e| matches!(e, WebhookError::BodyTooLarge { got, .. } if *got == DEFAULT_MAX_BODY_BYTES + 1),
    ));
    Ok(cases)
}

#[tokio::test]
async fn malformed_headers_and_bodies_get_typed_rejections() -> TestResult {
    bounded("malformed", async {
        let target = Target::start().await?;
        for case in malformed_cases(&target)? {
            let refused = target.refusal(&case.headers, &case.body).await?;
            assert!(
                (case.check)(rejected(&refused)?),
                "{}: {refused}",
                case.what
            );
            assert_eq!(refused.status(), case.status, "{}", case.what);
        }
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_endpoint_survives_every_attack_and_still_serves() -> TestResult {
    bounded("endpoint_survives", async {
        let target = Target::start().await?;
        let merchant = Merchant::start(target.client.webhooks(), 0).await?;
        let http = reqwest::Client::builder().no_proxy().build()?;
        let cases = malformed_cases(&target)?;
        let count = cases.len();
        for case in cases {
            let answer = http
                .post(merchant.url())
                .headers(case.headers)
                .body(case.body)
                .send()
                .await?;
            assert_eq!(answer.status(), case.status, "{}", case.what);
        }
        let forged_body = pay_body(384_500_000_000_000_008, "ATK8", "1");
        let forged = Target::sign_with(&target.attacker, &target.serial, &forged_body, now_ms())?;
        let answer = http
            .post(merchant.url())
            .headers(forged)
            .body(forged_body)
            .send()
            .await?;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);

        // Still up, and a genuine notification is acted on.
        let body = pay_body(384_500_000_000_000_009, "ATK9", "1");
        let answer = http
            .post(merchant.url())
            .headers(target.genuine(&body)?)
            .body(body)
            .send()
            .await?;
        assert_eq!(answer.status(), StatusCode::OK);
        let processed: Vec<String> = merchant.processed().iter().map(|n| n.dedup_key()).collect();
        assert_eq!(processed, ["PAY:384500000000000009:PAY_SUCCESS"]);
        let refused = merchant
            .deliveries()
            .iter()
            .filter(|d| d.refused.is_some())
            .count();
        assert_eq!(refused, count + 1);
        merchant.stop().await;
        target.sandbox.shutdown().await;
        Ok(())
    })
    .await
}

/// A verifier holding the test webhook key under serial `SN1`, plus one genuine delivery.
struct Genuine {
    verifier: WebhookVerifier,
    body: Vec<u8>,
    headers: HeaderMap,
    signed_at: u64,
}

/// The [`Genuine`] delivery, made once: RSA signing is slow in debug builds.
fn verifier() -> Result<&'static Genuine, TestCaseError> {
    static ONCE: OnceLock<Result<Genuine, String>> = OnceLock::new();
    let made = ONCE.get_or_init(|| {
        let make = || -> Result<_, BoxError> {
            let key = WebhookSigningKey::from_pkcs8_pem(&webhook_key_pem()?)?;
            let mut store = CertificateStore::new();
            store.insert_pem("SN1".to_owned(), &key.public_key_pem())?;
            let body = pay_body(384_500_000_000_000_010, "PROP1", "9.99");
            let at = now_ms();
            let headers = Target::sign_with(&key, "SN1", &body, at)?;
            let verifier = WebhookVerifier::new(store);
            // The unchanged delivery verifies, so a refusal below is the changed byte's doing.
            verifier.verify(&headers, &body, Timestamp::from_millis(at)?)?;
            Ok(Genuine {
                verifier,
                body,
                headers,
                signed_at: at,
            })
        };
        make().map_err(|e| e.to_string())
    });
    made.as_ref().map_err(|e| TestCaseError::fail(e.clone()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary header values and bodies never verify and never panic.
    #[test]
    fn arbitrary_deliveries_never_verify(
        timestamp in "[ -~]{0,20}",
        nonce in "[ -~]{0,40}",
        serial in prop_oneof![Just("SN1".to_owned()), "[ -~]{0,40}"],
        signature in "[A-Za-z0-9+/=]{0,400}",
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let verifier = &verifier()?.verifier;
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("binancepay-timestamp", &timestamp),
            ("binancepay-nonce", &nonce),
            ("binancepay-certificate-sn", &serial),
            ("binancepay-signature", &signature),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        let now = Timestamp::from_millis(now_ms()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(verifier.verify(&headers, &body, now).is_err());
    }
}

proptest! {
    // Each case is one RSA verification (about 25 ms in a debug build).
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A genuine signature stops verifying when any byte of the body changes.
    #[test]
    fn any_changed_byte_breaks_the_signature(index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let Genuine { verifier, body: genuine, headers, signed_at } = verifier()?;
        let now = Timestamp::from_millis(*signed_at).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut body = genuine.clone();
        let i = index.index(body.len());
        if let Some(byte) = body.get_mut(i) {
            *byte ^= flip;
        }
        let changed = verifier.verify(headers, &body, now);
        prop_assert!(matches!(changed, Err(WebhookError::InvalidSignature(_))), "{:?}", changed);
    }
}
