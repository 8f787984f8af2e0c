//! Emits `tests/it/model_round_trips.rs`: a proptest strategy per enum and object, a JSON round
//! trip test per object, and the list of response parsers for the never-panic test.

use super::emit::{Context, field_ident, header, line, snake};
use super::enums::variant_name;
use super::models::response_type;
use crate::spec::{FieldDef, Presence, Repr, TypeExpr};

pub(crate) fn tests_file(ctx: &Context<'_>) -> String {
    let mut out = header("spec/");
    line!(
        out,
        "//! Round trips of every generated model through JSON, driven by strategies generated from the spec."
    );
    line!(out);
    line!(out, "use proptest::prelude::*;");
    line!(out);
    line!(out, "use crate::scalars;");
    line!(out);
    for def in ctx.spec.all_enums() {
        let path = ctx.public_path(&def.name);
        line!(
            out,
            "fn enum_{}() -> BoxedStrategy<{path}> {{",
            snake(&def.name)
        );
        let unknown = match def.repr {
            Repr::String => "scalars::enum_text()",
            Repr::Int => "scalars::integer_text()",
        };
        // A `Just` per value keeps the strategy independent of the enum's own constants.
        let known: Vec<String> = def
            .values
            .iter()
            .map(|v| format!("Just({path}::{})", variant_name(v)))
            .collect();
        line!(out, "prop_oneof![");
        for k in &known {
            line!(out, "{k},");
        }
        line!(out, "{unknown}.prop_map(|text| {path}::from_wire(&text)),");
        line!(out, "].boxed()");
        line!(out, "}}");
        line!(out);
    }
    let objects = ctx.spec.all_objects();
    for (object, _) in &objects {
        let path = ctx.public_path(&object.name);
        line!(
            out,
            "fn object_{}() -> BoxedStrategy<{path}> {{",
            snake(&object.name)
        );
        if object.field.is_empty() {
            line!(out, "Just({path}::new()).boxed()");
            line!(out, "}}");
            line!(out);
            continue;
        }
        let strategies: Vec<String> = object
            .field
            .iter()
            .map(|f| field_strategy(ctx, f))
            .collect();
        let chunks: Vec<Vec<(usize, &String)>> = strategies
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .chunks(10)
            .map(<[_]>::to_vec)
            .collect();
        let tuple = chunks
            .iter()
            .map(|c| {
                format!(
                    "({},)",
                    c.iter()
                        .map(|(_, s)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let pattern = chunks
            .iter()
            .map(|c| {
                format!(
                    "({},)",
                    c.iter()
                        .map(|(i, _)| format!("f{i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        line!(out, "({tuple},)");
        line!(out, ".prop_map(|({pattern},)| {{");
        let required: Vec<String> = object
            .field
            .iter()
            .enumerate()
            .filter(|(_, f)| f.presence == Presence::Required)
            .map(|(i, _)| format!("f{i}"))
            .collect();
        let optional: Vec<(usize, &FieldDef)> = object
            .field
            .iter()
            .enumerate()
            .filter(|(_, f)| f.presence != Presence::Required)
            .collect();
        if optional.is_empty() {
            line!(out, "{path}::new({})", required.join(", "));
        } else {
            line!(out, "let mut value = {path}::new({});", required.join(", "));
            for (i, field) in optional {
                line!(out, "value.{} = f{i};", field_ident(&field.wire));
            }
            line!(out, "value");
        }
        line!(out, "}})");
        line!(out, ".boxed()");
        line!(out, "}}");
        line!(out);
    }
    line!(out, "proptest! {{");
    line!(out, "#![proptest_config(ProptestConfig::with_cases(24))]");
    for def in ctx.spec.all_enums() {
        let name = snake(&def.name);
        line!(out);
        line!(out, "#[test]");
        line!(out, "fn round_trip_enum_{name}(value in enum_{name}()) {{");
        line!(out, "crate::round_trip::json(&value)?;");
        line!(out, "}}");
    }
    let requests: std::collections::BTreeSet<&str> = ctx
        .spec
        .areas
        .iter()
        .flat_map(|area| area.endpoint.iter().map(|ep| ep.request.as_str()))
        .collect();
    for (object, _) in &objects {
        let name = snake(&object.name);
        // Requests also check that `Endpoint::write_body` writes what serde_json writes.
        let check = if requests.contains(object.name.as_str()) {
            "request"
        } else {
            "json"
        };
        line!(out);
        line!(out, "#[test]");
        line!(out, "fn round_trip_{name}(value in object_{name}()) {{");
        line!(out, "crate::round_trip::{check}(&value)?;");
        line!(out, "}}");
    }
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// Decodes a body as one endpoint's response envelope; the error text says why not."
    );
    line!(
        out,
        "pub(crate) type ResponseParser = fn(&[u8]) -> Result<(), String>;"
    );
    line!(out);
    line!(out, "/// Every endpoint's response parser, by operation.");
    line!(
        out,
        "pub(crate) const RESPONSE_PARSERS: &[(&str, ResponseParser)] = &["
    );
    for area in &ctx.spec.areas {
        for ep in &area.endpoint {
            let response = response_type(ctx, &ep.response)
                .replace("crate::generated::enums::", "binancepay_types::enums::")
                .replace("crate::generated::", "binancepay_types::");
            line!(
                out,
                "({:?}, |body| serde_json::from_slice::<binancepay_types::ApiResponse<{response}>>(body).map(drop).map_err(|e| e.to_string())),",
                ep.operation
            );
        }
    }
    line!(out, "];");
    line!(out);
    line!(
        out,
        "/// Decodes a body as one endpoint's request (outer error), checks that `write_body` writes what serde_json writes and validates it (inner error)."
    );
    line!(
        out,
        "pub(crate) type RequestChecker = fn(&[u8]) -> Result<Result<(), String>, String>;"
    );
    line!(out);
    line!(out, "/// Every endpoint's request checker, by operation.");
    line!(
        out,
        "pub(crate) const REQUEST_CHECKERS: &[(&str, RequestChecker)] = &["
    );
    for area in &ctx.spec.areas {
        for ep in &area.endpoint {
            line!(
                out,
                "({:?}, |body| serde_json::from_slice::<{}>(body).map(|request| crate::round_trip::checked_request(&request)).map_err(|e| e.to_string())),",
                ep.operation,
                ctx.public_path(&ep.request)
            );
        }
    }
    line!(out, "];");
    out
}

fn field_strategy(ctx: &Context<'_>, field: &FieldDef) -> String {
    let base = type_strategy(&ctx.ty(field));
    if field.presence == Presence::Required {
        base
    } else {
        format!("proptest::option::of({base})")
    }
}

fn type_strategy(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::String => "scalars::text()".into(),
        TypeExpr::Bool => "any::<bool>()".into(),
        TypeExpr::Int => "any::<i32>()".into(),
        TypeExpr::Long => "any::<i64>()".into(),
        TypeExpr::Amount | TypeExpr::AmountString => "scalars::amount()".into(),
        TypeExpr::Id | TypeExpr::IdNumber => "scalars::id()".into(),
        TypeExpr::NumberOrString => "scalars::number_or_string()".into(),
        TypeExpr::Json => "scalars::json()".into(),
        TypeExpr::Enum(name) => format!("enum_{}()", snake(name)),
        TypeExpr::Object(name) => format!("object_{}()", snake(name)),
        TypeExpr::List(inner) => {
            format!("proptest::collection::vec({}, 0..3)", type_strategy(inner))
        }
        TypeExpr::Embedded(name) => format!(
            "(object_{}(), any::<bool>()).prop_map(|(value, as_string)| if as_string {{ \
             binancepay_types::embedded::Embedded::string(value) }} else {{ \
             binancepay_types::embedded::Embedded::object(value) }})",
            snake(name)
        ),
    }
}
