//! `WebhookService` mounted with axum's `route_service`: verified, acted on once, every other
//! request answered with the right status, through real HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use binancepay_types::webhook::Notification;
use http::StatusCode;

use crate::support::{Mock, Reply, WebhookKey, fixture};

#[tokio::test]
async fn the_service_mounts_in_axum_and_acts_once() {
    let key = WebhookKey::load("a", "serial-a");
    let certificate = key.certificate();
    let mock = Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            Reply::success(serde_json::json!([certificate.clone()]))
        } else {
            Reply::json(404, "{}")
        }
    })
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let acted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&acted);
    let service = client
        .webhooks()
        .into_service(move |notification: Notification| {
            let counter = Arc::clone(&counter);
            async move {
                assert_eq!(notification.biz_status(), "PAY_SUCCESS");
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<(), std::io::Error>(())
            }
        });
    let app = axum::Router::new().route_service("/webhook", service.with_max_body_bytes(4096));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{addr}/webhook");
    let body = fixture("webhooks/pay_success.json").into_bytes();
    let headers = key.sign(key.serial, &body);
    let post = |body: Vec<u8>, headers: http::HeaderMap| {
        let request = http.post(&url).headers(headers).body(body);
        async move {
            let answer = request.send().await.unwrap_or_else(|e| panic!("{e}"));
            let status = answer.status();
            (status, answer.text().await.unwrap_or_default())
        }
    };

    let (status, text) = post(body.clone(), headers.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, r#"{"returnCode":"SUCCESS","returnMessage":null}"#);
    // The same delivery again: answered SUCCESS, nothing runs.
    let (status, _) = post(body.clone(), headers.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(acted.load(Ordering::SeqCst), 1);

    let mut tampered = body.clone();
    tampered.push(b' ');
    let (status, text) = post(tampered, headers.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("FAIL"), "{text}");

    let (status, _) = post(vec![b' '; 5000], headers.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _) = post(body.clone(), http::HeaderMap::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let answer = http
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(acted.load(Ordering::SeqCst), 1);
    server.abort();
}
