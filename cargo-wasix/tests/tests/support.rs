//! Helpers: run the CLI binary, copy fixtures, inspect wasm imports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// The cargo-wasix binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cargo-wasix")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cargo-wasix sits in the workspace")
        .to_owned()
}

/// `target/` of the repository (respects `CARGO_TARGET_DIR` of the outer build).
pub fn outer_target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The shared cargo-wasix home (sysroot cache) of the test run.
pub fn shared_home() -> PathBuf {
    outer_target().join("wasix-home")
}

/// The target directory all fixture builds share.
pub fn fixture_target() -> PathBuf {
    outer_target().join("e2e").join("target")
}

/// `cargo-wasix wasix <args>` in `dir`, with a clean environment for our variables.
pub fn cargo_wasix(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("wasix").args(args).current_dir(dir);
    for var in [
        "CARGO_WASIX_SYSROOT",
        "CARGO_WASIX_SYSROOT_FLAG",
        "CARGO_WASIX_SYSROOT_DIGEST",
        "CARGO_WASIX_CHAINED_WRAPPER",
        "CARGO_WASIX_TARGET_FEATURES",
        "CARGO_WASIX_WASM_OPT",
        "CARGO_WASIX_WASM_OPT_RESOLVED",
        "CARGO_WASIX_RUNTIME_FLAGS",
        "CARGO_WASIX_RUNNER_DEFAULTS",
        "CARGO_WASIX_TARGET",
        "CARGO_TARGET_WASM32_WASMER_WASI_RUNNER",
        "CARGO_TARGET_WASM64_WASMER_WASI_RUNNER",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_MANIFEST_DIR",
        "RUSTC_BOOTSTRAP",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CARGO_WASIX_HOME", shared_home())
        .env("CARGO_TARGET_DIR", fixture_target())
        .env("CARGO_TERM_COLOR", "never");
    cmd
}

/// Which of our targets an end-to-end test builds for. Tests written for both run once per
/// target ([`both_targets!`]): every wasm32 fixture must build for wasm64 and print the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Wasm32,
    Wasm64,
}

impl Target {
    pub fn triple(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm32-wasmer-wasi",
            Target::Wasm64 => "wasm64-wasmer-wasi",
        }
    }

    /// The cargo-wasix home: wasm64 has its own, so its sysroot build never holds the shared
    /// cache's lock while the wasm32 tests wait (the entries themselves coexist).
    pub fn home(self) -> PathBuf {
        match self {
            Target::Wasm32 => shared_home(),
            Target::Wasm64 => outer_target().join("wasix-home-wasm64"),
        }
    }

    /// [`cargo_wasix`] for this target: cargo commands get `--target` right after the
    /// subcommand (the default target needs none); `run-wasm` and the others are unchanged.
    pub fn cargo_wasix(self, dir: &Path, args: &[&str]) -> Command {
        let mut words: Vec<&str> = args.to_vec();
        let cargo_command = matches!(
            words.first(),
            Some(&("build" | "run" | "test" | "bench" | "check" | "doc"))
        );
        if self == Target::Wasm64 && cargo_command {
            words.splice(1..1, ["--target", self.triple()]);
        }
        let mut cmd = cargo_wasix(dir, &words);
        cmd.env("CARGO_WASIX_HOME", self.home());
        cmd
    }

    /// [`fixture`] for this target: wasm64 builds its own copy, so a wasm32 and a wasm64 run
    /// of one fixture at the same time never see each other's overlay-patched `Cargo.lock`.
    pub fn fixture(self, name: &str) -> PathBuf {
        match self {
            Target::Wasm32 => fixture(name),
            Target::Wasm64 => fixture_as(name, &format!("{name}-wasm64")),
        }
    }

    /// The wasm cargo produced for `name` in `profile`.
    pub fn wasm_path(self, profile: &str, name: &str) -> PathBuf {
        fixture_target()
            .join(self.triple())
            .join(profile)
            .join(format!("{name}.wasm"))
    }

    /// The modules a program of this target may import functions from.
    pub fn import_modules(self) -> &'static [&'static str] {
        match self {
            Target::Wasm32 => &["wasi_snapshot_preview1", "wasi", "wasix_32v1"],
            Target::Wasm64 => &["wasix_64v1"],
        }
    }
}

/// Runs each named `fn(Target)` as two tests, `wasm32::<name>` and `wasm64::<name>`.
#[macro_export]
macro_rules! both_targets {
    ($($name:ident),* $(,)?) => {
        mod wasm32 {
            $(#[test]
            fn $name() {
                super::$name($crate::tests::support::Target::Wasm32)
            })*
        }
        mod wasm64 {
            $(#[test]
            fn $name() {
                super::$name($crate::tests::support::Target::Wasm64)
            })*
        }
    };
}

/// Runs a command and returns its output, printing both streams on failure to help debugging.
pub fn output(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("failed to run {cmd:?}: {e}"))
}

/// Asserts success and returns stdout.
pub fn success(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "command failed: {cmd:?}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh copy of `tests/<name>` under `target/e2e/<name>` (made once per test run; tests of
/// the same fixture share it, and cargo's lock serialises their builds).
pub fn fixture(name: &str) -> PathBuf {
    fixture_as(name, name)
}

/// Like [`fixture`], but a separate copy named `alias` (for tests that change the copy).
pub fn fixture_as(name: &str, alias: &str) -> PathBuf {
    static COPIES: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut copies = COPIES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = copies.get(alias) {
        return dir.clone();
    }
    let dest = outer_target().join("e2e").join(alias);
    if dest.exists() {
        std::fs::remove_dir_all(&dest).expect("remove old fixture copy");
    }
    copy_tree(&repo_root().join("tests").join(name), &dest);
    copies.insert(alias.to_owned(), dest.clone());
    dest
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create fixture dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("fixture entry");
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy fixture file");
        }
    }
}

/// The wasm cargo produced for `name` in `profile` (wasm32).
pub fn wasm_path(profile: &str, name: &str) -> PathBuf {
    Target::Wasm32.wasm_path(profile, name)
}

/// The modules a wasm file imports functions from (sorted, deduplicated).
pub fn function_import_modules(wasm: &Path) -> Vec<String> {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("read {}: {e}", wasm.display()));
    let mut modules = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(reader) = payload.expect("valid wasm") {
            for import in reader {
                let import = import.expect("valid import");
                if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                    modules.push(import.module.to_owned());
                }
            }
        }
    }
    modules.sort();
    modules.dedup();
    modules
}

/// Exception-handling instructions in a module's code: `(try_table, legacy)` counts, where
/// legacy is the pre-exnref encoding (`try`, `catch`, `catch_all`, `delegate`, `rethrow`) that
/// wasmtime rejects.
pub fn eh_instruction_counts(wasm: &Path) -> (usize, usize) {
    use wasmparser::Operator;
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("read {}: {e}", wasm.display()));
    let (mut try_table, mut legacy) = (0, 0);
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.expect("valid wasm") {
            let mut ops = body.get_operators_reader().expect("valid function body");
            while !ops.eof() {
                match ops.read().expect("valid instruction") {
                    Operator::TryTable { .. } => try_table += 1,
                    Operator::Try { .. }
                    | Operator::Catch { .. }
                    | Operator::CatchAll
                    | Operator::Delegate { .. }
                    | Operator::Rethrow { .. } => legacy += 1,
                    _ => {}
                }
            }
        }
    }
    (try_table, legacy)
}

/// Asserts the wasm exists, imports functions only from the WASIX modules and has no legacy
/// exception-handling instructions.
pub fn assert_wasix_module(wasm: &Path) {
    assert_module_of(Target::Wasm32, wasm)
}

/// [`assert_wasix_module`] for `target`'s import modules.
pub fn assert_module_of(target: Target, wasm: &Path) {
    assert!(wasm.is_file(), "missing {}", wasm.display());
    let (_, legacy) = eh_instruction_counts(wasm);
    assert_eq!(legacy, 0, "{} has legacy EH instructions", wasm.display());
    for module in function_import_modules(wasm) {
        assert!(
            target.import_modules().contains(&module.as_str()),
            "{} imports functions from `{module}`",
            wasm.display()
        );
    }
}

/// A `cargo wasix test` run succeeded and libtest reported `passed` passing tests (in its first
/// test binary, or any: the line must appear somewhere).
pub fn assert_tests_passed(out: &Output, passed: usize) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("test result: ok. {passed} passed")),
        "{stdout}"
    );
}
