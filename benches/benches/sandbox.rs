//! The sandbox and the SDK client over loopback HTTP/1.1 with keep-alive, in one process on
//! one tokio runtime (as many workers as cores):
//!
//! * `sandbox/round_trip`: one caller. An authenticated v3 create-order (unique trade number)
//!   and a v2 query, each beside the same signed create-order bytes sent to the sandbox's
//!   trivial route `GET /sandbox/clock` (no authentication, validation or state; it ignores the
//!   body). Both sides use binancepay-http to build and bare reqwest to send, so the difference
//!   is the server's work. Client and server share the cores: `loadgen --server-pid` measures
//!   the server's CPU per request on its own (see benches/README.md).
//! * `sandbox/sdk_concurrency/{1..64}`: `binancepay_client::Client::orders().query_v2` with
//!   1 to 64 concurrent callers; the time is per request, so flat means throughput scales.

use std::sync::Arc;
use std::time::{Duration, Instant};

use binancepay_benches::fixtures::{self, TradeNumbers};
use binancepay_client::{Client, RetryPolicy};
use binancepay_http::{RequestBuilder, parse_response};
use binancepay_sandbox::{RunningSandbox, Sandbox};
use binancepay_types::order::{CreateOrderV3Request, QueryOrderV2Request};
use criterion::{BenchmarkId, Criterion, Throughput};
use tokio::runtime::Runtime;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn send(
    http: &reqwest::Client,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, BoxError> {
    let answer = http.execute(reqwest::Request::try_from(request)?).await?;
    let status = answer.status();
    let body = answer.bytes().await?.to_vec();
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    Ok(response)
}

fn start(runtime: &Runtime) -> RunningSandbox {
    let pem = fixtures::data("webhook-key-2048.pkcs8.pem").expect("key");
    runtime
        .block_on(
            Sandbox::builder()
                .api_key(fixtures::API_KEY)
                .api_secret(fixtures::API_SECRET)
                .webhook_key_pem(String::from_utf8(pem).expect("PEM text"))
                .start(),
        )
        .expect("sandbox starts")
}

fn bench_round_trip(c: &mut Criterion, runtime: &Runtime, sandbox: &RunningSandbox) {
    let builder: RequestBuilder = sandbox.request_builder().expect("builder");
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest");
    let mut order = fixtures::create_order().expect("order");
    let numbers = TradeNumbers::new();
    let trivial: http::Uri = format!("{}/sandbox/clock", sandbox.base_url())
        .parse()
        .expect("URI");
    let mut seq = 0u64;
    let mut next_order = move || {
        seq += 1;
        order.merchant_trade_no = numbers.get(0, seq);
        order.clone()
    };
    let seeded = next_order();
    runtime
        .block_on(async {
            let response = send(&http, builder.build_now(&seeded)?).await?;
            parse_response::<CreateOrderV3Request, _>(&response)?;
            Ok::<_, BoxError>(())
        })
        .expect("seed order");
    let query = QueryOrderV2Request::new().with_merchant_trade_no(seeded.merchant_trade_no.clone());

    let mut group = c.benchmark_group("sandbox/round_trip");
    group.throughput(Throughput::Elements(1));
    group.bench_function("create_order_v3", |b| {
        b.iter(|| {
            let order = next_order();
            runtime.block_on(async {
                let response = send(&http, builder.build_now(&order).expect("build"))
                    .await
                    .expect("sent");
                parse_response::<CreateOrderV3Request, _>(&response).expect("created")
            })
        });
    });
    group.bench_function("query_order_v2", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = send(&http, builder.build_now(&query).expect("build"))
                    .await
                    .expect("sent");
                parse_response::<QueryOrderV2Request, _>(&response).expect("queried")
            })
        });
    });
    group.bench_function("trivial_route_same_bytes", |b| {
        b.iter(|| {
            let mut request = builder.build_now(&seeded).expect("build");
            *request.method_mut() = http::Method::GET;
            *request.uri_mut() = trivial.clone();
            runtime.block_on(async {
                let response = send(&http, request).await.expect("sent");
                assert!(response.status().is_success());
                response
            })
        });
    });
    group.finish();
}

fn bench_concurrency(c: &mut Criterion, runtime: &Runtime, sandbox: &RunningSandbox) {
    let client = Client::builder()
        .credentials(sandbox.api_key(), sandbox.api_secret())
        .base_url(sandbox.base_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client");
    let mut order = fixtures::create_order().expect("order");
    order.merchant_trade_no = TradeNumbers::new().get(99, 0);
    runtime
        .block_on(client.orders().create_v3(&order))
        .expect("seed order");
    let query =
        Arc::new(QueryOrderV2Request::new().with_merchant_trade_no(order.merchant_trade_no));

    let mut group = c.benchmark_group("sandbox/sdk_concurrency");
    group.throughput(Throughput::Elements(1));
    for callers in [1u64, 4, 16, 64] {
        group.bench_function(BenchmarkId::from_parameter(callers), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let started = Instant::now();
                    let tasks: Vec<_> = (0..callers)
                        .map(|i| {
                            // Share `iters` requests out among the callers.
                            let share = iters / callers + u64::from(i < iters % callers);
                            let client = client.clone();
                            let query = Arc::clone(&query);
                            tokio::spawn(async move {
                                for _ in 0..share {
                                    client.orders().query_v2(&query).await.expect("queried");
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("caller");
                    }
                    started.elapsed()
                })
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = start(&runtime);
    bench_round_trip(c, &runtime, &sandbox);
    bench_concurrency(c, &runtime, &sandbox);
    let report = runtime.block_on(sandbox.shutdown());
    assert!(report.is_clean(), "{report:?}");
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
