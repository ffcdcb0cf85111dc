//! std APIs that need the WASIX patch set: it must link; when run with `--net` it talks to
//! itself over loopback.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

fn main() -> std::io::Result<()> {
    println!("parallelism: {}", std::thread::available_parallelism().map(|n| n.get() > 0).unwrap_or(false));

    let (mut reader, mut writer) = std::io::pipe()?;
    writer.write_all(b"through a pipe")?;
    drop(writer);
    let mut piped = String::new();
    reader.read_to_string(&mut piped)?;
    println!("pipe: {piped}");

    std::env::set_current_dir("/")?;
    println!("cwd: {}", std::env::current_dir()?.display());

    if std::env::args().any(|a| a == "--spawn") {
        let output = std::process::Command::new("echo").arg("hi").output()?;
        println!("spawn: {:?}", output.status.code());
    }

    if std::env::args().any(|a| a == "--net") {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut client = TcpStream::connect(addr)?;
        let (mut server, _) = listener.accept()?;
        client.write_all(b"ping")?;
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf)?;
        println!("tcp: {}", String::from_utf8_lossy(&buf));

        let a = UdpSocket::bind("127.0.0.1:0")?;
        let b = UdpSocket::bind("127.0.0.1:0")?;
        a.send_to(b"dgram", b.local_addr()?)?;
        let mut buf = [0u8; 16];
        let (n, _) = b.recv_from(&mut buf)?;
        println!("udp: {}", String::from_utf8_lossy(&buf[..n]));

        let resolved = ("localhost", 80).to_socket_addrs()?.next().is_some();
        println!("resolve: {resolved}");
    }
    Ok(())
}
