//! A direct JSON writer for the request models: byte for byte what `serde_json::to_writer` writes
//! for the same value, without going through serde's data model.
//!
//! Request bodies are serialised on every call before they are signed. Through serde, 65 % of that
//! time went into escaping strings byte by byte, most of them the field names, which are known when
//! the code is generated. The generated [`WriteJson`] impls (`generated/json.rs`) write each field
//! name as one pre-escaped literal and each string value through [`write_str`], which copies
//! runs without special characters eight bytes at a time.
//!
//! Equality with serde_json is the contract: every request sample and generated random values of
//! every request model are written both ways in the tests and must be identical.

use crate::amount::Amount;
use crate::embedded::Embedded;
use crate::id::Id;
use crate::scalar::NumberOrString;

/// Appends a value as compact JSON, exactly as `serde_json::to_writer` would.
pub(crate) trait WriteJson {
    /// Appends `self` to `out`.
    ///
    /// # Errors
    /// Only what serde_json itself would fail with for the same value (the writer falls back to
    /// serde_json for the few loosely typed values).
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error>;
}

/// Appends `text` as a JSON string with serde_json's escapes: `\"`, `\\`, the five short control
/// escapes and `\u00xx` (lower-case hex) for the other control characters; nothing else.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Nearly every value needs no escape at all: one pass over whole words, one copy.
    if !has_special(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        // Skip eight plain bytes at a time; look at single bytes only near a special one.
        if let Some(word) = bytes
            .get(at..at + 8)
            .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
        {
            if !has_special_byte(u64::from_le_bytes(word)) {
                at += 8;
                continue;
            }
        }
        let byte = bytes.get(at).copied().unwrap_or_default();
        if let Some(escape) = escape_of(byte) {
            out.extend_from_slice(bytes.get(start..at).unwrap_or_default());
            match escape {
                Escape::Short(letter) => out.extend_from_slice(&[b'\\', letter]),
                Escape::Unicode => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
                    let low = HEX.get(usize::from(byte & 0xF)).copied().unwrap_or(b'0');
                    out.extend_from_slice(&[b'\\', b'u', b'0', b'0', high, low]);
                }
            }
            start = at + 1;
        }
        at += 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

enum Escape {
    /// `\` followed by this letter.
    Short(u8),
    /// `\u00xx`.
    Unicode,
}

fn escape_of(byte: u8) -> Option<Escape> {
    match byte {
        b'"' => Some(Escape::Short(b'"')),
        b'\\' => Some(Escape::Short(b'\\')),
        0x08 => Some(Escape::Short(b'b')),
        0x09 => Some(Escape::Short(b't')),
        0x0A => Some(Escape::Short(b'n')),
        0x0C => Some(Escape::Short(b'f')),
        0x0D => Some(Escape::Short(b'r')),
        0x00..=0x1F => Some(Escape::Unicode),
        _ => None,
    }
}

/// Whether any byte of `bytes` needs an escape, eight at a time; the tail is the last eight
/// bytes (overlapping the words before), or single bytes in a text shorter than eight.
fn has_special(bytes: &[u8]) -> bool {
    let word = |chunk: &[u8]| <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| escape_of(b).is_some());
    }
    let mut words = bytes.chunks_exact(8);
    let mut any = false;
    for chunk in &mut words {
        any |= has_special_byte(word(chunk));
    }
    if !words.remainder().is_empty() {
        let tail = bytes.get(bytes.len() - 8..).unwrap_or_default();
        any |= has_special_byte(word(tail));
    }
    any
}

/// Whether any byte of the word is below 0x20, `"` or `\` (exact, no false negatives).
fn has_special_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    (below_space | has_zero(quote) | has_zero(backslash)) != 0
}

/// Appends an integer in decimal, as serde_json does.
pub(crate) fn write_int(out: &mut Vec<u8>, value: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            // `rest % 10` is below 10.
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    if value < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// Appends an integer-valued enum's text as `wire::serialize_integer_text` does: a JSON number
/// when it is a canonical integer, else a string.
pub(crate) fn write_integer_text(out: &mut Vec<u8>, text: &str) {
    if let Ok(value) = text.parse::<i64>() {
        let start = out.len();
        write_int(out, value);
        // Only canonical integers go out as numbers ("007" stays a string).
        if out.get(start..) == Some(text.as_bytes()) {
            return;
        }
        out.truncate(start);
    }
    write_str(out, text);
}

/// Appends `text`, known to be a valid JSON number, verbatim.
pub(crate) fn write_raw(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// An object being written: the caller appends each field as `,"name":value` (the name
/// pre-escaped), and [`finish`](Self::finish) turns the first comma into `{` (or writes `{}`) and
/// closes it, so optional fields need no "first field" bookkeeping.
#[derive(Debug)]
pub(crate) struct ObjectWriter {
    start: usize,
}

impl ObjectWriter {
    /// Starts an object at the end of `out`.
    pub(crate) fn new(out: &[u8]) -> Self {
        ObjectWriter { start: out.len() }
    }

    /// Closes the object.
    pub(crate) fn finish(self, out: &mut Vec<u8>) {
        match out.get_mut(self.start) {
            Some(first) => {
                *first = b'{';
                out.push(b'}');
            }
            None => out.extend_from_slice(b"{}"),
        }
    }
}

/// Appends a list, each item written by `write`.
pub(crate) fn write_list<T>(
    out: &mut Vec<u8>,
    items: &[T],
    mut write: impl FnMut(&T, &mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write(item, out)?;
    }
    out.push(b']');
    Ok(())
}

/// Appends any serde value through serde_json itself: the fallback for loosely typed fields.
pub(crate) fn write_serde<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_str(out, self);
        Ok(())
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
        Ok(())
    }
}

impl WriteJson for i32 {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_int(out, i64::from(*self));
        Ok(())
    }
}

impl WriteJson for i64 {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_int(out, *self);
        Ok(())
    }
}

/// A JSON number with the amount's exact text (its grammar is a subset of JSON's numbers).
impl WriteJson for Amount {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_raw(out, self.as_str());
        Ok(())
    }
}

/// A JSON string of the id's digits.
impl WriteJson for Id {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_str(out, self.as_str());
        Ok(())
    }
}

impl WriteJson for NumberOrString {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_serde(out, self)
    }
}

impl WriteJson for serde_json::Value {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_serde(out, self)
    }
}

impl<T: serde::Serialize> WriteJson for Embedded<T> {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_serde(out, self)
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        write_list(out, self, T::write_json)
    }
}

/// An amount as a JSON string (`amount::as_string`).
pub(crate) fn write_amount_string(out: &mut Vec<u8>, amount: &Amount) {
    write_str(out, amount.as_str());
}

/// An id as a JSON number (`id::as_number`): its digits verbatim. `Id::new` admits only 1 to
/// 40 digits without a leading zero, which is always a valid JSON number.
pub(crate) fn write_id_number(out: &mut Vec<u8>, id: &Id) {
    write_raw(out, id.as_str());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for text in [
            "",
            "plain",
            "exactly8",
            "sixteen bytes ok",
            "quote \" and backslash \\ here",
            "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}/",
            "日本語 and emoji 🎉 after eight",
            "1234567\"",
            "\"1234567",
        ] {
            assert_eq!(
                written(text),
                serde_json::to_string(text).unwrap_or_default()
            );
        }
    }

    #[test]
    fn integers_and_objects() {
        for value in [0, 7, -7, 10, 1_735_693_200_000, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_int(&mut out, value);
            assert_eq!(out, value.to_string().into_bytes());
        }
        let mut out = b"[".to_vec();
        let object = ObjectWriter::new(&out);
        object.finish(&mut out);
        assert_eq!(out, b"[{}");
        let mut out = Vec::new();
        let object = ObjectWriter::new(&out);
        out.extend_from_slice(b",\"a\":");
        write_int(&mut out, 1);
        out.extend_from_slice(b",\"b\":");
        write_str(&mut out, "x");
        object.finish(&mut out);
        assert_eq!(out, br#"{"a":1,"b":"x"}"#);
    }

    #[test]
    fn ids_as_numbers_match_serde_json() {
        #[derive(serde::Serialize)]
        struct AsNumber<'a>(#[serde(with = "crate::id::as_number")] &'a Id);
        for text in ["0", "7", "29383937493038367292", &"9".repeat(40)] {
            let Ok(id) = Id::new(text) else {
                panic!("{text} is an id");
            };
            let mut out = Vec::new();
            write_id_number(&mut out, &id);
            let theirs = serde_json::to_vec(&AsNumber(&id));
            assert_eq!(Some(out), theirs.ok(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn integer_texts_are_written_like_the_enums_serde(text in "-?[0-9]{0,20}|[0-9a-z]{0,4}") {
            struct IntegerText<'a>(&'a str);
            impl serde::Serialize for IntegerText<'_> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    crate::wire::serialize_integer_text(self.0, s)
                }
            }
            let mut out = Vec::new();
            write_integer_text(&mut out, &text);
            prop_assert_eq!(out, serde_json::to_vec(&IntegerText(&text)).unwrap_or_default());
        }

        #[test]
        fn any_string_escapes_like_serde_json(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap_or_default());
        }

        #[test]
        fn control_heavy_strings_escape_like_serde_json(text in "[\\x00-\\x21\"\\\\a-z]{0,40}") {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap_or_default());
        }

        #[test]
        fn any_integer_is_written_like_serde_json(value in any::<i64>()) {
            let mut out = Vec::new();
            write_int(&mut out, value);
            prop_assert_eq!(out, serde_json::to_vec(&value).unwrap_or_default());
        }

        #[test]
        fn amounts_are_written_like_serde_json(whole in 0u64..10_000_000, frac in "[0-9]{0,8}") {
            let text = if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") };
            if let Ok(amount) = Amount::new(&text) {
                let mut out = Vec::new();
                prop_assert!(amount.write_json(&mut out).is_ok());
                prop_assert_eq!(&out, &serde_json::to_vec(&amount).unwrap_or_default());
                let mut quoted = Vec::new();
                write_amount_string(&mut quoted, &amount);
                prop_assert_eq!(quoted, serde_json::to_vec(amount.as_str()).unwrap_or_default());
            }
        }
    }
}
