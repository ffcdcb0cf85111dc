//! The README's example: a small ordinary Rust program that uses threads, a pipe and the
//! working directory, built for WASIX and run on the bundled runtime.
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

fn main() {
    let who = std::env::args().nth(1).unwrap_or_else(|| "WASIX".to_string());
    println!("Hello, {who}!");

    // Four threads share a counter and report back over a channel.
    let total = Arc::new(Mutex::new(0u64));
    let (tx, rx) = mpsc::channel();
    let workers: Vec<_> = (1..=4u64)
        .map(|id| {
            let total = Arc::clone(&total);
            let tx = tx.clone();
            thread::spawn(move || {
                let part: u64 = (1..=id * 1000).sum();
                *total.lock().unwrap() += part;
                tx.send((id, part)).unwrap();
            })
        })
        .collect();
    drop(tx);
    for worker in workers {
        worker.join().unwrap();
    }
    let mut parts: Vec<_> = rx.iter().collect();
    parts.sort();
    for (id, part) in &parts {
        println!("thread {id}: sum 1..={} = {part}", id * 1000);
    }
    println!("total = {}", total.lock().unwrap());

    // A pipe between two threads.
    let (mut reader, mut writer) = std::io::pipe().expect("io::pipe");
    let sender = thread::spawn(move || writer.write_all(b"through a WASIX pipe").unwrap());
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    sender.join().unwrap();
    println!("received {text:?}");

    match thread::available_parallelism() {
        Ok(n) => println!("available parallelism: {n}"),
        Err(e) => println!("available parallelism unknown: {e}"),
    }
    println!("process id: {}", std::process::id());
}
