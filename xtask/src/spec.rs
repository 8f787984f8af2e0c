//! The machine-readable API spec under `spec/`: serde types, loading, and cross-reference checks.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole spec, in a fixed order (files sorted by name), so generation is deterministic.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) common: CommonFile,
    pub(crate) areas: Vec<AreaFile>,
    pub(crate) webhooks: WebhooksFile,
}

/// `spec/common.toml`: enums shared by several areas and the result codes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommonFile {
    #[serde(default, rename = "enum")]
    pub(crate) enums: Vec<EnumDef>,
    #[serde(default)]
    pub(crate) result_code: Vec<ResultCodeDef>,
}

/// One `spec/endpoints/NN-name.toml`: the endpoints of one area and the objects they use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AreaFile {
    /// Rust module name, e.g. `order`.
    pub(crate) area: String,
    pub(crate) title: String,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) endpoint: Vec<EndpointDef>,
    #[serde(default)]
    pub(crate) object: Vec<ObjectDef>,
    #[serde(default, rename = "enum")]
    pub(crate) enums: Vec<EnumDef>,
    /// Path of the file relative to the workspace root (filled in by the loader).
    #[serde(skip)]
    pub(crate) file: String,
}

/// `spec/webhooks.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhooksFile {
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) webhook: Vec<WebhookDef>,
    #[serde(default)]
    pub(crate) object: Vec<ObjectDef>,
    #[serde(default, rename = "enum")]
    pub(crate) enums: Vec<EnumDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// `string` (default) or `int` (a JSON number on the wire).
    #[serde(default)]
    pub(crate) repr: Repr,
    #[serde(default)]
    pub(crate) confidence: Confidence,
    #[serde(default)]
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    pub(crate) values: Vec<EnumValue>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Repr {
    #[default]
    String,
    Int,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnumValue {
    pub(crate) value: String,
    /// Rust variant name; derived from `value` when absent.
    #[serde(default)]
    pub(crate) name: Option<String>,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) confidence: Option<Confidence>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(crate) enum Confidence {
    /// Confirmed by two or more independent sources.
    #[default]
    #[serde(rename = "2+")]
    Confirmed,
    /// One source only: modelled tolerantly.
    #[serde(rename = "1")]
    Single,
    /// Sources disagree: modelled tolerantly.
    #[serde(rename = "!")]
    Disputed,
}

impl Confidence {
    pub(crate) fn sentence(self) -> &'static str {
        match self {
            Self::Confirmed => "Confirmed by two or more sources.",
            Self::Single => "Seen in one source only, so it is modelled tolerantly.",
            Self::Disputed => "Sources disagree, so it is modelled tolerantly.",
        }
    }
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Self::Confirmed => "2+",
            Self::Single => "1",
            Self::Disputed => "!",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResultCodeDef {
    pub(crate) code: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) variant: Option<String>,
    pub(crate) description: String,
    /// The `errorMessage` a page of Binance's prints for this code, word for word.
    #[serde(default)]
    pub(crate) message: Option<String>,
    pub(crate) retryable: bool,
    #[serde(default)]
    pub(crate) confidence: Confidence,
    #[serde(default)]
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndpointDef {
    pub(crate) operation: String,
    pub(crate) path: String,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) confidence: Confidence,
    pub(crate) sources: Vec<String>,
    pub(crate) retry: RetryDef,
    /// The request field that is the merchant's idempotency key (only with `retry = "idempotent"`).
    #[serde(default)]
    pub(crate) idempotency_key: Option<String>,
    pub(crate) retry_note: String,
    /// Name of the request object.
    pub(crate) request: String,
    /// Type of the SUCCESS `data`: an object name, `bool`, `list:Name`, or `optional:Name` (a
    /// `data` that may be `null`).
    pub(crate) response: String,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RetryDef {
    Query,
    Idempotent,
    Unsafe,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ObjectDef {
    pub(crate) name: String,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) field: Vec<FieldDef>,
    #[serde(default)]
    pub(crate) group: Vec<GroupDef>,
    /// Hand-written cross-field checks in `src/cross_field.rs`, called by the generated `validate()`.
    #[serde(default)]
    pub(crate) checks: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupDef {
    pub(crate) name: String,
    pub(crate) rule: GroupRule,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GroupRule {
    ExactlyOne,
    AtLeastOne,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldDef {
    /// Name on the wire, e.g. `merchantTradeNo`.
    pub(crate) wire: String,
    /// Other names Binance's answers use for the same field (read only; `wire` is written).
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    /// Type expression, see `TypeExpr::parse`.
    #[serde(rename = "type")]
    pub(crate) ty: String,
    #[serde(default)]
    pub(crate) presence: Presence,
    /// Human text of the condition for `presence = "conditional"`.
    #[serde(default)]
    pub(crate) condition: Option<String>,
    /// Machine form of the condition, when it can be checked.
    #[serde(default)]
    pub(crate) required_if: Option<RequiredIf>,
    #[serde(default)]
    pub(crate) one_of_group: Option<String>,
    #[serde(default)]
    pub(crate) max_len: Option<u32>,
    #[serde(default)]
    pub(crate) min_len: Option<u32>,
    #[serde(default)]
    pub(crate) class: Option<CharClassDef>,
    /// Inclusive lower bound (decimal text for amounts, integer text for numbers).
    #[serde(default)]
    pub(crate) min: Option<String>,
    #[serde(default)]
    pub(crate) max: Option<String>,
    #[serde(default)]
    pub(crate) decimals: Option<u32>,
    #[serde(default)]
    pub(crate) min_items: Option<u32>,
    #[serde(default)]
    pub(crate) max_items: Option<u32>,
    pub(crate) doc: String,
    #[serde(default)]
    pub(crate) confidence: Confidence,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Presence {
    Required,
    #[default]
    Optional,
    Conditional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequiredIf {
    /// Wire path of the field the condition reads, e.g. `currency` or `env.terminalType`.
    pub(crate) field: String,
    #[serde(default)]
    pub(crate) present: Option<bool>,
    #[serde(rename = "in", default)]
    pub(crate) one_of: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) not_in: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum CharClassDef {
    Alnum,
    Digits,
    UpperAlnum,
    UpperAlpha,
    Url,
}

impl CharClassDef {
    pub(crate) fn rust(self) -> &'static str {
        match self {
            Self::Alnum => "CharClass::Alnum",
            Self::Digits => "CharClass::Digits",
            Self::UpperAlnum => "CharClass::UpperAlnum",
            Self::UpperAlpha => "CharClass::UpperAlpha",
            Self::Url => "CharClass::HttpUrl",
        }
    }
    pub(crate) fn phrase(self) -> &'static str {
        match self {
            Self::Alnum => "ASCII letters or digits",
            Self::Digits => "ASCII digits",
            Self::UpperAlnum => "upper-case ASCII letters or digits",
            Self::UpperAlpha => "upper-case ASCII letters",
            Self::Url => "an http or https URL",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookDef {
    pub(crate) biz_type: String,
    /// Variant of `Notification`, e.g. `Pay`.
    pub(crate) variant: String,
    pub(crate) doc: String,
    /// Enum of the bizStatus values (defined in a spec file).
    pub(crate) status: String,
    /// Object of the decoded `data`.
    pub(crate) data: String,
    /// `string` (a JSON string holding JSON) or `object`; both are accepted when parsing.
    pub(crate) data_encoding: DataEncoding,
    #[serde(default)]
    pub(crate) confidence: Confidence,
    pub(crate) sources: Vec<String>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum DataEncoding {
    String,
    Object,
}

/// A parsed field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeExpr {
    String,
    Bool,
    Int,
    Long,
    /// Money, a JSON number on the wire.
    Amount,
    /// Money, a JSON string on the wire.
    AmountString,
    /// Numeric id, a JSON string on the wire.
    Id,
    /// Numeric id, a JSON number on the wire.
    IdNumber,
    /// Accepts a JSON number or string and keeps the text.
    NumberOrString,
    Json,
    Enum(String),
    Object(String),
    List(Box<TypeExpr>),
    /// An object sent as JSON or as a JSON string holding JSON.
    Embedded(String),
}

impl TypeExpr {
    /// Parses a type expression against the known enum and object names.
    pub(crate) fn parse(
        text: &str,
        enums: &BTreeMap<String, ()>,
        objects: &BTreeMap<String, ()>,
    ) -> Result<Self, String> {
        Ok(match text {
            "string" => Self::String,
            "bool" => Self::Bool,
            "int" => Self::Int,
            "long" => Self::Long,
            "amount" => Self::Amount,
            "amount-string" => Self::AmountString,
            "id" => Self::Id,
            "id-number" => Self::IdNumber,
            "number-or-string" => Self::NumberOrString,
            "json" => Self::Json,
            other => {
                if let Some(inner) = other.strip_prefix("embedded:") {
                    if !objects.contains_key(inner) {
                        return Err(format!("embedded `{inner}` is not an object"));
                    }
                    Self::Embedded(inner.to_owned())
                } else if let Some(inner) = other.strip_prefix("list:") {
                    let inner = Self::parse(inner, enums, objects)?;
                    if matches!(inner, Self::AmountString | Self::IdNumber | Self::List(_)) {
                        return Err(format!(
                            "list of {text} is not supported: use a named object"
                        ));
                    }
                    Self::List(Box::new(inner))
                } else if enums.contains_key(other) {
                    Self::Enum(other.to_owned())
                } else if objects.contains_key(other) {
                    Self::Object(other.to_owned())
                } else {
                    return Err(format!("unknown type `{text}`"));
                }
            }
        })
    }
}

impl Spec {
    /// Reads every spec file under `root/spec`.
    pub(crate) fn load(root: &Path) -> Result<Self, String> {
        let spec_dir = root.join("spec");
        let common: CommonFile = read_toml(&spec_dir.join("common.toml"))?;
        let webhooks: WebhooksFile = read_toml(&spec_dir.join("webhooks.toml"))?;
        let endpoints_dir = spec_dir.join("endpoints");
        let mut files: Vec<PathBuf> = fs::read_dir(&endpoints_dir)
            .map_err(|e| format!("{}: {e}", endpoints_dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        let mut areas = Vec::new();
        for file in files {
            let mut area: AreaFile = read_toml(&file)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            area.file = format!("spec/endpoints/{name}");
            areas.push(area);
        }
        let spec = Spec {
            common,
            areas,
            webhooks,
        };
        spec.check()?;
        Ok(spec)
    }

    pub(crate) fn all_enums(&self) -> Vec<&EnumDef> {
        let mut out: Vec<&EnumDef> = self.common.enums.iter().collect();
        for area in &self.areas {
            out.extend(area.enums.iter());
        }
        out.extend(self.webhooks.enums.iter());
        out
    }

    pub(crate) fn all_objects(&self) -> Vec<(&ObjectDef, &str)> {
        let mut out = Vec::new();
        for area in &self.areas {
            out.extend(area.object.iter().map(|o| (o, area.area.as_str())));
        }
        out.extend(self.webhooks.object.iter().map(|o| (o, "webhooks")));
        out
    }

    pub(crate) fn enum_names(&self) -> BTreeMap<String, ()> {
        self.all_enums()
            .into_iter()
            .map(|e| (e.name.clone(), ()))
            .collect()
    }

    pub(crate) fn object_names(&self) -> BTreeMap<String, ()> {
        self.all_objects()
            .into_iter()
            .map(|(o, _)| (o.name.clone(), ()))
            .collect()
    }

    pub(crate) fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.all_objects()
            .into_iter()
            .map(|(o, _)| o)
            .find(|o| o.name == name)
    }

    pub(crate) fn enum_def(&self, name: &str) -> Option<&EnumDef> {
        self.all_enums().into_iter().find(|e| e.name == name)
    }

    pub(crate) fn field_type(&self, field: &FieldDef) -> Result<TypeExpr, String> {
        TypeExpr::parse(&field.ty, &self.enum_names(), &self.object_names())
            .map_err(|e| format!("field `{}`: {e}", field.wire))
    }

    /// Checks names are unique and every reference resolves, so generation itself cannot fail.
    fn check(&self) -> Result<(), String> {
        let mut seen = BTreeMap::new();
        for name in self
            .all_enums()
            .iter()
            .map(|e| &e.name)
            .chain(self.all_objects().iter().map(|(o, _)| &o.name))
        {
            if seen.insert(name.clone(), ()).is_some() {
                return Err(format!("type `{name}` is defined twice"));
            }
        }
        let mut ops = BTreeMap::new();
        let mut paths = BTreeMap::new();
        for area in &self.areas {
            for ep in &area.endpoint {
                if ops.insert(ep.operation.clone(), ()).is_some() {
                    return Err(format!("operation `{}` is defined twice", ep.operation));
                }
                if paths.insert(ep.path.clone(), ()).is_some() {
                    return Err(format!("path `{}` is defined twice", ep.path));
                }
                if !ep.path.starts_with("/binancepay/openapi/") {
                    return Err(format!(
                        "{}: path must start with /binancepay/openapi/",
                        ep.operation
                    ));
                }
                let request = self
                    .object(&ep.request)
                    .ok_or_else(|| format!("{}: unknown request `{}`", ep.operation, ep.request))?;
                match (ep.retry, &ep.idempotency_key) {
                    (RetryDef::Idempotent, Some(key)) => {
                        let field = request.field.iter().find(|f| &f.wire == key);
                        match field {
                            Some(f)
                                if f.presence == Presence::Required
                                    && self.field_type(f)? == TypeExpr::String => {}
                            _ => {
                                return Err(format!(
                                    "{}: idempotency key `{key}` must be a required string field",
                                    ep.operation
                                ));
                            }
                        }
                    }
                    (RetryDef::Idempotent, None) => {
                        return Err(format!(
                            "{}: idempotent endpoints name their idempotency_key",
                            ep.operation
                        ));
                    }
                    (_, Some(_)) => {
                        return Err(format!(
                            "{}: only idempotent endpoints have an idempotency_key",
                            ep.operation
                        ));
                    }
                    (_, None) => {}
                }
                let response = ep
                    .response
                    .strip_prefix("list:")
                    .or_else(|| ep.response.strip_prefix("optional:"))
                    .unwrap_or(&ep.response);
                if response != "bool" && self.object(response).is_none() {
                    return Err(format!(
                        "{}: unknown response `{}`",
                        ep.operation, ep.response
                    ));
                }
            }
        }
        for (object, _) in self.all_objects() {
            self.check_object(object)
                .map_err(|e| format!("object `{}`: {e}", object.name))?;
        }
        for hook in &self.webhooks.webhook {
            if self.enum_def(&hook.status).is_none() {
                return Err(format!(
                    "webhook {}: unknown status enum `{}`",
                    hook.biz_type, hook.status
                ));
            }
            if self.object(&hook.data).is_none() {
                return Err(format!(
                    "webhook {}: unknown data object `{}`",
                    hook.biz_type, hook.data
                ));
            }
        }
        for code in &self.common.result_code {
            if code.code.is_empty() || !code.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("result code `{}` must be digits", code.code));
            }
        }
        Ok(())
    }

    fn check_object(&self, object: &ObjectDef) -> Result<(), String> {
        for field in &object.field {
            let ty = self.field_type(field)?;
            let base = match &ty {
                TypeExpr::List(inner) => inner.as_ref(),
                other => other,
            };
            if field.presence == Presence::Conditional && field.condition.is_none() {
                return Err(format!(
                    "{}: a conditional field states its condition",
                    field.wire
                ));
            }
            if field.required_if.is_some() && field.presence != Presence::Conditional {
                return Err(format!(
                    "{}: required_if needs presence = \"conditional\"",
                    field.wire
                ));
            }
            if let Some(group) = &field.one_of_group {
                if !object.group.iter().any(|g| &g.name == group) {
                    return Err(format!("{}: unknown group `{group}`", field.wire));
                }
                if field.presence == Presence::Required {
                    return Err(format!(
                        "{}: a grouped field cannot be required",
                        field.wire
                    ));
                }
            }
            for bound in [&field.min, &field.max].into_iter().flatten() {
                let ok = match base {
                    TypeExpr::Amount | TypeExpr::AmountString => is_decimal(bound),
                    TypeExpr::Int | TypeExpr::Long => bound.parse::<i64>().is_ok(),
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "{}: bound `{bound}` does not fit type `{}`",
                        field.wire, field.ty
                    ));
                }
            }
            if (field.max_len.is_some() || field.min_len.is_some() || field.class.is_some())
                && !matches!(base, TypeExpr::String | TypeExpr::Id | TypeExpr::IdNumber)
            {
                return Err(format!(
                    "{}: length and class rules apply to strings and ids",
                    field.wire
                ));
            }
            if field.decimals.is_some()
                && !matches!(base, TypeExpr::Amount | TypeExpr::AmountString)
            {
                return Err(format!("{}: decimals apply to amounts", field.wire));
            }
            if (field.min_items.is_some() || field.max_items.is_some())
                && !matches!(ty, TypeExpr::List(_))
            {
                return Err(format!("{}: item counts apply to lists", field.wire));
            }
            if let Some(cond) = &field.required_if {
                let given = [
                    cond.present.is_some(),
                    cond.one_of.is_some(),
                    cond.not_in.is_some(),
                ];
                if given.iter().filter(|b| **b).count() != 1 {
                    return Err(format!(
                        "{}: required_if takes exactly one of present, in, not_in",
                        field.wire
                    ));
                }
                self.resolve_path(object, &cond.field)?;
            }
        }
        for group in &object.group {
            let members = object
                .field
                .iter()
                .filter(|f| f.one_of_group.as_deref() == Some(&group.name))
                .count();
            if members < 2 {
                return Err(format!("group `{}` needs at least two fields", group.name));
            }
        }
        Ok(())
    }

    /// Resolves a dotted wire path (`env.terminalType`) to the chain of fields it walks.
    pub(crate) fn resolve_path<'a>(
        &'a self,
        object: &'a ObjectDef,
        path: &str,
    ) -> Result<Vec<&'a FieldDef>, String> {
        let mut current = object;
        let mut chain = Vec::new();
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let field = current
                .field
                .iter()
                .find(|f| f.wire == *part)
                .ok_or_else(|| format!("condition path `{path}`: no field `{part}`"))?;
            chain.push(field);
            if i + 1 < parts.len() {
                match self.field_type(field)? {
                    TypeExpr::Object(name) => {
                        current = self
                            .object(&name)
                            .ok_or_else(|| format!("unknown object `{name}`"))?;
                    }
                    _ => {
                        return Err(format!(
                            "condition path `{path}`: `{part}` is not an object"
                        ));
                    }
                }
            }
        }
        Ok(chain)
    }
}

fn is_decimal(text: &str) -> bool {
    let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
