//! Graceful shutdown: in-flight requests finish, pending webhooks are delivered at once or
//! reported, and the port stops accepting.

use std::time::{Duration, Instant};

use binancepay_sandbox::{DeliveryStatus, Fault, FaultPlan, FaultRule};
use binancepay_types::certificate::QueryCertificatesRequest;

use crate::orders::paid_order;
use crate::support::{Client, LIMIT, Receiver, builder, start};

#[tokio::test]
async fn in_flight_requests_finish_and_new_connections_are_refused() {
    let slow = FaultPlan::new(0).with_rule(FaultRule::new(Fault::Latency { ms: 400 }, 1.0));
    let sandbox = start(builder().faults(slow)).await;
    let client = Client::new(&sandbox);
    let addr = sandbox.addr();
    let request = client
        .builder
        .build_now(&QueryCertificatesRequest::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let in_flight = tokio::spawn(async move { client.send(request).await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    let report = tokio::time::timeout(LIMIT, sandbox.shutdown())
        .await
        .unwrap_or_else(|_| panic!("shutdown hung"));
    assert!(report.is_clean());
    let status = in_flight.await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        status.ok().map(|s| s.as_u16()),
        Some(200),
        "the in-flight request was cut off"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "shutdown did not wait for it"
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn shutdown_delivers_webhooks_waiting_for_a_retry() {
    let receiver = Receiver::start(2).await;
    // Retries would wait 30 s and 60 s; shutdown must not wait that long.
    let sandbox = start(
        builder()
            .webhook_url(receiver.url())
            .retry_base_delay(Duration::from_secs(30)),
    )
    .await;
    let client = Client::new(&sandbox);
    paid_order(&client, "LATE1", "1").await;
    crate::support::wait_deliveries(&sandbox, |d| d.first().is_some_and(|d| d.attempts >= 1)).await;

    let started = Instant::now();
    let report = tokio::time::timeout(LIMIT, sandbox.shutdown())
        .await
        .unwrap_or_else(|_| panic!("shutdown hung"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(report.is_clean(), "{report:#?}");
    assert_eq!(report.delivered(), 1);
    assert_eq!(report.deliveries[0].attempts, 3);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn undeliverable_webhooks_are_reported_pending() {
    // A merchant that accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/hook",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let sandbox = start(
        builder()
            .webhook_url(url)
            .delivery_timeout(Duration::from_secs(30))
            .shutdown_timeout(Duration::from_millis(300)),
    )
    .await;
    let client = Client::new(&sandbox);
    paid_order(&client, "HANG1", "1").await;
    let report = tokio::time::timeout(LIMIT, sandbox.shutdown())
        .await
        .unwrap_or_else(|_| panic!("shutdown hung"));
    assert!(!report.is_clean());
    assert_eq!(report.pending_webhooks.len(), 1);
    assert_eq!(report.pending_webhooks[0].status, DeliveryStatus::Pending);
    assert_eq!(report.pending_webhooks[0].biz_type, "PAY");
    hold.abort();
}
