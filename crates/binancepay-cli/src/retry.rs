//! Which raw requests `binancepay request` may send again: the rules `binancepay-client` applies
//! to its own calls, for a body the CLI did not serialise.

use std::hash::{BuildHasher as _, Hasher as _};

use binancepay_client::{Outcome, RetryPolicy};
use binancepay_types::{RetryClass, endpoint_by_path};
use serde_json::{Map, Value};

/// How often a raw request may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// An endpoint this version does not know: what a resend would do is unknown, so never.
    Once,
    /// A known endpoint, with the class its body allows.
    Class(RetryClass),
}

/// The plan for `path` carrying `body`. An idempotent endpoint whose key is missing (or not a
/// non-empty string) cannot rely on it, so it is treated as unsafe.
pub(crate) fn plan(path: &str, body: &Map<String, Value>) -> Plan {
    let Some(endpoint) = endpoint_by_path(path) else {
        return Plan::Once;
    };
    let key = match endpoint.retry {
        RetryClass::Idempotent { key_field } => body.get(key_field).and_then(Value::as_str),
        _ => None,
    };
    Plan::Class(RetryPolicy::effective_class(endpoint.retry, key))
}

/// Whether an attempt that ended with `outcome` may be sent again: never for an unknown
/// endpoint, else as the client library decides for the class.
pub(crate) fn permits(plan: Plan, outcome: Outcome) -> bool {
    match plan {
        Plan::Once => false,
        Plan::Class(class) => RetryPolicy::permits(class, outcome),
    }
}

/// 64 bits for backoff jitter from the standard library's per-process random hash keys: the
/// jitter only has to differ between processes, not be secret.
pub(crate) fn jitter() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OUTCOMES: [Outcome; 4] = [
        Outcome::NotSent,
        Outcome::Rejected,
        Outcome::Succeeded,
        Outcome::Unknown,
    ];

    fn body(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap_or_default()
    }

    #[test]
    fn the_path_names_the_class() {
        let query = plan("/binancepay/openapi/v2/order/query", &body("{}"));
        assert_eq!(query, Plan::Class(RetryClass::Query));
        let refund = "/binancepay/openapi/order/refund";
        assert_eq!(
            plan(refund, &body(r#"{"refundRequestId":"r1"}"#)),
            Plan::Class(RetryClass::Idempotent {
                key_field: "refundRequestId"
            })
        );
        for keyless in [
            r#"{}"#,
            r#"{"refundRequestId":""}"#,
            r#"{"refundRequestId":7}"#,
        ] {
            assert_eq!(
                plan(refund, &body(keyless)),
                Plan::Class(RetryClass::Unsafe)
            );
        }
        let close = plan("/binancepay/openapi/order/close", &body("{}"));
        assert_eq!(close, Plan::Class(RetryClass::Unsafe));
        assert_eq!(
            plan("/binancepay/openapi/v9/nothing", &body("{}")),
            Plan::Once
        );
    }

    #[test]
    fn unsafe_and_unknown_requests_are_not_resent_after_they_may_have_acted() {
        for outcome in OUTCOMES {
            assert!(!permits(Plan::Once, outcome));
            let safe = matches!(outcome, Outcome::NotSent | Outcome::Rejected);
            assert_eq!(permits(Plan::Class(RetryClass::Unsafe), outcome), safe);
            let resend = outcome != Outcome::Succeeded;
            assert_eq!(permits(Plan::Class(RetryClass::Query), outcome), resend);
        }
    }

    #[test]
    fn jitter_varies_between_hashers() {
        // Two fresh keys colliding 8 times in a row would mean the keys are not random.
        assert!((0..8).any(|_| jitter() != jitter()));
    }

    proptest! {
        #[test]
        fn every_known_path_has_a_class(index in 0usize..binancepay_types::ENDPOINTS.len(), key in "[a-z0-9]{0,8}") {
            let endpoint = &binancepay_types::ENDPOINTS[index];
            let mut map = Map::new();
            if let RetryClass::Idempotent { key_field } = endpoint.retry {
                map.insert(key_field.to_owned(), Value::String(key.clone()));
            }
            let planned = plan(endpoint.path, &map);
            prop_assert!(matches!(planned, Plan::Class(_)));
            if matches!(endpoint.retry, RetryClass::Idempotent { .. }) && key.is_empty() {
                prop_assert_eq!(planned, Plan::Class(RetryClass::Unsafe));
            }
        }

        #[test]
        fn unknown_paths_are_sent_once(suffix in "[a-z/]{0,24}") {
            let path = format!("/binancepay/openapi/zz{suffix}");
            prop_assert_eq!(plan(&path, &Map::new()), Plan::Once);
        }
    }
}
