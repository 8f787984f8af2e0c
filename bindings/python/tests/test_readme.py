"""The README snippets, run as printed: every ```python block of bindings/python/README.md and of
the root README's Python section, with credentials and a key made here."""

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import binancepay_sign

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
ROOT_README = HERE.parents[2] / "README.md"
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
).decode()
API_KEY = "hx8wpbzmn5ftzkxfrzqwlvfsybadfdrxuzwxhjvbagbw6dmnafvffshpcfxgm2pj"
API_SECRET = "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f"


def python_blocks(text):
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def run(block, **extra):
    namespace = {
        "__name__": "readme",
        "API_KEY": API_KEY,
        "API_SECRET": API_SECRET,
        "BINANCE_PUBLIC_KEY_PEM": PUBLIC_PEM,
        **extra,
    }
    exec(compile(block, str(README), "exec"), namespace)
    return namespace


def expected_signature(headers, body):
    message = f"{headers['BinancePay-Timestamp']}\n{headers['BinancePay-Nonce']}\n".encode() + body + b"\n"
    return hmac.new(API_SECRET.encode(), message, hashlib.sha512).hexdigest().upper()


BLOCKS = python_blocks(README.read_text("utf-8"))


def test_the_readme_has_its_four_examples():
    assert len(BLOCKS) == 4


def test_payer_detail_example():
    ns = run(BLOCKS[3])
    assert ns["plaintext"] == "abc"
    assert ns["failure"] == "PAYER_DETAIL_AUTHENTICATION"


def test_quick_start():
    ns = run(BLOCKS[0])
    headers, body = ns["headers"], ns["body"]
    assert headers["BinancePay-Certificate-SN"] == API_KEY
    assert headers["BinancePay-Signature"] == expected_signature(headers, body)


def test_requests_example():
    ns = run(BLOCKS[1])
    prepared = ns["prepared"]
    assert prepared.method == "POST"
    assert prepared.url.endswith("/binancepay/openapi/v2/order/query")
    assert json.loads(prepared.body) == {"merchantTradeNo": "9825382937292"}
    assert prepared.headers["Content-Type"] == "application/json"
    # The bytes sent are the bytes signed.
    assert prepared.headers["BinancePay-Signature"] == expected_signature(prepared.headers, prepared.body)


def webhook(body, *, nonce=None, timestamp=None):
    nonce = nonce or binancepay_sign.new_nonce()
    timestamp = timestamp or str(__import__("time").time_ns() // 1_000_000)
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = base64.b64encode(PRIVATE_KEY.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {
        "BinancePay-Timestamp": timestamp,
        "BinancePay-Nonce": nonce,
        "BinancePay-Signature": signature,
        "BinancePay-Certificate-SN": "cert-serial",
        "Content-Type": "application/json",
    }


def test_flask_webhook_example():
    pytest.importorskip("flask")
    client = run(BLOCKS[2])["app"].test_client()
    body = b'{"bizType":"PAY","data":"{\\"merchantTradeNo\\":\\"9825382937292\\"}","bizStatus":"PAY_SUCCESS"}'
    ok = client.post("/binancepay/webhook", data=body, headers=webhook(body))
    assert ok.status_code == 200 and ok.get_json() == {"returnCode": "SUCCESS", "returnMessage": None}
    tampered = client.post("/binancepay/webhook", data=body.replace(b"PAY_SUCCESS", b"PAY_CLOSED"), headers=webhook(body))
    assert tampered.status_code == 401
    stale = client.post("/binancepay/webhook", data=body, headers=webhook(body, timestamp="1611232922428"))
    assert stale.status_code == 401
    malformed = client.post("/binancepay/webhook", data=body, headers=webhook(body, nonce="not-a-nonce"))
    assert malformed.status_code == 400 and malformed.get_json()["returnMessage"] == "NONCE_CHARACTER"
    missing = client.post("/binancepay/webhook", data=body, headers={"Content-Type": "application/json"})
    assert missing.status_code == 400


def root_python_section():
    text = ROOT_README.read_text("utf-8")
    start = text.index("## From Python")
    end = text.index("\n## ", start + 1)
    return python_blocks(text[start:end])


def test_root_readme_python_example():
    blocks = root_python_section()
    assert len(blocks) == 1
    body = b'{"merchantTradeNo":"9825382937292"}'
    webhook_body = b'{"bizType":"PAY"}'

    class Request:  # what the snippet reads of Flask's request
        headers = webhook(webhook_body)

        @staticmethod
        def get_data():
            return webhook_body

    ns = run(blocks[0], body=body, request=Request)
    assert ns["ok"] is True
    assert ns["headers"]["BinancePay-Signature"] == expected_signature(ns["headers"], body)
