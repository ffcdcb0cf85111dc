//! The ports the host reports (issue 12): TCP on `127.0.0.1:PORT` and UDP on `PORT + 1`
//! (`PORT` = the first argument, 45678 by default). Every address printed or compared comes
//! from the host (`getsockname`/`getpeername`/`accept`/`recvfrom`), so the output is right on a
//! runtime only if the guest reads that runtime's port byte order (Wasmer: network order, ours:
//! little-endian), and connecting to the listener's own `local_addr()` only works then.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};

fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(p) => p.parse().expect("the first argument is a port"),
        None => 45678,
    };

    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let listening = listener.local_addr()?;
    println!("tcp listener local_addr: {listening}");
    let mut client = TcpStream::connect(listening)?;
    let (mut server, accepted_from) = listener.accept()?;
    let client_local = client.local_addr()?;
    println!("tcp client peer_addr: {}", client.peer_addr()?);
    println!("tcp server local_addr: {}", server.local_addr()?);
    println!(
        "tcp accept() and server peer_addr are the client's local_addr: {} {}",
        accepted_from == client_local,
        server.peer_addr()? == client_local
    );
    println!(
        "tcp client local_addr is loopback with a port: {}",
        client_local.ip().is_loopback() && client_local.port() != 0
    );
    client.write_all(b"ping")?;
    let mut word = [0u8; 4];
    server.read_exact(&mut word)?;
    println!("tcp: {}", String::from_utf8_lossy(&word));

    let receiver = UdpSocket::bind(("127.0.0.1", port + 1))?;
    println!("udp receiver local_addr: {}", receiver.local_addr()?);
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    sender.connect(receiver.local_addr()?)?;
    println!("udp sender peer_addr: {}", sender.peer_addr()?);
    sender.send(b"dgram")?;
    let mut buf = [0u8; 16];
    let (n, from) = receiver.recv_from(&mut buf)?;
    println!(
        "udp: `{}` from the sender's local_addr: {}",
        String::from_utf8_lossy(&buf[..n]),
        from == sender.local_addr()?
    );
    Ok(())
}
