//! Fault injection: latency, 5xx, dropped connections, broken bodies and the HTML 403, for a
//! chosen share of requests, drawn from a seeded generator so a test run can be repeated.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One kind of misbehaviour.
///
/// In JSON (the control API) a fault is an object with a `kind` plus its parameters:
/// `{"kind":"latency","ms":250}`, `{"kind":"server_error","status":503}`,
/// `{"kind":"drop_before_action"}`, `{"kind":"drop_after_action"}`,
/// `{"kind":"truncated_body"}`, `{"kind":"malformed_body"}`, `{"kind":"html403"}` or
/// `{"kind":"restricted_location"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Wait `ms` milliseconds before handling the request (adds to any other fault).
    Latency {
        /// The delay in milliseconds.
        ms: u64,
    },
    /// Answer with this HTTP status (500..=599) and a gateway-style body, without acting.
    ServerError {
        /// The status to send.
        status: u16,
    },
    /// Close the connection without answering and without acting.
    DropBeforeAction,
    /// Act on the request (state changes, webhooks), then close the connection without answering.
    DropAfterAction,
    /// Act, then send the headers and half of the JSON body and close the connection.
    TruncatedBody,
    /// Act, then answer HTTP 200 with a body that is not valid JSON.
    MalformedBody,
    /// Answer with CloudFront's HTML 403 page, without acting (what a wrong path gets).
    Html403,
    /// Answer as Binance does to a request from a restricted country, without acting:
    /// `{"code":0,"msg":"Service unavailable from a restricted location ..."}` with HTTP 451.
    RestrictedLocation,
}

impl Fault {
    /// Whether the request reaches the API handlers (and so may change state) under this fault.
    #[must_use]
    pub fn acts(&self) -> bool {
        matches!(
            self,
            Fault::Latency { .. }
                | Fault::DropAfterAction
                | Fault::TruncatedBody
                | Fault::MalformedBody
        )
    }
}

/// A fault, how often it fires, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// What happens.
    #[serde(flatten)]
    pub fault: Fault,
    /// Share of matching requests it fires on, from 0.0 (never) to 1.0 (always).
    pub rate: f64,
    /// Only requests to this exact path (e.g. `/binancepay/openapi/v3/order`); every Binance path
    /// when absent. Control routes under `/sandbox/` are never faulted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Stop after firing this many times; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl FaultRule {
    /// A rule firing `fault` on a share `rate` of all Binance requests, without limit.
    #[must_use]
    pub fn new(fault: Fault, rate: f64) -> Self {
        Self {
            fault,
            rate,
            path: None,
            limit: None,
        }
    }

    /// Restricts the rule to one path.
    #[must_use]
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Stops the rule after `limit` firings.
    #[must_use]
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// The fault rules in force and the seed of their random draws.
///
/// Every request to a Binance path draws one number per matching rule, in rule order, from a
/// generator seeded with `seed`; the same seed and the same sequence of requests fire the same
/// faults. Latency adds to whatever else fires; of the other kinds the first rule that fires wins.
///
/// ```
/// use binancepay_sandbox::{Fault, FaultPlan, FaultRule};
///
/// let plan = FaultPlan::new(42)
///     .with_rule(FaultRule::new(Fault::Latency { ms: 50 }, 0.5))
///     .with_rule(FaultRule::new(Fault::DropAfterAction, 0.1).on_path("/binancepay/openapi/v3/order"));
/// assert!(plan.validate().is_ok());
/// let json = serde_json::to_string(&plan)?;
/// assert!(json.contains(r#""kind":"drop_after_action""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultPlan {
    /// Seed of the random draws.
    #[serde(default)]
    pub seed: u64,
    /// The rules, tried in order.
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// A plan with no rules.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            rules: Vec::new(),
        }
    }

    /// Adds a rule.
    #[must_use]
    pub fn with_rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Checks every rule.
    ///
    /// # Errors
    /// A message naming the rule index and the broken rule: `rate` must be a number from 0 to 1,
    /// `status` must be 500..=599, `ms` at most 60000, `path` must start with `/`.
    pub fn validate(&self) -> Result<(), String> {
        for (index, rule) in self.rules.iter().enumerate() {
            if !(rule.rate.is_finite() && (0.0..=1.0).contains(&rule.rate)) {
                return Err(format!("rules[{index}].rate: must be from 0.0 to 1.0"));
            }
            match rule.fault {
                Fault::ServerError { status } if !(500..=599).contains(&status) => {
                    return Err(format!("rules[{index}].status: must be from 500 to 599"));
                }
                Fault::Latency { ms } if ms > MAX_LATENCY_MS => {
                    return Err(format!(
                        "rules[{index}].ms: must be at most {MAX_LATENCY_MS}"
                    ));
                }
                _ => {}
            }
            if rule.path.as_deref().is_some_and(|p| !p.starts_with('/')) {
                return Err(format!("rules[{index}].path: must start with '/'"));
            }
        }
        Ok(())
    }
}

/// Longest accepted injected latency: a minute keeps a mistaken plan from hanging a test run.
pub(crate) const MAX_LATENCY_MS: u64 = 60_000;

/// What to do with one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Total injected latency.
    pub(crate) delay: Duration,
    /// The non-latency fault that fired, if any.
    pub(crate) fault: Option<Fault>,
}

/// A plan plus its generator and per-rule firing counts.
#[derive(Debug)]
pub(crate) struct FaultState {
    plan: FaultPlan,
    rng: SplitMix64,
    fired: Vec<u64>,
}

impl FaultState {
    pub(crate) fn new(plan: FaultPlan) -> Self {
        let fired = vec![0; plan.rules.len()];
        let rng = SplitMix64::new(plan.seed);
        Self { plan, rng, fired }
    }

    pub(crate) fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// How often each rule fired, in rule order.
    pub(crate) fn fired(&self) -> &[u64] {
        &self.fired
    }

    /// Draws the faults of one request to `path`.
    pub(crate) fn decide(&mut self, path: &str) -> Decision {
        let mut decision = Decision::default();
        for (rule, fired) in self.plan.rules.iter().zip(self.fired.iter_mut()) {
            if rule.path.as_deref().is_some_and(|p| p != path) {
                continue;
            }
            if rule.limit.is_some_and(|limit| *fired >= limit) {
                continue;
            }
            // Draw even when an earlier rule fired, so one rule's outcome does not shift the
            // sequence another rule sees.
            let draw = self.rng.next_unit();
            if draw >= rule.rate {
                continue;
            }
            match rule.fault {
                Fault::Latency { ms } => {
                    decision.delay = decision.delay.saturating_add(Duration::from_millis(ms));
                    *fired += 1;
                }
                other if decision.fault.is_none() => {
                    decision.fault = Some(other);
                    *fired += 1;
                }
                _ => {}
            }
        }
        decision
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to pick which requests fail.
#[derive(Debug, Clone)]
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)` from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        // 2^53 fits exactly in an f64, so this is an exact dyadic fraction.
        #[allow(clippy::cast_precision_loss)]
        let value = (self.next_u64() >> 11) as f64;
        value / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, Fault, FaultPlan, FaultRule, FaultState, SplitMix64};
    use proptest::prelude::*;
    use std::time::Duration;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs for seed 1234567 from the reference C implementation.
        let mut rng = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn same_seed_same_decisions() {
        let plan = FaultPlan::new(7)
            .with_rule(FaultRule::new(Fault::DropBeforeAction, 0.3))
            .with_rule(FaultRule::new(Fault::Latency { ms: 5 }, 0.5));
        let run = |plan: &FaultPlan| {
            let mut state = FaultState::new(plan.clone());
            (0..200)
                .map(|_| state.decide("/x"))
                .collect::<Vec<Decision>>()
        };
        assert_eq!(run(&plan), run(&plan));
        let fired: usize = run(&plan).iter().filter(|d| d.fault.is_some()).count();
        // 30 % of 200 give or take sampling noise.
        assert!((35..=85).contains(&fired), "{fired}");
    }

    #[test]
    fn rate_one_always_fires_and_limit_stops_it() {
        let plan = FaultPlan::new(1).with_rule(FaultRule::new(Fault::Html403, 1.0).with_limit(2));
        let mut state = FaultState::new(plan);
        let faults: Vec<Option<Fault>> = (0..4).map(|_| state.decide("/a").fault).collect();
        assert_eq!(
            faults,
            [Some(Fault::Html403), Some(Fault::Html403), None, None]
        );
        assert_eq!(state.fired(), [2]);
    }

    #[test]
    fn path_filter_and_latency_stacking() {
        let plan = FaultPlan::new(3)
            .with_rule(FaultRule::new(Fault::Latency { ms: 10 }, 1.0))
            .with_rule(FaultRule::new(Fault::Latency { ms: 15 }, 1.0).on_path("/b"))
            .with_rule(FaultRule::new(Fault::MalformedBody, 1.0).on_path("/b"))
            .with_rule(FaultRule::new(Fault::TruncatedBody, 1.0));
        let mut state = FaultState::new(plan);
        let a = state.decide("/a");
        assert_eq!(
            a,
            Decision {
                delay: Duration::from_millis(10),
                fault: Some(Fault::TruncatedBody)
            }
        );
        let b = state.decide("/b");
        assert_eq!(
            b,
            Decision {
                delay: Duration::from_millis(25),
                fault: Some(Fault::MalformedBody)
            }
        );
    }

    #[test]
    fn validation_names_the_rule() {
        let bad =
            FaultPlan::new(0).with_rule(FaultRule::new(Fault::ServerError { status: 404 }, 0.5));
        assert_eq!(
            bad.validate(),
            Err("rules[0].status: must be from 500 to 599".to_owned())
        );
        let bad = FaultPlan::new(0).with_rule(FaultRule::new(Fault::Html403, f64::NAN));
        assert_eq!(
            bad.validate(),
            Err("rules[0].rate: must be from 0.0 to 1.0".to_owned())
        );
        let bad = FaultPlan::new(0).with_rule(FaultRule::new(Fault::Html403, 0.1).on_path("x"));
        assert!(bad.validate().is_err());
    }

    #[test]
    fn json_shape() {
        let json =
            r#"{"seed":9,"rules":[{"kind":"server_error","status":503,"rate":0.25,"limit":3}]}"#;
        let plan: Result<FaultPlan, _> = serde_json::from_str(json);
        let expected = FaultPlan::new(9)
            .with_rule(FaultRule::new(Fault::ServerError { status: 503 }, 0.25).with_limit(3));
        assert_eq!(plan.ok(), Some(expected));
    }

    proptest! {
        #[test]
        fn unit_draws_stay_in_range(seed in any::<u64>()) {
            let mut rng = SplitMix64::new(seed);
            for _ in 0..64 {
                let x = rng.next_unit();
                prop_assert!((0.0..1.0).contains(&x));
            }
        }

        #[test]
        fn plan_json_round_trips(seed in any::<u64>(), rate in 0.0f64..=1.0, ms in 0u64..1000,
                                 status in 500u16..600, limit in proptest::option::of(0u64..10)) {
            let mut rule = FaultRule::new(Fault::ServerError { status }, rate);
            rule.limit = limit;
            let plan = FaultPlan::new(seed)
                .with_rule(rule)
                .with_rule(FaultRule::new(Fault::Latency { ms }, rate).on_path("/p"))
                .with_rule(FaultRule::new(Fault::DropAfterAction, rate));
            let text = serde_json::to_string(&plan).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: FaultPlan = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // serde_json's fast float parser may land one ulp off; what matters is that the
            // plan is stable from then on and the rate is the same to 12 places.
            let again: FaultPlan = serde_json::to_string(&back)
                .and_then(|t| serde_json::from_str(&t))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&again, &back);
            for (a, b) in back.rules.iter().zip(&plan.rules) {
                prop_assert!((a.rate - b.rate).abs() < 1e-12);
                prop_assert_eq!((a.fault, &a.path, a.limit), (b.fault, &b.path, b.limit));
            }
        }
    }
}
