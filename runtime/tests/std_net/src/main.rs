//! std::net through the WASIX toolchain (std -> libc sockets -> libwasix -> wasix_32v1):
//! every line is checked exactly by `runtime/tests/all/net.rs`.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    // TCP: a listener on port 0 reports its real port (getsockname -> sock_addr_local).
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    println!("listener: loopback {} real port {}", addr.ip().is_loopback(), addr.port() != 0);

    // A server thread echoes 256 KiB and then sees EOF after the client's half-close.
    let server = thread::spawn(move || -> std::io::Result<(usize, SocketAddr)> {
        let (mut conn, peer) = listener.accept()?;
        let mut buf = vec![0u8; 16 << 10];
        let mut total = 0;
        loop {
            let n = conn.read(&mut buf)?;
            if n == 0 {
                break;
            }
            conn.write_all(&buf[..n])?;
            total += n;
        }
        conn.shutdown(Shutdown::Write)?;
        Ok((total, peer))
    });
    let mut client = TcpStream::connect(addr)?;
    client.set_nodelay(true)?;
    println!("nodelay: {}", client.nodelay()?);
    println!("peer_addr is the listener: {}", client.peer_addr()? == addr);
    let data: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    let mut writer = client.try_clone()?;
    let sent = data.clone();
    let w = thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(&sent)?;
        writer.shutdown(Shutdown::Write)
    });
    let mut back = Vec::new();
    client.read_to_end(&mut back)?;
    w.join().unwrap()?;
    let (total, peer) = server.join().unwrap()?;
    println!("echo: {} bytes, intact {}, server saw client addr {}", total, back == data, peer == client.local_addr()?);

    // Non-blocking accept and read: WouldBlock.
    let l2 = TcpListener::bind("127.0.0.1:0")?;
    l2.set_nonblocking(true)?;
    println!("nonblocking accept: {:?}", l2.accept().map(|_| ()).map_err(|e| e.kind()));
    let c2 = TcpStream::connect(l2.local_addr()?)?;
    let (mut s2, _) = loop {
        match l2.accept() {
            Ok(pair) => break pair,
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e),
        }
    };
    s2.set_nonblocking(true)?;
    let mut one = [0u8; 1];
    println!("nonblocking read: {:?}", s2.read(&mut one).map_err(|e| e.kind()));
    s2.set_nonblocking(false)?;
    s2.set_read_timeout(Some(Duration::from_millis(100)))?;
    let start = Instant::now();
    let r = s2.read(&mut one).map_err(|e| e.kind());
    println!("read timeout: {:?} after >=90ms {}", r, start.elapsed() >= Duration::from_millis(90));
    drop(c2);

    // Refused and timed-out connects (connect_timeout goes through poll).
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?
    };
    println!("connect to a closed port: {:?}", TcpStream::connect(closed).map(|_| ()).map_err(|e| e.kind()));
    println!(
        "connect_timeout to a closed port: {:?}",
        TcpStream::connect_timeout(&closed, Duration::from_secs(5)).map(|_| ()).map_err(|e| e.kind())
    );

    // UDP: connected and unconnected.
    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("127.0.0.1:0")?;
    a.send_to(b"dgram", b.local_addr()?)?;
    let mut buf = [0u8; 32];
    let (n, from) = b.recv_from(&mut buf)?;
    println!("udp recv_from: {} from a {}", String::from_utf8_lossy(&buf[..n]), from == a.local_addr()?);
    b.connect(a.local_addr()?)?;
    b.send(b"reply")?;
    let n = a.recv(&mut buf)?;
    println!("udp connected send: {}", String::from_utf8_lossy(&buf[..n]));
    a.set_ttl(7)?;
    println!("udp ttl: {}", a.ttl()?);

    // peek (MSG_PEEK), take_error (SO_ERROR), broadcast, listener ttl.
    let l3 = TcpListener::bind("127.0.0.1:0")?;
    let mut c3 = TcpStream::connect(l3.local_addr()?)?;
    let (s3, _) = l3.accept()?;
    c3.write_all(b"peekaboo")?;
    let mut peeked = [0u8; 4];
    let n = s3.peek(&mut peeked)?;
    let mut read = [0u8; 8];
    (&s3).read_exact(&mut read)?;
    println!("peek: {} then read: {}", String::from_utf8_lossy(&peeked[..n]), String::from_utf8_lossy(&read));
    println!("take_error: {:?}", s3.take_error()?.map(|e| e.kind()));
    a.set_broadcast(true)?;
    println!("broadcast: {}", a.broadcast()?);
    l3.set_ttl(42)?;
    println!("listener ttl: {}", l3.ttl()?);

    // Eight concurrent clients against a thread-per-connection server.
    let l4 = TcpListener::bind("127.0.0.1:0")?;
    let a4 = l4.local_addr()?;
    let server = thread::spawn(move || -> std::io::Result<()> {
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (mut c, _) = l4.accept()?;
            workers.push(thread::spawn(move || -> std::io::Result<()> {
                let mut buf = [0u8; 4096];
                loop {
                    let n = c.read(&mut buf)?;
                    if n == 0 {
                        return Ok(());
                    }
                    c.write_all(&buf[..n])?;
                }
            }));
        }
        for w in workers {
            w.join().unwrap()?;
        }
        Ok(())
    });
    let clients: Vec<_> = (0..8u8)
        .map(|id| {
            thread::spawn(move || -> std::io::Result<bool> {
                let mut c = TcpStream::connect(a4)?;
                let msg = vec![id; 64 * 1024];
                let mut w = c.try_clone()?;
                let m2 = msg.clone();
                let t = thread::spawn(move || -> std::io::Result<()> {
                    w.write_all(&m2)?;
                    w.shutdown(Shutdown::Write)
                });
                let mut back = Vec::new();
                c.read_to_end(&mut back)?;
                t.join().unwrap()?;
                Ok(back == msg)
            })
        })
        .collect();
    let ok = clients.into_iter().map(|c| c.join().unwrap()).collect::<std::io::Result<Vec<bool>>>()?;
    server.join().unwrap()?;
    println!("8 concurrent clients echoed intact: {}", ok.iter().all(|x| *x));

    // Name resolution.
    let resolved: Vec<SocketAddr> = ("localhost", 8080).to_socket_addrs()?.collect();
    println!("localhost resolves to loopback:8080 only: {}", !resolved.is_empty() && resolved.iter().all(|a| a.ip().is_loopback() && a.port() == 8080));
    Ok(())
}
