//! Binance's new platform certificate: webhooks with the old pair only, both pairs, or the
//! `-New` pair only, each against the policy of `binancepay_http::webhook`'s module docs.

// Signing both pairs needs the private keys, hence `signing`.
#![cfg(feature = "signing")]

use binancepay_http::server::{add_new_pair, sign_webhook};
use binancepay_http::webhook::{CertificateStore, WebhookError, WebhookHeaders, WebhookVerifier};
use binancepay_http::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_CERTIFICATE_SN_NEW, BINANCEPAY_SIGNATURE,
    BINANCEPAY_SIGNATURE_NEW, Nonce, SigningHeader,
};
use binancepay_sign::webhook::WebhookSigningKey;
use http::{HeaderMap, HeaderValue};

use crate::support::{T0, read_string, ts, vector, vector_file, vector_str};

const OLD_SERIAL: &str = "0ld5e41a1";
const NEW_SERIAL: &str = "n3w5e41a1";
const BODY: &[u8] = br#"{"bizType":"PAY","bizId":29383937493038367292,"bizIdStr":"29383937493038367292","bizStatus":"PAY_SUCCESS","data":"{\"merchantTradeNo\":\"A1\",\"totalFee\":0.88,\"currency\":\"USDT\"}"}"#;

fn old_key() -> WebhookSigningKey {
    let v = vector("test-signing-key-1024.toml");
    let pem = vector_file(vector_str(&v, "private_key_pkcs8_file"));
    WebhookSigningKey::from_pkcs8_pem(std::str::from_utf8(&pem).expect("PEM text"))
        .expect("vector key")
}

fn new_key() -> WebhookSigningKey {
    WebhookSigningKey::from_pkcs8_pem(&read_string("tests/data/webhook-key-new.pem"))
        .expect("second key")
}

fn store_of(serial: &str, key: &WebhookSigningKey) -> CertificateStore {
    let mut store = CertificateStore::new();
    store
        .insert_pem(serial.to_owned(), &key.public_key_pem())
        .expect("public half");
    store
}

fn nonce() -> Nonce {
    Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").expect("nonce")
}

/// Both pairs over `BODY`, as Binance sends them during the transition.
fn both_pairs() -> HeaderMap {
    let mut headers = sign_webhook(&old_key(), OLD_SERIAL, BODY, ts(T0), &nonce()).expect("sign");
    add_new_pair(&mut headers, &new_key(), NEW_SERIAL, BODY, ts(T0), &nonce()).expect("sign new");
    headers
}

/// The `-New` pair only, as once Binance retires the old certificate.
fn new_pair_only() -> HeaderMap {
    let mut headers = both_pairs();
    headers.remove(BINANCEPAY_CERTIFICATE_SN);
    headers.remove(BINANCEPAY_SIGNATURE);
    headers
}

/// The old pair only, as today.
fn old_pair_only() -> HeaderMap {
    sign_webhook(&old_key(), OLD_SERIAL, BODY, ts(T0), &nonce()).expect("sign")
}

/// A verifier that knows the old list, and the new one when given.
fn verifier(new: Option<CertificateStore>) -> WebhookVerifier {
    WebhookVerifier::new(store_of(OLD_SERIAL, &old_key())).with_new_store(new)
}

fn known_new() -> Option<CertificateStore> {
    Some(store_of(NEW_SERIAL, &new_key()))
}

#[test]
fn old_pair_only_verifies_whether_or_not_the_new_list_is_known() {
    for new in [None, known_new(), Some(CertificateStore::new())] {
        let n = verifier(new)
            .verify(&old_pair_only(), BODY, ts(T0))
            .expect("authentic");
        assert_eq!(n.biz_status(), "PAY_SUCCESS");
    }
    let headers = WebhookHeaders::from_header_map(&old_pair_only()).expect("headers");
    assert_eq!(headers.certificate_sn(), Some(OLD_SERIAL));
    assert_eq!(headers.certificate_sn_new(), None);
    assert_eq!(headers.signature_new(), None);
    assert!(!verifier(None).new_pair_unchecked(&headers));
}

#[test]
fn both_pairs_verify_when_both_lists_are_known() {
    let headers = both_pairs();
    let parsed = WebhookHeaders::from_header_map(&headers).expect("headers");
    assert_eq!(parsed.certificate_sn(), Some(OLD_SERIAL));
    assert_eq!(parsed.certificate_sn_new(), Some(NEW_SERIAL));
    assert_ne!(parsed.signature(), parsed.signature_new(), "two keys");
    let v = verifier(known_new());
    assert!(!v.new_pair_unchecked(&parsed));
    v.verify(&headers, BODY, ts(T0)).expect("authentic");
}

#[test]
fn both_pairs_each_must_verify() {
    // A bad -New signature refuses the webhook although the old pair is valid.
    let mut headers = both_pairs();
    let old_signature = headers.get(BINANCEPAY_SIGNATURE).expect("old").clone();
    headers.insert(BINANCEPAY_SIGNATURE_NEW, old_signature);
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("new signature is the old key's");
    assert!(matches!(e, WebhookError::InvalidNewSignature(_)), "{e}");
    assert!(e.concerns_new_certificate());
    assert!(!e.needs_certificate_refresh());

    // A bad old signature refuses it although the -New pair is valid.
    let mut headers = both_pairs();
    let new_signature = headers.get(BINANCEPAY_SIGNATURE_NEW).expect("new").clone();
    headers.insert(BINANCEPAY_SIGNATURE, new_signature);
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("old signature is the new key's");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
    assert!(!e.concerns_new_certificate());

    // A tampered body fails on the first pair checked.
    let e = verifier(known_new())
        .verify(&both_pairs(), &BODY[1..], ts(T0))
        .expect_err("tampered");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
}

#[test]
fn both_pairs_with_the_new_list_unknown_rest_on_the_old_pair() {
    let headers = both_pairs();
    let parsed = WebhookHeaders::from_header_map(&headers).expect("headers");
    let v = verifier(None);
    assert!(v.new_pair_unchecked(&parsed), "worth a log line");
    v.verify(&headers, BODY, ts(T0))
        .expect("a valid old pair is not blocked");
    // ... but the old pair must still be valid.
    let mut forged = both_pairs();
    forged.insert(
        BINANCEPAY_SIGNATURE,
        forged.get(BINANCEPAY_SIGNATURE_NEW).expect("new").clone(),
    );
    let e = v.verify(&forged, BODY, ts(T0)).expect_err("forged old");
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
}

#[test]
fn a_new_serial_missing_from_a_known_list_asks_for_a_refresh() {
    // Known but empty (before Binance enabled it), or holding another key.
    for new in [
        Some(CertificateStore::new()),
        Some(store_of("other", &new_key())),
    ] {
        let e = verifier(new)
            .verify(&both_pairs(), BODY, ts(T0))
            .expect_err("unknown new serial");
        match &e {
            WebhookError::UnknownNewCertificate { serial } => assert_eq!(serial, NEW_SERIAL),
            other => panic!("{other}"),
        }
        assert!(e.needs_certificate_refresh());
        assert!(e.concerns_new_certificate());
        assert!(!e.is_authentic());
    }
}

#[test]
fn new_pair_only_verifies_against_the_new_list() {
    let headers = new_pair_only();
    let parsed = WebhookHeaders::from_header_map(&headers).expect("headers");
    assert_eq!(parsed.certificate_sn(), None);
    assert_eq!(parsed.signature(), None);
    verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect("authentic");
    // Tampered.
    let e = verifier(known_new())
        .verify(&headers, &BODY[1..], ts(T0))
        .expect_err("tampered");
    assert!(matches!(e, WebhookError::InvalidNewSignature(_)), "{e}");
}

#[test]
fn new_pair_only_needs_the_new_list() {
    let e = verifier(None)
        .verify(&new_pair_only(), BODY, ts(T0))
        .expect_err("no new list");
    assert!(
        matches!(e, WebhookError::UnknownNewCertificate { .. }),
        "{e}"
    );
    assert!(e.needs_certificate_refresh());
}

#[test]
fn a_key_is_only_taken_from_its_own_pairs_list() {
    // The new key served by the old endpoint under the new serial does not verify the -New
    // pair: each list answers only for its own pair.
    let mut old = store_of(OLD_SERIAL, &old_key());
    old.insert_pem(NEW_SERIAL.to_owned(), &new_key().public_key_pem())
        .expect("public half");
    let v = WebhookVerifier::new(old).with_new_store(Some(CertificateStore::new()));
    let e = v
        .verify(&new_pair_only(), BODY, ts(T0))
        .expect_err("not served by the new list");
    assert!(
        matches!(e, WebhookError::UnknownNewCertificate { .. }),
        "{e}"
    );

    // And the old pair is never checked against the new list.
    let v = WebhookVerifier::new(CertificateStore::new())
        .with_new_store(Some(store_of(OLD_SERIAL, &old_key())));
    let e = v
        .verify(&old_pair_only(), BODY, ts(T0))
        .expect_err("not served by the old list");
    assert!(matches!(e, WebhookError::UnknownCertificate { .. }), "{e}");
}

#[test]
fn half_a_pair_or_no_pair_is_refused_naming_the_missing_header() {
    let mut headers = both_pairs();
    headers.remove(BINANCEPAY_SIGNATURE_NEW);
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("half new pair");
    assert!(
        matches!(
            e,
            WebhookError::MissingHeader {
                header: SigningHeader::SignatureNew
            }
        ),
        "{e}"
    );

    let mut headers = new_pair_only();
    headers.remove(BINANCEPAY_CERTIFICATE_SN_NEW);
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("half new pair, no old pair");
    assert!(
        matches!(
            e,
            WebhookError::MissingHeader {
                header: SigningHeader::CertificateSnNew
            }
        ),
        "{e}"
    );

    headers.remove(BINANCEPAY_SIGNATURE_NEW);
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("no pair at all");
    assert!(
        matches!(
            e,
            WebhookError::MissingHeader {
                header: SigningHeader::CertificateSn
            }
        ),
        "{e}"
    );

    let mut headers = both_pairs();
    headers.append(BINANCEPAY_CERTIFICATE_SN_NEW, HeaderValue::from_static("x"));
    let e = verifier(known_new())
        .verify(&headers, BODY, ts(T0))
        .expect_err("repeated");
    assert!(
        matches!(
            e,
            WebhookError::DuplicateHeader {
                header: SigningHeader::CertificateSnNew
            }
        ),
        "{e}"
    );
}

#[test]
fn string_pairs_carry_the_new_pair_in_any_case() {
    let headers = both_pairs();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .expect("header")
            .to_owned()
    };
    let pairs = [
        ("binancepay-timestamp", text("binancepay-timestamp")),
        ("BINANCEPAY-NONCE", text("binancepay-nonce")),
        (
            "BinancePay-Certificate-SN-NEW",
            text("binancepay-certificate-sn-new"),
        ),
        (
            " binancepay-signature-new ",
            text("binancepay-signature-new"),
        ),
    ];
    let parsed = WebhookHeaders::from_pairs(pairs).expect("the -New pair alone");
    assert_eq!(parsed.certificate_sn_new(), Some(NEW_SERIAL));
    verifier(known_new())
        .verify_headers(&parsed, BODY, ts(T0))
        .expect("authentic");
    assert_eq!(
        SigningHeader::from_name("binancepay-signature-new"),
        Some(SigningHeader::SignatureNew)
    );
}
