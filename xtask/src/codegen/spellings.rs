//! Emits `crates/binancepay-http/tests/it/spellings.rs`: for every object the SDK reads (each
//! endpoint's response and each webhook), the wire paths of its numeric-looking fields with the
//! spelling class each reads, and one test that re-spells every sample of it one value at a time
//! (`tests/it/spelling.rs` holds the engine). A new field, endpoint or webhook gets its
//! spellings tested by regenerating, without anyone writing a test.

use super::emit::{Context, header, line, snake};
use crate::spec::{ObjectDef, TypeExpr};

/// The generated file, relative to the workspace root.
pub(crate) const GENERATED_SPELLINGS: &str = "crates/binancepay-http/tests/it/spellings.rs";

/// How deep object nesting is followed (the spec has no deeper read object).
const MAX_DEPTH: usize = 8;

pub(crate) fn spellings_file(ctx: &Context<'_>) -> String {
    let mut out = header("spec/");
    line!(
        out,
        "//! Spelling tests of every read object: each sample re-spelled one numeric value at a time."
    );
    line!(out);
    line!(
        out,
        "use crate::spelling::{{Class, check_endpoint, check_webhook}};"
    );
    line!(out);
    for area in &ctx.spec.areas {
        for ep in &area.endpoint {
            let object = ep
                .response
                .strip_prefix("list:")
                .or_else(|| ep.response.strip_prefix("optional:"))
                .unwrap_or(&ep.response);
            let Some(def) = ctx.spec.object(object) else {
                continue; // `bool` answers have no field to re-spell.
            };
            let mut paths = Vec::new();
            let prefix = if ep.response.starts_with("list:") {
                "[]."
            } else {
                ""
            };
            collect(ctx, def, prefix, 0, &mut paths);
            line!(out, "#[test]");
            line!(out, "fn {}() {{", snake(&ep.operation));
            line!(
                out,
                "check_endpoint::<{}>({:?}, &[",
                ctx.public_path(&ep.request),
                ep.operation
            );
            for (path, class) in &paths {
                line!(out, "({path:?}, Class::{class}),");
            }
            line!(out, "]);");
            line!(out, "}}");
            line!(out);
        }
    }
    for hook in &ctx.spec.webhooks.webhook {
        let Some(def) = ctx.spec.object(&hook.data) else {
            continue;
        };
        let mut paths = vec![("bizId".to_owned(), "Id"), ("bizIdStr".to_owned(), "Text")];
        collect(ctx, def, "data.", 0, &mut paths);
        line!(out, "#[test]");
        line!(out, "fn webhook_{}() {{", snake(&hook.variant));
        line!(out, "check_webhook({:?}, &[", hook.biz_type);
        for (path, class) in &paths {
            line!(out, "({path:?}, Class::{class}),");
        }
        line!(
            out,
            "], |n| match n {{ binancepay_types::webhook::Notification::{}(n) => Some(n), _ => None }});",
            hook.variant
        );
        line!(out, "}}");
        line!(out);
    }
    out
}

/// The spelling class of a scalar type, or `None` for types whose text is not a number.
fn class(ty: &TypeExpr) -> Option<&'static str> {
    match ty {
        TypeExpr::Amount | TypeExpr::AmountString => Some("Amount"),
        TypeExpr::Int | TypeExpr::Long => Some("Integer"),
        TypeExpr::Id | TypeExpr::IdNumber => Some("Id"),
        TypeExpr::String => Some("Text"),
        TypeExpr::Bool
        | TypeExpr::NumberOrString
        | TypeExpr::Json
        | TypeExpr::Enum(_)
        | TypeExpr::Object(_)
        | TypeExpr::List(_)
        | TypeExpr::Embedded(_) => None,
    }
}

/// Every wire path below `def` (each name and alias) with its class: `a.b` for nested objects
/// (embedded or not), `a[]` for list items.
fn collect(
    ctx: &Context<'_>,
    def: &ObjectDef,
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, &'static str)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for field in &def.field {
        let ty = ctx.ty(field);
        for name in std::iter::once(&field.wire).chain(&field.aliases) {
            let here = format!("{prefix}{name}");
            match &ty {
                TypeExpr::List(inner) => match inner.as_ref() {
                    TypeExpr::Object(o) | TypeExpr::Embedded(o) => {
                        if let Some(d) = ctx.spec.object(o) {
                            collect(ctx, d, &format!("{here}[]."), depth + 1, out);
                        }
                    }
                    scalar => {
                        if let Some(c) = class(scalar) {
                            out.push((format!("{here}[]"), c));
                        }
                    }
                },
                TypeExpr::Object(o) | TypeExpr::Embedded(o) => {
                    if let Some(d) = ctx.spec.object(o) {
                        collect(ctx, d, &format!("{here}."), depth + 1, out);
                    }
                }
                scalar => {
                    if let Some(c) = class(scalar) {
                        out.push((here, c));
                    }
                }
            }
        }
    }
}
