//! A CPU-bound single-threaded program (sieve + hashing); prints a checksum and the wall time
//! in milliseconds. Used by the CPU benchmark against native and the wasmtime CLI.
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000_000);
    let t = Instant::now();
    let mut sieve = vec![true; n + 1];
    sieve[0] = false;
    sieve[1] = false;
    let mut i = 2;
    while i * i <= n {
        if sieve[i] {
            let mut j = i * i;
            while j <= n {
                sieve[j] = false;
                j += i;
            }
        }
        i += 1;
    }
    let mut h: u64 = 0xcbf29ce484222325;
    let mut count = 0u64;
    for (k, &p) in sieve.iter().enumerate() {
        if p {
            count += 1;
            h = (h ^ k as u64).wrapping_mul(0x100000001b3);
        }
    }
    let mut v: Vec<u64> = (0..(n as u64 / 4)).map(|x| x.wrapping_mul(0x9E3779B97F4A7C15) ^ h).collect();
    v.sort_unstable();
    println!("primes={count} hash={h:x} median={} ms={}", v[v.len() / 2], t.elapsed().as_millis());
}
