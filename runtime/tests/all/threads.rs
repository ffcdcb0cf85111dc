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

/// `thread_exit` on the main thread (pthread_exit in main): the process lives until its last
/// thread ends, then exits 0.
#[test]
fn main_thread_exit_waits_for_other_threads() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
      (import "wasix_32v1" "thread_exit" (func $texit (param i32)))
      (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
      (import "wasix_32v1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "env" "memory" (memory 1 1 shared))
      (data (i32.const 100) "child done\n")
      (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
        (drop (call $sleep (i64.const 100000000)))
        (i32.store (i32.const 0) (i32.const 100))
        (i32.store (i32.const 4) (i32.const 11))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
      (func (export "_start")
        (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then unreachable))
        (call $texit (i32.const 0))))"#;
    let p = dir.path().join("texit.wat");
    std::fs::write(&p, wat).unwrap();
    let o = run(&[p]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "child done\n");
}

/// wasm64: `wasix_64v1.thread_spawn_v2` on a shared 64-bit memory, entry `(i64, i64)`, and
/// `futex_wait`/`futex_wake` with 64-bit pointers.
#[test]
fn wasm64_thread_spawn_and_futex() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasix_64v1" "thread_spawn_v2" (func $spawn (param i64 i64) (result i32)))
      (import "wasix_64v1" "futex_wait" (func $wait (param i64 i32 i64 i64) (result i32)))
      (import "wasix_64v1" "futex_wake" (func $wake (param i64 i64) (result i32)))
      (import "wasix_64v1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory i64 1 1 shared))
      ;; 0: futex word; 8: start arg seen by the child; 16: tid out; 24: woken out
      (func (export "wasi_thread_start") (param $tid i64) (param $arg i64)
        (i64.store (i64.const 8) (local.get $arg))
        (i32.atomic.store (i64.const 0) (i32.const 1))
        (drop (call $wake (i64.const 0) (i64.const 24))))
      (func (export "_start")
        (if (call $spawn (i64.const 4096) (i64.const 16)) (then unreachable))
        (block $done (loop $again
          (br_if $done (i32.atomic.load (i64.const 0)))
          (drop (call $wait (i64.const 0) (i32.const 0) (i64.const 0) (i64.const 32)))
          (br $again)))
        ;; exit 40 + (arg == 4096) + 2 * (tid > 1)
        (call $exit (i32.add (i32.const 40)
          (i32.add (i64.eq (i64.load (i64.const 8)) (i64.const 4096))
                   (i32.mul (i32.const 2) (i32.gt_u (i32.load (i64.const 16)) (i32.const 1))))))))"#;
    let p = dir.path().join("t64.wat");
    std::fs::write(&p, wat).unwrap();
    let o = run(&[p]);
    assert_code(&o, 43);
}

/// Spawning needs a shared memory and a `wasi_thread_start(i32, i32)` export; otherwise the
/// spawn fails with ENOTCAPABLE (76), negated for wasi-threads, instead of trapping.
#[test]
fn spawn_without_entry_or_shared_memory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "noentry.wat",
            r#"(import "env" "memory" (memory 1 1 shared))"#,
        ),
        (
            "unshared.wat",
            r#"(memory (export "memory") 1) (func (export "wasi_thread_start") (param i32 i32))"#,
        ),
    ];
    for (name, body) in cases {
        let wat = format!(
            r#"(module
              (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
              (import "wasix_32v1" "proc_exit" (func $exit (param i32)))
              {body}
              (func (export "_start") (call $exit (i32.sub (i32.const 0) (call $spawn (i32.const 0))))))"#
        );
        let p = dir.path().join(name);
        std::fs::write(&p, wat).unwrap();
        assert_code(&run(&[p]), 76);
    }
}
