//! `cargo wasix sysroot pack`: write every sysroot built for this rustc (and these target
//! features) into one `.tar.gz` with a manifest, and its sha256 beside it.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use wasix_sysroot::pack;

use crate::commands::sysroot::{byte_bar, mib};
use crate::prepare;
use crate::toolchain::Toolchain;
use crate::user::Ctx;

/// Write the prepared WASIX sysroot (built first when there is none) into a .tar.gz holding a
/// manifest (rustc version, commit and host, targets, target features, sysroot cache key) and
/// the sysroot files; FILE.sha256 is written beside it. Install it elsewhere with
/// `cargo wasix sysroot install FILE`.
#[derive(Args, Debug)]
pub struct Pack {
    /// The file to write [default: wasix-sysroot-<rustc version>-<host>-<key>.tar.gz in the
    /// current directory].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl Pack {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        let shell = &ctx.shell;
        let toolchain = Toolchain::resolve(ctx.toolchain.as_deref())?;
        let detected = prepare::sysroot_toolchain(&toolchain)?;
        let options = prepare::sysroot_options()?;
        let mut candidates =
            pack::candidates(&detected, &options).context("failed to find the WASIX sysroots")?;
        if !candidates.iter().any(|c| c.complete) {
            prepare::prepare_with(&detected, &options, shell)?;
            candidates = pack::candidates(&detected, &options)
                .context("failed to find the WASIX sysroots")?;
        }
        let built: Vec<pack::Candidate> = candidates.into_iter().filter(|c| c.complete).collect();
        let Some(first) = built.first() else {
            bail!(
                "no WASIX sysroot is prepared for rustc {}\nhelp: run `cargo wasix setup`",
                detected.version.semver
            );
        };
        let output = match self.output {
            Some(path) => path,
            None => PathBuf::from(format!(
                "wasix-sysroot-{}-{}-{}.tar.gz",
                detected.version.semver,
                detected.host(),
                first.key
            )),
        };
        let targets: Vec<String> = built
            .iter()
            .map(|c| {
                if c.features.is_empty() {
                    c.target.clone()
                } else {
                    format!("{} [{}]", c.target, c.features)
                }
            })
            .collect();
        shell.status(
            "Packing",
            format!(
                "WASIX sysroot for rustc {} ({}) into `{}`",
                detected.version.semver,
                targets.join(", "),
                output.display()
            ),
        );
        let bar = byte_bar(shell, "Packing");
        let packed = pack::write(&detected, &built, &output, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .with_context(|| format!("failed to write the sysroot pack `{}`", output.display()))?;
        bar.finish_and_clear();
        let content: u64 = packed.manifest.entries.iter().map(|e| e.bytes).sum();
        shell.status(
            "Packed",
            format!(
                "`{}`: {} ({} of sysroot files), sha256 {} in `{}`",
                packed.path.display(),
                mib(packed.size),
                mib(content),
                packed.sha256,
                packed.sha256_path.display()
            ),
        );
        shell.status(
            "Install",
            format!(
                "it with `cargo wasix sysroot install {}` (same rustc {} and cargo-wasix {}; from a URL, the `.sha256` beside it or `--sha256 {}` is checked)",
                shell_words::quote(&packed.path.to_string_lossy()),
                detected.version.semver,
                env!("CARGO_PKG_VERSION"),
                packed.sha256
            ),
        );
        Ok(0)
    }
}
