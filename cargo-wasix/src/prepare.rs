//! The bridge to the `wasix-sysroot` library: prepare (or find) the sysroot and the patched
//! crates (overlays), showing progress the cargo way (a spinner with elapsed time on a terminal, plain
//! status lines otherwise, nothing under `-q`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use wasix_sysroot::progress::Progress;

use crate::delivery::{self, Delivery};
use crate::env;
use crate::shell::{self, Shell};
use crate::stamp::{self, StampData};
use crate::target::Wasix;
use crate::toolchain::Toolchain;

pub use wasix_sysroot::overlay::Patched;
pub use wasix_sysroot::{Outcome, Prepared};

/// The sysroot options of this run: the default target and cache root, and the target
/// features of `CARGO_WASIX_TARGET_FEATURES` (an invalid value is an error naming the valid
/// features).
pub fn sysroot_options() -> Result<wasix_sysroot::Options> {
    Ok(wasix_sysroot::Options::from_env()?)
}

/// Prepares (or finds) the WASIX sysroot for a detected toolchain (a cache hit costs two
/// rustc queries and a marker read); also returns the elapsed time. The first progress line
/// announces what is about to happen.
pub fn prepare_with(
    detected: &wasix_sysroot::Toolchain,
    options: &wasix_sysroot::Options,
    shell: &Shell,
) -> Result<(Prepared, Duration)> {
    let started = Instant::now();
    let features = if options.features.is_default() {
        String::new()
    } else {
        format!(", target features {}", options.features)
    };
    let intro = format!(
        "WASIX sysroot for rustc {}{features} (once per toolchain; this takes a minute or two)",
        detected.version.semver
    );
    let mut progress = ShellProgress::new(shell, Some(("Preparing", intro)));
    let prepared = wasix_sysroot::prepare(detected, options, &mut progress)
        .context("failed to prepare the WASIX sysroot")?;
    progress.finish();
    let elapsed = started.elapsed();
    if prepared.outcome == Outcome::Built {
        shell.status(
            "Finished",
            format!(
                "WASIX sysroot in {} at `{}`",
                shell::format_elapsed(elapsed),
                prepared.sysroot.display()
            ),
        );
    }
    Ok((prepared, elapsed))
}

/// The WASIX-patched sources of `krate` at exactly `version` (prepared once, cached).
pub fn patched_crate(
    detected: &wasix_sysroot::Toolchain,
    krate: &str,
    version: &str,
    shell: &Shell,
) -> Result<Patched> {
    let mut progress = ShellProgress::new(shell, None);
    let patched = wasix_sysroot::patched_crate(
        detected,
        krate,
        version,
        &wasix_sysroot::Options::default(),
        &mut progress,
    )
    .with_context(|| format!("failed to prepare the WASIX-patched {krate} {version}"))?;
    progress.finish();
    Ok(patched)
}

/// One user command's access to the sysroot and patched crates, answered from the warm-path
/// stamp when it is valid (no rustc runs), else from the sysroot library (and then stamped).
pub struct Session<'a> {
    toolchain: &'a Toolchain,
    shell: &'a Shell,
    options: wasix_sysroot::Options,
    detected: Option<wasix_sysroot::Toolchain>,
    stamp_path: Option<PathBuf>,
    stamp: Option<StampData>,
}

impl<'a> Session<'a> {
    /// A session for `target` and the target features of this run
    /// (`CARGO_WASIX_TARGET_FEATURES`).
    pub fn new(toolchain: &'a Toolchain, shell: &'a Shell, target: Wasix) -> Result<Self> {
        let mut options = sysroot_options()?;
        options.target = target.triple().to_owned();
        for caution in options.features.cautions() {
            shell.warn(caution);
        }
        // One stamp per target and feature set: each has its own sysroot.
        let variant = format!("{} {}", options.target, options.features);
        let stamp_path = options
            .cache_root()
            .ok()
            .and_then(|root| stamp::stamp_path(&root, toolchain, &variant));
        let stamp = stamp_path.as_deref().and_then(stamp::read);
        Ok(Session {
            toolchain,
            shell,
            options,
            detected: None,
            stamp_path,
            stamp,
        })
    }

    fn detected(&mut self) -> Result<&wasix_sysroot::Toolchain> {
        if self.detected.is_none() {
            self.detected = Some(sysroot_toolchain(self.toolchain)?);
        }
        Ok(self.detected.as_ref().expect("set just above"))
    }

    /// The prepared sysroot (`--sysroot`).
    pub fn sysroot(&mut self) -> Result<PathBuf> {
        if let Some(sysroot) = self.stamp.as_ref().and_then(|s| s.valid_sysroot()) {
            return Ok(sysroot.to_owned());
        }
        let shell = self.shell;
        let options = self.options.clone();
        let (prepared, _) = prepare_with(self.detected()?, &options, shell)?;
        // A new sysroot invalidates remembered crate copies only if they vanished; keep them.
        let overlays = self.stamp.take().map(|s| s.overlays).unwrap_or_default();
        let rust_sysroot = self.detected()?.sysroot.clone();
        self.stamp = Some(StampData {
            sysroot: prepared.sysroot.clone(),
            entry: prepared.entry.clone(),
            overlays,
            rust_sysroot,
        });
        self.save();
        Ok(prepared.sysroot)
    }

    /// How target compiles get the sysroot (`delivery.rs`): a toolchain directory for the
    /// compile caches' sake, or `--sysroot` where none can be made (said under `-v`) or
    /// `CARGO_WASIX_SYSROOT_FLAG` asks for it.
    pub fn delivery(&mut self, cache_root: &Path) -> Result<Delivery> {
        let prepared = self.sysroot()?;
        let forced = std::env::var(env::SYSROOT_FLAG).is_ok_and(|v| env::is_truthy(&v));
        if forced {
            return Ok(Delivery::Flag { sysroot: prepared });
        }
        let known = self
            .stamp
            .as_ref()
            .filter(|s| !s.rust_sysroot.as_os_str().is_empty())
            .map(|s| (s.rust_sysroot.clone(), s.entry.clone()));
        let (rust_sysroot, entry) = match known {
            Some(known) => known,
            None => {
                let rust_sysroot = self.detected()?.sysroot.clone();
                if let Some(stamp) = self.stamp.as_mut() {
                    stamp.rust_sysroot = rust_sysroot.clone();
                }
                self.save();
                let entry = self
                    .stamp
                    .as_ref()
                    .map(|s| s.entry.clone())
                    .or_else(|| prepared.parent().map(Path::to_owned))
                    .unwrap_or_else(|| prepared.clone());
                (rust_sysroot, entry)
            }
        };
        let sources = delivery::Sources {
            cache_root,
            user_sysroot: &rust_sysroot,
            prepared: &prepared,
            entry: &entry,
            target: &self.options.target,
        };
        match delivery::toolchain_dir(&sources)? {
            Ok(delivered) => Ok(delivered),
            Err(why) => {
                self.shell.verbose_note(format!(
                    "target compiles get `--sysroot` (compiler caches such as sccache skip them): {}",
                    why.0
                ));
                Ok(Delivery::Flag { sysroot: prepared })
            }
        }
    }

    /// The patched sources of `krate` `version`.
    pub fn patched_crate(&mut self, krate: &str, version: &str) -> Result<Patched> {
        if let Some(dir) = self
            .stamp
            .as_ref()
            .and_then(|s| s.valid_overlay(krate, version))
        {
            return Ok(Patched::at(dir.to_owned()));
        }
        let shell = self.shell;
        let patched = patched_crate(self.detected()?, krate, version, shell)?;
        if let Some(stamp) = self.stamp.as_mut() {
            stamp
                .overlays
                .retain(|(k, v, _)| k != krate || v != version);
            stamp
                .overlays
                .push((krate.to_owned(), version.to_owned(), patched.dir.clone()));
            self.save();
        }
        Ok(patched)
    }

    fn save(&self) {
        if let (Some(path), Some(data)) = (&self.stamp_path, &self.stamp) {
            stamp::write(path, data);
        }
    }
}

/// The sysroot library's view of our toolchain (runs `rustc -vV` and `--print sysroot`).
pub fn sysroot_toolchain(toolchain: &Toolchain) -> Result<wasix_sysroot::Toolchain> {
    wasix_sysroot::Toolchain::with_commands(toolchain.rustc.clone(), toolchain.cargo.clone())
        .context("failed to inspect the Rust toolchain")
}

/// Where the runtime caches compiled modules: `<cache root>/modules`.
pub fn module_cache_dir() -> Option<PathBuf> {
    wasix_sysroot::cache::cache_root()
        .ok()
        .map(|root| root.join("modules"))
}

/// Forwards the library's status lines to our shell, with a spinner on a terminal.
struct ShellProgress<'a> {
    shell: &'a Shell,
    /// Printed before the first line, so a cache hit prints nothing at all.
    intro: Option<(&'static str, String)>,
    spinner: Option<ProgressBar>,
}

impl<'a> ShellProgress<'a> {
    fn new(shell: &'a Shell, intro: Option<(&'static str, String)>) -> Self {
        ShellProgress {
            shell,
            intro,
            spinner: None,
        }
    }

    fn finish(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

impl Progress for ShellProgress<'_> {
    fn status(&mut self, verb: &str, message: &str) {
        self.finish();
        if let Some((intro_verb, intro)) = self.intro.take() {
            self.shell.status(intro_verb, intro);
        }
        self.shell.status(verb, message);
        if self.shell.is_interactive() {
            let spinner = ProgressBar::new_spinner();
            if let Ok(style) =
                ProgressStyle::with_template("{spinner:.green} {elapsed:>9} {wide_msg}")
            {
                spinner.set_style(style);
            }
            spinner.set_message(format!("{verb} {message}"));
            spinner.enable_steady_tick(Duration::from_millis(120));
            self.spinner = Some(spinner);
        }
    }
}

impl Drop for ShellProgress<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
