//! Starts threads that wait until told to end, until starting one fails. `count` (default):
//! prints how many started and the error, then ends them and exits 0; `panic`: uses
//! `thread::spawn`, which panics when starting fails.
use std::sync::mpsc;
use std::thread;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "count".into());
    let mut waiting = Vec::new();
    for n in 0..10_000 {
        let (tx, rx) = mpsc::channel::<()>();
        let body = move || {
            let _ = rx.recv();
        };
        let handle = if mode == "panic" {
            thread::spawn(body)
        } else {
            match thread::Builder::new().spawn(body) {
                Ok(h) => h,
                Err(e) => {
                    println!("started {n}, then: {e}");
                    break;
                }
            }
        };
        waiting.push((tx, handle));
    }
    for (tx, handle) in waiting {
        drop(tx);
        handle.join().unwrap();
    }
    println!("all joined");
}
