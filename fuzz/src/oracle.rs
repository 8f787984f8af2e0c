//! Reference implementations written independently of the crates, straight from the documented
//! grammars, so a target can compare the crate's answer with a second opinion.

use std::cmp::Ordering;

/// 10⁸: the scale of the eighth decimal place.
pub const SCALE: u128 = 100_000_000;

/// The value × 10⁸ of `text` if it matches the amount grammar of `binancepay_types::Amount`:
/// `(0|[1-9][0-9]{0,19})(\.[0-9]{1,8})?`, nothing else.
pub fn amount_scaled(text: &str) -> Option<u128> {
    let (integer, fraction) = match text.find('.') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() || integer.len() > 20 || !all_digits(integer) {
        return None;
    }
    if integer.len() > 1 && integer.starts_with('0') {
        return None;
    }
    let mut scaled = integer.parse::<u128>().ok()? * SCALE;
    if let Some(fraction) = fraction {
        if fraction.is_empty() || fraction.len() > 8 || !all_digits(fraction) {
            return None;
        }
        scaled += format!("{fraction:0<8}").parse::<u128>().ok()?;
    }
    Some(scaled)
}

/// Digits after the point of a text that [`amount_scaled`] accepts.
pub fn amount_places(text: &str) -> u32 {
    text.find('.').map_or(0, |at| {
        u32::try_from(text.len() - at - 1).unwrap_or(u32::MAX)
    })
}

/// Writes `scaled / 10⁸` with exactly `places` (0..=8) decimal places, or `None` when the value
/// does not fit that many places or has more than 20 integer digits.
pub fn amount_text(scaled: u128, places: u32) -> Option<String> {
    let integer = scaled / SCALE;
    let fraction = scaled % SCALE;
    if integer.to_string().len() > 20 || places > 8 {
        return None;
    }
    let digits = format!("{fraction:08}");
    let (kept, dropped) = digits.split_at(places as usize);
    if dropped.bytes().any(|b| b != b'0') {
        return None;
    }
    Some(if places == 0 {
        integer.to_string()
    } else {
        format!("{integer}.{kept}")
    })
}

/// Whether `text` matches the id grammar of `binancepay_types::Id`: 1 to 40 ASCII digits,
/// no leading zero unless the id is `0`.
pub fn id_valid(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

/// Numeric order of two digit strings of at most 40 digits, by zero-padding both to 40.
pub fn numeric_cmp(a: &str, b: &str) -> Ordering {
    format!("{a:0>40}").cmp(&format!("{b:0>40}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_oracle() {
        assert_eq!(amount_scaled("0"), Some(0));
        assert_eq!(amount_scaled("25.17"), Some(2_517_000_000));
        assert_eq!(amount_scaled("0.00000001"), Some(1));
        assert_eq!(amount_scaled("01"), None);
        assert_eq!(amount_scaled("1."), None);
        assert_eq!(amount_scaled(".1"), None);
        assert_eq!(amount_scaled("1.123456789"), None);
        assert_eq!(amount_scaled("+1"), None);
        assert_eq!(amount_scaled("1.2.3"), None);
        assert_eq!(amount_scaled(&"9".repeat(21)), None);
        assert_eq!(amount_places("1.50"), 2);
        assert_eq!(amount_text(150_000_000, 2).as_deref(), Some("1.50"));
        assert_eq!(amount_text(150_000_000, 0), None);
    }

    #[test]
    fn id_oracle() {
        assert!(id_valid("0"));
        assert!(!id_valid("00"));
        assert!(!id_valid(&"1".repeat(41)));
        assert_eq!(numeric_cmp("9", "10"), Ordering::Less);
    }
}
