//! `cargo wasix self clean`: remove everything cargo-wasix installed (its cache root:
//! sysroots, toolchain directories, patched libc sources, compiled modules). rustup components
//! stay: they belong to the user's toolchain (a toolchain directory only holds hard links to
//! and symlinks into it, so removing one leaves the user's files as they were).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::user::Ctx;

/// Manage cargo-wasix itself.
#[derive(Args, Debug)]
pub struct SelfCommand {
    #[command(subcommand)]
    pub command: SelfSub,
}

#[derive(Subcommand, Debug)]
pub enum SelfSub {
    /// Remove the sysroots, patched libc sources and module cache cargo-wasix created.
    Clean,
}

impl SelfCommand {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        match self.command {
            SelfSub::Clean => {
                let mut progress = ShellLines(&ctx.shell);
                match wasix_sysroot::clean(&wasix_sysroot::Options::default(), &mut progress)
                    .context("failed to clean the cargo-wasix cache")?
                {
                    // The library said `Removing <root>` already (it keeps only its lock file).
                    Some(_) => {}
                    None => ctx.shell.status("Clean", "nothing to remove"),
                }
                Ok(0)
            }
        }
    }
}

/// Plain status lines (removal is quick; no spinner).
struct ShellLines<'a>(&'a crate::shell::Shell);

impl wasix_sysroot::progress::Progress for ShellLines<'_> {
    fn status(&mut self, verb: &str, message: &str) {
        self.0.status(verb, message);
    }
}
