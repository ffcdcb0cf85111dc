//! Four `cargo wasix build`s of different crates at once on an empty cache (issue 14): all
//! succeed and exactly one of them builds the sysroot (the others wait on the lock and find
//! it ready). One crate depends on `libc`, so the libc overlay (another cache layer, made
//! under the same lock) is prepared while the others build.

use std::path::PathBuf;

use super::support::{cargo_wasix, fixture, outer_target};

#[test]
fn four_concurrent_builds_on_an_empty_cache_build_the_sysroot_once() {
    let home: PathBuf = outer_target().join("e2e").join("concurrent-home");
    if home.exists() {
        std::fs::remove_dir_all(&home).expect("remove old concurrent home");
    }
    let source = fixture("ws");
    // (fixture, extra build arguments): small crates, one with a dependency on libc.
    let crates: [(&str, &[&str]); 4] = [
        ("ws", &["-p", "util"]),
        ("hello", &[]),
        ("floats", &[]),
        ("basics", &[]),
    ];
    let started = std::time::Instant::now();
    let children: Vec<_> = crates
        .iter()
        .enumerate()
        .map(|(i, (name, extra))| {
            let target = outer_target()
                .join("e2e")
                .join(format!("concurrent-target-{i}"));
            let mut args = vec!["build"];
            args.extend_from_slice(extra);
            cargo_wasix(&fixture(name), &args)
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
    for ((name, _), out) in crates.iter().zip(&outputs) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "build of {name} failed:\n{stderr}");
        if stderr.contains("Finished WASIX sysroot") {
            built += 1;
        }
    }
    assert_eq!(built, 1, "the sysroot was built {built} times");
    eprintln!(
        "four concurrent builds on an empty cache: {:.1}s",
        started.elapsed().as_secs_f64()
    );

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
