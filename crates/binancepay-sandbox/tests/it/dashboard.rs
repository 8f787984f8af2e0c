//! The dashboard, the checkout page, the read-only listings, the OpenAPI document, the record
//! of every webhook attempt and "deliver again".

use std::time::Duration;

use binancepay_sandbox::DeliveryStatus;
use binancepay_types::enums::{ReceiveType, Wallet};
use binancepay_types::payout::{CreatePayoutRequest, PayoutTransfer};
use binancepay_types::refund::RefundOrderRequest;
use http::StatusCode;

use crate::orders::{amount, order, paid_order};
use crate::support::{Client, LIMIT, Receiver, builder, start, wait_deliveries};

/// `GET` a page; its status, content type and text.
async fn page(client: &Client, path: &str) -> (StatusCode, String, String) {
    let response = tokio::time::timeout(
        LIMIT,
        client.http.get(format!("{}{path}", client.base_url)).send(),
    )
    .await
    .unwrap_or_else(|_| panic!("GET {path}: no answer in time"))
    .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn the_dashboard_its_assets_and_the_openapi_document_are_served() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    for path in ["/sandbox/", "/sandbox"] {
        let framing = client
            .http
            .get(format!("{}{path}", client.base_url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let csp = framing
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // No other site may frame the page and have its buttons clicked.
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(
            framing
                .headers()
                .get("x-frame-options")
                .and_then(|v| v.to_str().ok()),
            Some("DENY")
        );
        let (status, content_type, html) = page(&client, path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(html.contains("/sandbox/assets/dashboard.js"), "{html}");
        // Both webhook certificates, with the button that rotates the new one.
        assert!(
            html.contains("id=\"certificates\"") && html.contains("id=\"rotate\""),
            "{html}"
        );
        // Everything is local: no script, style or image from another host.
        assert!(!html.contains("://"), "{html}");
    }
    for (path, expected) in [
        ("/sandbox/assets/dashboard.js", "text/javascript"),
        ("/sandbox/assets/checkout.js", "text/javascript"),
        ("/sandbox/assets/sandbox.css", "text/css"),
    ] {
        let (status, content_type, body) = page(&client, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(content_type.starts_with(expected), "{path}: {content_type}");
        assert!(!body.is_empty());
        if path.ends_with("dashboard.js") {
            // The certificates table reads the control API's listing of both certificates.
            assert!(body.contains("\"/sandbox/certificates\""), "{body}");
            assert!(body.contains("/sandbox/certificates/rotate"), "{body}");
        }
    }
    let (status, content_type, text) = page(&client, "/sandbox/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    let spec_file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json");
    if let Ok(on_disk) = std::fs::read_to_string(spec_file) {
        assert_eq!(text, on_disk, "run `cargo xtask openapi`");
    }
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/binancepay/openapi/v3/order"]["post"].is_object());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn listings_show_orders_refunds_and_payouts_with_their_states() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let empty = client.get("/sandbox/orders").await;
    assert_eq!(empty["total"], 0);

    let unpaid = client
        .ok(&order("LIST1", "1.5").with_return_url("https://shop.example/ok"))
        .await;
    let paid = paid_order(&client, "LIST2", "30").await;
    client
        .ok(&RefundOrderRequest::new("R1", paid.clone(), amount("10")))
        .await;
    let transfers = vec![PayoutTransfer::new(
        "t1",
        ReceiveType::PayId,
        "354205155",
        amount("2"),
        Wallet::FundingWallet,
    )];
    client
        .ok(&CreatePayoutRequest::new(
            "LISTBATCH",
            "x",
            "USDT",
            amount("2"),
            1,
            transfers,
        ))
        .await;

    let orders = client.get("/sandbox/orders").await;
    assert_eq!(orders["total"], 2);
    // Newest first.
    let list = orders["orders"].as_array().cloned().unwrap_or_default();
    assert_eq!(list[0]["merchantTradeNo"], "LIST2");
    assert_eq!(list[0]["status"], "REFUNDED");
    assert_eq!(list[0]["refundedAmount"], "10");
    assert_eq!(list[1]["prepayId"], unpaid.prepay_id.as_str());
    assert_eq!(list[1]["status"], "INITIAL");
    assert_eq!(list[1]["orderAmount"], "1.5");
    assert_eq!(list[1]["productName"], "100 gems");
    assert_eq!(list[1]["returnUrl"], "https://shop.example/ok");
    assert_eq!(
        list[1]["checkoutUrl"],
        format!("/sandbox/checkout/{}", unpaid.prepay_id)
    );

    let refunds = client.get("/sandbox/refunds").await;
    assert_eq!(refunds["total"], 1);
    assert_eq!(refunds["refunds"][0]["refundRequestId"], "R1");
    assert_eq!(refunds["refunds"][0]["status"], "REFUND_SUCCESS");
    assert_eq!(refunds["refunds"][0]["prepayId"], paid.as_str());

    let payouts = client.get("/sandbox/payouts").await;
    assert_eq!(payouts["total"], 1);
    assert_eq!(payouts["payouts"][0]["requestId"], "LISTBATCH");
    assert_eq!(payouts["payouts"][0]["status"], "ACCEPTED");
    assert_eq!(payouts["payouts"][0]["details"][0]["status"], "PROCESSING");
    client
        .post(
            "/sandbox/payouts/LISTBATCH/complete",
            Some(serde_json::json!({})),
        )
        .await;
    let payouts = client.get("/sandbox/payouts").await;
    assert_eq!(payouts["payouts"][0]["status"], "SUCCESS");
    assert_eq!(payouts["payouts"][0]["details"][0]["status"], "SUCCESS");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_checkout_page_shows_the_order_a_qr_code_and_where_to_return() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let created = client
        .ok(&order("CHECK1", "12.34")
            .with_return_url("https://shop.example/paid?o=1&x=\"y\"")
            .with_cancel_url("https://shop.example/cancelled"))
        .await;
    let checkout = created.checkout_url.clone().unwrap_or_default();
    let path = checkout.trim_start_matches(sandbox.base_url());
    let (status, content_type, html) = page(&client, path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    for needle in [
        "12.34",
        "USDT",
        "100 gems",
        "CHECK1",
        "<svg",
        "id=\"pay\"",
        "id=\"cancel\"",
        // Attribute values are escaped.
        "data-return-url=\"https://shop.example/paid?o=1&amp;x=&quot;y&quot;\"",
        "data-cancel-url=\"https://shop.example/cancelled\"",
        "/sandbox/assets/checkout.js",
    ] {
        assert!(html.contains(needle), "{needle} missing from {html}");
    }
    assert!(!html.contains(" disabled"), "an unpaid order can be paid");

    // The order's qrcodeLink is the QR code as an image.
    let qr = created.qrcode_link.clone().unwrap_or_default();
    let (status, content_type, svg) =
        page(&client, qr.trim_start_matches(sandbox.base_url())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/svg+xml");
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");

    // Once paid, the buttons are disabled.
    client
        .post(&format!("/sandbox/orders/{}/pay", created.prepay_id), None)
        .await;
    let (_, _, html) = page(&client, path).await;
    assert!(
        html.contains("<button id=\"pay\" class=\"primary\" disabled>"),
        "{html}"
    );

    let (status, _, _) = page(&client, "/sandbox/checkout/42").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = page(&client, "/sandbox/checkout/not-a-number/qr").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn every_attempt_is_recorded_and_a_delivery_can_be_sent_again() {
    let receiver = Receiver::start(1).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    paid_order(&client, "AGAIN1", "1").await;
    receiver.wait_for(1).await;
    let deliveries = wait_deliveries(&sandbox, |d| {
        d.len() == 1 && d[0].status == DeliveryStatus::Delivered
    })
    .await;
    let log = &deliveries[0].attempt_log;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].http_status, Some(500));
    assert_eq!(log[0].answer.as_deref(), Some("try later"));
    assert_eq!(log[0].error.as_deref(), Some("HTTP 500"));
    assert_eq!(log[1].http_status, Some(200));
    assert!(
        log[1]
            .answer
            .as_deref()
            .is_some_and(|a| a.contains("SUCCESS"))
    );
    assert_eq!(log[1].error, None);
    assert!(log[0].started_at <= log[1].started_at);

    // The control API shows the same record.
    let listed = client.get("/sandbox/webhooks").await;
    assert_eq!(listed["deliveries"][0]["attemptLog"][0]["httpStatus"], 500);
    assert!(listed["deliveries"][0]["attemptLog"][1]["durationMs"].is_u64());

    let again = client
        .post("/sandbox/webhooks/1/redeliver", Some(serde_json::json!({})))
        .await;
    assert_eq!(again["status"], "PENDING");
    let got = receiver.wait_for(2).await;
    // The same notification, signed afresh.
    assert_eq!(got[0].body, got[1].body);
    let deliveries = wait_deliveries(&sandbox, |d| {
        d[0].status == DeliveryStatus::Delivered && d[0].attempts == 3
    })
    .await;
    assert_eq!(deliveries[0].attempt_log.len(), 3);

    let (status, _) = client
        .control(reqwest::Method::POST, "/sandbox/webhooks/9/redeliver", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Ids start at 1: 0 names no delivery (it once resent delivery 1).
    let (status, _) = client
        .control(reqwest::Method::POST, "/sandbox/webhooks/0/redeliver", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        wait_deliveries(&sandbox, |d| d[0].attempts == 3).await[0].attempts,
        3
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_notification_without_url_cannot_be_sent_again() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    paid_order(&client, "NOURL1", "1").await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let (status, body) = client
        .control(reqwest::Method::POST, "/sandbox/webhooks/1/redeliver", None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("no webhook URL"))
    );
    sandbox.shutdown().await;
}
