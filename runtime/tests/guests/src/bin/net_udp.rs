//! UDP between two guest sockets (with truncation) and with a host socket at 127.0.0.1:PORT.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let port: u16 = std::env::args().nth(1).unwrap().parse().unwrap();
    let host = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let a = Sock::udp4().unwrap();
    a.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let b = Sock::udp4().unwrap();
    b.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    a.send_to(b"hello b", b_addr).unwrap();
    let mut buf = [0u8; 64];
    let (n, ro, from) = b.recv_from(&mut buf).unwrap();
    println!(
        "b got `{}` from a: {} (flags {ro})",
        String::from_utf8_lossy(&buf[..n]),
        from == a_addr
    );
    a.send_to(b"0123456789", b_addr).unwrap();
    let mut small = [0u8; 4];
    let (n, ro, _) = b.recv_from(&mut small).unwrap();
    println!(
        "truncated read: {} bytes `{}`, flag set: {}",
        n,
        String::from_utf8_lossy(&small[..n]),
        ro & ROFLAGS_TRUNCATED != 0
    );
    a.send_to(b"ping", host).unwrap();
    let (n, _, from) = a.recv_from(&mut buf).unwrap();
    println!(
        "host replied `{}` from the host socket: {}",
        String::from_utf8_lossy(&buf[..n]),
        from == host
    );
    println!("type option: {}", a.get_size(OPT_TYPE).unwrap());
}
