//! Programs run on the bundled runtime: exact stdout, stderr and exit codes, on both targets
//! where the program is the same (`both_targets!`).

use super::support::{
    Target, assert_module_of, assert_tests_passed, cargo_wasix, eh_instruction_counts, fixture,
    outer_target, output, wasm_path,
};

// Each runs once per target: the same fixture, the same output on wasm32 and wasm64.
crate::both_targets!(
    hello_world_exact_output,
    guest_arguments_after_double_dash,
    exit_code_is_the_guests,
    panic_exits_101,
    threads_run,
    test_sees_package_dir_and_tmp,
    network_needs_the_flag,
    derive_fixture_runs,
    rayon_and_tokio_run,
    libc_calls_run_with_and_without_net,
    panics_unwind_catch_unwind_and_join,
    panic_in_main_unwinds_to_exit_101,
    failing_test_is_reported_with_a_summary,
    basics_env_files_pipe_stdin_time_random_math,
);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn hello_world_exact_output(t: Target) {
    let dir = t.fixture("hello");
    let out = output(&mut t.cargo_wasix(&dir, &["run", "-q"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, world!\n");
    assert_eq!(text(&out.stderr), "to stderr\n");
}

fn guest_arguments_after_double_dash(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("hello"), &["run", "-q", "--", "a", "--b"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, world!\nargs: a --b\n");
}

fn exit_code_is_the_guests(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("hello"), &["run", "-q", "--", "exit", "3"]));
    assert_eq!(out.status.code(), Some(3), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "exiting with 3\n");
}

fn panic_exits_101(t: Target) {
    let out = output(
        t.cargo_wasix(&t.fixture("hello"), &["run", "-q", "--", "panic"])
            .env("RUST_BACKTRACE", "0"),
    );
    assert_eq!(
        out.status.code(),
        Some(101),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("boom"), "{}", text(&out.stderr));
}

#[test]
fn run_wasm_runs_a_built_module() {
    let dir = fixture("hello");
    let built = output(&mut cargo_wasix(&dir, &["build", "-q"]));
    assert!(built.status.success(), "{}", text(&built.stderr));
    let wasm = wasm_path("debug", "hello");
    let out = output(&mut cargo_wasix(
        &dir,
        &["run-wasm", wasm.to_str().unwrap(), "--", "x"],
    ));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, world!\nargs: x\n");
    assert_eq!(text(&out.stderr), "to stderr\n");
}

fn threads_run(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("threads"), &["run", "-q"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "condvar: ok\nmpsc sum: 619800\nscoped sum: 500500\n"
    );
}

#[test]
fn workspace_member_tests_pass() {
    let out = output(&mut cargo_wasix(&fixture("ws"), &["test", "-p", "util"]));
    assert_tests_passed(&out, 1);
    // Its doctest runs on the runtime too (rustdoc alone would stop with an internal error).
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("test util/src/lib.rs - ")
            && stdout.matches("test result: ok.").count() >= 2,
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
}

/// `cargo wasix test` mounts the package dir as cwd (fixtures by relative path) and a temp
/// dir at /tmp.
fn test_sees_package_dir_and_tmp(t: Target) {
    let out = output(
        t.cargo_wasix(&t.fixture("hello"), &["test"])
            .env("RUST_BACKTRACE", "0"),
    );
    assert_tests_passed(&out, 3);
}

fn network_needs_the_flag(t: Target) {
    let dir = t.fixture("net_std");
    let allowed = output(
        t.cargo_wasix(&dir, &["run", "-q", "--", "--net"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--net"),
    );
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "stderr:\n{}",
        text(&allowed.stderr)
    );
    let stdout = text(&allowed.stdout);
    for line in [
        "pipe: through a pipe",
        "tcp: ping",
        "udp: dgram",
        "resolve: true",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
    let denied = output(&mut t.cargo_wasix(&dir, &["run", "-q", "--", "--net"]));
    assert_ne!(
        denied.status.code(),
        Some(0),
        "networking worked without --net"
    );
}

fn derive_fixture_runs(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("derive"), &["run", "-q"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("built for {} (1, 2)\n", t.triple())
    );
}

fn rayon_and_tokio_run(t: Target) {
    let out = output(&mut t.cargo_wasix(&t.fixture("rt"), &["run", "-q"]));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "rayon: 100010000\ntokio: [0, 1, 2]\nselect: timer\n"
    );
}

#[test]
fn workspace_release_app_runs() {
    let out = output(&mut cargo_wasix(
        &fixture("ws"),
        &["run", "-q", "--release", "-p", "app"],
    ));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello from the workspace\n");
}

/// The patched libc's `pipe` and `socket` work; the socket needs `--net`.
fn libc_calls_run_with_and_without_net(t: Target) {
    let dir = t.fixture("libc_calls");
    let allowed = output(
        t.cargo_wasix(&dir, &["run", "-q"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--net"),
    );
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "stderr:\n{}",
        text(&allowed.stderr)
    );
    assert_eq!(text(&allowed.stdout), "pipe: 0\nsocket: ok\n");
    let denied = output(&mut t.cargo_wasix(&dir, &["run", "-q"]));
    assert_eq!(
        denied.status.code(),
        Some(0),
        "stderr:\n{}",
        text(&denied.stderr)
    );
    let stdout = text(&denied.stdout);
    assert!(
        stdout.starts_with("pipe: 0\nsocket: ") && !stdout.contains("socket: ok"),
        "{stdout}"
    );
    assert!(
        text(&denied.stderr).contains("--net"),
        "{}",
        text(&denied.stderr)
    );
}

/// `run-wasm` also runs plain WASI preview 1 modules from rustup's own target.
#[test]
fn run_wasm_runs_a_wasip1_module() {
    let dir = fixture("hello");
    let target = super::support::outer_target()
        .join("e2e")
        .join("target-wasip1");
    // A fresh machine may lack rustup's wasm32-wasip1 target; adding it is a no-op otherwise.
    let added =
        output(std::process::Command::new("rustup").args(["target", "add", "wasm32-wasip1"]));
    assert!(added.status.success(), "{}", text(&added.stderr));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let built = output(
        std::process::Command::new(cargo)
            .args(["build", "-q", "--target", "wasm32-wasip1"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTFLAGS"),
    );
    assert!(built.status.success(), "{}", text(&built.stderr));
    let wasm = target.join("wasm32-wasip1/debug/hello.wasm");
    let out = output(&mut cargo_wasix(
        &dir,
        &["run-wasm", wasm.to_str().unwrap(), "--", "p1"],
    ));
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Hello, world!\nargs: p1\n");
    assert_eq!(text(&out.stderr), "to stderr\n");
}

/// panic = "unwind": `catch_unwind` catches (running drops on the way), a panicking thread's
/// `join()` is `Err`, and the module uses exnref `try_table` only.
fn panics_unwind_catch_unwind_and_join(t: Target) {
    let out = output(
        t.cargo_wasix(&t.fixture("unwind"), &["run", "-q"])
            .env("RUST_BACKTRACE", "0"),
    );
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "dropped during unwind\ncatch_unwind: Err(caught me)\njoin: Err(thread boom)\nstill running\n"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("caught me") && err.contains("thread boom"),
        "{err}"
    );
    let wasm = t.wasm_path("debug", "unwind");
    assert_module_of(t, &wasm);
    let (try_table, legacy) = eh_instruction_counts(&wasm);
    assert!(try_table > 0, "no try_table in {}", wasm.display());
    assert_eq!(legacy, 0);
}

fn panic_in_main_unwinds_to_exit_101(t: Target) {
    let out = output(
        t.cargo_wasix(&t.fixture("unwind"), &["run", "-q", "--", "main"])
            .env("RUST_BACKTRACE", "0"),
    );
    assert_eq!(
        out.status.code(),
        Some(101),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("main boom"),
        "{}",
        text(&out.stderr)
    );
}

/// One failing test no longer ends the libtest binary: the others run, the summary is printed,
/// `#[should_panic]` is checked (not ignored) and the exit code is libtest's 101.
fn failing_test_is_reported_with_a_summary(t: Target) {
    let out = output(
        t.cargo_wasix(&t.fixture("unwind"), &["test"])
            .env("RUST_BACKTRACE", "0"),
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(101),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    for want in [
        "test tests::passes ... ok",
        "test tests::also_passes ... ok",
        "test tests::should_panic_is_honoured - should panic ... ok",
        "test tests::fails ... FAILED",
        "deliberate failure",
        "test result: FAILED. 3 passed; 1 failed; 0 ignored",
    ] {
        assert!(stdout.contains(want), "missing `{want}` in:\n{stdout}");
    }
}

/// A user's `panic = "abort"` still aborts: nothing is caught, the program ends at the panic.
#[test]
fn panic_abort_profile_still_aborts() {
    let out = output(
        cargo_wasix(&fixture("unwind"), &["run", "-q", "--", "catch"])
            .env("CARGO_PROFILE_DEV_PANIC", "abort")
            // Its own target dir: the other unwind tests share the default one.
            .env(
                "CARGO_TARGET_DIR",
                outer_target().join("e2e").join("target-abort"),
            )
            .env("RUST_BACKTRACE", "0"),
    );
    // The runtime reports an abort after a Rust panic message as 101 (see runtime process.rs).
    assert_eq!(
        out.status.code(),
        Some(101),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        "",
        "the panic was caught under panic=abort"
    );
    assert!(
        text(&out.stderr).contains("caught me"),
        "{}",
        text(&out.stderr)
    );
}

/// The `basics` fixture (also run on Wasmer by `scripts/interop.sh`): one system area per
/// argument, built once, each run with exactly what it prints.
fn basics_env_files_pipe_stdin_time_random_math(t: Target) {
    use std::io::Write;
    use std::process::Stdio;
    let dir = t.fixture("basics");
    let built = output(&mut t.cargo_wasix(&dir, &["build", "-q"]));
    assert!(built.status.success(), "{}", text(&built.stderr));
    let wasm = t.wasm_path("debug", "basics");
    let wasm = wasm.to_str().expect("utf-8 target path");
    let data = tempfile::tempdir().expect("temp dir");
    let mapdir = format!("/data:{}", data.path().display());
    let cases: [(&[&str], &str, &str); 7] = [
        (
            &[
                "--env",
                "GREETING=hi there",
                "--env",
                "EMPTY=",
                wasm,
                "--",
                "env",
            ],
            "",
            "EMPTY=\nGREETING=hi there\n2 variables\n",
        ),
        (
            &["--mapdir", &mapdir, wasm, "--", "files", "/data"],
            "",
            "read: hello, files\nlen: 12, file: true, dir: false\n\
             listing after rename: [\"b.txt\"]\nold name exists: false\nremoved: true\n\
             missing file: NotFound\n",
        ),
        (
            &[wasm, "--", "pipe"],
            "",
            "pipe: 1000 lines, last `line 999`\n",
        ),
        (
            &[wasm, "--", "stdin"],
            "first line\nsecond\n",
            "stdin: 18 bytes, 2 lines, first `first line`\n",
        ),
        (
            &[wasm, "--", "time"],
            "",
            "wall clock after 2024: true\nsleep(20ms) took 20ms..5s: true\n",
        ),
        (
            &[wasm, "--", "random"],
            "",
            "random: nonzero true, draws differ true\n",
        ),
        // The C math library (wasi-libc's libm on wasm32, libc64's on wasm64), as native.
        (
            &[wasm, "--", "math"],
            "",
            "pow: 1448.154687870049\nexp: 2.718281828459\nexp2: 11.313708498985\n\
             exp_m1: 0.648721270700\nln: 2.302585092994\nlog10: 0.301029995664\n\
             log2: 1.584962500721\nln_1p: 0.405465108108\nsin: 0.479425538604\n\
             cos: 0.877582561890\ntan: 0.546302489844\nasin: 0.523598775598\n\
             acos: 1.047197551197\natan2: 2.677945044589\nsinh: 0.521095305494\n\
             cosh: 1.127625965206\ntanh: 0.462117157260\ncbrt: 3.018405368399\n\
             hypot: 5.408326913196\npowf32: 4.883822917938\n",
        ),
    ];
    for (args, stdin, want) in cases {
        let mut words = vec!["run-wasm"];
        words.extend_from_slice(args);
        let mut child = t
            .cargo_wasix(&dir, &words)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cargo-wasix");
        let mut input = child.stdin.take().expect("piped stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
        drop(input);
        let out = child.wait_with_output().expect("wait for cargo-wasix");
        let mode = args.last().expect("a mode");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: stderr:\n{}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), want, "{mode}");
        assert_eq!(text(&out.stderr), "", "{mode}");
    }
    assert_eq!(
        std::fs::read_dir(data.path())
            .expect("list the data dir")
            .count(),
        0,
        "files cleans up after itself"
    );
}

/// The resource-limit flags reach the runtime through `CARGO_WASIX_RUNTIME_FLAGS` (issue 14):
/// a limit below the module's initial memory stops it with the limit's exit code and message.
#[test]
fn resource_limit_flags_reach_the_runtime() {
    let out = output(cargo_wasix(&fixture("hello"), &["run", "-q"]).env(
        "CARGO_WASIX_RUNTIME_FLAGS",
        "--max-memory 64K --max-threads 2 --max-fds 16",
    ));
    assert_eq!(
        out.status.code(),
        Some(123),
        "stderr:\n{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("its limit of 64 KiB")
            && text(&out.stderr).contains("--max-memory SIZE"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), "");
}
