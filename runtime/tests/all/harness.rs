//! Builds the guest crate once per test run and runs guests through `wasix-run`.
//!
//! `guest("core_hello")` is the wasm32-wasip1-threads build, `guest_p1("core_hello")` the plain
//! wasm32-wasip1 one. `wasix_run()` is a `Command` for the runner binary; `run(&[...])` runs it
//! to completion with stdin closed and returns the output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The guest crate's directory.
fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests")
}

/// Where guests are built (outside the workspace target lock).
fn guests_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/runtime-guests")
}

/// Installs rustup's `target` (std + self-contained wasi-libc) when this toolchain lacks it,
/// so a fresh machine needs no manual set-up before `cargo test`.
fn ensure_target(target: &str) {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("run rustc --print sysroot");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
    {
        return;
    }
    eprintln!(
        "note: installing the `{target}` target with rustup (needed to build the guest programs)"
    );
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .status()
        .expect("run `rustup target add` (is rustup installed?)");
    assert!(status.success(), "`rustup target add {target}` failed");
}

fn build(target: &str) -> PathBuf {
    ensure_target(target);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            target,
            "--manifest-path",
        ])
        .arg(guests_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(guests_target())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("run cargo to build the guest programs");
    assert!(
        status.success(),
        "building tests/guests for {target} failed (rustup target add {target}?)"
    );
    guests_target().join(target).join("release")
}

/// The wasm32-wasip1-threads build of guest bin `name`.
pub fn guest(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let p = DIR
        .get_or_init(|| build("wasm32-wasip1-threads"))
        .join(format!("{name}.wasm"));
    assert!(p.exists(), "no guest bin `{name}` in tests/guests/src/bin");
    p
}

/// The wasm32-wasip1 (no threads, own memory) build of guest bin `name`.
pub fn guest_p1(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let p = DIR
        .get_or_init(|| build("wasm32-wasip1"))
        .join(format!("{name}.wasm"));
    assert!(p.exists(), "no guest bin `{name}` in tests/guests/src/bin");
    p
}

/// A native (host) build of guest bin `name`, to compare results with.
pub fn native(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            name,
            "--manifest-path",
        ])
        .arg(guests_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(guests_target())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("run cargo to build a native guest");
    assert!(status.success(), "building guest `{name}` natively failed");
    guests_target().join("release").join(name)
}

/// A `Command` for the runner binary.
/// Writes `bytes` (a `.wat` or `.wasm` module) to `dir/name`.
pub fn write_fixture(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn wasix_run() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasix-run"))
}

/// Runs `wasix-run ARGS` with stdin closed.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    wasix_run()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spawn wasix-run")
}

/// Runs guest `name` (threads build) with `args`.
pub fn run_guest(name: &str, args: &[&str]) -> Output {
    let mut all = vec![guest(name).into_os_string()];
    all.extend(args.iter().map(Into::into));
    run(&all)
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, showing both streams on failure.
#[track_caller]
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "\n--- expected exit {code}, got {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
}
