//! The engine of the generated spelling tests (`spellings.rs`, from `cargo xtask codegen`).
//!
//! Binance's systems write the same value in many spellings: numbers as strings and strings as
//! numbers, Java `BigDecimal`s in exponent notation and with trailing zeros, integers as `1.6E12`.
//! For each sample of a read object (the types crate's samples and the conformance corpus), every
//! value at a path the generator lists is re-spelled, one at a time, in each spelling of its
//! class; every variant must decode, through `parse_response` or `Notification::from_slice`, to
//! a value equal to the original's. Values are compared as the types compare them: amounts by
//! value (`1E-8 == 0.00000001`), ids and texts by their digits.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use binancepay_types::Endpoint;
use binancepay_types::webhook::Notification;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;

/// Variants decoded over the whole run (printed by each test).
static VARIANTS: AtomicUsize = AtomicUsize::new(0);

/// How a value at a path may be spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Money: number or string; exponent notation in either case and sign; trailing zeros.
    Amount,
    /// Counts and timestamps: number or string; integral exponent (`1.6E12`) and `.0`.
    Integer,
    /// Numeric ids: number or string, every digit kept.
    Id,
    /// Text that may hold digits: a string of a JSON number also arrives as that number.
    Text,
}

/// A JSON tree that keeps every number's text.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let raw: Box<RawValue> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Json::from_raw(raw.get())
    }

    fn from_raw(raw: &str) -> Result<Json, String> {
        let err = |e: serde_json::Error| e.to_string();
        Ok(match raw.as_bytes().first() {
            Some(b'{') => Json::Object(
                serde_json::from_str::<Entries>(raw)
                    .map_err(err)?
                    .0
                    .into_iter()
                    .map(|(k, v)| Json::from_raw(v.get()).map(|v| (k, v)))
                    .collect::<Result<_, _>>()?,
            ),
            Some(b'[') => Json::List(
                serde_json::from_str::<Vec<Box<RawValue>>>(raw)
                    .map_err(err)?
                    .iter()
                    .map(|v| Json::from_raw(v.get()))
                    .collect::<Result<_, _>>()?,
            ),
            Some(b'"') => Json::Text(serde_json::from_str(raw).map_err(err)?),
            Some(b't') => Json::Bool(true),
            Some(b'f') => Json::Bool(false),
            Some(b'n') => Json::Null,
            _ => Json::Number(raw.to_owned()),
        })
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Text(t) => out.push_str(&serde_json::to_string(t).unwrap_or_default()),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{}:", serde_json::to_string(k).unwrap_or_default());
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Whether `text` is a JSON number literal (so a string of it can arrive as that number).
fn is_json_number(text: &str) -> bool {
    serde_json::from_str::<Box<RawValue>>(text).is_ok_and(|raw| {
        raw.get() == text
            && raw
                .get()
                .starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    })
}

/// The spellings of one decimal text `t` (no exponent) other than itself.
fn decimal_spellings(t: &str) -> Vec<String> {
    let (sign, unsigned) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{integer}{fraction}");
    let significant = digits.trim_start_matches('0');
    let mut out = Vec::new();
    if significant.is_empty() {
        out.push(format!("{sign}0E0"));
        out.push(format!("{sign}0.000000000"));
        return out;
    }
    // d.dddE±n, scientific: the value is digits × 10^(integer.len() - digits.len()).
    let leading_zeros = digits.len() - significant.len();
    let exponent = integer.len() as i64 - leading_zeros as i64 - 1;
    let scientific = |digits: &str| {
        let (head, tail) = digits.split_at(1);
        if tail.is_empty() {
            head.to_owned()
        } else {
            format!("{head}.{tail}")
        }
    };
    let trimmed = significant.trim_end_matches('0');
    out.push(format!("{sign}{}E{exponent}", scientific(significant)));
    out.push(format!("{sign}{}e{exponent:+}", scientific(trimmed)));
    out.push(format!("{sign}{}E{exponent}", scientific(trimmed)));
    // All digits as an integer mantissa: 2517E-2, 16E11.
    out.push(format!(
        "{sign}{trimmed}E{}",
        exponent - (trimmed.len() as i64 - 1)
    ));
    // Superfluous trailing zeros past the eighth place.
    if fraction.is_empty() {
        out.push(format!("{t}.0000000000"));
    } else {
        out.push(format!("{t}0000000000"));
    }
    out
}

/// Every spelling of a value of `class` other than its own, as JSON texts.
fn variants(class: Class, value: &Json) -> Vec<Json> {
    let (text, quoted) = match value {
        Json::Number(n) => (n.clone(), false),
        Json::Text(t) if is_json_number(t) => (t.clone(), true),
        _ => return Vec::new(),
    };
    let toggle = |t: &str, as_text: bool| {
        if as_text {
            Json::Text(t.to_owned())
        } else {
            Json::Number(t.to_owned())
        }
    };
    let mut out = vec![toggle(&text, !quoted)];
    let plain = !text.contains(['e', 'E']);
    match class {
        Class::Amount if plain => {
            for spelling in decimal_spellings(&text) {
                out.push(Json::Number(spelling.clone()));
                out.push(Json::Text(spelling));
            }
        }
        Class::Integer if plain && !text.contains('.') => {
            for spelling in decimal_spellings(&text) {
                out.push(Json::Number(spelling.clone()));
                out.push(Json::Text(spelling));
            }
            out.push(Json::Number(format!("{text}.0")));
        }
        _ => {}
    }
    out
}

/// Applies `f` to the value at `path` (`a.b`, `a[].b`), descending into strings that hold JSON.
fn visit_path(value: &mut Json, path: &[&str], f: &mut dyn FnMut(&mut Json)) {
    if let Json::Text(inner) = value {
        if inner.trim_start().starts_with(['{', '[']) {
            if let Ok(mut parsed) = Json::parse(inner) {
                visit_path(&mut parsed, path, f);
                *inner = parsed.text();
                return;
            }
        }
    }
    let Some((first, rest)) = path.split_first() else {
        f(value);
        return;
    };
    if *first == "[]" {
        if let Json::List(items) = value {
            for item in items {
                visit_path(item, rest, f);
            }
        }
        return;
    }
    let (key, list) = match first.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*first, false),
    };
    if let Json::Object(entries) = value {
        for (k, v) in entries.iter_mut() {
            if k == key {
                if list {
                    if let Json::List(items) = v {
                        for item in items {
                            visit_path(item, rest, f);
                        }
                    }
                } else {
                    visit_path(v, rest, f);
                }
            }
        }
    }
}

/// Every body obtained by re-spelling one value of `sample` at one of `paths`.
fn respellings(sample: &Json, paths: &[(&str, Class)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, class) in paths {
        let segs: Vec<&str> = path.split('.').collect();
        // Count the values at this path, then re-spell each one alone.
        let mut count = 0;
        visit_path(&mut sample.clone(), &segs, &mut |_| count += 1);
        for target in 0..count {
            let mut original = None;
            let mut seen = 0;
            visit_path(&mut sample.clone(), &segs, &mut |v| {
                if seen == target {
                    original = Some(v.clone());
                }
                seen += 1;
            });
            let Some(original) = original else { continue };
            for variant in variants(*class, &original) {
                let mut body = sample.clone();
                let mut seen = 0;
                visit_path(&mut body, &segs, &mut |v| {
                    if seen == target {
                        *v = variant.clone();
                    }
                    seen += 1;
                });
                out.push((format!("{path} = {}", variant.text()), body.text()));
            }
        }
    }
    out
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../binancepay-types/tests/data/samples")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/conformance")
}

fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(entry.path()).ok()?;
            name.ends_with(".json").then_some((name, text))
        })
        .collect();
    files.sort();
    files
}

/// The conformance corpus's samples of `kind` matching `keep` on the file's JSON.
fn corpus(kind: &str, keep: impl Fn(&Json, &Json) -> bool) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    for (name, text) in read_dir(&corpus_dir()) {
        let Ok(file) = Json::parse(&text) else {
            continue;
        };
        let field = |key: &str| match &file {
            Json::Object(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        let (Some(Json::Text(k)), Some(json)) = (field("kind"), field("json")) else {
            continue;
        };
        if k == kind && keep(&file, &json) {
            out.push((format!("conformance/{name}"), json));
        }
    }
    out
}

fn get<'a>(json: &'a Json, key: &str) -> Option<&'a Json> {
    match json {
        Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn run<T: PartialEq + std::fmt::Debug>(
    what: &str,
    samples: Vec<(String, Json)>,
    paths: &[(&str, Class)],
    decode: impl Fn(&[u8]) -> Result<T, String>,
) {
    assert!(!samples.is_empty(), "{what}: no sample to re-spell");
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, sample) in &samples {
        let original = match decode(sample.text().as_bytes()) {
            Ok(value) => value,
            Err(e) => {
                failures.push(format!("{name}: the sample itself does not decode: {e}"));
                continue;
            }
        };
        for (change, body) in respellings(sample, paths) {
            count += 1;
            match decode(body.as_bytes()) {
                Ok(value) if value == original => {}
                Ok(value) => failures.push(format!(
                    "{name}: {change}: decoded to another value: {value:?}, not {original:?}"
                )),
                Err(e) => failures.push(format!("{name}: {change}: {e}")),
            }
        }
    }
    VARIANTS.fetch_add(count, Ordering::Relaxed);
    eprintln!(
        "{what}: {} samples, {count} spelling variants",
        samples.len()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} of {count} variants failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Re-spells every response sample of `operation` and decodes each through `parse_response`.
pub(crate) fn check_endpoint<E: Endpoint>(operation: &str, paths: &[(&str, Class)])
where
    E::Response: PartialEq + std::fmt::Debug,
{
    let prefix = format!("{operation}.");
    let mut samples: Vec<(String, Json)> = read_dir(&samples_dir())
        .into_iter()
        .filter(|(name, _)| name.starts_with(&prefix) && name.ends_with(".response.json"))
        .filter_map(|(name, text)| Json::parse(&text).ok().map(|j| (name, j)))
        .collect();
    samples.extend(corpus(
        "response",
        |file, _| matches!(get(file, "endpoint"), Some(Json::Text(p)) if p == E::PATH),
    ));
    // Paths are below `data`.
    let paths: Vec<(String, Class)> = paths
        .iter()
        .map(|(p, c)| (format!("data.{p}").replace("data.[]", "data[]"), *c))
        .collect();
    let paths: Vec<(&str, Class)> = paths.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    run(operation, samples, &paths, |body| {
        binancepay_http::parse_response::<E, _>(&http::Response::new(body))
            .map_err(|e| e.to_string())
    });
}

/// Re-spells every sample of the `biz_type` webhook and decodes each with the webhook parser.
pub(crate) fn check_webhook<T: PartialEq + std::fmt::Debug>(
    biz_type: &str,
    paths: &[(&str, Class)],
    arm: impl Fn(Notification) -> Option<T>,
) {
    let prefix = format!("{biz_type}.");
    let mut samples: Vec<(String, Json)> = read_dir(&samples_dir().join("webhooks"))
        .into_iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .filter_map(|(name, text)| Json::parse(&text).ok().map(|j| (name, j)))
        .collect();
    samples.extend(corpus(
        "webhook",
        |_, json| matches!(get(json, "bizType"), Some(Json::Text(t)) if t == biz_type),
    ));
    run(biz_type, samples, paths, |body| {
        let notification = Notification::from_slice(body).map_err(|e| e.to_string())?;
        arm(notification).ok_or_else(|| "parsed as another bizType".to_owned())
    });
}

#[test]
fn the_engine_re_spells_each_class() {
    let amount: Vec<String> = variants(Class::Amount, &Json::Number("25.17".into()))
        .iter()
        .map(Json::text)
        .collect();
    assert!(amount.contains(&"\"25.17\"".to_owned()), "{amount:?}");
    assert!(amount.contains(&"2.517E1".to_owned()), "{amount:?}");
    assert!(amount.contains(&"2517E-2".to_owned()), "{amount:?}");
    assert!(amount.contains(&"25.170000000000".to_owned()), "{amount:?}");
    let small: Vec<String> = variants(Class::Amount, &Json::Text("0.00000001".into()))
        .iter()
        .map(Json::text)
        .collect();
    assert!(small.contains(&"1E-8".to_owned()), "{small:?}");
    let integer: Vec<String> = variants(Class::Integer, &Json::Number("1600000000000".into()))
        .iter()
        .map(Json::text)
        .collect();
    assert!(integer.contains(&"1.6E12".to_owned()), "{integer:?}");
    assert!(
        integer.contains(&"1600000000000.0".to_owned()),
        "{integer:?}"
    );
    let id: Vec<String> = variants(Class::Id, &Json::Text("384640338201731072".into()))
        .iter()
        .map(Json::text)
        .collect();
    assert_eq!(id, ["384640338201731072"]);
    assert!(variants(Class::Text, &Json::Text("ORDER-1".into())).is_empty());
    // A value inside a string holding JSON is reached and written back as a string.
    let body = Json::parse(r#"{"data":"{\"totalFee\":0.88}"}"#).unwrap();
    let spelled = respellings(&body, &[("data.totalFee", Class::Amount)]);
    assert!(
        spelled
            .iter()
            .any(|(_, b)| b == r#"{"data":"{\"totalFee\":8.8E-1}"}"#),
        "{spelled:?}"
    );
}
