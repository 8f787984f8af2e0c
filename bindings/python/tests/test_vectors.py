"""The repository's signature vectors through the package."""

import base64
import hashlib
import hmac

import pytest

import binancepay_sign
from conftest import load_vectors, vector_file

VECTORS = load_vectors()


def by_kind(*kinds):
    found = [v for v in VECTORS if v["kind"] in kinds]
    assert found, f"no {kinds} vector"
    return [pytest.param(v, id=v["name"]) for v in found]


@pytest.mark.parametrize("v", by_kind("request"))
def test_request_vectors(v):
    body = vector_file(v["body_file"])
    if v["strict"]:
        ts = int(v["timestamp"])
        assert binancepay_sign.sign(v["secret"], ts, v["nonce"], body) == v["signature"]
        assert binancepay_sign.sign(v["secret"], ts, v["nonce"], body.decode("utf-8")) == v["signature"]
        assert binancepay_sign.RequestSigner(v["secret"]).sign(ts, v["nonce"], bytearray(body)) == v["signature"]
    else:
        # Binance would refuse these headers (seconds, short nonce): so does sign().
        with pytest.raises(binancepay_sign.Error) as caught:
            binancepay_sign.sign(v["secret"], int(v["timestamp"]), v["nonce"], body)
        assert caught.value.code.startswith(("TIMESTAMP_", "NONCE_"))
        payload = v["timestamp"].encode() + b"\n" + v["nonce"].encode() + b"\n" + body + b"\n"
        assert hmac.new(v["secret"].encode(), payload, hashlib.sha512).hexdigest().upper() == v["signature"]


@pytest.mark.parametrize("v", by_kind("payload"))
def test_payload_vectors(v):
    payload = vector_file(v["payload_file"])
    expected = hmac.new(b"any secret", payload, hashlib.sha512).hexdigest().upper()
    body = vector_file(v["body_file"])
    assert binancepay_sign.sign("any secret", int(v["timestamp"]), v["nonce"], body) == expected


@pytest.mark.parametrize("v", by_kind("webhook", "signing"))
def test_webhook_vectors(v):
    body = vector_file(v["body_file"])
    pems = [v["public_key_file"]] + ([v["public_key_pkcs1_pem_file"]] if "public_key_pkcs1_pem_file" in v else [])
    for pem_file in pems:
        pem = vector_file(pem_file).decode()
        assert binancepay_sign.verify_webhook(pem, v["timestamp"], v["nonce"], body, v["signature"])
        assert binancepay_sign.verify_webhook(pem, int(v["timestamp"]), v["nonce"], body, v["signature"])
        for negative in v.get("negative", []):
            tampered, signature = bytearray(body), v["signature"].strip()
            variant = negative["variant"]
            if variant == "no_trailing_lf":
                tampered += b"\n"  # the framing's last LF is the package's to add
            elif variant == "replace_body":
                tampered = bytearray(bytes(tampered).replace(negative["from"].encode(), negative["to"].encode()))
            elif variant == "flip_body_byte":
                tampered[negative["index"]] ^= 1
            elif variant == "flip_signature_byte":
                raw = bytearray(base64.b64decode(signature))
                raw[negative["index"]] ^= 1
                signature = base64.b64encode(bytes(raw)).decode()
            else:
                pytest.fail(f"unknown negative variant {variant}")
            assert not binancepay_sign.verify_webhook(pem, v["timestamp"], v["nonce"], bytes(tampered), signature), variant
