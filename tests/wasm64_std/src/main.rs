//! std on wasm64-wasmer-wasi with libc64 (no wasi-libc): threads and a Mutex, a channel
//! (futex waits), the environment, files in a mounted directory (create, read, metadata,
//! read_dir, remove), the cwd, a block above 4 GiB, an unwound panic and an exit code.
//! Argument: a writable guest directory. `fill <GiB>` instead allocates that much, writes
//! every 64-bit word and checks the sum of what it reads back against the closed form.
//! Built by `cargo wasix build --target wasm64-wasmer-wasi` in the end-to-end tests, and by
//! plain rustc against `cargo wasix setup --target wasm64-wasmer-wasi`'s sysroot in
//! `scripts/wasm64.sh`.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex, mpsc};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("fill") {
        let gib: usize = args[2].parse().expect("GiB as a number");
        return fill(gib);
    }
    let total = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4u64)
        .map(|i| {
            let total = total.clone();
            std::thread::spawn(move || {
                for k in 0..1000u64 {
                    *total.lock().unwrap() += k * i;
                }
                i
            })
        })
        .collect();
    let ids: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("threads: total={} ids={ids}", *total.lock().unwrap());

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for i in 0..5 {
            tx.send(i).unwrap();
        }
    });
    println!("channel: {:?}", rx.iter().collect::<Vec<_>>());

    println!("env: {:?}", std::env::var("WASM64_E2E"));

    let dir = std::env::args().nth(1).expect("a guest directory");
    let path = format!("{dir}/w64.txt");
    std::fs::File::create(&path).unwrap().write_all(b"wasm64 file\n").unwrap();
    let mut text = String::new();
    std::fs::File::open(&path).unwrap().read_to_string(&mut text).unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let listed = std::fs::read_dir(&dir)
        .unwrap()
        .any(|e| e.unwrap().file_name() == "w64.txt");
    std::fs::remove_file(&path).unwrap();
    println!("file: {text:?} len={len} listed={listed} removed={}", !std::path::Path::new(&path).exists());

    // 4.5 GiB reserved, two bytes written: one near the start, one above 4 GiB.
    let size = (9usize << 30) / 2;
    let mut big: Vec<u8> = Vec::with_capacity(size);
    let spare = big.spare_capacity_mut();
    spare[0].write(1);
    spare[size - 1].write(2);
    let end = big.as_ptr() as usize + size - 1;
    println!("block ends above 4 GiB: {}", end > 1 << 32);

    let caught = std::panic::catch_unwind(|| panic!("expected panic")).is_err();
    println!("caught panic: {caught}");
    std::process::exit(3);
}

/// Allocates `gib` GiB as 64-bit words, writes word `i` as `i * K` and sums them back: the
/// sum must be `K * n(n-1)/2` (wrapping), which zero or shared pages cannot give.
fn fill(gib: usize) {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let words = (gib << 30) / 8;
    let mut block: Vec<u64> = Vec::new();
    if block.try_reserve_exact(words).is_err() {
        println!("fill: cannot allocate {gib} GiB");
        std::process::exit(2);
    }
    block.extend((0..words as u64).map(|i| i.wrapping_mul(K)));
    let sum = block.iter().fold(0u64, |acc, w| acc.wrapping_add(*w));
    let n = words as u128;
    let expected = ((n * (n - 1) / 2) as u64).wrapping_mul(K);
    let top = block.as_ptr() as usize + words * 8;
    println!(
        "fill: {gib} GiB, {words} words, checksum {}, top above 4 GiB: {}",
        if sum == expected { "ok" } else { "WRONG" },
        top > 1 << 32
    );
}
