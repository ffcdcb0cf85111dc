//! The rustc-wrapper mode called directly, as cargo calls it: target compiles and probes get
//! the sysroot, host ones stay untouched, and `-vV` names the sysroot. Called with the plain
//! `rustc`, so in the `--sysroot` delivery (`CARGO_WASIX_SYSROOT_FLAG`); the toolchain
//! directory delivery is covered end to end (build.rs, sccache.rs).

use std::path::PathBuf;
use std::process::Command;

use super::support::{bin, cargo_wasix, output, repo_root, success};

/// The shared sysroot (prepared if needed).
fn sysroot() -> PathBuf {
    let stdout = success(&mut cargo_wasix(
        &repo_root(),
        &["setup", "-q", "--print-sysroot"],
    ));
    PathBuf::from(stdout.trim())
}

fn wrapper(sysroot: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = output(
        Command::new(bin())
            .arg("rustc")
            .args(args)
            .env("CARGO_WASIX_SYSROOT", sysroot)
            .env("CARGO_WASIX_SYSROOT_FLAG", "1")
            .env_remove("CARGO_WASIX_CHAINED_WRAPPER")
            .env_remove("RUSTC_BOOTSTRAP"),
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn target_probes_see_the_wasix_sysroot() {
    let sysroot = sysroot();
    let (ok, stdout, stderr) = wrapper(
        &sysroot,
        &["--print", "sysroot", "--target", "wasm32-wasmer-wasi"],
    );
    assert!(ok, "{stderr}");
    assert_eq!(PathBuf::from(stdout.trim()), sysroot);

    let (ok, stdout, stderr) = wrapper(&sysroot, &["--print=cfg", "--target=wasm32-wasmer-wasi"]);
    assert!(ok, "{stderr}");
    for cfg in [
        "target_os=\"wasi\"",
        "target_vendor=\"wasmer\"",
        "target_env=\"p1\"",
    ] {
        assert!(
            stdout.lines().any(|l| l == cfg),
            "missing {cfg} in:\n{stdout}"
        );
    }
}

#[test]
fn host_calls_are_untouched() {
    let sysroot = sysroot();
    let (ok, stdout, stderr) = wrapper(&sysroot, &["--print", "sysroot"]);
    assert!(ok, "{stderr}");
    assert_ne!(
        PathBuf::from(stdout.trim()),
        sysroot,
        "a host call got our sysroot"
    );
    let (ok, stdout, stderr) = wrapper(&sysroot, &["--print", "cfg"]);
    assert!(ok, "{stderr}");
    assert!(!stdout.contains("target_vendor=\"wasmer\""), "{stdout}");
}

#[test]
fn version_query_names_the_sysroot() {
    let sysroot = sysroot();
    let (ok, stdout, stderr) = wrapper(&sysroot, &["-vV"]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("rustc "), "{stdout}");
    assert!(stdout.contains("\nrelease: "), "{stdout}");
    assert!(
        stdout.ends_with(&format!("cargo-wasix-sysroot: {}\n", sysroot.display())),
        "{stdout}"
    );
}
