#!/usr/bin/env bash
# tokio networking in the guest against the same program native (issue 8's benchmark): a tokio
# TCP echo (throughput) and a hyper 1.x HTTP/1.1 keep-alive server (request rate), from one
# source (benches/tokio_net), built with `cargo build --release` and `cargo wasix build
# --release`, driven by the same host client (Python, one connection), rounds alternating
# between native and WASIX so machine load hits both alike. Prints a Markdown table.
#
# Usage: scripts/bench-tokio.sh [ROUNDS]   (default 5)
# Environment: CARGO_WASIX_HOME (default <repo>/target/wasix-home); ECHO_MIB (default 64);
# HTTP_REQUESTS (default 5000).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
export CARGO_WASIX_HOME="${CARGO_WASIX_HOME:-$repo/target/wasix-home}"
export ECHO_MIB="${ECHO_MIB:-64}" HTTP_REQUESTS="${HTTP_REQUESTS:-5000}"
bench="$repo/benches/tokio_net"
work="$repo/target/bench-tokio"
mkdir -p "$work"

echo "building ..." >&2
(cd "$repo" && cargo build -q --release -p cargo-wasix)
cli="$repo/target/release/cargo-wasix"
(cd "$bench" && CARGO_TARGET_DIR="$work/native" cargo build -q --release --locked)
(cd "$bench" && CARGO_TARGET_DIR="$work/wasix" "$cli" wasix build -q --release --locked)
native="$work/native/release/tokio_net_bench"
wasm="$work/wasix/wasm32-wasmer-wasi/release/tokio_net_bench.wasm"

python3 - "$rounds" "$native" "$cli" "$wasm" <<'PY'
import os, socket, statistics, subprocess, sys, threading, time

rounds, native, cli, wasm = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
echo_bytes = int(os.environ["ECHO_MIB"]) << 20
requests = int(os.environ["HTTP_REQUESTS"])

def start(kind, mode):
    cmd = [native, mode] if kind == "native" else [cli, "wasix", "run-wasm", "--net", wasm, "--", mode]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("listening on "):
        raise SystemExit(f"{kind} {mode}: no port ({line!r}; {p.stderr.read()})")
    s = socket.create_connection(("127.0.0.1", int(line.split()[2])))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return p, s

def echo(kind):
    p, s = start(kind, "echo")
    chunk = b"x" * 65536
    got = 0
    def reader():
        nonlocal got
        while got < echo_bytes:
            b = s.recv(1 << 20)
            if not b:
                break
            got += len(b)
    t0 = time.perf_counter()
    r = threading.Thread(target=reader); r.start()
    sent = 0
    while sent < echo_bytes:
        s.sendall(chunk); sent += len(chunk)
    r.join()
    dt = time.perf_counter() - t0
    s.close(); p.wait(timeout=60)
    assert got == echo_bytes, (kind, got)
    return echo_bytes / dt / (1 << 20)

def http(kind):
    p, s = start(kind, "http")
    req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    buf = b""
    t0 = time.perf_counter()
    for _ in range(requests):
        s.sendall(req)
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                head = buf[:end].lower()
                n = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
                if len(buf) >= end + 4 + n:
                    buf = buf[end + 4 + n:]
                    break
            buf += s.recv(65536)
    dt = time.perf_counter() - t0
    s.close(); p.wait(timeout=60)
    return requests / dt

results = {(k, b): [] for k in ("native", "wasix") for b in ("echo", "http")}
for i in range(rounds):
    for kind in (("native", "wasix") if i % 2 == 0 else ("wasix", "native")):
        results[(kind, "echo")].append(echo(kind))
        results[(kind, "http")].append(http(kind))
    print(f"round {i + 1}/{rounds} done", file=sys.stderr)

med = {k: statistics.median(v) for k, v in results.items()}
print(f"load average at the end: {os.getloadavg()[0]:.2f}; {rounds} rounds, medians\n")
print("| benchmark | native | WASIX guest (cargo wasix, bundled runtime) | ratio |")
print("|---|---|---|---|")
print(f"| tokio TCP echo, 1 connection, {echo_bytes >> 20} MiB, 64 KiB writes | {med[('native','echo')]:.0f} MiB/s | {med[('wasix','echo')]:.0f} MiB/s | **{med[('wasix','echo')] / med[('native','echo')]:.2f}x** |")
print(f"| hyper HTTP/1.1 keep-alive, 1 connection, {requests} GETs | {med[('native','http')]:.0f} req/s | {med[('wasix','http')]:.0f} req/s | **{med[('wasix','http')] / med[('native','http')]:.2f}x** |")
PY
