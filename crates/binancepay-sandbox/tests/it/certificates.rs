//! Binance's new platform certificate in the sandbox: the new certificates endpoint (empty
//! before any rotation), `POST /sandbox/certificates/rotate`, webhooks signed with both pairs
//! afterwards, and what the dashboard reads.

use binancepay_http::webhook::{CertificateStore, WebhookHeaders, WebhookVerifier};
use binancepay_types::certificate::{QueryCertificatesNewRequest, QueryCertificatesRequest};
use reqwest::StatusCode;

use crate::orders::paid_order;
use crate::support::{Client, Receiver, builder, data_dir, start, test_key};

fn rotation_key() -> String {
    std::fs::read_to_string(data_dir().join("rotation-key.pem"))
        .unwrap_or_else(|e| panic!("rotation key: {e}"))
}

fn now() -> binancepay_http::Timestamp {
    binancepay_http::now().unwrap_or_else(|e| panic!("clock: {e}"))
}

/// A verifier filled from both of the sandbox's certificate endpoints.
async fn verifier(client: &Client) -> WebhookVerifier {
    let old =
        CertificateStore::from_certificates(client.ok(&QueryCertificatesRequest::new()).await)
            .unwrap_or_else(|e| panic!("certificates: {e}"));
    let new =
        CertificateStore::from_certificates(client.ok(&QueryCertificatesNewRequest::new()).await)
            .unwrap_or_else(|e| panic!("new certificates: {e}"));
    WebhookVerifier::new(old).with_new_store(Some(new))
}

#[tokio::test]
async fn before_any_rotation_the_new_list_is_empty_and_webhooks_carry_one_pair() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(builder().webhook_url(receiver.url())).await;
    let client = Client::new(&sandbox);
    assert!(
        client
            .ok(&QueryCertificatesNewRequest::new())
            .await
            .is_empty()
    );
    assert!(sandbox.new_certificates().is_empty());
    paid_order(&client, "NEWCERT0", "1.00").await;
    let received = receiver.wait_for(1).await;
    let headers = WebhookHeaders::from_header_map(&received[0].headers)
        .unwrap_or_else(|e| panic!("headers: {e}"));
    assert_eq!(headers.certificate_sn_new(), None);
    assert_eq!(
        headers.certificate_sn(),
        Some(sandbox.certificate_serial().as_str())
    );
    verifier(&client)
        .await
        .verify(&received[0].headers, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify: {e}"));

    let shown = client.get("/sandbox/certificates").await;
    assert_eq!(
        shown["certificates"][0]["certSerial"],
        sandbox.certificate_serial()
    );
    assert_eq!(shown["newCertificates"], serde_json::json!([]));
    assert_eq!(shown["signingSerialNew"], serde_json::Value::Null);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn after_a_rotation_every_webhook_carries_both_pairs_and_both_verify() {
    let receiver = Receiver::start(0).await;
    let sandbox = start(
        builder()
            .webhook_url(receiver.url())
            .rotation_key_pem(rotation_key())
            // A second rotation with the test key: distinct from the first, no generation.
            .rotation_key_pem(test_key()),
    )
    .await;
    let client = Client::new(&sandbox);

    let rotated = client
        .post("/sandbox/certificates/rotate", Some(serde_json::json!({})))
        .await;
    let serial = rotated["certSerial"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(serial.len(), 32, "MD5 hex of the PEM: {rotated}");
    assert_ne!(serial, sandbox.certificate_serial());
    let listed = client.ok(&QueryCertificatesNewRequest::new()).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].cert_serial, serial);
    assert_eq!(
        listed[0].cert_public,
        rotated["certPublic"].as_str().unwrap_or_default()
    );
    // The old endpoint still serves the old key only.
    let old = client.ok(&QueryCertificatesRequest::new()).await;
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].cert_serial, sandbox.certificate_serial());

    paid_order(&client, "NEWCERT1", "1.00").await;
    let received = receiver.wait_for(1).await;
    let headers = WebhookHeaders::from_header_map(&received[0].headers)
        .unwrap_or_else(|e| panic!("headers: {e}"));
    assert_eq!(
        headers.certificate_sn(),
        Some(sandbox.certificate_serial().as_str())
    );
    assert_eq!(headers.certificate_sn_new(), Some(serial.as_str()));
    let verifier = verifier(&client).await;
    verifier
        .verify(&received[0].headers, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify both: {e}"));
    // Each pair verifies on its own: only the -New pair, then only the old one.
    let mut only_new = received[0].headers.clone();
    only_new.remove("binancepay-certificate-sn");
    only_new.remove("binancepay-signature");
    verifier
        .verify(&only_new, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify new pair: {e}"));
    let mut only_old = received[0].headers.clone();
    only_old.remove("binancepay-certificate-sn-new");
    only_old.remove("binancepay-signature-new");
    verifier
        .verify(&only_old, &received[0].body, now())
        .unwrap_or_else(|e| panic!("verify old pair: {e}"));

    // A second rotation: both listed, newest first; the newest signs.
    let second = sandbox
        .rotate_certificate()
        .await
        .unwrap_or_else(|e| panic!("rotate: {e}"));
    assert_ne!(second.cert_serial, serial);
    let listed = client.ok(&QueryCertificatesNewRequest::new()).await;
    let serials: Vec<&str> = listed.iter().map(|c| c.cert_serial.as_str()).collect();
    assert_eq!(serials, [second.cert_serial.as_str(), serial.as_str()]);
    paid_order(&client, "NEWCERT2", "1.00").await;
    let received = receiver.wait_for(2).await;
    assert_eq!(
        received[1]
            .headers
            .get("binancepay-certificate-sn-new")
            .and_then(|v| v.to_str().ok()),
        Some(second.cert_serial.as_str())
    );
    verifier_after(&client, &received[1]).await;

    let shown = client.get("/sandbox/certificates").await;
    assert_eq!(shown["newCertificates"].as_array().map(Vec::len), Some(2));
    assert_eq!(shown["signingSerialNew"], second.cert_serial.as_str());
    assert_eq!(
        shown["certificates"][0]["certSerial"],
        sandbox.certificate_serial()
    );
    sandbox.shutdown().await;
}

async fn verifier_after(client: &Client, received: &crate::support::Received) {
    verifier(client)
        .await
        .verify(&received.headers, &received.body, now())
        .unwrap_or_else(|e| panic!("verify after the second rotation: {e}"));
}

#[tokio::test]
async fn the_rotate_route_is_a_guarded_json_control_route() {
    let sandbox = start(builder().rotation_key_pem(rotation_key())).await;
    let client = Client::new(&sandbox);
    let url = format!("{}/sandbox/certificates/rotate", sandbox.base_url());
    // A cross-site form cannot send JSON: refused before anything happens.
    let form = client
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    let (status, answer) = client
        .control(
            reqwest::Method::POST,
            "/sandbox/certificates/rotate",
            Some(serde_json::json!({"bits": 512})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(sandbox.new_certificates().is_empty(), "nothing rotated");
    let (status, _) = client
        .control(reqwest::Method::GET, "/sandbox/certificates/rotate", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sandbox.shutdown().await;
}
