//! Names of the environment variables that carry state between our three modes, and targets.
//!
//! The user command sets these on the cargo child; cargo passes them on to the rustc wrapper
//! and the runner (both are our own binary again). Keeping every name here means one place
//! says which mode reads what.

/// The WASIX target we build for (`--target wasm32-wasmer-wasi`).
pub const TARGET: &str = "wasm32-wasmer-wasi";

/// The 64-bit target (`--target wasm64-wasmer-wasi`, memory64).
pub const TARGET64: &str = "wasm64-wasmer-wasi";

/// Set by the user command on the cargo child: the triple of the WASIX target this run builds
/// for (`target.rs`). The wrapper, rustdoc and runner modes treat only that target as ours.
pub const WASIX_TARGET: &str = "CARGO_WASIX_TARGET";

/// Set by the user command on the cargo child: the prepared sysroot. Its presence is what
/// tells `main` that cargo called us as `RUSTC_WRAPPER` (never guessed from argv).
pub const SYSROOT: &str = "CARGO_WASIX_SYSROOT";

/// Set by the user command on the cargo child when target compiles must get
/// `--sysroot <CARGO_WASIX_SYSROOT>` (no toolchain directory could be made, `delivery.rs`);
/// set by a user to `1` to force that old delivery.
pub const SYSROOT_FLAG: &str = "CARGO_WASIX_SYSROOT_FLAG";

/// Set by the user command on the cargo child, and given by the wrapper to target compiles
/// only: the sha256 of the sysroot's target libraries. Compiler caches hash every `CARGO_*`
/// variable of a compile, so this is how sccache's key sees the sysroot (issue 16).
pub const SYSROOT_DIGEST: &str = "CARGO_WASIX_SYSROOT_DIGEST";

/// The prefix of every variable of ours; the wrapper keeps them away from rustc (a compiler
/// cache would hash them, and e.g. `CARGO_WASIX_HOME` differs between machines).
pub const PREFIX: &str = "CARGO_WASIX_";

/// The user's own `RUSTC_WRAPPER` (e.g. sccache), remembered before we replace it, so the
/// wrapper mode can chain to it.
pub const CHAINED_WRAPPER: &str = "CARGO_WASIX_CHAINED_WRAPPER";

/// Set by the user command on the cargo child: the directory of the patched crate copies
/// (`<cache>/overlays`). The wrapper caps their lints as cargo does for registry crates (a
/// `[patch]` path would otherwise show the crate's own warnings).
pub const OVERLAYS_DIR: &str = "CARGO_WASIX_OVERLAYS";

/// The real rustdoc, for the rustdoc mode (`RUSTDOC` points cargo at a tiny script that runs
/// `<self> __rustdoc "$@"`, since cargo has no rustdoc wrapper setting).
pub const REAL_RUSTDOC: &str = "CARGO_WASIX_RUSTDOC";

/// The first argument of the rustdoc mode: `<self> __rustdoc <rustdoc args...>`.
pub const RUSTDOC_ARG: &str = "__rustdoc";

/// Runtime flags for the runner (`--dir data --net ...`), as the user would type them after
/// `cargo wasix run-wasm`. Set by the user; read by the runner.
pub const RUNTIME_FLAGS: &str = "CARGO_WASIX_RUNTIME_FLAGS";

/// Set by `cargo wasix test`/`bench` on the cargo child: the runner then mounts the package
/// directory as the guest cwd and a fresh temp dir at `/tmp`. Value: `test`.
pub const RUNNER_DEFAULTS: &str = "CARGO_WASIX_RUNNER_DEFAULTS";

/// Set to `1`/`true`/`yes` to turn the test/bench default mounts off.
pub const NO_RUN_DEFAULTS: &str = "CARGO_WASIX_NO_RUN_DEFAULTS";

/// Set by the user: `1` runs binaryen's `wasm-opt` (found on `PATH`) on the modules of
/// optimised builds, or the path of the `wasm-opt` to run (`wasm_opt.rs`).
pub const WASM_OPT: &str = "CARGO_WASIX_WASM_OPT";

/// Set by the user command on the cargo child when `WASM_OPT` asks for wasm-opt: the
/// `wasm-opt` found. Read by the wrapper after each link.
pub const WASM_OPT_RESOLVED: &str = "CARGO_WASIX_WASM_OPT_RESOLVED";

/// Set by the user command on the cargo child when C is built with setjmp/longjmp support:
/// the C sysroot's `libwasix-setjmp.a`. The wrapper adds it to every link of the target (an
/// archive: only modules whose C calls setjmp/longjmp take anything from it). Build scripts
/// cannot add it themselves: `cc` links only the objects it compiled.
pub const C_LINK_LIB: &str = "CARGO_WASIX_C_LINK_LIB";

/// The first argument of the runner mode: `<self> __runner <wasm> <args...>`.
pub const RUNNER_ARG: &str = "__runner";

/// Host variables forwarded into the guest by `cargo wasix test`/`bench`.
pub const TEST_FORWARDED_ENV: &[&str] = &["RUST_BACKTRACE", "RUST_TEST_THREADS", "RUST_MIN_STACK"];

/// Whether a boolean-ish environment value means "on".
pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::is_truthy;

    #[test]
    fn truthy_values() {
        for (value, expected) in [
            ("1", true),
            ("true", true),
            ("YES", true),
            (" on ", true),
            ("0", false),
            ("", false),
            ("false", false),
            ("no", false),
        ] {
            assert_eq!(is_truthy(value), expected, "value {value:?}");
        }
    }
}
