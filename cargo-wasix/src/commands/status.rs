//! `cargo wasix status`: what is installed where, and whether the sysroot is up to date.
//! Requested data, so it goes to stdout.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use wasix_sysroot::overlay::Outside;

use crate::toolchain::Toolchain;
use crate::user::Ctx;
use crate::{ctoolchain, lockfile, overlays, prepare};

/// Show the toolchain, rust-src, base libc and sysroot in use, and whether it is up to date.
#[derive(Args, Debug)]
pub struct Status {}

impl Status {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        let toolchain = Toolchain::resolve(ctx.toolchain.as_deref())?;
        let detected = prepare::sysroot_toolchain(&toolchain)?;
        let options = prepare::sysroot_options()?;
        let status = wasix_sysroot::status(&detected, &options)
            .context("failed to inspect the WASIX sysroot cache")?;
        let present = |path: &std::path::Path| if path.exists() { "" } else { " (missing)" };
        let mut out = std::io::stdout().lock();
        let toolchain_name = detected
            .rustup_toolchain
            .as_deref()
            .unwrap_or("(not rustup)");
        writeln!(
            out,
            "rustc:      {} [{toolchain_name}]",
            status.rustc_version
        )?;
        writeln!(
            out,
            "supported:  {} (patch sets for Rust {})",
            if status.supported { "yes" } else { "no" },
            status.supported_versions.join(", ")
        )?;
        writeln!(
            out,
            "rust-src:   {}{}",
            status.rust_src.display(),
            present(&status.rust_src)
        )?;
        writeln!(
            out,
            "base libc:  {}{}",
            status.base_libc.display(),
            present(&status.base_libc)
        )?;
        if !status.missing_components.is_empty() {
            writeln!(
                out,
                "missing:    {} (installed by `cargo wasix setup`)",
                status.missing_components.join(", ")
            )?;
        }
        writeln!(out, "cache:      {}", status.cache_root.display())?;
        writeln!(out, "sysroot:    {}", status.sysroot.display())?;
        writeln!(
            out,
            "features:   {} (optional; set with {})",
            status.features,
            wasix_sysroot::features::ENV
        )?;
        writeln!(
            out,
            "state:      {}",
            if status.up_to_date {
                "up to date"
            } else {
                "not prepared (run `cargo wasix setup`)"
            }
        )?;
        // The 64-bit target has its own sysroot, prepared only on request.
        let wasm64_options = wasix_sysroot::Options {
            target: crate::env::TARGET64.to_owned(),
            ..options.clone()
        };
        let wasm64 = wasix_sysroot::status(&detected, &wasm64_options)
            .context("failed to inspect the WASIX sysroot cache")?;
        writeln!(
            out,
            "wasm64:     {} ({})",
            wasm64.sysroot.display(),
            if wasm64.up_to_date {
                "up to date"
            } else {
                "not prepared; `cargo wasix setup --target wasm64-wasmer-wasi`, or the first build for it, prepares it"
            }
        )?;
        let wasm64_entry = wasm64.sysroot.parent().map(std::path::Path::to_owned);
        let c_toolchain = ctoolchain::detect(&toolchain.rustc);
        let c_sysroot = c_toolchain
            .as_ref()
            .ok()
            .map(|found| ctoolchain::sysroot_entry(found, &status.cache_root));
        for other in status
            .other_entries
            .iter()
            .filter(|e| Some(*e) != c_sysroot.as_ref() && Some(*e) != wasm64_entry.as_ref())
        {
            writeln!(
                out,
                "stale:      {} (removed by `cargo wasix self clean`)",
                other.display()
            )?;
        }
        write_c_toolchain(&mut out, c_toolchain, c_sysroot.as_deref())?;
        write_overlays(&mut out, &toolchain)?;
        Ok(0)
    }
}

/// The C toolchain for crates with C code (issue 10), or what is missing.
fn write_c_toolchain(
    out: &mut impl Write,
    detected: Result<ctoolchain::Detected, ctoolchain::NotFound>,
    sysroot: Option<&std::path::Path>,
) -> Result<()> {
    match detected {
        Ok(found) => {
            writeln!(
                out,
                "c compiler: {} ({})",
                found.clang.path.display(),
                found.clang.version
            )?;
            writeln!(out, "c++:        {}", found.cxx.display())?;
            writeln!(
                out,
                "c archiver: {} ({})",
                found.ar.path.display(),
                found.ar.version
            )?;
            writeln!(
                out,
                "c headers:  {} (from {})",
                found.headers.include.display(),
                found.headers.origin
            )?;
            if let Some(sysroot) = sysroot {
                let state = if sysroot.exists() {
                    ""
                } else {
                    " (prepared on the first build of a crate with C)"
                };
                writeln!(out, "c sysroot:  {}{state}", sysroot.display())?;
            }
        }
        Err(not_found) => {
            if let Some(clang) = &not_found.clang {
                writeln!(
                    out,
                    "c compiler: {} ({})",
                    clang.path.display(),
                    clang.version
                )?;
            }
            writeln!(
                out,
                "c missing:  {} (only crates with C code need them: `sudo apt-get install {}` on Debian/Ubuntu; docs/c-dependencies.md)",
                not_found.missing.join(", "),
                ctoolchain::APT_PACKAGES
            )?;
        }
    }
    Ok(())
}

/// The overlays compiled in, then what they would do to the current workspace's lock.
fn write_overlays(out: &mut impl Write, toolchain: &Toolchain) -> Result<()> {
    for overlay in overlays::embedded()? {
        let outside = match overlay.outside {
            Outside::Error => "other versions are an error",
            Outside::Warn => "other versions build unpatched",
        };
        let fixed = overlay
            .fixed
            .as_ref()
            .map(|f| format!("; {f} need none"))
            .unwrap_or_default();
        let only = overlay
            .targets
            .as_ref()
            .map(|t| format!("; {} only", t.join(", ")))
            .unwrap_or_default();
        writeln!(
            out,
            "overlay:    {} {} ({outside}{fixed}{only})",
            overlay.name,
            overlay.supported()
        )?;
    }
    // Outside a crate, or before its first build (no Cargo.lock yet), there is nothing to plan.
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(());
    };
    let Ok(root) = lockfile::workspace_root(&cwd, None, &toolchain.cargo) else {
        return Ok(());
    };
    if !root.join("Cargo.lock").is_file() {
        writeln!(
            out,
            "this crate: no Cargo.lock yet in `{}` (overlays are chosen from it at build time)",
            root.display()
        )?;
        return Ok(());
    }
    let plan = overlays::plan_workspace(&root, &lockfile::read_lock(&root)?, crate::env::TARGET)?;
    if plan.patches.is_empty() && plan.warnings.is_empty() && plan.errors.is_empty() {
        writeln!(
            out,
            "this crate: no overlay applies to `{}/Cargo.lock`",
            root.display()
        )?;
    }
    for planned in &plan.patches {
        writeln!(
            out,
            "this crate: {} {} is patched (from `{}/Cargo.lock`)",
            planned.entry.name,
            planned.entry.version,
            root.display()
        )?;
    }
    for warning in &plan.warnings {
        writeln!(out, "this crate: warning: {warning}")?;
    }
    for error in &plan.errors {
        writeln!(out, "this crate: error: {error}")?;
    }
    Ok(())
}
