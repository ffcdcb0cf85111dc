#!/usr/bin/env bash
# The wasm64-wasmer-wasi check (issue 11, docs/wasm64.md), too slow for CI (the wasm64 std
# build takes about 2 minutes on 2 cores, once per toolchain and inputs):
#   1. `cargo wasix setup --target wasm64-wasmer-wasi` builds std's rlibs for wasm64;
#   2. a no_std + alloc program (tests/wasm64_nostd/hello.rs) built on that sysroot's core/alloc
#      and the generated `wasix_64v1` preview-1 crate runs on our runtime, writing from an
#      address above 2 GiB (a truncated or sign-extended pointer would fault or print garbage);
#   3. std programs link with libwasix's libc64 as their libc and run: a hello and
#      tests/wasm64_std; a failed link prints the symbols libc64 lacks (with
#      --expect-undefined FILE the sorted list must equal the file's).
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
out="$("$cli" wasix run-wasm "$work/nostd.wasm" -- one two)"
echo "$out"
want='hello from wasm64: args ["one", "two"]'
if [[ "$(head -1 <<<"$out")" != "$want" ]]; then
  echo "step 2 FAILED: expected \`$want\`" >&2
  exit 1
fi
echo "step 2: the no_std program ran ($(stat -c %s "$work/nostd.wasm") bytes)" >&2

# Step 3: std programs with libwasix's libc64 as their libc: a hello, then tests/wasm64_std
# (threads, channel, env, files on a mount, a block above 4 GiB, panic, exit code 3). A link
# that fails lists the symbols libc64 still lacks (`--expect-undefined FILE` compares them).
echo 'fn main() { println!("hello from wasm64"); }' >"$work/hello.rs"
log="$work/hello-link.txt"
: >"$work/undefined.txt"
if ! "${rustc_w64[@]}" "$work/hello.rs" -o "$work/hello.wasm" -C link-arg=--error-limit=0 >"$log" 2>&1; then
  grep -o 'undefined symbol: [^ ]*' "$log" | sed 's/undefined symbol: //; s/`//g' |
    sort -u >"$work/undefined.txt"
  echo "step 3 FAILED: std's hello does not link; undefined: $(tr '\n' ' ' <"$work/undefined.txt")" >&2
  [[ -s "$work/undefined.txt" ]] || cat "$log" >&2
  exit 1
fi
if [[ -n "$expect" ]] && ! diff -u "$expect" "$work/undefined.txt"; then
  echo "step 3 FAILED: the undefined symbols differ from $expect" >&2
  exit 1
fi
[[ "$("$cli" wasix run-wasm "$work/hello.wasm")" == "hello from wasm64" ]] ||
  { echo "step 3 FAILED: std's hello printed something else" >&2; exit 1; }
"${rustc_w64[@]}" --edition 2024 "$repo/tests/wasm64_std/src/main.rs" -o "$work/std.wasm"
mkdir -p "$work/mount"
set +e
"$cli" wasix run-wasm --max-memory 8G --env WASM64_E2E=on --mapdir "/data:$work/mount" \
  "$work/std.wasm" -- /data >"$work/std.out" 2>"$work/std.err"
code=$?
set -e
cat "$work/std.out"
if [[ $code -ne 3 ]] || ! grep -q "block ends above 4 GiB: true" "$work/std.out"; then
  echo "step 3 FAILED: tests/wasm64_std exited $code:" >&2
  cat "$work/std.err" >&2
  exit 1
fi
echo "step 3: std's hello ($(stat -c %s "$work/hello.wasm") bytes) and tests/wasm64_std ran" >&2
