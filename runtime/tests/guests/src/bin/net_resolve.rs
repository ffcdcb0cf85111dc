//! `resolve`: localhost and literals.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let local = resolve("localhost").unwrap();
    println!(
        "localhost: some addresses: {}, all loopback: {}",
        !local.is_empty(),
        local.iter().all(|ip| ip.is_loopback())
    );
    println!("literal: {:?}", resolve("127.0.0.1").unwrap());
    println!("v6 literal: {:?}", resolve("::1").unwrap());
    println!("empty name: {:?}", resolve(""));
}
