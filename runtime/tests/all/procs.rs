//! Child processes: spawn, join, signals, exec, PATH lookup, `/proc/self/exe` and the
//! process limit, driven by the raw `proc_spawn` guest spawning itself.

use crate::harness::*;

/// `wasix-run` with the guest's directory mounted at its own path and `--exe` set.
fn run_self(extra: &[&str], mode: &[&str]) -> std::process::Output {
    let module = guest("proc_spawn").canonicalize().unwrap();
    let dir = module.parent().unwrap().to_str().unwrap().to_owned();
    let exe = module.to_str().unwrap().to_owned();
    let mut args: Vec<String> = vec!["--dir".into(), dir, "--exe".into(), exe.clone()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(exe.clone());
    args.extend(mode.iter().map(|s| s.to_string()));
    args.push(exe);
    run(&args)
}

#[test]
fn spawn_join_signals_exec() {
    let o = run_self(&[], &["parent"]);
    assert_code(&o, 0);
    let want = r#"exit 0: Ok("exit 0")
exit 1: Ok("exit 1")
exit 42: Ok("exit 42")
exit 255: Ok("exit 255")
echo: "PIPED TEXT / hi there / parent 1"
echo status: Ok("exit 0")
by PATH: Ok("exit 3")
missing: Err(44)
nonblocking: Ok("nothing")
kill rc: 0
killed: Ok("signal 9")
killed while reading: Ok("signal 9")
term while spinning: Ok("signal 15")
16 children: sum 120, left 0
no children: Err(12)
exec: Ok("exit 7") (pid ok: true)
handler saw USR1 1 and CHLD 1
signal-parent: Ok("exit 0")
"#;
    assert_eq!(stdout(&o), want, "stderr:\n{}", stderr(&o));
}

/// A child whose main thread is parked in the wasm atomic wait (`pthread_join`) when the
/// child ends, by another thread's trap or by SIGKILL, is still reported to its parent (the
/// reaper in `proc::spawn`); before, the parent waited forever.
#[test]
fn children_parked_in_atomic_waits_are_reaped() {
    let o = run_self(&[], &["reap"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "thread trap: Ok(\"signal 6\")\nkilled while joining: Ok(\"signal 9\")\n",
        "stderr:\n{}",
        stderr(&o)
    );
}

#[test]
fn fork_bomb_hits_the_process_limit() {
    let o = run_self(&["--max-procs", "12"], &["fork-bomb"]);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("the process limit of this run (12) is reached"),
        "stderr:\n{}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o).matches("process limit").count(),
        1,
        "said once:\n{}",
        stderr(&o)
    );
}

/// A real SIGINT sent to the host process reaches the guest: its handler runs, or without one
/// the run ends with 130 like a shell reports it.
#[test]
fn host_sigint_reaches_the_guest() {
    use std::io::{BufRead, BufReader};
    // `busy`: the guest spins on `sched_yield` and never blocks (a syscall return is the safe
    // point).
    for (mode, code, want) in [
        ("handler", 0, "handled signal 2\n"),
        ("busy", 0, "handled signal 2\n"),
        ("none", 130, ""),
    ] {
        let mut child = wasix_run()
            .arg(guest("proc_spawn"))
            .args(["wait-signal", mode])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        let kill = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        let status = child.wait().unwrap();
        assert_eq!((status.code(), rest.as_str()), (Some(code), want), "{mode}");
    }
}

/// `proc_raise_interval` (alarm/setitimer): a one-shot timer fires once and not early, a
/// repeating one until cancelled with interval 0, re-arming replaces; without a handler SIGALRM
/// kills the process (142 = 128 + 14, like a shell reports it).
#[test]
fn interval_timers_raise_sigalrm() {
    let o = run(&[guest("proc_timers").to_str().unwrap(), "alarms"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "arm one-shot: 0
one-shot fired: true, not early: true, times: 1
arm repeating: 0
cancel: 0
repeating fired 3 times: true, after cancel: true
re-armed fires early: true
bad signal: 28
",
        "stderr:\n{}",
        stderr(&o)
    );
    let start = std::time::Instant::now();
    let o = run(&[guest("proc_timers").to_str().unwrap(), "alarm-default"]);
    assert_code(&o, 142);
    assert_eq!(stdout(&o), "");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(8),
        "killed, not slept out"
    );
}

/// `thread_signal` to another thread: the handler runs on that thread (at its next safe point),
/// not on the caller; unknown and finished threads give ESRCH (71).
#[test]
fn thread_signal_runs_the_handler_on_that_thread() {
    let o = run(&[guest("proc_timers").to_str().unwrap(), "thread"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "signal the worker: 0
handler ran: true, on the worker: true, not on main: true
unknown thread: 71
finished thread: 71
",
        "stderr:\n{}",
        stderr(&o)
    );
}

/// Signals reach a thread that only spins on syscalls (never a blocking wait): delivered at
/// syscall returns. SIGALRM while polling the clock, `thread_signal` to a worker spinning on
/// `sched_yield`, and `proc_signal` from another process to a child spinning likewise; a
/// child computing without syscalls gets it at its next epoch check.
#[test]
fn signals_reach_threads_spinning_on_syscalls() {
    let o = run(&[guest("proc_timers").to_str().unwrap(), "busy"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "alarm while polling the clock: true
signal the worker: 0
worker spinning on sched_yield ran its handler: true, on the worker: true
",
        "stderr:\n{}",
        stderr(&o)
    );
    let o = run_self(&[], &["busy-parent"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "signal rc: 0\nbusy child: Ok(\"exit 10\")\nsignal rc: 0\ncomputing child: Ok(\"exit 10\")\n",
        "stderr:\n{}",
        stderr(&o)
    );
}

/// A signal queued again while its handler runs (here during the handler's own blocking
/// waits) stays pending until the handler returns, then runs: never nested, never the default
/// action.
#[test]
fn a_signal_waits_for_its_running_handler() {
    let o = run(&[guest("proc_timers").to_str().unwrap(), "nested"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "handler ran twice: true, never nested: true\n",
        "stderr:\n{}",
        stderr(&o)
    );
}
