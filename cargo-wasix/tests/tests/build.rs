//! End-to-end builds of the fixture crates: the wasm lands where cargo puts it and imports
//! only WASIX modules; cargo's flags and output pass through untouched.

use super::support::{
    assert_wasix_module, cargo_wasix, fixture, fixture_as, fixture_target, output, success,
    wasm_path,
};

#[test]
fn hello_builds_for_the_default_target() {
    success(&mut cargo_wasix(&fixture("hello"), &["build"]));
    assert_wasix_module(&wasm_path("debug", "hello"));
}

#[test]
fn threads_build() {
    success(&mut cargo_wasix(&fixture("threads"), &["build"]));
    assert_wasix_module(&wasm_path("debug", "threads"));
}

#[test]
fn net_std_links() {
    success(&mut cargo_wasix(&fixture("net_std"), &["build"]));
    assert_wasix_module(&wasm_path("debug", "net_std"));
}

/// The build script's const assertion fails its compile if RUSTC_BOOTSTRAP leaked into a
/// host compile; serde's derive is a host proc-macro used by the wasm crate.
#[test]
fn build_script_and_proc_macro_are_host_compiles() {
    success(&mut cargo_wasix(&fixture("derive"), &["build"]));
    assert_wasix_module(&wasm_path("debug", "derive"));
}

#[test]
fn rayon_and_tokio_build() {
    success(&mut cargo_wasix(&fixture("rt"), &["build"]));
    assert_wasix_module(&wasm_path("debug", "rt"));
}

#[test]
fn workspace_release_build() {
    success(&mut cargo_wasix(&fixture("ws"), &["build", "--release"]));
    assert_wasix_module(&wasm_path("release", "app"));
}

#[test]
fn libc_wasix_items_are_visible() {
    let dir = fixture("libc_calls");
    success(&mut cargo_wasix(&dir, &["build"]));
    assert_wasix_module(&wasm_path("debug", "libc_calls"));
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"libc\""), "{lock}");
}

/// A lock pinning libc 0.2.191 (newer than the overlay's base) keeps that version, now
/// pointing at the patched copy (a path package: no `source` line).
#[test]
fn newer_libc_in_lockfile_is_patched_at_that_version() {
    let dir = fixture("newer_libc");
    let before = std::fs::read(dir.join("Cargo.lock")).unwrap();
    // The build needs the overlay (the fixture uses WASIX items of libc).
    success(&mut cargo_wasix(&dir, &["build"]));
    assert_wasix_module(&wasm_path("debug", "newer_libc"));
    // Cargo rewrote the patched entry during the build; it is put back byte for byte.
    assert_eq!(std::fs::read(dir.join("Cargo.lock")).unwrap(), before);
}

/// `--message-format json` reaches cargo: every stdout line is a JSON message and the
/// artifact list names the wasm.
#[test]
fn message_format_json_is_untouched() {
    let stdout = success(&mut cargo_wasix(
        &fixture("hello"),
        &["build", "--message-format", "json"],
    ));
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with('{') && line.ends_with('}'),
            "not a JSON message: {line}"
        );
    }
    assert!(stdout.contains("\"reason\":\"build-finished\""), "{stdout}");
    assert!(stdout.contains("hello.wasm"), "{stdout}");
}

/// A logging wrapper script (appends its arguments to `log`, then runs them).
fn logging_wrapper(name: &str, log: &std::path::Path) -> std::path::PathBuf {
    let _ = std::fs::remove_file(log);
    let script = fixture_target().join(name);
    std::fs::create_dir_all(fixture_target()).unwrap();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// Asserts the wrapper saw the target compile of `krate` with our flags after the user's, run
/// by the toolchain directory's rustc and without `--sysroot` (which compiler caches refuse).
fn assert_chained(log: &std::path::Path, krate: &str) {
    let logged = std::fs::read_to_string(log).expect("the user's wrapper ran");
    assert!(
        logged.lines().any(|l| {
            l.contains(&format!("--crate-name {krate}"))
                && l.contains("/toolchains/")
                && !l.contains("--sysroot")
                && l.contains("-Zunstable-options")
        }),
        "{logged}"
    );
}

/// A user's RUSTC_WRAPPER is chained: it sees every rustc call, and target compiles carry our
/// sysroot flags after the user's arguments.
#[test]
fn user_rustc_wrapper_is_chained() {
    let dir = fixture_as("threads", "threads-wrapped");
    let log = fixture_target().join("wrapper-log.txt");
    let script = logging_wrapper("logging-wrapper.sh", &log);
    success(cargo_wasix(&dir, &["build"]).env("RUSTC_WRAPPER", &script));
    assert_chained(&log, "threads");
}

/// A `build.rustc-wrapper` from a cargo config file is chained too (our `RUSTC_WRAPPER` would
/// otherwise silently replace it).
#[test]
fn config_file_rustc_wrapper_is_chained() {
    let dir = fixture_as("hello", "hello-config-wrapper");
    let log = fixture_target().join("config-wrapper-log.txt");
    let script = logging_wrapper("config-wrapper.sh", &log);
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::write(
        dir.join(".cargo/config.toml"),
        format!("[build]\nrustc-wrapper = \"{}\"\n", script.display()),
    )
    .unwrap();
    success(&mut cargo_wasix(&dir, &["build"]));
    assert_chained(&log, "hello");
}

/// User RUSTFLAGS reach rustc next to ours: `util` has a `compile_error!` behind
/// `cfg(cargo_wasix_flag)`, so the build must fail with it.
#[test]
fn user_rustflags_are_kept() {
    let out = output(
        cargo_wasix(&fixture("ws"), &["build", "-p", "util"])
            .env("RUSTFLAGS", "--cfg cargo_wasix_flag"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "RUSTFLAGS were dropped:\n{stderr}");
    assert!(stderr.contains("RUSTFLAGS reached rustc"), "{stderr}");
}

/// Another target is plain cargo: nothing of ours is involved.
#[test]
fn foreign_target_is_plain_cargo() {
    let host = env!("TARGET_TRIPLE");
    success(&mut cargo_wasix(
        &fixture("ws"),
        &["check", "-p", "util", "--target", host],
    ));
    assert!(fixture_target().join(host).join("debug").is_dir());
}

/// `cargo wasix +TOOLCHAIN` builds with that rustup toolchain (the stable one here, which
/// has a patch set).
#[test]
fn plus_toolchain_selects_the_rustup_toolchain() {
    let out = output(&mut cargo_wasix(
        &fixture("ws"),
        &["+stable", "build", "-p", "util", "-v"],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("RUSTUP_TOOLCHAIN=stable"), "{stderr}");
}

/// `cargo wasix doc` runs rustdoc through the rustdoc mode (sysroot flags for the target).
#[test]
fn doc_builds_for_the_target() {
    success(&mut cargo_wasix(
        &fixture("ws"),
        &["doc", "-p", "util", "--no-deps"],
    ));
    let index = fixture_target().join("wasm32-wasmer-wasi/doc/util/index.html");
    assert!(index.is_file(), "missing {}", index.display());
}

/// `cargo wasix clippy` chains clippy-driver (cargo's workspace wrapper) behind our wrapper.
#[test]
fn clippy_runs_for_the_target() {
    let out = output(&mut cargo_wasix(&fixture("ws"), &["clippy", "-p", "util"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cargo wasix install` puts the `.wasm` into the chosen root's `bin/`.
#[test]
fn install_puts_the_wasm_in_bin() {
    let root = super::support::outer_target()
        .join("e2e")
        .join("install-root");
    let _ = std::fs::remove_dir_all(&root);
    let dir = fixture("hello");
    let root_arg = root.to_str().unwrap();
    success(&mut cargo_wasix(
        &dir,
        &["install", "-q", "--path", ".", "--root", root_arg],
    ));
    assert_wasix_module(&root.join("bin").join("hello.wasm"));
}
