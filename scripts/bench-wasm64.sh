#!/usr/bin/env bash
# The CPU benchmark on wasm64 (issue 11): `core_cpu` from runtime/tests/guests (sieve + hashing
# + sort) built by `cargo wasix build --release` for wasm32-wasmer-wasi and for
# wasm64-wasmer-wasi, and natively, each run ROUNDS times interleaved (background load hits all
# three alike). Prints one Markdown table: medians of the time the guest reports itself (module
# compilation not counted), module sizes, and the ratios wasm64 / wasm32 and each / native.
# The checksums of all three must agree.
#
# Usage: scripts/bench-wasm64.sh [ROUNDS]     (default 5; everything goes to target/bench-wasm64/)
set -euo pipefail

rounds="${1:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/bench-wasm64"
home32="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
home64="${CARGO_WASIX_HOME_WASM64:-$repo/target/wasix-home-wasm64}"
mkdir -p "$work"

# The debug CLI is enough: guest code quality is Cranelift's (optimised in every profile).
(cd "$repo" && cargo build -q -p cargo-wasix)
cli="$repo/target/debug/cargo-wasix"
guests="$repo/runtime/tests/guests"

echo "building core_cpu: wasm32, wasm64, native ..." >&2
(cd "$guests" && CARGO_WASIX_HOME="$home32" CARGO_TARGET_DIR="$work/wasix" \
  "$cli" wasix build -q --release --bin core_cpu)
(cd "$guests" && CARGO_WASIX_HOME="$home64" CARGO_TARGET_DIR="$work/wasix" \
  "$cli" wasix build -q --release --target wasm64-wasmer-wasi --bin core_cpu)
(cd "$guests" && CARGO_TARGET_DIR="$work/native" cargo build -q --release --bin core_cpu)
wasm32="$work/wasix/wasm32-wasmer-wasi/release/core_cpu.wasm"
wasm64="$work/wasix/wasm64-wasmer-wasi/release/core_cpu.wasm"

guest_ms() { sed -n 's/.* ms=\([0-9]*\)$/\1/p'; }
checksum() { sed -n 's/^\(primes=[0-9]* hash=[0-9a-f]* median=[0-9]*\) .*/\1/p'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A times sums
for ((r = 1; r <= rounds; r++)); do
  for variant in native wasm32 wasm64; do
    case $variant in
      native) out=$("$work/native/release/core_cpu") ;;
      wasm32) out=$("$cli" wasix run-wasm "$wasm32") ;;
      wasm64) out=$("$cli" wasix run-wasm "$wasm64") ;;
    esac
    times[$variant]+="$(guest_ms <<<"$out") "
    sums[$variant]=$(checksum <<<"$out")
  done
done
if [[ ${sums[native]} != "${sums[wasm32]}" || ${sums[native]} != "${sums[wasm64]}" ]]; then
  echo "checksums differ: native '${sums[native]}', wasm32 '${sums[wasm32]}', wasm64 '${sums[wasm64]}'" >&2
  exit 1
fi

native=$(median <<<"${times[native]}")
t32=$(median <<<"${times[wasm32]}")
t64=$(median <<<"${times[wasm64]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $rounds interleaved rounds; checksums agree (${sums[native]})"
echo
echo "| build | core_cpu.wasm | median | vs wasm32 | vs native |"
echo "|---|---|---|---|---|"
echo "| native (x86_64, same source and profile) | - | $native ms | - | 1.00x |"
echo "| wasm32-wasmer-wasi | $(stat -c %s "$wasm32") B | $t32 ms | 1.00x | $(ratio "$t32" "$native") |"
echo "| wasm64-wasmer-wasi | $(stat -c %s "$wasm64") B | $t64 ms | $(ratio "$t64" "$t32") | $(ratio "$t64" "$native") |"
