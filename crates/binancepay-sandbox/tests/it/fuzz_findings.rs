//! What the schemathesis run against the OpenAPI document found (tests/schemathesis), kept as
//! regression tests.

use http::StatusCode;

use crate::support::{Client, LIMIT, builder, start};

/// Every method but POST on a Binance path: the system error, 405, and `Allow: POST`
/// (RFC 9110 requires the header; schemathesis' `unsupported_method` check found it missing).
#[tokio::test]
async fn other_methods_get_405_naming_post() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    for method in ["GET", "PUT", "DELETE", "PATCH", "TRACE"] {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let response = tokio::time::timeout(
            LIMIT,
            client
                .http
                .request(
                    method.clone(),
                    format!("{}/binancepay/openapi/v3/order", client.base_url),
                )
                .header("content-type", "application/json")
                .body("{}")
                .send(),
        )
        .await
        .unwrap_or_else(|_| panic!("{method}: no answer in time"))
        .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some("POST"),
            "{method}"
        );
        let text = response.text().await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(body["code"], "100001001", "{method}");
    }
    sandbox.shutdown().await;
}
