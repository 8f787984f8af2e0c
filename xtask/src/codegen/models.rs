//! Emits the model structs of one area: serde attributes, constructors, setters, validation and
//! the `Endpoint` impls.

use std::collections::BTreeSet;

use super::emit::{
    Context, bare, confidence_text, doc, field_ident, field_rules, header, line, lit, md,
};
use crate::spec::{
    AreaFile, EndpointDef, FieldDef, GroupRule, ObjectDef, Presence, RetryDef, TypeExpr,
};

pub(crate) fn area_file(ctx: &Context<'_>, area: &AreaFile) -> String {
    let mut out = header(&area.file);
    line!(out, "//! {}", md(&area.title));
    line!(out, "//!");
    for text_line in md(&area.doc).lines() {
        line!(out, "//! {text_line}");
    }
    line!(out);
    let enums = used_enums(ctx, &area.object);
    if !enums.is_empty() {
        line!(
            out,
            "pub use crate::generated::enums::{{{}}};",
            enums.into_iter().collect::<Vec<_>>().join(", ")
        );
        line!(out);
    }
    for object in &area.object {
        let endpoint = area.endpoint.iter().find(|e| e.request == object.name);
        emit_object(&mut out, ctx, object, endpoint);
    }
    for endpoint in &area.endpoint {
        emit_endpoint_impl(&mut out, ctx, endpoint);
    }
    out
}

/// Enums referenced by the fields of these objects.
pub(crate) fn used_enums(ctx: &Context<'_>, objects: &[ObjectDef]) -> BTreeSet<String> {
    fn walk(ty: &TypeExpr, out: &mut BTreeSet<String>) {
        match ty {
            TypeExpr::Enum(name) => {
                out.insert(name.clone());
            }
            TypeExpr::List(inner) => walk(inner, out),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for object in objects {
        for field in &object.field {
            walk(&ctx.ty(field), &mut out);
        }
    }
    out
}

fn is_option(field: &FieldDef) -> bool {
    field.presence != Presence::Required
}

/// The Rust type of a field including its `Option`.
fn full_type(ctx: &Context<'_>, field: &FieldDef) -> String {
    let base = ctx.rust_type(&ctx.ty(field));
    if is_option(field) {
        format!("Option<{base}>")
    } else {
        base
    }
}

/// The `#[serde(...)]` attribute of a field.
///
/// A field of an object the SDK reads gets `deserialize_with` one of `crate::tolerant`'s
/// readers whenever its type is a scalar or a list of scalars (spec/README.md, "Reading
/// tolerantly"); its serialisation stays the canonical one. The match is exhaustive, so a new
/// type cannot reach a read object without a reading rule.
fn serde_attr(ctx: &Context<'_>, field: &FieldDef, read: bool) -> String {
    let mut parts = vec![format!("rename = {}", lit(&field.wire))];
    for alias in &field.aliases {
        parts.push(format!("alias = {}", lit(alias)));
    }
    if is_option(field) {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"Option::is_none\"".into());
    }
    let ty = ctx.ty(field);
    let with = match (&ty, is_option(field)) {
        (TypeExpr::AmountString, false) => Some("crate::amount::as_string"),
        (TypeExpr::AmountString, true) => Some("crate::amount::option_as_string"),
        (TypeExpr::IdNumber, false) => Some("crate::id::as_number"),
        (TypeExpr::IdNumber, true) => Some("crate::id::option_as_number"),
        _ => None,
    };
    let reader = if read {
        tolerant_reader(&ty, is_option(field))
    } else {
        None
    };
    match (with, reader) {
        (Some(with), Some(reader)) => {
            parts.push(format!(
                "serialize_with = {}",
                lit(&format!("{with}::serialize"))
            ));
            parts.push(format!("deserialize_with = {}", lit(reader)));
        }
        (Some(with), None) => parts.push(format!("with = {}", lit(with))),
        (None, Some(reader)) => parts.push(format!("deserialize_with = {}", lit(reader))),
        (None, None) => {}
    }
    format!("#[serde({})]", parts.join(", "))
}

/// The `crate::tolerant` reader of a read field, or `None` for types that read tolerantly by
/// themselves (enums keep unknown values, objects hold read fields, raw JSON is anything).
pub(crate) fn tolerant_reader(ty: &TypeExpr, optional: bool) -> Option<&'static str> {
    let scalar = |ty: &TypeExpr| match ty {
        TypeExpr::String
        | TypeExpr::Bool
        | TypeExpr::Int
        | TypeExpr::Long
        | TypeExpr::Amount
        | TypeExpr::AmountString
        | TypeExpr::Id
        | TypeExpr::IdNumber => true,
        TypeExpr::NumberOrString
        | TypeExpr::Json
        | TypeExpr::Enum(_)
        | TypeExpr::Object(_)
        | TypeExpr::List(_)
        | TypeExpr::Embedded(_) => false,
    };
    match (ty, optional) {
        (TypeExpr::List(inner), false) if scalar(inner) => Some("crate::tolerant::list"),
        (TypeExpr::List(inner), true) if scalar(inner) => Some("crate::tolerant::option_list"),
        (ty, false) if scalar(ty) => Some("crate::tolerant::one"),
        (ty, true) if scalar(ty) => Some("crate::tolerant::option"),
        _ => None,
    }
}

pub(crate) fn emit_object(
    out: &mut String,
    ctx: &Context<'_>,
    object: &ObjectDef,
    endpoint: Option<&EndpointDef>,
) {
    let name = &object.name;
    let mut paragraphs = vec![md(&object.doc)];
    if let Some(note) = &object.note {
        paragraphs.push(md(note));
    }
    for group in &object.group {
        let members: Vec<String> = object
            .field
            .iter()
            .filter(|f| f.one_of_group.as_deref() == Some(&group.name))
            .map(|f| format!("`{}`", f.wire))
            .collect();
        let rule = match group.rule {
            GroupRule::ExactlyOne => "Exactly one of",
            GroupRule::AtLeastOne => "At least one of",
        };
        let mut text = format!(
            "{rule} {} must be set (checked by `validate`).",
            members.join(", ")
        );
        if let Some(note) = &group.note {
            text.push_str(&format!(" {}", md(note)));
        }
        paragraphs.push(text);
    }
    if let Some(ep) = endpoint {
        paragraphs.push(format!(
            "The request of `{}` (`POST {}`). Build it with [`{name}::new`] and the `with_*` setters, check it with \
             `Endpoint::validate`.",
            ep.operation, ep.path
        ));
        paragraphs.push(md(&ep.doc));
        if let Some(note) = &ep.note {
            paragraphs.push(md(note));
        }
        paragraphs.push(format!("Retry: {}", md(&ep.retry_note)));
        paragraphs.push(endpoint_summary(ep));
    }
    doc(out, &paragraphs);
    let default = if Context::has_required(object) {
        ""
    } else {
        "Default, "
    };
    line!(
        out,
        "#[derive(Debug, Clone, {default}PartialEq, Eq, serde::Serialize, serde::Deserialize)]"
    );
    line!(out, "#[non_exhaustive]");
    line!(out, "pub struct {name} {{");
    for field in &object.field {
        let mut field_doc = vec![md(&field.doc), field_rules(ctx, field)];
        if let Some(note) = &field.note {
            field_doc.push(md(note));
        }
        if field.confidence != crate::spec::Confidence::Confirmed {
            field_doc.push(format!("Confidence: {}", field.confidence.sentence()));
        }
        doc(out, &field_doc);
        line!(
            out,
            "{}",
            serde_attr(ctx, field, ctx.read.contains(&object.name))
        );
        line!(
            out,
            "pub {}: {},",
            field_ident(&field.wire),
            full_type(ctx, field)
        );
    }
    line!(out, "}}");
    line!(out);

    line!(out, "impl {name} {{");
    let required: Vec<&FieldDef> = object.field.iter().filter(|f| !is_option(f)).collect();
    line!(
        out,
        "/// Creates a value from its required fields; optional fields start empty."
    );
    if required.len() > 7 {
        line!(out, "#[allow(clippy::too_many_arguments)]");
    }
    let params: Vec<String> = required
        .iter()
        .map(|f| format!("{}: {}", field_ident(&f.wire), param_type(ctx, f)))
        .collect();
    line!(out, "pub fn new({}) -> Self {{", params.join(", "));
    line!(out, "Self {{");
    for field in &object.field {
        let ident = field_ident(&field.wire);
        if is_option(field) {
            line!(out, "{ident}: None,");
        } else if ctx.ty(field) == TypeExpr::String {
            line!(out, "{ident}: {ident}.into(),");
        } else {
            line!(out, "{ident},");
        }
    }
    line!(out, "}}");
    line!(out, "}}");
    for field in object.field.iter().filter(|f| is_option(f)) {
        let ident = field_ident(&field.wire);
        line!(out);
        line!(
            out,
            "/// Sets `{}`: {}",
            field.wire,
            md(field.doc.lines().next().unwrap_or_default())
        );
        line!(out, "#[must_use]");
        let value = if ctx.ty(field) == TypeExpr::String {
            "value.into()"
        } else {
            "value"
        };
        line!(
            out,
            "pub fn with_{}(mut self, value: {}) -> Self {{",
            bare(&ident),
            param_type(ctx, field)
        );
        line!(out, "self.{ident} = Some({value});");
        line!(out, "self");
        line!(out, "}}");
    }
    if ctx.validated.contains(name) {
        line!(out);
        emit_validation(out, ctx, object);
    }
    line!(out, "}}");
    line!(out);
}

fn param_type(ctx: &Context<'_>, field: &FieldDef) -> String {
    match ctx.ty(field) {
        TypeExpr::String => "impl Into<String>".into(),
        other => ctx.rust_type(&other),
    }
}

/// `collect_violations`: one block per field that has rules, then groups, conditions, cross-field checks.
fn emit_validation(out: &mut String, ctx: &Context<'_>, object: &ObjectDef) {
    let mut body = String::new();
    for field in &object.field {
        let checks = value_checks(ctx, field);
        if checks.is_empty() {
            continue;
        }
        let ident = field_ident(&field.wire);
        if is_option(field) {
            line!(body, "if let Some(value) = &self.{ident} {{");
        } else {
            line!(body, "{{");
            line!(body, "let value = &self.{ident};");
        }
        body.push_str(&checks);
        line!(body, "}}");
    }
    for group in &object.group {
        let members: Vec<&FieldDef> = object
            .field
            .iter()
            .filter(|f| f.one_of_group.as_deref() == Some(&group.name))
            .collect();
        let names: Vec<String> = members.iter().map(|f| lit(&f.wire)).collect();
        let set: Vec<String> = members
            .iter()
            .map(|f| format!("self.{}.is_some()", field_ident(&f.wire)))
            .collect();
        line!(
            body,
            "crate::validate::one_of(out, parent, &[{}], &[{}], {});",
            names.join(", "),
            set.join(", "),
            group.rule == GroupRule::ExactlyOne
        );
    }
    for field in &object.field {
        if let (Some(cond), Some(text)) = (&field.required_if, &field.condition) {
            let test = condition_expr(ctx, object, cond);
            line!(
                body,
                "if {test} && self.{}.is_none() {{",
                field_ident(&field.wire)
            );
            line!(
                body,
                "crate::validate::required_when(out, parent, {}, {});",
                lit(&field.wire),
                lit(text)
            );
            line!(body, "}}");
        }
    }
    for check in &object.checks {
        line!(body, "crate::cross_field::{check}(self, parent, out);");
    }
    line!(
        out,
        "/// Appends every rule violation of this value (and of the values it holds) to `out`."
    );
    line!(
        out,
        "pub(crate) fn collect_violations(&self, parent: &crate::validate::Path<'_>, out: &mut Vec<crate::validate::Violation>) {{"
    );
    if body.is_empty() {
        line!(out, "let _ = (parent, out);");
    } else {
        out.push_str(&body);
    }
    line!(out, "}}");
}

/// The checks of one field's value, bound as `value` (a reference to the base type).
fn value_checks(ctx: &Context<'_>, field: &FieldDef) -> String {
    let mut body = String::new();
    let wire = lit(&field.wire);
    let ty = ctx.ty(field);
    if field.presence == Presence::Required && ty == TypeExpr::String {
        line!(
            body,
            "crate::validate::non_empty(out, parent, {wire}, value);"
        );
    }
    match &ty {
        TypeExpr::List(inner) => {
            if field.min_items.is_some() || field.max_items.is_some() {
                line!(
                    body,
                    "crate::validate::items(out, parent, {wire}, value.len(), {}, {});",
                    opt_usize(field.min_items),
                    opt_usize(field.max_items)
                );
            }
            let item = scalar_checks(ctx, field, inner, "item", "&path", "\"\"");
            if !item.is_empty() {
                line!(body, "for (index, item) in value.iter().enumerate() {{");
                line!(
                    body,
                    "let path = crate::validate::Path::Item(parent, {wire}, index);"
                );
                body.push_str(&item);
                line!(body, "}}");
            }
        }
        other => body.push_str(&scalar_checks(ctx, field, other, "value", "parent", &wire)),
    }
    body
}

/// Checks of a single (non-list) value bound as `var`, reported at (`parent`, `wire`); `parent`
/// is an expression of type `&crate::validate::Path`.
fn scalar_checks(
    ctx: &Context<'_>,
    field: &FieldDef,
    ty: &TypeExpr,
    var: &str,
    parent: &str,
    wire: &str,
) -> String {
    let mut body = String::new();
    let text_rules = field.min_len.is_some() || field.max_len.is_some() || field.class.is_some();
    let text_args = || {
        format!(
            "{}, {}, {}",
            opt_usize(field.min_len),
            opt_usize(field.max_len),
            field.class.map_or("None".to_owned(), |c| format!(
                "Some(crate::validate::{})",
                c.rust()
            ))
        )
    };
    match ty {
        TypeExpr::String if text_rules => {
            line!(
                body,
                "crate::validate::text(out, {parent}, {wire}, {var}, {});",
                text_args()
            );
        }
        TypeExpr::Id | TypeExpr::IdNumber if text_rules => {
            line!(
                body,
                "crate::validate::text(out, {parent}, {wire}, {var}.as_str(), {});",
                text_args()
            );
        }
        // Every amount that is sent is checked, even without a documented bound: an amount
        // read from a response may carry more than 8 decimal places and must not go out.
        TypeExpr::Amount | TypeExpr::AmountString => {
            line!(
                body,
                "crate::validate::amount(out, {parent}, {wire}, {var}, {}, {}, {});",
                opt_str(field.min.as_deref()),
                opt_str(field.max.as_deref()),
                field
                    .decimals
                    .map_or("None".to_owned(), |d| format!("Some({d})"))
            );
        }
        TypeExpr::Int | TypeExpr::Long if field.min.is_some() || field.max.is_some() => {
            let widened = if *ty == TypeExpr::Int {
                format!("i64::from(*{var})")
            } else {
                format!("*{var}")
            };
            line!(
                body,
                "crate::validate::integer(out, {parent}, {wire}, {widened}, {}, {});",
                opt_i64(field.min.as_deref()),
                opt_i64(field.max.as_deref())
            );
        }
        // The path of a list item is already the item's own; a field adds its name.
        TypeExpr::Object(name) if ctx.validated.contains(name) && wire == "\"\"" => {
            line!(body, "{var}.collect_violations({parent}, out);");
        }
        TypeExpr::Object(name) if ctx.validated.contains(name) => {
            line!(
                body,
                "{var}.collect_violations(&crate::validate::Path::Field({parent}, {wire}), out);"
            );
        }
        _ => {}
    }
    body
}

fn opt_usize(v: Option<u32>) -> String {
    v.map_or("None".to_owned(), |v| format!("Some({v})"))
}

fn opt_str(v: Option<&str>) -> String {
    v.map_or("None".to_owned(), |v| format!("Some({})", lit(v)))
}

fn opt_i64(v: Option<&str>) -> String {
    v.map_or("None".to_owned(), |v| format!("Some({v})"))
}

/// A boolean expression for a `required_if` condition.
fn condition_expr(ctx: &Context<'_>, object: &ObjectDef, cond: &crate::spec::RequiredIf) -> String {
    let chain = ctx
        .spec
        .resolve_path(object, &cond.field)
        .unwrap_or_default();
    let ty = chain.last().map(|field| ctx.ty(field));
    let mut expr = "self".to_owned();
    let mut optional = false;
    for field in chain {
        let ident = field_ident(&field.wire);
        expr = match (optional, is_option(field)) {
            (false, false) => format!("{expr}.{ident}"),
            (false, true) => format!("{expr}.{ident}.as_ref()"),
            (true, false) => format!("{expr}.map(|v| &v.{ident})"),
            (true, true) => format!("{expr}.and_then(|v| v.{ident}.as_ref())"),
        };
        optional = optional || is_option(field);
    }
    if cond.present.is_some() {
        let present = cond.present.unwrap_or(true);
        return match (optional, present) {
            (true, true) => format!("{expr}.is_some()"),
            (true, false) => format!("{expr}.is_none()"),
            (false, p) => p.to_string(),
        };
    }
    let (values, negate) = match (&cond.one_of, &cond.not_in) {
        (Some(v), _) => (v.clone(), false),
        (None, Some(v)) => (v.clone(), true),
        (None, None) => (Vec::new(), false),
    };
    if optional {
        format!(
            "{expr}.is_some_and(|v| {})",
            value_in(ty.as_ref(), "v", true, &values, negate)
        )
    } else {
        value_in(ty.as_ref(), &expr, false, &values, negate)
    }
}

/// A boolean expression: whether `var` (a reference to the value when `by_ref`) has one of the
/// wire `values` (none of them when `negate`). It compares without allocating: text through
/// `as_str()`, booleans and integers as literals (a value that is not such a literal never
/// matches, as its text would not).
fn value_in(
    ty: Option<&TypeExpr>,
    var: &str,
    by_ref: bool,
    values: &[String],
    negate: bool,
) -> String {
    let bang = if negate { "!" } else { "" };
    let texts = || values.iter().map(|v| lit(v)).collect::<Vec<_>>();
    let literals = |valid: &dyn Fn(&str) -> bool| {
        values
            .iter()
            .filter(|v| valid(v))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (subject, patterns) = match ty {
        Some(
            TypeExpr::String
            | TypeExpr::Enum(_)
            | TypeExpr::Id
            | TypeExpr::IdNumber
            | TypeExpr::NumberOrString
            | TypeExpr::Amount
            | TypeExpr::AmountString,
        ) => (format!("{var}.as_str()"), texts()),
        Some(TypeExpr::Bool) => {
            let value = if by_ref {
                format!("*{var}")
            } else {
                var.to_owned()
            };
            return match (
                values.iter().any(|v| v == "true") != negate,
                values.iter().any(|v| v == "false") != negate,
            ) {
                (true, true) => "true".to_owned(),
                (true, false) => value,
                (false, true) => format!("!{value}"),
                (false, false) => "false".to_owned(),
            };
        }
        Some(TypeExpr::Int | TypeExpr::Long) => (
            var.to_owned(),
            literals(&|v| v.parse::<i64>().is_ok_and(|n| n.to_string() == v)),
        ),
        _ => {
            return format!(
                "{bang}[{}].contains(&{var}.to_string().as_str())",
                texts().join(", ")
            );
        }
    };
    if patterns.is_empty() {
        return negate.to_string();
    }
    format!("{bang}matches!({subject}, {})", patterns.join(" | "))
}

fn emit_endpoint_impl(out: &mut String, ctx: &Context<'_>, ep: &EndpointDef) {
    let request = ctx.type_path(&ep.request);
    let response = response_type(ctx, &ep.response);
    line!(out, "impl crate::endpoint::Endpoint for {request} {{");
    line!(out, "const PATH: &'static str = {};", lit(&ep.path));
    line!(
        out,
        "const OPERATION: &'static str = {};",
        lit(&ep.operation)
    );
    line!(
        out,
        "const RETRY: crate::endpoint::RetryClass = {};",
        retry_expr(ep)
    );
    line!(out, "type Response = {response};");
    line!(out);
    line!(
        out,
        "fn validate(&self) -> Result<(), crate::validate::ValidationErrors> {{"
    );
    line!(out, "let mut out = Vec::new();");
    line!(
        out,
        "self.collect_violations(&crate::validate::Path::Root, &mut out);"
    );
    line!(
        out,
        "crate::validate::ValidationErrors::from_violations(out)"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "fn idempotency_key(&self) -> Option<&str> {{");
    match &ep.idempotency_key {
        Some(key) => line!(out, "Some(&self.{})", field_ident(key)),
        None => line!(out, "None"),
    }
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {{"
    );
    line!(out, "crate::json_writer::WriteJson::write_json(self, out)");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
}

pub(crate) fn retry_expr(ep: &EndpointDef) -> String {
    match (ep.retry, &ep.idempotency_key) {
        (RetryDef::Query, _) => "crate::endpoint::RetryClass::Query".into(),
        (RetryDef::Idempotent, Some(key)) => format!(
            "crate::endpoint::RetryClass::Idempotent {{ key_field: {} }}",
            lit(key)
        ),
        _ => "crate::endpoint::RetryClass::Unsafe".into(),
    }
}

pub(crate) fn response_type(ctx: &Context<'_>, response: &str) -> String {
    if response == "bool" {
        return "bool".into();
    }
    if let Some(inner) = response.strip_prefix("list:") {
        return format!("Vec<{}>", ctx.type_path(inner));
    }
    if let Some(inner) = response.strip_prefix("optional:") {
        return format!("Option<{}>", ctx.type_path(inner));
    }
    ctx.type_path(response)
}

/// The doc paragraphs shared by the endpoint table and the request docs.
pub(crate) fn endpoint_summary(ep: &EndpointDef) -> String {
    confidence_text(ep.confidence, &ep.sources)
}
