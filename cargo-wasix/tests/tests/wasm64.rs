//! wasm64-wasmer-wasi end to end (issue 11): `cargo wasix setup --target wasm64-wasmer-wasi`
//! builds std with libwasix's libc64 (no wasi-libc), and a std program built with rustc against
//! that sysroot runs on the bundled runtime: threads, a channel, the environment, files on a
//! mount, a block above 4 GiB, an unwound panic and an exit code (`tests/wasm64_std`).
//!
//! Its own cargo-wasix home: the wasm64 entry must not push the shared wasm32 entry out of the
//! cache the other tests use.

use std::process::Command;

use super::support::{cargo_wasix, outer_target, output, repo_root};

#[test]
fn std_program_runs_on_wasm64() {
    let home = outer_target().join("wasix-home-wasm64");
    let setup = output(
        cargo_wasix(
            &repo_root(),
            &["setup", "--target", "wasm64-wasmer-wasi", "--print-sysroot"],
        )
        .env("CARGO_WASIX_HOME", &home),
    );
    let stderr = String::from_utf8_lossy(&setup.stderr);
    assert!(setup.status.success(), "setup failed:\n{stderr}");
    let sysroot = String::from_utf8_lossy(&setup.stdout).trim().to_owned();
    let entry = std::path::Path::new(&sysroot).parent().expect("entry");

    let work = outer_target().join("e2e").join("wasm64_std");
    std::fs::create_dir_all(work.join("mount")).expect("scratch dir");
    let wasm = work.join("std.wasm");
    let build = output(
        Command::new("rustc")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUST_TARGET_PATH", entry.join("target-specs"))
            .args([
                "-Zunstable-options",
                "--target",
                "wasm64-wasmer-wasi",
                "--edition",
                "2024",
            ])
            .arg("--sysroot")
            .arg(&sysroot)
            .arg(repo_root().join("tests/wasm64_std/main.rs"))
            .arg("-o")
            .arg(&wasm),
    );
    assert!(
        build.status.success(),
        "rustc failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let mapdir = format!("/data:{}", work.join("mount").display());
    let run = output(&mut cargo_wasix(
        &work,
        &[
            "run-wasm",
            "--max-memory",
            "8G",
            "--env",
            "WASM64_E2E=on",
            "--mapdir",
            &mapdir,
            wasm.to_str().expect("utf-8 path"),
            "--",
            "/data",
        ],
    ));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "stderr:\n{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "threads: total=2997000 ids=6
channel: [0, 1, 2, 3, 4]
env: Ok(\"on\")
file: \"wasm64 file\\n\" len=12 listed=true removed=true
block ends above 4 GiB: true
caught panic: true
"
    );
    assert!(stderr.contains("expected panic"), "{stderr}");
}
