//! dep: mio = { version = "1", features = ["os-poll", "net"] }
//! net: yes
fn main() {
    let mut poll = mio::Poll::new().expect("Poll::new");
    let mut l = mio::net::TcpListener::bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    poll.registry().register(&mut l, mio::Token(0), mio::Interest::READABLE).expect("register");
    let _c = std::net::TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let mut ev = mio::Events::with_capacity(4);
    poll.poll(&mut ev, Some(std::time::Duration::from_secs(5))).expect("poll");
    assert!(ev.iter().any(|e| e.token() == mio::Token(0)));
    println!("ok");
}
