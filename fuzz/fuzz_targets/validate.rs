//! Arbitrary JSON into every request type, then `validate()`, and on to a signed request.
//!
//! Input: the endpoint's operation name on the first line (e.g. `create_order_v3`), then the
//! JSON body. An unknown name picks a type by its first byte instead, so mutations of the name
//! still exercise some type.
//!
//! Checks: violations name a field and quote at most 64 characters; a request survives a JSON
//! round trip with the same verdict; the idempotency key is the wire field it claims to be; a
//! valid request builds, and the server side authenticates it and reads the same request back;
//! an invalid one is refused by the builder with the same violations.

#![no_main]

use std::sync::OnceLock;

use binancepay_fuzz::fixtures;
use binancepay_fuzz::framing::split_line;
use binancepay_http::server::authenticate;
use binancepay_http::{Error, Nonce, RequestBuilder, Timestamp};
use binancepay_types::{Endpoint, RetryClass};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

const NOW: u64 = 1_611_232_922_428;

fn builder() -> &'static RequestBuilder {
    static BUILDER: OnceLock<RequestBuilder> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let (key, signer) = fixtures::merchant();
        RequestBuilder::from_signer(key.clone(), signer.clone()).expect("fixture builder")
    })
}

fn check<E>(json: &[u8])
where
    E: Endpoint + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let Ok(request) = serde_json::from_slice::<E>(json) else {
        return;
    };
    let verdict = request.validate();
    if let Err(errors) = &verdict {
        assert!(!errors.violations().is_empty());
        let _ = errors.to_string();
        for violation in errors.violations() {
            assert!(!violation.field.is_empty(), "{violation:?}");
            if let Some(got) = &violation.got {
                assert!(got.chars().count() <= 65, "quoted value not cut: {got:?}");
            }
        }
    }

    let body = serde_json::to_vec(&request).expect("a decoded request serialises");
    let back: E = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "{}: own JSON {} does not decode: {e}",
            E::OPERATION,
            String::from_utf8_lossy(&body)
        )
    });
    assert_eq!(back, request, "{}: JSON round trip", E::OPERATION);
    assert_eq!(
        back.validate(),
        verdict,
        "{}: verdict changed by a round trip",
        E::OPERATION
    );

    if let (RetryClass::Idempotent { key_field }, Some(key)) = (E::RETRY, request.idempotency_key())
    {
        let value: serde_json::Value = serde_json::from_slice(&body).expect("own JSON is JSON");
        assert_eq!(
            value.get(key_field).and_then(|v| v.as_str()),
            Some(key),
            "{}",
            E::OPERATION
        );
    }

    let timestamp = Timestamp::from_millis(NOW).expect("fixed time");
    let nonce = Nonce::new(fixtures::request_nonce()).expect("V0 nonce");
    match (builder().build(&request, timestamp, &nonce), verdict) {
        (Ok(built), Ok(())) => {
            assert_eq!(
                built.body(),
                &body,
                "the builder sends the same serialisation"
            );
            let auth = authenticate(&built, fixtures::merchant(), timestamp, 1_000)
                .unwrap_or_else(|e| panic!("{}: built request refused: {e:?}", E::OPERATION));
            assert_eq!(auth.path, E::PATH);
            let received: E = serde_json::from_slice(auth.body).expect("server reads the body");
            assert_eq!(received, request);
        }
        (Err(Error::Validation(errors)), Err(expected)) => assert_eq!(errors, expected),
        (built, verdict) => panic!("{}: build {built:?} but validate {verdict:?}", E::OPERATION),
    }
}

macro_rules! dispatch {
    ($($endpoint:ty),* $(,)?) => {
        /// Every request type's operation name and check.
        const CHECKS: &[(&str, fn(&[u8]))] = &[
            $( (<$endpoint as Endpoint>::OPERATION, check::<$endpoint> as fn(&[u8])), )*
        ];
    };
}
binancepay_fuzz::with_endpoints!(dispatch);

fuzz_target!(|data: &[u8]| {
    let (name, json) = split_line(data);
    let chosen = CHECKS
        .iter()
        .find(|(operation, _)| operation.as_bytes() == name)
        .or_else(|| CHECKS.get(usize::from(*name.first()?) % CHECKS.len()));
    if let Some((_, check)) = chosen {
        check(json);
    }
});
