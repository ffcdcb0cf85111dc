//! Network benchmark, printed as one Markdown table from ONE run: a loopback TCP echo server
//! (`tests/guests/src/bin/net_bench_echo.rs`) run as a WASIX guest on our runtime vs the same
//! source built natively, driven by the same host client:
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
use std::path::Path;
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
    let runner = exe
        .parent()
        .and_then(Path::parent)
        .expect("examples dir")
        .join("wasix-run");
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
    let wasm = target_dir.join("wasm32-wasip1-threads/release/net_bench_echo.wasm");
    let native_bin = target_dir.join("release/net_bench_echo");
    let cache = std::env::temp_dir().join(format!("bench-net-cache-{}", std::process::id()));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // Two connections per server: one for throughput, one for the request rate.
    let mut ours_cmd = Command::new(&runner);
    ours_cmd
        .arg("--net")
        .arg("--cache")
        .arg(&cache)
        .arg(&wasm)
        .arg("2");
    let (mut native_srv, native_port) = start(Command::new(&native_bin).arg("2"));
    let (mut ours_srv, ours_port) = start(&mut ours_cmd);
    let ports = [native_port, ours_port];

    let pids = [native_srv.id(), ours_srv.id()];

    let conns = ports.map(connect);
    let cpu0 = pids.map(cpu_time);
    let mut busy = [Duration::ZERO; 2];
    for _ in 0..ROUNDS {
        for (i, c) in conns.iter().enumerate() {
            busy[i] += echo_round(c);
        }
    }
    let mib = (ROUNDS * ROUND_MIB) as f64;
    let mib_s = busy.map(|t| mib / t.as_secs_f64());
    let cpu_per_mib = [0, 1].map(|i| (cpu_time(pids[i]) - cpu0[i]).as_secs_f64() * 1e3 / mib);
    conns.into_iter().for_each(close);

    let conns = ports.map(connect);
    let cpu0 = pids.map(cpu_time);
    let mut busy = [Duration::ZERO; 2];
    for _ in 0..ROUNDS {
        for (i, c) in conns.iter().enumerate() {
            busy[i] += ping_pong_round(c);
        }
    }
    let requests = (ROUNDS * ROUND_REQUESTS) as f64;
    let req_s = busy.map(|t| requests / t.as_secs_f64());
    let cpu_per_req = [0, 1].map(|i| (cpu_time(pids[i]) - cpu0[i]).as_secs_f64() * 1e6 / requests);
    conns.into_iter().for_each(close);

    for srv in [&mut native_srv, &mut ours_srv] {
        let status = srv.wait().expect("wait for an echo server");
        assert!(status.success(), "echo server failed: {status}");
    }
    let _ = std::fs::remove_dir_all(&cache);

    println!("## Network\n");
    println!(
        "Measured by `runtime/examples/bench_net.rs` ({} build of the runner), {} CPUs, load average at start {}.\n\
         Loopback TCP echo server: WASIX guest (raw socket imports) on our runtime vs the same source built natively (std::net); \
         same host client; {ROUNDS} alternating rounds per side.\n",
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
    println!("| benchmark | native | our runtime | ratio | target |\n|---|---|---|---|---|");
    println!(
        "| echo throughput, 1 connection, {} MiB | {:.0} MiB/s | {:.0} MiB/s | **{:.2}x native** | >= 0.7x |",
        ROUNDS * ROUND_MIB,
        mib_s[0],
        mib_s[1],
        mib_s[1] / mib_s[0]
    );
    println!(
        "| request rate, 64-byte ping-pong, 1 connection, {} requests | {:.0} req/s | {:.0} req/s | **{:.2}x native** | >= 0.7x |",
        ROUNDS * ROUND_REQUESTS,
        req_s[0],
        req_s[1],
        req_s[1] / req_s[0]
    );
    println!(
        "| server CPU (user+sys) per MiB echoed | {:.2} ms | {:.2} ms | {:.2}x native | |",
        cpu_per_mib[0],
        cpu_per_mib[1],
        cpu_per_mib[1] / cpu_per_mib[0]
    );
    println!(
        "| server CPU (user+sys) per request | {:.1} us | {:.1} us | {:.2}x native | |",
        cpu_per_req[0],
        cpu_per_req[1],
        cpu_per_req[1] / cpu_per_req[0]
    );
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
