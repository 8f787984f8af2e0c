"""Malformed input: binancepay_sign.Error (a ValueError) with a stable code, or TypeError."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import binancepay_sign

NONCE = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA"
TS = 1611232922428


def raises(code, fn, *args, match=None, **kwargs):
    with pytest.raises(binancepay_sign.Error) as caught:
        fn(*args, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == code, str(caught.value)
    if match:
        assert str(caught.value).startswith(match), str(caught.value)


def pkcs1_pem(modulus, exponent=b"\x01\x00\x01"):
    """An RSA PUBLIC KEY PEM of the given modulus (cryptography will not make small keys)."""

    def integer(value):
        value = b"\x00" + value if value[0] & 0x80 else value
        return b"\x02" + length(len(value)) + value

    def length(n):
        return bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xFF])

    body = integer(modulus) + integer(exponent)
    der = b"\x30" + length(len(body)) + body
    return "-----BEGIN RSA PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END RSA PUBLIC KEY-----\n"


def test_error_is_a_value_error():
    assert issubclass(binancepay_sign.Error, ValueError)
    assert binancepay_sign.Error.__module__ == "binancepay_sign"


def test_sign_rules():
    sign = binancepay_sign.sign
    raises("TIMESTAMP_IN_SECONDS", sign, "s", 1636876819, NONCE, b"", match="timestamp:")
    raises("TIMESTAMP_TOO_LARGE", sign, "s", 10**14, NONCE, b"")
    raises("TIMESTAMP_SYNTAX", sign, "s", -1, NONCE, b"", match="timestamp:")
    raises("TIMESTAMP_SYNTAX", sign, "s", 2**64, NONCE, b"")
    raises("NONCE_LENGTH", sign, "s", TS, "abc", b"", match="nonce: 3 bytes")
    raises("NONCE_CHARACTER", sign, "s", TS, NONCE[:31] + "-", b"", match="nonce: byte 31")
    raises("API_SECRET_EMPTY", sign, "", TS, NONCE, b"", match="api secret:")
    raises("API_SECRET_EMPTY", binancepay_sign.RequestSigner, "")


def test_wrong_types_are_type_errors():
    for args in [
        (b"s", TS, NONCE, b""),
        ("s", "1611232922428", NONCE, b""),
        ("s", 1611232922428.0, NONCE, b""),
        ("s", True, NONCE, b""),
        ("s", TS, None, b""),
        ("s", TS, NONCE, 42),
        ("s", TS, NONCE, [1, 2]),
    ]:
        with pytest.raises(TypeError):
            binancepay_sign.sign(*args)


def test_headers_rules():
    signer = binancepay_sign.RequestSigner("s")
    raises("API_KEY_LENGTH", signer.headers, "", b"{}", match="api key:")
    raises("API_KEY_LENGTH", signer.headers, "a" * 129, b"{}")
    raises("API_KEY_CHARACTER", signer.headers, "key\r\nX-Evil: 1", b"{}")
    raises("TIMESTAMP_IN_SECONDS", signer.headers, "key", b"{}", timestamp=1636876819)
    raises("NONCE_LENGTH", signer.headers, "key", b"{}", nonce="short")
    with pytest.raises(TypeError):
        signer.headers(7, b"{}")


def test_verify_webhook_keys(v3):
    _, ts, nonce, body, signature = v3

    def check(pem):
        return binancepay_sign.verify_webhook(pem, ts, nonce, body, signature)

    raises("KEY_PEM", check, "not a pem", match="public key:")
    raises("KEY_PEM", check, "")
    raises("KEY_PEM_LABEL", check, v3[0].replace("PUBLIC KEY", "CERTIFICATE"))
    raises("KEY_DER", check, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    ec_pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raises("KEY_ALGORITHM", check, ec_pem.decode())
    raises("KEY_SIZE", check, pkcs1_pem(b"\xc5" * 64), match="rsa key: modulus of 512 bits")
    raises("KEY_PARAMETERS", check, pkcs1_pem(b"\xc5" * 127 + b"\xc4"))
    raises("KEY_PARAMETERS", check, pkcs1_pem(b"\xc5" * 128, b"\x01\x00\x00"))
    with pytest.raises(TypeError):
        check(None)


def test_verify_webhook_values(v3):
    pem, ts, nonce, body, signature = v3
    verify = binancepay_sign.verify_webhook
    raises("SIGNATURE_BASE64", verify, pem, ts, nonce, body, "not base64!", match="signature:")
    raises("SIGNATURE_LENGTH", verify, pem, ts, nonce, body, signature[:-4])
    raises("TIMESTAMP_IN_SECONDS", verify, pem, "1611232922", nonce, body, signature)
    raises("TIMESTAMP_SYNTAX", verify, pem, "abc", nonce, body, signature)
    raises("NONCE_LENGTH", verify, pem, ts, "", body, signature, match="nonce:")
    raises("NONCE_CHARACTER", verify, pem, ts, "ab\ncd", body, signature)
    raises("ARGUMENT_RANGE", verify, pem, ts, nonce, body, signature, max_age_seconds=-1, match="max_age_seconds:")
    raises("TIMESTAMP_IN_SECONDS", verify, pem, ts, nonce, body, signature, max_age_seconds=1, now_ms=5)
    with pytest.raises(TypeError):
        verify(pem, 1.5, nonce, body, signature)
    with pytest.raises(TypeError):
        verify(pem, ts, nonce, body, signature, max_age_seconds="300")
    assert verify(pem, ts, nonce, body, signature)


def test_random_garbage_never_crashes(v3):
    import random

    rng = random.Random(1)
    pool = [
        "",
        "A" * 32,
        "abc",
        "1611232922428",
        -1,
        10**30,
        b"\xff\xfe",
        None,
        3.5,
        "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----",
        "\udcff",
        v3[0],
        v3[4],
    ]
    for _ in range(3000):
        fn = rng.choice([binancepay_sign.sign, binancepay_sign.verify_webhook])
        args = [rng.choice(pool) for _ in range(4 if fn is binancepay_sign.sign else 5)]
        try:
            fn(*args)
        except (binancepay_sign.Error, TypeError):
            pass
    pem, ts, nonce, body, signature = v3
    assert binancepay_sign.verify_webhook(pem, ts, nonce, body, signature)
