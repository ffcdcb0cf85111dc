//! The command line itself: help, errors and exit codes (no sysroot needed).

use std::process::Command;

use super::support::{bin, cargo_wasix, output, repo_root};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn top_level_help_lists_commands() {
    let out = output(&mut cargo_wasix(&repo_root(), &["--help"]));
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for command in [
        "build", "run", "test", "setup", "status", "self", "run-wasm",
    ] {
        assert!(
            stdout.contains(command),
            "help lacks `{command}`:\n{stdout}"
        );
    }
}

#[test]
fn unknown_subcommand_fails_with_exit_2() {
    let out = output(&mut cargo_wasix(&repo_root(), &["frobnicate"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("frobnicate"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn unknown_invocation_prints_its_arguments() {
    let out = output(
        Command::new(bin())
            .args(["build", "--release"])
            .env_remove("CARGO_WASIX_SYSROOT"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("unknown way") && stderr.contains("\"--release\""),
        "{stderr}"
    );
    assert!(stderr.contains("help: run it through cargo"), "{stderr}");
}

#[test]
fn run_help_documents_runtime_flags_and_shows_cargo_help() {
    let out = output(&mut cargo_wasix(&repo_root(), &["run", "--help"]));
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("CARGO_WASIX_RUNTIME_FLAGS"), "{stdout}");
    // cargo's own help for `cargo run` follows ours.
    assert!(stdout.contains("--release"), "{stdout}");
}

#[test]
fn every_own_subcommand_has_help() {
    for sub in [
        &["setup", "--help"][..],
        &["status", "--help"],
        &["self", "clean", "--help"],
        &["run-wasm", "--help"],
    ] {
        let out = output(&mut cargo_wasix(&repo_root(), sub));
        assert!(out.status.success(), "{sub:?}: {}", stderr_of(&out));
        assert!(!out.stdout.is_empty(), "{sub:?}");
    }
}

/// One sysroot per run: both of our targets in one command is one clear error, before
/// anything is prepared.
#[test]
fn both_wasix_targets_in_one_run_are_refused() {
    let out = output(&mut cargo_wasix(
        &repo_root(),
        &[
            "build",
            "--target",
            "wasm32-wasmer-wasi",
            "--target",
            "wasm64-wasmer-wasi",
        ],
    ));
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("one WASIX target per run")
            && stderr.contains("help: run the command once per target"),
        "{stderr}"
    );
}

#[test]
fn setup_names_the_targets_it_knows() {
    let out = output(&mut cargo_wasix(
        &repo_root(),
        &["setup", "--target", "wasm99-wasmer-wasi"],
    ));
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("unknown WASIX target `wasm99-wasmer-wasi`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("wasm32-wasmer-wasi, wasm64-wasmer-wasi"),
        "{stderr}"
    );
}

#[test]
fn run_wasm_missing_file_is_an_error() {
    let out = output(&mut cargo_wasix(
        &repo_root(),
        &["run-wasm", "does-not-exist.wasm"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("does-not-exist.wasm"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn bad_runtime_flags_name_the_variable() {
    let out = output(
        Command::new(bin())
            .args(["__runner", "x.wasm"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--bogus"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("CARGO_WASIX_RUNTIME_FLAGS"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn status_reports_the_toolchain() {
    let out = output(&mut cargo_wasix(&repo_root(), &["status"]));
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for field in ["rustc:", "rust-src:", "base libc:", "sysroot:", "state:"] {
        assert!(stdout.contains(field), "status lacks `{field}`:\n{stdout}");
    }
}

#[test]
fn self_clean_removes_the_home() {
    let home = super::support::outer_target()
        .join("e2e")
        .join("clean-home");
    let _ = std::fs::remove_dir_all(&home);
    let quiet =
        output(cargo_wasix(&repo_root(), &["self", "clean"]).env("CARGO_WASIX_HOME", &home));
    assert!(quiet.status.success(), "{}", stderr_of(&quiet));
    assert!(
        stderr_of(&quiet).contains("nothing to remove"),
        "{}",
        stderr_of(&quiet)
    );

    std::fs::create_dir_all(home.join("libc").join("0.2.178-x")).unwrap();
    std::fs::write(home.join("libc").join("0.2.178-x").join("lib.rs"), "x").unwrap();
    std::fs::create_dir_all(home.join("stamps")).unwrap();
    std::fs::write(home.join("stamps").join("0123"), "x").unwrap();
    let out = output(cargo_wasix(&repo_root(), &["self", "clean"]).env("CARGO_WASIX_HOME", &home));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("Removing"), "{}", stderr_of(&out));
    // Only the cache lock file may stay (waiters must keep locking the same file).
    let left: Vec<String> = std::fs::read_dir(&home)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter().all(|name| name == ".lock"),
        "left behind: {left:?}"
    );
}

#[test]
fn status_of_an_empty_home_says_not_prepared() {
    let home = super::support::outer_target()
        .join("e2e")
        .join("empty-home");
    let _ = std::fs::remove_dir_all(&home);
    let out = output(cargo_wasix(&repo_root(), &["status"]).env("CARGO_WASIX_HOME", &home));
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("not prepared"), "{stdout}");
    assert!(stdout.contains(&home.display().to_string()), "{stdout}");
}
