//! `cargo wasix`: user command, rustc wrapper and cargo runner in one binary.
//!
//! Who calls whom (the mode is decided here and nowhere else):
//!
//! ```text
//!  user ── `cargo wasix build ...` ──▶ cargo-wasix wasix build ...        (user mode, user.rs)
//!                                        │ prepares the sysroot, then runs cargo with
//!                                        │ RUSTC_WRAPPER=<self>, CARGO_WASIX_SYSROOT=<sysroot>,
//!                                        │ CARGO_TARGET_WASM32_WASMER_WASI_RUNNER=<self> __runner
//!                                        ▼
//!                                      cargo build --target wasm32-wasmer-wasi ...
//!              every rustc call ◀───────┘ └───────▶ every .wasm cargo runs (run/test/bench)
//!   cargo-wasix <rustc> <args...>                 cargo-wasix __runner <file.wasm> <args...>
//!   (wrapper mode, wrapper.rs: detected           (runner mode, runner.rs: detected by the
//!    by CARGO_WASIX_SYSROOT in the env)            `__runner` argument)
//!
//!   rustdoc (`cargo doc`, doctests) has no wrapper setting in cargo: RUSTDOC points at a
//!   script running `cargo-wasix __rustdoc <args...>` (rustdoc mode, also in wrapper.rs).
//! ```

mod args;
mod cargo_config;
mod cli;
mod commands;
mod ctoolchain;
mod delivery;
mod doctest;
mod env;
mod exec;
mod install_plan;
mod lockfile;
mod overlays;
mod prepare;
mod runner;
mod runtime_flags;
mod shell;
mod stamp;
mod target;
mod toolchain;
mod user;
mod validate;
mod wasm_opt;
mod wrapper;

use std::ffi::{OsStr, OsString};
use std::process::ExitCode;

/// The three ways this binary is invoked, plus everything else.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    /// `cargo wasix ...`: cargo passes `wasix` as the first argument.
    User,
    /// `cargo-wasix __runner file.wasm args...`, set up by the user mode as cargo's runner.
    Runner,
    /// `cargo-wasix rustc args...` under `CARGO_WASIX_SYSROOT`, set up as `RUSTC_WRAPPER`.
    Wrapper,
    /// `cargo-wasix __rustdoc args...`, through the script set up as `RUSTDOC`.
    Rustdoc,
    Unknown,
}

fn select_mode(first: Option<&OsStr>, wrapper_env: bool) -> Mode {
    match first {
        Some(arg) if arg == "wasix" => Mode::User,
        Some(arg) if arg == env::RUNNER_ARG => Mode::Runner,
        Some(arg) if arg == env::RUSTDOC_ARG => Mode::Rustdoc,
        Some(_) if wrapper_env => Mode::Wrapper,
        _ => Mode::Unknown,
    }
}

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let rest = argv.get(1..).unwrap_or_default().to_vec();
    let mode = select_mode(
        rest.first().map(OsString::as_os_str),
        std::env::var_os(env::SYSROOT).is_some(),
    );
    let result = match mode {
        Mode::User => user::main(rest[1..].to_vec()),
        Mode::Runner => runner::main(rest[1..].to_vec()),
        Mode::Wrapper => wrapper::main(rest),
        Mode::Rustdoc => wrapper::rustdoc_main(rest[1..].to_vec()),
        Mode::Unknown => Err(anyhow::anyhow!(
            "cargo-wasix was called in an unknown way, with arguments {:?}\nhelp: run it through cargo, as `cargo wasix <command>` (see `cargo wasix --help`)",
            &argv[1..]
        )),
    };
    match result {
        Ok(code) => exit_code(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            shell::Shell::new(args::Verbosity::Normal).error(render_error(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes the way cargo prints them (`Caused by:` then indented causes).
fn render_error(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        text.push_str("\n\nCaused by:");
        for cause in causes {
            for line in cause.lines() {
                text.push_str("\n  ");
                text.push_str(line);
            }
        }
    }
    text
}

/// Writing to a closed pipe (`cargo wasix status | head -1`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn exit_code(code: i32) -> ExitCode {
    match u8::try_from(code) {
        Ok(code) => ExitCode::from(code),
        // Exit statuses are 8 bits on unix; keep "failed" for anything out of range.
        Err(_) => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let cases: &[(Option<&str>, bool, Mode)] = &[
            (Some("wasix"), false, Mode::User),
            (Some("wasix"), true, Mode::User),
            (Some("__runner"), false, Mode::Runner),
            (Some("__runner"), true, Mode::Runner),
            (Some("__rustdoc"), true, Mode::Rustdoc),
            (Some("/usr/bin/rustc"), true, Mode::Wrapper),
            (Some("/usr/bin/rustc"), false, Mode::Unknown),
            (Some("build"), false, Mode::Unknown),
            (None, true, Mode::Unknown),
            (None, false, Mode::Unknown),
        ];
        for (first, env_set, expected) in cases {
            assert_eq!(
                select_mode(first.map(OsStr::new), *env_set),
                *expected,
                "{first:?} env {env_set}"
            );
        }
    }

    #[test]
    fn error_rendering() {
        let err = anyhow::anyhow!("inner\nhelp: do x").context("outer");
        assert_eq!(
            render_error(&err),
            "outer\n\nCaused by:\n  inner\n  help: do x"
        );
        assert_eq!(render_error(&anyhow::anyhow!("alone")), "alone");
    }
}
