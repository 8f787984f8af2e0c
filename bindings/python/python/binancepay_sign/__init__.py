"""Binance Pay request signatures and webhook verification.

A thin layer over the Rust crate ``binancepay-sign``: every rule lives there.

* ``sign(secret, timestamp, nonce, body)``: the ``BinancePay-Signature`` of a request.
* ``RequestSigner(secret)``: ``.sign(...)`` and ``.headers(api_key, body)``, keyed once.
* ``verify_webhook(public_key_pem, timestamp, nonce, body, signature)``: a webhook's signature.
* ``new_nonce()``: a fresh 32-letter nonce.
* ``decrypt_payer_detail(secret, data)``: the plaintext of an encrypted ``payerDetail``.
* ``Error``: malformed input (a ``ValueError``); ``error.code`` names the rule.
"""

from ._native import Error, RequestSigner, decrypt_payer_detail, new_nonce, sign, verify_webhook

__all__ = ["Error", "RequestSigner", "decrypt_payer_detail", "new_nonce", "sign", "verify_webhook"]
