//! IPv6 on ::1: TCP (with addresses through `addr_port`'s 16 network-order bytes) and UDP.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

const OPT_ONLY_V6: u32 = 5;

fn main() {
    let l = Sock::open(AF_INET6, SOCK_STREAM).unwrap();
    l.set_flag(OPT_ONLY_V6, true).unwrap();
    println!("ONLY_V6: {}", l.get_flag(OPT_ONLY_V6).unwrap());
    l.bind("[::1]:0".parse().unwrap()).unwrap();
    l.listen(4).unwrap();
    let addr = l.local_addr().unwrap();
    println!("listener on ::1: {}", addr.ip().to_string() == "::1" && addr.port() != 0);
    let t = std::thread::spawn(move || {
        let c = Sock::open(AF_INET6, SOCK_STREAM).unwrap();
        c.connect(addr).unwrap();
        c.send_all(b"over v6").unwrap();
        c.local_addr().unwrap()
    });
    let (conn, peer) = l.accept(0).unwrap();
    let mut buf = [0u8; 16];
    let n = conn.recv(&mut buf).unwrap();
    let local = t.join().unwrap();
    println!("tcp6: `{}`, peer == client: {}", String::from_utf8_lossy(&buf[..n]), peer == local);
    println!("v4 socket to a v6 address: {:?}", Sock::tcp4().unwrap().connect(addr));

    let a = Sock::open(AF_INET6, SOCK_DGRAM).unwrap();
    a.bind("[::1]:0".parse().unwrap()).unwrap();
    let b = Sock::open(AF_INET6, SOCK_DGRAM).unwrap();
    b.bind("[::1]:0".parse().unwrap()).unwrap();
    a.send_to(b"v6 dgram", b.local_addr().unwrap()).unwrap();
    let (n, _, from) = b.recv_from(&mut buf).unwrap();
    println!("udp6: `{}` from a: {}", String::from_utf8_lossy(&buf[..n]), from == a.local_addr().unwrap());
}
