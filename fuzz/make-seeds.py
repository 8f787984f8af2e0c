#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/ from the crates' data files, in each target's input framing.

Sources: the sample bodies of binancepay-types (tests/data/samples/, tests/data/amount/), the
signature vectors of binancepay-sign (tests/vectors/) and the canned responses of
binancepay-http (tests/data/responses/). Run it again when those change; the output is
committed so `run-all.sh` needs nothing but cargo-fuzz.
"""

import json
import pathlib
import re
import shutil
import tomllib

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SAMPLES = ROOT / "crates/binancepay-types/tests/data/samples"
AMOUNTS = ROOT / "crates/binancepay-types/tests/data/amount"
VECTORS = ROOT / "crates/binancepay-sign/tests/vectors"
RESPONSES = ROOT / "crates/binancepay-http/tests/data/responses"
SEEDS = FUZZ / "seeds"

FIXTURES = (FUZZ / "src/fixtures.rs").read_text()
API_KEY = re.search(r'pub const API_KEY: &str = "([^"]+)"', FIXTURES).group(1)
SERIAL_SIGNING = re.search(r'pub const SERIAL_SIGNING: &str = "([^"]+)"', FIXTURES).group(1)
SERIAL_V4 = re.search(r'pub const SERIAL_V4: &str = "([^"]+)"', FIXTURES).group(1)
SAMPLE_SERIAL = json.loads((SAMPLES / "query_certificates.response.json").read_text())["data"][0][
    "certSerial"
]


def vector(name):
    return tomllib.loads((VECTORS / name).read_text())


def write(target, name, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def response_parser():
    # Each sample as its own endpoint's answer, and once more unframed.
    for path in sorted(SAMPLES.glob("*.response.json")):
        operation = path.name.split(".")[0]
        write("response_parser", path.name, f"200 {operation} application/json\n".encode() + path.read_bytes())
    for path in sorted((SAMPLES / "errors").glob("*.json")) + [SAMPLES / "query_order_v2.paid.response.json"]:
        write("response_parser", "raw-" + path.name, path.read_bytes())
    cases = json.loads((RESPONSES / "cases.json").read_text())["cases"]
    for index, case in enumerate(cases):
        body = (ROOT / "crates/binancepay-http" / case["file"]).resolve().read_bytes()
        kind = "text/html" if case["file"].endswith(".html") else "application/json"
        write("response_parser", f"case-{index:02}", f"{case['status']} {kind}\n".encode() + body)


def webhook_bodies():
    bodies = {path.name: path.read_bytes() for path in sorted((SAMPLES / "webhooks").glob("*.json"))}
    for name in ("v3-webhook-1024", "v4-webhook-4096", "test-signing-key-1024", "v6-utf8"):
        bodies[name + ".body"] = (VECTORS / (name + ".body")).read_bytes()
    return bodies


def webhook_parse():
    for name, body in webhook_bodies().items():
        write("webhook_parse", name, body)


def webhook_frame(flags, ts, nonce, serial, signature, body):
    head = "\n".join([ts, nonce, serial, signature.strip()]) + "\n"
    return bytes([flags]) + head.encode() + body


def webhook_verify():
    # The vectors as Binance would deliver them (flags 0: string pairs, clock = header time).
    # V4 is left out: a 4096-bit verification under coverage instrumentation takes ~0.1 s, and
    # its mutants would eat the run; key_parse still covers the key.
    for name, serial in (
        ("v3-webhook-1024", SAMPLE_SERIAL),
        ("test-signing-key-1024", SERIAL_SIGNING),
    ):
        v = vector(name + ".toml")
        body = (VECTORS / v["body_file"]).read_bytes()
        for flags in (0x00, 0x02):
            write("webhook_verify", f"{name}-{flags:02x}", webhook_frame(
                flags, v["timestamp"], v["nonce"], serial, v["signature"], body))
    # Every webhook sample signed by the fixture key (flag bit 0), each clock.
    v3 = vector("v3-webhook-1024.toml")
    for index, (name, body) in enumerate(webhook_bodies().items()):
        flags = 0x01 | ((index % 4) << 2) | (0x02 if index % 2 else 0)
        write("webhook_verify", f"signed-{name}", webhook_frame(
            flags, v3["timestamp"], v3["nonce"], SERIAL_SIGNING, "", body))


def key_parse():
    for path in sorted(VECTORS.iterdir()):
        if path.suffix in (".pem", ".der"):
            write("key_parse", path.name, path.read_bytes())


def amount_parse():
    lines = lambda name: [json.loads(l) for l in (AMOUNTS / name).read_text().splitlines() if l.strip()]
    for i, row in enumerate(lines("arithmetic.jsonl")):
        write("amount_parse", f"arithmetic-{i:02}", f"{row['a']}\n{row['b']}")
    for i, row in enumerate(lines("invalid.jsonl")):
        write("amount_parse", f"invalid-{i:02}", row["text"])
    for i, row in enumerate(lines("valid.jsonl")):
        write("amount_parse", f"valid-{i:02}", row["text"])
    for i, row in enumerate(lines("json.jsonl")):
        # The JSON value as the first line: a number form and a string form.
        write("amount_parse", f"json-{i:02}", json.loads(row["string"])["a"])
        write("amount_parse", f"json-string-{i:02}", json.dumps(row["text"]))
    for i, row in enumerate(lines("json_invalid.jsonl")):
        value = row["json"].removeprefix('{"a":').removesuffix("}")
        write("amount_parse", f"json-invalid-{i:02}", value)


def id_parse():
    ids = set()
    for path in list(SAMPLES.rglob("*.json")):
        ids.update(re.findall(rb"(?<![\d.])\d{6,40}(?![\d.])", path.read_bytes()))
    ids = sorted(ids)
    for i, text in enumerate(ids):
        other = ids[(i + 1) % len(ids)]
        write("id_parse", f"sample-{i:03}", text + b"\n" + other)
    for i, text in enumerate([b"0", b"00", b"1" * 41, b"-1", b"1e5", b"12a", b'"123"', b'"\\u0031"']):
        write("id_parse", f"edge-{i:02}", text)


def request_auth():
    v0 = vector("v0-faq.toml")
    body = (VECTORS / v0["body_file"]).read_bytes()

    def frame(flags, path, body, signature, content_type="application/json"):
        head = (
            f"POST {path}\nContent-Type: {content_type}\nBinancePay-Timestamp: {v0['timestamp']}\n"
            f"BinancePay-Nonce: {v0['nonce']}\nBinancePay-Certificate-SN: {API_KEY}\n"
            f"BinancePay-Signature: {signature}\n\n"
        )
        return bytes([flags]) + head.encode() + body

    # Authentic as it is: V0's own signature, clock = header time.
    write("request_auth", "v0-faq", frame(0x02, "/binancepay/openapi/v2/order", body, v0["signature"]))
    write("request_auth", "v0-faq-stale", frame(0x00, "/binancepay/openapi/v2/order", body, v0["signature"]))
    # Every request sample, signed by the target (flag bit 0).
    for path in sorted(SAMPLES.glob("*.request.json")):
        write("request_auth", path.name, frame(0x03, "/binancepay/openapi/" + path.name.split(".")[0],
                                               path.read_bytes(), "0" * 128))
    write("request_auth", "get", b"\x03GET /\n\n{}")
    write("request_auth", "charset", frame(0x03, "/x", b"{}", "", "application/json; charset=utf-8"))


def validate():
    for path in sorted(SAMPLES.glob("*.request.json")):
        operation = path.name.split(".")[0]
        write("validate", path.name, operation.encode() + b"\n" + path.read_bytes())


if __name__ == "__main__":
    shutil.rmtree(SEEDS, ignore_errors=True)
    for make in (response_parser, webhook_parse, webhook_verify, key_parse, amount_parse, id_parse,
                 request_auth, validate):
        make()
    for directory in sorted(SEEDS.iterdir()):
        print(f"{directory.name}: {len(list(directory.iterdir()))} seeds")
