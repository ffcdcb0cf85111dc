//! C and C++ dependencies (issue 10): find a clang with the WebAssembly backend, llvm-ar and
//! wasi-libc's headers on this machine (never bundled), prepare the C sysroot beside the Rust
//! one, and hand build scripts (`cc`, `cmake`, `pkg-config`) the environment that makes their
//! objects link into a WASIX module. Crates without C never reach any of this; for crates
//! with C a missing toolchain is one error before cargo starts. Decisions and measurements:
//! `docs/c-dependencies.md`.
//!
//! `flags` and `graph` are pure; `find` and `csysroot` touch the machine.

pub mod csysroot;
pub mod find;
pub mod flags;
pub mod graph;
mod headers;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::env;
use crate::shell::Shell;
use csysroot::HeaderSource;
use find::{Found, Rejected};
use flags::EnvChange;

/// The install line for Debian and Ubuntu (clang and lld for the target, llvm-19 for llvm-ar,
/// wasi-libc's headers, libc++ headers for C++).
pub const APT_PACKAGES: &str = "clang-19 lld-19 llvm-19 wasi-libc libc++-19-dev-wasm32";

/// What the machine offers.
#[derive(Debug, Clone)]
pub struct Detected {
    pub clang: Found,
    pub cxx: PathBuf,
    pub ar: Found,
    pub headers: HeaderSource,
}

/// What is missing, and the candidates that were tried and refused.
#[derive(Debug, Clone, Default)]
pub struct NotFound {
    pub missing: Vec<&'static str>,
    pub rejected: Vec<Rejected>,
    /// The clang found, when only the other pieces are missing.
    pub clang: Option<Box<Found>>,
}

/// Looks for clang, llvm-ar and wasi-libc's headers (a few `which` lookups and two clang
/// runs). `rustc` locates rustup's llvm-tools copy of llvm-ar, the last resort.
pub fn detect(rustc: &Path) -> Result<Detected, NotFound> {
    let var = |name: &str| std::env::var(name).ok();
    let (clang, rejected) = find::probe_clang(&find::clang_candidates(env::TARGET, &var));
    let mut not_found = NotFound {
        rejected,
        ..NotFound::default()
    };
    let Some(clang) = clang else {
        not_found.missing.push("clang with the WebAssembly backend");
        if csysroot::find_headers(&var).is_none() {
            not_found.missing.push("wasi-libc's headers");
        }
        return Err(not_found);
    };
    let rustup_ar = rustup_llvm_ar(rustc);
    let ar = find::probe_ar(
        &find::ar_candidates(
            env::TARGET,
            &clang.path,
            clang.major,
            rustup_ar.as_deref(),
            &var,
        ),
        clang.major,
    );
    let headers = csysroot::find_headers(&var);
    if ar.is_none() {
        not_found.missing.push("llvm-ar");
    }
    if headers.is_none() {
        not_found.missing.push("wasi-libc's headers");
    }
    match (ar, headers) {
        (Some(ar), Some(headers)) => Ok(Detected {
            cxx: find::cxx_for(&clang.path),
            clang,
            ar,
            headers,
        }),
        _ => {
            not_found.clang = Some(Box::new(clang));
            Err(not_found)
        }
    }
}

/// `<rustc sysroot>/lib/rustlib/<host>/bin/llvm-ar` from the llvm-tools component, found
/// from the rustc path without running rustc.
fn rustup_llvm_ar(rustc: &Path) -> Option<PathBuf> {
    let rustc = if rustc.is_absolute() {
        rustc.to_owned()
    } else {
        which::which(rustc).ok()?
    };
    let rustlib = rustc.parent()?.parent()?.join("lib").join("rustlib");
    std::fs::read_dir(rustlib).ok()?.flatten().find_map(|host| {
        let ar = host.path().join("bin").join("llvm-ar");
        ar.is_file().then_some(ar)
    })
}

/// Where the C sysroot for `detected` lives (or will live) under `cache_root`.
pub fn sysroot_entry(detected: &Detected, cache_root: &Path) -> PathBuf {
    csysroot::entry_dir(
        cache_root,
        &detected.headers,
        &[&detected.clang.path, &detected.cxx, &detected.ar.path],
    )
}

/// The C sysroot and environment for one build.
#[derive(Debug, Clone)]
pub struct Ready {
    pub detected: Detected,
    pub sysroot: PathBuf,
    pub env: Vec<EnvChange>,
}

/// Prepares (or finds) the C sysroot for `detected` and the Rust side's target features, and
/// plans the build scripts' environment.
pub fn prepare(
    detected: Detected,
    cache_root: &Path,
    features: &wasix_sysroot::TargetFeatures,
    shell: &Shell,
) -> Result<Ready> {
    let enabled: Vec<&str> = wasix_sysroot::features::OPTIONAL
        .iter()
        .map(|f| f.name)
        .filter(|name| features.is_enabled(name))
        .collect();
    let entry = sysroot_entry(&detected, cache_root);
    let wasix_include = csysroot::wasix_include(&entry);
    let inputs = flags::FlagInputs {
        sysroot: &entry,
        wasix_include: &wasix_include,
        clang_major: detected.clang.major,
        enabled: &enabled,
    };
    let c_flags = flags::c_flags(&inputs);
    let cxx_flags = flags::cxx_flags(&inputs);
    let cmake = csysroot::cmake_file(&entry);
    let tools = flags::Tools {
        cc: &detected.clang.path,
        cxx: &detected.cxx,
        ar: &detected.ar.path,
        c_flags: &c_flags,
        cxx_flags: &cxx_flags,
        cmake_toolchain: &cmake,
        cxx_runtime_sysroot: detected
            .headers
            .cxx_libs
            .is_some()
            .then_some(entry.as_path()),
    };
    let cmake_text = flags::cmake_toolchain(&tools, &entry);
    // setjmp/longjmp need our runtime functions only where clang lowers them (clang 20+).
    let sjlj = !flags::sjlj_flags(detected.clang.major).is_empty();
    let support = sjlj.then_some(csysroot::SupportBuild {
        clang: &detected.clang.path,
        ar: &detected.ar.path,
        c_flags: &c_flags,
    });
    csysroot::ensure(
        cache_root,
        &entry,
        &detected.headers,
        &cmake_text,
        support.as_ref(),
        &mut StatusProgress(shell),
    )?;
    let mut env = flags::env_plan(env::TARGET, &tools, &|name| std::env::var(name).ok());
    if sjlj {
        // For the rustc wrapper: links of the target take the archive (see env::C_LINK_LIB).
        env.push(EnvChange::Set(
            env::C_LINK_LIB.to_owned(),
            csysroot::setjmp_lib(&entry).display().to_string(),
        ));
    }
    Ok(Ready {
        detected,
        sysroot: entry,
        env,
    })
}

/// Sets the planned variables on the cargo command.
pub fn apply(cmd: &mut Command, ready: &Ready, shell: &Shell) {
    for change in &ready.env {
        match change {
            EnvChange::Set(name, value) => {
                shell.verbose_note(format!("C toolchain: {name}={value}"));
                cmd.env(name, value);
            }
            EnvChange::Kept(name, value) => {
                shell.verbose_note(format!("C toolchain: keeping your {name}={value}"));
            }
        }
    }
}

/// The error for a build that needs C when the toolchain is incomplete.
pub fn missing_error(not_found: &NotFound, users: &[String]) -> anyhow::Error {
    let mut text = format!(
        "building C code for {} needs {}, which {} not found\n  crates with C (their build scripts use `cc` or `cmake`): {}",
        env::TARGET,
        not_found.missing.join(" and "),
        if not_found.missing.len() == 1 {
            "was"
        } else {
            "were"
        },
        users.join(", ")
    );
    if let Some(clang) = &not_found.clang {
        text.push_str(&format!(
            "\n  found: {} ({})",
            clang.path.display(),
            clang.version
        ));
    }
    for rejected in &not_found.rejected {
        text.push_str(&format!(
            "\n  not usable: {}: {}",
            rejected.program.display(),
            rejected.reason
        ));
    }
    text.push_str(&format!("\n{}", install_help()));
    anyhow::anyhow!(text)
}

/// How to get a C toolchain, for errors and `status`.
pub fn install_help() -> String {
    format!(
        "help: install clang with the WebAssembly backend, llvm-ar and wasi-libc's headers:\n\
         \x20     Debian/Ubuntu: sudo apt-get install {APT_PACKAGES}\n\
         \x20     macOS:         brew install llvm, and unpack wasi-sdk (https://github.com/WebAssembly/wasi-sdk/releases)\n\
         \x20     or point cargo-wasix at a toolchain you have: WASI_SDK_PATH=<wasi-sdk dir>, or\n\
         \x20     CC_wasm32_wasmer_wasi=<clang> with WASI_SYSROOT=<wasi-libc sysroot>"
    )
}

/// Forwards the C sysroot's progress lines to the shell.
struct StatusProgress<'a>(&'a Shell);

impl wasix_sysroot::progress::Progress for StatusProgress<'_> {
    fn status(&mut self, verb: &str, message: &str) {
        self.0.status(verb, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_error_names_crates_and_install_line() {
        let not_found = NotFound {
            missing: vec!["clang with the WebAssembly backend"],
            rejected: vec![Rejected {
                program: "/usr/bin/clang".into(),
                reason: "built without the WebAssembly backend".to_owned(),
            }],
            clang: None,
        };
        let text = missing_error(&not_found, &["zstd-sys 2.0.15".to_owned()]).to_string();
        for needle in [
            "needs clang with the WebAssembly backend, which was not found",
            "zstd-sys 2.0.15",
            "not usable: /usr/bin/clang: built without the WebAssembly backend",
            "sudo apt-get install clang-19 lld-19 llvm-19 wasi-libc libc++-19-dev-wasm32",
            "WASI_SDK_PATH",
            "CC_wasm32_wasmer_wasi",
        ] {
            assert!(text.contains(needle), "{needle:?} missing in\n{text}");
        }
    }
}
