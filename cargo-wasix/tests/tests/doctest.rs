//! Doctests of the WASIX target: listed by rustdoc, compiled for the target and run on the
//! bundled runtime by cargo-wasix (rustdoc alone stops with an internal error).

use super::support::{Target, cargo_wasix, fixture, fixture_as, output};

// Doctests of both targets (rustdoc lists them, cargo-wasix builds them for the run's target).
crate::both_targets!(doctests_run_on_the_runtime);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `cargo wasix <args>` in `dir`, which must exit with `code`; returns its stdout.
fn stdout_of(dir: &std::path::Path, args: &[&str], code: i32) -> String {
    stdout_on(Target::Wasm32, dir, args, code)
}

/// [`stdout_of`] for `target`.
fn stdout_on(target: Target, dir: &std::path::Path, args: &[&str], code: i32) -> String {
    let out = output(&mut target.cargo_wasix(dir, args));
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    stdout
}

fn doctests_run_on_the_runtime(t: Target) {
    let stdout = stdout_on(t, &t.fixture("doctests"), &["test", "--doc"], 0);
    // 6 run (plain, threads + a dependency, should_panic, no_run, compile_fail, `?` in
    // main), the `ignore` block ignored; the `text` block is not a test.
    assert!(
        stdout.contains("test result: ok. 6 passed; 0 failed; 1 ignored;"),
        "{stdout}"
    );
    assert!(stdout.contains("- two (line "), "{stdout}");
}

#[test]
fn doctest_filters_and_include_ignored() {
    let dir = fixture("doctests");
    // A name filter as libtest takes it (split at whitespace, as rustdoc does): the doctests
    // of `two`, not the crate-level one.
    let stdout = stdout_of(&dir, &["test", "--doc", "--", "two"], 0);
    assert!(
        stdout.contains(
            "test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 1 filtered out;"
        ),
        "{stdout}"
    );
    // `--include-ignored` runs the `ignore` block, which is not Rust, so it fails to compile.
    let stdout = stdout_of(&dir, &["test", "--doc", "--", "--include-ignored"], 101);
    assert!(
        stdout.contains("6 passed; 1 failed; 0 ignored;"),
        "{stdout}"
    );
    assert!(stdout.contains("Couldn't compile the test."), "{stdout}");
}

#[test]
fn a_failing_doctest_fails_the_run_and_says_why() {
    let dir = fixture_as("doctests", "doctests_failing");
    let out = output(&mut cargo_wasix(
        &dir,
        &["test", "--doc", "--features", "failing"],
    ));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(101), "stdout:\n{stdout}");
    assert!(
        stdout.contains("6 passed; 1 failed; 1 ignored;"),
        "{stdout}"
    );
    assert!(
        stdout.contains("a failing doctest"),
        "the panic message is shown:\n{stdout}"
    );
    assert!(stdout.contains("test result: FAILED."), "{stdout}");
    assert!(
        text(&out.stderr).contains("doctest failed") || text(&out.stderr).contains("test failed"),
        "cargo reports the failure:\n{}",
        text(&out.stderr)
    );
}
