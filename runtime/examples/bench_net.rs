//! Network benchmark, printed as one Markdown table from ONE run: a loopback TCP echo server
//! (`tests/guests/src/bin/net_bench_echo.rs`) built natively, as a wasm32-wasip1-threads guest
//! on raw WASIX socket imports, and (when the WASIX toolchain works) as a wasm32-wasmer-wasi
//! guest on `std::net` built by `cargo wasix build`, all driven by the same host client:
//!
//! - throughput: one connection per server; each round a writer thread streams
//!   `ROUND_MIB` MiB in 64 KiB writes while the reader takes the echo back (MiB/s of payload;
//!   the echo doubles the traffic);
//! - request rate: one connection per server; each round `ROUND_REQUESTS` sequential 64-byte
//!   requests, each waiting for its 64-byte reply (req/s).
//!
//! Both servers run at once and the rounds alternate between them (`ROUNDS` each), so load
//! from other processes on a shared machine hits both sides alike; a figure is the total
//! work over the total time of its rounds. The servers' own CPU time (user + system, from
//! `/proc`) per MiB and per request is printed too: it is much less sensitive to load than
//! wall-clock rates.
//! `cargo run --release -p wasix-runtime --example bench_net` (builds the guest crate and
//! `wasix-run` first).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Alternating rounds per figure and server.
const ROUNDS: usize = 16;
/// Payload per throughput round.
const ROUND_MIB: usize = 16;
/// Round trips per request-rate round.
const ROUND_REQUESTS: usize = 1_500;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guests = root.join("tests/guests/Cargo.toml");
    let target_dir = root.join("../target/runtime-guests");
    let release = cfg!(not(debug_assertions));
    let mut build = vec![
        "build",
        "--quiet",
        "--bin",
        "wasix-run",
        "-p",
        "wasix-runtime",
    ];
    if release {
        build.push("--release");
    }
    cargo(&build);
    // target/<profile>/examples/bench_net -> target/<profile>/wasix-run
    let exe = std::env::current_exe().expect("own path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("examples dir");
    let runner = profile_dir.join("wasix-run");
    let (manifest, tdir) = (guests.to_str().unwrap(), target_dir.to_str().unwrap());
    let common = [
        "build",
        "--quiet",
        "--release",
        "--bin",
        "net_bench_echo",
        "--manifest-path",
        manifest,
        "--target-dir",
        tdir,
    ];
    cargo(&[&common[..], &["--target", "wasm32-wasip1-threads"]].concat());
    cargo(&common);
    let raw_wasm = target_dir.join("wasm32-wasip1-threads/release/net_bench_echo.wasm");
    let native_bin = target_dir.join("release/net_bench_echo");
    let std_wasm = build_with_cargo_wasix(root, &guests);
    let cache = std::env::temp_dir().join(format!("bench-net-cache-{}", std::process::id()));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // Two connections per server: one for throughput, one for the request rate.
    let guest = |wasm: &Path| {
        let mut cmd = Command::new(&runner);
        cmd.arg("--net")
            .arg("--cache")
            .arg(&cache)
            .arg(wasm)
            .arg("2");
        cmd
    };
    let mut cmds = vec![("native (std::net)", {
        let mut c = Command::new(&native_bin);
        c.arg("2");
        c
    })];
    cmds.push(("WASIX guest, raw imports", guest(&raw_wasm)));
    if let Some(w) = &std_wasm {
        cmds.push(("WASIX guest, std::net via cargo wasix", guest(w)));
    }
    let mut servers: Vec<(&str, Child, u16)> = cmds
        .into_iter()
        .map(|(name, mut cmd)| {
            let (child, port) = start(&mut cmd);
            (name, child, port)
        })
        .collect();
    let pids: Vec<u32> = servers.iter().map(|s| s.1.id()).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.2).collect();

    let mib = (ROUNDS * ROUND_MIB) as f64;
    let (mib_s, cpu_per_mib) = alternate(&ports, &pids, echo_round, |busy, cpu| {
        (mib / busy.as_secs_f64(), cpu.as_secs_f64() * 1e3 / mib)
    });
    let requests = (ROUNDS * ROUND_REQUESTS) as f64;
    let (req_s, cpu_per_req) = alternate(&ports, &pids, ping_pong_round, |busy, cpu| {
        (
            requests / busy.as_secs_f64(),
            cpu.as_secs_f64() * 1e6 / requests,
        )
    });
    for (name, child, _) in &mut servers {
        let status = child.wait().expect("wait for an echo server");
        assert!(status.success(), "echo server `{name}` failed: {status}");
    }
    let _ = std::fs::remove_dir_all(&cache);

    println!("## Network\n");
    println!(
        "Measured by `runtime/examples/bench_net.rs` ({} build of the runner), {} CPUs, load average at start {}.\n\
         Loopback TCP echo server `net_bench_echo`, one source: natively and as WASIX guests on our runtime; \
         same host client; {ROUNDS} alternating rounds per server.\n",
        if release {
            "release"
        } else {
            "dev (deps opt-level 2)"
        },
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    if std_wasm.is_none() {
        println!(
            "(std::net guest skipped: `cargo wasix build` of the bench server failed; see above.)\n"
        );
    }
    let names: Vec<&str> = servers.iter().map(|s| s.0).collect();
    println!("| benchmark | {} | target |", names.join(" | "));
    println!("|---|{}---|", "---|".repeat(names.len()));
    let row = |what: &str, unit: &str, v: &[f64], digits: usize, target: &str| {
        let cells: Vec<String> = v
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if i == 0 {
                    format!("{x:.digits$} {unit}")
                } else {
                    format!("{x:.digits$} {unit} = **{:.2}x native**", x / v[0])
                }
            })
            .collect();
        println!("| {what} | {} | {target} |", cells.join(" | "));
    };
    row(
        &format!("echo throughput, 1 connection, {} MiB", ROUNDS * ROUND_MIB),
        "MiB/s",
        &mib_s,
        0,
        ">= 0.7x",
    );
    row(
        &format!(
            "request rate, 64-byte ping-pong, {} requests",
            ROUNDS * ROUND_REQUESTS
        ),
        "req/s",
        &req_s,
        0,
        ">= 0.7x",
    );
    row(
        "server CPU (user+sys) per MiB echoed",
        "ms",
        &cpu_per_mib,
        2,
        "",
    );
    row(
        "server CPU (user+sys) per request",
        "us",
        &cpu_per_req,
        1,
        "",
    );
}

/// Opens one connection per server, runs `ROUNDS` rounds of `round` alternating between the
/// servers, closes the connections, and turns (time spent, server CPU used) into figures.
fn alternate(
    ports: &[u16],
    pids: &[u32],
    round: fn(&TcpStream) -> Duration,
    figures: impl Fn(Duration, Duration) -> (f64, f64),
) -> (Vec<f64>, Vec<f64>) {
    let conns: Vec<TcpStream> = ports.iter().map(|p| connect(*p)).collect();
    let cpu0: Vec<Duration> = pids.iter().map(|p| cpu_time(*p)).collect();
    let mut busy = vec![Duration::ZERO; ports.len()];
    for _ in 0..ROUNDS {
        for (i, c) in conns.iter().enumerate() {
            busy[i] += round(c);
        }
    }
    let out: Vec<(f64, f64)> = (0..ports.len())
        .map(|i| figures(busy[i], cpu_time(pids[i]) - cpu0[i]))
        .collect();
    conns.into_iter().for_each(close);
    out.into_iter().unzip()
}

/// Builds the bench server for wasm32-wasmer-wasi with `cargo wasix build --release` (std::net
/// through the WASIX std port and libwasix), sharing the test suites' sysroot cache. `None`
/// (with cargo's message on stderr) when the toolchain cannot build it.
fn build_with_cargo_wasix(root: &Path, guests: &Path) -> Option<PathBuf> {
    let target = root.join("../target");
    let ok = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "-p", "cargo-wasix", "--manifest-path"])
        .arg(root.join("../Cargo.toml"))
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let out = target.join("std-guests");
    let status = Command::new(target.join("debug/cargo-wasix"))
        .args([
            "wasix",
            "build",
            "--quiet",
            "--release",
            "--bin",
            "net_bench_echo",
            "--manifest-path",
        ])
        .arg(guests)
        .env("CARGO_WASIX_HOME", target.join("wasix-home"))
        .env("CARGO_TARGET_DIR", &out)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .ok()?;
    status
        .success()
        .then(|| out.join("wasm32-wasmer-wasi/release/net_bench_echo.wasm"))
}

/// User + system CPU time of process `pid` so far (`/proc/PID/stat`, in USER_HZ = 100 ticks
/// per second on Linux).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').expect("comm field") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Starts a server and reads the port it listens on.
fn start(cmd: &mut Command) -> (Child, u16) {
    let mut server = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the echo server");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the port line");
    let port = line
        .trim()
        .strip_prefix("port=")
        .and_then(|p| p.parse().ok());
    let Some(port) = port else {
        let _ = server.kill();
        panic!("expected `port=N` from the echo server, got {line:?}")
    };
    (server, port)
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the echo server");
    s.set_nodelay(true).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// Half-closes and waits for the server's EOF, so the server can finish.
fn close(s: TcpStream) {
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    (&s).read_to_end(&mut rest).unwrap();
}

/// Streams `ROUND_MIB` MiB through the echo; the time until all of it is back.
fn echo_round(s: &TcpStream) -> Duration {
    let mut writer = s.try_clone().unwrap();
    let start = Instant::now();
    let w = std::thread::spawn(move || {
        let chunk = vec![0x5au8; 64 << 10];
        for _ in 0..ROUND_MIB * 16 {
            writer.write_all(&chunk).unwrap();
        }
    });
    let mut buf = vec![0u8; 64 << 10];
    let mut left = ROUND_MIB << 20;
    let mut reader = s;
    while left > 0 {
        let n = reader
            .read(&mut buf[..left.min(64 << 10)])
            .expect("read the echo");
        assert!(n > 0, "the echo server closed early");
        left -= n;
    }
    let took = start.elapsed();
    w.join().unwrap();
    took
}

/// `ROUND_REQUESTS` sequential 64-byte request/response pairs; their total time.
fn ping_pong_round(s: &TcpStream) -> Duration {
    let mut s = s;
    let req = [0x42u8; 64];
    let mut resp = [0u8; 64];
    let start = Instant::now();
    for _ in 0..ROUND_REQUESTS {
        s.write_all(&req).unwrap();
        s.read_exact(&mut resp).unwrap();
    }
    start.elapsed()
}

fn cargo(args: &[&str]) {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args)
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    let status = cmd.status().expect("run cargo");
    assert!(status.success(), "cargo {} failed", args.join(" "));
}
