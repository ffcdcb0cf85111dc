//! Four `cargo wasix build` at once on an empty cache: all succeed and exactly one of them
//! builds the sysroot (the others wait on the lock and find it ready).

use std::path::PathBuf;

use super::support::{cargo_wasix, fixture, outer_target};

#[test]
fn four_concurrent_builds_on_an_empty_cache_build_the_sysroot_once() {
    let home: PathBuf = outer_target().join("e2e").join("concurrent-home");
    if home.exists() {
        std::fs::remove_dir_all(&home).expect("remove old concurrent home");
    }
    let source = fixture("ws");
    let children: Vec<_> = (0..4)
        .map(|i| {
            let target = outer_target()
                .join("e2e")
                .join(format!("concurrent-target-{i}"));
            cargo_wasix(&source, &["build", "-p", "util"])
                .env("CARGO_WASIX_HOME", &home)
                .env("CARGO_TARGET_DIR", target)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn cargo-wasix")
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let mut built = 0;
    for (i, out) in outputs.iter().enumerate() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "build {i} failed:\n{stderr}");
        if stderr.contains("Finished WASIX sysroot") {
            built += 1;
        }
    }
    assert_eq!(built, 1, "the sysroot was built {built} times");

    // The shared fixture target holds `util` built against the shared home's sysroot; with this
    // home's sysroot (another path) cargo must rebuild it rather than reuse those rlibs.
    let shared = super::support::output(&mut cargo_wasix(&source, &["build", "-p", "util"]));
    assert!(
        shared.status.success(),
        "{}",
        String::from_utf8_lossy(&shared.stderr)
    );
    let switched = super::support::output(
        cargo_wasix(&source, &["build", "-p", "util"]).env("CARGO_WASIX_HOME", &home),
    );
    let stderr = String::from_utf8_lossy(&switched.stderr);
    assert!(switched.status.success(), "{stderr}");
    assert!(
        stderr.contains("Compiling util"),
        "not rebuilt for the other sysroot:\n{stderr}"
    );
}
