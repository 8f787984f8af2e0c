//! Exact money: [`Amount`] keeps the decimal text it was given and never touches binary floats.
//!
//! Binance Pay sends and accepts amounts with at most eight decimal places, sometimes as JSON numbers
//! (`"orderAmount": 25.17`) and sometimes as JSON strings (`"refundedAmount": "25.17"`). Parsing them
//! through `f64` changes their value (`19999.995` is not representable) and their text (`0.10`
//! becomes `0.1`), so an [`Amount`] is validated text plus its exact value scaled by 10⁸.
//!
//! ```
//! use binancepay_types::Amount;
//!
//! let price: Amount = "19999.995".parse()?;
//! let fee = Amount::new("0.10")?;
//! assert_eq!(fee.as_str(), "0.10");
//!
//! let total = price.checked_add(&fee).ok_or("amount overflow")?;
//! assert_eq!(total.as_str(), "20000.095");
//!
//! // A JSON number stays the exact text it was given.
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Order {
//!     #[serde(rename = "orderAmount")]
//!     order_amount: Amount,
//! }
//! let order: Order = serde_json::from_str(r#"{"orderAmount":0.88000000}"#)?;
//! assert_eq!(order.order_amount.as_str(), "0.88000000");
//! assert_eq!(serde_json::to_string(&order)?, r#"{"orderAmount":0.88000000}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most digits allowed before the decimal point: the documented maximum `999999999999999.99999999`
/// needs 15, and 20 keeps every value below 10²⁰ exact in a `u128` scaled by 10⁸.
const MAX_INTEGER_DIGITS: usize = 20;

/// 10⁸: one unit of the eighth decimal place.
const SCALE: u128 = 100_000_000;

/// Every valid amount scaled by [`SCALE`] is strictly below this (10²⁸).
const SCALED_LIMIT: u128 = 10_000_000_000_000_000_000_000_000_000;

/// An exact, non-negative decimal amount of money, kept as the text it was given.
///
/// The grammar is: ASCII digits, optionally followed by `.` and 1 to 8 more digits; no sign, no
/// exponent, no whitespace, no leading zeros except a single `0` before the point, and at most 20
/// digits before the point. `0` and `0.00` are valid: minimum amounts are a rule of each endpoint.
///
/// [`as_str`](Amount::as_str) and [`Display`](fmt::Display) return exactly the text that was
/// parsed, so `0.10` stays `0.10`. Equality, ordering and hashing compare the numeric value, so
/// `1.0 == 1.00`, consistently with each other.
///
/// With `serde_json`, an `Amount` serializes as a JSON number whose text is exactly
/// [`as_str`](Amount::as_str) and deserializes from a JSON number (read as raw text, never through
/// `f64`) or from a JSON string. Use [`as_string`] for wire fields that are JSON strings. With other
/// serializers it is written as a string, and with other deserializers it accepts strings and
/// integers but rejects binary floats, whose exact decimal text is already lost.
///
/// ```
/// use binancepay_types::Amount;
///
/// let a = Amount::new("1.0")?;
/// let b = Amount::new("1.00")?;
/// assert_eq!(a, b);
/// assert_eq!(a.as_str(), "1.0");
/// assert!(Amount::new("0.5")? < a);
/// # Ok::<(), binancepay_types::AmountError>(())
/// ```
#[derive(Clone)]
pub struct Amount {
    text: Box<str>,
    /// The value times 10⁸, cut after the eighth decimal place; with [`Amount::excess`] it is
    /// the exact value, and equality, ordering and hashing use only these two.
    scaled: u128,
    /// The digits after the eighth decimal place, without trailing zeros; only a received
    /// amount ([`Amount::parse_received`]) can have them.
    excess: Option<Box<str>>,
}

impl Amount {
    /// The most digits allowed after the decimal point.
    pub const MAX_DECIMAL_PLACES: u32 = 8;

    /// Validates `text` against the amount grammar and keeps it unchanged.
    ///
    /// ```
    /// use binancepay_types::{Amount, AmountError};
    ///
    /// assert_eq!(Amount::new("25.17")?.as_str(), "25.17");
    /// assert!(matches!(Amount::new("-1"), Err(AmountError::Negative { .. })));
    /// assert!(matches!(
    ///     Amount::new("0.123456789"),
    ///     Err(AmountError::TooManyDecimalPlaces { got: 9, .. })
    /// ));
    /// # Ok::<(), AmountError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the [`AmountError`] variant naming the first rule `text` breaks: empty text, a
    /// sign, an exponent, another character that is not an ASCII digit or a single `.`, a missing
    /// digit before or after the point, a leading zero, more than 20 integer digits or more than
    /// [`MAX_DECIMAL_PLACES`](Amount::MAX_DECIMAL_PLACES) decimal places.
    pub fn new(text: &str) -> Result<Amount, AmountError> {
        let scaled = parse_scaled(text)?;
        Ok(Amount {
            text: text.into(),
            scaled,
            excess: None,
        })
    }

    /// Reads an amount as Binance's systems write it, in any decimal spelling of its value.
    ///
    /// Binance's services print Java `BigDecimal`s: exponent notation for small values
    /// (`1E-8`, `1.0E-7`), superfluous trailing zeros (`0.000000010`), and sometimes a sign
    /// (`1E+2`). This accepts every such spelling of a non-negative decimal and keeps its value:
    ///
    /// - an exponent is written out (`1.0E-7` reads as `0.00000010`, `2.5E+3` as `2500`);
    /// - zeros past the eighth decimal place are dropped (`0.000000010` reads as `0.00000001`);
    /// - a value that really needs more than 8 decimal places still reads, keeping every digit
    ///   (`0.000000015`): [`has_excess_precision`](Amount::has_excess_precision) says so, and
    ///   such an amount can be compared and printed but not added, subtracted or sent.
    ///
    /// A spelling without exponent and with at most 8 decimal places keeps its text exactly, as
    /// [`Amount::new`] does. What the SDK *sends* stays strict: use [`Amount::new`] to build one.
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// let fee = Amount::parse_received("1.0E-7")?;
    /// assert_eq!(fee.as_str(), "0.00000010");
    /// assert_eq!(fee, Amount::new("0.0000001")?);
    /// assert_eq!(Amount::parse_received("0.000000010")?.as_str(), "0.00000001");
    /// let tiny = Amount::parse_received("1.5E-9")?;
    /// assert_eq!(tiny.as_str(), "0.0000000015");
    /// assert!(tiny.has_excess_precision());
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The [`AmountError`] of the first rule broken: empty text, a negative value, a character
    /// that belongs in no number, a missing digit, an exponent beyond ±64, or more than 20
    /// integer digits once written out.
    pub fn parse_received(text: &str) -> Result<Amount, AmountError> {
        let plain = received::plain_decimal(text)?;
        let plain = received::drop_zeros_past_scale(&plain);
        let (integer, fraction) = plain.split_once('.').unwrap_or((plain, ""));
        if fraction.len() <= Amount::MAX_DECIMAL_PLACES as usize {
            // Checks the integer digits too; a text that was already plain is kept as given.
            let kept = if plain == text { text } else { plain };
            return Amount::new(kept);
        }
        let (within, beyond) = fraction.split_at(Amount::MAX_DECIMAL_PLACES as usize);
        let scaled = parse_scaled(&format!("{integer}.{within}"))?;
        Ok(Amount {
            text: plain.into(),
            scaled,
            excess: Some(beyond.trim_end_matches('0').into()),
        })
    }

    /// Whether this received amount needs more than [`MAX_DECIMAL_PLACES`](Amount::MAX_DECIMAL_PLACES)
    /// decimal places ([`Amount::parse_received`]); such an amount cannot be sent or computed with.
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// assert!(!Amount::parse_received("0.000000010")?.has_excess_precision());
    /// assert!(Amount::parse_received("0.000000011")?.has_excess_precision());
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn has_excess_precision(&self) -> bool {
        self.excess.is_some()
    }

    /// The text the amount was parsed from, unchanged.
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// assert_eq!(Amount::new("0.10")?.as_str(), "0.10");
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How many digits follow the decimal point in the text (0 when there is no point).
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// assert_eq!(Amount::new("0.88000000")?.decimal_places(), 8);
    /// assert_eq!(Amount::new("100")?.decimal_places(), 0);
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn decimal_places(&self) -> u32 {
        decimal_places_of(&self.text)
    }

    /// The exact value times 10⁸ (what equality and ordering compare).
    pub(crate) fn scaled(&self) -> u128 {
        self.scaled
    }

    /// Whether the value is zero, whatever the number of decimal places (`0`, `0.00`).
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// assert!(Amount::new("0.000")?.is_zero());
    /// assert!(!Amount::new("0.00000001")?.is_zero());
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.scaled == 0 && self.excess.is_none()
    }

    /// The exact sum, or `None` when it would need more than 20 integer digits (or an operand
    /// [has excess precision](Amount::has_excess_precision)).
    ///
    /// The result keeps as many decimal places as the operand with the most, so it reads like
    /// hand-written arithmetic (`0.10 + 0.2 = 0.30`, `0.5 + 0.5 = 1.0`) and never carries more
    /// places than the inputs did.
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// let sum = Amount::new("0.10")?.checked_add(&Amount::new("0.2")?);
    /// assert_eq!(sum.as_ref().map(Amount::as_str), Some("0.30"));
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn checked_add(&self, other: &Amount) -> Option<Amount> {
        if self.excess.is_some() || other.excess.is_some() {
            return None;
        }
        let scaled = self.scaled.checked_add(other.scaled)?;
        Amount::from_scaled(scaled, self.decimal_places().max(other.decimal_places()))
    }

    /// The exact difference, or `None` when it would be negative (or an operand
    /// [has excess precision](Amount::has_excess_precision)).
    ///
    /// The result keeps as many decimal places as the operand with the most (`1.50 - 0.5 = 1.00`).
    ///
    /// ```
    /// use binancepay_types::Amount;
    ///
    /// let order = Amount::new("25.17")?;
    /// let refunded = Amount::new("10")?;
    /// let left = order.checked_sub(&refunded);
    /// assert_eq!(left.as_ref().map(Amount::as_str), Some("15.17"));
    /// assert_eq!(refunded.checked_sub(&order), None);
    /// # Ok::<(), binancepay_types::AmountError>(())
    /// ```
    #[must_use]
    pub fn checked_sub(&self, other: &Amount) -> Option<Amount> {
        if self.excess.is_some() || other.excess.is_some() {
            return None;
        }
        let scaled = self.scaled.checked_sub(other.scaled)?;
        Amount::from_scaled(scaled, self.decimal_places().max(other.decimal_places()))
    }

    /// Writes `scaled / 10⁸` with exactly `places` decimal places, which must be enough to hold
    /// it exactly (true for sums and differences of operands with at most `places` places).
    fn from_scaled(scaled: u128, places: u32) -> Option<Amount> {
        if scaled >= SCALED_LIMIT {
            return None;
        }
        let integer = scaled / SCALE;
        let fraction = scaled % SCALE;
        let text = if places == 0 {
            debug_assert_eq!(fraction, 0, "operands had no decimal places");
            integer.to_string()
        } else {
            let places = places.min(Amount::MAX_DECIMAL_PLACES);
            let unit = 10_u128.pow(Amount::MAX_DECIMAL_PLACES - places);
            debug_assert_eq!(fraction % unit, 0, "operands had at most {places} places");
            format!(
                "{integer}.{:0width$}",
                fraction / unit,
                width = places as usize
            )
        };
        Some(Amount {
            text: text.into_boxed_str(),
            scaled,
            excess: None,
        })
    }
}

fn decimal_places_of(text: &str) -> u32 {
    text.split_once('.').map_or(0, |(_, fraction)| {
        fraction.len().try_into().unwrap_or(u32::MAX)
    })
}

/// Checks the grammar and returns the value times 10⁸.
pub(crate) fn parse_scaled(text: &str) -> Result<u128, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut seen_point = false;
    for (index, character) in text.char_indices() {
        match character {
            '0'..='9' => {}
            '.' if !seen_point => seen_point = true,
            '-' if index == 0 => {
                return Err(AmountError::Negative {
                    text: excerpt(text),
                });
            }
            'e' | 'E' if index > 0 => {
                return Err(AmountError::Exponent {
                    text: excerpt(text),
                });
            }
            _ => {
                return Err(AmountError::InvalidCharacter {
                    character,
                    index,
                    text: excerpt(text),
                });
            }
        }
    }
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    if integer.is_empty() {
        return Err(AmountError::MissingIntegerPart {
            text: excerpt(text),
        });
    }
    if seen_point && fraction.is_empty() {
        return Err(AmountError::MissingFraction {
            text: excerpt(text),
        });
    }
    if integer.len() > 1 && integer.starts_with('0') {
        return Err(AmountError::LeadingZero {
            text: excerpt(text),
        });
    }
    if integer.len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::TooManyIntegerDigits {
            got: integer.len(),
            text: excerpt(text),
        });
    }
    let places = decimal_places_of(text);
    if places > Amount::MAX_DECIMAL_PLACES {
        return Err(AmountError::TooManyDecimalPlaces {
            got: fraction.len(),
            text: excerpt(text),
        });
    }
    // At most 28 digits, so this stays below 10^28 and cannot overflow a u128.
    let digits = integer
        .bytes()
        .chain(fraction.bytes())
        .fold(0_u128, |value, digit| {
            value * 10 + u128::from(digit.wrapping_sub(b'0'))
        });
    Ok(digits * 10_u128.pow(Amount::MAX_DECIMAL_PLACES - places))
}

/// At most 64 characters of rejected input, so an error stays readable whatever was sent.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 64;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Amount").field(&self.text).finish()
    }
}

impl PartialEq for Amount {
    fn eq(&self, other: &Amount) -> bool {
        self.scaled == other.scaled && self.excess == other.excess
    }
}

impl Eq for Amount {}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Amount) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Amount) -> Ordering {
        // Excess digits have no trailing zeros, so comparing them as text compares the values
        // (`5` > `49` as 0.5 > 0.49 past the eighth place); no excess is the smallest.
        self.scaled
            .cmp(&other.scaled)
            .then_with(|| self.excess.cmp(&other.excess))
    }
}

impl Hash for Amount {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.scaled.hash(state);
        self.excess.hash(state);
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(text: &str) -> Result<Amount, AmountError> {
        Amount::new(text)
    }
}

impl TryFrom<&str> for Amount {
    type Error = AmountError;

    fn try_from(text: &str) -> Result<Amount, AmountError> {
        Amount::new(text)
    }
}

impl TryFrom<String> for Amount {
    type Error = AmountError;

    fn try_from(text: String) -> Result<Amount, AmountError> {
        let scaled = parse_scaled(&text)?;
        Ok(Amount {
            text: text.into_boxed_str(),
            scaled,
            excess: None,
        })
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if json::is_json_serializer::<S>() {
            json::serialize_raw_number(self.as_str(), serializer)
        } else {
            serializer.serialize_str(self.as_str())
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        json::deserialize_number_or_string(deserializer, "an amount", Amount::new)
    }
}

/// Why a text is not a valid [`Amount`].
///
/// Each variant names one rule of the grammar; `text` holds the rejected input, cut to its first
/// 64 characters (followed by `…` when cut).
///
/// ```
/// use binancepay_types::{Amount, AmountError};
///
/// let err = Amount::new("1e5").unwrap_err();
/// assert!(matches!(err, AmountError::Exponent { .. }));
/// assert_eq!(
///     err.to_string(),
///     r#"invalid amount "1e5": exponent notation is not allowed, write the digits out"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The text is empty.
    #[error("invalid amount: the text is empty, an amount needs at least one digit")]
    Empty,
    /// A character other than an ASCII digit or a single `.` (includes whitespace and `+`).
    #[error(
        "invalid amount {text:?}: character {character:?} at byte {index} is not allowed, only ASCII digits and one '.' are"
    )]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte offset in the text.
        index: usize,
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// The text starts with `-`.
    #[error("invalid amount {text:?}: amounts cannot be negative or carry a sign")]
    Negative {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// The text uses exponent notation (`1e5`, `2.5E-3`).
    #[error("invalid amount {text:?}: exponent notation is not allowed, write the digits out")]
    Exponent {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// Nothing before the decimal point (`.5`).
    #[error("invalid amount {text:?}: a digit must come before the decimal point")]
    MissingIntegerPart {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// A decimal point with no digit after it (`5.`).
    #[error("invalid amount {text:?}: at least one digit must follow the decimal point")]
    MissingFraction {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// The integer part has more than one digit and starts with `0` (`01`, `00.5`).
    #[error(
        "invalid amount {text:?}: leading zeros are not allowed, only a single 0 before the point"
    )]
    LeadingZero {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// More than 20 digits before the decimal point.
    #[error(
        "invalid amount {text:?}: {got} digits before the decimal point, at most 20 are allowed"
    )]
    TooManyIntegerDigits {
        /// How many integer digits the text has.
        got: usize,
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// A received spelling whose exponent is beyond ±64 ([`Amount::parse_received`]).
    #[error("invalid amount {text:?}: the exponent is beyond ±64")]
    ExponentOutOfRange {
        /// The rejected text (at most 64 characters).
        text: String,
    },
    /// More than [`Amount::MAX_DECIMAL_PLACES`] digits after the decimal point.
    #[error("invalid amount {text:?}: {got} decimal places, at most 8 are allowed")]
    TooManyDecimalPlaces {
        /// How many decimal places the text has.
        got: usize,
        /// The rejected text (at most 64 characters).
        text: String,
    },
}

/// Decimal spellings as Binance's systems write them, brought to plain text.
pub(crate) mod received {
    use super::{AmountError, excerpt};

    /// The largest exponent written out; Java prints far smaller ones for money.
    const MAX_EXPONENT: i64 = 64;

    /// `text` in plain decimal notation: an optional `+`, digits with an optional fraction
    /// (either side of the point may be empty, not both), and an optional exponent `e`/`E` with
    /// an optional sign, written out without exponent and without leading zeros. Trailing zeros
    /// are kept. Borrowed when `text` is already plain.
    pub(crate) fn plain_decimal(text: &str) -> Result<std::borrow::Cow<'_, str>, AmountError> {
        use std::borrow::Cow;
        let err_text = || excerpt(text);
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let unsigned = match text.as_bytes().first() {
            Some(b'-') => {
                // `-0` and `-0.00E3` are zero, which is no debt: read them as zero.
                let rest = text.get(1..).unwrap_or_default();
                let plain = plain_decimal(rest)?;
                if plain.bytes().all(|b| b == b'0' || b == b'.') {
                    return Ok(Cow::Owned(plain.into_owned()));
                }
                return Err(AmountError::Negative { text: err_text() });
            }
            Some(b'+') => text.get(1..).unwrap_or_default(),
            _ => text,
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (
                unsigned.get(..at).unwrap_or_default(),
                Some(unsigned.get(at + 1..).unwrap_or_default()),
            ),
            None => (unsigned, None),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if let Some((index, character)) = mantissa
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (c == '.' && Some(i) == mantissa.find('.'))))
        {
            return Err(AmountError::InvalidCharacter {
                character,
                index,
                text: err_text(),
            });
        }
        if integer.is_empty() && fraction.is_empty() {
            return Err(AmountError::MissingIntegerPart { text: err_text() });
        }
        let shift = match exponent {
            None => 0,
            Some(exp) => {
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(AmountError::Exponent { text: err_text() });
                }
                let value: i64 = digits
                    .parse()
                    .ok()
                    .filter(|v| *v <= MAX_EXPONENT)
                    .ok_or_else(|| AmountError::ExponentOutOfRange { text: err_text() })?;
                if exp.starts_with('-') { -value } else { value }
            }
        };
        let already_plain = exponent.is_none()
            && unsigned.len() == text.len()
            && !integer.is_empty()
            && (!mantissa.contains('.') || !fraction.is_empty())
            && (integer.len() == 1 || !integer.starts_with('0'));
        if already_plain {
            return Ok(Cow::Borrowed(text));
        }
        let digits: String = integer.chars().chain(fraction.chars()).collect();
        let point = i64::try_from(integer.len()).unwrap_or(i64::MAX) + shift;
        let mut out = if point <= 0 {
            let zeros = usize::try_from(-point).unwrap_or(0);
            format!("0.{}{digits}", "0".repeat(zeros))
        } else {
            let point = usize::try_from(point).unwrap_or(usize::MAX);
            if point >= digits.len() {
                format!("{digits}{}", "0".repeat(point - digits.len()))
            } else {
                let (head, tail) = digits.split_at(point);
                format!("{head}.{tail}")
            }
        };
        // No leading zeros before the point: "007.5" -> "7.5", "000" -> "0".
        let integer_len = out.find('.').unwrap_or(out.len());
        let leading = out
            .get(..integer_len)
            .map_or(0, |i| i.len() - i.trim_start_matches('0').len())
            .min(integer_len.saturating_sub(1));
        out.drain(..leading);
        Ok(Cow::Owned(out))
    }

    /// Drops zeros after the eighth decimal place (`0.000000010` -> `0.00000001`): they carry
    /// no value, and Java's `BigDecimal` keeps them from its arithmetic.
    pub(crate) fn drop_zeros_past_scale(plain: &str) -> &str {
        let Some(point) = plain.find('.') else {
            return plain;
        };
        let keep = point + 1 + super::Amount::MAX_DECIMAL_PLACES as usize;
        if plain.len() <= keep {
            return plain;
        }
        let trimmed = plain.trim_end_matches('0');
        plain.get(..trimmed.len().max(keep)).unwrap_or(plain)
    }
}

/// Serde helpers for amount fields that travel as JSON strings (`"amount": "25.17"`).
///
/// Serializes the text as a string; deserializes from a string or a number, validated like
/// [`Amount::new`].
///
/// ```
/// use binancepay_types::Amount;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Transfer {
///     #[serde(with = "binancepay_types::amount::as_string")]
///     amount: Amount,
/// }
///
/// let transfer = Transfer { amount: Amount::new("25.17")? };
/// assert_eq!(serde_json::to_string(&transfer)?, r#"{"amount":"25.17"}"#);
/// let back: Transfer = serde_json::from_str(r#"{"amount":25.17}"#)?;
/// assert_eq!(back.amount.as_str(), "25.17");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod as_string {
    use serde::{Deserializer, Serializer};

    use super::Amount;

    /// Writes the amount's text as a string.
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(amount.as_str())
    }

    /// Reads an amount from a string or a number.
    ///
    /// # Errors
    ///
    /// Fails when the value is neither a string nor a number, when the text breaks the grammar of
    /// [`Amount::new`], or when the number only reached us as a binary float.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

/// Serde helpers for optional amount fields that travel as JSON strings.
///
/// Pair it with `#[serde(default, skip_serializing_if = "Option::is_none")]` so a missing field
/// reads as `None` and `None` is left out; an explicit `null` also reads as `None`.
///
/// ```
/// use binancepay_types::Amount;
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Refund {
///     #[serde(
///         default,
///         skip_serializing_if = "Option::is_none",
///         with = "binancepay_types::amount::option_as_string"
///     )]
///     refunded: Option<Amount>,
/// }
///
/// let refund: Refund = serde_json::from_str(r#"{"refunded":"0.10"}"#)?;
/// assert_eq!(serde_json::to_string(&refund)?, r#"{"refunded":"0.10"}"#);
/// let none: Refund = serde_json::from_str("{}")?;
/// assert_eq!(serde_json::to_string(&none)?, "{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod option_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Amount;

    /// Writes `Some` as a string and `None` as `null`.
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(
        amount: &Option<Amount>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match amount {
            Some(amount) => serializer.serialize_some(amount.as_str()),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`, and a string or a number as `Some`.
    ///
    /// # Errors
    ///
    /// As [`as_string::deserialize`](super::as_string::deserialize) for a present value.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Amount>, D::Error> {
        Option::<Amount>::deserialize(deserializer)
    }
}

/// How exact numbers cross serde: as raw JSON text with `serde_json`, as strings elsewhere.
///
/// serde offers no way to ask a serializer what format it writes, and `serde_json` only keeps a
/// number's text through its `RawValue` protocol, which other formats would turn into a struct.
/// So the format is told by the serializer's type name. If a future compiler ever printed type
/// names differently, amounts would fall back to strings (never to floats), and the tests that
/// expect `{"a":25.17}` would fail loudly.
pub(crate) mod json {
    use core::any::type_name;
    use core::fmt;
    use core::marker::PhantomData;

    use serde::de::{self, Unexpected, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::value::RawValue;

    /// Whether `S` writes JSON text, directly or through a forwarding wrapper. Not
    /// `serde_json::value::Serializer`: a `Value` would hold the number as `f64`.
    pub(crate) fn is_json_serializer<S>() -> bool {
        type_name::<S>().contains("serde_json::ser::Serializer<")
    }

    /// Whether `D` reads JSON text and can hand over a number's raw text.
    pub(crate) fn is_json_deserializer<D>() -> bool {
        type_name::<D>().contains("serde_json::de::Deserializer<")
    }

    /// Writes `text`, which must already be a valid JSON number, as that number verbatim.
    pub(crate) fn serialize_raw_number<S: Serializer>(
        text: &str,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(text.to_owned()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }

    /// Reads a JSON number as its raw text, or a string, and hands the text to `parse`.
    pub(crate) fn deserialize_number_or_string<'de, D, T, E>(
        deserializer: D,
        expecting: &'static str,
        parse: fn(&str) -> Result<T, E>,
    ) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        E: fmt::Display,
    {
        if is_json_deserializer::<D>() {
            let raw = Box::<RawValue>::deserialize(deserializer)?;
            parse_raw(raw.get(), expecting, parse)
        } else {
            deserializer.deserialize_any(TextVisitor {
                expecting,
                parse,
                marker: PhantomData,
            })
        }
    }

    fn parse_raw<T, E, Error>(
        raw: &str,
        expecting: &'static str,
        parse: fn(&str) -> Result<T, E>,
    ) -> Result<T, Error>
    where
        E: fmt::Display,
        Error: de::Error,
    {
        let unexpected = match raw.as_bytes().first() {
            Some(b'"') => {
                // Decoding through serde_json handles escapes such as "\u0031".
                let text: String = serde_json::from_str(raw).map_err(Error::custom)?;
                return parse(&text).map_err(Error::custom);
            }
            Some(b'-' | b'0'..=b'9') => return parse(raw).map_err(Error::custom),
            Some(b'n') => Unexpected::Unit,
            Some(b't') => Unexpected::Bool(true),
            Some(b'f') => Unexpected::Bool(false),
            Some(b'[') => Unexpected::Seq,
            Some(b'{') => Unexpected::Map,
            _ => Unexpected::Other(raw),
        };
        Err(Error::invalid_type(unexpected, &expecting))
    }

    /// Accepts what non-JSON formats can deliver exactly: strings and integers.
    struct TextVisitor<T, E> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, E>,
        marker: PhantomData<fn() -> T>,
    }

    impl<T, E: fmt::Display> TextVisitor<T, E> {
        fn text<Error: de::Error>(&self, text: &str) -> Result<T, Error> {
            (self.parse)(text).map_err(Error::custom)
        }
    }

    impl<'de, T, E: fmt::Display> Visitor<'de> for TextVisitor<T, E> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} as a decimal number or string", self.expecting)
        }

        fn visit_str<Error: de::Error>(self, text: &str) -> Result<T, Error> {
            self.text(text)
        }

        fn visit_u64<Error: de::Error>(self, value: u64) -> Result<T, Error> {
            self.text(&value.to_string())
        }

        fn visit_u128<Error: de::Error>(self, value: u128) -> Result<T, Error> {
            self.text(&value.to_string())
        }

        fn visit_i64<Error: de::Error>(self, value: i64) -> Result<T, Error> {
            self.text(&value.to_string())
        }

        fn visit_i128<Error: de::Error>(self, value: i128) -> Result<T, Error> {
            self.text(&value.to_string())
        }

        fn visit_f64<Error: de::Error>(self, _value: f64) -> Result<T, Error> {
            Err(Error::custom(format_args!(
                "{} cannot be read from a binary floating-point number, whose exact decimal text \
                 is lost; send it as a string, or deserialize straight from JSON text",
                self.expecting
            )))
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<T, D::Error> {
            deserialize_number_or_string(deserializer, self.expecting, self.parse)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash_of(amount: &Amount) -> u64 {
        let mut hasher = DefaultHasher::new();
        amount.hash(&mut hasher);
        hasher.finish()
    }

    fn amount(text: &str) -> Amount {
        match Amount::new(text) {
            Ok(amount) => amount,
            Err(err) => panic!("{text:?} should parse: {err}"),
        }
    }

    #[test]
    fn keeps_the_text_and_scales_exactly() {
        let a = amount("999999999999999.99999999");
        assert_eq!(a.as_str(), "999999999999999.99999999");
        assert_eq!(a.scaled, 99_999_999_999_999_999_999_999);
        assert_eq!(amount("0.00000001").scaled, 1);
        assert_eq!(amount("1").scaled, SCALE);
        assert_eq!(
            amount("99999999999999999999.99999999").scaled,
            SCALED_LIMIT - 1
        );
    }

    #[test]
    fn equal_values_hash_alike_whatever_the_places() {
        let (a, b) = (amount("1.0"), amount("1.00000000"));
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn each_rule_has_its_variant() {
        assert_eq!(Amount::new(""), Err(AmountError::Empty));
        assert!(matches!(
            Amount::new("1,5"),
            Err(AmountError::InvalidCharacter {
                character: ',',
                index: 1,
                ..
            })
        ));
        assert!(matches!(
            Amount::new("-0"),
            Err(AmountError::Negative { .. })
        ));
        assert!(matches!(
            Amount::new("1E2"),
            Err(AmountError::Exponent { .. })
        ));
        assert!(matches!(
            Amount::new(".5"),
            Err(AmountError::MissingIntegerPart { .. })
        ));
        assert!(matches!(
            Amount::new("5."),
            Err(AmountError::MissingFraction { .. })
        ));
        assert!(matches!(
            Amount::new("05"),
            Err(AmountError::LeadingZero { .. })
        ));
        assert!(matches!(
            Amount::new("100000000000000000000"),
            Err(AmountError::TooManyIntegerDigits { got: 21, .. })
        ));
        assert!(matches!(
            Amount::new("1.000000000"),
            Err(AmountError::TooManyDecimalPlaces { got: 9, .. })
        ));
    }

    #[test]
    fn error_text_is_cut_to_64_characters() {
        let long = "é".repeat(100);
        let Err(AmountError::InvalidCharacter { text, .. }) = Amount::new(&long) else {
            panic!("{long:?} should be rejected for its first character");
        };
        assert_eq!(text.chars().count(), 65);
        assert!(text.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn arithmetic_keeps_the_widest_places() {
        let sum = amount("0.5").checked_add(&amount("0.5"));
        assert_eq!(sum.as_ref().map(Amount::as_str), Some("1.0"));
        let difference = amount("1.50").checked_sub(&amount("1.5"));
        assert_eq!(difference.as_ref().map(Amount::as_str), Some("0.00"));
        let whole = amount("7").checked_sub(&amount("2"));
        assert_eq!(whole.as_ref().map(Amount::as_str), Some("5"));
    }

    #[test]
    fn arithmetic_refuses_overflow_and_negative_results() {
        let max = amount("99999999999999999999.99999999");
        assert_eq!(max.checked_add(&amount("0.00000001")), None);
        assert_eq!(
            max.checked_add(&amount("0")).as_ref().map(Amount::as_str),
            Some("99999999999999999999.99999999")
        );
        assert_eq!(amount("1").checked_sub(&amount("1.00000001")), None);
    }

    #[test]
    fn try_from_string_keeps_the_text() {
        assert_eq!(
            Amount::try_from(String::from("0.10")).map(|a| a.to_string()),
            Ok("0.10".to_owned())
        );
        assert!(matches!(
            Amount::try_from(String::from("1e1")),
            Err(AmountError::Exponent { .. })
        ));
    }

    #[test]
    fn serde_json_value_gets_a_string_not_a_float() -> Result<(), serde_json::Error> {
        let value = serde_json::to_value(amount("999999999999999.99999999"))?;
        assert_eq!(
            value,
            serde_json::Value::String("999999999999999.99999999".into())
        );
        Ok(())
    }

    #[test]
    fn non_json_deserializers_reject_floats_and_take_integers() {
        let float = serde_json::json!(25.17);
        let err = serde_json::from_value::<Amount>(float).map(|a| a.to_string());
        assert!(err.is_err_and(|e| e.to_string().contains("binary floating-point")));
        let integer = serde_json::from_value::<Amount>(serde_json::json!(25));
        assert_eq!(integer.map(|a| a.to_string()).ok().as_deref(), Some("25"));
        let negative = serde_json::from_value::<Amount>(serde_json::json!(-25));
        assert!(negative.is_err_and(|e| e.to_string().contains("negative")));
    }

    #[test]
    fn raw_json_that_is_no_number_or_string_is_a_type_error() {
        let err = serde_json::from_str::<Amount>("null").map(|a| a.to_string());
        assert!(err.is_err_and(|e| e.to_string().contains("invalid type: null")));
        let err = serde_json::from_str::<Amount>("[1]").map(|a| a.to_string());
        assert!(err.is_err_and(|e| e.to_string().contains("invalid type: sequence")));
    }

    #[test]
    fn escaped_strings_are_decoded_before_validation() -> Result<(), serde_json::Error> {
        let a: Amount = serde_json::from_str(r#""\u0031.5""#)?;
        assert_eq!(a.as_str(), "1.5");
        Ok(())
    }
}
