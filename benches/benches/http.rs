//! binancepay-http: building and signing a v3 create-order request, and parsing a
//! query-order response, each beside bare aws-lc HMAC-SHA512 of the same signed bytes so the
//! result reads as a ratio (goal: build + sign ≤ 1.5 × bare HMAC).

use std::hint::black_box;
use std::path::PathBuf;

use aws_lc_rs::hmac;
use binancepay_benches::fixtures;
use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp, parse_response};
use binancepay_types::Endpoint;
use binancepay_types::order::{CreateOrderV3Request, QueryOrderV2Request};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/binancepay-types/tests/data/samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench_http(c: &mut Criterion) {
    let order: CreateOrderV3Request =
        serde_json::from_slice(&sample("create_order_v3.request.json")).expect("sample order");
    let builder = RequestBuilder::new(
        ApiKey::new(fixtures::API_KEY).expect("key"),
        &ApiSecret::new(fixtures::API_SECRET).expect("secret"),
    )
    .expect("builder");
    let timestamp = Timestamp::from_millis(1_611_232_922_428).expect("ms");
    let nonce = Nonce::new("5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA").expect("nonce");
    let request = builder
        .build(&order, timestamp, &nonce)
        .expect("valid order");
    let body = request.body().clone();
    let key = hmac::Key::new(hmac::HMAC_SHA512, fixtures::API_SECRET.as_bytes());

    let mut group = c.benchmark_group("http/create_order_v3");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("build_and_sign", |b| {
        b.iter(|| {
            builder
                .build(black_box(&order), timestamp, black_box(&nonce))
                .expect("build")
        });
    });
    // The reference: only the MAC over the very bytes `build` signs (timestamp\nnonce\nbody\n).
    group.bench_function("bare_hmac_sha512_aws_lc", |b| {
        b.iter(|| {
            let mut ctx = hmac::Context::with_key(black_box(&key));
            ctx.update(b"1611232922428\n");
            ctx.update(nonce.as_str().as_bytes());
            ctx.update(b"\n");
            ctx.update(black_box(&body));
            ctx.update(b"\n");
            ctx.sign()
        });
    });
    // The parts of `build_and_sign`, to see where its time goes.
    group.bench_function("part_validate", |b| {
        b.iter(|| black_box(&order).validate().expect("valid"));
    });
    group.bench_function("part_serialize", |b| {
        b.iter(|| serde_json::to_vec(black_box(&order)).expect("JSON"));
    });
    // What `build` uses: the generated direct writer, the same bytes as serde_json.
    group.bench_function("part_write_body", |b| {
        b.iter(|| {
            let mut body = Vec::with_capacity(2048);
            black_box(&order).write_body(&mut body).expect("JSON");
            body
        });
    });
    let signer =
        binancepay_sign::RequestSigner::new(&ApiSecret::new(fixtures::API_SECRET).expect("secret"));
    group.bench_function("part_sign", |b| {
        b.iter(|| signer.sign(&timestamp, &nonce, black_box(&body)));
    });
    let mut resign_me = request.clone();
    group.bench_function("resign", |b| {
        b.iter(|| {
            builder
                .resign(black_box(&mut resign_me), timestamp, &nonce)
                .expect("resign")
        });
    });
    group.finish();

    let response = http::Response::new(sample("query_order_v2.paid.response.json"));
    let mut group = c.benchmark_group("http/query_order_v2");
    group.throughput(Throughput::Bytes(response.body().len() as u64));
    group.bench_function("parse_response", |b| {
        b.iter(|| parse_response::<QueryOrderV2Request, _>(black_box(&response)).expect("parse"));
    });
    group.bench_function("bare_hmac_sha512_aws_lc_of_response", |b| {
        b.iter(|| hmac::sign(black_box(&key), black_box(response.body())));
    });
    group.finish();
}

criterion_group!(benches, bench_http);
criterion_main!(benches);
