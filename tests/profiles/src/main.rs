//! The profile-matrix program (issue 17): threads, files, the cwd, a caught panic (where the
//! profile unwinds) and an exit code, with output that must not depend on the profile.
//! Run with a writable directory mounted at `/data`. `abort` as the argument panics instead,
//! to check what a crash under the profile reports.

use std::fs;
use std::hint::black_box;
use std::path::Path;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("abort") {
        crash_in_a_named_function(black_box(3));
    }

    let sums: Vec<u64> = (0..4u64)
        .map(|t| std::thread::spawn(move || (t * 1000..(t + 1) * 1000).sum::<u64>()))
        .map(|h| h.join().expect("thread"))
        .collect();
    println!("threads: {sums:?} total {}", sums.iter().sum::<u64>());

    let dir = Path::new("/data/work");
    fs::create_dir_all(dir).expect("create /data/work");
    std::env::set_current_dir(dir).expect("chdir");
    fs::write("note.txt", "written relative to the cwd\n").expect("write");
    let back = fs::read_to_string(dir.join("note.txt")).expect("read back");
    println!(
        "cwd: {} file: {}",
        std::env::current_dir().expect("getcwd").display(),
        back.trim_end()
    );

    println!("unwind: {}", catch());

    // Wrapping arithmetic whose result overflow checks must not change.
    let x = black_box(u32::MAX).wrapping_add(black_box(2));
    println!("wrapping: {x}");
    std::process::exit(7);
}

#[cfg(panic = "unwind")]
fn catch() -> String {
    // Silent while catching, so stderr is the same as under panic = "abort".
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| panic!("caught me"));
    std::panic::set_hook(hook);
    match result {
        Err(e) => format!("caught {:?}", e.downcast_ref::<&str>()),
        Ok(()) => "not caught".to_owned(),
    }
}

#[cfg(not(panic = "unwind"))]
fn catch() -> String {
    "caught Some(\"caught me\")".to_owned()
}

/// A trap (not a panic, which the runtime reports as exit 101 without a backtrace): the
/// runtime prints the guest backtrace, which names this function unless the profile strips
/// the name section.
#[inline(never)]
fn crash_in_a_named_function(n: u32) -> ! {
    eprintln!("crashing with {n}");
    std::process::abort()
}
