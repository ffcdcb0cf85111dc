//! TCP echo between two guest threads: bind port 0 + addr_local, connect, 1 MiB each way,
//! half-close (shutdown WR) and EOF on both sides, peer/local addresses agreeing.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;
use std::sync::Arc;

const SIZE: usize = 1 << 20;

fn pattern(i: usize) -> u8 {
    (i * 7 % 251) as u8
}

fn main() {
    let (listener, addr) = Sock::listener().unwrap();
    println!(
        "listening on loopback with a real port: {}",
        addr.ip().is_loopback() && addr.port() != 0
    );
    let client = std::thread::spawn(move || {
        let c = Arc::new(Sock::tcp4().unwrap());
        c.connect(addr).unwrap();
        let local = c.local_addr().unwrap();
        let peer = c.peer_addr().unwrap();
        let w = c.clone();
        let writer = std::thread::spawn(move || {
            let data: Vec<u8> = (0..SIZE).map(pattern).collect();
            w.send_all(&data).unwrap();
            w.shutdown(SHUT_WR).unwrap();
        });
        let got = c.recv_to_end().unwrap();
        writer.join().unwrap();
        (local, peer, got)
    });
    let (conn, peer) = listener.accept(0).unwrap();
    let conn_peer = conn.peer_addr().unwrap();
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0;
    loop {
        let n = conn.recv(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        conn.send_all(&buf[..n]).unwrap();
        total += n;
    }
    conn.shutdown(SHUT_WR).unwrap();
    println!("server echoed {total} bytes, then EOF");
    let (local, client_peer, got) = client.join().unwrap();
    println!("accept peer == client local: {}", peer == local);
    println!("server peer_addr == client local: {}", conn_peer == local);
    println!("client peer_addr == listener: {}", client_peer == addr);
    println!(
        "client got {} bytes back, intact: {}",
        got.len(),
        got.iter().enumerate().all(|(i, b)| *b == pattern(i))
    );
}
