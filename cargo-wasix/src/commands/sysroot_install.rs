//! `cargo wasix sysroot install FILE|URL`: verify a pack's sha256 (given, or its `.sha256`
//! sidecar), then let the sysroot library check its manifest against this rustc and unpack it
//! into the cache atomically.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use wasix_sysroot::pack::{self, PackError};

use crate::commands::sysroot::{ShellLines, byte_bar, mib};
use crate::prepare;
use crate::toolchain::Toolchain;
use crate::user::Ctx;

/// Install a sysroot pack written by `cargo wasix sysroot pack`, from a file or an http(s) URL.
/// Its sha256 is checked first (`--sha256`, else FILE.sha256 / URL.sha256 when there is one),
/// then its manifest: the pack must be for this rustc (version, commit, host) and this
/// cargo-wasix's patch sets. A sysroot already in the cache with the same key is kept.
#[derive(Args, Debug)]
pub struct Install {
    /// The pack: a path, or an http:// or https:// URL.
    #[arg(value_name = "FILE|URL")]
    pub source: String,
    /// The pack's expected sha256 (64 hex digits) [default: the first word of FILE.sha256 or
    /// URL.sha256 when present].
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
}

/// An expected checksum and where it came from.
struct Expected {
    hex: String,
    from: String,
}

impl Install {
    pub fn execute(self, ctx: &Ctx) -> Result<i32> {
        let shell = &ctx.shell;
        if let Some(hex) = &self.sha256
            && !pack::download::is_sha256(hex)
        {
            bail!(
                "`--sha256 {hex}` is not a sha256\nhelp: give the 64 hex digits of `sha256sum <pack>` (or of its `.sha256` file)"
            );
        }
        let given = self.sha256.as_ref().map(|hex| Expected {
            hex: hex.to_ascii_lowercase(),
            from: "--sha256".to_owned(),
        });
        let toolchain = Toolchain::resolve(ctx.toolchain.as_deref())?;
        let detected = prepare::sysroot_toolchain(&toolchain)?;
        let options = prepare::sysroot_options()?;
        let root = options
            .cache_root()
            .context("failed to find the cargo-wasix cache directory")?;

        // A download lives in the cache root until the install ends (same file system).
        let mut _download = None;
        let (path, got, expected) = if is_url(&self.source) {
            let url = self.source.as_str();
            let expected = match given {
                Some(given) => Some(given),
                None => pack::fetch_sidecar(url)?.map(|hex| Expected {
                    hex,
                    from: format!("`{url}.sha256`"),
                }),
            };
            std::fs::create_dir_all(&root)
                .with_context(|| format!("failed to create `{}`", root.display()))?;
            let file = tempfile::Builder::new()
                .prefix(".download-")
                .suffix(".tar.gz")
                .tempfile_in(&root)
                .with_context(|| format!("failed to create a file in `{}`", root.display()))?;
            shell.status("Downloading", format!("`{url}`"));
            let bar = byte_bar(shell, "Downloading");
            let got = pack::download(url, file.path(), &mut |done, total| {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            })?;
            bar.finish_and_clear();
            let path = file.path().to_owned();
            _download = Some(file);
            (path, got, expected)
        } else {
            let path = PathBuf::from(&self.source);
            let expected = match given {
                Some(given) => Some(given),
                None => local_sidecar(&path)?,
            };
            let got = pack::sha256_file(&path)?;
            (path, got, expected)
        };

        match &expected {
            Some(expected) if expected.hex != got => {
                return Err(PackError::Checksum {
                    path: PathBuf::from(&self.source),
                    got,
                    expected: expected.hex.clone(),
                    from: expected.from.clone(),
                }
                .into());
            }
            Some(expected) => shell.status("Verified", format!("sha256 {got} ({})", expected.from)),
            None => shell.warn(format!(
                "no checksum for `{}` (no --sha256 and no `.sha256` beside it): its sha256 {got} was not verified; the manifest and file counts are still checked",
                self.source
            )),
        }

        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        shell.status(
            "Installing",
            format!("sysroot pack `{}` ({})", self.source, mib(size)),
        );
        let installed = pack::install(&detected, &options, &path, &mut ShellLines(shell))
            .with_context(|| format!("failed to install the sysroot pack `{}`", self.source))?;
        for entry in &installed.entries {
            let sysroot = wasix_sysroot::EntryLayout::new(&entry.entry).sysroot;
            if entry.written {
                shell.status(
                    "Installed",
                    format!(
                        "WASIX sysroot for rustc {} ({}) at `{}`",
                        installed.manifest.rustc.version,
                        entry.target,
                        sysroot.display()
                    ),
                );
            } else {
                shell.status(
                    "Fresh",
                    format!(
                        "WASIX sysroot for rustc {} ({}) was already at `{}` (kept: same key)",
                        installed.manifest.rustc.version,
                        entry.target,
                        sysroot.display()
                    ),
                );
            }
        }
        Ok(0)
    }
}

fn is_url(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// The checksum in `<file>.sha256`, when that file exists.
fn local_sidecar(path: &Path) -> Result<Option<Expected>> {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    let sidecar = PathBuf::from(name);
    let text = match std::fs::read_to_string(&sidecar) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", sidecar.display())),
    };
    match pack::parse_sidecar(&text) {
        Some(hex) => Ok(Some(Expected {
            hex,
            from: format!("`{}`", sidecar.display()),
        })),
        None => bail!(
            "`{}` does not start with a sha256 (64 hex digits)\nhelp: remove it, or pass the checksum with `--sha256 HEX`",
            sidecar.display()
        ),
    }
}
