//! CPU-bound work split over N threads (default 2); prints the checksum and the wall time in
//! milliseconds. Used by the thread-scaling benchmark.
use std::time::Instant;

fn work(seed: u64, iters: u64) -> u64 {
    let mut x = seed;
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn main() {
    let threads: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2);
    let total: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(400_000_000);
    let t = Instant::now();
    let hs: Vec<_> = (0..threads).map(|i| std::thread::spawn(move || work(i + 1, total / threads))).collect();
    let sum = hs.into_iter().map(|h| h.join().unwrap()).fold(0u64, |a, b| a ^ b);
    println!("checksum={sum} ms={}", t.elapsed().as_millis());
}
