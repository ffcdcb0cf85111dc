//! `proc_exit` ends the process while another thread is blocked in a socket call: with
//! `main`, the main thread exits while a helper blocks in accept; with `thread`, a helper
//! exits while the main thread blocks in recv.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;
use std::time::Duration;

fn main() {
    let (listener, _) = Sock::listener().unwrap();
    match std::env::args().nth(1).as_deref() {
        Some("main") => {
            std::thread::spawn(move || listener.accept(0).map(|_| ()));
            std::thread::sleep(Duration::from_millis(100));
            println!("main exits while a thread blocks in accept");
            std::process::exit(3);
        }
        _ => {
            let (a, _b) = Sock::pair().unwrap();
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                println!("a thread exits while main blocks in recv");
                std::process::exit(4);
            });
            let mut buf = [0u8; 8];
            let _ = a.recv(&mut buf);
            println!("unreachable: recv returned");
        }
    }
}
