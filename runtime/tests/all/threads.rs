//! Threads: spawn, join, sync primitives, sleep, futexes, exits and traps in threads.

use crate::harness::*;

#[test]
fn sync_primitives_match_native() {
    let native_bin = native("thread_sync");
    for n in ["8", "32", "100"] {
        let o = run_guest("thread_sync", &[n]);
        assert_code(&o, 0);
        let want = std::process::Command::new(&native_bin)
            .arg(n)
            .output()
            .unwrap();
        assert!(want.status.success());
        assert_eq!(
            stdout(&o),
            String::from_utf8_lossy(&want.stdout),
            "{n} threads"
        );
    }
}

#[test]
fn sleep_is_accurate_within_ten_percent() {
    let o = run_guest("thread_sleep", &["200"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let nums: Vec<u128> = out
        .split_whitespace()
        .map(|kv| kv.split_once('=').unwrap().1.parse().unwrap())
        .collect();
    for us in nums {
        assert!(
            (200_000..=220_000).contains(&us),
            "slept {us} us for 200 ms: {out}"
        );
    }
}

#[test]
fn exit_from_a_thread_ends_the_process() {
    let o = run_guest("thread_exit", &[]);
    assert_code(&o, 7);
    assert_eq!(stdout(&o), "thread exiting\n");
}

#[test]
fn trap_in_a_thread_ends_the_process() {
    let t = std::time::Instant::now();
    let o = run_guest("thread_trap", &[]);
    assert_code(&o, 134);
    assert!(
        stderr(&o).contains("error: wasm trap in thread"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("must not"));
    assert!(t.elapsed().as_secs() < 4, "the process must end promptly");
}

#[test]
fn futex_syscalls() {
    let o = run_guest("thread_futex", &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "timed_out rc=0 woken=0\nmismatch rc=0 woken=1\nwaiter saw 42\n"
    );
}

#[test]
fn parallel_guest_matches_native() {
    let native_bin = native("thread_parallel");
    for threads in ["1", "2", "7"] {
        let o = run_guest("thread_parallel", &[threads, "2000000"]);
        assert_code(&o, 0);
        let want = std::process::Command::new(&native_bin)
            .args([threads, "2000000"])
            .output()
            .unwrap();
        let strip = |s: &str| {
            s.split_whitespace()
                .filter(|kv| !kv.starts_with("ms="))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            strip(&stdout(&o)),
            strip(&String::from_utf8_lossy(&want.stdout)),
            "{threads} threads"
        );
    }
}
