//! Threads on WASIX: Mutex + Condvar hand-off, mpsc, scoped threads, join results.
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;

fn main() {
    // Mutex + Condvar: a worker flips a flag the main thread waits for.
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let worker = {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            let (lock, cvar) = &*pair;
            *lock.lock().unwrap() = true;
            cvar.notify_one();
        })
    };
    let (lock, cvar) = &*pair;
    let mut ready = lock.lock().unwrap();
    while !*ready {
        ready = cvar.wait(ready).unwrap();
    }
    drop(ready);
    worker.join().unwrap();
    println!("condvar: ok");

    // mpsc: four producers, one consumer.
    let (tx, rx) = mpsc::channel();
    let producers: Vec<_> = (0..4u64)
        .map(|i| {
            let tx = tx.clone();
            thread::spawn(move || {
                for j in 0..100u64 {
                    tx.send(i * 1000 + j).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let sum: u64 = rx.iter().sum();
    for p in producers {
        p.join().unwrap();
    }
    println!("mpsc sum: {sum}");

    // Scoped threads borrowing local data, with a shared counter.
    let data: Vec<u64> = (1..=1000).collect();
    let total = Mutex::new(0u64);
    thread::scope(|s| {
        for chunk in data.chunks(250) {
            let total = &total;
            s.spawn(move || {
                let part: u64 = chunk.iter().sum();
                *total.lock().unwrap() += part;
            });
        }
    });
    println!("scoped sum: {}", total.into_inner().unwrap());
}
