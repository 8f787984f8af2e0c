//! Shared helpers for the emitters: the type registry, naming, doc comments, Rust type text.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::{Confidence, FieldDef, ObjectDef, Presence, Spec, TypeExpr};

/// Appends one formatted line to a `String`.
macro_rules! line {
    ($out:expr) => { $out.push('\n') };
    ($out:expr, $($arg:tt)*) => {{ $out.push_str(&format!($($arg)*)); $out.push('\n'); }};
}
pub(crate) use line;

/// The spec plus lookups the emitters need.
pub(crate) struct Context<'a> {
    pub(crate) spec: &'a Spec,
    /// Object name -> Rust module (area name or `webhooks`).
    pub(crate) object_module: BTreeMap<String, String>,
    /// Objects reachable from a request type (they get validation code).
    pub(crate) validated: BTreeSet<String>,
    /// Objects reachable from a response `data` or a webhook payload: what the SDK reads. Their
    /// integer fields accept a JSON number or a string of digits (the reading policy of
    /// `spec/README.md`).
    pub(crate) read: BTreeSet<String>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(spec: &'a Spec) -> Self {
        let object_module = spec
            .all_objects()
            .into_iter()
            .map(|(o, m)| (o.name.clone(), m.to_owned()))
            .collect();
        let mut validated = BTreeSet::new();
        let mut stack: Vec<String> = spec
            .areas
            .iter()
            .flat_map(|a| a.endpoint.iter().map(|e| e.request.clone()))
            .collect();
        while let Some(name) = stack.pop() {
            if !validated.insert(name.clone()) {
                continue;
            }
            if let Some(object) = spec.object(&name) {
                for field in &object.field {
                    if let Some(inner) = object_of(&self_type(spec, field)) {
                        stack.push(inner);
                    }
                }
            }
        }
        let mut read = BTreeSet::new();
        let mut stack: Vec<String> = spec
            .areas
            .iter()
            .flat_map(|a| a.endpoint.iter())
            .map(|e| {
                let r = e.response.as_str();
                r.strip_prefix("list:")
                    .or_else(|| r.strip_prefix("optional:"))
                    .unwrap_or(r)
                    .to_owned()
            })
            .chain(spec.webhooks.webhook.iter().map(|w| w.data.clone()))
            .collect();
        while let Some(name) = stack.pop() {
            let Some(object) = spec.object(&name) else {
                continue;
            };
            if !read.insert(name.clone()) {
                continue;
            }
            for field in &object.field {
                let ty = self_type(spec, field);
                let inner = match &ty {
                    TypeExpr::Embedded(name) => Some(name.clone()),
                    other => object_of(other),
                };
                stack.extend(inner);
            }
        }
        Context {
            spec,
            object_module,
            validated,
            read,
        }
    }

    pub(crate) fn ty(&self, field: &FieldDef) -> TypeExpr {
        self_type(self.spec, field)
    }

    /// Fully qualified Rust path of a named type.
    pub(crate) fn type_path(&self, name: &str) -> String {
        match self.object_module.get(name) {
            Some(module) => format!("crate::generated::{module}::{name}"),
            None => format!("crate::generated::enums::{name}"),
        }
    }

    /// Public path of a named type, as a user (or the integration tests) would write it.
    pub(crate) fn public_path(&self, name: &str) -> String {
        match self.object_module.get(name).map(String::as_str) {
            Some("webhooks") => format!("binancepay_types::webhook::{name}"),
            Some(module) => format!("binancepay_types::{module}::{name}"),
            None => format!("binancepay_types::enums::{name}"),
        }
    }

    /// Rust type of a field's base value (without the `Option`).
    pub(crate) fn rust_type(&self, ty: &TypeExpr) -> String {
        match ty {
            TypeExpr::String => "String".into(),
            TypeExpr::Bool => "bool".into(),
            TypeExpr::Int => "i32".into(),
            TypeExpr::Long => "i64".into(),
            TypeExpr::Amount | TypeExpr::AmountString => "crate::amount::Amount".into(),
            TypeExpr::Id | TypeExpr::IdNumber => "crate::id::Id".into(),
            TypeExpr::NumberOrString => "crate::scalar::NumberOrString".into(),
            TypeExpr::Json => "serde_json::Value".into(),
            TypeExpr::Enum(name) | TypeExpr::Object(name) => self.type_path(name),
            TypeExpr::List(inner) => format!("Vec<{}>", self.rust_type(inner)),
            TypeExpr::Embedded(name) => {
                format!("crate::embedded::Embedded<{}>", self.type_path(name))
            }
        }
    }

    /// True when the object or anything it contains has no `Default` (required fields).
    pub(crate) fn has_required(object: &ObjectDef) -> bool {
        object
            .field
            .iter()
            .any(|f| f.presence == Presence::Required)
    }
}

fn self_type(spec: &Spec, field: &FieldDef) -> TypeExpr {
    // The spec was checked when loaded, so every type resolves.
    spec.field_type(field).unwrap_or(TypeExpr::Json)
}

fn object_of(ty: &TypeExpr) -> Option<String> {
    match ty {
        TypeExpr::Object(name) => Some(name.clone()),
        TypeExpr::List(inner) => object_of(inner),
        _ => None,
    }
}

/// The header every generated file starts with.
pub(crate) fn header(sources: &str) -> String {
    format!("// @generated by `cargo xtask codegen` from {sources}; do not edit.\n\n")
}

/// `merchantTradeNo` -> `merchant_trade_no`.
pub(crate) fn snake(wire: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c == '-' || c == ' ' {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// A field identifier, raw when it collides with a keyword.
pub(crate) fn field_ident(wire: &str) -> String {
    let name = snake(wire);
    match name.as_str() {
        "type" | "ref" | "match" | "move" | "mod" | "use" | "fn" | "impl" | "struct" | "enum"
        | "loop" | "where" => {
            format!("r#{name}")
        }
        _ => name,
    }
}

/// The identifier without a raw prefix, for method names such as `with_type`.
pub(crate) fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// `MINI_PROGRAM` -> `MiniProgram`, `General_Travel` -> `GeneralTravel`, `create_order_v3` -> `CreateOrderV3`.
pub(crate) fn pascal(text: &str) -> String {
    text.split(['_', '-', ' '])
        .filter(|p| !p.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// Escapes Markdown that rustdoc would misread (links, HTML) outside code spans.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
        }
        if !in_code && matches!(c, '[' | ']' | '<' | '>' | '*' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Emits `///` lines for a block of Markdown paragraphs.
pub(crate) fn doc(out: &mut String, paragraphs: &[String]) {
    let mut first = true;
    for paragraph in paragraphs.iter().filter(|p| !p.trim().is_empty()) {
        if !first {
            line!(out, "///");
        }
        first = false;
        for text_line in paragraph.lines() {
            if text_line.is_empty() {
                line!(out, "///");
            } else {
                line!(out, "/// {text_line}");
            }
        }
    }
}

/// A Rust string literal.
pub(crate) fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// The confidence paragraph, with an explanation when the value is modelled tolerantly.
pub(crate) fn confidence_text(confidence: Confidence, sources: &[String]) -> String {
    let mut text = format!("Confidence: {}", confidence.sentence());
    if !sources.is_empty() {
        text.push_str(&format!(
            " Sources (keys explained under \"Source keys\" in the repository's `spec/README.md`): {}.",
            sources
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}

/// One line describing a field's presence and limits, for its doc comment.
pub(crate) fn field_rules(ctx: &Context<'_>, field: &FieldDef) -> String {
    let mut parts = vec![format!("Wire name `{}`", field.wire)];
    parts.push(match field.presence {
        Presence::Required => "required".into(),
        Presence::Optional => "optional".into(),
        Presence::Conditional => format!(
            "conditional: required when {}",
            md(field.condition.as_deref().unwrap_or("stated"))
        ),
    });
    let ty = ctx.ty(field);
    match ty {
        TypeExpr::Amount => parts.push("a JSON number on the wire".into()),
        TypeExpr::AmountString => parts.push("a JSON string on the wire".into()),
        TypeExpr::IdNumber => parts.push("sent as a JSON number".into()),
        TypeExpr::NumberOrString => parts.push("accepted as a JSON number or string".into()),
        TypeExpr::Embedded(_) => {
            parts.push("accepted as a JSON object or a JSON string holding one".into())
        }
        _ => {}
    }
    if let Some(group) = &field.one_of_group {
        parts.push(format!("one of group `{group}`"));
    }
    match (field.min_len, field.max_len) {
        (Some(min), Some(max)) if min == max => parts.push(format!("exactly {max} characters")),
        (Some(min), Some(max)) => parts.push(format!("{min} to {max} characters")),
        (None, Some(max)) => parts.push(format!("at most {max} characters")),
        (Some(min), None) => parts.push(format!("at least {min} characters")),
        (None, None) => {}
    }
    if let Some(class) = field.class {
        parts.push(class.phrase().into());
    }
    match (&field.min, &field.max) {
        (Some(min), Some(max)) => parts.push(format!("from {min} to {max}")),
        (Some(min), None) => parts.push(format!("at least {min}")),
        (None, Some(max)) => parts.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(d) = field.decimals {
        parts.push(format!("at most {d} decimal places"));
    }
    match (field.min_items, field.max_items) {
        (Some(min), Some(max)) => parts.push(format!("{min} to {max} items")),
        (None, Some(max)) => parts.push(format!("at most {max} items")),
        (Some(min), None) => parts.push(format!("at least {min} items")),
        (None, None) => {}
    }
    format!("{}.", parts.join("; "))
}
