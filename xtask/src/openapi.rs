//! `cargo xtask openapi [--check]`: an OpenAPI 3.1 document of the whole merchant API, written
//! from `spec/` to `spec/openapi.json` and to the copy the sandbox serves at
//! `GET /sandbox/openapi.json` (`crates/binancepay-sandbox/assets/openapi.json`, so that crate
//! packages on its own). `--check` fails when either file is not what the spec gives.
//!
//! Requests are written strictly (every documented limit, class, enum, required field and
//! cross-field rule the SDK checks before sending); responses and webhooks are read tolerantly
//! (ids, timestamps and integers as a JSON number or a string of digits, amounts as a number or a
//! string, enum values the spec does not list, `null` for optional fields).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use crate::spec::{
    CharClassDef, Confidence, DataEncoding, EnumDef, FieldDef, GroupRule, ObjectDef, Presence,
    Repr, RequiredIf, RetryDef, Spec, TypeExpr,
};

/// Where the document goes, relative to the workspace root (identical contents).
const OUTPUTS: [&str; 2] = [
    "spec/openapi.json",
    "crates/binancepay-sandbox/assets/openapi.json",
];

/// Entry point of the subcommand; `args` follow `openapi`.
pub(crate) fn main(args: &[&str]) -> ExitCode {
    let check = match args {
        [] => false,
        ["--check"] => true,
        _ => {
            eprintln!("usage: cargo xtask openapi [--check]");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = match Spec::load(&root).and_then(|spec| document(&root, &spec)) {
        Ok(doc) => doc.pretty(),
        Err(e) => {
            eprintln!("openapi failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = Vec::new();
    for out in OUTPUTS {
        let path = root.join(out);
        if fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        stale.push(out);
        if !check {
            let written = path
                .parent()
                .map_or(Ok(()), fs::create_dir_all)
                .and_then(|()| fs::write(&path, &text));
            if let Err(e) = written {
                eprintln!("openapi failed: {out}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for out in &stale {
        eprintln!("  {out}");
    }
    if check && !stale.is_empty() {
        eprintln!("openapi.json is out of date: run `cargo xtask openapi` and commit the result");
        return ExitCode::FAILURE;
    }
    if !stale.is_empty() {
        eprintln!("openapi: wrote {} file(s)", stale.len());
    }
    ExitCode::SUCCESS
}

/// Whether a schema describes what the SDK sends (strict) or what it reads (tolerant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Write,
    Read,
}

/// The four signing headers, each an `apiKey` security scheme (all four are required together).
const SIGNING_HEADERS: [(&str, &str, &str); 4] = [
    (
        "BinancePayTimestamp",
        "BinancePay-Timestamp",
        "The time of the request in epoch milliseconds (UTC). Binance refuses a request whose timestamp is more than the documented window (1 s) away from its clock with 400003.",
    ),
    (
        "BinancePayNonce",
        "BinancePay-Nonce",
        "32 random characters, upper- or lower-case letters or digits (`[A-Za-z0-9]{32}`), fresh for every request.",
    ),
    (
        "BinancePayCertificateSN",
        "BinancePay-Certificate-SN",
        "The merchant's API key (identity key).",
    ),
    (
        "BinancePaySignature",
        "BinancePay-Signature",
        "Upper-case hex of `HMAC-SHA512(secret, timestamp + \"\\n\" + nonce + \"\\n\" + body + \"\\n\")`, where `timestamp` and `nonce` are the two headers above, `body` the exact bytes of the request body and `secret` the merchant's secret key. Serialise the body once, sign those bytes and send those bytes.",
    ),
];

fn document(root: &Path, spec: &Spec) -> Result<json::Value, String> {
    use json::Value as J;
    let version = workspace_version(root)?;
    let sides = object_sides(spec)?;
    let mut model = Generator {
        spec,
        sides,
        schemas: BTreeMap::new(),
    };

    let mut paths = Vec::new();
    for area in &spec.areas {
        for ep in &area.endpoint {
            let data = match ep.response.as_str() {
                "bool" => J::obj([("type", J::s("boolean"))]),
                other => {
                    if let Some(inner) = other.strip_prefix("list:") {
                        J::obj([
                            ("type", J::s("array")),
                            ("items", model.object_ref(inner, Side::Read)?),
                        ])
                    } else if let Some(inner) = other.strip_prefix("optional:") {
                        // `data` may be `null` (nothing found).
                        J::obj([(
                            "anyOf",
                            J::Arr(vec![
                                model.object_ref(inner, Side::Read)?,
                                J::obj([("type", J::s("null"))]),
                            ]),
                        )])
                    } else {
                        model.object_ref(other, Side::Read)?
                    }
                }
            };
            let mut description = ep.doc.clone();
            let _ = write!(
                description,
                "\n\nRetry: `{}`. {}",
                retry_name(ep.retry),
                ep.retry_note
            );
            push_provenance(&mut description, ep.confidence, &ep.sources, &ep.note);
            let mut op = vec![
                ("operationId", J::s(&ep.operation)),
                ("summary", J::s(&ep.doc)),
                ("description", J::s(&description)),
                ("tags", J::Arr(vec![J::s(&area.area)])),
                (
                    "requestBody",
                    J::obj([
                        ("required", J::Bool(true)),
                        (
                            "content",
                            J::obj([(
                                "application/json",
                                J::obj([("schema", model.object_ref(&ep.request, Side::Write)?)]),
                            )]),
                        ),
                    ]),
                ),
                (
                    "responses",
                    J::obj([
                        (
                            "200",
                            J::obj([
                                (
                                    "description",
                                    J::s(
                                        "The envelope: `SUCCESS` with `data`, or `FAIL` with a result code.",
                                    ),
                                ),
                                (
                                    "content",
                                    J::obj([(
                                        "application/json",
                                        J::obj([(
                                            "schema",
                                            J::obj([(
                                                "oneOf",
                                                J::Arr(vec![
                                                    success_envelope(data),
                                                    J::reference(
                                                        "#/components/schemas/FailEnvelope",
                                                    ),
                                                ]),
                                            )]),
                                        )]),
                                    )]),
                                ),
                            ]),
                        ),
                        ("default", J::reference("#/components/responses/Fail")),
                    ]),
                ),
                ("x-retry", J::s(retry_name(ep.retry))),
            ];
            if let Some(key) = &ep.idempotency_key {
                op.push(("x-idempotency-key", J::s(key)));
            }
            paths.push((ep.path.clone(), J::obj([("post", J::obj(op))])));
        }
    }

    let mut webhooks = Vec::new();
    for hook in &spec.webhooks.webhook {
        let data_ref = model.object_ref(&hook.data, Side::Read)?;
        let data = J::obj([
            (
                "description",
                J::s(match hook.data_encoding {
                    DataEncoding::String => {
                        "Sent as a JSON string holding the JSON object; an object is accepted too."
                    }
                    DataEncoding::Object => {
                        "Sent as a JSON object; a JSON string holding it is accepted too."
                    }
                }),
            ),
            (
                "anyOf",
                J::Arr(vec![
                    J::obj([
                        ("type", J::s("string")),
                        ("contentMediaType", J::s("application/json")),
                        ("contentSchema", data_ref.clone()),
                    ]),
                    data_ref,
                ]),
            ),
        ]);
        let status = model.enum_use(&hook.status, Side::Read)?;
        let envelope = J::obj([
            ("type", J::s("object")),
            (
                "required",
                J::Arr(vec![J::s("bizType"), J::s("bizStatus"), J::s("data")]),
            ),
            (
                "properties",
                J::obj([
                    ("bizType", J::obj([("const", J::s(&hook.biz_type))])),
                    (
                        "bizId",
                        tolerant_integer(
                            "The id of the object, a JSON number (may exceed 2^53: read `bizIdStr`).",
                        ),
                    ),
                    (
                        "bizIdStr",
                        J::obj([
                            ("type", J::s("string")),
                            ("description", J::s("`bizId` as a string.")),
                        ]),
                    ),
                    ("bizStatus", status),
                    ("data", data),
                ]),
            ),
        ]);
        let mut description = hook.doc.clone();
        description.push_str(
            "\n\nSigned by Binance: verify the RSA-SHA256 signature (base64 in `BinancePay-Signature`) over `timestamp + \"\\n\" + nonce + \"\\n\" + body + \"\\n\"` with the public key `POST /binancepay/openapi/certificates` serves for `BinancePay-Certificate-SN`; when the notification carries `BinancePay-Certificate-SN-New` and `BinancePay-Signature-New` (Binance's new platform certificate), verify that pair the same way with the key `POST /binancepay/openapi/certificates/new` lists for that serial. Every pair present must verify; at least one is. Then answer `{\"returnCode\":\"SUCCESS\",\"returnMessage\":null}`. Binance retries until it gets that answer, so the same notification can arrive more than once.",
        );
        push_provenance(&mut description, hook.confidence, &hook.sources, &hook.note);
        let headers = [
            (
                "BinancePay-Timestamp",
                "Epoch milliseconds of the notification.",
            ),
            ("BinancePay-Nonce", "A random string."),
            (
                "BinancePay-Certificate-SN",
                "The serial (`certSerial`) of the key that signed it. Absent once Binance retires the old certificate for the new one.",
            ),
            (
                "BinancePay-Signature",
                "Base64 RSA-SHA256 (PKCS#1 v1.5) signature of `timestamp\\nnonce\\nbody\\n`.",
            ),
            (
                "BinancePay-Certificate-SN-New",
                "With Binance's new platform certificate: the serial (`certSerial` in `/binancepay/openapi/certificates/new`) of the key that made `BinancePay-Signature-New`.",
            ),
            (
                "BinancePay-Signature-New",
                "With Binance's new platform certificate: base64 RSA-SHA256 (PKCS#1 v1.5) signature of the same `timestamp\\nnonce\\nbody\\n`.",
            ),
        ];
        let parameters = headers
            .iter()
            .map(|(name, doc)| {
                J::obj([
                    ("name", J::s(name)),
                    ("in", J::s("header")),
                    // Either signature pair may be the only one (see the description).
                    (
                        "required",
                        J::Bool(!name.contains("-SN") && !name.contains("Signature")),
                    ),
                    ("description", J::s(doc)),
                    ("schema", J::obj([("type", J::s("string"))])),
                ])
            })
            .collect();
        webhooks.push((
            hook.biz_type.clone(),
            J::obj([(
                "post",
                J::obj([
                    (
                        "operationId",
                        J::s(&format!("webhook_{}", hook.biz_type.to_lowercase())),
                    ),
                    ("summary", J::s(&hook.doc)),
                    ("description", J::s(&description)),
                    ("parameters", J::Arr(parameters)),
                    (
                        "requestBody",
                        J::obj([
                            ("required", J::Bool(true)),
                            (
                                "content",
                                J::obj([("application/json", J::obj([("schema", envelope)]))]),
                            ),
                        ]),
                    ),
                    (
                        "responses",
                        J::obj([(
                            "200",
                            J::obj([
                                (
                                    "description",
                                    J::s("Acknowledged; anything else makes Binance retry."),
                                ),
                                (
                                    "content",
                                    J::obj([(
                                        "application/json",
                                        J::obj([(
                                            "schema",
                                            J::reference("#/components/schemas/WebhookAck"),
                                        )]),
                                    )]),
                                ),
                            ]),
                        )]),
                    ),
                ]),
            )]),
        ));
    }

    let mut schemas = std::mem::take(&mut model.schemas);
    schemas.insert("ResultCode".to_owned(), result_codes(spec));
    schemas.insert("FailEnvelope".to_owned(), fail_envelope());
    schemas.insert(
        "WebhookAck".to_owned(),
        J::obj([
            ("type", J::s("object")),
            ("required", J::Arr(vec![J::s("returnCode")])),
            (
                "properties",
                J::obj([
                    ("returnCode", J::obj([("const", J::s("SUCCESS"))])),
                    (
                        "returnMessage",
                        J::obj([("type", J::Arr(vec![J::s("string"), J::s("null")]))]),
                    ),
                ]),
            ),
        ]),
    );

    let tags = spec
        .areas
        .iter()
        .map(|area| {
            J::obj([
                ("name", J::s(&area.area)),
                (
                    "description",
                    J::s(&format!("{}\n\n{}", area.title, area.doc.trim())),
                ),
            ])
        })
        .collect();
    let security_schemes = SIGNING_HEADERS
        .iter()
        .map(|(id, header, doc)| {
            (
                (*id).to_owned(),
                J::obj([
                    ("type", J::s("apiKey")),
                    ("in", J::s("header")),
                    ("name", J::s(header)),
                    ("description", J::s(doc)),
                ]),
            )
        })
        .collect();
    let security = J::Arr(vec![J::Obj(
        SIGNING_HEADERS
            .iter()
            .map(|(id, _, _)| ((*id).to_owned(), J::Arr(Vec::new())))
            .collect(),
    )]);

    Ok(J::obj([
        ("openapi", J::s("3.1.0")),
        (
            "info",
            J::obj([
                ("title", J::s("Binance Pay merchant API")),
                ("version", J::s(&version)),
                (
                    "summary",
                    J::s(
                        "Every merchant endpoint and notification of Binance Pay, as modelled by binancepay-rs.",
                    ),
                ),
                ("description", J::s(INFO)),
                (
                    "license",
                    J::obj([
                        ("name", J::s("MIT OR Apache-2.0")),
                        ("identifier", J::s("MIT OR Apache-2.0")),
                    ]),
                ),
            ]),
        ),
        (
            "servers",
            J::Arr(vec![
                J::obj([
                    ("url", J::s("http://127.0.0.1:{port}")),
                    (
                        "description",
                        J::s(
                            "The binancepay-rs sandbox (`binancepay sandbox --listen 127.0.0.1:8080`).",
                        ),
                    ),
                    (
                        "variables",
                        J::obj([("port", J::obj([("default", J::s("8080"))]))]),
                    ),
                ]),
                J::obj([
                    ("url", J::s("https://bpay.binanceapi.com")),
                    ("description", J::s("Binance Pay (production).")),
                ]),
            ]),
        ),
        ("security", security),
        ("tags", J::Arr(tags)),
        ("paths", J::Obj(paths)),
        ("webhooks", J::Obj(webhooks)),
        (
            "components",
            J::obj([
                ("schemas", J::Obj(schemas.into_iter().collect())),
                (
                    "responses",
                    J::obj([(
                        "Fail",
                        J::obj([
                            (
                                "description",
                                J::s(
                                    "A refused request: `FAIL` with a result code, or the system-error shape (`ERROR`). Binance documents no HTTP statuses for these; the sandbox's choices are listed in its docs.",
                                ),
                            ),
                            (
                                "content",
                                J::obj([(
                                    "application/json",
                                    J::obj([(
                                        "schema",
                                        J::reference("#/components/schemas/FailEnvelope"),
                                    )]),
                                )]),
                            ),
                        ]),
                    )]),
                ),
                ("securitySchemes", J::Obj(security_schemes)),
            ]),
        ),
    ]))
}

const INFO: &str = "Generated by `cargo xtask openapi` from the machine-readable spec in `spec/` of binancepay-rs; do not edit by hand. Binance publishes no machine-readable description of this API; every fact here cites its sources (`x-sources`, see `spec/README.md`) and how sure it is.

Every call is a `POST` of a JSON object to a path under `/binancepay/openapi/`, signed with the four `BinancePay-*` headers (see the security schemes): the signature is the upper-case hex HMAC-SHA512, keyed with the merchant's secret, of `timestamp + \"\\n\" + nonce + \"\\n\" + body + \"\\n\"`.

Every answer is an envelope: `{\"status\":\"SUCCESS\",\"code\":\"000000\",\"data\":...}` or `{\"status\":\"FAIL\",\"code\":\"400100\",\"errorMessage\":\"...\"}` (see `ResultCode`); a few system errors answer `{\"status\":\"ERROR\",\"type\":\"SYS\",\"code\":\"100001001\",\"errorData\":...}`.

Request schemas are strict: every documented limit, character class, enum and required field, as the SDK checks before sending. Response and notification schemas are tolerant, as the SDK reads them: ids, timestamps and integers may be a JSON number or a string of digits, amounts a number or a string, enum values not listed here are kept, optional fields may be `null`. Notifications are the `webhooks` of this document.";

fn success_envelope(data: json::Value) -> json::Value {
    use json::Value as J;
    J::obj([
        ("type", J::s("object")),
        ("required", J::Arr(vec![J::s("status"), J::s("data")])),
        (
            "properties",
            J::obj([
                ("status", J::obj([("const", J::s("SUCCESS"))])),
                ("code", J::obj([("const", J::s("000000"))])),
                ("data", data),
                (
                    "errorMessage",
                    J::obj([("type", J::Arr(vec![J::s("string"), J::s("null")]))]),
                ),
            ]),
        ),
    ])
}

fn fail_envelope() -> json::Value {
    use json::Value as J;
    J::obj([
        ("type", J::s("object")),
        (
            "description",
            J::s(
                "`FAIL` with a result code and a message naming the field and the rule, or the system-error shape (`ERROR`, code `100001001`).",
            ),
        ),
        ("required", J::Arr(vec![J::s("status"), J::s("code")])),
        (
            "properties",
            J::obj([
                (
                    "status",
                    J::obj([("enum", J::Arr(vec![J::s("FAIL"), J::s("ERROR")]))]),
                ),
                ("code", J::reference("#/components/schemas/ResultCode")),
                (
                    "errorMessage",
                    J::obj([("type", J::Arr(vec![J::s("string"), J::s("null")]))]),
                ),
                ("type", J::obj([("type", J::s("string"))])),
                (
                    "errorData",
                    J::obj([("description", J::s("Details of a system error."))]),
                ),
            ]),
        ),
    ])
}

fn result_codes(spec: &Spec) -> json::Value {
    use json::Value as J;
    let mut known: Vec<J> = spec
        .common
        .result_code
        .iter()
        .map(|code| {
            let mut description = code.description.clone();
            let _ = write!(
                description,
                " {}",
                if code.retryable {
                    "Retryable."
                } else {
                    "Not retryable."
                }
            );
            if let Some(message) = &code.message {
                let _ = write!(description, " Binance's `errorMessage`: \"{message}\".");
            }
            push_provenance(&mut description, code.confidence, &code.sources, &code.note);
            let mut entry = vec![
                ("const", J::s(&code.code)),
                ("title", J::s(&code.name)),
                ("description", J::s(&description)),
                ("x-retryable", J::Bool(code.retryable)),
            ];
            if let Some(message) = &code.message {
                entry.push(("x-error-message", J::s(message)));
            }
            J::obj(entry)
        })
        .collect();
    known.push(J::obj([
        ("type", J::s("string")),
        ("pattern", J::s("^[0-9]+$")),
        (
            "description",
            J::s("A code this document does not list: read it, do not reject it."),
        ),
    ]));
    J::obj([
        (
            "description",
            J::s(
                "The result code of a `FAIL` (six digits; `100001001` for the system error). Codes 4001xx name the parameter and the rule broken: 400100 missing or empty, 400101 wrong type, format or length, 400102 out of range or outside an enum, 400103 characters outside the field's class, 400104 body too large.",
            ),
        ),
        ("anyOf", J::Arr(known)),
    ])
}

/// Which sides each object is used on: requests (and what they hold) are written, responses and
/// notifications read.
fn object_sides(spec: &Spec) -> Result<BTreeMap<String, BTreeSet<Side>>, String> {
    let mut sides: BTreeMap<String, BTreeSet<Side>> = BTreeMap::new();
    let mut stack: Vec<(String, Side)> = Vec::new();
    for area in &spec.areas {
        for ep in &area.endpoint {
            stack.push((ep.request.clone(), Side::Write));
            let response = ep
                .response
                .strip_prefix("list:")
                .or_else(|| ep.response.strip_prefix("optional:"))
                .unwrap_or(&ep.response);
            if response != "bool" {
                stack.push((response.to_owned(), Side::Read));
            }
        }
    }
    for hook in &spec.webhooks.webhook {
        stack.push((hook.data.clone(), Side::Read));
    }
    while let Some((name, side)) = stack.pop() {
        if !sides.entry(name.clone()).or_default().insert(side) {
            continue;
        }
        let object = spec
            .object(&name)
            .ok_or_else(|| format!("unknown object `{name}`"))?;
        for field in &object.field {
            let mut ty = spec.field_type(field)?;
            while let TypeExpr::List(inner) = ty {
                ty = *inner;
            }
            if let TypeExpr::Object(inner) | TypeExpr::Embedded(inner) = ty {
                stack.push((inner, side));
            }
        }
    }
    Ok(sides)
}

struct Generator<'a> {
    spec: &'a Spec,
    sides: BTreeMap<String, BTreeSet<Side>>,
    schemas: BTreeMap<String, json::Value>,
}

impl Generator<'_> {
    /// The component name of an object on one side: read-side copies of objects that requests
    /// also use get a `Read` suffix.
    fn object_name(&self, name: &str, side: Side) -> String {
        let both = self.sides.get(name).is_some_and(|s| s.len() > 1);
        if both && side == Side::Read {
            format!("{name}Read")
        } else {
            name.to_owned()
        }
    }

    /// A `$ref` to the object's schema on `side`, generating it on first use.
    fn object_ref(&mut self, name: &str, side: Side) -> Result<json::Value, String> {
        let component = self.object_name(name, side);
        if !self.schemas.contains_key(&component) {
            // Reserve the name first so recursive objects terminate.
            self.schemas.insert(component.clone(), json::Value::Null);
            let object = self
                .spec
                .object(name)
                .ok_or_else(|| format!("unknown object `{name}`"))?;
            let schema = self.object_schema(object, side)?;
            self.schemas.insert(component.clone(), schema);
        }
        Ok(json::Value::reference(&format!(
            "#/components/schemas/{component}"
        )))
    }

    fn object_schema(&mut self, object: &ObjectDef, side: Side) -> Result<json::Value, String> {
        use json::Value as J;
        let mut properties = Vec::new();
        let mut required = Vec::new();
        for field in &object.field {
            properties.push((field.wire.clone(), self.field_schema(field, side)?));
            if field.presence == Presence::Required {
                required.push(J::s(&field.wire));
            }
        }
        let mut description = object.doc.clone();
        if let Some(note) = &object.note {
            let _ = write!(description, "\n\n{note}");
        }
        if side == Side::Write && !object.checks.is_empty() {
            let _ = write!(
                description,
                "\n\nCross-field checks: {}.",
                object.checks.join(", ")
            );
        }
        let mut schema = vec![
            ("type", J::s("object")),
            ("description", J::s(&description)),
        ];
        if !required.is_empty() {
            schema.push(("required", J::Arr(required)));
        }
        schema.push(("properties", J::Obj(properties)));
        // Groups and conditions are what the SDK enforces before sending; readers do not check
        // them.
        if side == Side::Write {
            let mut all_of = Vec::new();
            for group in &object.group {
                let members: Vec<J> = object
                    .field
                    .iter()
                    .filter(|f| f.one_of_group.as_deref() == Some(group.name.as_str()))
                    .map(|f| J::obj([("required", J::Arr(vec![J::s(&f.wire)]))]))
                    .collect();
                let keyword = match group.rule {
                    GroupRule::AtLeastOne => "anyOf",
                    GroupRule::ExactlyOne => "oneOf",
                };
                all_of.push(J::obj([(keyword, J::Arr(members))]));
            }
            for field in &object.field {
                if let Some(cond) = &field.required_if {
                    all_of.push(J::obj([
                        ("if", self.condition(object, cond)?),
                        (
                            "then",
                            J::obj([("required", J::Arr(vec![J::s(&field.wire)]))]),
                        ),
                    ]));
                }
            }
            if !all_of.is_empty() {
                schema.push(("allOf", J::Arr(all_of)));
            }
        }
        Ok(J::obj(schema))
    }

    /// The `if` schema of a `required_if` condition on a dotted path.
    fn condition(&self, object: &ObjectDef, cond: &RequiredIf) -> Result<json::Value, String> {
        use json::Value as J;
        let chain = self.spec.resolve_path(object, &cond.field)?;
        let Some((last, parents)) = chain.split_last() else {
            return Err(format!("empty condition path `{}`", cond.field));
        };
        let leaf = if let Some(present) = cond.present {
            let has = J::obj([("required", J::Arr(vec![J::s(&last.wire)]))]);
            if present { has } else { J::obj([("not", has)]) }
        } else {
            let (values, negate) = match (&cond.one_of, &cond.not_in) {
                (Some(values), _) => (values, false),
                (None, Some(values)) => (values, true),
                (None, None) => {
                    return Err(format!("condition on `{}` names no values", cond.field));
                }
            };
            let listed = J::obj([("enum", J::Arr(values.iter().map(|v| J::s(v)).collect()))]);
            let value = if negate {
                J::obj([("not", listed)])
            } else {
                listed
            };
            J::obj([
                ("required", J::Arr(vec![J::s(&last.wire)])),
                ("properties", J::Obj(vec![(last.wire.clone(), value)])),
            ])
        };
        Ok(parents.iter().rev().fold(leaf, |inner, parent| {
            J::obj([
                ("required", J::Arr(vec![J::s(&parent.wire)])),
                ("properties", J::Obj(vec![(parent.wire.clone(), inner)])),
            ])
        }))
    }

    fn field_schema(&mut self, field: &FieldDef, side: Side) -> Result<json::Value, String> {
        use json::Value as J;
        let ty = self.spec.field_type(field)?;
        let mut schema = self.type_schema(&ty, field, side, false)?;
        if let TypeExpr::List(_) = ty {
            if let J::Obj(entries) = &mut schema {
                if let Some(n) = field.min_items {
                    entries.push(("minItems".to_owned(), J::int(n)));
                }
                if let Some(n) = field.max_items {
                    entries.push(("maxItems".to_owned(), J::int(n)));
                }
            }
        }
        let mut description = field.doc.clone();
        if let Some(condition) = &field.condition {
            let _ = write!(description, " Required when {condition}.");
        }
        if side == Side::Read && has_limits(field) {
            let _ = write!(description, " Documented limits: {}.", limits_text(field));
        }
        if field.confidence != Confidence::Confirmed {
            let _ = write!(description, " {}", field.confidence.sentence());
        }
        if let Some(note) = &field.note {
            let _ = write!(description, " {note}");
        }
        // An optional field may be `null`: the same as leaving it out, when reading and (as
        // Binance's and the sandbox's parsers do) when a request is read.
        let optional = field.presence != Presence::Required;
        if optional && side == Side::Write {
            description.push_str(" `null` is the same as leaving it out.");
        }
        let schema = if optional {
            J::obj([(
                "anyOf",
                J::Arr(vec![schema, J::obj([("type", J::s("null"))])]),
            )])
        } else {
            schema
        };
        Ok(with_description(schema, &description))
    }

    fn type_schema(
        &mut self,
        ty: &TypeExpr,
        field: &FieldDef,
        side: Side,
        item: bool,
    ) -> Result<json::Value, String> {
        use json::Value as J;
        let read = side == Side::Read;
        Ok(match ty {
            TypeExpr::String => {
                if read {
                    J::obj([("type", J::s("string"))])
                } else {
                    let mut s = vec![("type", J::s("string"))];
                    // A required text must not be empty (400100); list items have no such rule.
                    let required = field.presence == Presence::Required && !item;
                    let min = field.min_len.or(required.then_some(1));
                    if let Some(n) = min {
                        s.push(("minLength", J::int(n)));
                    }
                    if let Some(n) = field.max_len {
                        s.push(("maxLength", J::int(n)));
                    }
                    if let Some(class) = field.class {
                        s.push(("pattern", J::s(class_pattern(class))));
                    }
                    J::obj(s)
                }
            }
            TypeExpr::Bool => J::obj([("type", J::s("boolean"))]),
            TypeExpr::Int | TypeExpr::Long => {
                let format = if *ty == TypeExpr::Int {
                    "int32"
                } else {
                    "int64"
                };
                if read {
                    tolerant_integer("A JSON number or a string of digits.")
                } else {
                    let mut s = vec![("type", J::s("integer")), ("format", J::s(format))];
                    if let Some(min) = &field.min {
                        s.push(("minimum", J::Num(min.clone())));
                    }
                    if let Some(max) = &field.max {
                        s.push(("maximum", J::Num(max.clone())));
                    }
                    J::obj(s)
                }
            }
            TypeExpr::Amount | TypeExpr::AmountString => {
                if read {
                    tolerant_amount()
                } else {
                    let as_string = *ty == TypeExpr::AmountString;
                    let mut s = if as_string {
                        let decimals = field
                            .decimals
                            .map_or("+".to_owned(), |d| format!("{{1,{d}}}"));
                        vec![
                            ("type", J::s("string")),
                            ("pattern", J::s(&format!("^[0-9]+(\\.[0-9]{decimals})?$"))),
                        ]
                    } else {
                        vec![("type", J::s("number"))]
                    };
                    if !as_string {
                        if let Some(min) = &field.min {
                            s.push(("minimum", J::Num(min.clone())));
                        }
                        if let Some(max) = &field.max {
                            s.push(("maximum", J::Num(max.clone())));
                        }
                    }
                    if let Some(d) = field.decimals {
                        s.push(("x-max-decimals", J::int(d)));
                    }
                    if as_string && (field.min.is_some() || field.max.is_some()) {
                        s.push((
                            "x-range",
                            J::s(&format!(
                                "{} to {}",
                                field.min.as_deref().unwrap_or("-"),
                                field.max.as_deref().unwrap_or("-")
                            )),
                        ));
                    }
                    J::obj(s)
                }
            }
            TypeExpr::Id => {
                if read {
                    tolerant_integer("A numeric id: a string of digits, or a JSON number.")
                } else {
                    let mut s = vec![("type", J::s("string")), ("pattern", J::s("^[0-9]+$"))];
                    s.push(("minLength", J::int(field.min_len.unwrap_or(1))));
                    if let Some(n) = field.max_len {
                        s.push(("maxLength", J::int(n)));
                    }
                    // Sent as a string of digits; a JSON number is read as its digits.
                    J::obj([
                        (
                            "description",
                            J::s(
                                "A numeric id, sent as a string of digits; a JSON number is accepted too.",
                            ),
                        ),
                        (
                            "anyOf",
                            J::Arr(vec![
                                J::obj(s),
                                J::obj([("type", J::s("integer")), ("minimum", J::int(0))]),
                            ]),
                        ),
                    ])
                }
            }
            TypeExpr::IdNumber => {
                if read {
                    tolerant_integer("A numeric id: a JSON number, or a string of digits.")
                } else {
                    J::obj([("type", J::s("integer")), ("minimum", J::int(0))])
                }
            }
            TypeExpr::NumberOrString => J::obj([
                ("type", J::Arr(vec![J::s("number"), J::s("string")])),
                (
                    "description",
                    J::s("A JSON number or a string, kept as sent."),
                ),
            ]),
            TypeExpr::Json => J::obj([("description", J::s("Any JSON value, kept as sent."))]),
            TypeExpr::Enum(name) => self.enum_use(name, side)?,
            TypeExpr::Object(name) => self.object_ref(name, side)?,
            TypeExpr::Embedded(name) => {
                let target = self.object_ref(name, side)?;
                J::obj([(
                    "anyOf",
                    J::Arr(vec![
                        target.clone(),
                        J::obj([
                            ("type", J::s("string")),
                            ("contentMediaType", J::s("application/json")),
                            ("contentSchema", target),
                        ]),
                    ]),
                )])
            }
            TypeExpr::List(inner) => {
                let items = self.type_schema(inner, field, side, true)?;
                J::obj([("type", J::s("array")), ("items", items)])
            }
            // A type this generator does not know yet: document it without constraining it.
            #[allow(unreachable_patterns)]
            _ => J::obj([("description", J::s(&format!("Type `{}`.", field.ty)))]),
        })
    }

    /// An enum: `$ref` to its strict schema when written; when read, a listed value or any other
    /// value of the same JSON type (kept as `Unknown`).
    fn enum_use(&mut self, name: &str, side: Side) -> Result<json::Value, String> {
        use json::Value as J;
        let def = self
            .spec
            .enum_def(name)
            .ok_or_else(|| format!("unknown enum `{name}`"))?;
        if !self.schemas.contains_key(name) {
            self.schemas.insert(name.to_owned(), enum_schema(def));
        }
        let reference = J::reference(&format!("#/components/schemas/{name}"));
        Ok(match side {
            Side::Write => reference,
            Side::Read => {
                let other = match def.repr {
                    Repr::Int => J::obj([("type", J::Arr(vec![J::s("integer"), J::s("string")]))]),
                    Repr::String => J::obj([("type", J::s("string"))]),
                };
                J::obj([("anyOf", J::Arr(vec![reference, other]))])
            }
        })
    }
}

fn enum_schema(def: &EnumDef) -> json::Value {
    use json::Value as J;
    let mut description = def.doc.clone();
    description.push('\n');
    for value in &def.values {
        let _ = write!(description, "\n- `{}`: {}", value.value, value.doc);
        if let Some(c) = value.confidence {
            if c != Confidence::Confirmed {
                let _ = write!(description, " ({})", c.sentence());
            }
        }
    }
    push_provenance(&mut description, def.confidence, &def.sources, &def.note);
    let (ty, values) = match def.repr {
        Repr::Int => (
            "integer",
            def.values.iter().map(|v| J::Num(v.value.clone())).collect(),
        ),
        Repr::String => (
            "string",
            def.values.iter().map(|v| J::s(&v.value)).collect(),
        ),
    };
    J::obj([
        ("type", J::s(ty)),
        ("description", J::s(&description)),
        ("enum", J::Arr(values)),
    ])
}

fn tolerant_integer(description: &str) -> json::Value {
    use json::Value as J;
    J::obj([
        ("description", J::s(description)),
        (
            "anyOf",
            J::Arr(vec![
                J::obj([("type", J::s("integer"))]),
                J::obj([("type", J::s("string")), ("pattern", J::s("^-?[0-9]+$"))]),
            ]),
        ),
    ])
}

fn tolerant_amount() -> json::Value {
    use json::Value as J;
    J::obj([
        (
            "description",
            J::s(
                "An amount: a JSON number or a decimal string (exact: read the text, not a float).",
            ),
        ),
        (
            "anyOf",
            J::Arr(vec![
                J::obj([("type", J::s("number"))]),
                J::obj([
                    ("type", J::s("string")),
                    ("pattern", J::s("^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$")),
                ]),
            ]),
        ),
    ])
}

fn class_pattern(class: CharClassDef) -> &'static str {
    // An empty optional text is left to the server, so every pattern accepts "".
    match class {
        CharClassDef::Alnum => "^[A-Za-z0-9]*$",
        CharClassDef::Digits => "^[0-9]*$",
        CharClassDef::UpperAlnum => "^[A-Z0-9]*$",
        CharClassDef::UpperAlpha => "^[A-Z]*$",
        CharClassDef::Url => "^(https?://\\S+)?$",
    }
}

fn has_limits(field: &FieldDef) -> bool {
    field.max_len.is_some()
        || field.min_len.is_some()
        || field.class.is_some()
        || field.min.is_some()
        || field.max.is_some()
        || field.decimals.is_some()
}

fn limits_text(field: &FieldDef) -> String {
    let mut parts = Vec::new();
    if let Some(n) = field.min_len {
        parts.push(format!("at least {n} characters"));
    }
    if let Some(n) = field.max_len {
        parts.push(format!("at most {n} characters"));
    }
    if let Some(class) = field.class {
        parts.push(class.phrase().to_owned());
    }
    if let Some(min) = &field.min {
        parts.push(format!("at least {min}"));
    }
    if let Some(max) = &field.max {
        parts.push(format!("at most {max}"));
    }
    if let Some(d) = field.decimals {
        parts.push(format!("at most {d} decimals"));
    }
    parts.join(", ")
}

fn with_description(schema: json::Value, description: &str) -> json::Value {
    use json::Value as J;
    match schema {
        // A `$ref` with siblings is valid in 3.1; keep the reference and add the text.
        J::Obj(mut entries) => {
            if let Some(existing) = entries.iter_mut().find(|(k, _)| k == "description") {
                let text = match &existing.1 {
                    J::Str(s) => format!("{description} {s}"),
                    _ => description.to_owned(),
                };
                existing.1 = J::s(&text);
            } else {
                entries.push(("description".to_owned(), J::s(description)));
            }
            J::Obj(entries)
        }
        other => other,
    }
}

fn push_provenance(
    description: &mut String,
    confidence: Confidence,
    sources: &[String],
    note: &Option<String>,
) {
    if !sources.is_empty() {
        let _ = write!(
            description,
            "\n\nSources: {} (confidence {}).",
            sources.join(", "),
            confidence.marker()
        );
    }
    if confidence != Confidence::Confirmed {
        let _ = write!(description, " {}", confidence.sentence());
    }
    if let Some(note) = note {
        let _ = write!(description, "\n\n{note}");
    }
}

fn retry_name(retry: RetryDef) -> &'static str {
    match retry {
        RetryDef::Query => "query",
        RetryDef::Idempotent => "idempotent",
        RetryDef::Unsafe => "unsafe",
    }
}

/// `[workspace.package] version` of the root `Cargo.toml`.
fn workspace_version(root: &Path) -> Result<String, String> {
    let path = root.join("Cargo.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: toml::Value =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    value
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml: no [workspace.package] version".to_owned())
}

/// A JSON value that keeps its keys in insertion order, and a stable pretty printer.
mod json {
    use std::fmt::Write as _;

    #[derive(Debug, Clone, PartialEq)]
    pub(super) enum Value {
        Null,
        Bool(bool),
        /// A number, as its JSON text.
        Num(String),
        Str(String),
        Arr(Vec<Value>),
        Obj(Vec<(String, Value)>),
    }

    impl Value {
        pub(super) fn s(text: &str) -> Self {
            Self::Str(text.to_owned())
        }

        pub(super) fn int(n: u32) -> Self {
            Self::Num(n.to_string())
        }

        pub(super) fn obj<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
            Self::Obj(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        }

        pub(super) fn reference(target: &str) -> Self {
            Self::obj([("$ref", Self::s(target))])
        }

        /// Two-space indented JSON with a final newline.
        pub(super) fn pretty(&self) -> String {
            let mut out = String::new();
            self.write(&mut out, 0);
            out.push('\n');
            out
        }

        fn write(&self, out: &mut String, depth: usize) {
            match self {
                Self::Null => out.push_str("null"),
                Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Self::Num(n) => out.push_str(n),
                Self::Str(s) => string(out, s),
                Self::Arr(items) if items.is_empty() => out.push_str("[]"),
                Self::Obj(entries) if entries.is_empty() => out.push_str("{}"),
                Self::Arr(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        out.push_str(if i == 0 { "\n" } else { ",\n" });
                        indent(out, depth + 1);
                        item.write(out, depth + 1);
                    }
                    out.push('\n');
                    indent(out, depth);
                    out.push(']');
                }
                Self::Obj(entries) => {
                    out.push('{');
                    for (i, (key, value)) in entries.iter().enumerate() {
                        out.push_str(if i == 0 { "\n" } else { ",\n" });
                        indent(out, depth + 1);
                        string(out, key);
                        out.push_str(": ");
                        value.write(out, depth + 1);
                    }
                    out.push('\n');
                    indent(out, depth);
                    out.push('}');
                }
            }
        }
    }

    fn indent(out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("  ");
        }
    }

    fn string(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    #[cfg(test)]
    mod tests {
        use super::Value as J;

        #[test]
        fn prints_ordered_escaped_json() {
            let value = J::obj([
                ("b", J::s("a\"\n\u{1}")),
                ("a", J::Arr(vec![J::int(1), J::Null, J::Bool(true)])),
                ("e", J::Obj(Vec::new())),
            ]);
            assert_eq!(
                value.pretty(),
                "{\n  \"b\": \"a\\\"\\n\\u0001\",\n  \"a\": [\n    1,\n    null,\n    true\n  ],\n  \"e\": {}\n}\n"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::json::Value as J;
    use super::{OUTPUTS, document};
    use crate::spec::Spec;

    fn generated() -> J {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let spec = Spec::load(&root).expect("spec loads");
        document(&root, &spec).expect("document builds")
    }

    fn get<'a>(value: &'a J, key: &str) -> Option<&'a J> {
        match value {
            J::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    #[test]
    fn every_endpoint_and_webhook_is_documented() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let spec = Spec::load(&root).expect("spec loads");
        let doc = generated();
        let paths = get(&doc, "paths").expect("paths");
        for area in &spec.areas {
            for ep in &area.endpoint {
                let op = get(paths, &ep.path).and_then(|p| get(p, "post"));
                assert!(op.is_some(), "{} is missing", ep.path);
            }
        }
        let hooks = get(&doc, "webhooks").expect("webhooks");
        for hook in &spec.webhooks.webhook {
            assert!(get(hooks, &hook.biz_type).is_some(), "{}", hook.biz_type);
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = generated();
        let schemas = get(&doc, "components")
            .and_then(|c| get(c, "schemas"))
            .expect("schemas");
        fn walk(value: &J, schemas: &J) {
            match value {
                J::Obj(entries) => {
                    for (key, inner) in entries {
                        if let (true, J::Str(target)) = (key == "$ref", inner) {
                            if let Some(name) = target.strip_prefix("#/components/schemas/") {
                                assert!(
                                    get(schemas, name).is_some_and(|s| *s != J::Null),
                                    "dangling {target}"
                                );
                            }
                        }
                        walk(inner, schemas);
                    }
                }
                J::Arr(items) => items.iter().for_each(|i| walk(i, schemas)),
                _ => {}
            }
        }
        walk(&doc, schemas);
    }

    #[test]
    fn requests_are_strict_and_responses_tolerant() {
        let doc = generated();
        let schemas = get(&doc, "components")
            .and_then(|c| get(c, "schemas"))
            .expect("schemas");
        let trade_no = get(schemas, "CreateOrderV3Request")
            .and_then(|o| get(o, "properties"))
            .and_then(|p| get(p, "merchantTradeNo"))
            .expect("merchantTradeNo");
        assert_eq!(get(trade_no, "maxLength"), Some(&J::int(32)));
        assert_eq!(get(trade_no, "pattern"), Some(&J::s("^[A-Za-z0-9]*$")));
        let expire = get(schemas, "CreateOrderResult")
            .and_then(|o| get(o, "properties"))
            .and_then(|p| get(p, "expireTime"))
            .expect("expireTime");
        // Optional on the read side: null, or a number, or a string of digits.
        let text = J::pretty(expire);
        assert!(
            text.contains("\"integer\"") && text.contains("^-?[0-9]+$"),
            "{text}"
        );
        assert!(text.contains("\"null\""), "{text}");
    }

    #[test]
    fn the_sandbox_copy_is_the_same_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let [a, b] = OUTPUTS.map(|p| std::fs::read(root.join(p)).unwrap_or_default());
        assert!(!a.is_empty(), "run `cargo xtask openapi`");
        assert_eq!(a, b, "run `cargo xtask openapi`");
    }
}
