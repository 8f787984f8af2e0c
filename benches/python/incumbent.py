"""The incumbent, Binance's official Python connector (`binance-pay-connector` on PyPI), measured
the way benches/src/bin/loadgen.rs measures ours, printing the same `RESULT key=value` lines.

  python incumbent.py sign [--iterations N] [--rounds R]
      Signed v3 create-order through the connector's own call path
      (`Merchant.send_signed_request`: clock, nonce, json.dumps, HMAC-SHA512, session headers,
      dispatch), with the session's `post` replaced by a no-op returning a canned answer.
  python incumbent.py run --url URL [--concurrency C] [--duration S] [--warmup S] [--mix M]
      The same calls against a server (the sandbox), one thread and one Merchant (one
      requests.Session) per caller, keep-alive. Mix weights of `create` and `query`.

Credentials come from BINANCEPAY_API_KEY / BINANCEPAY_API_SECRET for `run`.
The order is benches/data/create_order_v3.json, the file loadgen sends.
"""

import argparse
import copy
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

from binance.pay.merchant import Merchant

V3_ORDER_PATH = "/binancepay/openapi/v3/order"
DATA = Path(__file__).resolve().parent.parent / "data"
# A fixed key and secret for the offline loop (the same as the Rust fixtures).
OFFLINE_KEY = "TestKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
OFFLINE_SECRET = "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f"


def load_order():
    with open(DATA / "create_order_v3.json", "rb") as f:
        return json.load(f)


class CannedResponse:
    """What `send_signed_request` reads from a response: `.text` and `.json()`."""

    text = '{"status":"SUCCESS","code":"000000","data":{"prepayId":"384582194812551168"}}'
    _data = json.loads(text)

    def json(self):
        return self._data


def sign(args):
    merchant = Merchant(OFFLINE_KEY, OFFLINE_SECRET, base_url="http://127.0.0.1:9")
    canned = CannedResponse()
    sent = {}

    def no_network(**params):
        sent.update(params)
        return canned

    # send_signed_request looks the method up on the session on every call.
    merchant.session.post = no_network
    order = load_order()
    call = merchant.send_signed_request
    rounds = []
    for _ in range(max(1, args.rounds)):
        n = max(1, args.iterations)
        started = time.perf_counter_ns()
        for _ in range(n):
            call("POST", V3_ORDER_PATH, order)
        rounds.append((time.perf_counter_ns() - started) / n)
    rounds.sort()
    median = rounds[len(rounds) // 2]
    body = sent["data"].encode("utf-8")
    print(
        f"Merchant.send_signed_request(create-order v3, {len(body)} B body, post replaced): "
        f"median {median:.0f} ns, best {rounds[0]:.0f} ns"
    )
    print(
        f"RESULT label=sign side=python body_bytes={len(body)} ns_per_op={median:.1f} "
        f"best_ns_per_op={rounds[0]:.1f} iterations={args.iterations} rounds={len(rounds)}"
    )


def parse_mix(mix):
    schedule = []
    for part in filter(None, (p.strip() for p in mix.split(","))):
        name, _, weight = part.partition(":")
        if name not in ("create", "query"):
            raise SystemExit(f"--mix: unknown operation {name!r} (create, query)")
        schedule += [name] * int(weight or "1")
    if not schedule:
        raise SystemExit("--mix: no operation")
    return schedule


class Worker(threading.Thread):
    def __init__(self, ident, args, key, secret, schedule, prefix, measure_from, until):
        super().__init__(daemon=True)
        self.ident_ = ident
        self.merchant = Merchant(key, secret, base_url=args.url.rstrip("/"))
        self.schedule = schedule
        self.prefix = prefix
        self.measure_from = measure_from
        self.until = until
        self.order = load_order()
        self.latencies = []
        self.errors = 0
        self.first_error = None

    def create(self, seq):
        order = copy.copy(self.order)
        order["merchantTradeNo"] = f"{self.prefix}W{self.ident_}N{seq}"
        answer = self.merchant.send_signed_request("POST", V3_ORDER_PATH, order)
        return order["merchantTradeNo"], answer

    def run(self):
        trade_no, answer = self.create(0)
        if not (isinstance(answer, dict) and answer.get("status") == "SUCCESS"):
            self.errors += 1
            self.first_error = f"seed order: {answer!r:.200}"
            return
        last, seq, step = trade_no, 0, self.ident_
        while True:
            started = time.perf_counter_ns()
            if started >= self.until:
                break
            op = self.schedule[step % len(self.schedule)]
            step += 1
            try:
                if op == "create":
                    seq += 1
                    trade_no, answer = self.create(seq)
                else:
                    answer = self.merchant.get_order(merchantTradeNo=last)
                ok = isinstance(answer, dict) and answer.get("status") == "SUCCESS"
                if ok and op == "create":
                    last = trade_no
            except Exception as e:  # a connection error counts as a failed call
                ok, answer = False, e
            if started < self.measure_from:
                continue
            if ok:
                self.latencies.append((time.perf_counter_ns() - started) // 1000)
            else:
                self.errors += 1
                if self.first_error is None:
                    self.first_error = f"{answer!r:.200}"


def percentile(sorted_us, p):
    if not sorted_us:
        return 0
    rank = max(1, -(-len(sorted_us) * p // 100))
    return sorted_us[int(rank) - 1]


def run(args):
    key = os.environ.get("BINANCEPAY_API_KEY")
    secret = os.environ.get("BINANCEPAY_API_SECRET")
    if not key or not secret:
        raise SystemExit("set BINANCEPAY_API_KEY and BINANCEPAY_API_SECRET")
    schedule = parse_mix(args.mix)
    prefix = "P" + format(int(time.time() * 1000), "X")
    now = time.perf_counter_ns()
    measure_from = now + int(args.warmup * 1e9)
    until = measure_from + int(args.duration * 1e9)
    workers = [
        Worker(i, args, key, secret, schedule, prefix, measure_from, until)
        for i in range(args.concurrency)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = (time.perf_counter_ns() - measure_from) / 1e9
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = sum(w.errors for w in workers)
    ops = len(latencies)
    rps = ops / elapsed if elapsed > 0 else 0.0
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(f"{args.label}: {ops} ops in {elapsed:.2f} s = {rps:.0f}/s, p50 {p50} µs, p99 {p99} µs, {errors} errors")
    print(
        f"RESULT label={args.label} side=python client=connector mix={args.mix} "
        f"concurrency={args.concurrency} ops={ops} errors={errors} secs={elapsed:.3f} "
        f"rps={rps:.1f} p50_us={p50} p99_us={p99}"
    )
    first = next((w.first_error for w in workers if w.first_error), None)
    if first:
        print(f"incumbent: {errors} calls failed; first: {first}", file=sys.stderr)
    if ops == 0:
        raise SystemExit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sign")
    s.add_argument("--iterations", type=int, default=50_000)
    s.add_argument("--rounds", type=int, default=5)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--concurrency", type=int, default=1)
    r.add_argument("--duration", type=float, default=5.0)
    r.add_argument("--warmup", type=float, default=1.0)
    r.add_argument("--mix", default="create:1,query:1")
    r.add_argument("--label", default="run")
    args = parser.parse_args()
    if args.command == "sign":
        sign(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
