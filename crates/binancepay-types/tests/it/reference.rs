//! Facts read from the project's API reference (`shared/binancepay-api.md`) at test time, or from
//! the copies under `tests/data` when the reference is not checked out beside the repository.

use std::fs;

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/binancepay-api.md"
);

/// The text between two headings of the reference, if the reference is present.
fn section(start: &str, end: &str) -> Option<String> {
    let text = fs::read_to_string(REFERENCE).ok()?;
    let from = text.find(start)?;
    let to = text[from..].find(end).map_or(text.len(), |i| from + i);
    Some(text[from..to].to_owned())
}

/// Table rows of a section.
fn rows(section: &str) -> impl Iterator<Item = &str> {
    section.lines().filter(|l| l.starts_with('|'))
}

/// A fallback list from `tests/data`, one value per line, `#` comments skipped.
fn fallback(file: &str) -> Vec<String> {
    fs::read_to_string(crate::data::path(file))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Every path of the §3 endpoint table, in table order.
pub(crate) fn endpoint_paths() -> Vec<String> {
    match section("## 3. Endpoint catalogue", "### 3.1") {
        Some(text) => rows(&text)
            .filter_map(|row| {
                let start = row.find("`/binancepay/openapi/")? + 1;
                let len = row[start..].find('`')?;
                Some(row[start..start + len].to_owned())
            })
            .collect(),
        None => fallback("endpoint-paths.txt"),
    }
}

/// Every code of the §5.1 result-code table.
pub(crate) fn result_codes() -> Vec<String> {
    match section("### 5.1", "### 5.2") {
        Some(text) => rows(&text)
            .filter_map(|row| {
                let code = row.split('|').nth(2)?.trim();
                (!code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| code.to_owned())
            })
            .collect(),
        None => fallback("result-codes.txt"),
    }
}
