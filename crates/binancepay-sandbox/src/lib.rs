//! A local server that behaves like the Binance Pay merchant API, so integrations can be tested
//! without real money (Binance offers no sandbox): the same paths, envelope, result codes,
//! signature checks and validation limits; state with Binance's rules; RSA-signed webhooks
//! with retries; plus a control API under `/sandbox/` to play the customer's side, move the
//! clock and inject faults.
//!
//! Start one on an ephemeral loopback port, make a signed call, shut it down:
//!
//! ```
//! use binancepay_sandbox::Sandbox;
//! use binancepay_types::enums::{GoodsCategory, GoodsType, OrderStatus, TerminalType};
//! use binancepay_types::order::{CreateOrderV3Request, Env, Goods, QueryOrderV2Request};
//! use binancepay_types::{Amount, Endpoint};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let test_key = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/webhook-key.pem"))?;
//! // Without `webhook_key_pem` a fresh 2048-bit key is generated (slow in debug builds).
//! let sandbox = Sandbox::builder().webhook_key_pem(test_key).start().await?;
//! let requests = sandbox.request_builder()?; // signs with the sandbox's generated credentials
//! let http = reqwest::Client::builder().no_proxy().build()?;
//!
//! // One signed call, sent with any HTTP client and decoded by binancepay-http.
//! async fn call<E: Endpoint>(
//!     http: &reqwest::Client,
//!     request: http::Request<Vec<u8>>,
//! ) -> Result<E::Response, Box<dyn std::error::Error>> {
//!     let answer = http.execute(reqwest::Request::try_from(request)?).await?;
//!     let status = answer.status();
//!     let response = http::Response::builder().status(status).body(answer.bytes().await?.to_vec())?;
//!     Ok(binancepay_http::parse_response::<E, _>(&response)?)
//! }
//!
//! let goods = Goods::new(GoodsType::Virtual, GoodsCategory::GameAndRecharge, "gems100", "100 gems");
//! let order = CreateOrderV3Request::new(Env::new(TerminalType::Web), "ORDER1", "100 gems", vec![goods])
//!     .with_currency("USDT")
//!     .with_order_amount(Amount::new("25.17")?);
//! let created = call::<CreateOrderV3Request>(&http, requests.build_now(&order)?).await?;
//!
//! // The simulated customer pays (control API, JSON requests only), then the order reads PAID.
//! let pay = format!("{}/sandbox/orders/{}/pay", sandbox.base_url(), created.prepay_id);
//! let paid = http.post(pay).header("content-type", "application/json").send().await?;
//! assert!(paid.status().is_success());
//! let query = QueryOrderV2Request::new().with_prepay_id(created.prepay_id);
//! let paid = call::<QueryOrderV2Request>(&http, requests.build_now(&query)?).await?;
//! assert_eq!(paid.status, OrderStatus::Paid);
//!
//! let report = sandbox.shutdown().await;
//! assert!(report.is_clean()); // no webhook was left undelivered
//! # Ok(())
//! # }
//! ```
//!
//! # What it imitates
//!
//! Every endpoint of [`binancepay_types::ENDPOINTS`] answers at its Binance path with
//! Binance's envelope. A request is handled in Binance's order:
//!
//! 1. An unknown path gets CloudFront's HTML 403 page ("The request could not be satisfied"),
//!    whatever the method.
//! 2. Authentication through `binancepay_http::server::authenticate`: method other than POST,
//!    no `Content-Type` or no body → the `100001001` system-error body; another content type →
//!    `400007` (`application/json; charset=utf-8` is fine); missing headers → `400003`,
//!    `400001`, `400005` or `400002` by header; malformed key → `400005`; unknown key →
//!    `400004`; timestamp outside the window → `400003`; wrong signature → `400002`; a body
//!    that is not a JSON object → `400008`. Bodies over 1 MiB → `400104`.
//! 3. The body is read into the endpoint's typed request and its `validate()` runs. Every
//!    failure names the field's wire path: missing, empty or `null` → `400100`; too long or
//!    short, wrong JSON type, bad syntax, too many decimals → `400101`; out of range, wrong
//!    list length, inconsistent totals, a value outside an enum → `400102`; characters outside
//!    the field's class → `400103`.
//! 4. The business rules below; violations answer their documented codes.
//!
//! The time window defaults to the documented 1 s ([`DEFAULT_TIME_WINDOW`]); client and
//! sandbox normally share a host, so skew is close to zero. Nonces are not checked for reuse
//! (Binance documents no such check).
//!
//! # Business rules
//!
//! * **Orders** (v1, v2, v3): a reused `merchantTradeNo` → `400201` (across versions); query by
//!   `prepayId` (which wins) or `merchantTradeNo`, unknown → `400202`; close only while
//!   `INITIAL` (otherwise `400204`), which sends PAY / `PAY_CLOSED`; an unpaid order reads
//!   `EXPIRED` from its `orderExpireTime` (default [`SandboxBuilder::order_expiry`], 1 h; at
//!   most 15 days ahead, 1 h for v1; a past time → `400102`). Crypto currencies: USDT, USDC,
//!   FDUSD, BNB, BTC, ETH; fiat orders are paid 1:1 in USDT. Commission is 0. Paying credits
//!   the funding wallet. A pay-and-sign order's contract is signed when the order is paid.
//! * **Refunds**: paid orders only (`400204`), unknown `prepayId` → `400301`; refunds add up to
//!   at most the order amount (`400303`), at most 10 per order (`400302`) and, as documented,
//!   the tenth takes the whole remainder; a repeated `refundRequestId` answers the first result
//!   with `duplicateRequest: "Y"`; the funding wallet pays (`400304` when short). The order
//!   reads `REFUNDED` or `FULL_REFUNDED`, and `REFUNDING` while refunds wait in manual mode
//!   ([`SandboxBuilder::manual_refunds`]). PAY_REFUND / `REFUND_SUCCESS` or `REFUND_REJECTED`.
//! * **Payouts**: totals must match the details (`400102`); the wallets named by each transfer
//!   are debited on acceptance (`400304` when short); a repeated `requestId` answers the first
//!   acceptance; the batch stays `ACCEPTED` until the control API completes it (PAYOUT webhook,
//!   plus PAYOUT_NON_BN for email receivers; failed transfers are refunded). The query filters
//!   details by `detailStatus`.
//! * **Wallet**: balances are exact (seeded with a million USDT and USDC, 100k FDUSD, 1000 BNB,
//!   10 BTC and 100 ETH per wallet; see [`SandboxBuilder::balance`]); transfers between funding
//!   and spot (`400304` when short), idempotent on `requestId`; valuations at fixed USD prices.
//! * **Sub-merchants**: a reused name → `400205`; modifying an unknown id → `400206`.
//! * **Convert**: pairs among the crypto currencies at fixed prices; quotes live
//!   [`SandboxBuilder::quote_ttl`] (10 s); executing later → `345231`; executing twice answers
//!   the same order; amounts round down to 8 decimals.
//! * **Direct debit**: contracts start `INITIAL`; the control API signs or terminates them as
//!   the user; merchant termination answers `true`; payment notices and payments need a signed
//!   contract (`406212`; unknown → `406207`), stay within `singleUpperLimit` (`400102`), are
//!   idempotent on `merchantRequestId`; a payment becomes a PAID order and a PAY webhook.
//!   A reused `merchantContractCode` → `400001`.
//! * **TSP**: authorizations start `PENDING`; the control API agrees or rejects (TECH_PROVIDER
//!   webhook); records page by `page`/`rows`; lookups by merchant id.
//! * **Share account id**: the control API shares the user's id (SHARE_ACCOUNT_ID webhook).
//! * **Profit sharing**: receivers; splits of paid orders among receivers up to what refunds and
//!   earlier splits left (`400102`); returns up to what a receiver got from that order.
//! * **Reports**: daily transaction and settlement files for up to 3 months (dates
//!   `dd/MM/yyyy`), balance reports (`yyyy-MM-dd`) with a BALANCE webhook; the links point at
//!   CSV files the sandbox serves.
//! * **Certificates**: the webhook key, `certSerial` being the MD5 hex of its PEM.
//! * **Payer verification**: well-formed KYC data verifies (`true`).
//!
//! Where the reference documents no code, the sandbox answers `400202` for an id it does not
//! know (refunds, payouts, transfers, quotes, convert orders, splits, receivers, TSP records).
//!
//! # Webhooks
//!
//! Notifications use the §4.3 envelope (`bizType`, `bizId`, `bizIdStr`, `bizStatus`, `data` as
//! a JSON string) and go to the request's `webhookUrl`, else [`SandboxBuilder::webhook_url`];
//! with neither they are only recorded (`NO_URL`). Each attempt is signed afresh (RSA
//! PKCS#1 v1.5 / SHA-256 over `timestamp\nnonce\nbody\n`, base64) with the sandbox's key, whose
//! public half and serial `/binancepay/openapi/certificates` serves. An attempt succeeds on HTTP
//! 200 with `returnCode` `SUCCESS`; otherwise it is retried up to
//! [`SandboxBuilder::max_retries`] times (6, as documented) after `base × 2ⁿ`
//! ([`SandboxBuilder::retry_base_delay`]). Delivery is at least once. On shutdown the waits are
//! skipped; what is still undelivered at the deadline is reported in [`ShutdownReport`].
//!
//! # Control API
//!
//! Under `/sandbox/` (never a Binance path), JSON in and out; errors are `{"error": "..."}`
//! with 400, 403, 404, 405 or 409. It needs no credentials, so it is guarded against what a
//! web page open in the developer's browser could make the browser do (403 otherwise):
//!
//! * the sandbox listens on loopback only, unless [`SandboxBuilder::allow_remote`];
//! * `Host` must be `localhost` (or `*.localhost`), a loopback address (any address with
//!   `allow_remote`) or a [`SandboxBuilder::allowed_host`]: a DNS-rebound name is refused;
//! * an `Origin` header must be the sandbox's own (`http://` + `Host`), and `Sec-Fetch-Site`,
//!   when sent, `same-origin` or `none`;
//! * a `POST` must be `Content-Type: application/json` (which a cross-site page cannot send
//!   without a CORS preflight, never granted), or carry [`RunningSandbox::control_token`] in
//!   `X-Sandbox-Token` or the query parameter `token` (the checkout page's form does).
//!
//! ```sh
//! curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:8080/sandbox/orders/$PREPAY_ID/pay
//! ```
//!
//! | Route | What it does |
//! |---|---|
//! | `POST /sandbox/orders/{prepayId}/pay` | the simulated customer pays: `PAID`, funding wallet credited, PAY / `PAY_SUCCESS` sent |
//! | `POST /sandbox/orders/{prepayId}/start` | payment in progress: `PENDING` (closing now answers `400204`) |
//! | `POST /sandbox/orders/{prepayId}/fail` | the payment fails: `ERROR` |
//! | `POST /sandbox/orders/{prepayId}/expire` | the order runs out of time now: `EXPIRED` |
//! | `GET /sandbox/orders/{prepayId}` | the order's status and amounts |
//! | `GET /sandbox/` | the dashboard: orders, refunds, payouts and every webhook delivery (attempts, answers, timing), with buttons to pay, fail or expire an order, complete a payout and deliver a notification again; it refreshes every second |
//! | `GET /sandbox/checkout/{prepayId}` | the checkout page `checkoutUrl` points at: amount, currency, goods, expiry, a QR code, and pay / cancel buttons that return to the order's `returnUrl` / `cancelUrl` (cancelling leaves the order unpaid) |
//! | `GET /sandbox/checkout/{prepayId}/qr` | the QR code of the checkout page as SVG (where `qrcodeLink` points) |
//! | `GET /sandbox/openapi.json` | the OpenAPI 3.1 document of the whole API (generated from the spec by `cargo xtask openapi`) |
//! | `GET /sandbox/orders`, `/sandbox/refunds`, `/sandbox/payouts` | the newest 500 of each, with their states (`total` counts all) |
//! | `POST /sandbox/webhooks/{id}/redeliver` | a finished delivery starts a new round of attempts (same body, signed afresh); 409 while pending or without URL |
//! | `POST /sandbox/refunds/{refundRequestId}/complete` | a pending refund succeeds (manual mode) |
//! | `POST /sandbox/refunds/{refundRequestId}/reject` | a pending refund is rejected, the money returns |
//! | `POST /sandbox/payouts/{requestId}/complete` | body `{"failedMerchantSendIds": [...]}` (optional): the batch finishes |
//! | `POST /sandbox/contracts/{merchantContractCode}/sign` | body `{"webhookUrl": ...}` (optional): the user signs |
//! | `POST /sandbox/contracts/{merchantContractCode}/terminate` | the user ends a signed contract |
//! | `POST /sandbox/tsp/{authorizationId}/agree` or `/reject` | the merchant answers a TSP request |
//! | `POST /sandbox/share-account/{requestId}/share` | body `{"userBinanceId", "userName"}` (optional): the user shares |
//! | `GET /sandbox/webhooks` | every delivery with status, attempts (each with start time, duration, HTTP status, answer and error), last error and body, plus counts |
//! | `GET /sandbox/state` | counts of orders (by status), refunds, payouts and every other object |
//! | `GET /sandbox/requests` | requests received per Binance path, faulted ones included |
//! | `GET /sandbox/balances`, `POST /sandbox/balances` | read balances; set one: `{"wallet", "asset", "amount"}` |
//! | `GET /sandbox/clock`, `POST /sandbox/clock/advance` | read the clock; move it: `{"millis": n}` |
//! | `GET`, `PUT` or `POST`, `DELETE /sandbox/faults` | read, replace ([`FaultPlan`] JSON) or clear fault injection |
//! | `GET`, `POST /sandbox/settings` | read or set `{"manualRefunds": bool}` |
//! | `GET /sandbox/reports/{fileName}` | the CSV behind a report link |
//!
//! # Clock
//!
//! Business time (expiry, every time in responses and webhooks) reads the sandbox [`Clock`],
//! which the control API or [`RunningSandbox::clock`] can move forward. The signature window is
//! checked against the system clock, so clients keep signing with their own clock.
//!
//! # Fault injection
//!
//! A [`FaultPlan`] lists rules: latency, a 5xx gateway page, a connection dropped before or
//! after the server acted, a truncated or malformed body (after acting), or the HTML 403, each
//! for a share of requests (optionally one path, optionally a limited number of times), drawn
//! from a seeded generator so a run can be repeated. Control routes are never faulted.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod body;
mod clock;
mod control;
mod credentials;
mod dashboard;
mod error;
mod faults;
mod guard;
mod money;
mod requests;
mod sandbox;
mod server;
mod state;
mod webhooks;

pub use clock::Clock;
pub use error::Error;
pub use faults::{Fault, FaultPlan, FaultRule};
pub use requests::RequestCounts;
pub use sandbox::{
    DEFAULT_KEY_BITS, DEFAULT_MAX_RETRIES, DEFAULT_TIME_WINDOW, RunningSandbox, Sandbox,
    SandboxBuilder, ShutdownReport,
};
pub use state::StateCounts;
pub use webhooks::{DeliveryAttempt, DeliveryStatus, WebhookDelivery};
