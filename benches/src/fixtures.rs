//! The requests, bodies and credentials every benchmark and the load tool share, read from
//! `benches/data/` so the Python side can load the very same order.

use std::path::PathBuf;

use binancepay_types::Endpoint as _;
use binancepay_types::order::CreateOrderV3Request;

/// API key used in process (the sandbox accepts any key it is started with).
pub const API_KEY: &str = "TestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU";

/// API secret used in process.
pub const API_SECRET: &str = "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f";

/// The path of a file in `benches/data/`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// The bytes of a file in `benches/data/`.
///
/// # Errors
/// The I/O error, with the path in its message.
pub fn data(name: &str) -> std::io::Result<Vec<u8>> {
    let path = data_path(name);
    std::fs::read(&path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// The typical v3 create-order (`benches/data/create_order_v3.json`): one item, shipping,
/// buyer, return URLs; no expiry and no webhook URL, so the sandbox accepts it at any time.
///
/// # Errors
/// The file cannot be read or is not a valid order.
pub fn create_order() -> Result<CreateOrderV3Request, Box<dyn std::error::Error + Send + Sync>> {
    let order: CreateOrderV3Request = serde_json::from_slice(&data("create_order_v3.json")?)?;
    order.validate()?;
    Ok(order)
}

/// A JSON object of exactly `len` bytes (46 at least): a trade number and one long string.
pub fn json_body(len: usize) -> Vec<u8> {
    let mut body = br#"{"merchantTradeNo":"9825382937292","goods":""#.to_vec();
    body.resize(len.saturating_sub(2).max(body.len()), b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// Merchant trade numbers unique across runs: a prefix from the start time (base 36
/// milliseconds), then the caller's numbers. Letters and digits only, at most 32 characters.
#[derive(Debug, Clone)]
pub struct TradeNumbers {
    prefix: String,
}

impl TradeNumbers {
    /// Numbers for a run starting now.
    pub fn new() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        TradeNumbers {
            prefix: format!("L{}", base36(millis)),
        }
    }

    /// The trade number of operation `seq` of worker `worker`.
    pub fn get(&self, worker: usize, seq: u64) -> String {
        format!("{}W{worker}N{seq}", self.prefix)
    }
}

impl Default for TradeNumbers {
    fn default() -> Self {
        Self::new()
    }
}

fn base36(mut n: u128) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        // `n % 36` is below 36, so the index is always in range.
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_file_is_a_valid_order() {
        let order = create_order().map_err(|e| e.to_string());
        assert!(order.is_ok(), "{order:?}");
    }

    #[test]
    fn json_bodies_have_the_asked_length_and_parse() {
        for len in [46, 300, 10 * 1024, 1024 * 1024] {
            let body = json_body(len);
            assert_eq!(body.len(), len);
            assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
        }
    }

    #[test]
    fn trade_numbers_are_short_alphanumeric_and_distinct() {
        let numbers = TradeNumbers::new();
        let a = numbers.get(63, u64::from(u32::MAX));
        let b = numbers.get(6, 3);
        assert!(a.len() <= 32, "{a}");
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
        assert_eq!(base36(0), "0");
        assert_eq!(base36(36 * 36 - 1), "ZZ");
    }
}
