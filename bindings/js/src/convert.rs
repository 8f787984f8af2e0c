//! JavaScript values to `binancepay-sign` types, and the failures the package throws.
//!
//! The functions taking `f64`, `&str` or bytes are plain Rust and tested on the host; those
//! taking a `JsValue` only run inside a JavaScript engine and are tested with `node --test`.

use std::cell::RefCell;

use binancepay_sign::{ApiSecret, Error, Nonce, Timestamp};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Why a call failed: a rule of `binancepay-sign`, or an argument of the wrong JavaScript type
/// or range. Each has a stable `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A rule of `binancepay-sign` (its code names the rule).
    Sign(Error),
    /// A webhook nonce that is empty or has a character other than an ASCII letter or digit.
    WebhookNonce { code: &'static str, detail: String },
    /// An argument of the wrong JavaScript type: the field and what it must be.
    Type(&'static str, &'static str),
    /// An option outside its range: the field and the rule.
    Range(&'static str, &'static str),
}

impl Failure {
    /// The `code` of the thrown `BinancePayError`.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::Sign(error) => error.code(),
            Self::WebhookNonce { code, .. } => code,
            Self::Type(..) => "ARGUMENT_TYPE",
            Self::Range(..) => "ARGUMENT_RANGE",
        }
    }

    /// The message of the thrown `BinancePayError`: the field, then the rule.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Sign(error) => error.to_string(),
            Self::WebhookNonce { detail, .. } => format!("nonce: {detail}"),
            Self::Type(field, expected) => format!("{field}: must be {expected}"),
            Self::Range(field, rule) => format!("{field}: {rule}"),
        }
    }
}

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Epoch milliseconds given as a JavaScript number: a non-negative integer (not NaN, not
/// fractional), then the range rules of [`Timestamp::from_millis`].
pub(crate) fn timestamp_from_f64(millis: f64) -> Result<Timestamp, Error> {
    if !(0.0..=MAX_SAFE_INTEGER).contains(&millis) || millis.fract() != 0.0 {
        return Err(Error::TimestampSyntax);
    }
    // In range and integral: the conversion is exact.
    Timestamp::from_millis(millis as u64)
}

/// A non-negative number of seconds, as milliseconds (rounded; saturating).
pub(crate) fn max_age_ms_from_f64(seconds: f64) -> Result<u64, Failure> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(Failure::Range(
            "options.maxAgeSeconds",
            "must be a number of seconds, 0 or more",
        ));
    }
    // `as` saturates: Infinity means no limit in practice.
    Ok((seconds * 1000.0).round() as u64)
}

/// A webhook's nonce as it arrived: 1 to 128 ASCII letters or digits. Binance sends 32; the
/// signature covers whatever arrived, so the length is not pinned, but a character that cannot
/// be part of a nonce (a line break would shift the signed framing) is refused.
pub(crate) fn check_webhook_nonce(nonce: &str) -> Result<(), Failure> {
    if nonce.is_empty() || nonce.len() > 128 {
        return Err(Failure::WebhookNonce {
            code: Error::NonceLength { len: 0 }.code(),
            detail: format!(
                "{} bytes long, must be 1 to 128 ASCII letters or digits",
                nonce.len()
            ),
        });
    }
    if let Some(index) = nonce.bytes().position(|b| !b.is_ascii_alphanumeric()) {
        return Err(Failure::WebhookNonce {
            code: Error::NonceCharacter { index }.code(),
            detail: format!("byte {index} is not an ASCII letter or digit"),
        });
    }
    Ok(())
}

#[cfg(feature = "rsa")]
thread_local! {
    /// The last key parsed, by its PEM text: a webhook handler verifies many notifications with
    /// the one key Binance serves, so this saves parsing it on every call.
    static KEY_CACHE: RefCell<Option<(String, binancepay_sign::webhook::WebhookPublicKey)>> =
        const { RefCell::new(None) };
}

/// Verifies a webhook; `Ok(false)` for a well-formed signature that does not match or a timestamp
/// outside `max_age_ms` of `now()`.
#[cfg(feature = "rsa")]
#[allow(clippy::too_many_arguments)] // The six values a webhook check needs, plus the clock.
pub(crate) fn verify_webhook(
    pem: &str,
    timestamp_text: &str,
    timestamp: Timestamp,
    nonce: &str,
    body: &[u8],
    signature: &str,
    max_age_ms: Option<u64>,
    now: impl FnOnce() -> Result<Timestamp, Failure>,
) -> Result<bool, Failure> {
    use binancepay_sign::webhook::WebhookPublicKey;
    let verified = KEY_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = match cache.as_ref() {
            Some((cached_pem, key)) if cached_pem == pem => key,
            _ => {
                let key = WebhookPublicKey::from_pem(pem).map_err(Failure::Sign)?;
                &cache.insert((pem.to_owned(), key)).1
            }
        };
        Ok::<_, Failure>(key.verify(timestamp_text, nonce, body, signature))
    })?;
    match verified {
        Ok(()) => {}
        Err(Error::SignatureMismatch) => return Ok(false),
        Err(error) => return Err(Failure::Sign(error)),
    }
    if let Some(window_ms) = max_age_ms {
        match binancepay_sign::check_freshness(now()?, timestamp, window_ms) {
            Ok(()) => {}
            Err(Error::TimestampOutsideWindow { .. }) => return Ok(false),
            Err(error) => return Err(Failure::Sign(error)),
        }
    }
    Ok(true)
}

// ---- JsValue conversions (run inside a JavaScript engine only) ----

/// The API secret: a non-empty string.
pub(crate) fn secret(value: &JsValue) -> Result<ApiSecret, Failure> {
    match value.as_string() {
        Some(text) => ApiSecret::new(text).map_err(Failure::Sign),
        None => Err(Failure::Type("secret", "a string")),
    }
}

/// Epoch milliseconds as a number, a bigint or a string of digits.
pub(crate) fn timestamp(value: &JsValue, field: &'static str) -> Result<Timestamp, Failure> {
    if let Some(text) = value.as_string() {
        Timestamp::parse(&text).map_err(Failure::Sign)
    } else if let Some(number) = value.as_f64() {
        timestamp_from_f64(number).map_err(Failure::Sign)
    } else if value.is_bigint() {
        let millis = u64::try_from(value.clone()).map_err(|_| Error::TimestampSyntax);
        millis
            .and_then(Timestamp::from_millis)
            .map_err(Failure::Sign)
    } else {
        Err(Failure::Type(
            field,
            "epoch milliseconds as a number, a bigint or a string of digits",
        ))
    }
}

/// A webhook's timestamp: the text that was signed (a string as it arrived, or the decimal
/// digits of a number or bigint) and its value, which must be epoch milliseconds.
#[cfg(feature = "rsa")]
pub(crate) fn webhook_timestamp(value: &JsValue) -> Result<(String, Timestamp), Failure> {
    match value.as_string() {
        Some(text) => {
            let parsed = Timestamp::parse(&text).map_err(Failure::Sign)?;
            Ok((text, parsed))
        }
        None => {
            let parsed = timestamp(value, "timestamp")?;
            Ok((parsed.to_string(), parsed))
        }
    }
}

/// A request nonce: 32 ASCII letters or digits.
pub(crate) fn nonce(value: &JsValue, field: &'static str) -> Result<Nonce, Failure> {
    match value.as_string() {
        Some(text) => Nonce::new(&text).map_err(Failure::Sign),
        None => Err(Failure::Type(
            field,
            "a string of 32 ASCII letters or digits",
        )),
    }
}

/// A webhook nonce as it arrived (see [`check_webhook_nonce`]).
#[cfg(feature = "rsa")]
pub(crate) fn webhook_nonce(value: &JsValue) -> Result<String, Failure> {
    let Some(text) = value.as_string() else {
        return Err(Failure::Type("nonce", "a string"));
    };
    check_webhook_nonce(&text)?;
    Ok(text)
}

/// A body: a string (its UTF-8 bytes) or a `Uint8Array` (its bytes).
pub(crate) enum Body {
    Text(String),
    Bytes(Vec<u8>),
}

impl Body {
    pub(crate) fn from_js(value: &JsValue) -> Result<Self, Failure> {
        if let Some(text) = value.as_string() {
            Ok(Self::Text(text))
        } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            Ok(Self::Bytes(bytes.to_vec()))
        } else {
            Err(Failure::Type("body", "a string or a Uint8Array"))
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Bytes(bytes) => bytes,
        }
    }
}

/// `options` must be absent (`undefined` or `null`) or an object.
pub(crate) fn check_options(options: &JsValue) -> Result<(), Failure> {
    if options.is_undefined() || options.is_null() || options.is_object() {
        Ok(())
    } else {
        Err(Failure::Type("options", "an object"))
    }
}

/// `options[name]`, or `None` when the options or the field are absent (`undefined` or `null`).
pub(crate) fn option(options: &JsValue, name: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    Reflect::get(options, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

/// `options.maxAgeSeconds` as milliseconds.
#[cfg(feature = "rsa")]
pub(crate) fn max_age_ms(value: &JsValue) -> Result<u64, Failure> {
    match value.as_f64() {
        Some(seconds) => max_age_ms_from_f64(seconds),
        None => Err(Failure::Type("options.maxAgeSeconds", "a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::{Failure, check_webhook_nonce, max_age_ms_from_f64, timestamp_from_f64};
    use binancepay_sign::Error;

    #[test]
    fn numbers_must_be_whole_milliseconds() {
        assert_eq!(
            timestamp_from_f64(1_611_232_922_428.0).map(|t| t.as_millis()),
            Ok(1_611_232_922_428)
        );
        for bad in [f64::NAN, -1.0, 1_611_232_922_428.5, f64::INFINITY, 1e300] {
            assert_eq!(
                timestamp_from_f64(bad),
                Err(Error::TimestampSyntax),
                "{bad}"
            );
        }
        assert_eq!(
            timestamp_from_f64(1_611_232_922.0),
            Err(Error::TimestampInSeconds {
                value: 1_611_232_922
            })
        );
    }

    #[test]
    fn max_age_is_non_negative() {
        assert_eq!(max_age_ms_from_f64(300.0), Ok(300_000));
        assert_eq!(max_age_ms_from_f64(0.25), Ok(250));
        assert_eq!(max_age_ms_from_f64(f64::INFINITY), Ok(u64::MAX));
        assert!(matches!(
            max_age_ms_from_f64(-1.0),
            Err(Failure::Range("options.maxAgeSeconds", _))
        ));
        assert!(max_age_ms_from_f64(f64::NAN).is_err());
    }

    #[test]
    fn webhook_nonce_rules() {
        assert_eq!(check_webhook_nonce("abc"), Ok(()));
        assert_eq!(check_webhook_nonce(&"a".repeat(128)), Ok(()));
        let empty = check_webhook_nonce("").map_err(|f| f.code());
        assert_eq!(empty, Err("NONCE_LENGTH"));
        assert!(check_webhook_nonce(&"a".repeat(129)).is_err());
        let newline = check_webhook_nonce("ab\ncd");
        assert_eq!(
            newline.clone().map_err(|f| f.code()),
            Err("NONCE_CHARACTER")
        );
        assert_eq!(
            newline.map_err(|f| f.message()),
            Err("nonce: byte 2 is not an ASCII letter or digit".to_owned())
        );
    }

    #[test]
    fn failures_name_field_and_code() {
        let failure = Failure::Type("body", "a string or a Uint8Array");
        assert_eq!(failure.code(), "ARGUMENT_TYPE");
        assert_eq!(failure.message(), "body: must be a string or a Uint8Array");
        let failure = Failure::Sign(Error::NonceLength { len: 3 });
        assert_eq!(failure.code(), "NONCE_LENGTH");
        assert!(failure.message().starts_with("nonce:"));
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn webhook_vector_verifies_and_tampering_does_not() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/binancepay-sign/tests/vectors/"
        );
        let pem = std::fs::read_to_string(format!("{dir}v3-webhook-1024.pem")).expect("pem");
        let body = std::fs::read(format!("{dir}v3-webhook-1024.body")).expect("body");
        let signature = "VtniwOFAi4oBKFnvHhY6UZ+wPARf7+yWVbE61Hc7JVdRgqKJ40Yk9k5Gb2Y0S0VLUYOOOhUNUsD7R8GDEr6WH84sAEf8bXa1xYMiyjgeGleTg1MxRJCtrHcxMeMCEXPWmKTeLhn6O+cdvDGq4ZpcTTiQnEvk5xHPcxFrBT637zg=";
        let ts = timestamp_from_f64(1_611_232_922_428.0).expect("ts");
        let nonce = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA";
        let check = |body: &[u8], max_age: Option<u64>, now: u64| {
            super::verify_webhook(
                &pem,
                "1611232922428",
                ts,
                nonce,
                body,
                signature,
                max_age,
                || Timestamp::from_millis(now).map_err(Failure::Sign),
            )
        };
        use binancepay_sign::Timestamp;
        assert_eq!(check(&body, None, 0), Ok(true));
        assert_eq!(check(&body, Some(1000), 1_611_232_923_428), Ok(true));
        assert_eq!(check(&body, Some(1000), 1_611_232_923_429), Ok(false));
        let mut tampered = body.clone();
        tampered[100] ^= 1;
        assert_eq!(check(&tampered, None, 0), Ok(false));
        let bad_key = super::verify_webhook(
            "not a key",
            "1611232922428",
            ts,
            nonce,
            &body,
            signature,
            None,
            || unreachable!(),
        );
        assert_eq!(bad_key.map_err(|f| f.code()), Err("KEY_PEM"));
    }
}
