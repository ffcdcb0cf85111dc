//! TCP and UDP over the IPv6 loopback `[::1]` between guest threads (AF_INET6 addresses through
//! the WASIX ABI both ways).
use std::io::{Read, Write};
use std::net::{Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("[::1]:0")?;
    let addr = listener.local_addr()?;
    println!("tcp bound to {}", describe(addr));
    let server = std::thread::spawn(move || -> std::io::Result<SocketAddr> {
        let (mut conn, peer) = listener.accept()?;
        let mut buf = [0u8; 5];
        conn.read_exact(&mut buf)?;
        conn.write_all(&buf)?;
        Ok(peer)
    });
    let mut client = TcpStream::connect(addr)?;
    client.write_all(b"hello")?;
    let mut back = [0u8; 5];
    client.read_exact(&mut back)?;
    let peer = server.join().expect("server thread")?;
    println!("tcp echo: {}, server saw {}", String::from_utf8_lossy(&back), describe(peer));
    println!("client local_addr == server's peer: {}", client.local_addr()? == peer);

    let a = UdpSocket::bind("[::1]:0")?;
    let b = UdpSocket::bind("[::1]:0")?;
    a.send_to(b"v6 datagram", b.local_addr()?)?;
    let mut buf = [0u8; 32];
    let (n, from) = b.recv_from(&mut buf)?;
    println!("udp: `{}` from a: {}", String::from_utf8_lossy(&buf[..n]), from == a.local_addr()?);
    Ok(())
}

/// The address without its random port.
fn describe(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V6(v6) => format!("v6 {} (loopback: {}, port set: {})", v6.ip(), *v6.ip() == Ipv6Addr::LOCALHOST, v6.port() != 0),
        SocketAddr::V4(v4) => format!("v4 {} (unexpected)", v4.ip()),
    }
}
