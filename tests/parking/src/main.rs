//! Makes parking_lot threads wait for real: a lock held across a sleep, a condvar signalled
//! from another thread, a condvar wait that times out. Each would panic with parking_lot's
//! wasm parker ("Parking not supported on this platform").

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

macro_rules! exercise {
    ($krate:ident, $label:expr) => {{
        // Contended mutex: the holder sleeps now and then, so the others must park.
        let counter = Arc::new($krate::Mutex::new(0u32));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    for _ in 0..1000 {
                        let mut n = counter.lock();
                        *n += 1;
                        if *n % 250 == 0 {
                            thread::sleep(Duration::from_millis(2));
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        println!("{}: mutex {}", $label, *counter.lock());

        // Condvar signalled by another thread.
        let pair = Arc::new(($krate::Mutex::new(false), $krate::Condvar::new()));
        let signaller = {
            let pair = Arc::clone(&pair);
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                *pair.0.lock() = true;
                pair.1.notify_one();
            })
        };
        let mut ready = pair.0.lock();
        while !*ready {
            pair.1.wait(&mut ready);
        }
        println!("{}: condvar woken", $label);
        signaller.join().expect("signaller");

        // A wait nobody ends times out after its duration.
        let start = Instant::now();
        let timed_out = pair.1.wait_for(&mut ready, Duration::from_millis(30)).timed_out();
        println!(
            "{}: wait_for timed out {} after at least 30 ms {}",
            $label,
            timed_out,
            start.elapsed() >= Duration::from_millis(30)
        );

        // RwLock: a writer waits for readers.
        let lock = Arc::new($krate::RwLock::new(0));
        let reader = lock.read();
        let writer = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.write() += 1)
        };
        thread::sleep(Duration::from_millis(10));
        drop(reader);
        writer.join().expect("writer");
        println!("{}: rwlock {}", $label, *lock.read());
    }};
}

fn main() {
    exercise!(parking_lot, "0.12");
    exercise!(parking_lot_011, "0.11");
    exercise!(parking_lot_013, "0.13");
}
