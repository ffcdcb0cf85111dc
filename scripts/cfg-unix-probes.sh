#!/usr/bin/env bash
# Measures the `cfg(unix)` question of issue 18: how many real crates build and work on
# wasm32-wasmer-wasi as they are (with our overlays), and how many when every crate of the build
# sees `cfg(unix)` (`--cfg unix` in RUSTFLAGS; std and its `std::os::unix` unchanged).
#
# Usage: scripts/cfg-unix-probes.sh [--mode default|unix|both] [PROBE ...]
#
# A probe is scripts/cfg-unix/<name>.rs: a small `main` using the crate for what a porter needs
# it for, printing `ok` at the end. Its header lines say what it needs:
#   //! dep: <a [dependencies] line>      (one or more)
#   //! net: yes                           (run with --net)
#   //! dir: yes                           (a scratch host dir mounted at /tmp)
#   //! env: K=V                           (guest environment)
# For each probe and mode the script writes a crate under target/cfg-unix/<mode>/<name>/, runs
# `cargo wasix build --release`, then `cargo wasix run --release`, and prints a Markdown table:
# build ok / first error, run ok / first failing line. Logs: target/cfg-unix/logs/.
# Environment: CARGO_WASIX_HOME (default <repo>/target/wasix-home, shared with the tests),
# CFG_UNIX_TIMEOUT seconds per command (default 900).
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/cfg-unix"
timeout_s="${CFG_UNIX_TIMEOUT:-900}"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"

modes=(default unix)
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mode)
      case "${2:-}" in
        default | unix) modes=("$2") ;;
        both) modes=(default unix) ;;
        *) echo "error: --mode takes default, unix or both" >&2; exit 2 ;;
      esac
      shift 2
      ;;
    *) args+=("$1"); shift ;;
  esac
done

CASES=()
for f in "$repo"/scripts/cfg-unix/*.rs; do
  CASES+=("$(basename "$f" .rs)")
done
# shellcheck source=scripts/lib/cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cases.sh"
parse_case_args "${args[@]}"
select_cases

echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix) || exit 1
mkdir -p "$work/bin" "$work/logs"
# A private copy, so a rebuild of target/debug during a long run does not change the tool.
cp "$repo/target/debug/cargo-wasix" "$work/bin/cargo-wasix.partial"
mv "$work/bin/cargo-wasix.partial" "$work/bin/cargo-wasix"
cli="$work/bin/cargo-wasix"

# header_values FILE KEY: the values of `//! KEY: value` lines.
header_values() {
  sed -n "s|^//! $2: ||p" "$1"
}

# first_error LOG: the first rustc/cargo error line, shortened for a table cell.
first_error() {
  grep -m1 -A1 -E '^(error(\[E[0-9]+\])?:|thread .* panicked|Error:)' "$1" |
    sed -e 's/^thread .* panicked at [^ ]*$/panicked:/' | paste -sd' ' |
    sed -e 's/|/\\|/g' -e 's/`//g' -e 's/ *--> .*//' | cut -c1-110
}

write_probe() { # NAME DIR
  local src="$repo/scripts/cfg-unix/$1.rs" dir="$2"
  mkdir -p "$dir/src"
  {
    printf '[package]\nname = "probe-%s"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n' "$1"
    printf '[dependencies]\n'
    header_values "$src" dep
    printf '\n[workspace]\n'
  } >"$dir/Cargo.toml"
  # Package names take no dots (probe `socket2-0.5`).
  sed -i '2s/\./_/g' "$dir/Cargo.toml"
  cp "$src" "$dir/src/main.rs"
}

declare -A result
for mode in "${modes[@]}"; do
  for name in "${selected[@]}"; do
    dir="$work/$mode/$name"
    log="$work/logs/$mode-$name"
    write_probe "$name" "$dir"
    rustflags=""
    # Every crate of the target build sees cfg(unix); the lint denies setting a built-in cfg.
    [[ $mode == unix ]] && rustflags="--cfg unix -A explicit_builtin_cfgs_in_flags"
    echo "== $mode $name" >&2
    if ! (cd "$dir" && RUSTFLAGS="$rustflags" timeout "$timeout_s" "$cli" wasix build --release \
      --color never >"$log.build.log" 2>&1); then
      result[$mode/$name]="no: $(first_error "$log.build.log") | -"
      continue
    fi
    flags=""
    [[ -n $(header_values "$dir/src/main.rs" net) ]] && flags+=" --net"
    if [[ -n $(header_values "$dir/src/main.rs" dir) ]]; then
      mkdir -p "$dir/scratch"
      flags+=" --mapdir /tmp:$dir/scratch"
    fi
    while IFS= read -r kv; do
      [[ -n $kv ]] && flags+=" --env $kv"
    done < <(header_values "$dir/src/main.rs" env)
    (cd "$dir" && RUSTFLAGS="$rustflags" CARGO_WASIX_RUNTIME_FLAGS="$flags" timeout "$timeout_s" \
      "$cli" wasix run --release --color never >"$log.run.log" 2>&1)
    if [[ $(tail -n1 "$log.run.log") == ok ]]; then
      result[$mode/$name]="yes | yes"
    else
      why="$(first_error "$log.run.log")"
      [[ -z $why ]] && why="$(tail -n1 "$log.run.log" | sed 's/|/\\|/g' | cut -c1-110)"
      result[$mode/$name]="yes | no: $why"
    fi
  done
done

# The table: one row per probe, build and run per mode.
header="| probe |"
rule="|---|"
for mode in "${modes[@]}"; do
  header+=" $mode: builds | $mode: runs |"
  rule+="---|---|"
done
echo "$header"
echo "$rule"
for name in "${selected[@]}"; do
  row="| $name |"
  for mode in "${modes[@]}"; do
    row+=" ${result[$mode/$name]} |"
  done
  echo "$row"
done
for mode in "${modes[@]}"; do
  built=0 ran=0
  for name in "${selected[@]}"; do
    [[ ${result[$mode/$name]} == yes* ]] && built=$((built + 1))
    [[ ${result[$mode/$name]} == "yes | yes" ]] && ran=$((ran + 1))
  done
  echo "$mode: $built of ${#selected[@]} build, $ran run"
done
