//! Networking: guest sockets over loopback (TCP between guest threads, guest server + host
//! client, guest client + host server, UDP both ways), resolve, error paths, poll_oneoff and
//! epoll readiness, and the `--net` policy. All traffic stays on 127.0.0.1; every run is
//! bounded by a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;

/// Longest any single guest run may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `cmd` to completion (stdin closed), killing it and failing after [`DEADLINE`].
fn run_bounded(mut cmd: Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasix-run");
    wait_bounded(child)
}

fn wait_bounded(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("wait for wasix-run").is_none() {
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect output");
            panic!(
                "guest did not finish within {DEADLINE:?}\n--- stdout:\n{}\n--- stderr:\n{}",
                stdout(&out),
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("collect output")
}

/// `wasix-run [flags] GUEST [args]` for a threads-build guest.
fn guest_cmd(flags: &[&str], name: &str, args: &[&str]) -> Command {
    let mut cmd = wasix_run();
    cmd.args(flags).arg(guest(name)).args(args);
    cmd
}

#[track_caller]
fn assert_stdout(o: &Output, expected: &str) {
    assert_code(o, 0);
    assert_eq!(stdout(o), expected, "\n--- stderr:\n{}", stderr(o));
}

#[test]
fn tcp_echo_between_guest_threads() {
    let o = run_bounded(guest_cmd(&["--net"], "net_tcp_echo", &[]));
    assert_stdout(
        &o,
        "listening on loopback with a real port: true\n\
         server echoed 1048576 bytes, then EOF\n\
         accept peer == client local: true\n\
         server peer_addr == client local: true\n\
         client peer_addr == listener: true\n\
         client got 1048576 bytes back, intact: true\n",
    );
}

#[test]
fn guest_server_answers_a_host_client() {
    let mut child = guest_cmd(&["--net"], "net_server", &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasix-run");
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("read the port line");
    let port: u16 = match first
        .trim()
        .strip_prefix("port=")
        .and_then(|p| p.parse().ok())
    {
        Some(p) => p,
        None => {
            let _ = child.kill();
            panic!(
                "expected `port=N`, got {first:?}\n--- stderr:\n{}",
                stderr(&child.wait_with_output().unwrap())
            );
        }
    };
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect to the guest server");
    conn.set_read_timeout(Some(DEADLINE)).unwrap();
    conn.write_all(b"hello from the host\n").unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply)
        .expect("read the guest's reply");
    assert_eq!(reply, "echo: hello from the host\n");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let o = wait_bounded(child);
    assert_code(&o, 0);
    assert_eq!(
        rest,
        "served `hello from the host` to a loopback peer: true\n"
    );
}

#[test]
fn guest_client_reaches_a_host_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut req = String::new();
        s.read_to_string(&mut req).unwrap();
        s.write_all(b"pong\n").unwrap();
        req
    });
    let o = run_bounded(guest_cmd(&["--net"], "net_client", &[&port.to_string()]));
    assert_stdout(&o, "nodelay: true\npeer is the server: true\ngot: pong\n");
    assert_eq!(server.join().unwrap(), "ping\n");
}

#[test]
fn udp_between_guest_sockets_and_with_the_host() {
    let host = UdpSocket::bind("127.0.0.1:0").unwrap();
    host.set_read_timeout(Some(DEADLINE)).unwrap();
    let port = host.local_addr().unwrap().port();
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = host.recv_from(&mut buf).unwrap();
        host.send_to(b"pong", from).unwrap();
        (buf[..n].to_vec(), from.ip().is_loopback())
    });
    let o = run_bounded(guest_cmd(&["--net"], "net_udp", &[&port.to_string()]));
    assert_stdout(
        &o,
        "b got `hello b` from a: true (flags 0)\n\
         truncated read: 4 bytes `0123`, flag set: true\n\
         host replied `pong` from the host socket: true\n\
         type option: 2\n",
    );
    assert_eq!(echo.join().unwrap(), (b"ping".to_vec(), true));
}

#[test]
fn resolve_localhost_and_literals() {
    let o = run_bounded(guest_cmd(&["--net"], "net_resolve", &[]));
    assert_stdout(
        &o,
        "localhost: some addresses: true, all loopback: true\n\
         literal: [127.0.0.1]\n\
         v6 literal: [::1]\n\
         empty name: Err(28)\n",
    );
}

const ERRORS_OUT: &str = "status of a listener: 1\n\
    nonblocking accept: Err(6)\n\
    SOCK_NONBLOCK accept: Err(6)\n\
    blocking connect to a closed port: Err(14)\n\
    nonblocking connect to a closed port: in progress, poll hangup: true, SO_ERROR: 14\n\
    connect with a 300ms timeout: Err(73) after >=250ms: true\n\
    sock_recv on stdout: 57\n";

#[test]
fn error_paths() {
    let o = run_bounded(guest_cmd(&["--net"], "net_errors", &[]));
    assert_stdout(&o, ERRORS_OUT);
}

#[test]
fn error_paths_without_shared_memory() {
    // The wasm32-wasip1 build owns its (unshared) memory: the same calls through that path.
    let mut cmd = wasix_run();
    cmd.arg("--net").arg(guest_p1("net_errors"));
    assert_stdout(&run_bounded(cmd), ERRORS_OUT);
}

#[test]
fn poll_oneoff_and_epoll_readiness() {
    let o = run_bounded(guest_cmd(&["--net"], "net_poll", &[]));
    assert_stdout(
        &o,
        "empty pair: [99]\n\
         after send: userdata=1 error=0 nbytes=5 hangup=false\n\
         writable: userdata=3 kind=2\n\
         peer closed: hangup=true\n\
         bad fd: error=8\n\
         empty pipe: [98]\n\
         pipe data: nbytes=3 hangup=false\n\
         pipe writer closed: hangup=true\n\
         stdin at EOF is readable: true\n\
         add twice: Err(20)\n\
         nothing yet: []\n\
         edge: [(1, 7)]\n\
         edge again: []\n\
         new data: [(1, 7)]\n\
         level: [(1, 8)] [(1, 8)]\n\
         deleted: []\n\
         listener: [(1, 42)]\n\
         stream, fresh: [(2, 5)]\n\
         stream, data: [(3, 5)]\n\
         drain: Ok(4) then Err(6)\n\
         stream, peer closed: [(7, 5)]\n\
         then nothing: []\n",
    );
}

#[test]
fn without_net_every_network_call_is_denied_once_loudly() {
    let o = run_bounded(guest_cmd(&[], "net_denied", &[]));
    assert_stdout(
        &o,
        "tcp4: Err(2)\nudp6: Err(2)\nresolve: Err(2)\nsock_pair: Ok(())\n",
    );
    let msg = "error: network access denied; run with --net to allow it\n";
    assert_eq!(stderr(&o), msg, "the message is printed exactly once");
}

#[test]
fn net_rules_limit_addresses() {
    let o = run_bounded(guest_cmd(&["--net=127.0.0.1:1"], "net_denied", &["rules"]));
    assert_stdout(
        &o,
        "connect to a port outside the rules: Err(2)\n\
         bind to the wildcard: Err(2)\n\
         resolve a name: Err(2)\n\
         resolve localhost: true\n",
    );
    let err = stderr(&o);
    assert_eq!(
        err.matches("error: network access denied").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("connect 127.0.0.1:2 is not allowed by --net=127.0.0.1:1"),
        "{err}"
    );
    assert!(err.contains("help: "), "{err}");
}

#[test]
fn bad_net_rules_are_rejected_before_running() {
    let o = run_bounded(guest_cmd(&["--net=example.com:80"], "net_denied", &[]));
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("invalid --net rule `example.com:80`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn socket_fd_calls_options_timeouts_and_send_file() {
    let dir = tempfile::tempdir().unwrap();
    let map = format!("/data:{}", dir.path().display());
    let o = run_bounded(guest_cmd(&["--net", "--mapdir", &map], "net_options", &[]));
    assert_stdout(
        &o,
        "preview-1 sock_accept rc=0, fd_read: `through fd_write`\n\
         fdstat: filetype=6 flags=0 -> nonblocking flags=4, recv: Err(6)\n\
         REUSE_ADDR: true\n\
         RECV_BUF_SIZE >= 65536: true\n\
         CONNECT_TIMEOUT: Some(1500000000)\n\
         unknown option: Err(50)\n\
         recv with a 100ms timeout: Err(6) after >=90ms: true\n\
         status: 1\n\
         multicast v4 join=0 leave=0 leave again=4, v6 join on lo=0\n\
         sock_send_file rc=0 sent=5: `23456`\n",
    );
}

#[test]
fn bench_echo_server_echoes() {
    let mut child = guest_cmd(&["--net"], "net_bench_echo", &["1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasix-run");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("port=")
        .and_then(|p| p.parse().ok())
        .expect("port line");
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let mut w = s.try_clone().unwrap();
    let d2 = data.clone();
    let writer = std::thread::spawn(move || {
        w.write_all(&d2).unwrap();
        w.shutdown(std::net::Shutdown::Write).unwrap();
    });
    let mut back = Vec::new();
    s.read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    assert!(back == data, "echo differs ({} bytes back)", back.len());
    assert_code(&wait_bounded(child), 0);
}

/// `target/` of this test run (the test binary is `target/<profile>/deps/all-*`).
fn target_root() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<exe>")
        .to_path_buf()
}

/// Builds `tests/std_net` with the real WASIX toolchain (`cargo wasix build`, sharing the
/// end-to-end suite's sysroot cache) and returns the module.
fn build_std_net() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = target_root();
    // Build cargo-wasix with this test binary's profile, so nothing is compiled twice.
    let exe = std::env::current_exe().expect("own path");
    let profile_dir = exe
        .ancestors()
        .nth(2)
        .expect("target/<profile>")
        .to_path_buf();
    let mut build = Command::new(&cargo);
    build
        .args(["build", "--quiet", "-p", "cargo-wasix", "--manifest-path"])
        .arg(root.join("../Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo to build cargo-wasix");
    assert!(status.success(), "building cargo-wasix failed");
    let out = target.join("std-guests");
    let mut cmd = Command::new(profile_dir.join("cargo-wasix"));
    cmd.args(["wasix", "build", "--quiet", "--manifest-path"])
        .arg(root.join("tests/std_net/Cargo.toml"))
        .env("CARGO_WASIX_HOME", target.join("wasix-home"))
        .env("CARGO_TARGET_DIR", &out);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    let o = run_bounded_for(cmd, Duration::from_secs(1800));
    assert_code(&o, 0);
    out.join("wasm32-wasmer-wasi/debug/std-net.wasm")
}

fn run_bounded_for(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("collect output")
}

#[test]
fn std_net_program_from_the_wasix_toolchain() {
    let module = build_std_net();
    let mut cmd = wasix_run();
    cmd.arg("--net").arg(&module);
    assert_stdout(
        &run_bounded(cmd),
        "listener: loopback true real port true\n\
         nodelay: true\n\
         peer_addr is the listener: true\n\
         echo: 262144 bytes, intact true, server saw client addr true\n\
         nonblocking accept: Err(WouldBlock)\n\
         nonblocking read: Err(WouldBlock)\n\
         read timeout: Err(WouldBlock) after >=90ms true\n\
         connect to a closed port: Err(ConnectionRefused)\n\
         connect_timeout to a closed port: Err(ConnectionRefused)\n\
         udp recv_from: dgram from a true\n\
         udp connected send: reply\n\
         udp ttl: 7\n\
         peek: peek then read: peekaboo\n\
         take_error: None\n\
         broadcast: true\n\
         listener ttl: 42\n\
         8 concurrent clients echoed intact: true\n\
         localhost resolves to loopback:8080 only: true\n",
    );
    // Without --net the first socket call fails with EACCES (PermissionDenied) and the hint.
    let mut denied = wasix_run();
    denied.arg(&module);
    let o = run_bounded(denied);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("error: network access denied; run with --net to allow it\n"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("PermissionDenied"), "{}", stderr(&o));
}

#[test]
fn ipv6_loopback() {
    let o = run_bounded(guest_cmd(&["--net"], "net_ipv6", &[]));
    assert_stdout(
        &o,
        "ONLY_V6: true\n\
         listener on ::1: true\n\
         tcp6: `over v6`, peer == client: true\n\
         v4 socket to a v6 address: Err(5)\n\
         udp6: `v6 dgram` from a: true\n",
    );
}

#[test]
fn exit_while_other_threads_block_in_socket_calls() {
    for (arg, code, line) in [
        ("main", 3, "main exits while a thread blocks in accept\n"),
        ("thread", 4, "a thread exits while main blocks in recv\n"),
    ] {
        let start = Instant::now();
        let o = run_bounded(guest_cmd(&["--net"], "net_exit_blocked", &[arg]));
        assert_code(&o, code);
        assert_eq!(stdout(&o), line);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "exit took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn garbage_arguments_are_errnos() {
    let o = run_bounded(guest_cmd(&["--net"], "net_garbage", &[]));
    assert_stdout(
        &o,
        "bind(wild addr): 21\n\
         connect(wild addr): 21\n\
         open(af 99): 5\n\
         open(type 77): 28\n\
         open(ret wild): 21\n\
         no leaked fd: true\n\
         set_opt_time(wild): 21\n\
         recv(wild iovec): 21\n\
         send(wild iovec): 21\n\
         recv on a closed fd: 8\n\
         addr_local(wild ret): 21\n\
         resolve(huge name): 28\n\
         resolve(wild name): 21\n\
         poll_oneoff(0 subs): 28\n\
         poll_oneoff(2^20 subs): 28\n\
         poll_oneoff(wild subs): 21\n\
         epoll_wait(max 0): 28\n\
         epoll_wait(wild events): 21\n\
         epoll_ctl(op 9): 28\n\
         epoll_ctl(wild event): 21\n\
         epoll_ctl on a socket as epfd: 28\n\
         epoll_ctl(closed fd): 8\n",
    );
}
