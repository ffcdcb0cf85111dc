#!/usr/bin/env bash
# The wasm64-wasmer-wasi check (issue 11, docs/wasm64.md), too slow for CI (the wasm64 std
# build takes about 2 minutes on 2 cores, once per toolchain and inputs):
#   1. `cargo wasix setup --target wasm64-wasmer-wasi` builds std's rlibs for wasm64;
#   2. a no_std + alloc program (tests/wasm64_nostd/hello.rs) built on that sysroot's core/alloc
#      and the generated `wasix_64v1` preview-1 crate runs on our runtime, writing from an
#      address above 2 GiB (a truncated or sign-extended pointer would fault or print garbage);
#   3. std's hello links without any libc: the symbols wasm-ld reports undefined are printed
#      (the input of plan step 3, libwasix's libc64); with --expect-undefined FILE the sorted
#      list must equal the file's.
#
# Usage: scripts/wasm64.sh [--expect-undefined FILE]
# Exit status: 0 when every step passed, 1 when one failed, 2 on usage errors.
# Writes under target/wasm64/. Environment: CARGO_WASIX_HOME (default: <repo>/target/wasix-home,
# shared with the tests), RUSTUP_TOOLCHAIN (the toolchain to build with).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/wasm64"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
expect=""
case "${1:-}" in
  "") ;;
  --expect-undefined) expect="${2:?--expect-undefined needs a file}" ;;
  *) echo "usage: scripts/wasm64.sh [--expect-undefined FILE]" >&2; exit 2 ;;
esac

mkdir -p "$work/bin"
echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix)
# A private copy: others rebuilding target/debug/cargo-wasix must not change it under us.
cp "$repo/target/debug/cargo-wasix" "$work/bin/cargo-wasix.partial"
mv "$work/bin/cargo-wasix.partial" "$work/bin/cargo-wasix"
cli="$work/bin/cargo-wasix"

started=$(date +%s)
sysroot="$("$cli" wasix setup --target wasm64-wasmer-wasi --print-sysroot)"
echo "step 1: wasm64 sysroot ready in $(( $(date +%s) - started )) s at $sysroot" >&2
entry="$(dirname "$sysroot")"
library="$entry/library"
export RUSTC_BOOTSTRAP=1 RUST_TARGET_PATH="$entry/target-specs"
rustc_w64=(rustc -Zunstable-options --target wasm64-wasmer-wasi --sysroot "$sysroot" -O)

# Step 2: the no_std program.
"${rustc_w64[@]}" --edition 2021 --crate-type rlib --crate-name wasi \
  "$library/wasi-wasix64/src/lib.rs" -o "$work/libwasi.rlib"
"${rustc_w64[@]}" --edition 2024 -C panic=abort --extern wasi="$work/libwasi.rlib" \
  "$repo/tests/wasm64_nostd/hello.rs" -o "$work/nostd.wasm"
out="$("$cli" wasix run-wasm "$work/nostd.wasm" one two)"
echo "$out"
want='hello from wasm64: args ["one", "two"]'
if [[ "$(head -1 <<<"$out")" != "$want" ]]; then
  echo "step 2 FAILED: expected \`$want\`" >&2
  exit 1
fi
echo "step 2: the no_std program ran ($(stat -c %s "$work/nostd.wasm") bytes)" >&2

# Step 3: std's hello without a libc (`--no-entry`: `_start` is libc64's to provide).
echo 'fn main() { println!("hello from wasm64"); }' >"$work/hello.rs"
log="$work/hello-link.txt"
if "${rustc_w64[@]}" "$work/hello.rs" -o "$work/hello.wasm" \
  -C link-arg=--no-entry -C link-arg=--error-limit=0 >"$log" 2>&1; then
  echo "step 3: std's hello links without a libc" >&2
  : >"$work/undefined.txt"
else
  grep -o 'undefined symbol: [^ ]*' "$log" | sed 's/undefined symbol: //; s/`//g' |
    sort -u >"$work/undefined.txt"
  if [[ ! -s "$work/undefined.txt" ]]; then
    echo "step 3 FAILED: the link failed for another reason:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "step 3: std's hello needs $(wc -l <"$work/undefined.txt") symbols from a libc:" >&2
  cat "$work/undefined.txt"
fi
if [[ -n "$expect" ]] && ! diff -u "$expect" "$work/undefined.txt"; then
  echo "step 3 FAILED: the undefined symbols differ from $expect" >&2
  exit 1
fi
