//! Strategies for the scalar types the generated strategies are built from.

use binancepay_types::{Amount, Id, NumberOrString};
use proptest::prelude::*;

/// Any short text, including non-ASCII and characters JSON must escape.
pub(crate) fn text() -> BoxedStrategy<String> {
    prop_oneof![".{0,12}", "[\"\\\\/\u{0}-\u{1f}a-z]{0,6}"].boxed()
}

/// Text for an unknown enum value.
pub(crate) fn enum_text() -> BoxedStrategy<String> {
    "[A-Za-z0-9_]{1,16}".boxed()
}

/// Text for an unknown integer enum value.
pub(crate) fn integer_text() -> BoxedStrategy<String> {
    any::<i32>().prop_map(|n| n.to_string()).boxed()
}

/// A valid amount, with trailing zeros kept.
pub(crate) fn amount() -> BoxedStrategy<Amount> {
    "(0|[1-9][0-9]{0,19})(\\.[0-9]{1,8})?"
        .prop_filter_map("valid amount", |text| Amount::new(&text).ok())
        .boxed()
}

/// A numeric id without leading zeros (it may travel as a JSON number).
pub(crate) fn id() -> BoxedStrategy<Id> {
    "0|[1-9][0-9]{0,39}"
        .prop_filter_map("valid id", |text| Id::new(&text).ok())
        .boxed()
}

/// A number (exact text) or a string.
pub(crate) fn number_or_string() -> BoxedStrategy<NumberOrString> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,12})?"
            .prop_filter_map("json number", |t| NumberOrString::number(&t).ok()),
        text().prop_map(NumberOrString::String),
    ]
    .boxed()
}

/// Raw JSON other than `null` (an optional field holding `null` reads back as absent).
pub(crate) fn json() -> BoxedStrategy<serde_json::Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}
