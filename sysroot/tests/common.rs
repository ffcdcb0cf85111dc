//! Shared helpers: the one sysroot of this test run, and compiling guest programs against it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasix_sysroot::{Options, Prepared, Toolchain, prepare, progress::Stderr};

/// The cache root shared by every test of the run (and by later runs).
pub fn cache_root() -> PathBuf {
    match std::env::var_os("CARGO_WASIX_HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasix-home"),
    }
}

pub fn options() -> Options {
    Options {
        cache_root: Some(cache_root()),
        ..Options::default()
    }
}

pub struct Shared {
    pub toolchain: Toolchain,
    pub prepared: Prepared,
    /// How long the first `prepare` of this run took (cold or warm).
    pub first: Duration,
}

/// Prepares the sysroot once per test binary.
pub fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let toolchain = Toolchain::detect().expect("detect toolchain");
        let start = Instant::now();
        let prepared =
            prepare(&toolchain, &options(), &mut Stderr).unwrap_or_else(|e| panic!("{e}"));
        let first = start.elapsed();
        eprintln!(
            "prepare: {:?} in {:.1?} -> {}",
            prepared.outcome,
            first,
            prepared.sysroot.display()
        );
        Shared {
            toolchain,
            prepared,
            first,
        }
    })
}

/// Compiles one Rust source file for the WASIX target with plain rustc (as the rustc-wrapper
/// mode of the CLI does) and returns the .wasm bytes.
pub fn compile(name: &str, source: &str, extra: &[&str]) -> Result<Vec<u8>, String> {
    let s = shared();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasix-sysroot-tests");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let src = dir.join(format!("{name}.rs"));
    let out = dir.join(format!("{name}.wasm"));
    std::fs::write(&src, source).expect("write source");
    let output = Command::new(&s.toolchain.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("--target")
        .arg(&s.prepared.target_name)
        .arg("--sysroot")
        .arg(&s.prepared.sysroot)
        .arg("-Zunstable-options")
        .args(["--edition", "2024", "-O"])
        .args(extra)
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run rustc");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(std::fs::read(&out).expect("read wasm"))
}

/// `(module, name)` of every function import.
pub fn function_imports(wasm: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ImportSection(reader) = payload.expect("valid wasm") {
            for import in reader {
                let import = import.expect("valid import");
                if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                    out.push((import.module.to_owned(), import.name.to_owned()));
                }
            }
        }
    }
    out
}

/// Asserts function imports come only from the WASI/WASIX modules.
pub fn assert_wasix_imports(wasm: &[u8]) -> Vec<(String, String)> {
    let imports = function_imports(wasm);
    let bad: Vec<_> = imports
        .iter()
        .filter(|(m, _)| !matches!(m.as_str(), "wasi_snapshot_preview1" | "wasi" | "wasix_32v1"))
        .collect();
    assert!(
        bad.is_empty(),
        "unexpected function imports: {bad:?}\nall: {imports:?}"
    );
    imports
}
