"""Random cases against Python's own hmac and the cryptography package."""

import base64
import hashlib
import hmac
import random
import secrets
import string
import threading
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import binancepay_sign

ALNUM = string.ascii_letters + string.digits
rng = random.Random(secrets.randbits(64))


def random_text(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def random_unicode(n):
    ranges = [(0x20, 0x7E), (0xA0, 0x7FF), (0x4E00, 0x9FFF), (0x1F300, 0x1F5FF)]
    out = []
    for _ in range(n):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def random_timestamp():
    return rng.randrange(10**11, 10**14)


def reference(secret, timestamp, nonce, body):
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest().upper()


def test_sign_equals_hmac():
    for i in range(300):
        secret = random_unicode(rng.randint(1, 200)) if i % 3 == 0 else random_text(ALNUM, rng.randint(1, 200))
        ts = random_timestamp()
        nonce = random_text(ALNUM, 32)
        body = rng.randbytes(rng.randint(0, 5000))
        assert binancepay_sign.sign(secret, ts, nonce, body) == reference(secret, ts, nonce, body)
        text = random_unicode(rng.randint(0, 800))
        expected = reference(secret, ts, nonce, text.encode())
        assert binancepay_sign.sign(secret, ts, nonce, text) == expected
        assert binancepay_sign.RequestSigner(secret).sign(ts, nonce, text) == expected


def test_large_bodies():
    signer = binancepay_sign.RequestSigner("secret")
    for size in (16 * 1024 - 1, 16 * 1024, 1 << 20):
        body = rng.randbytes(size)
        ts, nonce = random_timestamp(), binancepay_sign.new_nonce()
        assert signer.sign(ts, nonce, body) == reference("secret", ts, nonce, body)


def test_headers():
    api_key, secret = random_text(ALNUM, 64), random_text(ALNUM, 64)
    body = b'{"merchantTradeNo":"9825382937292","orderAmount":"25.17","currency":"USDT"}'
    signer = binancepay_sign.RequestSigner(secret)
    before = int(time.time() * 1000)
    headers = signer.headers(api_key, body)
    after = int(time.time() * 1000)
    assert sorted(headers) == [
        "BinancePay-Certificate-SN",
        "BinancePay-Nonce",
        "BinancePay-Signature",
        "BinancePay-Timestamp",
    ]
    assert headers["BinancePay-Certificate-SN"] == api_key
    nonce = headers["BinancePay-Nonce"]
    assert len(nonce) == 32 and nonce.isascii() and nonce.isalpha()
    ts = int(headers["BinancePay-Timestamp"])
    assert before <= ts <= after
    assert headers["BinancePay-Signature"] == reference(secret, ts, nonce, body)
    fixed = signer.headers(api_key, body.decode(), timestamp=1611232922428, nonce="5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA")
    assert fixed["BinancePay-Timestamp"] == "1611232922428"
    assert fixed["BinancePay-Signature"] == reference(secret, 1611232922428, "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA", body)
    assert "REDACTED" in repr(signer) and secret not in repr(signer)


def test_new_nonce():
    seen = {binancepay_sign.new_nonce() for _ in range(1000)}
    assert len(seen) == 1000
    assert all(len(n) == 32 and n.isascii() and n.isalpha() for n in seen)


@pytest.mark.parametrize("bits", [1024, 2048, 4096])
def test_verify_webhook_agrees_with_cryptography(bits):
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    public_key = private_key.public_key()
    pems = [
        public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode(),
    ]
    for i in range(30 if bits < 4096 else 10):
        ts, nonce = str(random_timestamp()), random_text(ALNUM, 32)
        body = rng.randbytes(rng.randint(0, 3000))
        message = f"{ts}\n{nonce}\n".encode() + body + b"\n"
        raw = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        signature = base64.b64encode(raw).decode()
        pem = pems[i % 2]
        assert binancepay_sign.verify_webhook(pem, ts, nonce, body, signature)
        assert binancepay_sign.verify_webhook(pem, int(ts), nonce, body, signature + "\n")
        assert not binancepay_sign.verify_webhook(pem, ts, nonce, body + b"x", signature)
        assert not binancepay_sign.verify_webhook(pem, ts, random_text(ALNUM, 32), body, signature)
        assert not binancepay_sign.verify_webhook(pem, str(int(ts) + 1), nonce, body, signature)
        flipped = bytearray(raw)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        assert not binancepay_sign.verify_webhook(pem, ts, nonce, body, base64.b64encode(bytes(flipped)).decode())


def test_max_age(v3):
    pem, ts, nonce, body, signature = v3
    t = int(ts)
    assert binancepay_sign.verify_webhook(pem, ts, nonce, body, signature, max_age_seconds=300, now_ms=t + 300_000)
    assert not binancepay_sign.verify_webhook(pem, ts, nonce, body, signature, max_age_seconds=300, now_ms=t + 300_001)
    assert not binancepay_sign.verify_webhook(pem, ts, nonce, body, signature, max_age_seconds=300, now_ms=t - 300_001)
    assert not binancepay_sign.verify_webhook(pem, ts, nonce, body, signature, max_age_seconds=300)  # years ago
    assert binancepay_sign.verify_webhook(pem, ts, nonce, body, signature, now_ms=t + 10**9)


def test_gil_is_released_while_hashing_a_large_body():
    body = rng.randbytes(64 << 20)
    signer = binancepay_sign.RequestSigner("secret")
    done = threading.Event()
    result = []

    def work():
        result.append(signer.sign(1611232922428, "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA", body))
        done.set()

    ticks = 0
    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    worker.join()
    assert result[0] == reference("secret", 1611232922428, "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA", body)
    # With the GIL held for the whole hash (tens of milliseconds), this loop could only run
    # before the worker entered it; released, it spins thousands of times meanwhile.
    assert ticks > 100, ticks
