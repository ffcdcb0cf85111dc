//! `cargo wasix setup`: prepare the WASIX sysroot now, with progress, instead of on first build.

use anyhow::{Context, Result};
use clap::Args;

use crate::prepare::{self, Outcome};
use crate::toolchain::Toolchain;
use crate::user::Ctx;

/// Prepare the WASIX sysroot now: installs missing rustup components (rust-src, the
/// wasm32-wasip1-threads target, llvm-tools) after saying so, patches std and builds it; then
/// reports the C toolchain for crates with C code and prepares its C sysroot when one is found.
#[derive(Args, Debug)]
pub struct Setup {
    /// Print only the sysroot path on stdout (for scripts).
    #[arg(long)]
    pub print_sysroot: bool,
    /// Only check the std patch set against this toolchain's rust-src, in memory: print every
    /// edit that no longer applies (file and anchor) and exit 1 if any; build nothing.
    #[arg(long, conflicts_with = "print_sysroot")]
    pub check_patches: bool,
    /// The target to prepare: `wasm32-wasmer-wasi` (default) or `wasm64-wasmer-wasi`
    /// (memory64: std over libwasix's libc64, no C library yet; docs/wasm64.md).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
}

impl Setup {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        let toolchain = Toolchain::resolve(ctx.toolchain.as_deref())?;
        let detected = prepare::sysroot_toolchain(&toolchain)?;
        if self.check_patches {
            return check_patches(&detected);
        }
        let mut options = prepare::sysroot_options()?;
        let wasm64 = self
            .target
            .as_deref()
            .and_then(crate::target::Wasix::from_triple)
            == Some(crate::target::Wasix::Wasm64);
        if let Some(target) = self.target {
            options.target = target;
        }
        let (prepared, _) = prepare::prepare_with(&detected, &options, &ctx.shell)?;
        if prepared.outcome == Outcome::AlreadyCached {
            ctx.shell.status(
                "Fresh",
                format!(
                    "WASIX sysroot for rustc {} at `{}`",
                    prepared.rustc_version,
                    prepared.sysroot.display()
                ),
            );
        }
        // The C toolchain is optional: report it, prepare its sysroot when it is there (its
        // C sysroot is wasm32's: there is no wasm64 wasi-libc).
        match crate::ctoolchain::detect(&toolchain.rustc) {
            _ if wasm64 => {}
            Ok(found) => {
                let ready =
                    crate::ctoolchain::prepare(found, &options.cache_root()?, &options.features, &ctx.shell)?;
                ctx.shell.status(
                    "Fresh",
                    format!(
                        "C toolchain {} ({}), C sysroot at `{}`",
                        ready.detected.clang.path.display(),
                        ready.detected.clang.version,
                        ready.sysroot.display()
                    ),
                );
            }
            Err(not_found) => ctx.shell.status(
                "Skipped",
                format!(
                    "C toolchain: {} not found (only crates with C code need it; `sudo apt-get install {}` on Debian/Ubuntu)",
                    not_found.missing.join(", "),
                    crate::ctoolchain::APT_PACKAGES
                ),
            ),
        }
        if self.print_sysroot {
            println!("{}", prepared.sysroot.display());
        }
        Ok(0)
    }
}

/// `setup --check-patches`: the std patch set against rust-src, every problem on stdout.
fn check_patches(detected: &wasix_sysroot::Toolchain) -> Result<i32> {
    let library = detected.rust_src();
    anyhow::ensure!(
        library.join("std/Cargo.toml").is_file(),
        "rust-src is missing at `{}`\nhelp: `rustup component add rust-src{}`",
        library.display(),
        detected
            .rustup_toolchain
            .as_deref()
            .map(|t| format!(" --toolchain {t}"))
            .unwrap_or_default()
    );
    let inputs = wasix_sysroot::embedded::Inputs::embedded();
    let report = wasix_sysroot::stdpatch::check(&inputs, &detected.version.semver, &library)
        .context("failed to check the std patch set")?;
    let tried = if report.tried {
        " (tried: newer than the verified versions)"
    } else {
        ""
    };
    println!(
        "rustc {}: std patch set for {} [{}]{tried}: {}",
        detected.version.semver,
        report.versions,
        report.parts.join(" + "),
        if report.problems.is_empty() {
            "applies".to_owned()
        } else {
            format!("{} problem(s)", report.problems.len())
        }
    );
    for problem in &report.problems {
        println!("  {}", problem.replace('\n', "\n    "));
    }
    Ok(if report.problems.is_empty() { 0 } else { 1 })
}
