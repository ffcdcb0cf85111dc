//! Which `cargo` and `rustc` we run: the ones cargo used to start us (`$CARGO`, `$RUSTC`), or
//! those of a rustup toolchain named with `cargo wasix +TOOLCHAIN ...`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The programs of the toolchain a command runs with.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub cargo: PathBuf,
    pub rustc: PathBuf,
    /// The rustup toolchain named with `+NAME`; children get `RUSTUP_TOOLCHAIN=NAME`.
    pub rustup_name: Option<String>,
}

impl Toolchain {
    /// Resolves the toolchain: `+NAME` through `rustup which`, otherwise `$CARGO`/`$RUSTC`
    /// (set by cargo when it runs `cargo wasix`), falling back to the programs on `PATH`.
    pub fn resolve(plus: Option<&str>) -> Result<Self> {
        match plus {
            Some(name) => Ok(Toolchain {
                cargo: rustup_which(name, "cargo")?,
                rustc: rustup_which(name, "rustc")?,
                rustup_name: Some(name.to_owned()),
            }),
            None => {
                let cargo = std::env::var_os("CARGO")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| "cargo".into());
                let rustc = match std::env::var_os("RUSTC") {
                    Some(rustc) => PathBuf::from(rustc),
                    None => sibling_rustc(&cargo).unwrap_or_else(|| "rustc".into()),
                };
                Ok(Toolchain {
                    cargo,
                    rustc,
                    rustup_name: None,
                })
            }
        }
    }

    /// A command for this toolchain's cargo, with `RUSTUP_TOOLCHAIN` set when one was named.
    pub fn cargo_command(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        if let Some(name) = &self.rustup_name {
            cmd.env("RUSTUP_TOOLCHAIN", name);
        }
        cmd
    }
}

/// `rustc` beside an absolute `cargo` (a toolchain's `bin/`), if there is one.
fn sibling_rustc(cargo: &Path) -> Option<PathBuf> {
    if !cargo.is_absolute() {
        return None;
    }
    let rustc = cargo.with_file_name(format!("rustc{}", std::env::consts::EXE_SUFFIX));
    rustc.is_file().then_some(rustc)
}

fn rustup_which(toolchain: &str, program: &str) -> Result<PathBuf> {
    let output = Command::new("rustup")
        .args(["which", "--toolchain", toolchain, program])
        .output()
        .with_context(|| {
            format!("failed to run `rustup which --toolchain {toolchain} {program}`\nhelp: `cargo wasix +TOOLCHAIN` needs rustup; without it, drop the `+{toolchain}`")
        })?;
    if !output.status.success() {
        bail!(
            "rustup has no `{program}` for toolchain `{toolchain}`:\n{}\nhelp: install it with `rustup toolchain install {toolchain}`",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}
