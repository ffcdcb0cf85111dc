//! Resource limits (issue 14): the wall-clock limit ends a guest blocked in a host call with
//! exit code 124 and a message; a guest that finishes in time is unaffected. Linear memory,
//! threads and fds: the guest sees the refused call fail (and may go on); a guest that then
//! aborts or panics ends with the limit's exit code (123, 122, 121) and a message naming the
//! flag.

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::harness::{assert_code, guest, guest_p1, run, stderr, stdout, wasix_run, write_fixture};

/// The last `allocated N MiB` line of the memory guest.
fn last_allocated(out: &std::process::Output) -> u64 {
    stdout(out)
        .lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("allocated ")?
                .strip_suffix(" MiB")?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// A threaded module (imported shared memory, capped at creation) and a plain one (its own
/// memory, checked by the store's limiter): an allocation past 64 MiB fails, std aborts, the
/// run ends with 123 and the message names --max-memory.
#[test]
fn memory_limit_fails_the_allocation_and_ends_with_123() {
    for (build, module) in [
        ("threads", guest("limit_memory")),
        ("p1", guest_p1("limit_memory")),
    ] {
        let out = run(&["--max-memory".as_ref(), "64M".as_ref(), module.as_os_str()]);
        assert_code(&out, 123);
        let err = stderr(&out);
        assert!(
            err.contains("memory allocation of 8388608 bytes failed")
                && err.contains("may not grow past 64 MiB")
                && err.contains("--max-memory SIZE"),
            "{build}: {err}"
        );
        assert!(!err.contains("wasm trap"), "{build}: {err}");
        let got = last_allocated(&out);
        assert!((40..64).contains(&got), "{build}: allocated {got} MiB");
    }
}

/// The guest sees the refusal as a failed allocation it can handle, and goes on.
#[test]
fn memory_limit_is_a_failed_allocation_the_guest_can_handle() {
    for module in [guest("limit_memory"), guest_p1("limit_memory")] {
        let out = run(&[
            "--max-memory".as_ref(),
            "32M".as_ref(),
            module.as_os_str(),
            "try".as_ref(),
        ]);
        assert_code(&out, 0);
        let text = stdout(&out);
        let refused = text
            .lines()
            .find_map(|l| l.strip_prefix("refused after "))
            .unwrap_or_else(|| panic!("never refused: {text}"));
        let mib: u64 = refused.split(' ').next().unwrap().parse().unwrap();
        assert!(mib < 32, "{refused}");
        assert!(refused.contains("memory allocation failed"), "{refused}");
        assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    }
}

/// Without the flag, the wasip1-threads module's own maximum (1 GiB, set by its linker)
/// binds first, and the message says --max-memory cannot raise it.
#[test]
fn memory_default_leaves_the_module_maximum_in_charge() {
    let out = run(&[guest("limit_memory")]);
    assert_code(&out, 123);
    let err = stderr(&out);
    assert!(
        err.contains("the module's own maximum of 1 GiB") && err.contains("cannot raise it"),
        "{err}"
    );
    let got = last_allocated(&out);
    assert!((900..1024).contains(&got), "allocated {got} MiB");
}

/// A module whose initial memory is larger than the limit does not start.
#[test]
fn memory_limit_below_the_initial_memory_refuses_to_start() {
    for module in [guest("core_hello"), guest_p1("core_hello")] {
        let out = run(&["--max-memory".as_ref(), "64K".as_ref(), module.as_os_str()]);
        assert_code(&out, 123);
        let err = stderr(&out);
        assert!(
            err.contains("linear memory at start")
                && err.contains("its limit of 64 KiB")
                && err.contains("--max-memory SIZE"),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
}

/// Spawning past --max-threads (the main thread counts) fails with EAGAIN, which std reports
/// as `Resource temporarily unavailable`; the guest goes on.
#[test]
fn thread_limit_refuses_spawns_with_eagain() {
    let out = run(&[
        "--max-threads".as_ref(),
        "4".as_ref(),
        guest("limit_threads").as_os_str(),
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).starts_with("started 3, then: Resource temporarily unavailable")
            && stdout(&out).ends_with("all joined\n"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// `thread::spawn` panics when it cannot start a thread: the run ends with 122.
#[test]
fn thread_limit_panic_ends_with_122() {
    let out = run(&[
        "--max-threads".as_ref(),
        "3".as_ref(),
        guest("limit_threads").as_os_str(),
        "panic".as_ref(),
    ]);
    assert_code(&out, 122);
    let err = stderr(&out);
    assert!(
        err.contains("failed to spawn thread")
            && err.contains("thread limit (3 threads at once")
            && err.contains("--max-threads N"),
        "{err}"
    );
}

/// Opening past --max-fds fails with EMFILE; the guest goes on (and can open again after
/// closing); unwrapping the error ends the run with 121.
#[test]
fn fd_limit_refuses_opens_with_emfile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let mapdir = format!("/d:{}", dir.path().display());
    let module = guest("limit_fds");
    let out = run(&[
        "--mapdir".as_ref(),
        mapdir.as_ref(),
        "--max-fds".as_ref(),
        "16".as_ref(),
        module.as_os_str(),
        "/d/f".as_ref(),
    ]);
    assert_code(&out, 0);
    // fds 0-2 are stdio and 3 the preopen: 12 more fit below 16. (EMFILE is
    // "No file descriptors available" in wasi-libc's strerror.)
    assert_eq!(
        stdout(&out),
        "opened 12, then: No file descriptors available (os error 33)\nreopened: true\n"
    );

    let out = run(&[
        "--mapdir".as_ref(),
        mapdir.as_ref(),
        "--max-fds".as_ref(),
        "8".as_ref(),
        module.as_os_str(),
        "/d/f".as_ref(),
        "unwrap".as_ref(),
    ]);
    assert_code(&out, 121);
    let err = stderr(&out);
    assert!(
        err.contains("open #5")
            && err.contains("limit of 8 open fds")
            && err.contains("--max-fds N"),
        "{err}"
    );
}

#[test]
fn limit_values_are_checked() {
    let cases = [
        ("--max-memory", "0"),
        ("--max-memory", "12Q"),
        ("--max-memory", "1K"),
        ("--max-threads", "0"),
        ("--max-threads", "many"),
        ("--max-fds", "0"),
        ("--max-fds", "70000"),
    ];
    for (flag, bad) in cases {
        let out = run(&[flag, bad, "x.wasm"]);
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains(flag),
            "{flag} {bad}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn time_limit_ends_a_blocked_guest_with_124() {
    // core_stdin reads stdin to the end; the pipe stays open, so it blocks in fd_read.
    let t = Instant::now();
    let mut child = wasix_run()
        .args(["--time-limit", "1.5"])
        .arg(guest("core_stdin"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasix-run");
    let stdin = child.stdin.take();
    let out = child.wait_with_output().expect("wait for wasix-run");
    drop(stdin);
    assert_code(&out, 124);
    assert!(
        stderr(&out).contains("time limit of 1.500s") && stderr(&out).contains("--time-limit"),
        "{}",
        stderr(&out)
    );
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(30),
        "{took:?}"
    );
}

#[test]
fn time_limit_leaves_a_quick_guest_alone() {
    let out = run(&[
        "--time-limit".as_ref(),
        "60".as_ref(),
        guest("core_hello").as_os_str(),
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).starts_with("hello from wasix\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn time_limit_value_is_checked() {
    for bad in ["0", "-1", "soon", "inf"] {
        let out = run(&["--time-limit", bad, "x.wasm"]);
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains("positive number of seconds"),
            "{bad}: {}",
            stderr(&out)
        );
    }
}

/// A wasm64 program's shared memory grows past 4 GiB when `--max-memory` allows it (issue
/// 11: the address-space reservation, not the limit, stopped it at 4 GiB before), and the
/// default limit refuses the same growth with -1. Growing reserves address space only: the
/// guest touches one byte at 5 GiB.
#[test]
fn wasm64_memory_grows_past_4_gib_when_the_limit_allows() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasix_64v1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory i64 1 262144 shared))
      (func (export "_start")
        (local $old i64)
        ;; 5 GiB more = 81920 pages of 64 KiB
        (local.set $old (memory.grow (i64.const 81920)))
        (if (i64.eq (local.get $old) (i64.const -1)) (then (call $exit (i32.const 3))))
        (i64.store8 (i64.const 5368709120) (i64.const 42))
        (call $exit (i32.wrap_i64 (i64.load8_u (i64.const 5368709120))))))"#;
    let p = write_fixture(&dir, "grow64.wat", wat.as_bytes());
    assert_code(
        &run(&["--max-memory".as_ref(), "8G".as_ref(), p.as_os_str()]),
        42,
    );
    assert_code(&run(&[p.as_os_str()]), 3);
    let too_large = run(&["--max-memory".as_ref(), "1T".as_ref(), p.as_os_str()]);
    assert!(stderr(&too_large).contains("above the largest memory limit, 64 GiB"));
}
