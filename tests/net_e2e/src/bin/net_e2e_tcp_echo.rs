//! TCP between two guest threads: 1 MiB each way through an echo server, half-close, EOF.
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;

const LEN: usize = 1 << 20;

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    println!("bound to loopback with a port: {}", addr.ip().is_loopback() && addr.port() != 0);

    // The server echoes everything until the client's half-close, then half-closes itself.
    let server = thread::spawn(move || -> std::io::Result<(usize, bool)> {
        let (mut conn, peer) = listener.accept()?;
        // Asked before the shutdowns: once both FINs are acknowledged the socket is closed
        // and getpeername answers ENOTCONN (natively too).
        let peer_ok = peer == conn.peer_addr()?;
        let mut buf = vec![0u8; 16 * 1024];
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
        Ok((total, peer_ok))
    });

    let mut client = TcpStream::connect(addr)?;
    println!("peer_addr is the listener: {}", client.peer_addr()? == addr);
    let data = net_e2e::payload(LEN);
    // Writing from a second thread (on a try_clone'd handle) while this one reads keeps both
    // directions moving, so neither side's socket buffer can fill up and deadlock.
    let mut writer = client.try_clone()?;
    let to_send = data.clone();
    let sender = thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(&to_send)?;
        writer.shutdown(Shutdown::Write)
    });
    let mut echoed = Vec::with_capacity(LEN);
    client.read_to_end(&mut echoed)?;
    sender.join().expect("sender thread")?;
    let (received, peer_ok) = server.join().expect("server thread")?;
    println!("server received {received} bytes then EOF (peer addr consistent: {peer_ok})");
    println!("client received {} bytes then EOF", echoed.len());
    println!("echo matches: {}", echoed == data);
    // After EOF, reads keep returning 0.
    println!("read after EOF: {}", client.read(&mut [0u8; 8])?);
    Ok(())
}
