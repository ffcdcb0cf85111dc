#!/usr/bin/env bash
# Runs the published test suites of registry crates natively and under `cargo wasix test`, and
# prints a Markdown table of the pass counts (the evidence behind docs/real-crates.md).
#
# Usage: scripts/real-crates.sh [CRATE ...]     (default: every crate in CRATES below)
#
# Sources come from crates.io through cargo only: a throw-away manifest depends on each crate at
# its exact version, `cargo fetch` unpacks it into cargo's registry cache, and the unpacked
# directory is copied to target/real-crates/src/. Everything this script writes is under
# target/real-crates/ (re-running it reuses the builds there). Environment:
#   CARGO_WASIX_HOME   sysroot cache (default: <repo>/target/wasix-home, shared with the tests)
#   REAL_CRATES_TIMEOUT  seconds per `cargo test` run (default 1800)
#   REAL_CRATES_NATIVE=0 skip the native runs (the table then shows `-` for them)
#   REAL_CRATES_CARGO_ARGS  extra cargo arguments for every run, native and wasix (e.g. --release)
#   REAL_CRATES_TARGET  the WASIX target of the wasix runs (default wasm32-wasmer-wasi; e.g.
#                       wasm64-wasmer-wasi, whose logs and builds then go to target/real-crates/wasm64/)
set -euo pipefail

# name version "note shown in the table" (what the suite exercises)
CRATES=(
  "crossbeam-channel 0.5.17 threads: channels, select, timeouts"
  "crossbeam-utils 0.8.23 threads: scoped threads, parker, atomics"
  "walkdir 2.5.0 files: directory trees, symlinks"
  "tempfile 3.27.0 files: temp files and dirs, persist"
  "once_cell 1.21.4 threads: racing initialisation"
  "parking_lot 0.13.0 threads: mutex, rwlock, condvar"
  "parking_lot 0.12.5 threads: mutex, rwlock, condvar (parking_lot_core 0.9: the overlay's parker)"
  "serde_json 1.0.154 pure: JSON, with many doctests"
  "crossbeam-queue 0.3.12 threads: MPMC queues under contention"
  "crossbeam-deque 0.8.6 threads: work-stealing deques"
  "thread_local 1.1.9 threads: per-thread values"
  "rayon-core 1.13.0 threads: thread pools, scopes, join"
  "glob 0.3.3 files: pattern matching over a directory tree"
  "fs_extra 1.3.0 files: copying and moving trees"
  "ignore 0.4.35 files + threads: parallel directory walks with gitignore rules"
  "semver 1.0.28 pure: parsing (control)"
  "env_logger 0.11.12 control + env: log filtering (with its own release profile: LTO)"
  "polling 3.11.0 net: epoll backend (overlay), pipes, sockets, timeouts"
  "async-io 2.6.0 net + timers: reactor, Async<T>, non-blocking connect (overlay)"
  "smol 2.0.2 async: executor, net, process (on the async-* overlays)"
  "async-lock 3.5.0 threads: async and blocking locks (overlay)"
  "blocking 1.7.0 threads: the thread pool behind unblock, Unblock I/O adapters (overlay)"
  "memmap2 0.9.11 files: mmap emulated in linear memory (overlay; the last version whose suite is in src/lib.rs: 0.9.12 moved it to test/map.rs, which its package does not build)"
  "filetime 0.2.30 files: access/modification times, symlinks (overlay)"
  "signal-hook 0.3.18 signals: handlers, flags, iterator, low-level registry (overlay)"
  "signal-hook 0.4.6 signals: handlers, flags, iterator, low-level registry (overlay)"
)

# Extra cargo arguments for both runs of a crate (native and wasix run the same suite).
# env_logger's release profile has `lto = true`: the suite under it is the LTO check of issue 17.
# The process and signal suites (issue 9: once_cell's `reentrant_init` re-runs the test binary,
# crossbeam-channel's dev-dependencies register signal handlers) run in release mode: their
# timing-heavy tests take minutes in debug builds.
declare -A CARGO_TEST_ARGS=(
  [env_logger]="--release"
  [once_cell]="--release"
  [crossbeam-channel]="--release"
  [signal-hook]="--release"
)

# Extra libtest arguments for the wasix runs of a crate. rayon-core marks its threaded tests
# `ignore` on every wasm target (no threads there in general); WASIX has threads, so run them.
# (tempfile's two wasi-ignored tests both need unwinding, so they stay ignored.)
declare -A WASIX_TEST_ARGS=(
  [rayon-core]="--include-ignored"
)

# Crates whose own tests gate fd-based test code on `cfg(unix)`/`std::os::unix::io` (polling:
# `as_raw_fd()` for `Poller::add`): for the wasix run those gates in tests/ include WASI and the
# imports use `std::os::fd` (where unix's come from), as tokio-suite.sh lifts tokio's WASI gates.
LIFT_UNIX_TEST_GATES=(polling)

# Crates whose own tests treat every wasm target as a browser (`target_family = "wasm"`:
# wasm-bindgen-test instead of libtest, blocking tests left out): for the wasix run that
# predicate in tests/ excludes WASIX, as the crate's overlay does in src/.
LIFT_WASM_TEST_GATES=(async-lock)

# Dev-dependencies only a crate's examples use, removed (with the examples) for both runs when
# they cannot build for WASIX: smol's TLS, websocket and surf examples need OpenSSL
# (native-tls) and async-io 1.x; its tests are its doctests, which use none of them.
declare -A EXAMPLE_ONLY_DEV_DEPS=(
  [smol]="async-h1 async-native-tls async-tungstenite native-tls http-types surf scraper ctrlc"
)

# Crates whose shipped Cargo.lock pins a version below an overlay's range (cargo wasix refuses
# it, naming the `cargo update -p` to run, as a user would be told): updated for both runs.
declare -A LOCK_UPDATES=(
  [smol]="async-io async-process tokio"
)

# Runtime flags for the wasix runs of a crate (CARGO_WASIX_RUNTIME_FLAGS): suites that open
# sockets need the network.
declare -A WASIX_RUNTIME_FLAGS=(
  [polling]="--net"
  [async-io]="--net"
  [smol]="--net"
)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/real-crates"
wasix_target="${REAL_CRATES_TARGET:-wasm32-wasmer-wasi}"
target_flag=()
wasix_logs="$work/logs"
wasix_build="$work/target-wasix"
if [[ $wasix_target != wasm32-wasmer-wasi ]]; then
  target_flag=(--target "$wasix_target")
  # Its own logs and builds; the sources and native runs stay shared.
  wasix_logs="$work/${wasix_target%%-*}/logs"
  wasix_build="$work/${wasix_target%%-*}/target-wasix"
  mkdir -p "$wasix_logs"
fi
timeout_s="${REAL_CRATES_TIMEOUT:-1800}"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
mkdir -p "$work/src" "$work/logs" "$work/fetch/src"

wanted=("$@")
CASES=("${CRATES[@]}")
# shellcheck source=scripts/lib/cases.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cases.sh"
select_cases

echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix)
# A private copy: others rebuilding target/debug/cargo-wasix during a long run must not make
# it vanish under us.
mkdir -p "$work/bin"
cp "$repo/target/debug/cargo-wasix" "$work/bin/cargo-wasix.partial"
mv "$work/bin/cargo-wasix.partial" "$work/bin/cargo-wasix"
cli="$work/bin/cargo-wasix"

# One manifest depending on every selected crate at its exact version; `cargo fetch` puts the
# sources into cargo's registry cache.
{
  printf '[package]\nname = "real-crates-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n[dependencies]\n'
  for entry in "${selected[@]}"; do
    read -r name version _ <<<"$entry"
    # One alias per entry, so two versions of a crate can be listed.
    printf '%s = { package = "%s", version = "=%s" }\n' "${name//-/_}_${version//./_}" "$name" "$version"
  done
} >"$work/fetch/Cargo.toml"
: >"$work/fetch/src/lib.rs"
echo "fetching sources ..." >&2
cargo fetch -q --manifest-path "$work/fetch/Cargo.toml"
registry_src="${CARGO_HOME:-$HOME/.cargo}/registry/src"

# Prints "passed failed ignored doc_passed doc_failed" summed over the `test result:` lines of a
# cargo test log (lines after cargo's `Doc-tests` header count as doctests), or dashes when no
# test binary reported (the build failed).
count() {
  awk '/^ *Doc-tests /{ doc = 1 }
       /^test result: /{
         for (i = 1; i <= NF; i++) {
           if ($(i+1) ~ /^passed/) { if (doc) dp += $i; else p += $i }
           if ($(i+1) ~ /^failed/) { if (doc) df += $i; else f += $i }
           if ($(i+1) ~ /^ignored/ && !doc) g += $i
         }
         seen = 1
       }
       END { if (seen) print p + 0, f + 0, g + 0, dp + 0, df + 0; else print "- - - - -" }' "$1"
}

# The cargo target selectors (`--lib`, `--test NAME`) of test binaries in a cargo test log that
# started but never printed their `test result:` line (the guest aborted, e.g. a panic under
# panic=abort), one per line.
aborted_binaries() {
  awk 'function flush() { if (pending != "") print pending; pending = "" }
       /^ *Running / {
         flush()
         if ($2 == "unittests" && $3 == "src/lib.rs") pending = "--lib"
         else if ($2 ~ /^tests\/[^\/]+\.rs$/) { n = $2; sub(/^tests\//, "", n); sub(/\.rs$/, "", n); pending = "--test " n }
         else if ($2 ~ /^tests\/[^\/]+\/main\.rs$/) { n = $2; sub(/^tests\//, "", n); sub(/\/main\.rs$/, "", n); pending = "--test " n }
         else pending = ""
       }
       /^ *Doc-tests / { flush() }
       /^test result: / { pending = "" }
       END { flush() }' "$1"
}

# Runs every test of an aborted binary alone (`--exact`, output not captured so a panic message
# reaches the log) and prints "passed failed ignored"; the failed names go to $reruns_log.
rerun_each() {
  local sel=$1 dir=$2 list test out p=0 f=0 i=0
  # shellcheck disable=SC2086 # $sel is one or two words on purpose
  list=$(cd "$dir" && CARGO_TARGET_DIR="$wasix_build" "$cli" wasix test -q "${target_flag[@]}" $cargo_args $sel -- --list --format terse $extra 2>/dev/null |
    sed -n 's/: test$//p')
  while IFS= read -r test; do
    [[ -z $test ]] && continue
    # shellcheck disable=SC2086
    out=$(cd "$dir" && CARGO_TARGET_DIR="$wasix_build" timeout 300 \
      "$cli" wasix test -q --color never "${target_flag[@]}" $cargo_args $sel -- --exact "$test" --nocapture $extra 2>&1) || true
    if grep -q '^test result: ok\. 1 passed' <<<"$out"; then
      p=$((p + 1))
    elif grep -q '^test result: ok\. 0 passed; 0 failed; 1 ignored' <<<"$out"; then
      i=$((i + 1))
      echo "=== $sel $test: ignored" >>"$reruns_log"
    else
      f=$((f + 1))
      { echo "=== $sel $test"; tail -n 15 <<<"$out"; } >>"$reruns_log"
    fi
  done <<<"$list"
  echo "$p $f $i"
}

# patched_source NAME VERSION DEST: for a crate that has an overlay (overlays/NAME), the wasix
# run tests the source a user's build gets, so DEST becomes cargo-wasix's patched copy (named by
# `cargo wasix check -v` on a throw-away crate that depends on it). As in the crate's own
# workspace, its dev-dependencies use this copy (`[patch.crates-io]`); the shipped lock predates
# that patch, so it is resolved anew.
patched_source() {
  local name=$1 version=$2 dest=$3 probe="$work/probe/$1-$2" patched
  mkdir -p "$probe/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n\n[dependencies]\n%s = "=%s"\n' \
    "$name" "$version" >"$probe/Cargo.toml"
  : >"$probe/src/lib.rs"
  patched=$(cd "$probe" && "$cli" wasix check -v 2>&1 |
    sed -n "s/.*$name $version is replaced by its WASIX-patched copy in \`\(.*\)\` for this build.*/\1/p" | head -n 1)
  if [[ -z $patched ]]; then
    echo "error: \`cargo wasix check -v\` in $probe did not name a patched $name $version" >&2
    exit 1
  fi
  cp -R "$patched" "$dest.partial"
  rm -f "$dest.partial/Cargo.lock" "$dest.partial/.cargo-wasix-checksum"
  printf '\n[workspace]\n\n[patch.crates-io]\n%s = { path = "." }\n' "$name" >>"$dest.partial/Cargo.toml"
  mv "$dest.partial" "$dest"
}

rows=()
for entry in "${selected[@]}"; do
  read -r name version note <<<"$entry"
  dir="$work/src/$name-$version"
  if [[ ! -d $dir ]]; then
    found=$(find "$registry_src" -mindepth 2 -maxdepth 2 -type d -name "$name-$version" | head -n 1)
    if [[ -z $found ]]; then
      echo "error: cargo fetch did not unpack $name-$version under $registry_src" >&2
      exit 1
    fi
    cp -R "$found" "$dir.partial"
    # Published crates sit inside our workspace's directory tree: give each its own workspace.
    printf '\n[workspace]\n' >>"$dir.partial/Cargo.toml"
    mv "$dir.partial" "$dir"
  fi
  # A shipped Cargo.lock is used as it is: the libc overlay covers libc 0.2.150 and newer
  # (overlays/libc/overlay.toml); only an older one is moved to the newest 0.2.x, for the
  # native run too.
  if [[ -f $dir/Cargo.lock ]] && grep -q '^name = "libc"$' "$dir/Cargo.lock"; then
    locked=$(grep -A1 '^name = "libc"$' "$dir/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n 1)
    minor_patch=${locked#0.2.}
    if [[ $locked == 0.2.* && $minor_patch -lt 150 ]]; then
      (cd "$dir" && cargo update -q -p libc 2>/dev/null) || true
      now=$(grep -A1 '^name = "libc"$' "$dir/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n 1)
      if [[ $locked != "$now" ]]; then echo "shipped lock's libc $locked updated to $now" >"$dir.lock-note"; fi
    fi
  fi
  if [[ -f $dir.lock-note ]]; then note="$note; $(cat "$dir.lock-note")"; fi
  trimmed="${EXAMPLE_ONLY_DEV_DEPS[$name]:-}"
  if [[ -n $trimmed ]]; then
    if [[ ! -f $dir/.examples-trimmed ]]; then
      # Normalized manifests already say `autoexamples = false` and list examples one by one.
      has_auto=0; grep -q '^autoexamples' "$dir/Cargo.toml" && has_auto=1
      awk -v drop=" $trimmed " -v has_auto=$has_auto '
        /^\[/ { skip = 0; if ($0 ~ /^\[dev-dependencies\./) { d = $0; sub(/^\[dev-dependencies\./, "", d); sub(/\]$/, "", d); if (index(drop, " " d " ")) skip = 1 } }
        /^\[\[example\]\]$/ { skip = 1 }
        !skip { print }
        /^\[package\]$/ && !has_auto { print "autoexamples = false" }' "$dir/Cargo.toml" >"$dir/Cargo.toml.trimmed"
      mv "$dir/Cargo.toml.trimmed" "$dir/Cargo.toml"
      touch "$dir/.examples-trimmed"
    fi
    note="$note; examples and their dev-dependencies (\`$trimmed\`) left out of both runs"
  fi
  # After the trim: the examples' dev-dependencies pin other versions of the same crates.
  lock_updates="${LOCK_UPDATES[$name]:-}"
  if [[ -n $lock_updates && ! -f $dir.lock-updated ]]; then
    # shellcheck disable=SC2086 # one -p per crate
    # `cargo metadata` first drops the lock entries only the removed dev-dependencies used.
    (cd "$dir" && cargo metadata -q --format-version 1 >/dev/null && cargo update -q $(printf -- '-p %s ' $lock_updates))
    touch "$dir.lock-updated"
  fi
  if [[ -n $lock_updates ]]; then note="$note; shipped lock's \`$lock_updates\` updated (\`cargo update -p\`) for both runs"; fi

  cargo_args="${CARGO_TEST_ARGS[$name]:-}"
  if [[ -n ${REAL_CRATES_CARGO_ARGS:-} && " $cargo_args " != *" $REAL_CRATES_CARGO_ARGS "* ]]; then
    cargo_args="$cargo_args $REAL_CRATES_CARGO_ARGS"
  fi
  if [[ -n ${cargo_args// /} ]]; then note="$note; both runs with \`${cargo_args# }\`"; fi
  native="- - - - -"
  if [[ ${REAL_CRATES_NATIVE:-1} != 0 ]]; then
    echo "native  $name $version ..." >&2
    # shellcheck disable=SC2086 # $cargo_args is zero or more words on purpose
    (cd "$dir" && CARGO_TARGET_DIR="$work/target-native" timeout "$timeout_s" \
      cargo test --no-fail-fast --color never $cargo_args) >"$work/logs/$name-$version.native.log" 2>&1 || true
    native=$(count "$work/logs/$name-$version.native.log")
  fi

  extra="${WASIX_TEST_ARGS[$name]:-}"
  export CARGO_WASIX_RUNTIME_FLAGS="${WASIX_RUNTIME_FLAGS[$name]:-}"
  if [[ -n $CARGO_WASIX_RUNTIME_FLAGS ]]; then note="$note; runtime \`$CARGO_WASIX_RUNTIME_FLAGS\`"; fi
  if [[ -n $extra ]]; then note="$note; wasix run with \`-- $extra\`"; fi
  wasix_dir=$dir
  if [[ -d $repo/overlays/$name ]]; then
    wasix_dir="$dir-wasix"
    [[ -d $wasix_dir ]] || patched_source "$name" "$version" "$wasix_dir"
    note="$note; wasix run on the crate with its overlay"
  fi
  if [[ " ${LIFT_UNIX_TEST_GATES[*]} " == *" $name "* ]]; then
    if [[ $wasix_dir == "$dir" ]]; then
      wasix_dir="$dir-wasix"
      [[ -d $wasix_dir ]] || cp -R "$dir" "$wasix_dir"
    fi
    find "$wasix_dir/tests" -name '*.rs' -exec sed -i \
      -e 's/#\[cfg(unix)\]/#[cfg(any(unix, target_os = "wasi"))]/' \
      -e 's/std::os::unix::io::/std::os::fd::/' {} +
    note="$note; \`cfg(unix)\` gates in its tests/ include WASI"
  fi
  if [[ " ${LIFT_WASM_TEST_GATES[*]} " == *" $name "* ]]; then
    # Once per copy: the replacement contains the text it replaces.
    [[ -f $wasix_dir/.wasm-gates-lifted ]] || find "$wasix_dir/tests" -name '*.rs' -exec sed -i \
      -e 's/target_family = "wasm"/all(target_family = "wasm", not(target_vendor = "wasmer"))/g' {} +
    touch "$wasix_dir/.wasm-gates-lifted"
    note="$note; browser gates (\`target_family = \"wasm\"\`) in its tests/ exclude WASIX"
  fi
  echo "wasix   $name $version ..." >&2
  start=$(date +%s)
  status=0
  # shellcheck disable=SC2086 # $cargo_args and $extra are zero or more words on purpose
  (cd "$wasix_dir" && CARGO_TARGET_DIR="$wasix_build" timeout "$timeout_s" \
    "$cli" wasix test --no-fail-fast --color never "${target_flag[@]}" $cargo_args -- $extra) >"$wasix_logs/$name-$version.wasix.log" 2>&1 || status=$?
  wasix=$(count "$wasix_logs/$name-$version.wasix.log")
  if [[ $status -eq 124 ]]; then note="$note; wasix run timed out after ${timeout_s}s"; fi
  if [[ $wasix == "- - - - -" ]]; then note="$note; wasix build failed (see log)"; fi
  if sed -n '/^ *Doc-tests /,$p' "$wasix_logs/$name-$version.wasix.log" | grep 'compiler unexpectedly panicked' >/dev/null; then
    note="$note; doctests: rustdoc ICE with a custom target"
    doc_ice=1
  else
    doc_ice=0
  fi

  # Test binaries that aborted: count their tests one by one instead of as one lost binary.
  reruns_log="$wasix_logs/$name-$version.reruns.log"
  : >"$reruns_log"
  aborted=$(aborted_binaries "$wasix_logs/$name-$version.wasix.log")
  if [[ -n $aborted && $wasix != "- - - - -" ]]; then
    read -r wp wf wi wdp wdf <<<"$wasix"
    while IFS= read -r sel; do
      echo "        rerunning each test of \`$sel\` (the binary aborted) ..." >&2
      read -r rp rf ri <<<"$(rerun_each "$sel" "$wasix_dir")"
      wp=$((wp + rp)); wf=$((wf + rf)); wi=$((wi + ri))
      note="$note; \`$sel\` aborted, its tests run one by one"
    done <<<"$aborted"
    wasix="$wp $wf $wi $wdp $wdf"
  fi
  secs=$(( $(date +%s) - start ))

  read -r np nf _ ndp ndf <<<"$native"
  read -r wp wf wi wdp wdf <<<"$wasix"
  wdoc="$wdp / $wdf"
  if [[ $doc_ice == 1 ]]; then wdoc="rustdoc ICE"; fi
  rows+=("| $name | $version | $np / $nf | $wp / $wf / $wi | $ndp / $ndf | $wdoc | ${secs}s | $note |")
done

echo
echo "| crate | version | native tests passed / failed | wasix tests passed / failed / ignored | native doctests passed / failed | wasix doctests passed / failed | wasix time (warm build) | notes |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "logs: $work/logs/ (native), $wasix_logs/ ($wasix_target)"
