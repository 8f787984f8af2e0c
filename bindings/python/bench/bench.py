"""The Python package against Python's own references, side by side in one run, paired rounds.

    python bindings/python/bench/bench.py [--rounds N] [--ms M]

Pairs (ours / reference, median of the per-round ratios; the first side alternates per round):
  sign:    binancepay_sign.sign vs hmac.new(secret, payload, hashlib.sha512).hexdigest().upper()
  verify:  verify_webhook (RSA-2048) vs cryptography's public_key.verify with the key loaded once
           (base64 decoding and building the signed message included on both sides)
  headers: RequestSigner.headers + json.dumps + a no-op post vs the official connector's
           Merchant.send_signed_request with its session's post replaced by a no-op
           (needs `pip install binance-pay-connector==1.0.0`; skipped without it)
Inputs: the typical v3 order (benches/data/create_order_v3.json) and benches/data's 2048-bit key.
"""

import argparse
import base64
import hashlib
import hmac
import json
import platform
import statistics
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import binancepay_sign

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "benches" / "data"
API_KEY = "TestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
SECRET = "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f"
TS = 1611232922428
NONCE = "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA"


def timed(fn, round_s):
    """ns per call over about round_s seconds (iteration count calibrated per side)."""
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= round_s * 1e9:
            return elapsed / n
        n = max(n * 2, int(n * round_s * 1e9 / max(elapsed, 1)) + 1)


def pair(label, ours, reference, rounds, round_s):
    ours()
    reference()
    ours_ns, ref_ns, ratios = [], [], []
    for r in range(rounds):
        if r % 2 == 0:
            a = timed(ours, round_s)
            b = timed(reference, round_s)
        else:
            b = timed(reference, round_s)
            a = timed(ours, round_s)
        ours_ns.append(a)
        ref_ns.append(b)
        ratios.append(a / b)
    q = statistics.quantiles(ratios, n=10) if len(ratios) > 1 else [ratios[0]] * 9
    print(
        f"{label}: ours {min(ours_ns):.0f}/{statistics.median(ours_ns):.0f} ns, "
        f"reference {min(ref_ns):.0f}/{statistics.median(ref_ns):.0f} ns (best/median), "
        f"ratio median {statistics.median(ratios):.3f} (p10 {q[0]:.3f}, p90 {q[-1]:.3f})"
    )
    print(
        f"RESULT runtime=python pair={label} ours_ns={statistics.median(ours_ns):.1f} "
        f"ref_ns={statistics.median(ref_ns):.1f} ratio={statistics.median(ratios):.4f} rounds={rounds}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--ms", type=float, default=100)
    args = parser.parse_args()
    round_s = args.ms / 1000

    order = json.loads((DATA / "create_order_v3.json").read_text())
    body = json.dumps(order, separators=(",", ":")).encode()
    secret_bytes = SECRET.encode()

    def reference_sign():
        payload = f"{TS}\n{NONCE}\n".encode() + body + b"\n"
        return hmac.new(secret_bytes, payload, hashlib.sha512).hexdigest().upper()

    def ours_sign():
        return binancepay_sign.sign(SECRET, TS, NONCE, body)

    assert ours_sign() == reference_sign()

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private_key = load_pem_private_key((DATA / "webhook-key-2048.pkcs8.pem").read_bytes(), password=None)
    public_key = private_key.public_key()
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    webhook_body = (DATA / "pay_webhook.json").read_bytes()
    ts_text = str(TS)
    message = f"{ts_text}\n{NONCE}\n".encode() + webhook_body + b"\n"
    signature = base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()

    def reference_verify():
        signed = f"{ts_text}\n{NONCE}\n".encode() + webhook_body + b"\n"
        try:
            public_key.verify(base64.b64decode(signature), signed, padding.PKCS1v15(), hashes.SHA256())
            return True
        except InvalidSignature:
            return False

    def ours_verify():
        return binancepay_sign.verify_webhook(pem, ts_text, NONCE, webhook_body, signature)

    assert ours_verify() and reference_verify()

    print(
        f"python {platform.python_version()}; body {len(body)} B; webhook body {len(webhook_body)} B; "
        f"{args.rounds} paired rounds of ~{args.ms:.0f} ms per side"
    )
    pair("sign_vs_hmac", ours_sign, reference_sign, args.rounds, round_s)
    signer = binancepay_sign.RequestSigner(SECRET)
    pair("RequestSigner.sign_vs_hmac", lambda: signer.sign(TS, NONCE, body), reference_sign, args.rounds, round_s)
    pair("verify_webhook_2048_vs_cryptography", ours_verify, reference_verify, args.rounds, round_s)

    try:
        from binance.pay.merchant import Merchant
    except ImportError:
        print("headers_vs_connector: skipped (pip install binance-pay-connector==1.0.0)")
        return

    class Canned:
        text = '{"status":"SUCCESS","code":"000000","data":{"prepayId":"384582194812551168"}}'

        def json(self):
            return json.loads(self.text)

    canned = Canned()
    merchant = Merchant(API_KEY, SECRET, base_url="http://127.0.0.1:9")
    merchant.session.post = lambda **params: canned
    path = "/binancepay/openapi/v3/order"
    url = "http://127.0.0.1:9" + path

    def no_network(url, data, headers):
        return canned

    def ours_request():
        # What a merchant writes with this package: serialise once, sign, hand to the client.
        data = json.dumps(order, separators=(",", ":")).encode()
        headers = signer.headers(API_KEY, data)
        headers["Content-Type"] = "application/json"
        return no_network(url, data=data, headers=headers)

    def connector_request():
        return merchant.send_signed_request("POST", path, order)

    pair("headers_vs_connector", ours_request, connector_request, args.rounds, round_s)


if __name__ == "__main__":
    main()
