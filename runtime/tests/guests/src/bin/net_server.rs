//! A guest TCP server reached by a host client: prints its port, answers one line.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let (listener, addr) = Sock::listener().unwrap();
    println!("port={}", addr.port());
    let (conn, peer) = listener.accept(0).unwrap();
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    while !line.ends_with(b"\n") {
        let n = conn.recv(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        line.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&line).trim().to_string();
    conn.send_all(format!("echo: {text}\n").as_bytes()).unwrap();
    println!(
        "served `{text}` to a loopback peer: {}",
        peer.ip().is_loopback()
    );
}
