//! Emits the webhook `data` payloads, one typed notification per bizType and the `Notification` enum.

use super::emit::{Context, confidence_text, doc, header, line, lit, md};
use super::enums::emit_enum;
use super::models::{emit_object, used_enums};
use crate::spec::{Confidence, DataEncoding, EnumDef, EnumValue, Repr};

pub(crate) fn webhooks_file(ctx: &Context<'_>) -> String {
    let hooks = &ctx.spec.webhooks;
    let mut out = header("spec/webhooks.toml");
    line!(
        out,
        "//! Webhook notifications: one typed variant per bizType, with `data` decoded."
    );
    line!(out, "//!");
    for text_line in md(&hooks.doc).lines() {
        line!(out, "//! {text_line}");
    }
    line!(out);
    let mut enums = used_enums(ctx, &hooks.object);
    for hook in &hooks.webhook {
        enums.insert(hook.status.clone());
    }
    // Webhook-only enums are emitted in enums.rs like every other enum; re-export them here.
    line!(
        out,
        "pub use crate::generated::enums::{{{}}};",
        enums.into_iter().collect::<Vec<_>>().join(", ")
    );
    line!(out);

    let biz_type = EnumDef {
        name: "WebhookBizType".into(),
        doc: "The `bizType` of a webhook notification.".into(),
        repr: Repr::String,
        confidence: Confidence::Confirmed,
        sources: vec!["D-whc".into()],
        note: Some("Generated from the webhooks of the spec.".into()),
        values: hooks
            .webhook
            .iter()
            .map(|h| EnumValue {
                value: h.biz_type.clone(),
                name: Some(h.variant.clone()),
                doc: h.doc.clone(),
                confidence: None,
            })
            .collect(),
    };
    emit_enum(&mut out, &biz_type);

    for object in &hooks.object {
        emit_object(&mut out, ctx, object, None);
    }

    for hook in &hooks.webhook {
        let name = format!("{}Notification", hook.variant);
        let mut paragraphs = vec![format!(
            "A `{}` notification: {}",
            hook.biz_type,
            md(&hook.doc)
        )];
        if let Some(note) = &hook.note {
            paragraphs.push(md(note));
        }
        paragraphs.push(match hook.data_encoding {
            DataEncoding::String => "Its `data` is documented as a JSON string holding JSON; an object is accepted too.".into(),
            DataEncoding::Object => "Its `data` is documented as a JSON object; a JSON string holding JSON is accepted too.".into(),
        });
        paragraphs.push(confidence_text(hook.confidence, &hook.sources));
        doc(&mut out, &paragraphs);
        line!(out, "#[derive(Debug, Clone, PartialEq, Eq)]");
        line!(out, "#[non_exhaustive]");
        line!(out, "pub struct {name} {{");
        line!(
            out,
            "/// `bizId` as sent (a JSON number that may exceed `u64`, or a string); absent in some bodies."
        );
        line!(out, "pub biz_id: Option<crate::id::Id>,");
        line!(
            out,
            "/// `bizIdStr`, or the text of `bizId` when `bizIdStr` is absent."
        );
        line!(out, "pub biz_id_str: String,");
        line!(out, "/// `bizStatus`.");
        line!(out, "pub status: {},", ctx.type_path(&hook.status));
        line!(out, "/// The decoded `data`.");
        line!(out, "pub data: {},", ctx.type_path(&hook.data));
        line!(out, "}}");
        line!(out);
    }

    doc(
        &mut out,
        &[
            "A webhook notification, decoded by `bizType`; parse one with `Notification::from_slice`.".into(),
            "Unknown bizTypes are kept in `Unknown` with the raw body.".into(),
        ],
    );
    line!(out, "#[derive(Debug, Clone)]");
    line!(out, "#[non_exhaustive]");
    line!(
        out,
        "// One notification is parsed per delivery and never stored in bulk, so size differences do not matter."
    );
    line!(out, "#[allow(clippy::large_enum_variant)]");
    line!(out, "pub enum Notification {{");
    for hook in &hooks.webhook {
        line!(out, "/// `{}`: {}", hook.biz_type, md(&hook.doc));
        line!(out, "{}({}Notification),", hook.variant, hook.variant);
    }
    line!(out, "/// A bizType this version does not know.");
    line!(out, "Unknown {{");
    line!(out, "/// `bizType` as sent.");
    line!(out, "biz_type: String,");
    line!(out, "/// `bizIdStr`, or the text of `bizId`.");
    line!(out, "biz_id_str: String,");
    line!(out, "/// `bizStatus` as sent.");
    line!(out, "biz_status: String,");
    line!(out, "/// The whole body, byte for byte.");
    line!(out, "raw: Box<serde_json::value::RawValue>,");
    line!(out, "}},");
    line!(out, "}}");
    line!(out);
    line!(out, "impl Notification {{");
    line!(out, "/// Decodes `data` according to `bizType`.");
    line!(
        out,
        "pub(crate) fn from_envelope(envelope: crate::webhook::Envelope) -> Result<Self, crate::webhook::WebhookParseError> {{"
    );
    line!(out, "match envelope.biz_type.as_str() {{");
    for hook in &hooks.webhook {
        line!(out, "{} => {{", lit(&hook.biz_type));
        line!(out, "let data = crate::webhook::decode_data(&envelope)?;");
        line!(
            out,
            "Ok(Self::{}({}Notification {{",
            hook.variant,
            hook.variant
        );
        line!(
            out,
            "status: {}::from_wire(&envelope.biz_status),",
            ctx.type_path(&hook.status)
        );
        line!(out, "biz_id: envelope.biz_id,");
        line!(out, "biz_id_str: envelope.biz_id_str,");
        line!(out, "data,");
        line!(out, "}}))");
        line!(out, "}}");
    }
    line!(out, "_ => Ok(Self::Unknown {{");
    line!(out, "biz_type: envelope.biz_type,");
    line!(out, "biz_id_str: envelope.biz_id_str,");
    line!(out, "biz_status: envelope.biz_status,");
    line!(out, "raw: envelope.raw,");
    line!(out, "}}),");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "/// `bizType` as sent.");
    line!(out, "pub fn biz_type(&self) -> &str {{");
    line!(out, "match self {{");
    for hook in &hooks.webhook {
        line!(out, "Self::{}(_) => {},", hook.variant, lit(&hook.biz_type));
    }
    line!(out, "Self::Unknown {{ biz_type, .. }} => biz_type,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(out, "/// `bizStatus` as sent.");
    line!(out, "pub fn biz_status(&self) -> &str {{");
    line!(out, "match self {{");
    for hook in &hooks.webhook {
        line!(out, "Self::{}(n) => n.status.as_str(),", hook.variant);
    }
    line!(out, "Self::Unknown {{ biz_status, .. }} => biz_status,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out);
    line!(
        out,
        "/// `bizIdStr` (or the text of `bizId` when `bizIdStr` is absent)."
    );
    line!(out, "pub fn biz_id_str(&self) -> &str {{");
    line!(out, "match self {{");
    for hook in &hooks.webhook {
        line!(out, "Self::{}(n) => &n.biz_id_str,", hook.variant);
    }
    line!(out, "Self::Unknown {{ biz_id_str, .. }} => biz_id_str,");
    line!(out, "}}");
    line!(out, "}}");
    line!(out, "}}");
    out
}
