"""Binance Pay request signatures and webhook verification.

A thin layer over the Rust crate ``binancepay-sign``: every rule lives there.

* ``sign(secret, timestamp, nonce, body)``: the ``BinancePay-Signature`` of a request.
* ``RequestSigner(secret)``: ``.sign(...)`` and ``.headers(api_key, body)``, keyed once.
* ``verify_webhook(public_key_pem, timestamp, nonce, body, signature)``: a webhook's signature.
* ``new_nonce()``: a fresh 32-letter nonce.
* ``Error``: malformed input (a ``ValueError``); ``error.code`` names the rule.
"""

from ._native import Error, RequestSigner, new_nonce, sign, verify_webhook

__all__ = ["Error", "RequestSigner", "new_nonce", "sign", "verify_webhook"]
