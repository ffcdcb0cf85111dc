#!/usr/bin/env bash
# Applies every crate overlay (overlays/<crate>/) to every published, non-yanked version of its
# crate that the overlay's ranges cover, so an anchor that moved upstream shows up here and not
# in a user's build. Versions come from the crates.io sparse index; the crates themselves are
# fetched by cargo. Usage: scripts/overlay-versions.sh [--build] [crate...]   (default: every overlay)
#
# --build also compiles every patched version for the target (`cargo wasix check` of a probe
# crate depending on exactly that version, with the features in CHECK_FEATURES): an overlay's new
# files can call upstream code whose API moved between versions, which applying alone misses.
set -euo pipefail
cd "$(dirname "$0")/.."

build=0
if [[ ${1:-} == --build ]]; then build=1; shift; fi

# Features a probe turns on, so the overlaid code paths are compiled.
declare -A CHECK_FEATURES=(
  [tokio]='"full"'
  [mio]='"net", "os-poll", "os-ext"'
  [socket2]='"all"'
  [async-std]='"default", "unstable"'
  [memmap2]=''
  [libc]='"extra_traits"'
)

crates=("$@")
if [[ ${#crates[@]} -eq 0 ]]; then
  for manifest in overlays/*/overlay.toml; do
    crates+=("$(basename "$(dirname "$manifest")")")
  done
fi

mkdir -p target/overlay-versions
list=$PWD/target/overlay-versions/versions.txt
: >"$list"
for krate in "${crates[@]}"; do
  lower=${krate,,}
  case ${#lower} in
    1) path=1/$lower ;;
    2) path=2/$lower ;;
    3) path=3/${lower:0:1}/$lower ;;
    *) path=${lower:0:2}/${lower:2:2}/$lower ;;
  esac
  index=$(curl -sSfL "https://index.crates.io/$path") || {
    echo "error: cannot read the crates.io index entry of \`$krate\` (https://index.crates.io/$path)" >&2
    exit 1
  }
  printf '%s\n' "$index" | python3 -c '
import json, sys
krate = sys.argv[1]
for line in sys.stdin:
    if line.strip():
        entry = json.loads(line)
        if not entry.get("yanked"):
            print(krate, entry["vers"])
' "$krate" >>"$list"
done
echo "checking $(wc -l <"$list") published versions of: ${crates[*]}" >&2
log=target/overlay-versions/apply.log
CARGO_WASIX_OVERLAY_VERSIONS=$list cargo test -p wasix-sysroot --test tests -- \
  --ignored --exact overlay_versions::every_listed_version_takes_its_overlay --nocapture 2>&1 | tee "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || exit 1
[[ $build -eq 1 ]] || exit 0

cargo build -q -p cargo-wasix
cli=$PWD/target/debug/cargo-wasix
probe=$PWD/target/overlay-versions/probe
failed=0
while read -r _ krate version; do
  rm -rf "$probe/src" && mkdir -p "$probe/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[workspace]\n\n[dependencies]\n%s = { version = "=%s", features = [%s] }\n' \
    "$krate" "$version" "${CHECK_FEATURES[$krate]:-}" >"$probe/Cargo.toml"
  : >"$probe/src/lib.rs"
  rm -f "$probe/Cargo.lock"
  # An overlay for some targets only (`targets = [...]` in overlay.toml) is checked on the first.
  target=$(sed -n 's/^targets = \["\([^"]*\)".*/\1/p' "overlays/$krate/overlay.toml")
  target_args=()
  home=${CARGO_WASIX_HOME:-}
  if [[ -n $target && $target != wasm32-wasmer-wasi ]]; then
    target_args=(--target "$target")
    home=${CARGO_WASIX_HOME_WASM64:-$PWD/target/wasix-home-wasm64}
  fi
  if out=$(cd "$probe" && env ${home:+CARGO_WASIX_HOME="$home"} "$cli" wasix check -q "${target_args[@]}" 2>&1); then
    echo "builds  $krate $version"
  else
    echo "FAILED  $krate $version: $(grep -m1 -E '^error' <<<"$out")"
    failed=$((failed + 1))
  fi
done < <(grep -E '^ok +' "$log")
echo "$failed patched versions failed to build"
[[ $failed -eq 0 ]]
