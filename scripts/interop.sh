#!/usr/bin/env bash
# Differential harness (issue 12): builds the end-to-end fixtures under tests/ and
# examples/hello with the CLI, runs each case on our runtime (`cargo wasix run-wasm`) and on the
# Wasmer CLI (`wasmer run`) with the same arguments, environment, mapped directories, stdin and
# networking, compares stdout, stderr and exit codes, prints a Markdown table and writes it into
# docs/interop.md (between the `interop-table` markers).
#
# Usage: scripts/interop.sh [--install-wasmer] [CASE ...]   (default: every case below)
#
# Exit status: 0 when every case is identical, 1 when some differ, 2 on usage or build errors,
# 3 when no Wasmer CLI is found. Everything this script writes is under target/interop/ (plus
# the table in docs/interop.md when all cases ran). Environment:
#   WASMER             the Wasmer CLI (default: `wasmer` on PATH, else ~/.cargo/bin/wasmer)
#   CARGO_WASIX_HOME   sysroot cache (default: <repo>/target/wasix-home, shared with the tests)
#   INTEROP_TIMEOUT    seconds per run (default 300)
#
# Normalisation (the only rewriting before comparing): none of stdout; on stderr, lines our
# runtime or Wasmer print about themselves (not the program) are dropped — see `normalise`.
set -uo pipefail

WASMER_VERSION=7.4.2
INSTALL_HINT="cargo install --locked wasmer-cli@$WASMER_VERSION --features cranelift,singlepass"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/interop"
timeout_s="${INTEROP_TIMEOUT:-300}"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"

install=0
# shellcheck source=scripts/lib/cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cases.sh"
ALLOW_INSTALL=1
parse_case_args "$@"

find_wasmer() {
  if [[ -n "${WASMER:-}" ]]; then
    command -v "$WASMER" || true
  elif command -v wasmer >/dev/null; then
    command -v wasmer
  elif [[ -x "$HOME/.cargo/bin/wasmer" ]]; then
    echo "$HOME/.cargo/bin/wasmer"
  fi
}
wasmer="$(find_wasmer)"
if [[ -z "$wasmer" && $install -eq 1 ]]; then
  echo "installing the Wasmer CLI $WASMER_VERSION (about 25 minutes on 2 cores) ..." >&2
  $INSTALL_HINT || exit 3
  wasmer="$HOME/.cargo/bin/wasmer"
fi
if [[ -z "$wasmer" ]]; then
  cat >&2 <<EOF
error: the Wasmer CLI was not found (set WASMER, put \`wasmer\` on PATH, or install it)
help: install it with
          $INSTALL_HINT
      (about 25 minutes on 2 cores; without a compiler feature it runs nothing),
      or run this script with --install-wasmer
EOF
  exit 3
fi
wasmer_version="$("$wasmer" --version 2>/dev/null | head -n1)"

# --- the cases ------------------------------------------------------------------------------
# name | fixture | wasm | flags | args | stdin | what it covers
# fixture: a directory under tests/ or `examples/NAME`; wasm: the module's name; flags: runtime
# options both CLIs spell the same (`--env K=V`, `--volume HOST:GUEST`, `--net`), where
# `@DATA@` is a fresh host directory per run; stdin: text fed to the program (`\n` escapes).
CASES=(
  "hello|hello|hello||||stdout, stderr"
  "args|hello|hello||a --b c||args"
  "exit-code|hello|hello||exit 3||exit code"
  "panic|hello|hello||panic||panic, exit 101"
  "example|examples/hello|hello||interop||threads, pipe, parallelism, pid"
  "env|basics|basics|--env GREETING=hi --env A=1|env||environment"
  "files|basics|basics|--volume @DATA@:/data|files /data||mounted dir: create, append, rename, list, remove"
  "pipe|basics|basics||pipe||pipe between threads"
  "stdin|basics|basics||stdin|first line\\nsecond\\n|stdin to EOF"
  "time|basics|basics||time||wall clock, monotonic sleep"
  "random|basics|basics||random||getentropy"
  "threads|threads|threads||||mutex, condvar, mpsc, scoped"
  "rayon-tokio|rt|rt||||rayon pool, tokio rt, timers"
  "unwind|unwind|unwind||||catch_unwind, panicking thread"
  "unwind-main|unwind|unwind||main||panic in main unwinds to 101"
  "derive|derive|derive||||build script + proc macro"
  "workspace|ws|app||||workspace member"
  "newer-libc|newer_libc|newer_libc||||libc pinned newer than the overlay"
  "libc-calls|libc_calls|libc_calls|--net|||libc pipe and socket"
  "net-std|net_std|net_std|--net|--net||TCP, UDP, DNS through std"
  "net-ports|net_e2e|net_e2e_ports|--net|||local_addr/peer_addr/accept/recv_from ports"
  "net-tcp-echo|net_e2e|net_e2e_tcp_echo|--net|||1 MiB TCP echo between threads"
  "net-edges|net_e2e|net_e2e_edges|--net|||DNS, nonblocking accept, refused, connect timeout"
  "net-ipv6|net_e2e|net_e2e_ipv6|--net|||TCP and UDP on ::1"
  "net-denied|net_std|net_std||--net||networking without --net"
  "old-libc|oldlibc|oldlibc||||libc 0.2.158 from a shipped lock (overlay)"
  "parking-lot|parking|parking||||parking_lot 0.11/0.12 futex parker (overlay)"
  "mio|mio_net|mio_net|--net|||mio TCP, UDP, Waker (overlay)"
  "tokio-net|tokio_net|tokio_net|--net|net-only||tokio full: TCP echo, UDP, DNS, timers (overlays)"
)

select_cases

# --- build ----------------------------------------------------------------------------------
mkdir -p "$work/bin" "$work/src" "$work/runs"
echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix) || exit 2
# A private copy: others rebuilding target/debug/cargo-wasix must not change it under us.
cp "$repo/target/debug/cargo-wasix" "$work/bin/cargo-wasix.partial"
mv "$work/bin/cargo-wasix.partial" "$work/bin/cargo-wasix"
cli="$work/bin/cargo-wasix"

# Where a fixture's copy and its target directory live. examples/hello and tests/hello are both
# package `hello`, so the examples get a target directory of their own.
fixture_src() { echo "$work/src/${1//\//-}"; }
fixture_target() {
  case "$1" in
    examples/*) echo "$work/target-examples" ;;
    *) echo "$work/target" ;;
  esac
}

declare -A built=()
build_fixture() {
  local fixture="$1"
  [[ -n "${built[$fixture]:-}" ]] && return "${built[$fixture]}"
  local from="$repo/tests/$fixture"
  [[ "$fixture" == examples/* ]] && from="$repo/$fixture"
  local src
  src="$(fixture_src "$fixture")"
  rm -rf "$src"
  cp -r "$from" "$src"
  find "$src" -name target -type d -prune -exec rm -rf {} +
  echo "building $fixture ..." >&2
  if (cd "$src" && CARGO_TARGET_DIR="$(fixture_target "$fixture")" "$cli" wasix build -q --bins \
    >"$work/runs/build-${fixture//\//-}.log" 2>&1); then
    built[$fixture]=0
  else
    echo "error: building $fixture failed; see $work/runs/build-${fixture//\//-}.log" >&2
    built[$fixture]=1
  fi
  return "${built[$fixture]}"
}

# --- run and compare ------------------------------------------------------------------------
# Drops the lines a runtime prints about itself rather than on the program's behalf:
# * Wasmer's log lines (`<timestamp>  WARN wasmer...`, e.g. a firewall refusal);
# * our runtime's one-time `error: network access denied...` message (and its `help:` line),
#   printed when a program uses the network without `--net` (Wasmer prints nothing).
normalise() {
  grep -Ev '^[0-9TZ:.-]+ +(WARN|INFO|ERROR|DEBUG|TRACE) |^error: network access denied|^help: allow it with --net=' || true
}

# run RUNTIME CASE-DIR FLAGS... -- WASM ARGS...: writes out, err, code under CASE-DIR/RUNTIME.
run_one() {
  local runtime="$1" dir="$2" stdin_text="$3"
  shift 3
  mkdir -p "$dir/$runtime"
  local cmd
  if [[ "$runtime" == ours ]]; then
    cmd=("$cli" wasix run-wasm "$@")
  else
    cmd=("$wasmer" run "$@")
  fi
  printf '%q ' "${cmd[@]}" | sed "s#$repo/##g; s# \$##" >"$dir/$runtime/command"
  printf '%b' "$stdin_text" | timeout "$timeout_s" "${cmd[@]}" \
    >"$dir/$runtime/out" 2>"$dir/$runtime/err.raw"
  echo $? >"$dir/$runtime/code"
  normalise <"$dir/$runtime/err.raw" >"$dir/$runtime/err"
}

rows=()
details=()
differing=0
for entry in "${selected[@]}"; do
  IFS='|' read -r name fixture wasm_name flags args stdin_text what <<<"$entry"
  dir="$work/runs/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  if ! build_fixture "$fixture"; then
    rows+=("| \`$name\` | $what | build failed | | | | **build failed** |")
    differing=1
    continue
  fi
  wasm="$(fixture_target "$fixture")/wasm32-wasmer-wasi/debug/$wasm_name.wasm"
  for runtime in ours wasmer; do
    data="$dir/data-$runtime"
    mkdir -p "$data"
    # shellcheck disable=SC2206 # flags and args are space-separated words by design
    flag_words=(${flags//@DATA@/$data})
    # shellcheck disable=SC2206
    arg_words=($args)
    echo "running $name on $runtime ..." >&2
    run_one "$runtime" "$dir" "$stdin_text" "${flag_words[@]}" "$wasm" -- "${arg_words[@]}"
  done
  code_ours="$(cat "$dir/ours/code")"
  code_wasmer="$(cat "$dir/wasmer/code")"
  same_out=same
  same_err=same
  cmp -s "$dir/ours/out" "$dir/wasmer/out" || same_out=differs
  cmp -s "$dir/ours/err" "$dir/wasmer/err" || same_err=differs
  if [[ "$code_ours" == "$code_wasmer" && $same_out == same && $same_err == same ]]; then
    verdict=identical
  else
    verdict="**differs**"
    differing=1
    details+=("### \`$name\`" ""
      "ours: \`$(cat "$dir/ours/command")\` → exit $code_ours"
      "" "wasmer: \`$(cat "$dir/wasmer/command")\` → exit $code_wasmer" ""
      '```diff'
      "$({
        diff -u --label "ours stdout" --label "wasmer stdout" "$dir/ours/out" "$dir/wasmer/out"
        diff -u --label "ours stderr" --label "wasmer stderr" "$dir/ours/err" "$dir/wasmer/err"
      } | head -n 80)"
      '```' "")
  fi
  rows+=("| \`$name\` | $what | $code_ours | $code_wasmer | $same_out | $same_err | $verdict |")
done

table="$(
  echo "Wasmer: \`$wasmer_version\`; cargo-wasix: \`$(git -C "$repo" rev-parse --short HEAD)\`$(git -C "$repo" diff --quiet HEAD -- . ':!docs/interop.md' 2>/dev/null || echo ' (with local changes)'); $(date -u +%Y-%m-%d)."
  echo
  echo "| case | covers | exit (ours) | exit (Wasmer) | stdout | stderr | result |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [[ ${#details[@]} -gt 0 ]]; then
    echo
    echo "#### Differences (raw, after normalisation)"
    echo
    printf '%s\n' "${details[@]}"
  fi
)"
echo "$table"

# Keep the last full table in docs/interop.md (a partial run only prints).
doc="$repo/docs/interop.md"
if [[ ${#wanted[@]} -eq 0 && -f "$doc" ]] && grep -q '<!-- interop-table:start -->' "$doc"; then
  tmp="$doc.partial"
  TABLE="$table" awk '
    /<!-- interop-table:start -->/ { print; print ""; print ENVIRON["TABLE"]; print ""; skip = 1; next }
    /<!-- interop-table:end -->/ { skip = 0 }
    !skip { print }
  ' "$doc" >"$tmp" && mv "$tmp" "$doc"
  echo "wrote the table to docs/interop.md" >&2
fi
exit "$differing"
