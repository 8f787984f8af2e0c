//! What one call costs a client in process, each beside a reference in the same run, so the
//! results read as ratios:
//!
//! * `goal/webhook_verify_parse_2048`: a PAY notification through
//!   `binancepay_http::WebhookVerifier::verify` (headers, certificate lookup, base64, RSA-2048
//!   on the aws-lc backend, freshness, typed parse of the envelope and its `data` string) vs
//!   bare aws-lc-rs `ParsedPublicKey::verify_sig` over the same framed bytes with the signature
//!   already decoded. Goal: ≤ 1.3×.
//! * `response/create_order_v3`: `parse_response` of the create-order answer into its typed
//!   `data` vs `serde_json::Value` of the same bytes (an untyped parse, the least a caller does).
//!
//! Build + sign of the create-order itself (goal ≤ 1.5× bare HMAC) is `http/create_order_v3` in
//! `benches/http.rs`; `sign/*` and `webhook_verify/*` in `benches/sign.rs` isolate the crypto.

use std::hint::black_box;

use aws_lc_rs::signature;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use binancepay_benches::fixtures;
use binancepay_http::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP,
    CertificateStore, Timestamp, WebhookVerifier, parse_response,
};
use binancepay_sign::string_to_sign;
use binancepay_sign::webhook::{Backend, WebhookSigningKey};
use binancepay_types::order::CreateOrderV3Request;
use binancepay_types::webhook::Notification;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue};

const TIMESTAMP: &str = "1619508939664";
const NONCE: &str = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";
const SERIAL: &str = "0ce4e0bb1c1e5ffd6c2e8f4c1a11b2e5";

fn text(name: &str) -> String {
    let bytes = fixtures::data(name).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{value}: {e}"))
}

fn bench_webhook(c: &mut Criterion) {
    let body = fixtures::data("pay_webhook.json").expect("webhook body");
    let signing = WebhookSigningKey::from_pkcs8_pem(&text("webhook-key-2048.pkcs8.pem"))
        .expect("benchmark key");
    let signature_b64 = signing.sign(TIMESTAMP, NONCE, &body).expect("sign");

    let mut store = CertificateStore::new();
    store
        .insert_pem(SERIAL.to_owned(), &signing.public_key_pem())
        .expect("store");
    assert_eq!(
        store.get(SERIAL).map(|k| k.backend()),
        Some(Backend::AwsLc),
        "the verifier must run on aws-lc for this comparison"
    );
    let verifier = WebhookVerifier::new(store);
    let mut headers = HeaderMap::new();
    headers.insert(BINANCEPAY_TIMESTAMP, header(TIMESTAMP));
    headers.insert(BINANCEPAY_NONCE, header(NONCE));
    headers.insert(BINANCEPAY_CERTIFICATE_SN, header(SERIAL));
    headers.insert(BINANCEPAY_SIGNATURE, header(&signature_b64));
    let now = Timestamp::parse(TIMESTAMP).expect("timestamp");
    let parsed = verifier.verify(&headers, &body, now).expect("verifies");
    assert!(matches!(parsed, Notification::Pay(_)), "{parsed:?}");

    // The reference gets the framed bytes and the raw signature prepared outside the loop.
    let framed = string_to_sign(TIMESTAMP, NONCE, &body);
    let signature_raw = STANDARD.decode(&signature_b64).expect("base64");
    let pkcs1 = signing.public_key().to_pkcs1_der();
    let reference = signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &pkcs1)
        .expect("parsed key");
    assert!(reference.verify_sig(&framed, &signature_raw).is_ok());

    let mut group = c.benchmark_group("goal/webhook_verify_parse_2048");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("binancepay_http_verify_and_parse", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&headers), black_box(&body), now)
                .expect("verifies")
        });
    });
    group.bench_function("aws_lc_rsa2048_verify", |b| {
        b.iter(|| reference.verify_sig(black_box(&framed), black_box(&signature_raw)));
    });
    // The parse alone, to see what the typed notification adds.
    group.bench_function("part_notification_from_slice", |b| {
        b.iter(|| Notification::from_slice(black_box(&body)).expect("parses"));
    });
    group.finish();
}

fn bench_response(c: &mut Criterion) {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/binancepay-types/tests/data/samples/create_order_v3.response.json");
    let body = std::fs::read(&sample).unwrap_or_else(|e| panic!("{}: {e}", sample.display()));
    let response = http::Response::new(body);
    let created = parse_response::<CreateOrderV3Request, _>(&response).expect("parses");
    assert_eq!(created.prepay_id.as_str(), "384582194812551168");

    let mut group = c.benchmark_group("response/create_order_v3");
    group.throughput(Throughput::Bytes(response.body().len() as u64));
    group.bench_function("binancepay_http_parse_response", |b| {
        b.iter(|| parse_response::<CreateOrderV3Request, _>(black_box(&response)).expect("parses"));
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(black_box(response.body())).expect("JSON")
        });
    });
    group.finish();
}

criterion_group!(benches, bench_webhook, bench_response);
criterion_main!(benches);
