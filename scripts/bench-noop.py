#!/usr/bin/env python3
"""No-op build cost of `cargo wasix build` against plain `cargo build --target wasm32-wasip1`
(issue 16, step 3), robust to a busy machine: CPU time (user + system of the whole process
tree, from wait4) next to wall time, min and median of ROUNDS interleaved runs.

Usage: scripts/bench-noop.py [ROUNDS] [CLI]
  ROUNDS  runs per variant (default 30)
  CLI     the cargo-wasix binary (default target/release/cargo-wasix; build it first with
          `cargo build --release -p cargo-wasix`)

Fixtures: tests/hello (no dependencies) and tests/rt (rayon + tokio, so the tokio overlay is
patched in), copied to target/bench-noop/. Also times `cargo-wasix wasix --version` (the
process start alone) and `cargo wasix build` with CARGO=/bin/true (our process's whole warm
path without cargo). cargo runs as `$CARGO` (the toolchain's binary, as `cargo wasix` gets it
from cargo), never through the rustup proxy.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def toolchain_cargo():
    if os.environ.get("CARGO"):
        return os.environ["CARGO"]
    sysroot = subprocess.run(
        ["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return os.path.join(sysroot, "bin", "cargo")


def run(cmd, cwd, env):
    """One run: (wall ms, CPU ms of the process and every descendant it reaped)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.execvpe(cmd[0], cmd, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd} (status {status}); run it by hand to see why")
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    cli = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "target/release/cargo-wasix")
    cargo = toolchain_cargo()
    work = os.path.join(REPO, "target/bench-noop")
    base = dict(os.environ)
    base["CARGO"] = cargo
    base.setdefault("CARGO_WASIX_HOME", os.path.join(REPO, "target/wasix-home"))
    for key in ("RUSTC_WRAPPER", "RUSTFLAGS", "CARGO_TARGET_DIR", "RUSTC"):
        base.pop(key, None)
    true = shutil.which("true") or "/bin/true"
    rustc = os.path.join(os.path.dirname(cargo), "rustc")

    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {rounds} rounds")
    for fixture in ("hello", "rt"):
        project = os.path.join(work, fixture)
        if not os.path.isdir(project):
            shutil.copytree(
                os.path.join(REPO, "tests", fixture),
                project,
                ignore=shutil.ignore_patterns("target"),
            )
        wasix_env = dict(base, CARGO_TARGET_DIR=os.path.join(project, "target-wasix"))
        plain_env = dict(base, CARGO_TARGET_DIR=os.path.join(project, "target-wasip1"))
        alone_env = dict(wasix_env, CARGO=true, RUSTC=rustc)
        variants = [
            ("cargo wasix build", [cli, "wasix", "build", "-q"], wasix_env),
            ("cargo build --target wasm32-wasip1",
             [cargo, "build", "-q", "--target", "wasm32-wasip1"], plain_env),
            ("cargo-wasix alone (CARGO=true)", [cli, "wasix", "build", "-q"], alone_env),
            ("cargo-wasix wasix --version", [cli, "wasix", "--version"], wasix_env),
        ]
        # Warm up: sysroot, lock file, first builds, the stamps of both CARGO values.
        for _, cmd, env in variants:
            run(cmd, project, env)
            run(cmd, project, env)
        samples = {name: ([], []) for name, _, _ in variants}
        for _ in range(rounds):
            for name, cmd, env in variants:
                wall, cpu = run(cmd, project, env)
                samples[name][0].append(wall)
                samples[name][1].append(cpu)

        def stats(name):
            wall, cpu = samples[name]
            return min(wall), statistics.median(wall), min(cpu), statistics.median(cpu)

        plain = stats(variants[1][0])
        print(f"\n| no-op build of tests/{fixture} | wall min / median | CPU min / median | "
              "ratio to plain cargo: wall min / median, CPU min / median |")
        print("|---|---|---|---|")
        for name, _, _ in variants:
            s = stats(name)
            ratio = " / ".join(f"{a / b:.2f}" for a, b in zip(s, plain))
            print(f"| {name} | {s[0]:.1f} / {s[1]:.1f} ms | {s[2]:.1f} / {s[3]:.1f} ms | {ratio} |")
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
