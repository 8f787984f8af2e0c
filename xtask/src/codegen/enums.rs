//! Emits the forward-compatible enums and `ResultCode`.

use super::emit::{Context, confidence_text, doc, header, line, lit, md, pascal};
use crate::spec::{EnumDef, Repr};

pub(crate) fn enums_file(ctx: &Context<'_>) -> String {
    let mut out = header("spec/common.toml, spec/endpoints/*.toml and spec/webhooks.toml");
    line!(
        out,
        "//! Every enum of the spec. Each keeps values it does not know in `Unknown`."
    );
    line!(out);
    for def in ctx.spec.all_enums() {
        emit_enum(&mut out, def);
    }
    out
}

pub(crate) fn variant_name(value: &crate::spec::EnumValue) -> String {
    value.name.clone().unwrap_or_else(|| pascal(&value.value))
}

/// One enum with its `as_str`, `from_wire`, `Display`, `FromStr`, `From` and serde impls.
pub(crate) fn emit_enum(out: &mut String, def: &EnumDef) {
    let name = &def.name;
    let mut paragraphs = vec![md(&def.doc)];
    if let Some(note) = &def.note {
        paragraphs.push(md(note));
    }
    paragraphs.push(confidence_text(def.confidence, &def.sources));
    paragraphs.push(match def.repr {
        Repr::String => "On the wire: a JSON string. Values this version does not know are kept in `Unknown`.".into(),
        Repr::Int => "On the wire: a JSON number (a numeric string is accepted too). Values this version does not know are kept in `Unknown`.".into(),
    });
    doc(out, &paragraphs);
    line!(out, "#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    line!(out, "#[non_exhaustive]");
    line!(out, "pub enum {name} {{");
    for value in &def.values {
        let mut text = format!("`{}`: {}", value.value, md(&value.doc));
        if let Some(c) = value.confidence {
            text.push_str(&format!(" {}", c.sentence()));
        }
        doc(out, &[text]);
        line!(out, "{},", variant_name(value));
    }
    line!(
        out,
        "/// A value this version does not know, kept exactly as it was sent."
    );
    line!(out, "Unknown(String),");
    line!(out, "}}");
    line!(out);
    line!(out, "impl {name} {{");
    line!(out, "/// Every known value, in the order of the spec.");
    line!(out, "pub const KNOWN: &'static [Self] = &[");
    for value in &def.values {
        line!(out, "Self::{},", variant_name(value));
    }
    line!(out, "];");
    line!(out);
    line!(out, "/// The text of the value on the wire.");
    line!(out, "pub fn as_str(&self) -> &str {{");
    line!(out, "match self {{");
    for value in &def.values {
        line!(
            out,
            "Self::{} => {},",
            variant_name(value),
            lit(&value.value)
        );
    }
    line!(out, "Self::Unknown(text) => text,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// The variant for a wire value; text this version does not know becomes `Unknown`."
    );
    line!(out, "pub fn from_wire(text: &str) -> Self {{");
    line!(out, "match text {{");
    for value in &def.values {
        line!(
            out,
            "{} => Self::{},",
            lit(&value.value),
            variant_name(value)
        );
    }
    line!(out, "other => Self::Unknown(other.to_owned()),");
    line!(out, "}}");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "impl std::fmt::Display for {name} {{");
    line!(
        out,
        "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{ f.write_str(self.as_str()) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl std::str::FromStr for {name} {{");
    line!(out, "type Err = std::convert::Infallible;");
    line!(
        out,
        "fn from_str(text: &str) -> Result<Self, Self::Err> {{ Ok(Self::from_wire(text)) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl From<&str> for {name} {{");
    line!(
        out,
        "fn from(text: &str) -> Self {{ Self::from_wire(text) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl serde::Serialize for {name} {{");
    line!(
        out,
        "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{"
    );
    match def.repr {
        Repr::String => line!(out, "serializer.serialize_str(self.as_str())"),
        Repr::Int => line!(
            out,
            "crate::wire::serialize_integer_text(self.as_str(), serializer)"
        ),
    }
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "impl<'de> serde::Deserialize<'de> for {name} {{");
    line!(
        out,
        "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{"
    );
    line!(
        out,
        "crate::wire::scalar_text(deserializer).map(|text| Self::from_wire(&text))"
    );
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
}

pub(crate) fn result_code_file(ctx: &Context<'_>) -> String {
    let codes = &ctx.spec.common.result_code;
    let mut out = header("spec/common.toml");
    line!(
        out,
        "//! The result codes of the response envelope (`code`)."
    );
    line!(out);
    doc(
        &mut out,
        &[
            "A result code of the response envelope, e.g. `000000` (success) or `400002` (invalid signature).".into(),
            "On the wire it is a six-digit JSON string; a JSON number is accepted too and turned into its decimal \
             text, so the `0` seen in one FAQ error shape becomes `Other(\"0\")`. Codes this version does not know \
             are kept in `Other`."
                .into(),
        ],
    );
    line!(out, "#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    line!(out, "#[non_exhaustive]");
    line!(out, "pub enum ResultCode {{");
    for code in codes {
        let mut paragraphs = vec![format!(
            "`{}` {}: {}",
            code.code,
            md(&code.name),
            md(&code.description)
        )];
        if let Some(note) = &code.note {
            paragraphs.push(md(note));
        }
        paragraphs.push(format!(
            "Retrying can help: {}. {}",
            if code.retryable { "yes" } else { "no" },
            confidence_text(code.confidence, &code.sources)
        ));
        doc(&mut out, &paragraphs);
        line!(out, "{},", result_variant(code));
    }
    line!(
        out,
        "/// A code this version does not know, kept exactly as it was sent."
    );
    line!(out, "Other(String),");
    line!(out, "}}");
    line!(out);
    line!(out, "impl ResultCode {{");
    line!(out, "/// Every known code, in the order of the spec.");
    line!(out, "pub const KNOWN: &'static [Self] = &[");
    for code in codes {
        line!(out, "Self::{},", result_variant(code));
    }
    line!(out, "];");
    line!(out);
    line!(
        out,
        "/// The variant for a code as sent; unknown codes become `Other`."
    );
    line!(out, "pub fn from_code(code: &str) -> Self {{");
    line!(out, "match code {{");
    for code in codes {
        line!(
            out,
            "{} => Self::{},",
            lit(&code.code),
            result_variant(code)
        );
    }
    line!(out, "other => Self::Other(other.to_owned()),");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "/// The code as sent, e.g. `\"400002\"`.");
    line!(out, "pub fn code(&self) -> &str {{");
    line!(out, "match self {{");
    for code in codes {
        line!(
            out,
            "Self::{} => {},",
            result_variant(code),
            lit(&code.code)
        );
    }
    line!(out, "Self::Other(code) => code,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// The upper-case name, e.g. `\"INVALID_SIGNATURE\"`; `\"OTHER\"` for unknown codes."
    );
    line!(out, "pub fn name(&self) -> &str {{");
    line!(out, "match self {{");
    for code in codes {
        line!(
            out,
            "Self::{} => {},",
            result_variant(code),
            lit(&code.name)
        );
    }
    line!(out, "Self::Other(_) => \"OTHER\",");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "/// What the code means, in one sentence.");
    line!(out, "pub fn description(&self) -> &str {{");
    line!(out, "match self {{");
    for code in codes {
        line!(
            out,
            "Self::{} => {},",
            result_variant(code),
            lit(&code.description)
        );
    }
    line!(
        out,
        "Self::Other(_) => \"a result code this version of the SDK does not know\","
    );
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// The `errorMessage` Binance's pages print for this code, word for word, when one does."
    );
    line!(
        out,
        "pub fn documented_message(&self) -> Option<&'static str> {{"
    );
    line!(out, "match self {{");
    for code in codes {
        if let Some(message) = &code.message {
            line!(
                out,
                "Self::{} => Some({}),",
                result_variant(code),
                lit(message)
            );
        }
    }
    line!(out, "_ => None,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// Whether sending the request again (with a fresh timestamp, nonce and signature) can succeed."
    );
    line!(out, "///");
    line!(
        out,
        "/// Unknown codes are not retryable: a client should not guess."
    );
    line!(out, "pub fn is_retryable(&self) -> bool {{");
    let retryable: Vec<String> = codes
        .iter()
        .filter(|c| c.retryable)
        .map(|c| format!("Self::{}", result_variant(c)))
        .collect();
    if retryable.is_empty() {
        line!(out, "false");
    } else {
        line!(out, "matches!(self, {})", retryable.join(" | "));
    }
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "impl std::fmt::Display for ResultCode {{");
    line!(
        out,
        "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{ write!(f, \"{{}} {{}}\", self.code(), self.name()) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl std::str::FromStr for ResultCode {{");
    line!(out, "type Err = std::convert::Infallible;");
    line!(
        out,
        "fn from_str(code: &str) -> Result<Self, Self::Err> {{ Ok(Self::from_code(code)) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl serde::Serialize for ResultCode {{");
    line!(
        out,
        "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{ serializer.serialize_str(self.code()) }}"
    );
    line!(out, "}}");
    line!(out);
    line!(out, "impl<'de> serde::Deserialize<'de> for ResultCode {{");
    line!(
        out,
        "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{"
    );
    line!(
        out,
        "crate::wire::scalar_text(deserializer).map(|code| Self::from_code(&code))"
    );
    line!(out, "}}");
    line!(out, "}}");
    out
}

pub(crate) fn result_variant(code: &crate::spec::ResultCodeDef) -> String {
    code.variant.clone().unwrap_or_else(|| pascal(&code.name))
}
