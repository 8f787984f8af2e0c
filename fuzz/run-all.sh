#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the other.
# Not part of CI. Needs cargo-fuzz; RUSTC_BOOTSTRAP=1 lets stable rustc take the nightly flags
# cargo-fuzz passes (sanitizer, coverage instrumentation).
#
#   fuzz/run-all.sh 300                       # every target, 5 minutes each
#   fuzz/run-all.sh 60 amount_parse id_parse  # two targets, 1 minute each
#
# New corpus entries go to fuzz/corpus/<target>/ (seeded from fuzz/seeds/<target>/), crashes to
# fuzz/artifacts/<target>/, logs to fuzz/logs/<target>.log; all three are git-ignored.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

cd "$(dirname "$0")"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo fuzz list)
fi

# Compare tracing makes RSA arithmetic ~7x slower, and the values it would solve (serials,
# timestamps) are in the seeds already; such builds get their own target dir so the two kinds
# of build do not keep invalidating each other.
build_flags() {
    case $1 in
    webhook_verify) echo --no-trace-compares ;;
    esac
}
base_target_dir=${CARGO_TARGET_DIR:-target}

export RUSTC_BOOTSTRAP=1
mkdir -p logs
failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s"
    flags=$(build_flags "$target")
    export CARGO_TARGET_DIR=$base_target_dir${flags:+/no-trace-compares}
    # shellcheck disable=SC2086 # $flags is empty or one word
    if cargo fuzz run $flags "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"logs/$target.log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed+=("$target")
    fi
    # The last status line (#N DONE/pulse, cov, ft, corp) and the executed-units total.
    grep -E '^#[0-9]+' "logs/$target.log" | tail -n 1 || true
    grep -E 'stat::number_of_executed_units' "logs/$target.log" || true
    echo "   $status (log: fuzz/logs/$target.log)"
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
