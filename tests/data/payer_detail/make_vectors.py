#!/usr/bin/env python3
"""Writes vectors.json: payerDetail values encrypted with pyca/cryptography, independently of the
Rust code under test. Run: python3 -m venv /tmp/v && /tmp/v/bin/pip install cryptography &&
/tmp/v/bin/python tests/data/payer_detail/make_vectors.py > tests/data/payer_detail/vectors.json

The scheme (Binance Pay "Authentication" page, "Decryption instructions for merchant data
sharing"): key = SHA-256 of the API secret's UTF-8 bytes (AES-256); value = base64(IV[12] ||
AES-GCM ciphertext || tag[16]); no associated data. IVs are fixed here so the file is reproducible.
"""

import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SECRET = "mmqz3v0twbhxgyk6xyqtpwwfdu3wyspaqyhqunbzujsknagoijxeuakhctcxhibh"


def encrypt(secret: str, iv: bytes, plaintext: bytes) -> str:
    key = hashlib.sha256(secret.encode("utf-8")).digest()
    return base64.b64encode(iv + AESGCM(key).encrypt(iv, plaintext, None)).decode("ascii")


def flip(data: str, index: int) -> str:
    raw = bytearray(base64.b64decode(data))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def one_char_over(data: str) -> str:
    """Unpadded base64 one character past a multiple of four: never a valid length."""
    text = data.rstrip("=")
    return text + "A" * ((1 - len(text)) % 4)


payer = json.dumps(
    {"firstName": "Jane", "lastName": "Doe", "nationality": "FR", "dateOfBirth": "1990-01-31",
     "residentialAddress": "1 Rue de la Paix, 75002 Paris"},
    separators=(",", ":"),
)
utf8 = json.dumps({"firstName": "José", "lastName": "Müller-Čapek", "city": "東京"},
                  ensure_ascii=False, separators=(",", ":"))
iv1 = bytes(range(1, 13))
iv2 = bytes.fromhex("a1b2c3d4e5f60718293a4b5c")
iv3 = bytes(12)
good = encrypt(SECRET, iv1, payer.encode("utf-8"))

cases = [
    {"name": "json-ascii", "secret": SECRET, "data": good, "plaintext": payer},
    {"name": "json-utf8", "secret": SECRET, "data": encrypt(SECRET, iv2, utf8.encode("utf-8")),
     "plaintext": utf8},
    {"name": "empty-plaintext", "secret": SECRET, "data": encrypt(SECRET, iv3, b""), "plaintext": ""},
    {"name": "non-ascii-secret", "secret": "sécret-ключ", "data": encrypt("sécret-ключ", iv1, b"ok"),
     "plaintext": "ok"},
    {"name": "unpadded-base64", "secret": SECRET,
     "data": encrypt(SECRET, iv2, b"abc").rstrip("="), "plaintext": "abc"},
    {"name": "tampered-ciphertext", "secret": SECRET, "data": flip(good, 12), "error": "PAYER_DETAIL_AUTHENTICATION"},
    {"name": "tampered-iv", "secret": SECRET, "data": flip(good, 0), "error": "PAYER_DETAIL_AUTHENTICATION"},
    {"name": "tampered-tag", "secret": SECRET, "data": flip(good, len(base64.b64decode(good)) - 1),
     "error": "PAYER_DETAIL_AUTHENTICATION"},
    {"name": "wrong-secret", "secret": SECRET + "x", "data": good, "error": "PAYER_DETAIL_AUTHENTICATION"},
    {"name": "truncated-tag", "secret": SECRET,
     "data": base64.b64encode(base64.b64decode(good)[:-1]).decode("ascii"), "error": "PAYER_DETAIL_AUTHENTICATION"},
    {"name": "short-27-bytes", "secret": SECRET, "data": base64.b64encode(bytes(27)).decode("ascii"),
     "error": "PAYER_DETAIL_TOO_SHORT"},
    {"name": "short-iv-only", "secret": SECRET, "data": base64.b64encode(iv1).decode("ascii"),
     "error": "PAYER_DETAIL_TOO_SHORT"},
    {"name": "empty", "secret": SECRET, "data": "", "error": "PAYER_DETAIL_TOO_SHORT"},
    {"name": "bad-base64-character", "secret": SECRET, "data": good[:10] + "!" + good[11:],
     "error": "PAYER_DETAIL_BASE64"},
    {"name": "url-safe-alphabet", "secret": SECRET, "data": "-_" + good[2:], "error": "PAYER_DETAIL_BASE64"},
    {"name": "bad-base64-length", "secret": SECRET, "data": one_char_over(good),
     "error": "PAYER_DETAIL_BASE64"},
    {"name": "padding-in-the-middle", "secret": SECRET, "data": good[:8] + "=" + good[9:],
     "error": "PAYER_DETAIL_BASE64"},
    {"name": "not-utf8", "secret": SECRET, "data": encrypt(SECRET, iv3, b"\xff\xfe payer"),
     "error": "PAYER_DETAIL_UTF8"},
]

json.dump({"generator": "tests/data/payer_detail/make_vectors.py (pyca/cryptography AESGCM)",
           "cases": cases}, sys.stdout, ensure_ascii=False, indent=2)
sys.stdout.write("\n")
