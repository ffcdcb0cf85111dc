#!/usr/bin/env bash
# Spawn-and-wait of a hello child: std::process::Command inside the guest (cargo wasix run,
# the child is a new instance in the same host process) against the same program built
# natively (a real fork/exec). Prints both means and their ratio.
#
# usage: scripts/bench-spawn.sh [N]   (N spawns after 5 warm-ups; default 200)
# env:   CARGO_WASIX  the cargo-wasix binary (default: target/release/cargo-wasix, built if missing)
#        BENCH_DIR    scratch directory (default: target/bench-spawn)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
work=${BENCH_DIR:-$root/target/bench-spawn}
cargo_wasix=${CARGO_WASIX:-$root/target/release/cargo-wasix}
if [ ! -x "$cargo_wasix" ]; then
    cargo build --release -q -p cargo-wasix --manifest-path "$root/Cargo.toml"
fi
mkdir -p "$work"
rm -rf "$work/proc_std"
cp -r "$root/tests/proc_std" "$work/proc_std"
cd "$work/proc_std"
cargo build --release -q
native=$(./target/release/proc_std bench "$n" | awk '{print $3}')
"$cargo_wasix" wasix build --release -q
guest=$("$cargo_wasix" wasix run --release -q -- bench "$n" | awk '{print $3}')
echo "spawn+wait of a hello child, mean of $n (after 5 warm-ups):"
echo "  native Command (fork/exec of the native build): ${native} us"
echo "  guest Command (proc_spawn2 in cargo wasix run): ${guest} us"
awk -v g="$guest" -v n="$native" 'BEGIN { printf "  ratio guest/native: %.2f\n", g / n }'
