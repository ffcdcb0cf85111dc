//! Target features and wasm-opt (issue 12, steps 4 and 6): `CARGO_WASIX_TARGET_FEATURES`
//! chooses the optional features of the sysroot and of the user's crates, `status` shows
//! them, and invalid values (or a wasm-opt asked for but missing) fail before anything builds.

use std::path::{Path, PathBuf};

use wasmparser::{Validator, WasmFeatures};

use super::support::{cargo_wasix, fixture_as, outer_target, output, repo_root, success};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Builds of this file get their own target directory: other tests build the same fixture
/// with the default features in the shared one.
fn own_target() -> PathBuf {
    outer_target().join("e2e").join("target-features")
}

fn release_wasm(name: &str) -> PathBuf {
    own_target()
        .join("wasm32-wasmer-wasi/release")
        .join(format!("{name}.wasm"))
}

/// Whether `wasm` validates without SIMD, relaxed SIMD, extended-const and wide arithmetic.
fn valid_without_optional_features(wasm: &Path) -> Result<(), String> {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("read {}: {e}", wasm.display()));
    let features = WasmFeatures::all()
        - WasmFeatures::SIMD
        - WasmFeatures::RELAXED_SIMD
        - WasmFeatures::EXTENDED_CONST
        - WasmFeatures::WIDE_ARITHMETIC;
    Validator::new_with_features(features)
        .validate_all(&bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn an_invalid_feature_fails_before_building_and_names_the_valid_ones() {
    let out = output(
        cargo_wasix(
            &repo_root(),
            &["build", "--manifest-path", "tests/hello/Cargo.toml"],
        )
        .env("CARGO_WASIX_TARGET_FEATURES", "+simd"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr_of(&out);
    assert!(
        stderr
            .contains("invalid CARGO_WASIX_TARGET_FEATURES `+simd`: unknown target feature `simd`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("simd128 (on)") && stderr.contains("relaxed-simd (off)"),
        "{stderr}"
    );
    assert!(!stderr.contains("Compiling"), "{stderr}");
}

#[test]
fn status_shows_the_active_features() {
    // relaxed-simd needs simd128: refused.
    let out = output(
        cargo_wasix(&repo_root(), &["status"])
            .env("CARGO_WASIX_TARGET_FEATURES", "-simd128,+relaxed-simd"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("`+relaxed-simd` needs `simd128`, which is turned off"),
        "{}",
        stderr_of(&out)
    );
    let stdout = success(
        cargo_wasix(&repo_root(), &["status"]).env("CARGO_WASIX_TARGET_FEATURES", "-simd128"),
    );
    assert!(
        stdout.contains("features:   -simd128,+extended-const,-wide-arithmetic,-relaxed-simd"),
        "{stdout}"
    );
    let stdout = success(&mut cargo_wasix(&repo_root(), &["status"]));
    assert!(
        stdout.contains("features:   +simd128,+extended-const,-wide-arithmetic,-relaxed-simd"),
        "{stdout}"
    );
}

/// The set of an older runtime (`-simd128,-extended-const,-wide-arithmetic`, what the target
/// had before) builds its own sysroot (about 25 s on 2 cores) and a module without those
/// instructions, while the default build of the same crate uses them.
#[test]
fn turning_features_off_removes_their_instructions() {
    let dir = fixture_as("hello", "hello_features");
    let target = own_target();
    let old = "-simd128,-extended-const,-wide-arithmetic";
    let stdout = success(
        cargo_wasix(&dir, &["run", "--release", "--", "a", "b"])
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_WASIX_TARGET_FEATURES", old),
    );
    assert_eq!(stdout, "Hello, world!\nargs: a b\n");
    let wasm = release_wasm("hello");
    valid_without_optional_features(&wasm).unwrap_or_else(|e| panic!("with {old}: {e}"));

    success(cargo_wasix(&dir, &["build", "--release"]).env("CARGO_TARGET_DIR", &target));
    let err = valid_without_optional_features(&wasm)
        .expect_err("the default features (+simd128) leave SIMD instructions in std");
    assert!(err.contains("SIMD"), "{err}");
}

/// std's float formatting and parsing print what a native build prints, debug and release,
/// with the default target features. Regression test: with `+wide-arithmetic` (once a
/// default) `179.166281` printed as `0.000…`.
#[test]
fn floats_format_as_natively_with_the_default_features() {
    let dir = fixture_as("floats", "floats_default_features");
    let big = format!("1{}", "0".repeat(300));
    let max = format!("17976931348623157{}", "0".repeat(292));
    let expected = format!(
        "179.166281 179.2 1.79166281e2 179.166281\n0.30000000000000004 1.414\n\
         {big} -5e-324 {max}\n3.14159 3.14 0.33333334\n602214076000000000000000 true\n"
    );
    for profile in [&["run", "-q"][..], &["run", "-q", "--release"][..]] {
        assert_eq!(
            success(&mut cargo_wasix(&dir, profile)),
            expected,
            "{profile:?}"
        );
    }
}

#[test]
fn wasm_opt_asked_for_but_missing_says_how_to_get_it() {
    let out = output(
        cargo_wasix(
            &repo_root(),
            &["build", "--manifest-path", "tests/hello/Cargo.toml"],
        )
        .env("CARGO_WASIX_WASM_OPT", "/nonexistent/wasm-opt"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("CARGO_WASIX_WASM_OPT names `/nonexistent/wasm-opt`"),
        "{stderr}"
    );
    assert!(stderr.contains("npm install binaryen"), "{stderr}");
}

/// With a wasm-opt (`CARGO_WASIX_TEST_WASM_OPT=/path/to/wasm-opt`, binaryen 132 tested) a
/// release build of the unwinding fixture is optimised, still valid and still behaves the
/// same; without one the test says so and passes.
#[test]
fn wasm_opt_optimises_release_modules() {
    let Some(wasm_opt) = std::env::var_os("CARGO_WASIX_TEST_WASM_OPT") else {
        eprintln!(
            "skipped: set CARGO_WASIX_TEST_WASM_OPT=/path/to/wasm-opt (npm install binaryen@132)"
        );
        return;
    };
    let dir = fixture_as("unwind", "unwind_wasm_opt");
    let target = own_target();
    success(cargo_wasix(&dir, &["build", "--release"]).env("CARGO_TARGET_DIR", &target));
    let plain = std::fs::metadata(release_wasm("unwind"))
        .expect("built")
        .len();
    let expected =
        success(cargo_wasix(&dir, &["run", "--release"]).env("CARGO_TARGET_DIR", &target));
    let optimised_run = success(
        cargo_wasix(&dir, &["run", "--release"])
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_WASIX_WASM_OPT", &wasm_opt),
    );
    let optimised = std::fs::metadata(release_wasm("unwind"))
        .expect("built")
        .len();
    assert_eq!(optimised_run, expected);
    assert!(
        optimised < plain,
        "wasm-opt: {optimised} bytes, without: {plain}"
    );
}
