#!/usr/bin/env bash
# Which Rust versions cargo-wasix works with (issue 13), for use before a release and after a
# new stable/beta/nightly appears. For each rustup toolchain given (default: the ones in the
# README's "Rust versions verified" table that are installed):
#   1. `cargo wasix +TC setup --check-patches`: the std patch set against that toolchain's
#      rust-src, in memory; prints every edit that no longer applies (file and anchor);
#   2. unless that failed: the end-to-end subset (hello, threads, net, overlays, doctests) with
#      the cargo-wasix test binary built once by the default toolchain and every cargo/rustc
#      it starts taken from TC (RUSTUP_TOOLCHAIN; the binary is run directly, so cargo's own
#      CARGO/RUSTC do not pin the default toolchain); this builds TC's sysroot first.
# Prints one Markdown row per toolchain: version, patch set, pass/fail counts, wall time of step 2
# (sysroot build + the fixtures' builds + the tests; run toolchains one after another on a quiet
# machine for comparable times).
#
# Usage: scripts/rust-versions.sh [TOOLCHAIN...]     e.g. 1.95.0 1.99.1 beta nightly
# Env: FILTER overrides the test filter (space-separated libtest filters); CHECK_ONLY=1 skips
# step 2. Logs go to target/rust-versions/<toolchain>.log. Install a toolchain first with
#   rustup toolchain install 1.99.1 --profile minimal -c rust-src -c llvm-tools
# (add `-t wasm32-wasip1-threads` up to 1.98; from 1.99 cargo-wasix downloads 1.98's wasi-libc).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/rust-versions"
mkdir -p "$work"
if [ "$#" -eq 0 ]; then
    set -- 1.95.0 1.96.0 1.97.0 1.98.0 1.99.1 beta nightly
fi
filter="${FILTER:-hello threads net overlays doctest}"

(cd "$repo" && cargo build -q -p cargo-wasix)
# A private copy: others rebuilding target/debug/cargo-wasix must not change it under us.
cp "$repo/target/debug/cargo-wasix" "$work/cargo-wasix.partial"
mv "$work/cargo-wasix.partial" "$work/cargo-wasix"
tests_bin=""
if [ "${CHECK_ONLY:-0}" != 1 ]; then
    tests_bin="$(cd "$repo" && cargo test -q -p cargo-wasix --test tests --no-run --message-format=json 2>/dev/null \
        | grep '"kind":\["test"\]' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)"
    [ -x "$tests_bin" ] || { echo "error: could not build the cargo-wasix e2e test binary" >&2; exit 2; }
fi

echo "| toolchain | rustc | std patch set | e2e subset | time |"
echo "|---|---|---|---|---|"
status=0
for tc in "$@"; do
    log="$work/$tc.log"
    : > "$log"
    if ! version="$(rustc "+$tc" -V 2>>"$log")"; then
        echo "| $tc | not installed | – | – | – |"
        status=1
        continue
    fi
    if check="$(env -u CARGO -u RUSTC "$work/cargo-wasix" wasix "+$tc" setup --check-patches 2>>"$log")"; then
        patches="$(printf '%s\n' "$check" | head -1 | sed 's/^rustc [^:]*: std patch set for //')"
    else
        printf '%s\n' "$check" >> "$log"
        problems="$(printf '%s\n' "$check" | sed -n '2,$p' | grep -c '^  ' || true)"
        echo "| $tc | $version | does not apply: $problems problem(s), see $log | – | – |"
        printf '%s\n' "$check" | sed 's/^/    /' >&2
        status=1
        continue
    fi
    if [ -z "$tests_bin" ]; then
        echo "| $tc | $version | $patches | (not run) | – |"
        continue
    fi
    started=$SECONDS
    # shellcheck disable=SC2086 # the filter is a list of words
    if (cd "$repo/cargo-wasix" && env -u CARGO -u RUSTC RUSTUP_TOOLCHAIN="$tc" \
        CARGO_TARGET_DIR="$repo/target" "$tests_bin" $filter --test-threads 2) >>"$log" 2>&1; then
        :
    else
        status=1
    fi
    result="$(grep -E '^test result:' "$log" | tail -1 | sed 's/^test result: //; s/; finished.*//' || true)"
    elapsed=$((SECONDS - started))
    echo "| $tc | $version | $patches | ${result:-no result, see $log} | $((elapsed / 60)) min $((elapsed % 60)) s |"
done
exit "$status"
