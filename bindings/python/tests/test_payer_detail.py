"""decrypt_payer_detail on the shared vectors of tests/data/payer_detail (made with
pyca/cryptography; the Rust and npm tests read the same file), and against cryptography's AESGCM."""

import base64
import hashlib
import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import binancepay_sign
from conftest import ROOT

CASES = json.loads((ROOT / "tests" / "data" / "payer_detail" / "vectors.json").read_text("utf-8"))["cases"]


def test_the_shared_vectors_are_there():
    assert len([c for c in CASES if "plaintext" in c]) >= 4
    assert len([c for c in CASES if "error" in c]) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case):
    if "plaintext" in case:
        plaintext = binancepay_sign.decrypt_payer_detail(case["secret"], case["data"])
        assert isinstance(plaintext, str)
        assert plaintext == case["plaintext"]
    else:
        with pytest.raises(binancepay_sign.Error) as caught:
            binancepay_sign.decrypt_payer_detail(case["secret"], case["data"])
        assert isinstance(caught.value, ValueError)
        assert caught.value.code == case["error"], str(caught.value)
        assert str(caught.value).startswith("payerDetail: ")
        assert case["secret"] not in str(caught.value)


def test_what_cryptography_encrypts_with_a_random_iv_decrypts():
    secret = "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f"
    key = hashlib.sha256(secret.encode()).digest()
    for plaintext in ["", '{"firstName":"Ann"}', "ü€😀" * 100]:
        iv = os.urandom(12)
        data = base64.b64encode(iv + AESGCM(key).encrypt(iv, plaintext.encode(), None)).decode()
        assert binancepay_sign.decrypt_payer_detail(secret, data) == plaintext


def test_argument_types():
    data = CASES[0]["data"]
    with pytest.raises(binancepay_sign.Error) as caught:
        binancepay_sign.decrypt_payer_detail("", data)
    assert caught.value.code == "API_SECRET_EMPTY"
    with pytest.raises(TypeError):
        binancepay_sign.decrypt_payer_detail(b"secret", data)
    with pytest.raises(TypeError):
        binancepay_sign.decrypt_payer_detail(CASES[0]["secret"], data.encode())
