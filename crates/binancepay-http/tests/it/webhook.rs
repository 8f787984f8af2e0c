//! Webhook verification: the V3 vector end to end and its negative variants, header
//! handling, certificate refresh, and a sign_webhook → verify round trip.

use binancepay_http::webhook::{
    CertificateError, CertificateStore, DEFAULT_FRESHNESS_WINDOW_MS, WebhookError, WebhookHeaders,
    WebhookVerifier, webhook_reply,
};
use binancepay_http::{SigningHeader, parse_response};
use binancepay_types::Amount;
use binancepay_types::certificate::Certificate;
use binancepay_types::webhook::{Notification, WebhookReply};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::support::{T0, sample, ts, vector, vector_file, vector_str};

/// The certificates response sample carries the V3 public key under this serial.
const V3_SERIAL: &str = "10893dc747d11683c606a527ff4b927e";

struct V3 {
    timestamp: String,
    nonce: String,
    signature: String,
    body: Vec<u8>,
}

fn v3() -> V3 {
    let v = vector("v3-webhook-1024.toml");
    V3 {
        timestamp: vector_str(&v, "timestamp").to_owned(),
        nonce: vector_str(&v, "nonce").to_owned(),
        signature: vector_str(&v, "signature").to_owned(),
        body: vector_file(vector_str(&v, "body_file")),
    }
}

/// The store a merchant builds from the certificates endpoint (the canned response).
fn store() -> CertificateStore {
    let response = http::Response::new(sample("query_certificates.response.json"));
    let certificates =
        parse_response::<binancepay_types::certificate::QueryCertificatesRequest, _>(&response)
            .expect("certificates response");
    CertificateStore::from_certificates(certificates).expect("PEM keys parse")
}

fn headers(timestamp: &str, nonce: &str, serial: &str, signature: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in [
        ("BinancePay-Timestamp", timestamp),
        ("BinancePay-Nonce", nonce),
        ("BinancePay-Certificate-SN", serial),
        // Header values cannot carry the vector's trailing LF; frameworks trim it too.
        ("BinancePay-Signature", signature.trim()),
    ] {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("name"),
            HeaderValue::from_str(value).expect("value"),
        );
    }
    map
}

fn v3_headers(v: &V3) -> HeaderMap {
    headers(&v.timestamp, &v.nonce, V3_SERIAL, &v.signature)
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(store())
}

#[test]
fn v3_vector_verifies_end_to_end() {
    let v = v3();
    assert_eq!(
        v.body,
        sample("webhooks/v3-vector.json"),
        "the two copies of V3 agree"
    );
    let notification = verifier()
        .verify(&v3_headers(&v), &v.body, ts(T0 + 1_000))
        .expect("authentic");
    assert_eq!(notification.biz_status(), "PAY_SUCCESS");
    match &notification {
        Notification::Pay(pay) => {
            assert_eq!(pay.data.merchant_trade_no.as_deref(), Some("9825382937292"));
            assert_eq!(
                pay.data.total_fee.as_ref().map(Amount::as_str),
                Some("0.88000000")
            );
        }
        other => panic!("not a PAY notification: {other:?}"),
    }
}

#[test]
fn v3_from_string_pairs_in_any_case() {
    let v = v3();
    let pairs = [
        ("binancepay-timestamp", v.timestamp.as_str()),
        ("BINANCEPAY-NONCE", v.nonce.as_str()),
        ("Binancepay-Certificate-Sn", V3_SERIAL),
        ("content-type", "application/json"),
        // Untrimmed, as the Go test sends it: the verifier tolerates the LF.
        ("binancePay-signature", v.signature.as_str()),
    ];
    let h = WebhookHeaders::from_pairs(pairs).expect("headers");
    assert_eq!(h.certificate_sn(), Some(V3_SERIAL));
    let n = verifier()
        .verify_headers(&h, &v.body, ts(T0))
        .expect("authentic");
    assert_eq!(n.biz_status(), "PAY_SUCCESS");
}

#[test]
fn v3_negative_variants() {
    let v = v3();
    let now = ts(T0);
    // Tampered body: one flipped byte.
    let mut body = v.body.clone();
    body[100] ^= 0x01;
    let e = verifier()
        .verify(&v3_headers(&v), &body, now)
        .expect_err("tampered");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
    assert!(!e.is_authentic());

    // bizId after a float round trip.
    let text = String::from_utf8(v.body.clone()).expect("UTF-8");
    let rewritten = text.replace("29383937493038367292", "29383937493038367000");
    assert_ne!(rewritten, text);
    let e = verifier()
        .verify(&v3_headers(&v), rewritten.as_bytes(), now)
        .expect_err("bizId");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");

    // Wrong key under the right serial: V4's 4096-bit key.
    let mut wrong = CertificateStore::new();
    let pem = String::from_utf8(vector_file("v4-webhook-4096.pem")).expect("PEM");
    wrong
        .insert_pem(V3_SERIAL.to_owned(), &pem)
        .expect("V4 key parses");
    let e = WebhookVerifier::new(wrong)
        .verify(&v3_headers(&v), &v.body, now)
        .expect_err("wrong key");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");

    // Stale: authentic but outside the default window, in either direction.
    for (now, skew) in [
        (
            T0 + DEFAULT_FRESHNESS_WINDOW_MS + 1,
            i64::try_from(DEFAULT_FRESHNESS_WINDOW_MS).expect("fits") + 1,
        ),
        (
            T0 - DEFAULT_FRESHNESS_WINDOW_MS - 1,
            -i64::try_from(DEFAULT_FRESHNESS_WINDOW_MS).expect("fits") - 1,
        ),
    ] {
        let e = verifier()
            .verify(&v3_headers(&v), &v.body, ts(now))
            .expect_err("stale");
        assert!(
            matches!(e, WebhookError::Stale { skew_ms, .. } if skew_ms == skew),
            "{e}"
        );
        assert!(e.is_authentic());
    }
    // ... and accepted once the window is switched off.
    assert!(
        verifier()
            .with_freshness_window(None)
            .verify(&v3_headers(&v), &v.body, ts(T0 + 86_400_000))
            .is_ok()
    );

    // Unknown serial: refresh the certificates.
    let h = headers(
        &v.timestamp,
        &v.nonce,
        "0123456789abcdef0123456789abcdef",
        &v.signature,
    );
    let e = verifier()
        .verify(&h, &v.body, now)
        .expect_err("unknown serial");
    assert!(e.needs_certificate_refresh(), "{e}");
    assert!(
        matches!(&e, WebhookError::UnknownCertificate { serial } if serial == "0123456789abcdef0123456789abcdef")
    );
    // The vector's own (empty) serial is just another unknown one here.
    let h = headers(&v.timestamp, &v.nonce, "", &v.signature);
    assert!(
        verifier()
            .verify(&h, &v.body, now)
            .expect_err("empty serial")
            .needs_certificate_refresh()
    );
}

#[test]
fn missing_duplicated_and_non_utf8_headers_are_named() {
    let v = v3();
    for header in SigningHeader::ALL {
        let mut h = v3_headers(&v);
        h.remove(header.header_name());
        let e = verifier().verify(&h, &v.body, ts(T0)).expect_err("missing");
        assert!(
            matches!(e, WebhookError::MissingHeader { header: got } if got == header),
            "{e}"
        );
        assert!(e.to_string().contains(header.as_str()), "{e}");

        let mut h = v3_headers(&v);
        let value = h[header.header_name()].clone();
        h.append(header.header_name(), value);
        let e = verifier()
            .verify(&h, &v.body, ts(T0))
            .expect_err("duplicated");
        assert!(
            matches!(e, WebhookError::DuplicateHeader { header: got } if got == header),
            "{e}"
        );

        let mut h = v3_headers(&v);
        h.insert(
            header.header_name(),
            HeaderValue::from_bytes(b"\xc3\x28").expect("opaque bytes"),
        );
        let e = verifier()
            .verify(&h, &v.body, ts(T0))
            .expect_err("non-UTF-8");
        assert!(
            matches!(e, WebhookError::NonUtf8Header { header: got } if got == header),
            "{e}"
        );
    }
    let pairs = [
        ("BinancePay-Timestamp", v.timestamp.as_str()),
        ("binancepay-timestamp", v.timestamp.as_str()),
    ];
    let e = WebhookHeaders::from_pairs(pairs).expect_err("duplicated");
    assert!(
        matches!(
            e,
            WebhookError::DuplicateHeader {
                header: SigningHeader::Timestamp
            }
        ),
        "{e}"
    );
    let e = WebhookHeaders::from_pairs([("BinancePay-Timestamp", "1")]).expect_err("missing");
    assert!(
        matches!(
            e,
            WebhookError::MissingHeader {
                header: SigningHeader::Nonce
            }
        ),
        "{e}"
    );
}

#[test]
fn body_limit_and_timestamp_syntax() {
    let v = v3();
    let e = verifier()
        .with_max_body_bytes(373)
        .verify(&v3_headers(&v), &v.body, ts(T0))
        .expect_err("limit");
    assert!(
        matches!(
            e,
            WebhookError::BodyTooLarge {
                limit: 373,
                got: 374
            }
        ),
        "{e}"
    );
    assert!(
        verifier()
            .with_max_body_bytes(374)
            .verify(&v3_headers(&v), &v.body, ts(T0))
            .is_ok()
    );
    let h = headers("1611232922", &v.nonce, V3_SERIAL, &v.signature);
    let e = verifier().verify(&h, &v.body, ts(T0)).expect_err("seconds");
    assert!(matches!(e, WebhookError::InvalidTimestamp(_)), "{e}");
}

#[test]
fn certificate_store_rejects_bad_pem_naming_the_serial() {
    let good = String::from_utf8(vector_file("v3-webhook-1024.pem")).expect("PEM");
    let bad = Certificate::new(
        "badserial",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_owned(),
    );
    let ok = Certificate::new("goodserial", good.clone());
    let e = CertificateStore::from_certificates(vec![ok, bad]).expect_err("bad PEM");
    assert!(
        matches!(&e, CertificateError::InvalidKey { serial, .. } if serial == "badserial"),
        "{e}"
    );
    assert!(e.to_string().contains("badserial"));
    let v4 = String::from_utf8(vector_file("v4-webhook-4096.pem")).expect("PEM");
    let twice = vec![
        Certificate::new("s", good.clone()),
        Certificate::new("s", v4),
    ];
    assert!(matches!(
        CertificateStore::from_certificates(twice),
        Err(CertificateError::DuplicateSerial { .. })
    ));
    let same = vec![
        Certificate::new("s", good.clone()),
        Certificate::new("s", good),
    ];
    assert_eq!(
        CertificateStore::from_certificates(same)
            .expect("same key twice")
            .len(),
        1
    );
}

#[test]
fn reply_is_200_json() {
    let r = webhook_reply(&WebhookReply::success());
    assert_eq!(r.status(), http::StatusCode::OK);
    assert_eq!(r.headers()[http::header::CONTENT_TYPE], "application/json");
    assert_eq!(
        r.body().as_slice(),
        br#"{"returnCode":"SUCCESS","returnMessage":null}"#
    );
    let r = webhook_reply(&WebhookReply::fail("busy"));
    let v: serde_json::Value = serde_json::from_slice(r.body()).expect("JSON");
    assert_eq!(v["returnCode"], "FAIL");
}

#[cfg(feature = "signing")]
mod round_trip {
    use std::sync::OnceLock;

    use binancepay_http::server::sign_webhook;
    use binancepay_http::{Nonce, Timestamp};
    use binancepay_sign::webhook::WebhookSigningKey;

    use super::*;

    const SERIAL: &str = "5e9b1d0ad8c34f0e9e2ab2f8c1d7a3b4";

    /// RSA key generation is slow: one 1024-bit key for the whole test binary.
    fn key() -> &'static WebhookSigningKey {
        static KEY: OnceLock<WebhookSigningKey> = OnceLock::new();
        KEY.get_or_init(|| {
            WebhookSigningKey::generate(&mut rand_core::OsRng, 1024).expect("1024-bit key")
        })
    }

    fn our_verifier() -> WebhookVerifier {
        let mut store = CertificateStore::new();
        store
            .insert_pem(SERIAL.to_owned(), &key().public_key_pem())
            .expect("our PEM parses");
        WebhookVerifier::new(store)
    }

    fn nonce() -> Nonce {
        Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA").expect("nonce")
    }

    #[test]
    fn every_sample_webhook_round_trips() {
        let dir = crate::support::path("../binancepay-types/tests/data/samples/webhooks");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).expect("samples") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            let body = std::fs::read(&path).expect("read");
            let now: Timestamp = ts(T0);
            let headers = sign_webhook(key(), SERIAL, &body, now, &nonce()).expect("sign");
            assert_eq!(headers["binancepay-certificate-sn"], SERIAL);
            let n = our_verifier()
                .verify(&headers, &body, now)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // Files are named <bizType>.<bizStatus>[.<variant>].json.
            let mut parts = name.split('.');
            if let (Some(_), Some(status)) = (parts.next(), parts.next()) {
                if status != "json" {
                    assert_eq!(n.biz_status(), status, "{name}");
                }
            }
            count += 1;
        }
        assert!(count >= 20, "{count} samples");
    }

    #[test]
    fn authentic_body_whose_data_is_not_json_is_a_parse_error() {
        let body = br#"{"bizType":"PAY","bizId":1,"bizIdStr":"1","bizStatus":"PAY_SUCCESS","data":"{not json"}"#;
        let headers = sign_webhook(key(), SERIAL, body, ts(T0), &nonce()).expect("sign");
        let e = our_verifier()
            .verify(&headers, body, ts(T0))
            .expect_err("data");
        assert!(matches!(e, WebhookError::Parse(_)), "{e}");
        assert!(e.is_authentic());
        let body = b"not json at all";
        let headers = sign_webhook(key(), SERIAL, body, ts(T0), &nonce()).expect("sign");
        let e = our_verifier()
            .verify(&headers, body, ts(T0))
            .expect_err("body");
        assert!(matches!(e, WebhookError::Parse(_)), "{e}");
    }

    #[test]
    fn a_signed_webhook_request_verifies() {
        let body = sample("webhooks/PAY.PAY_SUCCESS.json");
        let request = binancepay_http::server::webhook_request(
            "https://shop.example.com/binancepay/webhook",
            key(),
            SERIAL,
            body.clone(),
            ts(T0),
            &nonce(),
        )
        .expect("request");
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            request.headers()[http::header::CONTENT_TYPE],
            "application/json"
        );
        let n = our_verifier()
            .verify(request.headers(), request.body(), ts(T0))
            .expect("authentic");
        assert_eq!(n.biz_status(), "PAY_SUCCESS");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        #[test]
        fn any_changed_body_byte_breaks_the_webhook_signature(index in proptest::prelude::any::<proptest::sample::Index>(), flip in 1u8..=255) {
            let body = sample("webhooks/PAY.PAY_SUCCESS.json");
            let headers = sign_webhook(key(), SERIAL, &body, ts(T0), &nonce()).expect("sign");
            let mut tampered = body.clone();
            let i = index.index(tampered.len());
            tampered[i] ^= flip;
            let result = our_verifier().verify(&headers, &tampered, ts(T0));
            proptest::prop_assert!(matches!(result, Err(WebhookError::InvalidSignature(_))));
        }
    }
}
