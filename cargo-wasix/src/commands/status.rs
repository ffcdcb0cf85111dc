//! `cargo wasix status`: what is installed where, and whether the sysroot is up to date.
//! Requested data, so it goes to stdout.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use crate::prepare;
use crate::toolchain::Toolchain;
use crate::user::Ctx;

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
        for other in &status.other_entries {
            writeln!(
                out,
                "stale:      {} (removed by `cargo wasix self clean`)",
                other.display()
            )?;
        }
        Ok(0)
    }
}
