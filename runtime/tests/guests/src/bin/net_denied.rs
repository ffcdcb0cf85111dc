//! Network calls under a policy: without --net everything fails with EACCES (socket pairs
//! stay allowed); with `rules` as argument, run under --net=127.0.0.1:1.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("rules") {
        let s = Sock::tcp4().unwrap();
        println!(
            "connect to a port outside the rules: {:?}",
            s.connect("127.0.0.1:2".parse().unwrap())
        );
        println!(
            "bind to the wildcard: {:?}",
            s.bind("0.0.0.0:0".parse().unwrap())
        );
        println!("resolve a name: {:?}", resolve("example.com"));
        println!("resolve localhost: {}", resolve("localhost").is_ok());
        return;
    }
    println!("tcp4: {:?}", Sock::tcp4().map(|_| ()));
    println!("udp6: {:?}", Sock::open(AF_INET6, SOCK_DGRAM).map(|_| ()));
    println!("resolve: {:?}", resolve("localhost"));
    println!("sock_pair: {:?}", Sock::pair().map(|_| ()));
}
