//! Emits `generated/mod.rs` and the endpoint table `generated/endpoints.rs`.

use super::emit::{Context, header, line, lit};
use super::models::retry_expr;

pub(crate) fn module_index(ctx: &Context<'_>) -> String {
    let mut out = header("spec/");
    line!(
        out,
        "//! Models generated from the spec; the crate root re-exports them per area."
    );
    line!(out);
    line!(out, "pub(crate) mod endpoints;");
    line!(out, "pub(crate) mod enums;");
    line!(out, "mod json;");
    line!(out, "pub(crate) mod result_code;");
    for area in &ctx.spec.areas {
        line!(out, "pub(crate) mod {};", area.area);
    }
    line!(out, "pub(crate) mod webhooks;");
    out
}

pub(crate) fn endpoints_file(ctx: &Context<'_>) -> String {
    let files: Vec<String> = ctx.spec.areas.iter().map(|a| a.file.clone()).collect();
    let mut out = header(&format!("spec/endpoints/*.toml ({} files)", files.len()));
    line!(
        out,
        "//! The table of every merchant endpoint: path, operation, area and retry policy."
    );
    line!(out);
    line!(
        out,
        "/// Every merchant endpoint of the spec, in the order of the reference's endpoint table."
    );
    line!(
        out,
        "pub const ENDPOINTS: &[crate::endpoint::EndpointInfo] = &["
    );
    for area in &ctx.spec.areas {
        for ep in &area.endpoint {
            line!(out, "crate::endpoint::EndpointInfo {{");
            line!(out, "path: {},", lit(&ep.path));
            line!(out, "operation: {},", lit(&ep.operation));
            line!(out, "area: {},", lit(&area.area));
            line!(
                out,
                "summary: {},",
                lit(ep.doc.lines().next().unwrap_or_default())
            );
            line!(out, "retry: {},", retry_expr(ep));
            line!(out, "retry_note: {},", lit(&ep.retry_note));
            line!(out, "confidence: {},", lit(ep.confidence.marker()));
            line!(out, "request_type: {},", lit(&ep.request));
            line!(out, "response_type: {},", lit(&ep.response));
            line!(out, "}},");
        }
    }
    line!(out, "];");
    out
}
