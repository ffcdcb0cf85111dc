//! Sysroot packs (issue 13): a prepared sysroot written once as a `.tar.gz` with a manifest,
//! and installed on another machine (a CI job, a teammate) instead of built there.
//!
//! ```text
//! <pack>.tar.gz
//!     cargo-wasix-sysroot.json        the manifest, always the first member ([`Manifest`])
//!     <rustc commit 9>-<key 16>/...   one cache entry per packed sysroot, as in the cache
//!                                     (without its completion marker: install writes that)
//! <pack>.tar.gz.sha256                `<hex>  <file name>` (the `sha256sum -c` format)
//! ```
//!
//! The manifest records rustc (version, commit, host) and, per entry, the target, the target
//! features and the sysroot cache key ([`crate::cache::sysroot_key`]). Installing recomputes
//! that key for the local rustc and this tool's embedded inputs, so a pack fits exactly when the
//! cache would have built the same entry. Installation unpacks into a work directory beside the
//! entry and publishes it with [`crate::cache::publish`] (one rename, marker last); a complete
//! entry with the same key is kept as it is (it is the same sysroot), so a killed install never
//! takes away a usable sysroot.

pub mod download;
mod install;
pub mod manifest;
pub mod paths;
mod write;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use download::{DownloadProgress, download, fetch_sidecar, parse_sidecar, sha256_file};
pub use install::{Installed, InstalledEntry, install};
pub use manifest::{MANIFEST_NAME, Manifest, Mismatch, PackedEntry, RustcId};
pub use write::{Packed, write};

use crate::{Options, Toolchain, cache, embedded::Inputs};

/// What can go wrong while packing or installing a sysroot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The sysroot library itself failed (cache, lock, planning, file system).
    #[error(transparent)]
    Sysroot(#[from] crate::Error),

    /// The archive cannot be read, or holds something a pack never holds.
    #[error(
        "`{}` is not a usable sysroot pack: {reason}\nhelp: the file is damaged or was not written by `cargo wasix sysroot pack`; nothing was installed, download or pack it again",
        path.display()
    )]
    Damaged {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The pack was made for another rustc or by a cargo-wasix with other inputs.
    #[error("the sysroot pack `{}` does not fit here: {}\nhelp: {}", path.display(), .mismatch.reason, .mismatch.help)]
    Mismatch {
        /// The archive.
        path: PathBuf,
        /// Both sides and the fix.
        mismatch: Mismatch,
    },

    /// The archive's sha256 differs from the expected one.
    #[error(
        "sha256 mismatch for `{}`: the file has {got}, {from} says {expected}\nhelp: the file is damaged or not the one that was published; nothing was installed, download it again",
        path.display()
    )]
    Checksum {
        /// The archive.
        path: PathBuf,
        /// The file's sha256.
        got: String,
        /// The expected sha256.
        expected: String,
        /// Where the expected one came from (`--sha256`, `<file>.sha256`).
        from: String,
    },

    /// A download failed.
    #[error(
        "failed to download `{url}`: {reason}\nhelp: check the address and the network, or download the file and run `cargo wasix sysroot install <file>`"
    )]
    Download {
        /// The address.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

impl PackError {
    /// A file-system operation failed (the sysroot library's own [`crate::Error::Io`]).
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        PackError::Sysroot(crate::Error::io(action, path, source))
    }

    pub(crate) fn damaged(path: &Path, reason: impl Into<String>) -> Self {
        PackError::Damaged {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Result alias of this module.
pub type Result<T, E = PackError> = std::result::Result<T, E>;

/// One sysroot of the cache that a pack can hold: what the cache would build for a target
/// with the given features and the local rustc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The target name.
    pub target: String,
    /// The target features (canonical spelling, `+simd128,...`).
    pub features: String,
    /// The std patch set's parts (`common+since-1.97`).
    pub std_patch_set: String,
    /// The cache entry.
    pub entry: PathBuf,
    /// The sysroot cache key.
    pub key: String,
    /// Whether the entry is published (complete).
    pub complete: bool,
}

/// The sysroots this tool would use for `toolchain` with `options`' target features: one per
/// embedded target spec (`options.target` first), built or not.
pub fn candidates(toolchain: &Toolchain, options: &Options) -> Result<Vec<Candidate>> {
    let inputs = Inputs::embedded();
    let mut targets: Vec<String> = inputs
        .target_specs
        .iter()
        .filter_map(|(p, _)| p.strip_suffix(".json"))
        .map(str::to_owned)
        .collect();
    targets.sort_by_key(|t| *t != options.target);
    targets
        .into_iter()
        .map(|target| {
            let options = Options {
                target,
                ..options.clone()
            };
            candidate(toolchain, &options, &inputs)
        })
        .collect()
}

/// The candidate for exactly `options` (its target and features).
fn candidate(toolchain: &Toolchain, options: &Options, inputs: &Inputs) -> Result<Candidate> {
    let plan = crate::plan(toolchain, options, inputs)?;
    let patches = crate::stdpatch::StdPatches::embedded(inputs)?;
    let std_patch_set = patches
        .sets
        .get(plan.std_set)
        .map(|set| set.parts.join("+"))
        .unwrap_or_default();
    Ok(Candidate {
        target: options.target.clone(),
        features: options.features.to_string(),
        std_patch_set,
        complete: cache::is_complete(&plan.entry, &plan.key),
        entry: plan.entry,
        key: plan.key,
    })
}

/// The identity of a toolchain's rustc as a manifest records it.
pub fn rustc_id(toolchain: &Toolchain) -> RustcId {
    RustcId {
        version: toolchain.version.semver.to_string(),
        commit_hash: toolchain.version.commit_hash.clone().unwrap_or_default(),
        commit_date: toolchain.version.commit_date.clone().unwrap_or_default(),
        host: toolchain.version.host.clone(),
    }
}

/// What wrote a pack (recorded in the manifest, named in mismatch errors).
pub fn made_by() -> String {
    format!("cargo-wasix {}", env!("CARGO_PKG_VERSION"))
}
