//! Resource limits (issue 14): the wall-clock limit ends a guest blocked in a host call with
//! exit code 124 and a message; a guest that finishes in time is unaffected.

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::harness::{assert_code, guest, run, stderr, stdout, wasix_run};

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
