//! Processes inside the runtime (issue 9): `std::process::Command` in a guest re-running
//! itself through `current_exe()`, integration tests running the crate's binary through
//! `CARGO_BIN_EXE_<name>`, and the process limit flag.

use super::support::{Target, assert_tests_passed, cargo_wasix, fixture, fixture_as, output};

// Each runs once per target: processes and signals work the same on wasm64.
crate::both_targets!(
    std_command_reruns_itself,
    signal_handlers_and_default_actions
);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn std_command_reruns_itself(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("proc_std"), &["run", "-q"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "current_exe is absolute: true
echo: PIPED TEXT greeting=hello cwd=/
echo status: exit status: 0
exit codes 0..=255, wrong: []
16 children, sum of their outputs: 120
output: \"to stdout\" \"to stderr\" exit status: 3
try_wait while running: None
killed: signal: 9 (code None)
env_clear: ONLY=1
missing program: NotFound
"
    );
}

#[test]
fn integration_tests_run_the_crate_binary() {
    let out = output(&mut cargo_wasix(
        &fixture("proc_std"),
        &["test", "--test", "bin_exe"],
    ));
    assert_tests_passed(&out, 2);
}

#[test]
fn process_limit_flag() {
    let mut cmd = cargo_wasix(&fixture("proc_std"), &["run", "-q"]);
    cmd.env("CARGO_WASIX_RUNTIME_FLAGS", "--max-procs 1");
    let out = output(&mut cmd);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("the process limit of this run (1) is reached"),
        "stderr:\n{}",
        text(&out.stderr)
    );
}

/// Signal handlers (libwasix's sigaction family over `callback_signal`, signal-hook through its
/// overlay): a handler run by `raise`, `SA_SIGINFO`, a blocked signal held back until it is
/// unblocked, `SIG_IGN` and default-ignored signals, signal-hook's flag and iterator, with the
/// lock unchanged; and a `SIG_DFL` handler ending the guest as killed by the signal (129).
fn signal_handlers_and_default_actions(t: Target) {
    let dir = t.fixture("signals");
    let lock = std::fs::read(dir.join("Cargo.lock")).expect("fixture lock");
    let out = output(&mut t.cargo_wasix(&dir, &["run", "-q", "--locked"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "signal + raise: handler saw 10
sigaction SA_SIGINFO: 1212
blocked: 0 until unblocked, then 10
ignored and default-ignored signals: still here
signal-hook flag: true
signal-hook iterator: [2]
"
    );
    assert_eq!(
        std::fs::read(dir.join("Cargo.lock")).expect("lock"),
        lock,
        "Cargo.lock changed"
    );

    let out = output(&mut t.cargo_wasix(&dir, &["run", "-q", "--locked", "--", "die"]));
    assert_eq!(
        out.status.code(),
        Some(129),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
}

/// A handler runs while the main thread is blocked in a channel `recv`: std's futex waits go
/// through WASIX `futex_wait`, where the runtime delivers signals (in the wasm
/// `memory.atomic.wait32` instruction they used before, the thread never saw one and this run
/// hung until the time limit, exit 124).
#[test]
fn signal_handler_runs_while_blocked_in_a_futex_wait() {
    let dir = fixture_as("signals", "signals_recv");
    let out = output(
        cargo_wasix(&dir, &["run", "-q", "--locked", "--", "handler-in-recv"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--time-limit 30"),
    );
    assert_eq!(
        out.status.code(),
        Some(42),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
}

/// Interval timers through libc (libwasix over `proc_raise_interval`): `alarm`'s seconds left,
/// `setitimer` with a period unlike its first interval, `getitimer`, cancelling, `ITIMER_PROF`
/// refused; `fork`/`vfork` fail with ENOSYS and the runtime names the call once each; an
/// unhandled SIGALRM kills the guest (142 = 128 + 14).
#[test]
fn interval_timers_and_fork() {
    // Its own copy: a build in the same directory as `signal_handlers_and_default_actions`
    // would see that test's lock while cargo-wasix has it patched.
    let dir = fixture_as("signals", "signals_timers");
    let out = output(&mut cargo_wasix(
        &dir,
        &["run", "-q", "--locked", "--", "timers"],
    ));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "alarm: 0, then 5 seconds left
setitimer: 0, getitimer: value in (0, 60]: true, interval 20
fired 4 times: true; old interval 20; after cancel 0 0
ITIMER_PROF: -1 true
fork: -1, ENOSYS: true
vfork: -1, ENOSYS: true
"
    );
    let stderr = text(&out.stderr);
    for call in ["fork", "vfork"] {
        assert_eq!(
            stderr
                .matches(&format!("error: {call}() is not supported"))
                .count(),
            1,
            "stderr:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("help: start programs with posix_spawn"),
        "{stderr}"
    );

    // Without the alarm the guest would sleep 10 s and print "still alive".
    let out = output(&mut cargo_wasix(
        &dir,
        &["run", "-q", "--locked", "--", "alarm-die"],
    ));
    assert_eq!(
        out.status.code(),
        Some(142),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
}

/// The assert_cmd style: a crate's integration tests run its binary through
/// `Command::cargo_bin` and `cargo_bin!`, with arguments, stdin, env, exit code and stderr
/// checked (assert_cmd's dependency wait-timeout builds through its overlay).
#[test]
fn assert_cmd_tests_run_the_crate_binary() {
    let out = output(&mut cargo_wasix(
        &fixture("proc_assert_cmd"),
        &["test", "--locked", "--test", "cli"],
    ));
    assert_tests_passed(&out, 3);
}
