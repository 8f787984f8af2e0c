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


def median(values):
    values = sorted(values)
    if not values:
        return float("nan")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def paired(a_rows, b_rows, value):
    """value(a) / value(b) for each round both sides measured, in round order."""
    b_by_round = {r.get("round"): r for r in b_rows}
    return [value(a, b_by_round[a.get("round")]) for a in a_rows if a.get("round") in b_by_round]


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    rows = read(sys.argv[1])
    out = []

    py = pick(rows, label="sign", side="python")
    rs = pick(rows, label="sign", side="rust")
    if py and rs:
        p = median(r["ns_per_op"] for r in py)
        o = median(r["ns_per_op"] for r in rs)
        ratios = paired(py, rs, lambda a, b: a["ns_per_op"] / b["ns_per_op"])
        ratio = median(ratios)
        best = min(r["ns_per_op"] for r in py) / min(r["ns_per_op"] for r in rs)
        out.append(f"## Signed create-order in process ({len(ratios)} paired rounds, medians)\n")
        out.append("| side | body | ns per signed request (median of rounds) |")
        out.append("|---|---|---|")
        out.append(f"| Python connector (post replaced by a no-op) | {py[0]['body_bytes']:.0f} B | {p:,.0f} |")
        out.append(f"| ours: RequestBuilder::build_now | {rs[0]['body_bytes']:.0f} B | {o:,.0f} |")
        spread = ", ".join(f"{r:.1f}" for r in ratios)
        out.append(
            f"\nours takes {ratio:.1f}x less time, median of the per-round ratios ({spread}); "
            f"{best:.1f}x between the best rounds (goal >= 12x: {verdict(ratio >= 12)})\n"
        )

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
        # Each route's median over the rounds, and the median of the per-round ratios.
        for name, rs_ in (("create+query", auth), ("trivial", triv)):
            if rs_:
                out.append(
                    f"| {c} | {name} | {median(r['rps'] for r in rs_):,.0f} "
                    f"| {median(r['p50_us'] for r in rs_):.0f}/{median(r['p99_us'] for r in rs_):.0f} "
                    f"| {median(r.get('server_cpu_us_per_op', 0) for r in rs_):.1f} "
                    f"| {median(r.get('server_cpu_share', 0) for r in rs_):.2f} |"
                )
        if auth and triv:
            cpus = paired(
                auth, triv,
                lambda a, t: a["server_cpu_us_per_op"] / t["server_cpu_us_per_op"]
                if t.get("server_cpu_us_per_op") else float("nan"),
            )
            rpss = paired(auth, triv, lambda a, t: t["rps"] / a["rps"] if a["rps"] else float("nan"))
            cpu = median(cpus)
            spread = ", ".join(f"{x:.2f}" for x in cpus)
            out.append(
                f"| {c} | **ratio** | trivial/auth {median(rpss):.2f}x | | auth/trivial {cpu:.2f}x "
                f"(goal <= 2x: {verdict(cpu <= 2)}; rounds {spread}) | |"
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
