//! Two threads hand a token back and forth through a Mutex + Condvar: every hand-off is a
//! futex wait and wake. Prints the microseconds per round trip.
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

fn main() {
    let rounds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let pair = Arc::new((Mutex::new(0u64), Condvar::new()));
    let other = pair.clone();
    let start = Instant::now();
    let t = std::thread::spawn(move || {
        let (m, c) = &*other;
        let mut g = m.lock().unwrap();
        while *g < 2 * rounds {
            if *g % 2 == 1 {
                *g += 1;
                c.notify_one();
            } else {
                g = c.wait(g).unwrap();
            }
        }
    });
    {
        let (m, c) = &*pair;
        let mut g = m.lock().unwrap();
        while *g < 2 * rounds {
            if *g % 2 == 0 {
                *g += 1;
                c.notify_one();
            } else {
                g = c.wait(g).unwrap();
            }
        }
    }
    t.join().unwrap();
    let s = start.elapsed().as_secs_f64();
    println!("{:.2}", s * 1e6 / rounds as f64);
}
