//! Edge cases of std::net: `localhost` resolution, non-blocking accept, a refused connect and
//! connect_timeout against a loopback listener whose accept queue is full.
use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    let resolved: Vec<_> = ("localhost", 80).to_socket_addrs()?.collect();
    println!(
        "localhost resolves to loopback: {}",
        !resolved.is_empty() && resolved.iter().all(|a| a.ip().is_loopback() && a.port() == 80)
    );

    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    println!("nonblocking accept: {}", failure(listener.accept()));
    // Once a client is queued, the same non-blocking accept succeeds.
    let _queued = TcpStream::connect(listener.local_addr()?)?;
    let mut accepted = None;
    for _ in 0..200 {
        match listener.accept() {
            Ok((conn, _)) => {
                accepted = Some(conn);
                break;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e),
        }
    }
    println!("nonblocking accept after a connect: {}", accepted.is_some());

    // A port that was just bound and released has no listener.
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    println!("connect to a closed port: {}", failure(TcpStream::connect(closed)));

    // A listener with backlog 0 holds one queued connection; the kernel drops further SYNs,
    // so the next connect hangs until its timeout.
    let full = TcpListener::bind("127.0.0.1:0")?;
    // SAFETY: a valid listening socket fd owned by `full`; listen may be called again to
    // change the backlog.
    if unsafe { libc::listen(full.as_raw_fd(), 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let _first = TcpStream::connect(full.local_addr()?)?;
    let timeout = Duration::from_millis(300);
    let start = Instant::now();
    let result = TcpStream::connect_timeout(&full.local_addr()?, timeout);
    let elapsed = start.elapsed();
    println!("connect_timeout to a full queue: {}", failure(result));
    println!("connect_timeout waited its timeout (and not 10x more): {}", elapsed >= timeout && elapsed < timeout * 10);
    Ok(())
}

/// The error kind of a call expected to fail, or what happened instead (so a runtime that does
/// not fail shows the rest of the program's output rather than a panic).
fn failure<T>(result: std::io::Result<T>) -> String {
    match result {
        Ok(_) => "no error".to_owned(),
        Err(e) => format!("{:?}", e.kind()),
    }
}
