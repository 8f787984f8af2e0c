//! How the cost of signing grows with the body (300 B, 10 KB, 1 MB), each size beside bare
//! aws-lc-rs HMAC-SHA512 of the same signed bytes in the same run:
//!
//! * `scaling/sign/*`: `RequestSigner::sign` (framing, HMAC, upper-case hex).
//! * `scaling/build_sign/*`: `RequestBuilder::build` of a typed v3 create-order whose goods
//!   list makes the body that size (validate, serialise, sign, headers).
//! * `scaling/build_raw_sign/*`: `RequestBuilder::build_raw` of a body serialised elsewhere
//!   (copy in, JSON-object check, sign, headers).
//!
//! Concurrency scaling against the sandbox is `sandbox/sdk_concurrency` in `benches/sandbox.rs`.

use std::hint::black_box;

use aws_lc_rs::hmac;
use binancepay_benches::fixtures;
use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp};
use binancepay_sign::RequestSigner;
use binancepay_types::order::{CreateOrderV3Request, Env, Goods};
use binancepay_types::{Amount, Endpoint as _, enums};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [(&str, usize); 3] = [("300B", 300), ("10KB", 10 * 1024), ("1MB", 1024 * 1024)];
const TIMESTAMP_MS: u64 = 1_611_232_922_428;
const NONCE: &str = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";

/// A valid create-order whose JSON is close to `len` bytes (items of about 100 B).
fn order_of_size(len: usize) -> CreateOrderV3Request {
    let goods = |i: usize| {
        Goods::new(
            enums::GoodsType::Virtual,
            enums::GoodsCategory::GameAndRecharge,
            format!("gem{i}"),
            "100 gems",
        )
    };
    let mut order = CreateOrderV3Request::new(
        Env::new(enums::TerminalType::Web),
        "9825382937292",
        "Gems",
        vec![goods(0)],
    )
    .with_currency("USDT")
    .with_order_amount(Amount::new("25.17").expect("amount"));
    // Items all serialise to about the same size: measure one, then add as many as fit.
    let json_len = |order: &CreateOrderV3Request| serde_json::to_vec(order).expect("JSON").len();
    let one = json_len(&order);
    order.goods_details.push(goods(1));
    let per_item = json_len(&order).saturating_sub(one).max(1);
    let extra = len.saturating_sub(one + 100) / per_item;
    order.goods_details.truncate(1);
    order.goods_details.extend((1..=extra).map(goods));
    // Pad the description to land close to `len`.
    let short = len.saturating_sub(serde_json::to_vec(&order).expect("JSON").len());
    order.description.push_str(&"x".repeat(short.min(200)));
    order.validate().expect("a valid order");
    order
}

fn reference(key: &hmac::Key, nonce: &Nonce, body: &[u8]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(key);
    ctx.update(b"1611232922428\n");
    ctx.update(nonce.as_str().as_bytes());
    ctx.update(b"\n");
    ctx.update(body);
    ctx.update(b"\n");
    ctx.sign()
}

fn bench_scaling(c: &mut Criterion) {
    let secret = ApiSecret::new(fixtures::API_SECRET).expect("secret");
    let builder = RequestBuilder::new(ApiKey::new(fixtures::API_KEY).expect("key"), &secret)
        .expect("builder");
    let signer = RequestSigner::new(&secret);
    let key = hmac::Key::new(hmac::HMAC_SHA512, fixtures::API_SECRET.as_bytes());
    let timestamp = Timestamp::from_millis(TIMESTAMP_MS).expect("ms");
    let nonce = Nonce::new(NONCE).expect("nonce");

    let mut sign = c.benchmark_group("scaling/sign");
    for (label, len) in SIZES {
        let body = fixtures::json_body(len);
        sign.throughput(Throughput::Bytes(len as u64));
        sign.bench_function(BenchmarkId::new("binancepay_sign", label), |b| {
            b.iter(|| signer.sign(&timestamp, &nonce, black_box(&body)));
        });
        sign.bench_function(BenchmarkId::new("aws_lc_hmac_sha512", label), |b| {
            b.iter(|| reference(black_box(&key), &nonce, black_box(&body)));
        });
    }
    sign.finish();

    let mut typed = c.benchmark_group("scaling/build_sign");
    for (label, len) in SIZES {
        let order = order_of_size(len);
        let body = builder
            .build(&order, timestamp, &nonce)
            .expect("build")
            .into_body();
        typed.throughput(Throughput::Bytes(body.len() as u64));
        typed.bench_function(BenchmarkId::new("binancepay_http_build", label), |b| {
            b.iter(|| {
                builder
                    .build(black_box(&order), timestamp, &nonce)
                    .expect("build")
            });
        });
        typed.bench_function(BenchmarkId::new("aws_lc_hmac_sha512", label), |b| {
            b.iter(|| reference(black_box(&key), &nonce, black_box(&body)));
        });
    }
    typed.finish();

    let mut raw = c.benchmark_group("scaling/build_raw_sign");
    let path = "/binancepay/openapi/v3/order";
    for (label, len) in SIZES {
        let body = fixtures::json_body(len);
        raw.throughput(Throughput::Bytes(len as u64));
        raw.bench_function(BenchmarkId::new("binancepay_http_build_raw", label), |b| {
            b.iter(|| {
                builder
                    .build_raw(path, black_box(body.as_slice()), timestamp, &nonce)
                    .expect("build_raw")
            });
        });
        raw.bench_function(BenchmarkId::new("aws_lc_hmac_sha512", label), |b| {
            b.iter(|| reference(black_box(&key), &nonce, black_box(&body)));
        });
    }
    raw.finish();
}

criterion_group!(benches, bench_scaling);
criterion_main!(benches);
