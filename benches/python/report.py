"""Turns the RESULT lines of run.sh (loadgen, memory, incumbent.py) into a table of ratios.

  python report.py RESULTS_FILE
"""

import sys


def read(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("RESULT "):
                continue
            row = {}
            for pair in line.split()[1:]:
                key, _, value = pair.partition("=")
                try:
                    row[key] = float(value)
                except ValueError:
                    row[key] = value
            rows.append(row)
    return rows


def pick(rows, **want):
    return [r for r in rows if all(r.get(k) == v for k, v in want.items())]


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    rows = read(sys.argv[1])
    out = []

    py = pick(rows, label="sign", side="python")
    rs = pick(rows, label="sign", side="rust")
    if py and rs:
        p = min(r["ns_per_op"] for r in py)
        o = min(r["ns_per_op"] for r in rs)
        ratio = p / o
        out.append("## Signed create-order in process (best median of the alternated runs)\n")
        out.append("| side | body | ns per signed request |")
        out.append("|---|---|---|")
        out.append(f"| Python connector (post replaced by a no-op) | {py[0]['body_bytes']:.0f} B | {p:,.0f} |")
        out.append(f"| ours: RequestBuilder::build_now | {rs[0]['body_bytes']:.0f} B | {o:,.0f} |")
        out.append(f"\nours takes {ratio:.1f}x less time (goal >= 12x: {verdict(ratio >= 12)})\n")

    out.append("## Against the sandbox, create:1,query:1, keep-alive\n")
    out.append("| callers | Python req/s | p50/p99 us | ours (SDK) req/s | p50/p99 us | ratio (goal >= 8x) |")
    out.append("|---|---|---|---|---|---|")
    for c in (1, 16):
        p = pick(rows, label=f"vs_c{c}", side="python")
        o = pick(rows, label=f"vs_c{c}", side="rust")
        if p and o:
            p, o = p[0], o[0]
            ratio = o["rps"] / p["rps"] if p["rps"] else float("inf")
            out.append(
                f"| {c} | {p['rps']:,.0f} | {p['p50_us']:.0f}/{p['p99_us']:.0f} | {o['rps']:,.0f} "
                f"| {o['p50_us']:.0f}/{o['p99_us']:.0f} | {ratio:.1f}x ({verdict(ratio >= 8)}) |"
            )

    out.append("\n## The sandbox: authenticated create+query vs its trivial route (same client work)\n")
    out.append("| callers | route | req/s | p50/p99 us | server CPU us/req | server CPU share |")
    out.append("|---|---|---|---|---|---|")
    for c in (1, 16):
        auth = pick(rows, label=f"cost_c{c}", mix="create:1,query:1")
        triv = pick(rows, label=f"cost_c{c}", mix="trivial:1")
        for name, r in (("create+query", auth), ("trivial", triv)):
            if r:
                r = r[0]
                out.append(
                    f"| {c} | {name} | {r['rps']:,.0f} | {r['p50_us']:.0f}/{r['p99_us']:.0f} "
                    f"| {r.get('server_cpu_us_per_op', 0):.1f} | {r.get('server_cpu_share', 0):.2f} |"
                )
        if auth and triv:
            a, t = auth[0], triv[0]
            cpu = a["server_cpu_us_per_op"] / t["server_cpu_us_per_op"] if t.get("server_cpu_us_per_op") else float("nan")
            rps = t["rps"] / a["rps"] if a["rps"] else float("nan")
            out.append(
                f"| {c} | **ratio** | trivial/auth {rps:.2f}x | | auth/trivial {cpu:.2f}x "
                f"(goal <= 2x: {verdict(cpu <= 2)}) | |"
            )

    scale = [pick(rows, label=f"scale_c{c}") for c in (1, 4, 16, 64)]
    if all(scale):
        out.append("\n## SDK client, query-order, 1 to 64 callers\n")
        out.append("| callers | req/s | p50 us | p99 us | vs 1 caller |")
        out.append("|---|---|---|---|---|")
        base = scale[0][0]["rps"]
        for r in (s[0] for s in scale):
            out.append(
                f"| {r['concurrency']:.0f} | {r['rps']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} "
                f"| {r['rps'] / base:.2f}x |"
            )

    mem = pick(rows, label="client_memory")
    fill = pick(rows, label="sandbox_100k_orders")
    if mem or fill:
        out.append("\n## Memory\n")
    if mem:
        m = mem[0]
        out.append(
            f"- idle `Client` (own connection pool): {m['rss_bytes_per_client']:,.0f} B resident, "
            f"{m['heap_bytes_per_client']:,.0f} B heap; sharing one `reqwest::Client`: "
            f"{m['shared_rss_bytes_per_client']:,.0f} B resident, {m['shared_heap_bytes_per_client']:,.0f} B heap"
        )
    if fill:
        f = fill[0]
        delta = f["server_rss_kib_after"] - f["server_rss_kib_before"]
        out.append(
            f"- sandbox holding {f['ops']:,.0f} more orders: RSS {f['server_rss_kib_before']:,.0f} -> "
            f"{f['server_rss_kib_after']:,.0f} KiB (+{delta / 1024:,.1f} MiB, "
            f"{delta * 1024 / max(f['ops'], 1):,.0f} B per order); filled at {f['rps']:,.0f} req/s"
        )
    print("\n".join(out))


if __name__ == "__main__":
    main()
