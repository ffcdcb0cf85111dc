#!/usr/bin/env bash
# What `lto` buys on wasm32-wasmer-wasi (issue 17): release module sizes and the CPU benchmark
# (`core_cpu` from runtime/tests/guests: sieve + hashing + sort) built with `lto = false`,
# `"thin"` and `"fat"`, run on the bundled runtime, with the native build of the same program
# (same LTO settings) as the limit. Prints one Markdown table (medians of ROUNDS runs,
# interleaved so background load hits every variant alike).
#
# Usage: scripts/bench-lto.sh [ROUNDS]     (default 5; everything goes to target/bench-lto/)
set -euo pipefail

rounds="${1:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/bench-lto"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
mkdir -p "$work"

# The debug CLI is enough: guest code quality is Cranelift's (an optimised dependency in every
# profile), and the guest times itself.
(cd "$repo" && cargo build -q -p cargo-wasix)
cli="$repo/target/debug/cargo-wasix"
guests="$repo/runtime/tests/guests"
variants=(false thin fat)

for lto in "${variants[@]}"; do
  echo "building lto=$lto ..." >&2
  (cd "$guests" && CARGO_PROFILE_RELEASE_LTO=$lto CARGO_TARGET_DIR="$work/wasix-$lto" \
    "$cli" wasix build -q --release --bin core_cpu --bin core_hello)
  (cd "$guests" && CARGO_PROFILE_RELEASE_LTO=$lto CARGO_TARGET_DIR="$work/native-$lto" \
    cargo build -q --release --bin core_cpu)
done

# The guest reports its own compute time (`ms=N`), so module compilation is not counted.
guest_ms() { sed -n 's/.* ms=\([0-9]*\)$/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A times
for ((r = 1; r <= rounds; r++)); do
  for lto in "${variants[@]}"; do
    wasm="$work/wasix-$lto/wasm32-wasmer-wasi/release/core_cpu.wasm"
    times[wasix-$lto]+="$("$cli" wasix run-wasm "$wasm" | guest_ms) "
    times[native-$lto]+="$("$work/native-$lto/release/core_cpu" | guest_ms) "
  done
done

size() { stat -c %s "$1"; }
base_cpu=$(tr ' ' '\n' <<<"${times[wasix-false]}" | grep . | median)
echo "| lto | core_hello.wasm | core_cpu.wasm | core_cpu on our runtime | vs lto=false | native (same lto) | ours / native |"
echo "|---|---|---|---|---|---|---|"
for lto in "${variants[@]}"; do
  dir="$work/wasix-$lto/wasm32-wasmer-wasi/release"
  ours=$(tr ' ' '\n' <<<"${times[wasix-$lto]}" | grep . | median)
  native=$(tr ' ' '\n' <<<"${times[native-$lto]}" | grep . | median)
  printf '| %s | %s B | %s B | %s ms | %sx | %s ms | %sx |\n' "$lto" \
    "$(size "$dir/core_hello.wasm")" "$(size "$dir/core_cpu.wasm")" "$ours" \
    "$(awk -v a="$ours" -v b="$base_cpu" 'BEGIN { printf "%.3f", a / b }')" "$native" \
    "$(awk -v a="$ours" -v b="$native" 'BEGIN { printf "%.2f", a / b }')"
done
echo
echo "rounds: $rounds; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
