#!/usr/bin/env bash
# Futex cost: two threads handing a token through a Mutex + Condvar (every hand-off a futex
# wait and wake), microseconds per round trip. Three builds of benches/futex_pingpong:
# native; our std (futexes through the WASIX futex_wait/futex_wake imports) on our runtime;
# rustup's wasm32-wasip1-threads std (the memory.atomic.wait32/notify instructions) on our
# runtime. Rounds are interleaved; prints medians and ratios.
#
# usage: scripts/bench-futex.sh [ROUNDS] [TRIPS]   (default 7 rounds of 20000 round trips)
# env:   CARGO_WASIX  the cargo-wasix binary (default: target/release/cargo-wasix, built if missing)
#        BENCH_DIR    scratch directory (default: target/bench-futex)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-7}
trips=${2:-20000}
work=${BENCH_DIR:-$root/target/bench-futex}
cargo_wasix=${CARGO_WASIX:-$root/target/release/cargo-wasix}
if [ ! -x "$cargo_wasix" ]; then
    cargo build --release -q -p cargo-wasix --manifest-path "$root/Cargo.toml"
fi
rustup target add wasm32-wasip1-threads >/dev/null 2>&1 || true
mkdir -p "$work"
rm -rf "$work/futex_pingpong"
cp -r "$root/benches/futex_pingpong" "$work/futex_pingpong"
cd "$work/futex_pingpong"
cargo build --release -q
cargo build --release -q --target wasm32-wasip1-threads
"$cargo_wasix" wasix build --release -q
native=() ours=() instr=()
for _ in $(seq "$rounds"); do
    native+=("$(./target/release/futex_pingpong "$trips")")
    ours+=("$("$cargo_wasix" wasix run-wasm target/wasm32-wasmer-wasi/release/futex_pingpong.wasm -- "$trips")")
    instr+=("$("$cargo_wasix" wasix run-wasm target/wasm32-wasip1-threads/release/futex_pingpong.wasm -- "$trips")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
n=$(median "${native[@]}") o=$(median "${ours[@]}") i=$(median "${instr[@]}")
echo "Mutex+Condvar round trip, median of $rounds rounds of $trips (us), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  native:                                   $n   (all: ${native[*]})"
echo "  our std, futex imports, our runtime:      $o   (all: ${ours[*]})"
echo "  wasip1-threads std, atomic.wait32:        $i   (all: ${instr[*]})"
awk -v n="$n" -v o="$o" -v i="$i" 'BEGIN { printf "  ours/native %.2f, instruction/native %.2f, ours/instruction %.2f\n", o / n, i / n, o / i }'
