//! Grows its heap in 8 MiB steps (untouched, so only linear memory grows) until it fails.
//! `abort` (default): plain `Vec::with_capacity`, so the failure is std's out-of-memory abort;
//! `try`: `try_reserve`, printing where it was refused and exiting 0.
use std::hint::black_box;

const STEP: usize = 8 << 20;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "abort".into());
    let mut held: Vec<Vec<u8>> = Vec::new();
    for step in 1..=1024 {
        let mut v: Vec<u8> = Vec::new();
        if mode == "try" {
            if let Err(e) = v.try_reserve_exact(STEP) {
                println!("refused after {} MiB: {e}", (step - 1) * 8);
                return;
            }
        } else {
            v = Vec::with_capacity(STEP);
        }
        held.push(black_box(v));
        println!("allocated {} MiB", step * 8);
    }
    println!("never refused");
}
