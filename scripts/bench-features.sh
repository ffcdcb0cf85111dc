#!/usr/bin/env bash
# What the optional target features and wasm-opt buy on wasm32-wasmer-wasi (issue 12, steps 4
# and 6). Builds `core_cpu` and `core_hello` (runtime/tests/guests, release profile with line
# tables) and the `unwind` fixture (tests/unwind, exceptions everywhere) in --release with:
#   old      CARGO_WASIX_TARGET_FEATURES=-simd128,-extended-const,-wide-arithmetic (the set
#            before step 4)
#   default  the default features (+simd128,+extended-const,+wide-arithmetic)
#   relaxed  CARGO_WASIX_TARGET_FEATURES=+relaxed-simd
#   wasm-opt the default features with CARGO_WASIX_WASM_OPT=$WASM_OPT (only when WASM_OPT is
#            set, e.g. WASM_OPT=$PWD/node_modules/binaryen/bin/wasm-opt after `npm install
#            binaryen@132`)
# runs core_cpu on the bundled runtime and natively (the limit) in interleaved rounds, and
# prints one Markdown table: module sizes, the guest's own compute time (median and minimum:
# on a shared machine the minimum is the steadier figure), the time of a rebuild of core_cpu
# after touching its source, and the ratios to the old set and to native (of the minima).
#
# Usage: scripts/bench-features.sh [ROUNDS]   (default 5; everything goes to target/bench-features/)
# Each feature set has its own sysroot: the first run builds up to three (a few minutes each).
set -euo pipefail

rounds="${1:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/bench-features"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
mkdir -p "$work"

(cd "$repo" && cargo build -q -p cargo-wasix)
# A private copy: others rebuilding target/debug/cargo-wasix must not change it under us.
cp "$repo/target/debug/cargo-wasix" "$work/cargo-wasix.partial"
mv "$work/cargo-wasix.partial" "$work/cargo-wasix"
cli="$work/cargo-wasix"
guests="$work/guests"
# The wasm-opt variant's modules depend on this binary's wasm-opt flags, which cargo cannot see.
rm -rf "$guests" "$work/unwind" "$work/wasix-wasm-opt"
cp -r "$repo/runtime/tests/guests" "$guests"
cp -r "$repo/tests/unwind" "$work/unwind"
rm -rf "$guests/target" "$work/unwind/target"

variants=(old default relaxed)
[[ -n "${WASM_OPT:-}" ]] && variants+=(wasm-opt)
features_of() {
  case "$1" in
    old) echo "-simd128,-extended-const,-wide-arithmetic" ;;
    relaxed) echo "+relaxed-simd" ;;
    *) echo "" ;;
  esac
}
wasm_opt_of() { [[ "$1" == wasm-opt ]] && echo "$WASM_OPT" || echo ""; }

build() { # VARIANT: builds every module of the variant
  local v="$1"
  (cd "$guests" && CARGO_WASIX_TARGET_FEATURES="$(features_of "$v")" \
    CARGO_WASIX_WASM_OPT="$(wasm_opt_of "$v")" CARGO_TARGET_DIR="$work/wasix-$v" \
    "$cli" wasix build -q --release --bin core_cpu --bin core_hello)
  (cd "$work/unwind" && CARGO_WASIX_TARGET_FEATURES="$(features_of "$v")" \
    CARGO_WASIX_WASM_OPT="$(wasm_opt_of "$v")" CARGO_TARGET_DIR="$work/wasix-$v" \
    "$cli" wasix build -q --release)
}

declare -A rebuild
for v in "${variants[@]}"; do
  echo "building $v ..." >&2
  build "$v"
  # The rebuild time: core_cpu alone after a touch (one rustc compile + link [+ wasm-opt]).
  touch "$guests/src/bin/core_cpu.rs"
  start=$(date +%s.%N)
  (cd "$guests" && CARGO_WASIX_TARGET_FEATURES="$(features_of "$v")" \
    CARGO_WASIX_WASM_OPT="$(wasm_opt_of "$v")" CARGO_TARGET_DIR="$work/wasix-$v" \
    "$cli" wasix build -q --release --bin core_cpu)
  rebuild[$v]=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
done
(cd "$guests" && CARGO_TARGET_DIR="$work/native" cargo build -q --release --bin core_cpu)

# The guest reports its own compute time (`ms=N`), so module compilation is not counted.
guest_ms() { sed -n 's/.* ms=\([0-9]*\)$/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { sort -n | head -n1; }
stat_of() { tr ' ' '\n' <<<"${times[$1]}" | grep . | "$2"; }

declare -A times
for ((r = 1; r <= rounds; r++)); do
  for v in "${variants[@]}"; do
    wasm="$work/wasix-$v/wasm32-wasmer-wasi/release/core_cpu.wasm"
    times[$v]+="$("$cli" wasix run-wasm "$wasm" | guest_ms) "
  done
  times[native]+="$("$work/native/release/core_cpu" | guest_ms) "
done

size() { stat -c %s "$1"; }
# The code section's size (section id 10), which debug sections do not blur.
code_size() {
  python3 - "$1" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
def leb(i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7F) << s; s += 7
        if x < 0x80:
            return r, i
i = 8
while i < len(b):
    sid = b[i]; n, i = leb(i + 1)
    if sid == 10:
        print(n)
    i += n
PY
}
native=$(stat_of native minimum)
base=$(stat_of old minimum)
echo "| variant | core_hello.wasm | unwind.wasm | core_cpu.wasm (its code section) | core_cpu on our runtime: median / min | min vs old | min / native | core_cpu rebuild |"
echo "|---|---|---|---|---|---|---|---|"
for v in "${variants[@]}"; do
  dir="$work/wasix-$v/wasm32-wasmer-wasi/release"
  ours=$(stat_of "$v" minimum)
  printf '| %s | %s B | %s B | %s B (%s B) | %s / %s ms | %sx | %sx | %s s |\n' "$v" \
    "$(size "$dir/core_hello.wasm")" "$(size "$dir/unwind.wasm")" "$(size "$dir/core_cpu.wasm")" \
    "$(code_size "$dir/core_cpu.wasm")" \
    "$(stat_of "$v" median)" "$ours" "$(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.3f", a / b }')" \
    "$(awk -v a="$ours" -v b="$native" 'BEGIN { printf "%.2f", a / b }')" "${rebuild[$v]}"
done
echo "| native | | | | $(stat_of native median) / $native ms | | 1.00x | |"
echo
echo "rounds: $rounds; all times: $(for v in "${variants[@]}" native; do printf '%s=[%s] ' "$v" "${times[$v]% }"; done)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
