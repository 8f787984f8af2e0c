//! Client-side validation: the rules of the spec, checked before a request is signed and sent.
//!
//! Every request implements [`Endpoint::validate`](crate::Endpoint::validate), which returns all
//! violations at once as [`ValidationErrors`]. Each [`Violation`] names the wire path of the field
//! (e.g. `goodsDetails[0].goodsName`) and the [`Rule`] it breaks.

use std::fmt;

use crate::amount::Amount;

/// Values quoted in a violation are cut to this many characters.
const MAX_QUOTED_CHARS: usize = 64;

/// A set of characters a text field may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharClass {
    /// ASCII letters and digits (`[A-Za-z0-9]`).
    Alnum,
    /// ASCII digits.
    Digits,
    /// Upper-case ASCII letters and digits (`[A-Z0-9]`), e.g. a currency.
    UpperAlnum,
    /// Upper-case ASCII letters (`[A-Z]`), e.g. a country code.
    UpperAlpha,
    /// An `http://` or `https://` URL without whitespace.
    HttpUrl,
}

impl CharClass {
    /// Whether `text` belongs to this class.
    pub fn matches(self, text: &str) -> bool {
        match self {
            Self::Alnum => text.bytes().all(|b| b.is_ascii_alphanumeric()),
            Self::Digits => text.bytes().all(|b| b.is_ascii_digit()),
            Self::UpperAlnum => text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            Self::UpperAlpha => text.bytes().all(|b| b.is_ascii_uppercase()),
            Self::HttpUrl => {
                let rest = text
                    .strip_prefix("https://")
                    .or_else(|| text.strip_prefix("http://"));
                rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
            }
        }
    }

    /// The plural noun used in messages ("letters or digits").
    fn noun(self) -> &'static str {
        match self {
            Self::Alnum => "letters or digits",
            Self::Digits => "digits",
            Self::UpperAlnum => "upper-case letters or digits",
            Self::UpperAlpha => "upper-case letters",
            Self::HttpUrl => "characters of an http(s) URL",
        }
    }
}

/// A rule of the spec that a value breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The field must be present and not empty.
    Required,
    /// The field must be present because of another field's value.
    RequiredWhen {
        /// The condition, e.g. "currency is set".
        condition: &'static str,
    },
    /// Length (in characters) and character class of a text.
    Text {
        /// Fewest characters.
        min: Option<usize>,
        /// Most characters.
        max: Option<usize>,
        /// Allowed characters.
        class: Option<CharClass>,
    },
    /// Numeric range of an amount or integer (inclusive bounds, as decimal text).
    Range {
        /// Smallest allowed value.
        min: Option<String>,
        /// Largest allowed value.
        max: Option<String>,
    },
    /// Most decimal places of an amount.
    DecimalPlaces {
        /// Most decimal places.
        max: u32,
    },
    /// Number of items of a list.
    ListLength {
        /// Fewest items.
        min: Option<usize>,
        /// Most items.
        max: Option<usize>,
    },
    /// Fields of which exactly one (or at least one) must be set.
    OneOf {
        /// The wire names of the fields.
        fields: &'static [&'static str],
        /// `true`: exactly one; `false`: at least one.
        exactly: bool,
    },
    /// A rule across fields, e.g. `totalAmount` must equal the sum of the transfers.
    Consistency {
        /// What must hold.
        rule: &'static str,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => f.write_str("required"),
            Self::RequiredWhen { condition } => write!(f, "required when {condition}"),
            Self::Text { min, max, class } => {
                let noun = class.map_or("characters", CharClass::noun);
                match (min, max) {
                    (Some(min), Some(max)) if min == max => write!(f, "exactly {max} {noun}"),
                    (Some(min), Some(max)) => write!(f, "{min} to {max} {noun}"),
                    (None, Some(max)) => write!(f, "at most {max} {noun}"),
                    (Some(min), None) => write!(f, "at least {min} {noun}"),
                    (None, None) => write!(f, "only {noun}"),
                }
            }
            Self::Range { min, max } => match (min, max) {
                (Some(min), Some(max)) => write!(f, "from {min} to {max}"),
                (Some(min), None) => write!(f, "at least {min}"),
                (None, Some(max)) => write!(f, "at most {max}"),
                (None, None) => f.write_str("in range"),
            },
            Self::DecimalPlaces { max } => write!(f, "at most {max} decimal places"),
            Self::ListLength { min, max } => match (min, max) {
                (Some(min), Some(max)) => write!(f, "{min} to {max} items"),
                (Some(min), None) => write!(f, "at least {min} item(s)"),
                (None, Some(max)) => write!(f, "at most {max} items"),
                (None, None) => f.write_str("a list"),
            },
            Self::OneOf { fields, exactly } => {
                let which = if *exactly {
                    "exactly one of"
                } else {
                    "at least one of"
                };
                write!(f, "{which} {} must be set", fields.join(", "))
            }
            Self::Consistency { rule } => f.write_str(rule),
        }
    }
}

/// One broken rule: the wire path of the field, the rule, and the offending value (quoted, cut to
/// 64 characters) when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Violation {
    /// Wire path, e.g. `merchantTradeNo` or `goodsDetails[0].goodsName`.
    pub field: String,
    /// The broken rule.
    pub rule: Rule,
    /// The offending value, cut to 64 characters.
    pub got: Option<String>,
}

impl Violation {
    /// A violation of `rule` at `field`, quoting `got` (cut to 64 characters).
    pub fn new(field: impl Into<String>, rule: Rule, got: Option<&str>) -> Self {
        Violation {
            field: field.into(),
            rule,
            got: got.map(truncate),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)?;
        if let Some(got) = &self.got {
            write!(f, ", got {got:?}")?;
        }
        Ok(())
    }
}

/// Every violation of a request; `Display` joins them with `"; "`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", join_violations(.violations))]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// `Ok` when there are no violations, else all of them.
    ///
    /// # Errors
    ///
    /// Returns the violations when `violations` is not empty.
    pub fn from_violations(violations: Vec<Violation>) -> Result<(), Self> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors { violations })
        }
    }

    /// The violations, in the order the fields appear in the request.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations, by value.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// The violations at one wire path.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Violation> + 'a {
        self.violations.iter().filter(move |v| v.field == field)
    }
}

impl IntoIterator for ValidationErrors {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.violations.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.violations.iter()
    }
}

fn join_violations(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

// Helpers called by the generated `collect_violations` methods.

/// `parent.wire`, or `wire` at the top level.
pub(crate) fn join_path(parent: &str, wire: &str) -> String {
    match (parent.is_empty(), wire.is_empty()) {
        (true, _) => wire.to_owned(),
        (false, true) => parent.to_owned(),
        (false, false) => format!("{parent}.{wire}"),
    }
}

/// Alias used by generated code for nested objects.
pub(crate) fn join(parent: &str, wire: &str) -> String {
    join_path(parent, wire)
}

/// `parent.wire[index]`.
pub(crate) fn item(parent: &str, wire: &str, index: usize) -> String {
    format!("{}[{index}]", join_path(parent, wire))
}

pub(crate) fn non_empty(out: &mut Vec<Violation>, parent: &str, wire: &str, value: &str) {
    if value.is_empty() {
        out.push(Violation::new(
            join_path(parent, wire),
            Rule::Required,
            None,
        ));
    }
}

pub(crate) fn text(
    out: &mut Vec<Violation>,
    parent: &str,
    wire: &str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
    class: Option<CharClass>,
) {
    // An empty optional text is left to the server; required ones are caught by `non_empty`.
    if value.is_empty() {
        return;
    }
    let len = value.chars().count();
    let too_short = min.is_some_and(|min| len < min);
    let too_long = max.is_some_and(|max| len > max);
    let bad_chars = class.is_some_and(|class| !class.matches(value));
    if too_short || too_long || bad_chars {
        out.push(Violation::new(
            join_path(parent, wire),
            Rule::Text { min, max, class },
            Some(value),
        ));
    }
}

pub(crate) fn amount(
    out: &mut Vec<Violation>,
    parent: &str,
    wire: &str,
    value: &Amount,
    min: Option<&'static str>,
    max: Option<&'static str>,
    decimals: Option<u32>,
) {
    // Bounds come from the spec, which xtask checked to be decimals; a bound that does not
    // parse is skipped rather than panicking.
    let below = min
        .and_then(|m| Amount::new(m).ok())
        .is_some_and(|m| *value < m);
    let above = max
        .and_then(|m| Amount::new(m).ok())
        .is_some_and(|m| *value > m);
    if below || above {
        out.push(Violation::new(
            join_path(parent, wire),
            Rule::Range {
                min: min.map(str::to_owned),
                max: max.map(str::to_owned),
            },
            Some(value.as_str()),
        ));
    }
    if let Some(max) = decimals {
        if value.decimal_places() > max {
            out.push(Violation::new(
                join_path(parent, wire),
                Rule::DecimalPlaces { max },
                Some(value.as_str()),
            ));
        }
    }
}

pub(crate) fn integer(
    out: &mut Vec<Violation>,
    parent: &str,
    wire: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) {
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        out.push(Violation::new(
            join_path(parent, wire),
            Rule::Range {
                min: min.map(|m| m.to_string()),
                max: max.map(|m| m.to_string()),
            },
            Some(&value.to_string()),
        ));
    }
}

pub(crate) fn items(
    out: &mut Vec<Violation>,
    parent: &str,
    wire: &str,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
) {
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        out.push(Violation::new(
            join_path(parent, wire),
            Rule::ListLength { min, max },
            Some(&len.to_string()),
        ));
    }
}

pub(crate) fn required_when(
    out: &mut Vec<Violation>,
    parent: &str,
    wire: &str,
    condition: &'static str,
) {
    out.push(Violation::new(
        join_path(parent, wire),
        Rule::RequiredWhen { condition },
        None,
    ));
}

pub(crate) fn one_of(
    out: &mut Vec<Violation>,
    parent: &str,
    fields: &'static [&'static str],
    set: &[bool],
    exactly: bool,
) {
    let count = set.iter().filter(|s| **s).count();
    let ok = if exactly { count == 1 } else { count >= 1 };
    if !ok {
        out.push(Violation::new(
            join_path(parent, &fields.join("/")),
            Rule::OneOf { fields, exactly },
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_field_rule_and_value() {
        let v = Violation::new(
            "merchantTradeNo",
            Rule::Text {
                min: None,
                max: Some(32),
                class: Some(CharClass::Alnum),
            },
            Some("ab-1"),
        );
        assert_eq!(
            v.to_string(),
            r#"merchantTradeNo: at most 32 letters or digits, got "ab-1""#
        );
    }

    #[test]
    fn quoted_values_are_cut_to_64_chars() {
        let long = "x".repeat(100);
        let v = Violation::new("f", Rule::Required, Some(&long));
        assert_eq!(v.got.as_deref().map(|g| g.chars().count()), Some(65));
    }

    #[test]
    fn errors_join_with_semicolons() {
        let errs = ValidationErrors::from_violations(vec![
            Violation::new("a", Rule::Required, None),
            Violation::new("b", Rule::DecimalPlaces { max: 2 }, Some("1.234")),
        ]);
        assert_eq!(
            errs.map_err(|e| e.to_string()),
            Err(r#"a: required; b: at most 2 decimal places, got "1.234""#.to_owned())
        );
    }

    #[test]
    fn amount_rules() {
        let mut out = Vec::new();
        let value = Amount::new("1.234");
        if let Ok(value) = &value {
            amount(&mut out, "a", "fee", value, Some("2"), Some("5"), Some(2));
        }
        let shown: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                r#"a.fee: from 2 to 5, got "1.234""#,
                r#"a.fee: at most 2 decimal places, got "1.234""#
            ]
        );
    }

    #[test]
    fn text_rules() {
        let mut out = Vec::new();
        text(
            &mut out,
            "",
            "region",
            "sgp",
            Some(2),
            Some(2),
            Some(CharClass::UpperAlpha),
        );
        text(&mut out, "", "optional", "", Some(2), None, None);
        let shown: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [r#"region: exactly 2 upper-case letters, got "sgp""#]
        );
    }

    #[test]
    fn url_class() {
        assert!(CharClass::HttpUrl.matches("https://a.example/x"));
        assert!(!CharClass::HttpUrl.matches("ftp://a.example"));
        assert!(!CharClass::HttpUrl.matches("https://a b"));
        assert!(!CharClass::HttpUrl.matches("https://"));
    }

    #[test]
    fn paths() {
        assert_eq!(join_path("", "a"), "a");
        assert_eq!(join_path("a", "b"), "a.b");
        assert_eq!(item("a", "b", 2), "a.b[2]");
        assert_eq!(join_path("a[0]", ""), "a[0]");
    }
}
