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

use binancepay_http::parse_response;
use binancepay_types::order::CreateOrderV3Request;
use binancepay_types::webhook::Notification;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/webhook.rs"]
mod webhook;

use webhook::WebhookFixture;

fn bench_webhook(c: &mut Criterion) {
    let WebhookFixture {
        body,
        verifier,
        headers,
        now,
        framed,
        raw_signature,
        reference,
    } = webhook::pay_webhook_2048();

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
        b.iter(|| reference.verify_sig(black_box(&framed), black_box(&raw_signature)));
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
