//! Authentication the way Binance does it: every refusal code, the system-error shape, the
//! CloudFront 403 for unknown paths, content types with parameters.

use std::time::Duration;

use binancepay_http::{ApiKey, ApiSecret, Nonce, RequestBuilder, Timestamp};
use binancepay_types::certificate::QueryCertificatesRequest;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, StatusCode};

use crate::orders::order;
use crate::support::{Client, builder, envelope, start};

fn signed(client: &Client) -> Request<Vec<u8>> {
    client
        .builder
        .build_now(&QueryCertificatesRequest::new())
        .unwrap_or_else(|e| panic!("build: {e}"))
}

async fn code_of(client: &Client, request: Request<Vec<u8>>) -> (StatusCode, String) {
    let response = client
        .send(request)
        .await
        .unwrap_or_else(|e| panic!("send: {e}"));
    let body = envelope(&response);
    (
        response.status(),
        body["code"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn every_missing_or_bad_header_gets_its_code() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);

    for (header, code) in [
        ("binancepay-timestamp", "400003"),
        ("binancepay-nonce", "400001"),
        ("binancepay-certificate-sn", "400005"),
        ("binancepay-signature", "400002"),
    ] {
        let mut request = signed(&client);
        request.headers_mut().remove(header);
        assert_eq!(code_of(&client, request).await.1, code, "without {header}");
    }

    let mut bad_format = signed(&client);
    bad_format.headers_mut().insert(
        "binancepay-certificate-sn",
        HeaderValue::from_static("not-a-key!"),
    );
    assert_eq!(
        code_of(&client, bad_format).await,
        (StatusCode::BAD_REQUEST, "400005".to_owned())
    );

    let other_key = ApiKey::new("a".repeat(64)).unwrap_or_else(|e| panic!("{e}"));
    let secret = ApiSecret::new(sandbox.api_secret()).unwrap_or_else(|e| panic!("{e}"));
    let stranger = RequestBuilder::new(other_key, &secret)
        .and_then(|b| b.with_base_url(sandbox.base_url()))
        .unwrap_or_else(|e| panic!("{e}"));
    let request = stranger
        .build_now(&QueryCertificatesRequest::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(&client, request).await,
        (StatusCode::BAD_REQUEST, "400004".to_owned())
    );

    let wrong_secret = ApiSecret::new("not the secret").unwrap_or_else(|e| panic!("{e}"));
    let key = ApiKey::new(sandbox.api_key()).unwrap_or_else(|e| panic!("{e}"));
    let forger = RequestBuilder::new(key, &wrong_secret)
        .and_then(|b| b.with_base_url(sandbox.base_url()))
        .unwrap_or_else(|e| panic!("{e}"));
    let request = forger
        .build_now(&QueryCertificatesRequest::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(&client, request).await,
        (StatusCode::BAD_REQUEST, "400002".to_owned())
    );

    // The body changed after signing: the signature no longer matches.
    let mut tampered = signed(&client);
    *tampered.body_mut() = b"{ }".to_vec();
    assert_eq!(code_of(&client, tampered).await.1, "400002");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn timestamps_outside_the_window_or_in_seconds_get_400003() {
    let sandbox = start(builder().time_window(Duration::from_millis(1000))).await;
    let client = Client::new(&sandbox);
    let nonce = Nonce::from_os_rng().unwrap_or_else(|e| panic!("{e}"));
    let now = binancepay_http::now()
        .unwrap_or_else(|e| panic!("{e}"))
        .as_millis();
    for skew in [-5_000i64, 5_000] {
        let at = Timestamp::from_millis(now.saturating_add_signed(skew))
            .unwrap_or_else(|e| panic!("{e}"));
        let request = client
            .builder
            .build(&QueryCertificatesRequest::new(), at, &nonce)
            .unwrap_or_else(|e| panic!("{e}"));
        let response = client.send(request).await.unwrap_or_else(|e| panic!("{e}"));
        let body = envelope(&response);
        assert_eq!(body["code"], "400003", "skew {skew}: {body}");
        // The FAQ's and the TSP pages' text for 400003, word for word.
        assert_eq!(
            body["errorMessage"],
            "Timestamp for this request is outside of the recvWindow."
        );
    }
    let mut seconds = signed(&client);
    let value = HeaderValue::from(now / 1000);
    seconds.headers_mut().insert("binancepay-timestamp", value);
    assert_eq!(code_of(&client, seconds).await.1, "400003");
    // Moving the sandbox clock does not move the signature window.
    sandbox.clock().advance(86_400_000);
    assert_eq!(code_of(&client, signed(&client)).await.1, "000000");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn method_content_type_and_body_errors() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);

    let mut get = signed(&client);
    *get.method_mut() = Method::GET;
    let response = client.send(get).await.unwrap_or_else(|e| panic!("{e}"));
    let body = envelope(&response);
    assert_eq!(
        body,
        serde_json::json!({"status":"ERROR","type":"SYS","code":"100001001","errorData":"System abnormality"})
    );

    let mut no_type = signed(&client);
    no_type.headers_mut().remove(CONTENT_TYPE);
    assert_eq!(code_of(&client, no_type).await.1, "100001001");

    let mut text = signed(&client);
    text.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    assert_eq!(
        code_of(&client, text).await,
        (StatusCode::BAD_REQUEST, "400007".to_owned())
    );

    let mut charset = signed(&client);
    charset.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    assert_eq!(
        code_of(&client, charset).await,
        (StatusCode::OK, "000000".to_owned())
    );

    let mut empty = signed(&client);
    empty.body_mut().clear();
    assert_eq!(code_of(&client, empty).await.1, "100001001");

    // Signed correctly but not a JSON object (build_raw refuses such bodies, so re-sign by hand).
    // The sandbox parses the body once, in the endpoint: every one of these still gets 400008,
    // not a parameter code.
    for body in [
        &b"[]"[..],
        b"{\"a\":",
        b"\xff\xfe",
        b" [1]",
        b"{\"merchantTradeNo\":\"A1\"} x",
        b"{} {}",
    ] {
        let mut request = signed(&client);
        *request.body_mut() = body.to_vec();
        let nonce = Nonce::from_os_rng().unwrap_or_else(|e| panic!("{e}"));
        let now = binancepay_http::now().unwrap_or_else(|e| panic!("{e}"));
        client
            .builder
            .resign(&mut request, now, &nonce)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code_of(&client, request).await.1, "400008", "{body:?}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_get_the_cloudfront_page_and_large_bodies_400104() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    for (method, path) in [
        (reqwest::Method::POST, "/binancepay/openapi/v3/order/create"),
        (reqwest::Method::GET, "/"),
        (reqwest::Method::POST, "/binancepay/openapi/v2/order/close"),
    ] {
        let (status, body) = client.control(method, path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            body.as_str()
                .is_some_and(|b| b.contains("The request could not be satisfied")),
            "{path}"
        );
    }
    // binancepay-http recognises the page for what it is.
    let mut request = signed(&client);
    *request.uri_mut() = format!("{}/binancepay/openapi/v3/order/create", sandbox.base_url())
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client.send(request).await.unwrap_or_else(|e| panic!("{e}"));
    let parsed = binancepay_http::parse_response::<QueryCertificatesRequest, _>(&response);
    assert!(
        matches!(parsed, Err(binancepay_http::Error::WrongPath { .. })),
        "{parsed:?}"
    );

    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(1_100_000));
    let response = client.raw("/binancepay/openapi/certificates", &big).await;
    assert_eq!(envelope(&response)["code"], "400104");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn parameter_errors_name_the_field() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let cases = [
        (
            r#"{"env":{"terminalType":"WEB"},"orderAmount":1,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#,
            "400100",
            "merchantTradeNo",
        ),
        (
            r#"{"env":{"terminalType":"WEB"},"merchantTradeNo":"abcdefghijabcdefghijabcdefghijabc","orderAmount":1,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#,
            "400101",
            "merchantTradeNo",
        ),
        (
            r#"{"env":{"terminalType":"WEB"},"merchantTradeNo":"A1","orderAmount":0,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#,
            "400102",
            "orderAmount",
        ),
        (
            r#"{"env":{"terminalType":"WEB"},"merchantTradeNo":"A_1","orderAmount":1,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#,
            "400103",
            "merchantTradeNo",
        ),
        (
            r#"{"env":{"terminalType":"TV"},"merchantTradeNo":"A1","orderAmount":1,"currency":"USDT","description":"d","goodsDetails":[{"goodsType":"01","goodsCategory":"0000","referenceGoodsId":"g","goodsName":"n"}]}"#,
            "400102",
            "env.terminalType",
        ),
    ];
    for (body, code, field) in cases {
        let response = client.raw("/binancepay/openapi/v3/order", body).await;
        let envelope = envelope(&response);
        assert_eq!(envelope["code"], code, "{envelope}");
        let message = envelope["errorMessage"].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{message} should name {field}");
    }
    // The typed client refuses the same mistakes before sending; over the wire they never pass.
    assert!(client.builder.build_now(&order("A-1", "1")).is_err());
    assert_eq!(sandbox.state_counts().orders, 0);
    sandbox.shutdown().await;
}
