#!/usr/bin/env bash
# Ours against the incumbent (Binance's official Python connector), and the sandbox's own cost,
# on this machine, in one run, printed as a table of ratios (absolute times drift between runs).
#
#   benches/python/run.sh [--quick] [--no-memory]
#
# 1. A throwaway virtualenv with binance-pay-connector from PyPI ($VENV, default in $TMPDIR).
# 2. Release builds (bench profile) of loadgen, memory and the sandbox example.
# 3. A sandbox on 127.0.0.1 (ephemeral port) with generated credentials.
# 4. Signed create-order in process (Python: post replaced by a no-op; ours: build_now),
#    both clients against the sandbox at 1 and 16 callers, the sandbox's authenticated routes
#    against its trivial route with its CPU time per request, client concurrency 1..64, the
#    memory of idle clients and of a fresh sandbox holding 100,000 orders.
# Every measurement prints a RESULT line; report.py turns them into the table.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${VENV:-${TMPDIR:-/tmp}/binancepay-bench-venv}"
duration=5
sign_iterations=20000
# Paired rounds for the two ratios a drifting machine disturbs most: each round measures both
# sides back to back, and report.py takes the median of the per-round ratios.
rounds=6
memory=1
for arg in "$@"; do
    case "$arg" in
        --quick) duration=2; sign_iterations=5000; rounds=3 ;;
        --no-memory) memory=0 ;;
        *) echo "usage: $0 [--quick] [--no-memory]" >&2; exit 2 ;;
    esac
done

results="$(mktemp "${TMPDIR:-/tmp}/binancepay-bench.XXXXXX")"
sandbox_pid=""
sandbox_log=""
stop_sandbox() {
    if [[ -n "$sandbox_pid" ]]; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
        sandbox_pid=""
    fi
}
trap stop_sandbox EXIT

echo "== virtualenv $venv" >&2
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "binance-pay-connector==1.0.0"
python="$venv/bin/python"

echo "== building (cargo, bench profile, target $target)" >&2
(cd "$root" && cargo build --quiet --profile bench -p binancepay-benches --bins \
    && cargo build --quiet --profile bench -p binancepay-sandbox --example sandbox)
loadgen="$target/release/loadgen"
sandbox_bin="$target/release/examples/sandbox"

# Credentials the sandbox accepts, made fresh for this run (letters and digits).
BINANCEPAY_API_KEY="$("$python" -c 'import secrets,string;a=string.ascii_letters+string.digits;print("".join(secrets.choice(a) for _ in range(64)))')"
BINANCEPAY_API_SECRET="$("$python" -c 'import secrets,string;a=string.ascii_lowercase+string.digits;print("".join(secrets.choice(a) for _ in range(64)))')"
export BINANCEPAY_API_KEY BINANCEPAY_API_SECRET

start_sandbox() {
    stop_sandbox
    sandbox_log="$(mktemp "${TMPDIR:-/tmp}/binancepay-sandbox.XXXXXX")"
    "$sandbox_bin" --listen 127.0.0.1:0 >"$sandbox_log" 2>&1 &
    sandbox_pid=$!
    url=""
    for _ in $(seq 1 300); do
        url="$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$sandbox_log")"
        [[ -n "$url" ]] && break
        kill -0 "$sandbox_pid" 2>/dev/null || { cat "$sandbox_log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n "$url" ]] || { echo "the sandbox did not start" >&2; exit 1; }
    echo "== sandbox pid $sandbox_pid at $url" >&2
}

record() { tee -a "$results" | grep -v '^RESULT' >&2 || true; }
# Tags the RESULT lines of one paired round.
in_round() { sed -u "s/^RESULT /RESULT round=$1 /"; }

start_sandbox

echo "== signed create-order in process (no network), $rounds paired rounds" >&2
for r in $(seq 1 "$rounds"); do
    # Alternate which side goes first, so a drift within the round favours neither.
    if (( r % 2 )); then
        "$python" "$here/incumbent.py" sign --iterations "$sign_iterations" --rounds 3 | in_round "$r" | record
        "$loadgen" sign --iterations "$((sign_iterations * 4))" --rounds 3 | in_round "$r" | record
    else
        "$loadgen" sign --iterations "$((sign_iterations * 4))" --rounds 3 | in_round "$r" | record
        "$python" "$here/incumbent.py" sign --iterations "$sign_iterations" --rounds 3 | in_round "$r" | record
    fi
done

echo "== both clients against the sandbox, create:1,query:1, keep-alive" >&2
for c in 1 16; do
    "$python" "$here/incumbent.py" run --url "$url" --concurrency "$c" --duration "$duration" \
        --mix create:1,query:1 --label "vs_c$c" | record
    "$loadgen" run --url "$url" --client sdk --concurrency "$c" --duration "$duration" \
        --mix create:1,query:1 --label "vs_c$c" | record
done

echo "== the sandbox: authenticated create+query vs its trivial route, same client work, $rounds paired rounds" >&2
cost_duration=$(( duration > 2 ? duration / 2 : 1 ))
for c in 1 16; do
    for r in $(seq 1 "$rounds"); do
        if (( r % 2 )); then mixes="create:1,query:1 trivial:1"; else mixes="trivial:1 create:1,query:1"; fi
        for mix in $mixes; do
            "$loadgen" run --url "$url" --client raw --concurrency "$c" --duration "$cost_duration" \
                --mix "$mix" --server-pid "$sandbox_pid" --label "cost_c$c" | in_round "$r" | record
        done
    done
done

echo "== the SDK client from 1 to 64 callers (query-order)" >&2
for c in 1 4 16 64; do
    "$loadgen" run --url "$url" --client sdk --concurrency "$c" --duration "$duration" \
        --mix query:1 --label "scale_c$c" | record
done

if [[ "$memory" == 1 ]]; then
    echo "== memory: idle clients; a fresh sandbox filled with 100,000 orders" >&2
    "$target/release/memory" --clients 1000 --heap-clients 100 | record
    start_sandbox
    "$loadgen" run --url "$url" --client raw --concurrency 16 --count 100000 \
        --mix create:1 --server-pid "$sandbox_pid" --label sandbox_100k_orders | record
fi
stop_sandbox

"$python" "$here/report.py" "$results"
