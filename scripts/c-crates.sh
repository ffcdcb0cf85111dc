#!/usr/bin/env bash
# C and C++ dependencies through `cc` (issue 10), the slow part: builds tests/c_crates (zstd,
# zlib via flate2/libz-sys, ring, SQLite via rusqlite `bundled`) for WASIX with `--release`,
# runs it on the bundled runtime with a mounted directory, runs tests/c_tls (rustls on ring
# with tokio-rustls: a TLS server and client over loopback in one guest), then times SQLite inserts and
# indexed queries (default locking, and `locking_mode = EXCLUSIVE`) in the guest against the
# same program built natively, and prints a Markdown table with the ratios (BENCHMARKS.md
# "C dependencies").
#
# Usage: scripts/c-crates.sh [ROWS]   (default 100000 rows)
#   CARGO_WASIX   a cargo-wasix binary to use (default: built from this repository, dev profile)
#
# Exit status: 0 when the run's output is as expected, 1 when it differs, 2 on build errors,
# 3 when the C toolchain is missing (cargo-wasix's own error says how to install it).
# Everything it writes is under target/c-crates/. The fast subset of these checks runs in
# `cargo test` (cargo-wasix/tests/tests/c_deps.rs).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/c-crates"
rows="${1:-100000}"
mkdir -p "$work/data" "$work/bin"

cli="${CARGO_WASIX:-}"
if [[ -z "$cli" ]]; then
  # The dev profile, as the other benchmarks: our crates unoptimised, wasmtime/Cranelift and
  # every other dependency at opt-level 2 (the workspace's profile).
  echo "building cargo-wasix ..." >&2
  (cd "$repo" && cargo build -q -p cargo-wasix) || exit 2
  cli="$work/bin/cargo-wasix"
  cp "$repo/target/debug/cargo-wasix" "$cli.partial" && mv "$cli.partial" "$cli"
fi
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
export CARGO_TARGET_DIR="$work/target"
crate="$repo/tests/c_crates"

if ! "$cli" wasix status | grep -q '^c compiler:'; then
  "$cli" wasix status | grep '^c ' >&2
  exit 3
fi
"$cli" wasix status | grep '^c ' >&2

echo "building tests/c_crates for WASIX (release) ..." >&2
(cd "$crate" && "$cli" wasix build -q --release --bins) || exit 2
echo "building tests/c_crates natively (release) ..." >&2
(cd "$crate" && cargo build -q --release --bins) || exit 2

expected="zstd: 10000 bytes, smaller: true, round trip: true
zlib 1.4: smaller: true, round trip: true
ring sha256(abc): ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
ring hmac-sha256: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
ring hmac verify: true
sqlite reopened: apple, banana, cherry
sqlite second writer busy while the first holds the lock: true
sqlite rows after both writers: 5"
wasm_dir="$CARGO_TARGET_DIR/wasm32-wasmer-wasi/release"
got="$("$cli" wasix run-wasm --volume "$work/data:/data" "$wasm_dir/c_crates.wasm" -- /data)"
status=0
if [[ "$got" != "$expected" ]]; then
  echo "--- c_crates output differs:" >&2
  diff <(echo "$expected") <(echo "$got") >&2
  status=1
fi

echo "building and running tests/c_tls (rustls + tokio-rustls over loopback) ..." >&2
tls_expected="tls: Some(TLSv1_3) Some(TLS13_AES_256_GCM_SHA384)
hello over TLS, you asked for GET /secret HTTP/1.1"
tls_got="$(cd "$repo/tests/c_tls" && CARGO_WASIX_RUNTIME_FLAGS=--net "$cli" wasix run -q --release)" || exit 2
if [[ "$tls_got" != "$tls_expected" ]]; then
  echo "--- c_tls output differs:" >&2
  diff <(echo "$tls_expected") <(echo "$tls_got") >&2
  status=1
fi

# Best of three for each side (per column); the guest's database lives in the mounted host
# directory, the native one in the same host directory.
run_native() { "$CARGO_TARGET_DIR/release/sqlite_bench" "$work/data" "$rows"; }
run_guest() { "$cli" wasix run-wasm --volume "$work/data:/data" "$wasm_dir/sqlite_bench.wasm" -- /data "$rows"; }
# "<mode> locking, rows N: insert A us, 2000 indexed range queries B us (...)" lines of three
# runs -> "minA minB" in ms for the lines of `mode`
measure() {
  local i mode="$2"
  for i in 1 2 3; do
    "$1" || exit 2
  done | grep "^$mode locking" |
    sed -E 's/.*insert ([0-9]+) us, 2000 indexed range queries ([0-9]+) us.*/\1 \2/' |
    awk 'NR == 1 || $1 < a { a = $1 } NR == 1 || $2 < b { b = $2 } END { printf "%.1f %.1f\n", a / 1000, b / 1000 }'
}
run_guest >/dev/null # warms the compiled-module cache
native_runs="$(measure run_native default; measure run_native exclusive)"
guest_runs="$(measure run_guest default; measure run_guest exclusive)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "cargo-wasix \`$(git -C "$repo" rev-parse --short HEAD)\`, $(rustc --version | cut -d' ' -f1-2), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d); $rows rows, best of 3."
echo
echo "| SQLite (rusqlite \`bundled\`, release) | native (ms) | WASIX guest (ms) | guest / native |"
echo "|---|---|---|---|"
i=0
for mode in default exclusive; do
  i=$((i + 1))
  read -r n_insert n_query <<<"$(sed -n "${i}p" <<<"$native_runs")"
  read -r g_insert g_query <<<"$(sed -n "${i}p" <<<"$guest_runs")"
  echo "| $rows inserts in one transaction, $mode locking | $n_insert | $g_insert | $(ratio "$g_insert" "$n_insert") |"
  echo "| 2000 indexed range queries, $mode locking | $n_query | $g_query | $(ratio "$g_query" "$n_query") |"
done
exit $status
