#!/usr/bin/env bash
# The reverse interop direction (issue 12): small C programs under tests/c_interop/, compiled by
# the distribution's clang against the distribution's wasi-libc (plain wasm32-wasi, preview 1,
# no threads), run on our runtime (`cargo wasix run-wasm`); stdout, stderr and the exit code
# are compared with tests/c_interop/expected/<case>.{out,err} and the table below. Prints a
# Markdown table.
#
# Usage: scripts/c-interop.sh [CASE ...]   (default: every case below)
#
# Exit status: 0 when every case matches, 1 when some differ, 2 on usage or build errors,
# 3 when clang or wasi-libc is missing (it says how to install them). Everything it writes is
# under target/c-interop/. Environment:
#   CLANG              the C compiler (default: clang-19, else clang)
#   WASI_SYSROOT       the wasi-libc sysroot (default: /usr, Debian's `wasi-libc` layout with
#                      include/wasm32-wasi and lib/wasm32-wasi; /usr/share/wasi-sysroot is tried too)
#   CARGO_WASIX        a cargo-wasix binary to use (default: built from this repository)
# CI does not run it. Its flags are deliberately not cargo-wasix's C-dependency flags
# (`cargo-wasix/src/ctoolchain/flags.rs`, docs/c-dependencies.md): those build objects for a
# WASIX module linked by rustc (threads, shared memory, our headers); this script builds what
# other toolchains produce, plain single-threaded wasm32-wasi programs linked by clang.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$repo/tests/c_interop"
work="$repo/target/c-interop"
INSTALL_HINT="apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32"

# shellcheck source=scripts/lib/cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cases.sh"
parse_case_args "$@"

# --- the toolchain --------------------------------------------------------------------------
if [[ -n "${CLANG:-}" ]]; then
  clang="$(command -v "$CLANG" || true)"
else
  clang="$(command -v clang-19 || command -v clang || true)"
fi
sysroot=""
for candidate in ${WASI_SYSROOT:-/usr /usr/share/wasi-sysroot}; do
  if [[ -f "$candidate/lib/wasm32-wasi/libc.a" ]]; then
    sysroot="$candidate"
    break
  fi
done
if [[ -z "$clang" || -z "$sysroot" ]]; then
  missing="clang"
  [[ -n "$clang" ]] && missing="wasi-libc (lib/wasm32-wasi/libc.a under ${WASI_SYSROOT:-/usr or /usr/share/wasi-sysroot})"
  cat >&2 <<EOF
error: $missing was not found (set CLANG and WASI_SYSROOT, or install them)
help: on Debian/Ubuntu:
          $INSTALL_HINT
      (clang and wasm-ld compile and link, wasi-libc is the C library, the compiler-rt
      package holds the wasm32 builtins clang links in)
EOF
  exit 3
fi
clang_version="$("$clang" --version | head -n1)"

# --- the cases ------------------------------------------------------------------------------
# name | runtime flags | program args (shell words) | stdin | exit code | what it covers
# `@DATA@` is a fresh host directory per run, mounted at /data.
CASES=(
  "hello||||0|stdout, stderr"
  "args||one 'two words' --three||0|argv"
  "env|--env GREETING=hi|||0|getenv, environ"
  "exit_code||||7|exit status"
  "files|--volume @DATA@:/data|/data||0|create, append, read, stat, rename, unlink, ENOENT"
  "dirs|--volume @DATA@:/data|/data||0|mkdir, readdir, rmdir, ENOTEMPTY"
  "stdin|||first line\\nsecond\\n|0|stdin to EOF"
  "clock||||0|realtime, monotonic, nanosleep"
  "random||||0|getentropy"
  "cwd|--volume @DATA@:/data|/data||0|getcwd, chdir, relative paths"
)

select_cases

# --- build ----------------------------------------------------------------------------------
mkdir -p "$work/bin" "$work/wasm" "$work/runs"
cli="${CARGO_WASIX:-}"
if [[ -z "$cli" ]]; then
  echo "building cargo-wasix ..." >&2
  (cd "$repo" && cargo build -q -p cargo-wasix) || exit 2
  cp "$repo/target/debug/cargo-wasix" "$work/bin/cargo-wasix.partial"
  mv "$work/bin/cargo-wasix.partial" "$work/bin/cargo-wasix"
  cli="$work/bin/cargo-wasix"
fi

for entry in "${selected[@]}"; do
  name="${entry%%|*}"
  if ! "$clang" --target=wasm32-wasi --sysroot="$sysroot" -O2 -Wall -Werror \
    "$src/$name.c" -o "$work/wasm/$name.wasm" 2>"$work/runs/build-$name.log"; then
    echo "error: compiling $name.c failed:" >&2
    cat "$work/runs/build-$name.log" >&2
    exit 2
  fi
done

# --- run and compare ------------------------------------------------------------------------
rows=()
failed=0
for entry in "${selected[@]}"; do
  IFS='|' read -r name flags args stdin_text want_code what <<<"$entry"
  dir="$work/runs/$name"
  rm -rf "$dir"
  mkdir -p "$dir/data"
  flags="${flags//@DATA@/$dir/data}"
  eval "argv=($args)"
  # shellcheck disable=SC2086 # flags are words by design
  printf '%b' "$stdin_text" | timeout 120 "$cli" wasix run-wasm $flags "$work/wasm/$name.wasm" \
    -- "${argv[@]}" >"$dir/out" 2>"$dir/err"
  code=$?
  want_err="$src/expected/$name.err"
  [[ -f "$want_err" ]] || want_err=/dev/null
  out_ok=same
  err_ok=same
  cmp -s "$dir/out" "$src/expected/$name.out" || out_ok=differs
  cmp -s "$dir/err" "$want_err" || err_ok=differs
  result=pass
  if [[ "$out_ok" != same || "$err_ok" != same || "$code" != "$want_code" ]]; then
    result="**FAIL**"
    failed=1
    echo "--- $name: exit $code (want $want_code)" >&2
    diff -u "$src/expected/$name.out" "$dir/out" >&2
    diff -u "$want_err" "$dir/err" >&2
  fi
  rows+=("| \`$name\` | $what | $want_code | $code | $out_ok | $err_ok | $result |")
done

echo "clang: \`$clang_version\`; wasi-libc sysroot: \`$sysroot\`; cargo-wasix: \`$(git -C "$repo" rev-parse --short HEAD)\`; $(date -u +%Y-%m-%d)."
echo
echo "| case | covers | exit (expected) | exit (ours) | stdout | stderr | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
passed=$(printf '%s\n' "${rows[@]}" | grep -c '| pass |')
echo
echo "$passed of ${#rows[@]} cases pass."
exit $failed
