//! UDP with the host both ways: a datagram to the host's socket, its answer back.
use std::net::UdpSocket;

fn main() -> std::io::Result<()> {
    let host = net_e2e::addr_arg();
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.send_to(b"ping from the guest", host)?;
    let mut buf = [0u8; 64];
    let (n, from) = socket.recv_from(&mut buf)?;
    println!("got `{}` from the host socket: {}", String::from_utf8_lossy(&buf[..n]), from == host);
    // A connected UDP socket: send/recv without addresses.
    socket.connect(host)?;
    socket.send(b"second")?;
    let n = socket.recv(&mut buf)?;
    println!("connected: `{}`", String::from_utf8_lossy(&buf[..n]));
    Ok(())
}
