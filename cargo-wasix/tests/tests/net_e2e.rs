//! std-level networking end to end: the `tests/net_e2e` programs and the `tests/http_ureq`
//! client, built with `cargo wasix build` and run on the bundled runtime with `--net`, talking
//! to each other and to servers and clients this test runs on the host. Only 127.0.0.1
//! traffic, a bounded number of connections, and every wait bounded in time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::support::{cargo_wasix, fixture, output, wasm_path};

/// How long any one guest program or host-side wait may take (debug builds on a busy 2-core
/// machine included) before the test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(120);

/// The runtime's message when a program uses the network without `--net`.
const DENIED: &str = "error: network access denied; run with --net to allow it\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The copy of fixture `name` after `cargo wasix build <args>` succeeded in it.
fn built_fixture(name: &str, args: &[&str]) -> PathBuf {
    let dir = fixture(name);
    let mut words = vec!["build", "-q"];
    words.extend_from_slice(args);
    let out = output(&mut cargo_wasix(&dir, &words));
    assert!(
        out.status.success(),
        "building {name} failed:\n{}",
        text(&out.stderr)
    );
    dir
}

/// The `tests/net_e2e` copy, with all its programs built (once per test run).
fn net_programs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| built_fixture("net_e2e", &["--bins"]))
}

/// `cargo wasix run-wasm [--net] <program>.wasm -- args`.
fn run_wasm(program: &str, net: bool, args: &[&str]) -> Command {
    run_wasm_with(program, net.then_some("--net"), args)
}

/// `cargo wasix run-wasm [net_flag] <program>.wasm -- args`.
fn run_wasm_with(program: &str, net_flag: Option<&str>, args: &[&str]) -> Command {
    let dir = net_programs();
    let wasm = wasm_path("debug", program);
    let mut words = vec!["run-wasm"];
    words.extend(net_flag);
    let wasm = wasm.to_str().expect("utf-8 target path").to_owned();
    words.push(&wasm);
    words.push("--");
    words.extend_from_slice(args);
    cargo_wasix(dir, &words)
}

/// Waits for a started guest (stdout may already be partly consumed through `stdout`), killing
/// it after [`LIMIT`]; returns exit code, the rest of stdout, and stderr.
fn finish(
    mut child: Child,
    stdout: Option<BufReader<std::process::ChildStdout>>,
) -> (Option<i32>, String, String) {
    let mut stdout = stdout.or_else(|| child.stdout.take().map(BufReader::new));
    let mut stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(err) = stderr.as_mut() {
            let _ = err.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the guest") {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the guest did not finish within {LIMIT:?}; killed it (stderr: {})",
                err_reader.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code(),
        out_reader.join().expect("stdout reader"),
        err_reader.join().expect("stderr reader"),
    )
}

/// Runs a guest to completion within [`LIMIT`].
fn run(mut cmd: Command) -> (Option<i32>, String, String) {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cargo-wasix");
    finish(child, None)
}

/// Starts a guest server and returns it with its port, read from its first stdout line
/// (`listening on PORT`).
fn start_server(mut cmd: Command) -> (Child, BufReader<std::process::ChildStdout>, SocketAddr) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cargo-wasix");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    // A server that dies before printing closes stdout, so this read cannot block forever.
    stdout
        .read_line(&mut first)
        .expect("read the server's first line");
    let Some(port) = first
        .strip_prefix("listening on ")
        .and_then(|p| p.trim_end().parse::<u16>().ok())
    else {
        let (code, _, stderr) = finish(child, Some(stdout));
        panic!(
            "the guest server did not report a port: first line {first:?}, exit {code:?}, stderr:\n{stderr}"
        );
    };
    (child, stdout, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Sends one HTTP/1.1 request (a complete head, the server closes after it) to `addr` and
/// returns the whole response.
fn http_exchange(addr: SocketAddr, request: &str) -> String {
    let mut conn = host_connect(addr);
    conn.write_all(request.as_bytes()).expect("host write");
    let mut response = String::new();
    conn.read_to_string(&mut response).expect("host read");
    response
}

/// The second request of the guest HTTP server tests: `delete` gets 405, then the server (asked
/// for two connections) exits 0 having logged both requests.
fn refuses_delete_then_exits(
    addr: SocketAddr,
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    delete: &str,
) {
    let response = http_exchange(addr, delete);
    assert!(
        response.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{response}"
    );
    let (code, rest, stderr) = finish(child, Some(stdout));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        rest,
        "GET /index.html -> 200 OK\nDELETE /x -> 405 Method Not Allowed\n"
    );
}

/// A host-side TCP stream with read/write timeouts of [`LIMIT`].
fn host_connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, LIMIT)
        .unwrap_or_else(|e| panic!("host connect to {addr}: {e}"));
    stream.set_read_timeout(Some(LIMIT)).expect("read timeout");
    stream
        .set_write_timeout(Some(LIMIT))
        .expect("write timeout");
    stream
}

/// A host listener on 127.0.0.1 serving `connections` connections with `serve`, each in turn;
/// the thread returns what `serve` returned.
fn host_server<T: Send + 'static>(
    connections: usize,
    serve: impl Fn(TcpStream) -> T + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<T>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("host bind");
    let addr = listener.local_addr().expect("host local addr");
    // Non-blocking accept polled against a deadline, so a guest that never connects fails the
    // test instead of leaving this thread blocked.
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + LIMIT;
        let mut results = Vec::new();
        while results.len() < connections && Instant::now() < deadline {
            match listener.accept() {
                Ok((conn, _)) => {
                    conn.set_nonblocking(false).expect("blocking conn");
                    conn.set_read_timeout(Some(LIMIT)).expect("read timeout");
                    conn.set_write_timeout(Some(LIMIT)).expect("write timeout");
                    results.push(serve(conn));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("host accept: {e}"),
            }
        }
        results
    });
    (addr, handle)
}

/// Reads an HTTP request head (up to the blank line) and returns its lines.
fn read_request_head(conn: &TcpStream) -> Vec<String> {
    let mut reader = BufReader::new(conn);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read request") == 0 || line == "\r\n" {
            return lines;
        }
        lines.push(line.trim_end().to_owned());
    }
}

#[test]
fn tcp_echo_between_guest_threads_one_mib_each_way() {
    let (code, stdout, stderr) = run(run_wasm("net_e2e_tcp_echo", true, &[]));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        stdout,
        "bound to loopback with a port: true\n\
         peer_addr is the listener: true\n\
         server received 1048576 bytes then EOF (peer addr consistent: true)\n\
         client received 1048576 bytes then EOF\n\
         echo matches: true\n\
         read after EOF: 0\n"
    );
    assert_eq!(stderr, "");
}

/// A loopback TCP port free on the host whose successor is free for UDP (the ports fixture
/// binds both).
fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let probe = TcpListener::bind("127.0.0.1:0").expect("host bind");
        let port = probe.local_addr().expect("host local addr").port();
        if port < u16::MAX && UdpSocket::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no pair of free loopback ports found");
}

/// Issue 12: every port the guest prints or compares was written by the host, so this pins
/// that libwasix reads our runtime's order — also when `--net` rules refuse its byte-order
/// probe, which must then stay silent (stderr empty). `scripts/interop.sh` runs the same
/// program on Wasmer, which writes network order.
#[test]
fn host_written_ports_read_back_right() {
    let port = free_port_pair();
    let udp = port + 1;
    let expected = format!(
        "tcp listener local_addr: 127.0.0.1:{port}\n\
         tcp client peer_addr: 127.0.0.1:{port}\n\
         tcp server local_addr: 127.0.0.1:{port}\n\
         tcp accept() and server peer_addr are the client's local_addr: true true\n\
         tcp client local_addr is loopback with a port: true\n\
         tcp: ping\n\
         udp receiver local_addr: 127.0.0.1:{udp}\n\
         udp sender peer_addr: 127.0.0.1:{udp}\n\
         udp: `dgram` from the sender's local_addr: true\n"
    );
    let rules = format!("--net=127.0.0.1:{port}-{udp}");
    for flag in ["--net", rules.as_str()] {
        let (code, stdout, stderr) = run(run_wasm_with(
            "net_e2e_ports",
            Some(flag),
            &[&port.to_string()],
        ));
        assert_eq!(code, Some(0), "{flag}: stderr:\n{stderr}");
        assert_eq!(stdout, expected, "{flag}");
        assert_eq!(stderr, "", "{flag}");
    }
}

#[test]
fn guest_server_reached_by_host_clients() {
    let (child, stdout, addr) = start_server(run_wasm("net_e2e_server", true, &["2"]));
    for n in 1..=2 {
        let mut conn = host_connect(addr);
        conn.write_all(format!("hello from the host {n}\n").as_bytes())
            .expect("host write");
        let mut reply = String::new();
        conn.read_to_string(&mut reply).expect("host read");
        assert_eq!(reply, format!("echo: hello from the host {n}\n"));
    }
    let (code, rest, stderr) = finish(child, Some(stdout));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        rest,
        "served a client from loopback: true\nserved a client from loopback: true\n"
    );
}

#[test]
fn guest_client_reaches_host_server() {
    let (addr, server) = host_server(1, |mut conn| {
        // The guest half-closes after its line, so reading to EOF ends.
        let mut request = String::new();
        conn.read_to_string(&mut request).expect("host read");
        conn.write_all(format!("you sent {} bytes\n", request.len()).as_bytes())
            .expect("host write");
        request
    });
    let (code, stdout, stderr) = run(run_wasm("net_e2e_client", true, &[&addr.to_string()]));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(stdout, "reply: you sent 21 bytes\n");
    assert_eq!(
        server.join().expect("host server"),
        ["hello from the guest\n"]
    );
}

#[test]
fn udp_both_ways_with_the_host() {
    let host = UdpSocket::bind("127.0.0.1:0").expect("host udp bind");
    host.set_read_timeout(Some(LIMIT)).expect("udp timeout");
    let addr = host.local_addr().expect("host udp addr");
    let responder = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        for reply in ["pong from the host", "pong 2"] {
            let (n, from) = host.recv_from(&mut buf).expect("host udp recv");
            got.push((
                String::from_utf8_lossy(&buf[..n]).into_owned(),
                from.ip().is_loopback(),
            ));
            host.send_to(reply.as_bytes(), from).expect("host udp send");
        }
        got
    });
    let (code, stdout, stderr) = run(run_wasm("net_e2e_udp", true, &[&addr.to_string()]));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        stdout,
        "got `pong from the host` from the host socket: true\nconnected: `pong 2`\n"
    );
    assert_eq!(
        responder.join().expect("host udp thread"),
        [
            ("ping from the guest".to_owned(), true),
            ("second".to_owned(), true)
        ]
    );
}

#[test]
fn resolution_nonblocking_refused_and_connect_timeout() {
    let (code, stdout, stderr) = run(run_wasm("net_e2e_edges", true, &[]));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        stdout,
        "localhost resolves to loopback: true\n\
         nonblocking accept: WouldBlock\n\
         nonblocking accept after a connect: true\n\
         connect to a closed port: ConnectionRefused\n\
         connect_timeout to a full queue: TimedOut\n\
         connect_timeout waited its timeout (and not 10x more): true\n"
    );
}

#[test]
fn tcp_and_udp_over_ipv6_loopback() {
    // A host without IPv6 cannot give the guest `[::1]` either; say so instead of failing.
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this host has no IPv6 loopback");
        return;
    }
    let (code, stdout, stderr) = run(run_wasm("net_e2e_ipv6", true, &[]));
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        stdout,
        "tcp bound to v6 ::1 (loopback: true, port set: true)\n\
         tcp echo: hello, server saw v6 ::1 (loopback: true, port set: true)\n\
         client local_addr == server's peer: true\n\
         udp: `v6 datagram` from a: true\n"
    );
}

#[test]
fn guest_http_server_serves_host_requests() {
    let (child, stdout, addr) = start_server(run_wasm("net_e2e_http_server", true, &["2"]));
    let response = http_exchange(
        addr,
        "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: net_e2e\r\n\r\n",
    );
    let body = "hello from the guest, you asked for /index.html\n";
    assert_eq!(
        response,
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    );
    refuses_delete_then_exits(
        addr,
        child,
        stdout,
        "DELETE /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
}

/// The `http_ureq` copy, built (once per test run).
fn ureq_client() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| built_fixture("http_ureq", &[]))
}

/// A host HTTP server answering `/hello` with 200 and anything else with 404, for two
/// connections (`Connection: close`, so the client cannot reuse one); returns the request heads.
fn host_http_server() -> (SocketAddr, JoinHandle<Vec<Vec<String>>>) {
    host_server(2, |mut conn| {
        let head = read_request_head(&conn);
        let (status, body) = match head.first().map(String::as_str) {
            Some("GET /hello HTTP/1.1") => ("200 OK", "hello from the host\n"),
            _ => ("404 Not Found", "no such page\n"),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nX-Served-By: net_e2e\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(response.as_bytes()).expect("host write");
        let _ = conn.shutdown(Shutdown::Write);
        head
    })
}

#[test]
fn ureq_fetches_from_a_host_http_server() {
    client_fetches_from_a_host_http_server(ureq_client());
}

/// reqwest (async, on tokio: its hyper backend, with tokio's `net` from the overlays) prints
/// the same as the ureq client for the same host server.
#[test]
fn reqwest_fetches_from_a_host_http_server() {
    client_fetches_from_a_host_http_server(&built_fixture("http_reqwest", &["--locked"]));
}

/// hyper's client on smol (its executor, async-net and async-io's reactor, all through
/// overlays) prints the same as the ureq client for the same host server.
#[test]
fn smol_fetches_from_a_host_http_server() {
    client_fetches_from_a_host_http_server(&built_fixture("http_smol", &["--locked"]));
}

/// Runs the client fixture in `dir` against [`host_http_server`]: `GET /hello` with an
/// `X-Client: wasix` header, then `GET /missing`.
fn client_fetches_from_a_host_http_server(dir: &Path) {
    let (addr, server) = host_http_server();
    let mut cmd = cargo_wasix(dir, &["run", "-q", "--", &format!("http://{addr}")]);
    cmd.env("CARGO_WASIX_RUNTIME_FLAGS", "--net");
    let (code, stdout, stderr) = run(cmd);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(
        stdout,
        "GET /hello: 200 OK (served by net_e2e)\nbody: hello from the host\nGET /missing: status 404\n"
    );
    let heads = server.join().expect("host http server");
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0][0], "GET /hello HTTP/1.1");
    assert!(
        heads[0]
            .iter()
            .any(|h| h.eq_ignore_ascii_case("x-client: wasix")),
        "{:?}",
        heads[0]
    );
    assert_eq!(heads[1][0], "GET /missing HTTP/1.1");
}

/// Without `--net` every program stops at its first network call: the runtime says why, the
/// guest sees EACCES (std's `PermissionDenied`), and the exit code is main's error (1).
#[test]
fn without_net_the_same_programs_fail_clearly() {
    // Nothing listens on the discard port; if the policy let a connect through, it would be
    // refused, and the missing `network access denied` line would fail this test.
    let unused = "127.0.0.1:9";
    for (program, args) in [
        ("net_e2e_tcp_echo", vec![]),
        ("net_e2e_server", vec![]),
        ("net_e2e_client", vec![unused]),
        ("net_e2e_udp", vec![unused]),
        ("net_e2e_edges", vec![]),
        ("net_e2e_http_server", vec![]),
        ("net_e2e_ipv6", vec![]),
        ("net_e2e_ports", vec![]),
    ] {
        let (code, stdout, stderr) = run(run_wasm(program, false, &args));
        assert_eq!(
            code,
            Some(1),
            "{program}: stdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert_eq!(stdout, "", "{program}");
        assert!(stderr.starts_with(DENIED), "{program}: stderr:\n{stderr}");
        assert!(
            stderr.contains("PermissionDenied"),
            "{program}: stderr:\n{stderr}"
        );
    }

    let (code, stdout, stderr) = run(cargo_wasix(
        ureq_client(),
        &["run", "-q", "--", "http://127.0.0.1:9"],
    ));
    assert_eq!(code, Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.starts_with(DENIED), "stderr:\n{stderr}");
}

/// hyper 1.x on tokio's multi-threaded runtime in the guest (tokio `net` through the tokio, mio
/// and socket2 overlays) answers HTTP/1.1 requests from host clients.
#[test]
fn hyper_server_in_the_guest_answers_host_clients() {
    let dir = built_fixture("hyper_server", &["--locked"]);
    let mut cmd = cargo_wasix(&dir, &["run", "-q", "--locked", "--", "2"]);
    cmd.env("CARGO_WASIX_RUNTIME_FLAGS", "--net");
    let (child, stdout, addr) = start_server(cmd);
    let response = http_exchange(
        addr,
        "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("\r\n\r\nhello from hyper in the guest, you asked for /index.html\n"),
        "{response}"
    );
    refuses_delete_then_exits(
        addr,
        child,
        stdout,
        "DELETE /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
}
