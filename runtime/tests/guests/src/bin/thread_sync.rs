//! Many threads through every std sync primitive; prints deterministic results that must match
//! a native run of the same program. Usage: thread_sync [THREADS]
use std::cell::Cell;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;

thread_local! {
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(16);

    // Mutex counter.
    let counter = Arc::new(Mutex::new(0u64));
    let hs: Vec<_> = (0..n)
        .map(|i| {
            let c = counter.clone();
            thread::spawn(move || {
                for _ in 0..1000 {
                    *c.lock().unwrap() += i as u64;
                }
            })
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    println!("mutex={}", *counter.lock().unwrap());

    // Condvar: each thread waits for its turn.
    let turn = Arc::new((Mutex::new(0usize), Condvar::new()));
    let order = Arc::new(Mutex::new(Vec::new()));
    let hs: Vec<_> = (0..n)
        .rev()
        .map(|i| {
            let (turn, order) = (turn.clone(), order.clone());
            thread::spawn(move || {
                let (m, cv) = &*turn;
                let mut t = cv.wait_while(m.lock().unwrap(), |t| *t != i).unwrap();
                order.lock().unwrap().push(i);
                *t += 1;
                cv.notify_all();
            })
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    let order = order.lock().unwrap();
    println!("condvar_in_order={}", order.iter().enumerate().all(|(k, v)| k == *v));

    // Barrier: everyone arrives before anyone leaves.
    let barrier = Arc::new(Barrier::new(n));
    let arrived = Arc::new(Mutex::new(0usize));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            let (b, a) = (barrier.clone(), arrived.clone());
            thread::spawn(move || {
                *a.lock().unwrap() += 1;
                let leader = b.wait().is_leader();
                (*a.lock().unwrap(), leader)
            })
        })
        .collect();
    let res: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    println!("barrier_all_arrived={} leaders={}", res.iter().all(|r| r.0 == n), res.iter().filter(|r| r.1).count());

    // RwLock: readers and writers.
    let rw = Arc::new(RwLock::new(Vec::<usize>::new()));
    let hs: Vec<_> = (0..n)
        .map(|i| {
            let rw = rw.clone();
            thread::spawn(move || {
                if i % 2 == 0 {
                    rw.write().unwrap().push(i);
                    0
                } else {
                    rw.read().unwrap().len()
                }
            })
        })
        .collect();
    hs.into_iter().for_each(|h| {
        h.join().unwrap();
    });
    let mut v = rw.read().unwrap().clone();
    v.sort();
    println!("rwlock={v:?}");

    // mpsc: fan-in.
    let (tx, rx) = mpsc::channel();
    for i in 0..n {
        let tx = tx.clone();
        thread::spawn(move || {
            for j in 0..10 {
                tx.send(i * 10 + j).unwrap();
            }
        });
    }
    drop(tx);
    let mut got: Vec<usize> = rx.iter().collect();
    got.sort();
    println!("mpsc_count={} sum={}", got.len(), got.iter().sum::<usize>());

    // Scoped threads borrowing the stack, with thread-locals.
    let data: Vec<u64> = (1..=n as u64).collect();
    let sums: Vec<u64> = thread::scope(|s| {
        let hs: Vec<_> = data
            .chunks(3)
            .map(|chunk| {
                s.spawn(move || {
                    for x in chunk {
                        LOCAL.with(|l| l.set(l.get() + x * x));
                    }
                    LOCAL.with(|l| l.get())
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    LOCAL.with(|l| assert_eq!(l.get(), 0, "the main thread's local is untouched"));
    println!("scoped={sums:?} total={}", sums.iter().sum::<u64>());
}
