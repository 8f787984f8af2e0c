//! The control API against a web page in the developer's browser: cross-site POSTs (what a
//! page can make the browser send without a preflight) and DNS rebinding (a page whose name
//! re-resolves to 127.0.0.1, so the browser sends it the page's own Host). Requests are written
//! byte for byte on a TCP stream, as the browser would send them.

use std::net::SocketAddr;
use std::time::Duration;

use binancepay_sandbox::{Error, Sandbox};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::orders::order;
use crate::support::{Client, LIMIT, builder, start};

/// One HTTP/1.1 request on a fresh connection; the status and the body.
async fn raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let mut request = format!("{method} {target} HTTP/1.1\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(LIMIT, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {target}: no answer in time"))
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

async fn status_of(client: &Client, prepay_id: &str) -> String {
    let order = client.get(&format!("/sandbox/orders/{prepay_id}")).await;
    order["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_json_from_tools_still_works() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let addr = sandbox.addr();
    let host = addr.to_string();
    let prepay_id = client.ok(&order("LOCK1", "10")).await.prepay_id.to_string();
    let pay = format!("/sandbox/orders/{prepay_id}/pay");

    // What a page on http://evil.example can make a browser send without asking first:
    // a form or fetch(…, {mode: "no-cors"}) with a CORS-safelisted Content-Type, or none.
    let attacks: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        vec![
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Content-Type", "text/plain"),
        ],
        vec![
            ("Host", &host),
            ("Origin", "null"),
            ("Content-Type", "multipart/form-data; boundary=x"),
        ],
        // Older browsers omit Origin: the simple request alone is refused.
        vec![("Host", &host), ("Content-Type", "text/plain")],
        vec![("Host", &host)],
        // JSON from another origin (a browser would preflight it; refused either way).
        vec![
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Content-Type", "application/json"),
        ],
        vec![
            ("Host", &host),
            ("Sec-Fetch-Site", "cross-site"),
            ("Content-Type", "application/json"),
        ],
        // A guessed token is no token.
        vec![
            ("Host", &host),
            ("X-Sandbox-Token", "guess"),
            ("Content-Type", "text/plain"),
        ],
    ];
    for headers in &attacks {
        let (status, body) = raw(addr, "POST", &pay, headers, "").await;
        assert_eq!(status, 403, "{headers:?}: {body}");
        assert!(body.contains("\"error\""), "{body}");
    }
    // Nor can such a page set balances or make the sandbox POST to a URL of its choosing.
    let steal = r#"{"wallet":"FUNDING_WALLET","asset":"USDT","amount":"0"}"#;
    let (status, _) = raw(
        addr,
        "POST",
        "/sandbox/balances",
        &[("Host", &host), ("Content-Type", "text/plain")],
        steal,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = raw(
        addr,
        "POST",
        "/sandbox/faults",
        &[("Host", &host), ("Origin", "http://evil.example")],
        "{}",
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(status_of(&client, &prepay_id).await, "INITIAL");
    let balances = client.get("/sandbox/balances").await;
    assert_ne!(balances.to_string(), "", "balances readable by the tool");

    // The documented contract: a JSON POST to a loopback Host needs no token.
    let (status, body) = raw(
        addr,
        "POST",
        &pay,
        &[("Host", &host), ("Content-Type", "application/json")],
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(status_of(&client, &prepay_id).await, "PAID");
    // The same with localhost, and with the sandbox's own Origin.
    let second = client.ok(&order("LOCK2", "10")).await.prepay_id.to_string();
    let localhost = format!("localhost:{}", addr.port());
    let own_origin = format!("http://{host}");
    let (status, body) = raw(
        addr,
        "POST",
        &format!("/sandbox/orders/{second}/pay"),
        &[
            ("Host", &localhost),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let third = client.ok(&order("LOCK3", "10")).await.prepay_id.to_string();
    let (status, body) = raw(
        addr,
        "POST",
        &format!("/sandbox/orders/{third}/pay"),
        &[
            ("Host", &host),
            ("Origin", &own_origin),
            ("Content-Type", "application/json"),
        ],
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // PUT and DELETE always need a preflight: no Content-Type needed.
    let (status, body) = raw(addr, "DELETE", "/sandbox/faults", &[("Host", &host)], "").await;
    assert_eq!(status, 200, "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn dns_rebinding_cannot_read_or_drive_the_control_api() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let addr = sandbox.addr();
    let prepay_id = client
        .ok(&order("REBIND1", "10"))
        .await
        .prepay_id
        .to_string();
    // The page's own name, now resolving to 127.0.0.1: the browser sends Host: evil.example:PORT
    // and, being same-origin in its eyes, no Origin on a GET and its own on a POST.
    let rebound = format!("evil.example:{}", addr.port());
    for path in [
        "/sandbox/state".to_owned(),
        "/sandbox/balances".to_owned(),
        "/sandbox/webhooks".to_owned(),
        format!("/sandbox/orders/{prepay_id}"),
        // The checkout page carries the control token: it must not be readable either.
        format!("/sandbox/checkout/{prepay_id}"),
    ] {
        let (status, body) = raw(addr, "GET", &path, &[("Host", &rebound)], "").await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            !body.contains(sandbox.control_token()),
            "{path}: token leaked"
        );
        assert!(
            !body.contains(&prepay_id) || path.contains(&prepay_id),
            "{path}: {body}"
        );
        assert!(body.contains("DNS rebinding"), "{body}");
    }
    let origin = format!("http://{rebound}");
    let (status, _) = raw(
        addr,
        "POST",
        &format!("/sandbox/orders/{prepay_id}/pay"),
        &[
            ("Host", &rebound),
            ("Origin", &origin),
            ("Content-Type", "application/json"),
        ],
        "",
    )
    .await;
    assert_eq!(status, 403);
    for host in [
        "127.0.0.1.evil.example",
        "localhost.evil.example:80",
        "10.1.2.3:80",
        "",
    ] {
        let (status, _) = raw(addr, "GET", "/sandbox/state", &[("Host", host)], "").await;
        assert_eq!(status, 403, "{host:?}");
    }
    assert_eq!(status_of(&client, &prepay_id).await, "INITIAL");
    // The Binance API paths keep their own rules (signatures); only /sandbox/ is guarded.
    let (status, body) = raw(
        addr,
        "POST",
        "/binancepay/openapi/certificates",
        &[("Host", &rebound)],
        "",
    )
    .await;
    assert_ne!(status, 403, "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_checkout_page_still_pays_from_the_browser() {
    let sandbox = start(builder()).await;
    let client = Client::new(&sandbox);
    let addr = sandbox.addr();
    let host = addr.to_string();
    let prepay_id = client.ok(&order("PAGE1", "10")).await.prepay_id.to_string();
    let (status, page) = raw(
        addr,
        "GET",
        &format!("/sandbox/checkout/{prepay_id}"),
        &[("Host", &host)],
        "",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    // The page's script pays with a same-origin fetch POST in JSON (no token needed).
    assert!(
        page.contains("/sandbox/assets/checkout.js") && page.contains("id=\"pay\""),
        "{page}"
    );
    let (status, script) = raw(
        addr,
        "GET",
        "/sandbox/assets/checkout.js",
        &[("Host", &host)],
        "",
    )
    .await;
    assert_eq!(status, 200, "{script}");
    assert!(
        script.contains("\"Content-Type\": \"application/json\""),
        "{script}"
    );
    // What the browser sends when the button is clicked.
    let origin = format!("http://{host}");
    let (status, body) = raw(
        addr,
        "POST",
        &format!("/sandbox/orders/{prepay_id}/pay"),
        &[
            ("Host", &host),
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("Content-Type", "application/json"),
        ],
        "{}",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let paid: Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(paid["status"], "PAID", "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_non_loopback_listen_address_needs_allow_remote() {
    let refused = Sandbox::builder()
        .webhook_key_pem(crate::support::test_key())
        .listen(SocketAddr::from(([0, 0, 0, 0], 0)))
        .start()
        .await;
    match refused {
        Err(Error::InvalidSetting { setting, rule }) => {
            assert_eq!(setting, "listen");
            assert!(rule.contains("0.0.0.0:0"), "{rule}");
        }
        other => panic!("{other:?}"),
    }
    // [::1] is loopback too.
    let v6 = Sandbox::builder()
        .webhook_key_pem(crate::support::test_key())
        .listen("[::1]:0".parse().unwrap_or_else(|e| panic!("{e}")))
        .shutdown_timeout(Duration::from_secs(1))
        .start()
        .await;
    // Hosts without IPv6 cannot bind it; what matters is that the rule did not refuse it.
    assert!(!matches!(v6, Err(Error::InvalidSetting { .. })), "{v6:?}");
    if let Ok(sandbox) = v6 {
        sandbox.shutdown().await;
    }
}
