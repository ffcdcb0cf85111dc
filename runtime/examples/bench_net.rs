//! Network benchmark, printed as one Markdown table from ONE run: a loopback TCP echo server
//! (`tests/guests/src/bin/net_bench_echo.rs`) run as a WASIX guest on our runtime vs the same
//! source built natively, driven by the same host client:
//!
//! - throughput: one connection, a writer thread streams `MIB` MiB in 64 KiB writes while the
//!   reader counts the echo (MiB/s of payload, echo traffic doubles it);
//! - request rate: one connection, 64-byte request, wait for the 64-byte reply (req/s).
//!
//! Each figure is the median of 3 connections; native and guest runs alternate.
//! `cargo run --release -p wasix-runtime --example bench_net` (builds the guest crate and
//! `wasix-run` first).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Payload per throughput run.
const MIB: usize = 256;
/// Round trips per request-rate run.
const REQUESTS: usize = 20_000;
/// Runs per figure (median).
const REPS: usize = 3;

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

    let conns = (2 * REPS).to_string();
    let mut ours_cmd = Command::new(&runner);
    ours_cmd
        .arg("--net")
        .arg("--cache")
        .arg(&cache)
        .arg(&wasm)
        .arg(&conns);
    // Both servers run at once and the measurements alternate, so load from other processes
    // on a shared machine hits both sides alike.
    let (mut native_srv, native_port) = start(Command::new(&native_bin).arg(&conns));
    let (mut ours_srv, ours_port) = start(&mut ours_cmd);
    let (mut native, mut ours) = (Figures::default(), Figures::default());
    for _ in 0..REPS {
        native.mib_s.push(throughput(native_port));
        ours.mib_s.push(throughput(ours_port));
    }
    for _ in 0..REPS {
        native.req_s.push(request_rate(native_port));
        ours.req_s.push(request_rate(ours_port));
    }
    for srv in [&mut native_srv, &mut ours_srv] {
        let status = srv.wait().expect("wait for an echo server");
        assert!(status.success(), "echo server failed: {status}");
    }
    let _ = std::fs::remove_dir_all(&cache);
    let (native, ours) = (native.medians(), ours.medians());

    println!("## Network\n");
    println!(
        "Measured by `runtime/examples/bench_net.rs` ({} build of the runner), {} CPUs, load average at start {}.\n\
         Loopback TCP echo server: WASIX guest (raw socket imports) on our runtime vs the same source built natively (std::net); same host client; median of {REPS}.\n",
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
    println!("| benchmark | native | our runtime | ratio | target |\n|---|---|---|---|---|");
    println!(
        "| echo throughput, 1 connection, {MIB} MiB | {:.0} MiB/s | {:.0} MiB/s | **{:.2}x native** | >= 0.7x |",
        native.mib_s,
        ours.mib_s,
        ours.mib_s / native.mib_s
    );
    println!(
        "| request rate, 64-byte ping-pong, 1 connection | {:.0} req/s | {:.0} req/s | **{:.2}x native** | >= 0.7x |",
        native.req_s,
        ours.req_s,
        ours.req_s / native.req_s
    );
}

/// Per-run results of one server.
#[derive(Default)]
struct Figures {
    mib_s: Vec<f64>,
    req_s: Vec<f64>,
}

impl Figures {
    fn medians(self) -> Medians {
        Medians {
            mib_s: median(self.mib_s),
            req_s: median(self.req_s),
        }
    }
}

struct Medians {
    mib_s: f64,
    req_s: f64,
}

/// Starts a server and reads the port it listens on.
fn start(cmd: &mut Command) -> (Child, u16) {
    let mut server = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the echo server");
    let port = read_port(&mut server);
    (server, port)
}

fn read_port(server: &mut Child) -> u16 {
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the port line");
    line.trim()
        .strip_prefix("port=")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = server.kill();
            panic!("expected `port=N` from the echo server, got {line:?}")
        })
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the echo server");
    s.set_nodelay(true).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// MiB/s of payload echoed through one connection.
fn throughput(port: u16) -> f64 {
    let s = connect(port);
    let mut writer = s.try_clone().unwrap();
    let start = Instant::now();
    let w = std::thread::spawn(move || {
        let chunk = vec![0x5au8; 64 << 10];
        for _ in 0..MIB * 16 {
            writer.write_all(&chunk).unwrap();
        }
        writer.shutdown(Shutdown::Write).unwrap();
    });
    let mut buf = vec![0u8; 64 << 10];
    let mut got = 0usize;
    let mut reader = &s;
    loop {
        let n = reader.read(&mut buf).expect("read the echo");
        if n == 0 {
            break;
        }
        got += n;
    }
    w.join().unwrap();
    assert_eq!(got, MIB << 20, "every byte comes back");
    MIB as f64 / start.elapsed().as_secs_f64()
}

/// Sequential 64-byte request/response pairs per second.
fn request_rate(port: u16) -> f64 {
    let mut s = connect(port);
    let req = [0x42u8; 64];
    let mut resp = [0u8; 64];
    let start = Instant::now();
    for _ in 0..REQUESTS {
        s.write_all(&req).unwrap();
        s.read_exact(&mut resp).unwrap();
    }
    let rate = REQUESTS as f64 / start.elapsed().as_secs_f64();
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    rate
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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
