//! A guest TCP client reaching a host server at 127.0.0.1:PORT (first argument).
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let port: u16 = std::env::args().nth(1).unwrap().parse().unwrap();
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let s = Sock::tcp4().unwrap();
    s.set_flag(OPT_NO_DELAY, true).unwrap();
    println!("nodelay: {}", s.get_flag(OPT_NO_DELAY).unwrap());
    s.connect(server).unwrap();
    println!("peer is the server: {}", s.peer_addr().unwrap() == server);
    s.send_all(b"ping\n").unwrap();
    s.shutdown(SHUT_WR).unwrap();
    let reply = s.recv_to_end().unwrap();
    println!("got: {}", String::from_utf8_lossy(&reply).trim());
}
