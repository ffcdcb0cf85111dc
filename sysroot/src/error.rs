//! The error type of the sysroot builder: what callers act on, with a `help:` line when the
//! fix is known.

use std::path::{Path, PathBuf};

use crate::patch::AnchorProblem;

/// Everything that can go wrong while preparing a WASIX sysroot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed.
    #[error("failed to {action} `{}`: {source}", path.display())]
    Io {
        /// The verb (`read`, `write`, `create`, `copy`, `rename`, `remove`, `lock` ...).
        action: &'static str,
        /// The path the operation was about.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// `edits.toml` (or another patch-set file) is malformed.
    #[error(
        "invalid patch set file `{origin}`: {reason}\nhelp: the format is described in sysroot/patches/README.md"
    )]
    PatchFormat {
        /// Which file.
        origin: String,
        /// What is wrong.
        reason: String,
    },

    /// A file of the patch set's `files/` already exists in the tree.
    #[error("{patch_set}: new file `{}` already exists in the source tree\nhelp: patch sets are applied to a fresh copy only; change existing files with an [[edit]] instead", path.display())]
    PatchFileExists {
        /// The patch set.
        patch_set: String,
        /// The file.
        path: PathBuf,
    },

    /// An edit names a file that cannot be read.
    #[error("{patch_set}: cannot read `{}` to edit it: {source}\nhelp: the upstream source layout changed; update the patch set", path.display())]
    PatchTarget {
        /// The patch set.
        patch_set: String,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// An anchor is missing or not unique.
    #[error("{patch_set}: in `{file}`, {} `{anchor}`\nhelp: the upstream source changed; update the anchor in the patch set's edits.toml", anchor_problem(.problem))]
    Anchor {
        /// The patch set.
        patch_set: String,
        /// The file relative to the tree root.
        file: String,
        /// The anchor text.
        anchor: String,
        /// Missing or ambiguous.
        problem: AnchorProblem,
    },

    /// A `[[rewrite]]` found no occurrence at all.
    #[error(
        "{patch_set}: no `.rs` file under `{under}` contains `{from}`\nhelp: the upstream source changed its cfg; update the rewrite in the patch set's edits.toml"
    )]
    RewriteFoundNothing {
        /// The patch set.
        patch_set: String,
        /// The directory searched.
        under: String,
        /// The text that was not found.
        from: String,
    },

    /// A command could not be started.
    #[error("failed to run `{command}`: {source}\nhelp: {help}")]
    Spawn {
        /// The command line.
        command: String,
        /// The underlying error.
        source: std::io::Error,
        /// What to install or set.
        help: String,
    },

    /// A command ran and failed.
    #[error("`{command}` failed ({status}){}", tail(.stderr))]
    CommandFailed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// Its captured standard error (may be empty when it was shown live).
        stderr: String,
    },

    /// Output of a tool could not be understood.
    #[error("unexpected output from `{command}`: {reason}")]
    UnexpectedOutput {
        /// The command line.
        command: String,
        /// What was wrong.
        reason: String,
    },

    /// The Rust toolchain has no std patch set.
    #[error(
        "Rust {version} is not supported by this cargo-wasix (supported: {supported})\nhelp: install a supported toolchain with `rustup toolchain install {newest}` and build with `cargo +{newest} wasix build`"
    )]
    UnsupportedRust {
        /// The detected `release:`.
        version: String,
        /// Comma-separated supported minors.
        supported: String,
        /// The newest supported minor.
        newest: String,
    },

    /// A beta/nightly newer than every std patch set, and the newest set does not apply to it.
    #[error(
        "Rust {version} is newer than the versions this cargo-wasix supports ({supported}), and the std patch set for {newest} does not apply to it: {reason}\nhelp: build with a supported toolchain, e.g. `rustup toolchain install {newest}` and `cargo +{newest} wasix build`"
    )]
    NewerRustNotPatched {
        /// The detected `release:`.
        version: String,
        /// Comma-separated supported minors.
        supported: String,
        /// The newest supported minor.
        newest: String,
        /// The first anchor that failed (file and anchor).
        reason: String,
    },

    /// A download (the wasi-libc of another Rust release) failed.
    #[error("failed to download `{url}`: {reason}\nhelp: {help}")]
    Download {
        /// What was fetched.
        url: String,
        /// What went wrong (network, HTTP status, checksum).
        reason: String,
        /// The fix, including the offline route.
        help: String,
    },

    /// No target spec is embedded for the requested target.
    #[error(
        "unknown WASIX target `{target}` (supported: {supported})\nhelp: use `--target wasm32-wasmer-wasi`"
    )]
    UnsupportedTarget {
        /// The requested target.
        target: String,
        /// Comma-separated supported targets.
        supported: String,
    },

    /// A toolchain component is missing and cannot be installed automatically.
    #[error("{what} is missing (looked for `{}`)\nhelp: {help}", path.display())]
    MissingComponent {
        /// What is missing.
        what: String,
        /// Where it was expected.
        path: PathBuf,
        /// How to install it.
        help: String,
    },

    /// A problem with the patched source of a crate (its overlay, its version, its download).
    #[error("cannot prepare the WASIX-patched `{krate}` {version}: {reason}\nhelp: {help}")]
    OverlaySource {
        /// The crate.
        krate: String,
        /// The wanted version.
        version: String,
        /// What went wrong.
        reason: String,
        /// What to do.
        help: String,
    },

    /// A problem with a static archive (libc.a).
    #[error("archive `{}`: {reason}", path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// Building std failed.
    #[error("building the WASIX sysroot failed: {reason}\nhelp: the patched sources are kept at `{}` for inspection until the next run", dir.display())]
    Build {
        /// The error from rustc-build-sysroot / cargo.
        reason: String,
        /// The patched library directory, for inspection.
        dir: PathBuf,
    },

    /// `CARGO_WASIX_TARGET_FEATURES` holds something invalid.
    #[error(
        "invalid {} `{value}`: {reason}\nhelp: {}",
        crate::features::ENV,
        crate::features::TargetFeatures::help()
    )]
    TargetFeatures {
        /// The variable's value.
        value: String,
        /// What is wrong with it.
        reason: crate::features::FeatureError,
    },

    /// No cache directory could be determined.
    #[error(
        "cannot determine a cache directory for the WASIX sysroot\nhelp: set CARGO_WASIX_HOME to a writable directory"
    )]
    NoCacheDir,
}

impl Error {
    /// Shorthand for [`Error::Io`].
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

fn anchor_problem(p: &AnchorProblem) -> String {
    match p {
        AnchorProblem::Missing => "anchor not found:".to_owned(),
        AnchorProblem::Ambiguous(n) => {
            format!("ambiguous anchor (occurs {n} times, must be once):")
        }
        AnchorProblem::Count { expected, found } => format!(
            "anchor occurs {found} times (overlapping ones included) where the edit's `count` says {expected}:"
        ),
    }
}

fn tail(stderr: &str) -> String {
    let trimmed = stderr.trim();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!(":\n{trimmed}")
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
