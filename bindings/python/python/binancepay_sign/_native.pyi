from typing import Optional, Union

class Error(ValueError):
    """Malformed input. ``str(error)`` names the field and the rule; ``code`` is stable
    (``"TIMESTAMP_IN_SECONDS"``, ``"NONCE_LENGTH"``, ``"KEY_PEM"``, ``"SIGNATURE_BASE64"``, ...)."""

    code: str

def sign(secret: str, timestamp: int, nonce: str, body: Union[bytes, bytearray, str]) -> str:
    """Upper-case hex HMAC-SHA512 of ``timestamp\\nnonce\\nbody\\n`` (epoch ms; 32-character
    nonce; str bodies are signed as UTF-8)."""

def new_nonce() -> str:
    """A fresh nonce: 32 ASCII letters from the operating system's random number generator."""

class RequestSigner:
    """Signs requests with one API secret, keyed once: reuse it for every request."""

    def __init__(self, secret: str) -> None: ...
    def sign(self, timestamp: int, nonce: str, body: Union[bytes, bytearray, str]) -> str:
        """The request signature, as ``sign`` with this signer's secret."""
    def headers(
        self,
        api_key: str,
        body: Union[bytes, bytearray, str],
        timestamp: Optional[int] = None,
        nonce: Optional[str] = None,
    ) -> dict[str, str]:
        """The four ``BinancePay-*`` headers (timestamp defaults to now, nonce to a fresh one)."""

def verify_webhook(
    public_key_pem: str,
    timestamp: Union[str, int],
    nonce: str,
    body: Union[bytes, bytearray, str],
    signature: str,
    max_age_seconds: Optional[int] = None,
    now_ms: Optional[int] = None,
) -> bool:
    """True when the base64 RSA-SHA256 ``signature`` verifies over ``timestamp\\nnonce\\nbody\\n``
    (and, with ``max_age_seconds``, the timestamp is that fresh); False for a well-formed signature
    that does not verify or a stale timestamp. Malformed input raises ``Error``."""

def decrypt_payer_detail(secret: str, data: str) -> str:
    """The plaintext of a ``paymentInfo.payerDetail`` value (base64 of a 12-byte IV, AES-GCM
    ciphertext and tag, under SHA-256 of the API secret). Raises ``Error`` with
    ``PAYER_DETAIL_AUTHENTICATION`` (another secret, or altered data), ``PAYER_DETAIL_BASE64``,
    ``PAYER_DETAIL_TOO_SHORT`` or ``PAYER_DETAIL_UTF8``."""
