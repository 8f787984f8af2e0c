//! Emits `generated/json.rs`: the direct JSON writer (`WriteJson`) of every object a request can
//! contain and of the enums they use. It must write exactly what the serde attributes emitted by
//! `models.rs` make serde_json write: field order, wire names, `None` left out, amounts as numbers
//! unless `amount::as_string`, ids as strings unless `id::as_number`, integer-valued enums as
//! numbers.

use std::collections::BTreeSet;

use super::emit::{Context, field_ident, header, line, lit};
use super::models::used_enums;
use crate::spec::{ObjectDef, Presence, Repr, TypeExpr};

pub(crate) fn json_file(ctx: &Context<'_>) -> String {
    let mut out = header("spec/ (the request objects)");
    line!(
        out,
        "//! `WriteJson` for the request models: byte for byte what serde_json writes for them, \
         checked by the tests; see `crate::json_writer`."
    );
    line!(out);
    let objects: Vec<&ObjectDef> = ctx
        .spec
        .all_objects()
        .into_iter()
        .map(|(object, _)| object)
        .filter(|object| ctx.validated.contains(&object.name))
        .collect();
    let owned: Vec<ObjectDef> = objects.iter().map(|o| (*o).clone()).collect();
    let enums: BTreeSet<String> = used_enums(ctx, &owned);
    for name in &enums {
        let path = ctx.type_path(name);
        line!(out, "impl crate::json_writer::WriteJson for {path} {{");
        line!(
            out,
            "fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {{"
        );
        // As the enum's serde impl: integer-valued enums go out as numbers.
        let repr = ctx.spec.enum_def(name).map(|def| def.repr);
        if repr == Some(Repr::Int) {
            line!(
                out,
                "crate::json_writer::write_integer_text(out, self.as_str());"
            );
        } else {
            line!(out, "crate::json_writer::write_str(out, self.as_str());");
        }
        line!(out, "Ok(())");
        line!(out, "}}");
        line!(out, "}}");
        line!(out);
    }
    for object in objects {
        emit_object(&mut out, ctx, object);
    }
    out
}

fn emit_object(out: &mut String, ctx: &Context<'_>, object: &ObjectDef) {
    let path = ctx.type_path(&object.name);
    line!(out, "impl crate::json_writer::WriteJson for {path} {{");
    line!(
        out,
        "fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {{"
    );
    if object.field.is_empty() {
        line!(out, "out.extend_from_slice(b\"{{}}\");");
        line!(out, "Ok(())");
        line!(out, "}}");
        line!(out, "}}");
        line!(out);
        return;
    }
    line!(
        out,
        "let object = crate::json_writer::ObjectWriter::new(out);"
    );
    for field in &object.field {
        let ident = field_ident(&field.wire);
        let key = lit(&format!(",{}:", json_string(&field.wire)));
        let write = value_writer(&ctx.ty(field));
        if field.presence == Presence::Required {
            line!(out, "{{");
            line!(out, "let value = &self.{ident};");
        } else {
            line!(out, "if let Some(value) = &self.{ident} {{");
        }
        line!(out, "out.extend_from_slice({key}.as_bytes());");
        line!(out, "{write}");
        line!(out, "}}");
    }
    line!(out, "object.finish(out);");
    line!(out, "Ok(())");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
}

/// The statement that appends `value` (a reference to the field's base type).
fn value_writer(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::AmountString => "crate::json_writer::write_amount_string(out, value);".into(),
        TypeExpr::IdNumber => "crate::json_writer::write_id_number(out, value);".into(),
        _ => "crate::json_writer::WriteJson::write_json(value, out)?;".into(),
    }
}

/// `text` as a JSON string literal (wire names are plain, but escape them anyway).
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn wire_names_become_json_strings() {
        assert_eq!(json_string("merchantTradeNo"), "\"merchantTradeNo\"");
        assert_eq!(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }
}
