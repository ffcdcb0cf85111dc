//! dep: socket2 = { version = "0.5", features = ["all"] }
//! net: yes
fn main() {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    s.set_reuse_address(true).expect("reuse");
    s.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().expect("addr").into()).expect("bind");
    s.listen(4).expect("listen");
    assert!(s.local_addr().expect("local_addr").as_socket().is_some());
    println!("ok");
}
