//! Client-side validation: the rules of the spec, checked before a request is signed and sent.
//!
//! Every request implements [`Endpoint::validate`](crate::Endpoint::validate), which returns all
//! violations at once as [`ValidationErrors`]. Each [`Violation`] names the wire path of the field
//! (e.g. `goodsDetails[0].goodsName`) and the [`Rule`] it breaks.

use std::fmt::{self, Write as _};

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
                rest.is_some_and(|r| !r.is_empty() && !has_whitespace(r))
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

/// `char::is_whitespace` over `text`, byte by byte while it is ASCII.
fn has_whitespace(text: &str) -> bool {
    if text.is_ascii() {
        // The ASCII characters `char::is_whitespace` accepts: space and \t \n \x0B \x0C \r.
        text.bytes().any(|b| matches!(b, b' ' | b'\t'..=b'\r'))
    } else {
        text.chars().any(char::is_whitespace)
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

// Helpers called by the generated `collect_violations` methods. None of them allocates unless it
// records a violation: the wire path is rendered only then.

/// Where a value sits in the request, kept as links to its parents and rendered (e.g.
/// `goodsDetails[0].goodsName`) only when a violation is recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The request itself.
    Root,
    /// The field `wire` of the value at the parent path.
    Field(&'a Path<'a>, &'static str),
    /// Item `index` of the list field `wire` of the value at the parent path.
    Item(&'a Path<'a>, &'static str, usize),
}

impl Path<'_> {
    /// The rendered path of the field `wire` of this value, or of this value when `wire` is empty.
    pub(crate) fn at(&self, wire: &str) -> String {
        let mut out = String::new();
        self.render(&mut out);
        push_segment(&mut out, wire);
        out
    }

    fn render(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Field(parent, wire) => {
                parent.render(out);
                push_segment(out, wire);
            }
            Path::Item(parent, wire, index) => {
                parent.render(out);
                push_segment(out, wire);
                // Writing to a String cannot fail.
                let _ = write!(out, "[{index}]");
            }
        }
    }
}

/// Appends `.wire` (or `wire` at the start; nothing when `wire` is empty).
fn push_segment(out: &mut String, wire: &str) {
    if wire.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(wire);
}

pub(crate) fn non_empty(out: &mut Vec<Violation>, parent: &Path<'_>, wire: &str, value: &str) {
    if value.is_empty() {
        out.push(Violation::new(parent.at(wire), Rule::Required, None));
    }
}

pub(crate) fn text(
    out: &mut Vec<Violation>,
    parent: &Path<'_>,
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
    // A text has at most as many characters as bytes: count them only when the byte length
    // cannot decide (multi-byte text near a bound).
    let bytes = value.len();
    let chars = || value.chars().count();
    let too_short = min.is_some_and(|min| bytes < min || chars() < min);
    let too_long = max.is_some_and(|max| bytes > max && chars() > max);
    let bad_chars = class.is_some_and(|class| !class.matches(value));
    if too_short || too_long || bad_chars {
        out.push(Violation::new(
            parent.at(wire),
            Rule::Text { min, max, class },
            Some(value),
        ));
    }
}

pub(crate) fn amount(
    out: &mut Vec<Violation>,
    parent: &Path<'_>,
    wire: &str,
    value: &Amount,
    min: Option<&'static str>,
    max: Option<&'static str>,
    decimals: Option<u32>,
) {
    // Bounds come from the spec, which xtask checked to be decimals; a bound that does not
    // parse is skipped rather than panicking. Parsing a valid bound allocates nothing.
    let bound = |text: &str| crate::amount::parse_scaled(text).ok();
    let got = value.scaled();
    let below = min.and_then(bound).is_some_and(|m| got < m);
    let above = max.and_then(bound).is_some_and(|m| got > m);
    if below || above {
        out.push(Violation::new(
            parent.at(wire),
            Rule::Range {
                min: min.map(str::to_owned),
                max: max.map(str::to_owned),
            },
            Some(value.as_str()),
        ));
    }
    let max = decimals.map_or(Amount::MAX_DECIMAL_PLACES, |d| {
        d.min(Amount::MAX_DECIMAL_PLACES)
    });
    if value.has_excess_precision() || value.decimal_places() > max {
        out.push(Violation::new(
            parent.at(wire),
            Rule::DecimalPlaces { max },
            Some(value.as_str()),
        ));
    }
}

pub(crate) fn integer(
    out: &mut Vec<Violation>,
    parent: &Path<'_>,
    wire: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) {
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        out.push(Violation::new(
            parent.at(wire),
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
    parent: &Path<'_>,
    wire: &str,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
) {
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        out.push(Violation::new(
            parent.at(wire),
            Rule::ListLength { min, max },
            Some(&len.to_string()),
        ));
    }
}

pub(crate) fn required_when(
    out: &mut Vec<Violation>,
    parent: &Path<'_>,
    wire: &str,
    condition: &'static str,
) {
    out.push(Violation::new(
        parent.at(wire),
        Rule::RequiredWhen { condition },
        None,
    ));
}

/// Reported at `parent.a/b` (the fields joined with `/`).
pub(crate) fn one_of(
    out: &mut Vec<Violation>,
    parent: &Path<'_>,
    fields: &'static [&'static str],
    set: &[bool],
    exactly: bool,
) {
    let count = set.iter().filter(|s| **s).count();
    let ok = if exactly { count == 1 } else { count >= 1 };
    if !ok {
        out.push(Violation::new(
            parent.at(&fields.join("/")),
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
            let root = Path::Root;
            amount(
                &mut out,
                &Path::Field(&root, "a"),
                "fee",
                value,
                Some("2"),
                Some("5"),
                Some(2),
            );
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
            &Path::Root,
            "region",
            "sgp",
            Some(2),
            Some(2),
            Some(CharClass::UpperAlpha),
        );
        text(&mut out, &Path::Root, "optional", "", Some(2), None, None);
        let shown: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [r#"region: exactly 2 upper-case letters, got "sgp""#]
        );
    }

    proptest::proptest! {
        /// The shortcuts on byte length and ASCII give the answers of the plain definitions.
        #[test]
        fn length_and_whitespace_shortcuts_agree(
            value in "[a-zé€ \t\u{b}\u{85}\u{a0}\u{2028}]{1,12}",
            min in 0usize..8,
            max in 0usize..14,
        ) {
            let mut out = Vec::new();
            text(&mut out, &Path::Root, "f", &value, Some(min), Some(max), None);
            let len = value.chars().count();
            proptest::prop_assert_eq!(!out.is_empty(), len < min || len > max);
            proptest::prop_assert_eq!(
                has_whitespace(&value),
                value.chars().any(char::is_whitespace)
            );
        }
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
        let root = Path::Root;
        assert_eq!(root.at("a"), "a");
        assert_eq!(root.at(""), "");
        let a = Path::Field(&root, "a");
        assert_eq!(a.at("b"), "a.b");
        assert_eq!(a.at(""), "a");
        assert_eq!(Path::Item(&a, "b", 2).at(""), "a.b[2]");
        assert_eq!(Path::Item(&root, "a", 0).at(""), "a[0]");
        assert_eq!(Path::Item(&root, "a", 0).at("b"), "a[0].b");
        // An empty wire name adds nothing, as for the items of a list of scalars.
        assert_eq!(
            Path::Field(&Path::Item(&root, "a", 10), "").at("c"),
            "a[10].c"
        );
    }

    #[test]
    fn deep_paths() {
        // An object inside a list item inside an object.
        let root = Path::Root;
        let order = Path::Field(&root, "order");
        let goods = Path::Item(&order, "goodsDetails", 12);
        let price = Path::Field(&goods, "goodsUnitAmount");
        assert_eq!(
            price.at("currency"),
            "order.goodsDetails[12].goodsUnitAmount.currency"
        );
        let mut out = Vec::new();
        non_empty(&mut out, &price, "currency", "");
        one_of(
            &mut out,
            &price,
            &["amount", "fiatAmount"],
            &[false, false],
            true,
        );
        one_of(&mut out, &root, &["a", "b"], &[true, true], true);
        let fields: Vec<&str> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "order.goodsDetails[12].goodsUnitAmount.currency",
                "order.goodsDetails[12].goodsUnitAmount.amount/fiatAmount",
                "a/b",
            ]
        );
    }

    #[test]
    fn nothing_is_recorded_when_rules_hold() {
        let root = Path::Root;
        let item = Path::Item(&root, "list", 0);
        let mut out = Vec::new();
        non_empty(&mut out, &item, "a", "x");
        text(
            &mut out,
            &item,
            "b",
            "AB",
            Some(2),
            Some(2),
            Some(CharClass::UpperAlpha),
        );
        if let Ok(value) = Amount::new("2.50") {
            amount(
                &mut out,
                &item,
                "c",
                &value,
                Some("2.5"),
                Some("2.50"),
                Some(2),
            );
        }
        integer(&mut out, &item, "d", 5, Some(5), Some(5));
        items(&mut out, &item, "e", 1, Some(1), Some(1));
        one_of(&mut out, &item, &["f", "g"], &[false, true], true);
        one_of(&mut out, &item, &["f", "g"], &[true, true], false);
        assert_eq!(out, []);
    }
}
