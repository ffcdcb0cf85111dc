//! `cargo wasix sysroot pack|install`: prepare the sysroot once, share it as a file (issue 13).

use anyhow::Result;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::commands::{sysroot_install::Install, sysroot_pack::Pack};
use crate::user::Ctx;

/// Share a prepared WASIX sysroot: pack it into a file, install such a file.
#[derive(Args, Debug)]
pub struct SysrootCommand {
    #[command(subcommand)]
    pub command: SysrootSub,
}

#[derive(Subcommand, Debug)]
pub enum SysrootSub {
    /// Write the prepared sysroot (built now if there is none) into a .tar.gz with a manifest,
    /// and its sha256 into FILE.sha256.
    Pack(Pack),
    /// Install a pack made by `cargo wasix sysroot pack` (a file or an http(s) URL) instead of
    /// building the sysroot; it must fit this rustc and this cargo-wasix exactly.
    Install(Install),
}

impl SysrootCommand {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        match self.command {
            SysrootSub::Pack(cmd) => cmd.execute(ctx),
            SysrootSub::Install(cmd) => cmd.execute(ctx),
        }
    }
}

/// A byte progress bar on a terminal (hidden otherwise and under `-q`).
pub fn byte_bar(shell: &crate::shell::Shell, what: &str) -> ProgressBar {
    if !shell.is_interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>12.cyan.bold} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// `23.4 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// The library's status lines as plain shell lines (unpacking is one step).
pub struct ShellLines<'a>(pub &'a crate::shell::Shell);

impl wasix_sysroot::progress::Progress for ShellLines<'_> {
    fn status(&mut self, verb: &str, message: &str) {
        self.0.status(verb, message);
    }
}
