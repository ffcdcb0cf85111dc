//! Every profile users write builds a valid module that behaves the same (issue 17): the
//! profile matrix, profiles from the workspace root, env and `--config`, custom profiles,
//! and an invalid link reported at build time with the function's name.

use std::path::Path;

use super::support::{assert_wasix_module, cargo_wasix, fixture, fixture_as, outer_target, output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The profiles of `tests/profiles/Cargo.toml`: LTO in every spelling, codegen units, every
/// opt-level, both panic strategies, strip, debug info, overflow checks, incremental.
const MATRIX: &[&str] = &[
    "release",
    "lto-thin",
    "lto-fat",
    "cgu1",
    "dev",
    "o0",
    "o1",
    "o2",
    "o3",
    "os",
    "oz",
    "abort",
    "abort-lto",
    "unwind",
    "strip",
    "strip-debuginfo",
    "debug-info",
    "debug-abort",
    "overflow",
    "incremental",
];

const EXPECTED: &str = "threads: [499500, 1499500, 2499500, 3499500] total 7998000\n\
                        cwd: /data/work file: written relative to the cwd\n\
                        unwind: caught Some(\"caught me\")\n\
                        wrapping: 1\n";

fn build(dir: &Path, profile: &str) {
    let out = output(&mut cargo_wasix(
        dir,
        &["build", "-q", "--profile", profile],
    ));
    assert!(
        out.status.success(),
        "profile {profile}: build failed\n{}",
        text(&out.stderr)
    );
}

fn wasm(profile: &str) -> std::path::PathBuf {
    // cargo names the `dev` profile's directory `debug`.
    let dir = if profile == "dev" { "debug" } else { profile };
    super::support::fixture_target()
        .join("wasm32-wasmer-wasi")
        .join(dir)
        .join("profiles.wasm")
}

/// Runs the built module with a fresh `/data`; returns (stdout, stderr, exit code).
fn run(profile: &str, args: &[&str]) -> (String, String, Option<i32>) {
    let data = tempfile::tempdir().expect("temp dir");
    let mapdir = format!("/data:{}", data.path().display());
    let mut cmd = cargo_wasix(&outer_target(), &["run-wasm", "--mapdir", &mapdir]);
    cmd.arg(wasm(profile)).arg("--").args(args);
    let out = output(&mut cmd);
    (text(&out.stdout), text(&out.stderr), out.status.code())
}

#[test]
fn every_profile_builds_a_valid_module_with_the_same_output() {
    let dir = fixture("profiles");
    let mut failures = Vec::new();
    for profile in MATRIX {
        build(&dir, profile);
        assert_wasix_module(&wasm(profile));
        let got = run(profile, &[]);
        if got != (EXPECTED.to_owned(), String::new(), Some(7)) {
            failures.push(format!("--- profile {profile}: {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "expected {EXPECTED:?}, exit 7\n{}",
        failures.join("\n")
    );
}

/// With debug info (and without `strip = true`) a trap's backtrace names the guest functions.
#[test]
fn traps_name_functions_unless_stripped() {
    let dir = fixture("profiles");
    for (profile, named) in [
        ("debug-abort", true),
        ("debug-info", true),
        ("strip", false),
    ] {
        build(&dir, profile);
        let (stdout, stderr, code) = run(profile, &["abort"]);
        assert_eq!(
            (stdout.as_str(), code),
            ("", Some(134)),
            "{profile}: {stderr}"
        );
        assert!(
            stderr.starts_with("crashing with 3\nerror: wasm trap"),
            "{profile}: {stderr}"
        );
        assert_eq!(
            stderr.contains("profiles::crash_in_a_named_function")
                || stderr.contains("crash_in_a_named_function"),
            named,
            "{profile}: {stderr}"
        );
    }
}

/// Profiles set in a workspace root, in `CARGO_PROFILE_*`, through `--config`, and custom
/// profiles inheriting from release (`[profile.dist]`, as cargo-dist writes) all link a
/// working module.
#[test]
fn profiles_from_workspace_env_config_and_custom() {
    let ws = fixture_as("ws", "ws_profiles");
    let manifest = ws.join("Cargo.toml");
    let mut root = std::fs::read_to_string(&manifest).expect("read ws manifest");
    root.push_str("\n[profile.release]\nlto = true\n\n[profile.dist]\ninherits = \"release\"\nlto = \"fat\"\ncodegen-units = 1\n");
    std::fs::write(&manifest, root).expect("write ws manifest");
    let target = outer_target().join("e2e").join("target-profiles");
    for profile_args in [&["--release"][..], &["--profile", "dist"]] {
        let mut args = vec!["run", "-q", "-p", "app"];
        args.extend_from_slice(profile_args);
        let out = output(cargo_wasix(&ws, &args).env("CARGO_TARGET_DIR", &target));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{profile_args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), "hello from the workspace\n");
    }

    let hello = fixture("hello");
    let cases: &[(&str, &[&str])] = &[
        ("CARGO_PROFILE_RELEASE_LTO", &["run", "-q", "--release"]),
        (
            "",
            &[
                "run",
                "-q",
                "--release",
                "--config",
                "profile.release.lto=\"thin\"",
            ],
        ),
        (
            "",
            &[
                "run",
                "-q",
                "--profile",
                "fromconfig",
                "--config",
                "profile.fromconfig.inherits=\"release\"",
                "--config",
                "profile.fromconfig.lto=true",
            ],
        ),
    ];
    for (env, args) in cases {
        let mut cmd = cargo_wasix(&hello, args);
        cmd.env("CARGO_TARGET_DIR", &target);
        if !env.is_empty() {
            cmd.env(env, "true");
        }
        let out = output(&mut cmd);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{env} {args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), "Hello, world!\n", "{env} {args:?}");
    }
}

/// A link that yields an invalid module fails the build, naming the function and calling it a
/// toolchain bug, instead of leaving a module the runtime rejects.
#[test]
fn invalid_module_fails_the_build_naming_the_function() {
    let out = output(&mut cargo_wasix(&fixture("badlink"), &["build"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains("the linker produced an invalid WebAssembly module"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`wasix_bad_function`: type mismatch: expected i32 but nothing on stack"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bug in the cargo-wasix toolchain"),
        "{stderr}"
    );
}
