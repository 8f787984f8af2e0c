"""Binance's new platform certificate: a webhook may carry BinancePay-Certificate-SN-New and
BinancePay-Signature-New beside (or instead of) the usual pair. Each pair verifies with the same
verify_webhook, under the key its own certificates endpoint lists for its serial; the
signatures are made here with pyca/cryptography, an independent implementation."""

import base64
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import binancepay_sign

NONCE = "WzUn0wcV5hvWpEvSyHcxbrsF1eBHOFCU"
BODY = b'{"bizType":"PAY","bizIdStr":"29383937493038367292","bizStatus":"PAY_SUCCESS","data":"{}"}'


def key_pair():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, pem


def sign_with(private, timestamp, body):
    message = f"{timestamp}\n{NONCE}\n".encode() + body + b"\n"
    return base64.b64encode(private.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def test_both_pairs_verify_each_under_its_own_key():
    old_private, old_pem = key_pair()
    new_private, new_pem = key_pair()
    timestamp = str(int(time.time() * 1000))
    headers = {
        "BinancePay-Signature": sign_with(old_private, timestamp, BODY),
        "BinancePay-Signature-New": sign_with(new_private, timestamp, BODY),
    }
    verify = binancepay_sign.verify_webhook
    assert verify(old_pem, timestamp, NONCE, BODY, headers["BinancePay-Signature"], max_age_seconds=300)
    assert verify(new_pem, timestamp, NONCE, BODY, headers["BinancePay-Signature-New"], max_age_seconds=300)
    # Keys are not interchangeable between the pairs.
    assert not verify(old_pem, timestamp, NONCE, BODY, headers["BinancePay-Signature-New"])
    assert not verify(new_pem, timestamp, NONCE, BODY, headers["BinancePay-Signature"])
    # Tampering breaks the -New pair like any other.
    assert not verify(new_pem, timestamp, NONCE, BODY + b" ", headers["BinancePay-Signature-New"])


def test_the_key_is_found_by_the_new_serial_whatever_the_list_order():
    pairs = [key_pair() for _ in range(3)]
    listed = [{"certSerial": f"serial-{i}", "certPublic": pem} for i, (_, pem) in enumerate(pairs)]
    listed.reverse()
    timestamp = str(int(time.time() * 1000))
    signature = sign_with(pairs[1][0], timestamp, BODY)
    found = next(c for c in listed if c["certSerial"] == "serial-1")
    assert binancepay_sign.verify_webhook(found["certPublic"], timestamp, NONCE, BODY, signature)
    assert not binancepay_sign.verify_webhook(listed[0]["certPublic"], timestamp, NONCE, BODY, signature)
