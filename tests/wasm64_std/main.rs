//! std on wasm64-wasmer-wasi with libc64 (no wasi-libc): threads and a Mutex, a channel
//! (futex waits), the environment, files in a mounted directory (create, read, metadata,
//! read_dir, remove), the cwd, a block above 4 GiB, an unwound panic and an exit code.
//! Built by the wasm64 end-to-end test with plain rustc against `cargo wasix setup --target
//! wasm64-wasmer-wasi`'s sysroot. Argument: a writable guest directory.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex, mpsc};

fn main() {
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
