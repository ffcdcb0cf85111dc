#!/usr/bin/env bash
# Runs tokio's own integration tests (the tests/ folder of its crates.io package) natively and
# under `cargo wasix test --features full` with network access, and prints a Markdown table of
# pass counts per test file (the evidence behind docs/real-crates.md's tokio section).
#
# The crate under test is tokio with the WASIX overlay applied (overlays/tokio; its edits only
# touch `target_vendor = "wasmer"` cfgs, so the native build is tokio as published). The copy
# comes from cargo-wasix itself: building tests/tokio_net with -v names the patched directory.
#
# tokio gates many test files and tests off for every WASI target (`not(target_os = "wasi")`,
# "Wasi doesn't support threads / bind / panic recovery"), which WASIX does support. A third run
# ("gates lifted") builds a copy whose tests/*.rs have those gates made WASI-without-WASIX only:
# every `target_os = "wasi"`, `target_family = "wasm"` and `target_env = "p1"` predicate in the
# test files gets `not(target_vendor = "wasmer")` added. tokio's own src/ is not touched by it.
#
# The `process_*` and `signal_*` files are gated on `cfg(unix)`, which WASIX is not; in the
# lifted copy their `unix` cfg predicates become `any(unix, target_vendor = "wasmer")` too (the
# overlay routes WASIX through tokio's unix process and signal code). The system commands the
# process tests spawn (`sh -c "exit 2"`, `echo`, `true`, `sleep`) do not exist in a guest, which
# never starts host programs: scripts/tokio-suite-tools/ builds WASIX stand-ins, mounted at
# /tools and put on the guest's PATH.
#
# Usage: scripts/tokio-suite.sh [TEST ...]   (default: the net, tcp, udp, rt, sync, time, io and
#                                              fs files; platform-specific ones left out;
#                                              `process_smoke signal_usr1 ...` for those)
# Writes under target/tokio-suite/. Environment: CARGO_WASIX_HOME (default
# <repo>/target/wasix-home), TOKIO_SUITE_NATIVE=0 / TOKIO_SUITE_SHIPPED=0 to skip the native /
# as-shipped wasix run (their logs from an earlier run are then reused).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/tokio-suite"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
mkdir -p "$work/logs"

echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix)
cli="$repo/target/debug/cargo-wasix"

# The overlaid tokio of tests/tokio_net's lock.
rm -rf "$work/probe"
cp -R "$repo/tests/tokio_net" "$work/probe"
patched=$(cd "$work/probe" && "$cli" wasix build -v 2>&1 |
  sed -n 's/.*tokio \([0-9.]*\) is replaced by its WASIX-patched copy in `\(.*\)` for this build.*/\1 \2/p' | head -n 1)
if [[ -z $patched ]]; then
  echo "error: building tests/tokio_net did not name a patched tokio (see \`cargo wasix build -v\` there)" >&2
  exit 1
fi
read -r version patched_dir <<<"$patched"
src="$work/src/tokio-$version"
if [[ ! -d $src ]]; then
  mkdir -p "$work/src"
  cp -R "$patched_dir" "$src.partial"
  # As in tokio's own workspace: dev-dependencies (tokio-test, tokio-stream) use this tokio.
  # The package's Cargo.lock predates that patch (it holds a second, registry tokio): resolve anew.
  rm -f "$src.partial/Cargo.lock"
  printf '\n[workspace]\n\n[patch.crates-io]\ntokio = { path = "." }\n' >>"$src.partial/Cargo.toml"
  mv "$src.partial" "$src"
fi
echo "tokio $version (overlaid) in $src" >&2

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
  while IFS= read -r f; do tests+=("$(basename "$f" .rs)"); done < <(
    find "$src/tests" -maxdepth 1 -name '*.rs' | sort |
      grep -E '/(net|tcp_|udp|rt_|sync_|time_|io_|fs_)[^/]*\.rs$' |
      grep -v -E 'uring|windows|emscripten|named_pipe|unix|aio'
  )
fi
test_args=()
for t in "${tests[@]}"; do test_args+=(--test "$t"); done

# Per test file: "passed failed ignored" from the `Running tests/<file>.rs` block of a log.
counts() { # log file
  awk -v want="tests/$2.rs" '
    /^ *Running / { cur = ($2 == want) }
    cur && /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p = $i; if ($(i+1) ~ /^failed/) f = $i; if ($(i+1) ~ /^ignored/) g = $i }; seen = 1; cur = 0 }
    END { if (seen) print p + 0, f + 0, g + 0; else print "- - -" }' "$1"
}

if [[ ${TOKIO_SUITE_NATIVE:-1} != 0 ]]; then
  echo "native  tokio $version (${#tests[@]} test files) ..." >&2
  (cd "$src" && CARGO_TARGET_DIR="$work/target-native" cargo test --features full --no-fail-fast \
    "${test_args[@]}") >"$work/logs/native.log" 2>&1 || true
fi
if [[ ${TOKIO_SUITE_SHIPPED:-1} != 0 ]]; then
echo "wasix   tokio $version (${#tests[@]} test files) ..." >&2
(cd "$src" && CARGO_TARGET_DIR="$work/target-wasix" CARGO_WASIX_RUNTIME_FLAGS="--net" \
  "$cli" wasix test --features full --no-fail-fast "${test_args[@]}") >"$work/logs/wasix.log" 2>&1 || true
fi

# WASIX stand-ins for sh, echo, true and sleep (one module under four names).
tools="$work/tools"
(cd "$repo/scripts/tokio-suite-tools" && CARGO_TARGET_DIR="$work/target-tools" "$cli" wasix build -q --release)
mkdir -p "$tools"
for tool in sh echo true sleep; do
  cp "$work/target-tools/wasm32-wasmer-wasi/release/tokio-suite-tools.wasm" "$tools/$tool.wasm"
done
runtime_flags="--net --mapdir /tools:$tools --env PATH=/tools"

lifted="$work/src/tokio-$version-lifted"
rm -rf "$lifted"
cp -R "$src" "$lifted"
for f in "$lifted"/tests/*.rs; do
  sed -i -e 's/target_os = "wasi"/all(target_os = "wasi", not(target_vendor = "wasmer"))/g' \
    -e 's/target_family = "wasm"/all(target_family = "wasm", not(target_vendor = "wasmer"))/g' \
    -e 's/target_env = "p1"/all(target_env = "p1", not(target_vendor = "wasmer"))/g' "$f"
done
for f in "$lifted"/tests/process_*.rs "$lifted"/tests/signal_*.rs; do
  perl -pi -e 's/\bunix\b/any(unix, target_vendor = "wasmer")/g if /^\s*#!?\[cfg/' "$f"
done
# ... and tempfile, a dev-dependency left out on wasm (the other wasm-gated ones, proptest and
# socket2, need processes or are for platform tests).
sed -i -e '/^\[target\..*\.dev-dependencies\.tempfile\]/{s/target_os = "wasi"/all(target_os = "wasi", not(target_vendor = "wasmer"))/g;s/target_family = "wasm"/all(target_family = "wasm", not(target_vendor = "wasmer"))/g;s/target_env = "p1"/all(target_env = "p1", not(target_vendor = "wasmer"))/g}' "$lifted/Cargo.toml"
echo "wasix   tokio $version, WASI gates of the tests lifted ..." >&2
# One cargo run per file: with the gates lifted some files need dev-dependencies that do not
# build for WASI (proptest's process forking), and one build error must not hide the rest.
: >"$work/logs/wasix-lifted.log"
for t in "${tests[@]}"; do
  (cd "$lifted" && CARGO_TARGET_DIR="$work/target-wasix" CARGO_WASIX_RUNTIME_FLAGS="$runtime_flags" \
    timeout 900 "$cli" wasix test --features full --no-fail-fast --test "$t") >>"$work/logs/wasix-lifted.log" 2>&1 || true
done

echo
echo "| test file | native passed / failed / ignored | wasix, as shipped | wasix, WASI gates lifted |"
echo "|---|---|---|---|"
tn=(0 0 0) tw=(0 0 0) tl=(0 0 0)
for t in "${tests[@]}"; do
  read -r np nf ni <<<"$(counts "$work/logs/native.log" "$t" 2>/dev/null || echo '- - -')"
  read -r wp wf wi <<<"$(counts "$work/logs/wasix.log" "$t")"
  read -r lp lf li <<<"$(counts "$work/logs/wasix-lifted.log" "$t")"
  echo "| $t | $np / $nf / $ni | $wp / $wf / $wi | $lp / $lf / $li |"
  [[ $np != - ]] && tn=($((tn[0] + np)) $((tn[1] + nf)) $((tn[2] + ni)))
  [[ $wp != - ]] && tw=($((tw[0] + wp)) $((tw[1] + wf)) $((tw[2] + wi)))
  [[ $lp != - ]] && tl=($((tl[0] + lp)) $((tl[1] + lf)) $((tl[2] + li)))
done
echo "| **total** | ${tn[0]} / ${tn[1]} / ${tn[2]} | ${tw[0]} / ${tw[1]} / ${tw[2]} | ${tl[0]} / ${tl[1]} / ${tl[2]} |"
echo
echo "logs: $work/logs/"
