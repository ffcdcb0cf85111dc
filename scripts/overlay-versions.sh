#!/usr/bin/env bash
# Applies every crate overlay (overlays/<crate>/) to every published, non-yanked version of its
# crate that the overlay's ranges cover, so an anchor that moved upstream shows up here and not
# in a user's build. Versions come from the crates.io sparse index; the crates themselves are
# fetched by cargo. Usage: scripts/overlay-versions.sh [crate...]   (default: every overlay)
set -euo pipefail
cd "$(dirname "$0")/.."

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
CARGO_WASIX_OVERLAY_VERSIONS=$list cargo test -p wasix-sysroot --test tests -- \
  --ignored --exact overlay_versions::every_listed_version_takes_its_overlay --nocapture
