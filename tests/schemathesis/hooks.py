"""Schemathesis hooks for fuzzing the binancepay-rs sandbox against spec/openapi.json.

Loaded with SCHEMATHESIS_HOOKS=hooks (this directory on PYTHONPATH). Needs BINANCEPAY_API_KEY and
BINANCEPAY_API_SECRET (the sandbox prints them). Pinned to schemathesis 4.32.5: it uses that
version's requests-transport serializer hook, which can add headers.

- Every JSON body is serialised once; those bytes are signed (HMAC-SHA512, upper-case hex, over
  timestamp\\nnonce\\nbody\\n) and those bytes are sent, with the four BinancePay-* headers.
- One more check: invalid input gets a FAIL with a documented code, and a 4001xx code names the
  field.
- Counts (requests per operation, by generation mode) go to $SCHEMATHESIS_COUNTS at exit.
"""

import atexit
import hashlib
import hmac
import json
import os
import secrets
import string
import time
from collections import Counter

import schemathesis
from schemathesis.transport.requests import REQUESTS_TRANSPORT

API_KEY = os.environ["BINANCEPAY_API_KEY"]
API_SECRET = os.environ["BINANCEPAY_API_SECRET"].encode()
NONCE_ALPHABET = string.ascii_letters + string.digits
SPEC = os.environ.get("OPENAPI_DOCUMENT", "spec/openapi.json")

COUNTS = Counter()


def signing_headers(body: bytes) -> dict:
    timestamp = str(int(time.time() * 1000))
    nonce = "".join(secrets.choice(NONCE_ALPHABET) for _ in range(32))
    payload = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    signature = hmac.new(API_SECRET, payload, hashlib.sha512).hexdigest().upper()
    return {
        "BinancePay-Timestamp": timestamp,
        "BinancePay-Nonce": nonce,
        "BinancePay-Certificate-SN": API_KEY,
        "BinancePay-Signature": signature,
    }


@REQUESTS_TRANSPORT.serializer("application/json", "text/json")
def signed_json(ctx, value):
    # Serialise once, sign those bytes, send those bytes.
    if isinstance(value, bytes):
        body = value
    else:
        body = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    return {"data": body, "headers": signing_headers(body)}


@schemathesis.hook
def after_call(context, case, response):
    mode = "negative" if case.meta is not None and case.meta.generation.mode.is_negative else "positive"
    COUNTS[f"{case.operation.method.upper()} {case.operation.path} {mode}"] += 1


def _field_names():
    """Every property name of every request schema (the words a 4001xx message may name)."""
    names = set()
    with open(SPEC, encoding="utf-8") as file:
        document = json.load(file)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                names.add(key)
                walk(value)
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document["components"]["schemas"])
    codes = set()
    for option in document["components"]["schemas"]["ResultCode"]["anyOf"]:
        if "const" in option:
            codes.add(option["const"])
    return names, codes


FIELD_NAMES, DOCUMENTED_CODES = _field_names()


@schemathesis.check
def documented_parameter_error(ctx, response, case):
    """Invalid input gets a FAIL with a documented code; a 4001xx code names the field."""
    if case.meta is None or not case.meta.generation.mode.is_negative:
        return None
    if response.status_code < 400:
        return None  # negative_data_rejection reports invalid input that was accepted.
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"a refused request got no JSON envelope: {response.content[:200]!r}")
    if not isinstance(body, dict) or body.get("status") not in ("FAIL", "ERROR"):
        raise AssertionError(f"a refused request got no FAIL envelope: {body!r}")
    code = body.get("code")
    if code not in DOCUMENTED_CODES:
        raise AssertionError(f"code {code!r} is not documented in ResultCode: {body!r}")
    if str(code).startswith("4001"):
        message = body.get("errorMessage") or ""
        words = {w.strip("`'\"[]().,:;") for w in message.replace("[", " [").replace(".", " ").split()}
        if not words & FIELD_NAMES and "body" not in message:
            raise AssertionError(f"{code} does not name a field: {message!r}")
    return True


def _write_counts():
    path = os.environ.get("SCHEMATHESIS_COUNTS")
    if not path:
        return
    operations = sorted({key.rsplit(" ", 1)[0] for key in COUNTS})
    summary = {
        "requests": sum(COUNTS.values()),
        "positive": sum(v for k, v in COUNTS.items() if k.endswith("positive")),
        "negative": sum(v for k, v in COUNTS.items() if k.endswith("negative")),
        "operations": len(operations),
        "per_operation": dict(sorted(COUNTS.items())),
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(summary, file, indent=1)


atexit.register(_write_counts)
