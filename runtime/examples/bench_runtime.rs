//! Runtime benchmarks, printed as one Markdown table from ONE run:
//! CPU-bound guest vs native and vs the wasmtime CLI (same wasip1 build), hello-world warm
//! start (cache hit) vs cold compile, and a parallel job on 2 threads vs 1.
//!
//! `cargo run --release -p wasix-runtime --example bench_runtime` (builds the guest crate and
//! `wasix-run` first). The wasmtime column is skipped with a note when `wasmtime` is not on
//! PATH (`cargo install wasmtime-cli --version 48.0.8 --locked`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guests = root.join("tests/guests/Cargo.toml");
    let target_dir = root.join("../target/runtime-guests");
    let release = cfg!(not(debug_assertions));
    cargo(
        &[
            "build",
            "--quiet",
            "--bin",
            "wasix-run",
            "-p",
            "wasix-runtime",
        ],
        release,
        None,
    );
    // target/<profile>/examples/bench_runtime -> target/<profile>/wasix-run
    let exe = std::env::current_exe().expect("own path");
    let runner = exe
        .parent()
        .and_then(Path::parent)
        .expect("examples dir")
        .join("wasix-run");
    for t in ["wasm32-wasip1-threads", "wasm32-wasip1"] {
        cargo(
            &[
                "build",
                "--quiet",
                "--release",
                "--target",
                t,
                "--manifest-path",
                guests.to_str().unwrap(),
                "--target-dir",
                target_dir.to_str().unwrap(),
            ],
            false,
            None,
        );
    }
    cargo(
        &[
            "build",
            "--quiet",
            "--release",
            "--bin",
            "core_cpu",
            "--bin",
            "thread_parallel",
            "--manifest-path",
            guests.to_str().unwrap(),
            "--target-dir",
            target_dir.to_str().unwrap(),
        ],
        false,
        None,
    );
    let wasm = |t: &str, n: &str| target_dir.join(t).join("release").join(format!("{n}.wasm"));
    let cache = tempdir();

    println!("## Runtime\n");
    println!(
        "Measured by `runtime/examples/bench_runtime.rs` ({} build of the runner), {} CPUs, load average at start {}.\n",
        if release {
            "release"
        } else {
            "dev (deps opt-level 2)"
        },
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("| benchmark | result | target |\n|---|---|---|");

    // CPU-bound: compute time reported by the guest itself, runtime warm. The contenders run
    // interleaved (native, ours, wasmtime; 5 rounds) so a burst of load elsewhere hits all of
    // them alike; each column is the median of its 5 runs.
    let arg = "30000000";
    let native_bin = target_dir.join("release/core_cpu");
    let cpu_p1 = wasm("wasm32-wasip1", "core_cpu");
    let ours_cmd = || {
        let mut c = Command::new(&runner);
        c.args([
            "--cache",
            cache.to_str().unwrap(),
            cpu_p1.to_str().unwrap(),
            arg,
        ]);
        c
    };
    let wasmtime = which("wasmtime");
    let wt_cmd = |wt: &Path| {
        let mut c = Command::new(wt);
        c.args(["run", cpu_p1.to_str().unwrap(), arg]);
        c
    };
    run(&mut ours_cmd()); // warm the cache
    let (mut native, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        native.push(guest_ms(&run(Command::new(&native_bin).arg(arg))));
        ours.push(guest_ms(&run(&mut ours_cmd())));
        if let Some(wt) = &wasmtime {
            theirs.push(guest_ms(&run(&mut wt_cmd(wt))));
        }
    }
    let (native, ours) = (median_of(native), median_of(ours));
    println!("| CPU (sieve+sort, wasip1): native | {native:.0} ms | |");
    println!(
        "| CPU: our runtime | {ours:.0} ms = **{:.2}x native** | <= 1.5x |",
        ours / native
    );
    match &wasmtime {
        Some(wt) => {
            let theirs = median_of(theirs);
            println!(
                "| CPU: wasmtime CLI {} | {theirs:.0} ms; ours = **{:.3}x wasmtime** | <= 1.05x |",
                version(wt),
                ours / theirs
            );
        }
        None => println!("| CPU: wasmtime CLI | skipped: `wasmtime` not on PATH | <= 1.05x |"),
    }

    // Startup: whole-process wall time of hello world.
    let hello = wasm("wasm32-wasip1-threads", "core_hello");
    let warm_args = ["--cache", cache.to_str().unwrap(), hello.to_str().unwrap()];
    run(Command::new(&runner).args(warm_args));
    let warm = median(21, || {
        wall(|| {
            run(Command::new(&runner).args(warm_args));
        })
    });
    let cold = median(3, || {
        wall(|| {
            run(Command::new(&runner).arg(&hello));
        })
    });
    println!("| hello world, warm start (cache hit), wall | {warm:.1} ms | <= 15 ms |");
    println!(
        "| hello world, cold (compile every run), wall | {cold:.0} ms = {:.0}x warm | |",
        cold / warm
    );

    // Threads: same total work on 1 and 2 threads (guest-reported compute time).
    let par = wasm("wasm32-wasip1-threads", "thread_parallel");
    let pargs = |n: &str| {
        vec![
            "--cache".to_string(),
            cache.to_str().unwrap().into(),
            par.to_str().unwrap().into(),
            n.into(),
            "400000000".into(),
        ]
    };
    run(Command::new(&runner).args(pargs("1")));
    let native_par = target_dir.join("release/thread_parallel");
    let nargs = |n: &str| vec![n.to_string(), "400000000".into()];
    // Interleaved rounds, as for the CPU rows.
    let (mut o1, mut o2, mut m1, mut m2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        m1.push(guest_ms(&run(Command::new(&native_par).args(nargs("1")))));
        o1.push(guest_ms(&run(Command::new(&runner).args(pargs("1")))));
        m2.push(guest_ms(&run(Command::new(&native_par).args(nargs("2")))));
        o2.push(guest_ms(&run(Command::new(&runner).args(pargs("2")))));
    }
    let (one, two, n1, n2) = (median_of(o1), median_of(o2), median_of(m1), median_of(m2));
    println!(
        "| parallel xorshift, native: 1 thread / 2 threads | {n1:.0} / {n2:.0} ms = {:.2}x (what this machine allows now) | |",
        n1 / n2
    );
    println!("| parallel xorshift, 1 thread | {one:.0} ms | |");
    println!(
        "| parallel xorshift, 2 threads | {two:.0} ms = **{:.2}x speed-up** | >= 1.8x |",
        one / two
    );
    let _ = std::fs::remove_dir_all(&cache);
}

fn cargo(args: &[&str], release: bool, dir: Option<&Path>) {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args).env_remove("CARGO_BUILD_TARGET");
    if release {
        cmd.arg("--release");
    }
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let st = cmd.status().expect("run cargo");
    assert!(st.success(), "cargo {args:?} failed");
}

fn run(cmd: &mut Command) -> Output {
    let o = cmd.stdin(Stdio::null()).output().expect("spawn");
    assert!(
        o.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The `ms=N` the guest printed.
fn guest_ms(o: &Output) -> f64 {
    let s = String::from_utf8_lossy(&o.stdout);
    s.split_whitespace()
        .find_map(|kv| kv.strip_prefix("ms="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no ms= in {s}"))
}

fn wall(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(n: usize, mut f: impl FnMut() -> f64) -> f64 {
    median_of((0..n).map(|_| f()).collect())
}

fn median_of(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn which(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(home)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn version(bin: &Path) -> String {
    Command::new(bin)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("wasix-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
