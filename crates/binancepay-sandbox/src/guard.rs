//! Who may use the control API: requests addressed to the sandbox itself, from no other web
//! origin, and for state changes either non-simple (`Content-Type: application/json`, which a
//! cross-site page cannot send without a CORS preflight the sandbox never grants) or carrying
//! the sandbox's control token.
//!
//! The threats are a web page open in the developer's browser: it can make the browser POST
//! to `http://127.0.0.1:PORT/sandbox/...` (a "simple" request needs no preflight), and with DNS
//! rebinding (its own name re-resolved to 127.0.0.1) it can also read the answers, since the
//! browser then counts the sandbox as the page's own origin. The first is stopped by requiring
//! a non-simple request or the token, and by the `Origin` check; the second by the `Host` check:
//! a rebound request still names the attacker's host.

use std::net::IpAddr;

use http::header::{CONTENT_TYPE, HOST, ORIGIN};
use http::{HeaderMap, Method, Uri};

use crate::credentials::SecretText;

/// The header that carries the control token (the query parameter `token` works too, for the
/// checkout page's form).
pub(crate) const TOKEN_HEADER: &str = "x-sandbox-token";

/// The rules of one sandbox.
#[derive(Debug)]
pub(crate) struct Guard {
    token: SecretText,
    allow_remote: bool,
    allowed_hosts: Vec<String>,
}

/// Why a control request was refused (answered 403).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `Host` names neither a loopback name or address nor an allowed host.
    Host(String),
    /// `Origin` (or `Sec-Fetch-Site`) says another web origin sent it.
    CrossOrigin(String),
    /// A state change sent as a simple request without the token.
    SimpleRequest,
}

impl Refusal {
    pub(crate) fn message(&self) -> String {
        match self {
            Refusal::Host(host) => format!(
                "Host {host:?} is not this sandbox's loopback address: the control API answers \
                 only requests addressed to 127.0.0.1, [::1] or localhost (DNS rebinding guard)"
            ),
            Refusal::CrossOrigin(origin) => format!(
                "cross-origin request from {origin:?} refused: the control API serves no other \
                 web origin"
            ),
            Refusal::SimpleRequest => "state changes need Content-Type: application/json (or the \
                 sandbox's control token in X-Sandbox-Token)"
                .to_owned(),
        }
    }
}

impl Guard {
    pub(crate) fn new(token: SecretText, allow_remote: bool, allowed_hosts: Vec<String>) -> Self {
        Guard {
            token,
            allow_remote,
            allowed_hosts: allowed_hosts
                .into_iter()
                .map(|host| host.to_ascii_lowercase())
                .collect(),
        }
    }

    pub(crate) fn token(&self) -> &str {
        self.token.expose()
    }

    /// Checks one control request.
    pub(crate) fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<(), Refusal> {
        let host = headers
            .get(HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| uri.authority().map(http::uri::Authority::as_str))
            .unwrap_or_default();
        if !self.host_allowed(host) {
            return Err(Refusal::Host(host.chars().take(80).collect()));
        }
        if let Some(origin) = headers.get(ORIGIN) {
            let origin = origin.to_str().unwrap_or("?");
            let same = origin
                .strip_prefix("http://")
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host));
            if !same {
                return Err(Refusal::CrossOrigin(origin.chars().take(80).collect()));
            }
        }
        if let Some(site) = headers.get("sec-fetch-site") {
            if !matches!(site.as_bytes(), b"same-origin" | b"none")
                && !is_checkout_from_merchant(method, uri, headers)
            {
                let site = site.to_str().unwrap_or("?");
                return Err(Refusal::CrossOrigin(format!("Sec-Fetch-Site: {site}")));
            }
        }
        let state_change = !matches!(*method, Method::GET | Method::HEAD);
        // PUT, DELETE and the rest always need a preflight; POST only when not "simple".
        if state_change
            && *method == Method::POST
            && !is_json(headers)
            && !self.has_token(uri, headers)
        {
            return Err(Refusal::SimpleRequest);
        }
        Ok(())
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = host_name(host);
        if name.is_empty() {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if lower == "localhost" || lower.ends_with(".localhost") {
            return true;
        }
        if self.allowed_hosts.contains(&lower) {
            return true;
        }
        let literal = lower.trim_start_matches('[').trim_end_matches(']');
        match literal.parse::<IpAddr>() {
            // A rebound name never arrives as an address: an address literal in Host means the
            // browser was pointed at the sandbox itself.
            Ok(ip) => ip.is_loopback() || self.allow_remote,
            Err(_) => false,
        }
    }

    fn has_token(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        let from_header = headers.get(TOKEN_HEADER).map(http::HeaderValue::as_bytes);
        let from_query = uri.query().and_then(|query| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("token="))
                .map(str::as_bytes)
        });
        from_header
            .into_iter()
            .chain(from_query)
            .any(|given| constant_time_eq(given, self.token.expose().as_bytes()))
    }
}

/// A merchant's site sending the customer to `checkoutUrl` (a top-level navigation) or showing
/// the order's `qrcodeLink` (an image): the checkout page must work from other sites. Neither
/// changes state nor lets the other site read the answer, and the page cannot be framed.
fn is_checkout_from_merchant(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    let fetch = |name: &str| headers.get(name).map(http::HeaderValue::as_bytes);
    matches!(*method, Method::GET | Method::HEAD)
        && uri.path().starts_with("/sandbox/checkout/")
        && matches!(
            (fetch("sec-fetch-mode"), fetch("sec-fetch-dest")),
            (Some(b"navigate"), Some(b"document")) | (Some(b"no-cors"), Some(b"image"))
        )
}

/// The host part of a `Host` value: `name`, `name:port`, `[v6]` or `[v6]:port`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// `Content-Type: application/json` (any parameters, any case): not a CORS-safelisted type.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue, Method, Uri};

    use super::{Guard, Refusal, host_name};
    use crate::credentials::SecretText;

    fn guard(remote: bool) -> Guard {
        Guard::new(
            SecretText::new("tok3n".to_owned()),
            remote,
            vec!["Sandbox.Test".to_owned()],
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(value) {
                map.append(*name, value);
            }
        }
        map
    }

    fn check(
        guard: &Guard,
        method: Method,
        uri: &str,
        pairs: &[(&'static str, &str)],
    ) -> Result<(), Refusal> {
        let uri: Uri = uri.parse().unwrap_or_default();
        guard.check(&method, &uri, &headers(pairs))
    }

    #[test]
    fn the_checkout_page_and_its_qr_code_open_from_the_merchants_site() {
        let g = guard(false);
        let host = ("host", "127.0.0.1:8080");
        let cross = ("sec-fetch-site", "cross-site");
        let navigate = [
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "document"),
        ];
        let image = [("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "image")];
        let page = [host, cross, navigate[0], navigate[1]];
        let qr = [host, cross, image[0], image[1]];
        assert_eq!(check(&g, Method::GET, "/sandbox/checkout/1", &page), Ok(()));
        assert_eq!(
            check(&g, Method::GET, "/sandbox/checkout/1/qr", &qr),
            Ok(())
        );
        // Only reading the checkout page: not another route, not a fetch, not a state change.
        assert!(check(&g, Method::GET, "/sandbox/state", &page).is_err());
        let fetch = [
            host,
            cross,
            ("sec-fetch-mode", "cors"),
            ("sec-fetch-dest", "empty"),
        ];
        assert!(check(&g, Method::GET, "/sandbox/checkout/1", &fetch).is_err());
        let json = ("content-type", "application/json");
        let post = [host, cross, navigate[0], navigate[1], json];
        assert!(check(&g, Method::POST, "/sandbox/checkout/1", &post).is_err());
        // A rebound host is still refused.
        let rebound = [("host", "evil.example"), cross, navigate[0], navigate[1]];
        assert!(check(&g, Method::GET, "/sandbox/checkout/1", &rebound).is_err());
    }

    #[test]
    fn host_names_are_split_from_ports() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("localhost"), "localhost");
        assert_eq!(host_name("evil.example:80"), "evil.example");
    }

    #[test]
    fn only_loopback_hosts_pass_unless_remote_is_allowed() {
        let local = guard(false);
        for host in [
            "127.0.0.1:1",
            "127.9.9.9",
            "[::1]:8080",
            "localhost:80",
            "LOCALHOST",
            "a.localhost:9",
            "sandbox.test:1",
        ] {
            assert_eq!(
                check(&local, Method::GET, "/sandbox/state", &[("host", host)]),
                Ok(()),
                "{host}"
            );
        }
        for host in [
            "evil.example:8080",
            "10.0.0.1:80",
            "",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
        ] {
            assert!(
                matches!(
                    check(&local, Method::GET, "/sandbox/state", &[("host", host)]),
                    Err(Refusal::Host(_))
                ),
                "{host}"
            );
        }
        let remote = guard(true);
        assert_eq!(
            check(
                &remote,
                Method::GET,
                "/sandbox/state",
                &[("host", "10.0.0.1:80")]
            ),
            Ok(())
        );
        // Names still need to be loopback or allowed: DNS rebinding works on any network.
        assert!(
            check(
                &remote,
                Method::GET,
                "/sandbox/state",
                &[("host", "evil.example")]
            )
            .is_err()
        );
    }

    #[test]
    fn state_changes_need_json_or_the_token_and_the_same_origin() {
        let g = guard(false);
        let host = ("host", "127.0.0.1:8080");
        let json = ("content-type", "Application/JSON; charset=utf-8");
        assert_eq!(
            check(&g, Method::POST, "/sandbox/orders/1/pay", &[host, json]),
            Ok(())
        );
        assert_eq!(
            check(&g, Method::POST, "/sandbox/orders/1/pay", &[host]),
            Err(Refusal::SimpleRequest)
        );
        for simple in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
        ] {
            assert_eq!(
                check(
                    &g,
                    Method::POST,
                    "/sandbox/orders/1/pay",
                    &[host, ("content-type", simple)]
                ),
                Err(Refusal::SimpleRequest),
                "{simple}"
            );
        }
        assert_eq!(
            check(
                &g,
                Method::POST,
                "/sandbox/orders/1/pay?token=tok3n",
                &[host]
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &g,
                Method::POST,
                "/sandbox/orders/1/pay",
                &[host, ("x-sandbox-token", "tok3n")]
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &g,
                Method::POST,
                "/sandbox/orders/1/pay?token=tok3m",
                &[host]
            ),
            Err(Refusal::SimpleRequest)
        );
        assert_eq!(
            check(&g, Method::DELETE, "/sandbox/faults", &[host]),
            Ok(())
        );
        // Same origin passes, any other origin does not, even with JSON or the token.
        assert_eq!(
            check(
                &g,
                Method::POST,
                "/sandbox/orders/1/pay?token=tok3n",
                &[host, ("origin", "http://127.0.0.1:8080")]
            ),
            Ok(())
        );
        for origin in [
            "http://evil.example",
            "null",
            "https://127.0.0.1:8080",
            "http://127.0.0.1:8081",
        ] {
            assert!(
                matches!(
                    check(
                        &g,
                        Method::POST,
                        "/sandbox/orders/1/pay",
                        &[host, json, ("origin", origin)]
                    ),
                    Err(Refusal::CrossOrigin(_))
                ),
                "{origin}"
            );
        }
        assert!(matches!(
            check(
                &g,
                Method::POST,
                "/sandbox/orders/1/pay",
                &[host, json, ("sec-fetch-site", "cross-site")]
            ),
            Err(Refusal::CrossOrigin(_))
        ));
        assert_eq!(
            check(
                &g,
                Method::GET,
                "/sandbox/state",
                &[host, ("sec-fetch-site", "none")]
            ),
            Ok(())
        );
    }
}
