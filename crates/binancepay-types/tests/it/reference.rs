//! Facts of the project's API reference (`binancepay-api.md`) and of Binance's pages, from the
//! copies under `tests/data`: nothing outside the repository is read at test time.

use std::fs;

/// A list from `tests/data`, one value per line; `#` starts a comment, blank lines are skipped.
fn list(file: &str) -> Vec<String> {
    fs::read_to_string(crate::data::path(file))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every documented endpoint path, in the reference's table order.
pub(crate) fn endpoint_paths() -> Vec<String> {
    list("endpoint-paths.txt")
}

/// Every documented result code.
pub(crate) fn result_codes() -> Vec<String> {
    list("result-codes.txt")
}
