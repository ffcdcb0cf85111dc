//! Sleeps for the given milliseconds (default 100) in a thread and in main; prints the
//! measured durations in microseconds.
use std::time::{Duration, Instant};

fn main() {
    let ms: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let h = std::thread::spawn(move || {
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(ms));
        t.elapsed().as_micros()
    });
    let t = Instant::now();
    std::thread::sleep(Duration::from_millis(ms));
    let main_us = t.elapsed().as_micros();
    println!("main_us={main_us} thread_us={}", h.join().unwrap());
}
