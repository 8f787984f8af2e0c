//! The in-process goals as paired, interleaved ratios: ours and the reference alternate in short
//! rounds, so both see the same machine. The criterion groups (`http.rs`, `client.rs`) time each
//! function in its own window of seconds; on a shared machine whose speed drifts by tens of percent
//! within a minute their quotient drifts with it. Here each round times ours and the reference back
//! to back (order alternating), and the figures are the ratio of the fastest rounds and the median
//! of the per-round ratios.
//!
//! ```sh
//! cargo bench -p binancepay-benches --bench paired              # every pair, 200 rounds
//! cargo bench -p binancepay-benches --bench paired -- webhook --rounds 400
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use binancepay_benches::fixtures;
use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp};
use binancepay_types::Endpoint;
use binancepay_types::order::CreateOrderV3Request;

#[path = "support/webhook.rs"]
mod webhook;

use webhook::WebhookFixture;

const TIMESTAMP: &str = "1619508939664";
const NONCE: &str = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";
/// Each timed run of one side lasts about this long.
const ROUND: Duration = Duration::from_millis(2);

/// Ours and the reference, with the goal on ours / reference when there is one.
struct Pair {
    name: &'static str,
    ours: &'static str,
    reference: &'static str,
    goal: Option<f64>,
    run_ours: Box<dyn FnMut()>,
    run_reference: Box<dyn FnMut()>,
}

fn main() {
    let mut rounds = 200usize;
    let mut filter = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            // Passed by `cargo bench` to every target.
            "--bench" => {}
            other if !other.starts_with('-') => filter = Some(other.to_owned()),
            _ => {}
        }
    }
    let pairs = build_sign_pairs().into_iter().chain(webhook_pairs());
    for mut pair in pairs {
        if filter.as_deref().is_some_and(|f| !pair.name.contains(f)) {
            continue;
        }
        report(&mut pair, rounds.max(3));
    }
}

fn build_sign_pairs() -> Vec<Pair> {
    let order: CreateOrderV3Request = fixtures::create_order().expect("sample order");
    let builder = RequestBuilder::new(
        ApiKey::new(fixtures::API_KEY).expect("key"),
        &ApiSecret::new(fixtures::API_SECRET).expect("secret"),
    )
    .expect("builder");
    let timestamp = Timestamp::parse(TIMESTAMP).expect("ms");
    let nonce = Nonce::new(NONCE).expect("nonce");
    let body = builder
        .build(&order, timestamp, &nonce)
        .expect("valid order")
        .into_body();
    let key = hmac::Key::new(hmac::HMAC_SHA512, fixtures::API_SECRET.as_bytes());
    let bare_hmac = {
        let body = body.clone();
        move || {
            let mut ctx = hmac::Context::with_key(black_box(&key));
            ctx.update(TIMESTAMP.as_bytes());
            ctx.update(b"\n");
            ctx.update(NONCE.as_bytes());
            ctx.update(b"\n");
            ctx.update(black_box(&body));
            ctx.update(b"\n");
            black_box(ctx.sign());
        }
    };
    let signer =
        binancepay_sign::RequestSigner::new(&ApiSecret::new(fixtures::API_SECRET).expect("secret"));
    let order_for_write = order.clone();
    vec![
        Pair {
            name: "build_sign/create_order_v3",
            ours: "RequestBuilder::build (validate, write body, sign, request)",
            reference: "bare aws-lc HMAC-SHA512 of the same signed bytes",
            goal: Some(1.5),
            run_ours: Box::new(move || {
                black_box(
                    builder
                        .build(black_box(&order), timestamp, black_box(&nonce))
                        .expect("build"),
                );
            }),
            run_reference: Box::new(bare_hmac.clone()),
        },
        Pair {
            name: "sign/create_order_v3",
            ours: "RequestSigner::sign (HMAC + upper-case hex)",
            reference: "bare aws-lc HMAC-SHA512",
            goal: None,
            run_ours: Box::new({
                let body = body.clone();
                move || {
                    black_box(signer.sign(&timestamp, &nonce, black_box(&body)));
                }
            }),
            run_reference: Box::new(bare_hmac),
        },
        Pair {
            name: "write_body/create_order_v3",
            ours: "Endpoint::write_body (generated writer)",
            reference: "serde_json::to_writer of the same request",
            goal: None,
            run_ours: Box::new({
                let order = order_for_write.clone();
                move || {
                    let mut out = Vec::with_capacity(2048);
                    black_box(&order).write_body(&mut out).expect("JSON");
                    black_box(out);
                }
            }),
            run_reference: Box::new(move || {
                let mut out = Vec::with_capacity(2048);
                serde_json::to_writer(&mut out, black_box(&order_for_write)).expect("JSON");
                black_box(out);
            }),
        },
    ]
}

fn webhook_pairs() -> Vec<Pair> {
    let WebhookFixture {
        body,
        verifier,
        headers,
        now,
        framed,
        raw_signature,
        reference,
    } = webhook::pay_webhook_2048();
    vec![Pair {
        name: "webhook/verify_parse_2048",
        ours: "WebhookVerifier::verify (headers, base64, RSA-2048, freshness, typed parse)",
        reference: "bare aws-lc RSA-2048 PKCS#1 v1.5 verify, signature pre-decoded",
        goal: Some(1.3),
        run_ours: Box::new(move || {
            black_box(
                verifier
                    .verify(black_box(&headers), black_box(&body), now)
                    .expect("verifies"),
            );
        }),
        run_reference: Box::new(move || {
            black_box(reference.verify_sig(black_box(&framed), black_box(&raw_signature)))
                .expect("verifies");
        }),
    }]
}

/// Nanoseconds per call over `iterations` calls.
fn time(run: &mut dyn FnMut(), iterations: u32) -> f64 {
    let started = Instant::now();
    for _ in 0..iterations {
        run();
    }
    started.elapsed().as_nanos() as f64 / f64::from(iterations)
}

/// Calls per round so that one side's round lasts about [`ROUND`].
fn calibrate(run: &mut dyn FnMut()) -> u32 {
    let mut iterations = 1u32;
    loop {
        let started = Instant::now();
        for _ in 0..iterations {
            run();
        }
        let took = started.elapsed();
        if took >= ROUND / 4 || iterations >= 1 << 24 {
            let per_call = took.as_nanos().max(1) as f64 / f64::from(iterations);
            return ((ROUND.as_nanos() as f64 / per_call) as u32).max(1);
        }
        iterations *= 2;
    }
}

fn report(pair: &mut Pair, rounds: usize) {
    // Warm both up, then size the rounds.
    time(pair.run_ours.as_mut(), 100);
    time(pair.run_reference.as_mut(), 100);
    let ours_n = calibrate(pair.run_ours.as_mut());
    let reference_n = calibrate(pair.run_reference.as_mut());
    let mut ours = Vec::with_capacity(rounds);
    let mut reference = Vec::with_capacity(rounds);
    for round in 0..rounds {
        if round % 2 == 0 {
            ours.push(time(pair.run_ours.as_mut(), ours_n));
            reference.push(time(pair.run_reference.as_mut(), reference_n));
        } else {
            reference.push(time(pair.run_reference.as_mut(), reference_n));
            ours.push(time(pair.run_ours.as_mut(), ours_n));
        }
    }
    let mut ratios: Vec<f64> = ours.iter().zip(&reference).map(|(o, r)| o / r).collect();
    ratios.sort_by(f64::total_cmp);
    ours.sort_by(f64::total_cmp);
    reference.sort_by(f64::total_cmp);
    let quantile = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let best_ratio = ours[0] / reference[0];
    let median_ratio = quantile(&ratios, 0.5);
    println!("{}", pair.name);
    println!(
        "  ours       {:>10.1} ns best, {:>10.1} ns median  {}",
        ours[0],
        quantile(&ours, 0.5),
        pair.ours
    );
    println!(
        "  reference  {:>10.1} ns best, {:>10.1} ns median  {}",
        reference[0],
        quantile(&reference, 0.5),
        pair.reference
    );
    let goal = match pair.goal {
        Some(goal) if median_ratio <= goal => format!("goal <= {goal}x: met"),
        Some(goal) => format!("goal <= {goal}x: missed"),
        None => "no goal".to_owned(),
    };
    println!(
        "  ratio      {best_ratio:.3}x of the best rounds, {median_ratio:.3}x median of {rounds} paired rounds \
         (p10 {:.3}x, p90 {:.3}x); {goal}",
        quantile(&ratios, 0.1),
        quantile(&ratios, 0.9)
    );
    println!(
        "RESULT pair={} ours_best_ns={:.1} reference_best_ns={:.1} ratio_best={best_ratio:.4} ratio_median={median_ratio:.4} rounds={rounds}",
        pair.name, ours[0], reference[0]
    );
}
