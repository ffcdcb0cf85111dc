//! Runtime core: args, env, exit codes, stdio, traps, malformed modules, bad pointers, the
//! WASIX process-local calls, the cache.

use std::io::Write;
use std::process::Stdio;

use crate::harness::*;

#[test]
fn hello_with_args() {
    let o = run_guest("core_hello", &["a b", "c"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "hello from wasix\narg0=core_hello.wasm\narg1=a b\narg2=c\n"
    );
}

#[test]
fn hello_plain_wasip1_with_own_memory() {
    let o = run(&[guest_p1("core_hello").as_os_str(), "x".as_ref()]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "hello from wasix\narg0=core_hello.wasm\narg1=x\n"
    );
}

#[test]
fn argv0_can_be_set() {
    let o = run(&[
        "--argv0".as_ref(),
        "prog".as_ref(),
        guest("core_hello").as_os_str(),
    ]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("arg0=prog\n"), "{}", stdout(&o));
}

#[test]
fn exit_codes() {
    for code in [0, 1, 42, 255] {
        let o = run_guest("core_exit", &[&code.to_string()]);
        assert_code(&o, code);
        assert_eq!(stdout(&o), format!("exiting with {code}\n"));
        assert_eq!(stderr(&o), "to stderr\n");
    }
}

#[test]
fn panic_exits_101_with_message() {
    let o = run_guest("core_panic", &[]);
    assert_code(&o, 101);
    assert_eq!(stdout(&o), "before the panic\n");
    assert!(stderr(&o).contains("guest panic: boom"), "{}", stderr(&o));
}

#[test]
fn trap_exits_134_with_message() {
    let o = run_guest("core_trap", &[]);
    assert_code(&o, 134);
    assert_eq!(stdout(&o), "about to trap\n");
    let err = stderr(&o);
    assert!(
        err.contains("error: wasm trap") && err.contains("unreachable"),
        "{err}"
    );
}

#[test]
fn ten_thousand_lines_complete_and_ordered() {
    let o = run_guest("core_lines", &[]);
    assert_code(&o, 0);
    let want_out: String = (0..10_000).map(|i| format!("out {i}\n")).collect();
    let want_err: String = (0..10_000).map(|i| format!("err {i}\n")).collect();
    assert!(
        stdout(&o) == want_out,
        "stdout differs (len {} vs {})",
        o.stdout.len(),
        want_out.len()
    );
    assert!(
        stderr(&o) == want_err,
        "stderr differs (len {} vs {})",
        o.stderr.len(),
        want_err.len()
    );
}

#[test]
fn stdin_is_piped_through() {
    let mut child = wasix_run()
        .arg(guest("core_stdin"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = (0..5000).map(|i| format!("line {i}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        format!(
            "bytes={} lines=5000 last=line 4999\n",
            (0..5000)
                .map(|i: i32| format!("line {i}\n").len())
                .sum::<usize>()
        )
    );
}

#[test]
fn env_is_exactly_what_was_given() {
    let o = wasix_run()
        .env("HOST_SECRET", "leak")
        .args(["--env", "A=1", "--env", "B=two words", "--env", "EMPTY="])
        .arg(guest("core_env"))
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "count=3\nA=1\nB=two words\nEMPTY=\n");
}

#[test]
fn out_of_bounds_pointers_are_efault() {
    let o = run_guest("core_efault", &[]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "fd_write_buf=21 fd_write_iovs=21 fd_write_ret=21 random_get=21\n"
    );
}

#[test]
fn wasix_process_local_calls() {
    let o = run_guest("core_wasix", &[]);
    assert_code(&o, 0);
    let want = "pid=1 ppid=0 tid=1 parallelism_ok=true\n\
                pipe: fds 4,5 dup=6 read=\"through the pipe\"\n\
                dup2: fd=40 cloexec 1->0\n\
                close twice: 8\n\
                renumber: \"renumbered\" old fd errno=8\n\
                event: 7\n\
                clock_time_set=63\n\
                tty: line_feeds=1\n\
                signals=0\n\
                port_mac=52\n\
                port_mac again=52\n";
    assert_eq!(stdout(&o), want);
    // The unsupported call warns once, naming itself.
    let warn = "warning: wasix_32v1.port_mac is not supported by this runtime yet (ENOSYS)";
    assert_eq!(stderr(&o).matches(warn).count(), 1, "{}", stderr(&o));
}

#[test]
fn trace_logs_calls_with_results() {
    let o = run(&[
        "--trace".as_ref(),
        guest("core_exit").as_os_str(),
        "5".as_ref(),
    ]);
    assert_code(&o, 5);
    let err = stderr(&o);
    assert!(
        err.contains("[trace 1] wasi_snapshot_preview1.fd_write(1, "),
        "{err}"
    );
    assert!(err.contains("-> 0 (Success)"), "{err}");
    assert!(
        err.contains("wasi_snapshot_preview1.proc_exit(5) -> trap"),
        "{err}"
    );
}

#[test]
fn malformed_modules_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &[&str])] = &[
        ("garbage.wasm", b"\0asm\x01\0\0\0\xff\xff\xff", &["error: failed to compile", "garbage.wasm", "help:"]),
        ("text.wasm", b"this is not wasm", &["error: failed to compile", "help:"]),
        ("empty.wasm", b"", &["error: failed to compile"]),
        (
            "imports.wat",
            br#"(module (import "env" "mystery" (func)) (import "custom_mod" "f" (func (param i32))) (func (export "_start")))"#,
            &["`env.mystery` (function)", "`custom_mod.f` (function)", "help:"],
        ),
        ("nostart.wat", b"(module (memory (export \"memory\") 1))", &["no `_start", "help:"]),
        (
            "badsig.wat",
            br#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32))) (func (export "_start")))"#,
            &["error: failed to start the module", "fd_write"],
        ),
    ];
    for (name, bytes, needles) in cases {
        let p = write_fixture(&dir, name, bytes);
        let o = run(&[&p]);
        assert_code(&o, 1);
        let err = stderr(&o);
        for n in *needles {
            assert!(err.contains(n), "{name}: `{n}` missing in:\n{err}");
        }
        assert!(
            !err.contains("panicked"),
            "{name}: the host panicked:\n{err}"
        );
    }
    let o = run(&[dir.path().join("missing.wasm")]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("failed to read"), "{}", stderr(&o));
}

#[test]
fn cache_hit_and_corrupt_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let args = |x: &str| {
        vec![
            std::ffi::OsString::from("--cache"),
            cache.clone().into(),
            guest("core_hello").into(),
            x.into(),
        ]
    };
    let first = run(&args("1"));
    assert_code(&first, 0);
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let cwasm = entries
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .expect("a .cwasm entry")
        .clone();
    let stamp = std::fs::metadata(&cwasm).unwrap().modified().unwrap();
    let second = run(&args("2"));
    assert_code(&second, 0);
    assert_eq!(
        std::fs::metadata(&cwasm).unwrap().modified().unwrap(),
        stamp,
        "a hit must not rewrite the entry"
    );
    // Corrupt it: the run still works (recompiles) and the entry is rewritten.
    let mut bytes = std::fs::read(&cwasm).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid..mid + 64].fill(0xcc);
    std::fs::write(&cwasm, &bytes).unwrap();
    let third = run(&args("3"));
    assert_code(&third, 0);
    assert!(stdout(&third).contains("arg1=3"));
    assert_ne!(
        std::fs::read(&cwasm).unwrap(),
        bytes,
        "the corrupt entry was replaced"
    );
}

#[test]
fn signals_reach_the_handler_or_take_the_default_action() {
    let o = run_guest("core_signal", &["handler"]);
    assert_code(&o, 0);
    // USR1 (10) and CHLD (17) reached the handler; 99 is not a signal (EINVAL = 28).
    assert_eq!(
        stdout(&o),
        format!("rc=0,0,28 seen={:#x}\n", (1u32 << 10) | (1 << 17))
    );
    let o = run_guest("core_signal", &["default"]);
    assert_code(&o, 128 + 15);
    assert_eq!(stdout(&o), "raising TERM\n");
}

/// The same generic syscalls serve `wasix_64v1` with 64-bit pointers, iovecs and sizes.
#[test]
fn wasix_64v1_module_runs() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasix_64v1" "fd_write" (func $fd_write (param i32 i64 i64 i64) (result i32)))
      (import "wasix_64v1" "args_sizes_get" (func $asg (param i64 i64) (result i32)))
      (import "wasix_64v1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") i64 1)
      (data (i64.const 100) "hi from wasm64\n")
      (func (export "_start")
        (i64.store (i64.const 0) (i64.const 100))
        (i64.store (i64.const 8) (i64.const 15))
        (drop (call $fd_write (i32.const 1) (i64.const 0) (i64.const 1) (i64.const 32)))
        (drop (call $asg (i64.const 40) (i64.const 48)))
        (call $exit (i32.add (i32.wrap_i64 (i64.load (i64.const 40)))
          (select (i32.const 10) (i32.const 0) (i64.eq (i64.load (i64.const 32)) (i64.const 15)))))))"#;
    let p = write_fixture(&dir, "m64.wat", wat.as_bytes());
    let o = run(&[p.as_os_str(), "a".as_ref(), "b".as_ref()]);
    // argc 3 + 10 for the 8-byte nwritten == 15
    assert_code(&o, 13);
    assert_eq!(stdout(&o), "hi from wasm64\n");
}

/// An unimplemented call without an errno result cannot return ENOSYS: it traps, naming itself.
#[test]
fn unsupported_call_without_errno_traps_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasix_32v1" "stack_restore" (func $r (param i32 i64)))
      (memory (export "memory") 1)
      (func (export "_start") (call $r (i32.const 0) (i64.const 1))))"#;
    let p = write_fixture(&dir, "norestore.wat", wat.as_bytes());
    let o = run(&[p]);
    assert_code(&o, 134);
    let err = stderr(&o);
    assert!(
        err.contains(
            "warning: wasix_32v1.stack_restore is not supported by this runtime yet (ENOSYS)"
        ),
        "{err}"
    );
    assert!(err.contains("error: wasm trap in thread 1: wasix_32v1.stack_restore is not supported by this runtime yet\n"), "{err}");
}

/// Strips the guest-reported timing so outputs can be compared with a native run.
fn without_ms(s: &str) -> String {
    s.split_whitespace()
        .filter(|kv| !kv.starts_with("ms="))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn cpu_guest_matches_native() {
    let o = run_guest("core_cpu", &["200000"]);
    assert_code(&o, 0);
    let want = std::process::Command::new(native("core_cpu"))
        .arg("200000")
        .output()
        .unwrap();
    assert_eq!(
        without_ms(&stdout(&o)),
        without_ms(&String::from_utf8_lossy(&want.stdout))
    );
}

/// Diagnostics to a closed stderr must not panic the host (exit code stays the guest's).
#[test]
fn closed_stderr_does_not_panic_the_host() {
    let mut child = wasix_run()
        .arg(guest("core_trap"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(134));
}

#[test]
fn precompile_warms_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = wasix_runtime::CacheMode::Dir(dir.path().join("cache"));
    let hello = guest("core_hello");
    assert!(
        wasix_runtime::precompile(&hello, &cache).unwrap(),
        "first call compiles"
    );
    assert!(
        !wasix_runtime::precompile(&hello, &cache).unwrap(),
        "second call is a hit"
    );
    let bad = dir.path().join("bad.wat");
    std::fs::write(&bad, r#"(module (import "nope" "f" (func)))"#).unwrap();
    let err = wasix_runtime::precompile(&bad, &cache)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`nope.f`"), "{err}");
}
