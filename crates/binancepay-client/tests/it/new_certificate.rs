//! Binance's new platform certificate through the client's webhook handler: the two lists of
//! the certificate cache (each fetched when a webhook needs it, single-flight, rate-limited),
//! and the policy with the old pair only, both pairs, or the `-New` pair only.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use binancepay_client::{ConfigError, Error, WebhookHandlerError};
use binancepay_http::webhook::WebhookError;
use binancepay_types::certificate::QueryCertificatesNewRequest;
use http::StatusCode;

use crate::support::{Mock, Reply, WebhookKey, fixture};

/// What the new certificates endpoint answers: a list, or a failure.
#[derive(Clone)]
enum NewList {
    Serve(Vec<serde_json::Value>),
    /// CloudFront's 403 page, what Binance answers on a path it does not know.
    Missing,
}

type Shared<T> = Arc<Mutex<T>>;

/// A mock with the old list `old` at `/certificates` and `new` at `/certificates/new` (after
/// `delay`).
async fn server(old: Vec<serde_json::Value>, new: Shared<NewList>, delay: Duration) -> Mock {
    Mock::start(move |call| {
        if call.path.ends_with("/certificates") {
            Reply::success(serde_json::Value::Array(old.clone()))
        } else if call.path.ends_with("/certificates/new") {
            match new.lock().unwrap_or_else(PoisonError::into_inner).clone() {
                NewList::Serve(list) => Reply::success(serde_json::Value::Array(list)).after(delay),
                NewList::Missing => Reply::html(403, "<h1>403 ERROR</h1>").after(delay),
            }
        } else {
            Reply::json(404, "{}")
        }
    })
    .await
}

fn shared(list: NewList) -> Shared<NewList> {
    Arc::new(Mutex::new(list))
}

fn body() -> Vec<u8> {
    fixture("webhooks/pay_success.json").into_bytes()
}

fn keys() -> (WebhookKey, WebhookKey) {
    (
        WebhookKey::load("a", "old-serial"),
        WebhookKey::load("b", "new-serial"),
    )
}

#[tokio::test]
async fn old_pair_only_never_fetches_the_new_list() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    for _ in 0..2 {
        let verified = webhooks.handle(&old.sign(old.serial, &body), &body).await;
        assert!(verified.is_ok(), "{verified:?}");
    }
    assert_eq!(mock.count("/certificates"), 1);
    assert_eq!(mock.count("/certificates/new"), 0);
    assert_eq!(webhooks.cached_new_serials(), None);
}

#[tokio::test]
async fn both_pairs_verify_with_each_list_fetched_once() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    for _ in 0..3 {
        let verified = webhooks.handle(&old.sign_both(&new, &body), &body).await;
        assert!(verified.is_ok(), "{verified:?}");
    }
    assert_eq!(mock.count("/certificates"), 1);
    assert_eq!(mock.count("/certificates/new"), 1);
    assert_eq!(webhooks.cached_serials(), vec!["old-serial".to_owned()]);
    assert_eq!(
        webhooks.cached_new_serials(),
        Some(vec!["new-serial".to_owned()])
    );
}

#[tokio::test]
async fn both_pairs_refuse_a_bad_new_signature() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = body();
    // The -New pair made with the old key under the new serial: a forgery of that pair.
    let forger = WebhookKey::load("a", new.serial);
    let refused = client
        .webhooks()
        .handle(&old.sign_both(&forger, &body), &body)
        .await;
    match refused {
        Err(e @ WebhookHandlerError::Rejected(WebhookError::InvalidNewSignature(_))) => {
            assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unavailable_new_list_does_not_block_a_valid_old_pair() {
    let (old, new) = keys();
    let list = shared(NewList::Missing);
    let mock = server(vec![old.certificate()], Arc::clone(&list), Duration::ZERO).await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    for _ in 0..3 {
        let verified = webhooks.handle(&old.sign_both(&new, &body), &body).await;
        assert!(verified.is_ok(), "{verified:?}");
    }
    // Tried once, then left alone for the refresh interval (60 s by default).
    assert_eq!(mock.count("/certificates/new"), 1);
    assert_eq!(webhooks.cached_new_serials(), None);

    // The old pair still decides: a forged one is refused.
    let forged = {
        let mut headers = old.sign_both(&new, &body);
        let new_signature = headers
            .get("binancepay-signature-new")
            .cloned()
            .unwrap_or_else(|| panic!("no -New signature"));
        headers.insert("binancepay-signature", new_signature);
        headers
    };
    let refused = webhooks.handle(&forged, &body).await;
    assert!(
        matches!(
            refused,
            Err(WebhookHandlerError::Rejected(
                WebhookError::InvalidSignature(_)
            ))
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn new_pair_only_verifies_without_the_old_list() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = body();
    let verified = client
        .webhooks()
        .handle(&new.sign_new_only(&body), &body)
        .await;
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/certificates/new"), 1);
    assert_eq!(mock.count("/certificates"), 0);
}

#[tokio::test]
async fn new_pair_only_with_the_new_list_unavailable_asks_for_a_redelivery() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Missing),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    let refused = webhooks.handle(&new.sign_new_only(&body), &body).await;
    match &refused {
        Err(e @ WebhookHandlerError::Certificates(_)) => {
            assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        }
        other => panic!("{other:?}"),
    }
    // Within the interval: no new fetch, still 503.
    let refused = webhooks.handle(&new.sign_new_only(&body), &body).await;
    assert!(
        matches!(refused, Err(WebhookHandlerError::CertificatesNotLoaded)),
        "{refused:?}"
    );
    assert_eq!(mock.count("/certificates/new"), 1);
}

#[tokio::test]
async fn an_unknown_new_serial_is_refused_after_one_refresh_and_never_trusted() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    assert!(
        webhooks
            .handle(&old.sign_both(&new, &body), &body)
            .await
            .is_ok()
    );
    assert_eq!(mock.count("/certificates/new"), 1);

    // Signed with a key nobody served, under a serial nobody served.
    let stranger = WebhookKey::load("a", "forged-new-serial");
    for _ in 0..5 {
        let refused = webhooks.handle(&stranger.sign_new_only(&body), &body).await;
        match refused {
            Err(e @ WebhookHandlerError::Rejected(WebhookError::UnknownNewCertificate { .. })) => {
                assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
            }
            other => panic!("{other:?}"),
        }
    }
    // The first fetch was moments ago: the forged serials cost no fetch at all.
    assert_eq!(mock.count("/certificates/new"), 1);
}

#[tokio::test]
async fn a_replaced_new_certificate_costs_one_refresh() {
    let (old, new) = keys();
    let third = WebhookKey::load("a", "newer-serial");
    let list = shared(NewList::Serve(vec![new.certificate()]));
    let mock = server(vec![old.certificate()], Arc::clone(&list), Duration::ZERO).await;
    let client = mock
        .client()
        .certificate_refresh_interval(Duration::ZERO)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    assert!(
        webhooks
            .handle(&old.sign_both(&new, &body), &body)
            .await
            .is_ok()
    );
    // Binance replaces it: both listed for a while, in no particular order.
    *list.lock().unwrap_or_else(PoisonError::into_inner) =
        NewList::Serve(vec![third.certificate(), new.certificate()]);
    let verified = webhooks.handle(&old.sign_both(&third, &body), &body).await;
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/certificates/new"), 2);
    assert_eq!(mock.count("/certificates"), 1);
    assert_eq!(
        webhooks.cached_new_serials(),
        Some(vec!["new-serial".to_owned(), "newer-serial".to_owned()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_webhooks_share_one_fetch_of_the_new_list() {
    let (old, new) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(vec![new.certificate()])),
        Duration::from_millis(200),
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let body = body();
    let headers = new.sign_new_only(&body);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let webhooks = client.webhooks();
        let headers = headers.clone();
        let body = body.clone();
        tasks.spawn(async move { webhooks.handle(&headers, &body).await.is_ok() });
    }
    while let Some(ok) = tasks.join_next().await {
        assert_eq!(ok.ok(), Some(true));
    }
    assert_eq!(mock.count("/certificates/new"), 1);
}

#[tokio::test]
async fn the_new_list_path_can_be_overridden() {
    let (old, new) = keys();
    let list = vec![new.certificate()];
    let certificate = old.certificate();
    let mock = Mock::start(move |call| {
        if call.path == "/binancepay/openapi/v2/certificates-new" {
            Reply::success(serde_json::Value::Array(list.clone()))
        } else if call.path.ends_with("/certificates") {
            Reply::success(serde_json::json!([certificate.clone()]))
        } else {
            Reply::html(403, "<h1>403 ERROR</h1>")
        }
    })
    .await;
    let client = mock
        .client()
        .certificates_new_path("/binancepay/openapi/v2/certificates-new")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let listed = client
        .certificates()
        .query_new(&QueryCertificatesNewRequest::new())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].cert_serial, "new-serial");
    let body = body();
    let verified = client
        .webhooks()
        .handle(&new.sign_new_only(&body), &body)
        .await;
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/v2/certificates-new"), 2);
    assert_eq!(mock.count("/certificates/new"), 0);

    for bad in [
        "/other/certificates",
        "/binancepay/openapi/",
        "/binancepay/openapi/x?y=1",
    ] {
        let built = mock.client().certificates_new_path(bad).build();
        assert!(
            matches!(
                built,
                Err(Error::Config(ConfigError::InvalidPath {
                    setting: "certificates_new_path",
                    ..
                }))
            ),
            "{bad}: {built:?}"
        );
    }
}

#[tokio::test]
async fn query_new_reads_an_empty_list_before_binance_enables_it() {
    let (old, _) = keys();
    let mock = server(
        vec![old.certificate()],
        shared(NewList::Serve(Vec::new())),
        Duration::ZERO,
    )
    .await;
    let client = mock.client().build().unwrap_or_else(|e| panic!("{e}"));
    let listed = client
        .certificates()
        .query_new(&QueryCertificatesNewRequest::new())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(listed.is_empty());
    let webhooks = client.webhooks();
    let refreshed = webhooks.refresh_new_certificates().await;
    assert!(refreshed.is_ok(), "{refreshed:?}");
    assert_eq!(webhooks.cached_new_serials(), Some(Vec::new()));
}

#[tokio::test]
async fn a_failed_refresh_of_the_new_list_does_not_block_a_valid_old_pair() {
    let (old, new) = keys();
    let newer = WebhookKey::load("a", "newer-serial");
    let list = shared(NewList::Serve(vec![new.certificate()]));
    let mock = server(vec![old.certificate()], Arc::clone(&list), Duration::ZERO).await;
    let client = mock
        .client()
        .certificate_refresh_interval(Duration::ZERO)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let webhooks = client.webhooks();
    let body = body();
    assert!(
        webhooks
            .handle(&old.sign_both(&new, &body), &body)
            .await
            .is_ok()
    );
    // A serial the known list lacks, and the list is gone when the handler asks again.
    *list.lock().unwrap_or_else(PoisonError::into_inner) = NewList::Missing;
    let verified = webhooks.handle(&old.sign_both(&newer, &body), &body).await;
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(mock.count("/certificates/new"), 2);
    // Alone, the same -New pair cannot be checked: 503.
    let refused = webhooks.handle(&newer.sign_new_only(&body), &body).await;
    assert_eq!(
        refused.err().map(|e| e.status()),
        Some(StatusCode::SERVICE_UNAVAILABLE)
    );
}
