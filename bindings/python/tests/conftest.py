"""Shared fixtures: the repository's vector files (crates/binancepay-sign/tests/vectors)."""

from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "crates" / "binancepay-sign" / "tests" / "vectors"


def load_vectors():
    return [
        dict(tomllib.loads(path.read_text("utf-8")), name=path.name)
        for path in sorted(VECTORS.glob("*.toml"))
    ]


def vector_file(name):
    return (VECTORS / name).read_bytes()


@pytest.fixture(scope="session")
def v3():
    """The 1024-bit webhook vector: (pem, timestamp, nonce, body, signature)."""
    vector = dict(tomllib.loads((VECTORS / "v3-webhook-1024.toml").read_text("utf-8")))
    return (
        vector_file(vector["public_key_file"]).decode(),
        vector["timestamp"],
        vector["nonce"],
        vector_file(vector["body_file"]),
        vector["signature"].strip(),
    )
