//! Exact arithmetic on [`Amount`]s beyond add and subtract: scaling by prices for conversions.
//!
//! Values are integers of 10⁻⁸ units (`u128`), the precision of every Binance Pay amount; no
//! float is involved anywhere.

use binancepay_types::Amount;

/// One unit in 10⁻⁸ units.
pub(crate) const SCALE: u128 = 100_000_000;

/// The value of `amount` in 10⁻⁸ units.
///
/// An [`Amount`] has at most 20 integer digits and 8 decimals, so this cannot overflow.
pub(crate) fn to_units(amount: &Amount) -> u128 {
    let text = amount.as_str();
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| {
        s.bytes().fold(0u128, |acc, b| {
            acc.saturating_mul(10)
                .saturating_add(u128::from(b.wrapping_sub(b'0')))
        })
    };
    let places = u32::try_from(fraction.len()).unwrap_or(8).min(8);
    digits(integer)
        .saturating_mul(SCALE)
        .saturating_add(digits(fraction).saturating_mul(10u128.pow(8 - places)))
}

/// `units` 10⁻⁸ units as an amount without trailing zeros (`1.5`, `100`), or `None` past the
/// 20 integer digits an [`Amount`] holds.
pub(crate) fn from_units(units: u128) -> Option<Amount> {
    let integer = units / SCALE;
    let fraction = units % SCALE;
    let text = if fraction == 0 {
        integer.to_string()
    } else {
        let fraction = format!("{fraction:08}");
        format!("{integer}.{}", fraction.trim_end_matches('0'))
    };
    Amount::new(&text).ok()
}

/// `units * numerator / denominator`, rounded down; `None` on overflow or a zero denominator.
pub(crate) fn mul_div(units: u128, numerator: u128, denominator: u128) -> Option<u128> {
    units.checked_mul(numerator)?.checked_div(denominator)
}

/// The sum of `amounts` in 10⁻⁸ units, or `None` on overflow.
pub(crate) fn sum_units<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Option<u128> {
    amounts
        .into_iter()
        .try_fold(0u128, |total, amount| total.checked_add(to_units(amount)))
}

/// `units` as an amount, or the `400000` error naming `what` when it does not fit.
pub(crate) fn amount_of(units: u128, what: &str) -> Result<Amount, crate::api::error::ApiError> {
    from_units(units)
        .ok_or_else(|| crate::api::error::ApiError::internal(format!("{what} overflows an amount")))
}

#[cfg(test)]
mod tests {
    use super::{amount_of, from_units, mul_div, sum_units, to_units};
    use binancepay_types::Amount;
    use proptest::prelude::*;

    fn amount(text: &str) -> Amount {
        Amount::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn units_round_trip_and_trim() {
        assert_eq!(to_units(&amount("25.17")), 2_517_000_000);
        assert_eq!(to_units(&amount("0.00000001")), 1);
        assert_eq!(
            from_units(2_517_000_000).map(|a| a.to_string()),
            Some("25.17".to_owned())
        );
        assert_eq!(
            from_units(100 * 100_000_000).map(|a| a.to_string()),
            Some("100".to_owned())
        );
        assert_eq!(
            amount_of(0, "zero").map(|a| a.to_string()),
            Ok("0".to_owned())
        );
        assert!(amount_of(u128::MAX, "huge").is_err());
    }

    #[test]
    fn conversions_round_down() {
        // 25.17 USDT at 617.10 USDT per BNB.
        let units = mul_div(to_units(&amount("25.17")), 100_000_000, 61_710_000_000);
        assert_eq!(
            units.and_then(from_units).map(|a| a.to_string()),
            Some("0.04078755".to_owned())
        );
        assert_eq!(mul_div(1, 1, 0), None);
    }

    #[test]
    fn sums_are_exact() {
        let parts = [amount("25.17"), amount("0.10"), amount("0.00000001")];
        assert_eq!(
            sum_units(&parts)
                .and_then(from_units)
                .map(|a| a.to_string()),
            Some("25.27000001".to_owned())
        );
    }

    proptest! {
        #[test]
        fn to_and_from_units_agree(int in 0u64..1_000_000_000_000, frac in 0u32..100_000_000) {
            let text = format!("{int}.{frac:08}");
            let a = amount(&text);
            let back = from_units(to_units(&a));
            prop_assert_eq!(back, Some(a));
        }
    }
}
