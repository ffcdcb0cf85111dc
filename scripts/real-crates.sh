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
set -euo pipefail

# name version "note shown in the table" (what the suite exercises)
CRATES=(
  "crossbeam-channel 0.5.17 threads: channels, select, timeouts"
  "crossbeam-utils 0.8.23 threads: scoped threads, parker, atomics"
  "walkdir 2.5.0 files: directory trees, symlinks"
  "tempfile 3.27.0 files: temp files and dirs, persist"
  "once_cell 1.21.4 threads: racing initialisation"
  "parking_lot 0.13.0 threads: mutex, rwlock, condvar"
  "semver 1.0.28 pure: parsing (control)"
)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/real-crates"
timeout_s="${REAL_CRATES_TIMEOUT:-1800}"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
mkdir -p "$work/src" "$work/logs" "$work/fetch/src"

wanted=("$@")
selected=()
for entry in "${CRATES[@]}"; do
  name="${entry%% *}"
  if [[ ${#wanted[@]} -eq 0 ]] || [[ " ${wanted[*]} " == *" $name "* ]]; then
    selected+=("$entry")
  fi
done
if [[ ${#selected[@]} -eq 0 ]]; then
  echo "error: none of \`$*\` is in the crate list of $0" >&2
  exit 2
fi

echo "building cargo-wasix ..." >&2
(cd "$repo" && cargo build -q -p cargo-wasix)
cli="$repo/target/debug/cargo-wasix"

# One manifest depending on every selected crate at its exact version; `cargo fetch` puts the
# sources into cargo's registry cache.
{
  printf '[package]\nname = "real-crates-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n[dependencies]\n'
  for entry in "${selected[@]}"; do
    read -r name version _ <<<"$entry"
    printf '%s = "=%s"\n' "$name" "$version"
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

  native="- - - - -"
  if [[ ${REAL_CRATES_NATIVE:-1} != 0 ]]; then
    echo "native  $name $version ..." >&2
    (cd "$dir" && CARGO_TARGET_DIR="$work/target-native" timeout "$timeout_s" \
      cargo test --no-fail-fast --color never) >"$work/logs/$name-$version.native.log" 2>&1 || true
    native=$(count "$work/logs/$name-$version.native.log")
  fi

  echo "wasix   $name $version ..." >&2
  start=$(date +%s)
  status=0
  (cd "$dir" && CARGO_TARGET_DIR="$work/target-wasix" timeout "$timeout_s" \
    "$cli" wasix test --no-fail-fast --color never) >"$work/logs/$name-$version.wasix.log" 2>&1 || status=$?
  secs=$(( $(date +%s) - start ))
  wasix=$(count "$work/logs/$name-$version.wasix.log")
  if [[ $status -eq 124 ]]; then note="$note; wasix run timed out after ${timeout_s}s"; fi
  if [[ $wasix == "- - - - -" ]]; then note="$note; wasix build failed (see log)"; fi

  read -r np nf _ ndp ndf <<<"$native"
  read -r wp wf wi wdp wdf <<<"$wasix"
  rows+=("| $name | $version | $np / $nf | $wp / $wf / $wi | $ndp / $ndf | $wdp / $wdf | ${secs}s | $note |")
done

echo
echo "| crate | version | native tests passed / failed | wasix tests passed / failed / ignored | native doctests passed / failed | wasix doctests passed / failed | wasix time | notes |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "logs: $work/logs/"
