//! binancepay-sign against aws-lc-rs, measured in the same run so the results read as ratios.
//!
//! * `sign/{300B,10KB}`: `RequestSigner::sign` vs aws-lc-rs `hmac::sign` (HMAC-SHA512) plus
//!   upper-case hex of the same framed input. Goal: ours ≤ 1.0× the reference.
//!   `aws_lc_hmac_hex_pieces` feeds the same bytes in the signer's three pieces (the body is
//!   never copied), which is the floor for small bodies.
//! * `webhook_verify/{2048,4096}`: `WebhookPublicKey::verify` on each backend vs bare aws-lc-rs
//!   `UnparsedPublicKey::verify` (which parses the key on every call, as a naive caller would) and
//!   `ParsedPublicKey::verify_sig` (key parsed once). Goal: native RSA-2048 ≤ 1.3× the bare call.

use std::hint::black_box;
use std::path::PathBuf;

use aws_lc_rs::{hmac, signature};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use binancepay_benches::fixtures;
use binancepay_sign::webhook::{Backend, WebhookPublicKey, WebhookSigningKey};
use binancepay_sign::{ApiSecret, Nonce, RequestSigner, Timestamp, string_to_sign};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const TIMESTAMP: &str = "1611232922428";
const NONCE: &str = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";

/// A JSON-looking body of exactly `len` bytes.
fn body(len: usize) -> Vec<u8> {
    let mut body =
        br#"{"merchantTradeNo":"9825382937292","orderAmount":"25.17","goods":""#.to_vec();
    body.resize(len.saturating_sub(2), b'x');
    body.extend_from_slice(br#""}"#);
    body.truncate(len);
    body
}

/// The reference's hex step: table lookup into a stack buffer, as a C implementation would do.
fn upper_hex(tag: &[u8], out: &mut [u8; 128]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for (pair, byte) in out.chunks_exact_mut(2).zip(tag) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0F)];
    }
}

fn bench_sign(c: &mut Criterion) {
    let signer = RequestSigner::new(&ApiSecret::new(fixtures::API_SECRET).expect("secret"));
    let key = hmac::Key::new(hmac::HMAC_SHA512, fixtures::API_SECRET.as_bytes());
    let timestamp = Timestamp::parse(TIMESTAMP).expect("timestamp");
    let nonce = Nonce::new(NONCE).expect("nonce");

    let mut group = c.benchmark_group("sign");
    for (label, len) in [("300B", 300), ("10KB", 10 * 1024)] {
        let body = body(len);
        // The reference gets the framed input prebuilt, outside the timed loop.
        let framed = string_to_sign(TIMESTAMP, NONCE, &body);
        let mut reference = [0u8; 128];
        upper_hex(hmac::sign(&key, &framed).as_ref(), &mut reference);
        assert_eq!(
            signer.sign(&timestamp, &nonce, &body).as_str().as_bytes(),
            &reference[..]
        );

        group.throughput(Throughput::Bytes(framed.len() as u64));
        group.bench_function(BenchmarkId::new("binancepay_sign", label), |b| {
            b.iter(|| signer.sign(black_box(&timestamp), black_box(&nonce), black_box(&body)));
        });
        group.bench_function(BenchmarkId::new("aws_lc_hmac_hex", label), |b| {
            b.iter(|| {
                let mut out = [0u8; 128];
                upper_hex(
                    hmac::sign(black_box(&key), black_box(&framed)).as_ref(),
                    &mut out,
                );
                out
            });
        });
        // The same MAC fed as header, body and final LF without copying the body, which is what
        // the signer does: the cost of the two extra update calls, visible on small bodies.
        let head = &framed[..framed.len() - body.len() - 1];
        group.bench_function(BenchmarkId::new("aws_lc_hmac_hex_pieces", label), |b| {
            b.iter(|| {
                let mut context = hmac::Context::with_key(black_box(&key));
                context.update(black_box(head));
                context.update(black_box(&body));
                context.update(b"\n");
                let mut out = [0u8; 128];
                upper_hex(context.sign().as_ref(), &mut out);
                out
            });
        });
    }
    group.finish();
}

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench_webhook_verify(c: &mut Criterion) {
    let body = br#"{"bizType":"PAY","data":"{\"merchantTradeNo\":\"9825382937292\",\"totalFee\":0.88000000,\"transactTime\":1619508939664,\"currency\":\"EUR\",\"commission\":0,\"openUserId\":\"1211HS10K81f4273ac031\",\"productType\":\"Food\",\"productName\":\"Ice Cream\",\"tradeType\":\"WEB\",\"transactionId\":\"M_R_282737362839373\"}","bizId":29383937493038367292,"bizStatus":"PAY_SUCCESS"}"#;
    let framed = string_to_sign(TIMESTAMP, NONCE, body);

    let mut group = c.benchmark_group("webhook_verify");
    for bits in [2048, 4096] {
        let signing =
            WebhookSigningKey::from_pkcs8_pem(&data(&format!("webhook-key-{bits}.pkcs8.pem")))
                .expect("benchmark key");
        let signature_b64 = signing.sign(TIMESTAMP, NONCE, body).expect("sign");
        // The references get the raw signature, decoded outside the timed loop.
        let signature_raw = STANDARD.decode(&signature_b64).expect("base64");
        let public = signing.public_key();
        let pkcs1 = public.to_pkcs1_der();
        let label = bits.to_string();

        for backend in [Backend::AwsLc, Backend::RustCrypto] {
            let key: WebhookPublicKey = public.with_backend(backend).expect("backend");
            assert_eq!(key.verify(TIMESTAMP, NONCE, body, &signature_b64), Ok(()));
            let name = match backend {
                Backend::AwsLc => "binancepay_sign_aws_lc",
                _ => "binancepay_sign_rustcrypto",
            };
            group.bench_function(BenchmarkId::new(name, &label), |b| {
                b.iter(|| key.verify(TIMESTAMP, NONCE, black_box(body), black_box(&signature_b64)));
            });
        }

        let algorithm = &signature::RSA_PKCS1_2048_8192_SHA256;
        let unparsed = signature::UnparsedPublicKey::new(algorithm, &pkcs1);
        assert!(unparsed.verify(&framed, &signature_raw).is_ok());
        group.bench_function(BenchmarkId::new("aws_lc_unparsed_verify", &label), |b| {
            b.iter(|| unparsed.verify(black_box(&framed), black_box(&signature_raw)));
        });
        let parsed = signature::ParsedPublicKey::new(algorithm, &pkcs1).expect("parsed key");
        group.bench_function(BenchmarkId::new("aws_lc_parsed_verify", &label), |b| {
            b.iter(|| parsed.verify_sig(black_box(&framed), black_box(&signature_raw)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sign, bench_webhook_verify);
criterion_main!(benches);
