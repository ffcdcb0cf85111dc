//! The assert_cmd style: each test runs the crate's `shout` binary as a child process.
use assert_cmd::Command;

#[test]
fn words_from_arguments() {
    Command::cargo_bin("shout")
        .unwrap()
        .args(["hello", "world"])
        .assert()
        .success()
        .stdout("HELLO WORLD\n");
}

#[test]
fn words_from_stdin_with_env() {
    Command::new(assert_cmd::cargo::cargo_bin!("shout"))
        .env("SHOUT_SUFFIX", "!")
        .write_stdin("piped in\n")
        .assert()
        .success()
        .stdout("PIPED IN!\n");
}

#[test]
fn failure_code_and_stderr() {
    Command::cargo_bin("shout")
        .unwrap()
        .args(["--exit", "3"])
        .assert()
        .code(3)
        .stderr("shout: giving up with 3\n");
}
