//! Prepares the WASIX sysroot from the user's own rust-src.
//!
//! The caller stays linear (this is what `cargo wasix` does):
//!
//! ```no_run
//! use wasix_sysroot::{Options, Toolchain, prepare, patched_crate, progress::Stderr};
//! # fn main() -> wasix_sysroot::Result<()> {
//! let toolchain = Toolchain::detect()?;              // RUSTC / CARGO / RUSTUP_TOOLCHAIN
//! let prepared = prepare(&toolchain, &Options::default(), &mut Stderr)?;
//! // For compiles of the WASIX target only (the rustc-wrapper mode):
//! //   rustc ... --target wasm32-wasmer-wasi --sysroot <prepared.sysroot> -Zunstable-options
//! //   with RUSTC_BOOTSTRAP=1 (rustc finds <sysroot>/lib/rustlib/wasm32-wasmer-wasi/target.json;
//! //   `prepared.target_specs` is also usable as RUST_TARGET_PATH).
//! let libc = patched_crate(&toolchain, "libc", "0.2.178", &Options::default(), &mut Stderr)?;
//! //   cargo --config 'patch.crates-io.libc.path="<libc.dir>"' ...
//! let report = wasix_sysroot::status(&toolchain, &Options::default())?; // `cargo wasix status`
//! wasix_sysroot::clean(&Options::default(), &mut Stderr)?;              // `cargo wasix self clean`
//! # let _ = (prepared, libc, report);
//! # Ok(()) }
//! ```
//!
//! Errors are [`Error`] values whose messages are lowercase, name the path or command, and end
//! with a `help:` line when the fix is known (e.g. [`Error::UnsupportedRust`] names the
//! supported versions and the `rustup toolchain install` / `cargo +1.95 wasix build` commands).
//! Progress goes through [`progress::Progress`] (`Installing`, `Copying`, `Patching`,
//! `Building`, `Blocking`, `Removing` status lines); nothing is printed otherwise.
//!
//! Cache layout (root: `$CARGO_WASIX_HOME`, else `<user cache dir>/cargo-wasix`):
//!
//! ```text
//! <root>/.lock                                  cross-process lock (std File::lock)
//! <root>/<rustc commit 9>-<inputs key 16>/      one sysroot entry, published by one rename
//!     .cargo-wasix-complete                     marker written last (content: the key)
//!     library/                                  patched std sources (+ libc-wasix/, libwasix/)
//!     target-specs/wasm32-wasmer-wasi.json
//!     sysroot/lib/rustlib/wasm32-wasmer-wasi/{lib/*.rlib, target.json,
//!                                            lib/self-contained/{crt1-command.o,crt1-reactor.o,libc.a}}
//!     sysroot/lib/rustlib/src/rust -> ../../../..   (std sources, remapped as /rustc/<commit>/library)
//! <root>/overlays/<crate>/<version>-<key 16>/  patched crate sources (+ marker, registry checksum)
//! <root>/wasi-libc/<release>/                  Rust 1.99+: libc.a, crt1-*.o of that release
//!                                               (downloaded once; [`wasi_libc`])
//! ```
//!
//! [`pack`] writes sysroot entries into a `.tar.gz` with a manifest and installs such a pack
//! into another cache (same rustc and inputs, checked by the same key), instead of a build.
//!
//! The key hashes rustc `-vV`, a format version, the optional target features
//! ([`features`], `CARGO_WASIX_TARGET_FEATURES`) and every embedded input (target specs, the
//! std patch set's manifest and selected parts ([`stdpatch`]), the wasi-libc release for
//! 1.99+, `overlays/libc/`, libwasix sources and its replaced-members list); a cache hit only runs `rustc -vV`/`--print sysroot` and reads one marker file.

pub mod archive;
mod builder;
pub mod cache;
pub mod embedded;
mod error;
pub mod features;
pub mod overlay;
pub mod pack;
pub mod patch;
pub mod progress;
pub mod stdpatch;
pub mod toolchain;
pub mod wasi64;
pub mod wasi_libc;
pub mod wrapped;

use std::path::{Path, PathBuf};

pub use builder::{EntryLayout, libwasix_manifest};
pub use error::{Error, Result};
pub use features::TargetFeatures;
pub use toolchain::Toolchain;

use embedded::Inputs;
use progress::Progress;

/// The default (and today only) WASIX target.
pub const TARGET: &str = "wasm32-wasmer-wasi";

/// What to prepare, and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Target name; a `<target>.json` must be embedded (from `target-specs/`).
    pub target: String,
    /// Cache root override; `None` means `$CARGO_WASIX_HOME`, else the user cache dir.
    pub cache_root: Option<PathBuf>,
    /// The optional target features std and user crates are compiled with.
    pub features: TargetFeatures,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: TARGET.to_owned(),
            cache_root: None,
            features: TargetFeatures::default(),
        }
    }
}

impl Options {
    /// The defaults with the target features of `CARGO_WASIX_TARGET_FEATURES` (unset or empty:
    /// the default features); an invalid value is an error naming the valid features.
    pub fn from_env() -> Result<Self> {
        let value = std::env::var(features::ENV).unwrap_or_default();
        let features = TargetFeatures::parse(&value)
            .map_err(|reason| Error::TargetFeatures { value, reason })?;
        Ok(Options {
            features,
            ..Options::default()
        })
    }

    /// The cache root these options select.
    pub fn cache_root(&self) -> Result<PathBuf> {
        match &self.cache_root {
            Some(root) => std::path::absolute(root).map_err(|e| Error::io("resolve", root, e)),
            None => cache::cache_root(),
        }
    }
}

/// Whether [`prepare`] found the sysroot or built it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was in the cache (no lock taken, nothing built).
    AlreadyCached,
    /// It was built now.
    Built,
}

/// A ready sysroot.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Pass as `--sysroot`.
    pub sysroot: PathBuf,
    /// A directory containing `<target_name>.json` (for `RUST_TARGET_PATH`).
    pub target_specs: PathBuf,
    /// The target name to pass as `--target`.
    pub target_name: String,
    /// rustc's semver (`1.95.0`).
    pub rustc_version: String,
    /// The cache entry holding everything.
    pub entry: PathBuf,
    /// Cached or built.
    pub outcome: Outcome,
}

/// Prepares (or finds) the WASIX sysroot for `toolchain`.
///
/// Fails with [`Error::UnsupportedRust`] when there is no std patch set for the toolchain's
/// minor version; installs missing rustup components (announced through `progress`).
pub fn prepare(
    toolchain: &Toolchain,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<Prepared> {
    let inputs = Inputs::embedded();
    let plan = plan(toolchain, options, &inputs)?;
    let mut prepared = plan.prepared(toolchain, options, Outcome::AlreadyCached);
    if cache::is_complete(&plan.entry, &plan.key) {
        return Ok(prepared);
    }
    let lock = cache::lock(&plan.root, progress)?;
    // Another process may have finished the build while we waited for the lock.
    if cache::is_complete(&plan.entry, &plan.key) {
        return Ok(prepared);
    }
    toolchain.ensure_components(progress)?;
    cache::remove_stale_work_dirs(&lock, &plan.root)?;
    let work = cache::work_dir(&lock, &plan.entry)?;
    builder::build(
        &lock,
        &builder::BuildPlan {
            toolchain,
            inputs: &inputs,
            cache_root: &plan.root,
            work: &work,
            entry: &plan.entry,
            target: &options.target,
            target_spec: &plan.spec,
            std_set: plan.std_set,
            std_set_tried: plan.selection != stdpatch::Selection::Covered(plan.std_set),
        },
        progress,
    )?;
    cache::publish(&lock, &work, &plan.entry, &plan.key)?;
    // Each change of cargo-wasix's inputs makes a new entry for the same rustc and target; keep
    // the two previous ones (another cargo-wasix binary may still use them) and drop older
    // ones. The other target's entries (wasm32 / wasm64) are not counted.
    let rustlib = Path::new("sysroot/lib/rustlib").join(&options.target);
    let same_target = |entry: &Path| entry.join(&rustlib).is_dir();
    let prefix = toolchain.commit_short();
    for old in cache::prune_entries(&lock, &plan.root, (&prefix, same_target), &plan.entry, 2)? {
        progress.status("Removing", &format!("old sysroot `{}`", old.display()));
    }
    prepared.outcome = Outcome::Built;
    Ok(prepared)
}

/// The source of `krate` at exactly `version` with its WASIX overlay (`overlays/<krate>/`)
/// applied (built once, cached). For user builds:
/// `cargo --config 'patch.crates-io.<krate>.path="<dir>"'`, with the version the user's
/// `Cargo.lock` wants. Errors name the covered versions when no patch set covers `version`.
pub fn patched_crate(
    toolchain: &Toolchain,
    krate: &str,
    version: &str,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<overlay::Patched> {
    let inputs = Inputs::embedded();
    let root = options.cache_root()?;
    if let Some(found) = overlay::overlay_of(&inputs, krate)? {
        let (entry, key, _) = overlay::entry_for(&found, &root, version)?;
        if cache::is_complete(&entry, &key) {
            return Ok(overlay::Patched::at(entry));
        }
    }
    let lock = cache::lock(&root, progress)?;
    overlay::patched_locked(&lock, toolchain, &inputs, &root, krate, version, progress)
}

/// What `cargo wasix status` reports.
#[derive(Debug, Clone)]
pub struct Status {
    /// rustc's semver.
    pub rustc_version: String,
    /// Whether a std patch set exists for this minor.
    pub supported: bool,
    /// Minors with a patch set.
    pub supported_versions: Vec<String>,
    /// rust-src `library/`.
    pub rust_src: PathBuf,
    /// The base self-contained libc.a (wasip1-threads): the toolchain's own, or from Rust 1.99 on
    /// the cached one of [`wasi_libc::FALLBACK_RELEASE`].
    pub base_libc: PathBuf,
    /// Names of missing rustup components.
    pub missing_components: Vec<String>,
    /// The cache root.
    pub cache_root: PathBuf,
    /// Where the sysroot for this toolchain and these inputs lives (or will live).
    pub sysroot: PathBuf,
    /// Whether that sysroot is complete.
    pub up_to_date: bool,
    /// The optional target features of that sysroot (`+simd128,...,-relaxed-simd`).
    pub features: String,
    /// Other entries in the cache (older toolchains or inputs), removable with [`clean`].
    pub other_entries: Vec<PathBuf>,
}

/// Reports what is installed where, without changing anything.
pub fn status(toolchain: &Toolchain, options: &Options) -> Result<Status> {
    let inputs = Inputs::embedded();
    let root = options.cache_root()?;
    let patches = stdpatch::StdPatches::embedded(&inputs)?;
    let supported_versions = patches.supported();
    let selected = stdpatch::select_or_error(&patches, &toolchain.version.semver).ok();
    let supported = selected.is_some();
    let parts = selected
        .map(|(i, _)| patches.sets[i].parts.clone())
        .unwrap_or_default();
    let key = cache::sysroot_key(
        &toolchain.verbose_version,
        &parts,
        &options.target,
        &options.features,
        &inputs,
    );
    let entry = entry_path(&root, toolchain, &key);
    let other_entries = std::fs::read_dir(&root)
        .map(|rd| {
            let mut found: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    *p != entry
                        && p.file_name()
                            .is_some_and(|n| is_entry_name(&n.to_string_lossy()))
                })
                .collect();
            found.sort();
            found
        })
        .unwrap_or_default();
    Ok(Status {
        rustc_version: toolchain.version.semver.to_string(),
        supported,
        supported_versions,
        rust_src: toolchain.rust_src(),
        base_libc: wasi_libc::source_for(toolchain, &root).dir().join("libc.a"),
        missing_components: toolchain
            .missing_components()
            .into_iter()
            .map(|c| c.name.to_owned())
            .collect(),
        cache_root: root,
        sysroot: EntryLayout::new(&entry).sysroot,
        up_to_date: supported && cache::is_complete(&entry, &key),
        features: options.features.to_string(),
        other_entries,
    })
}

/// Removes everything cargo-wasix put in its cache root (sysroots, patched crate sources, work
/// dirs, the runtime's module cache); only the empty lock file stays. rustup components are
/// left alone: they belong to the user's toolchain. Returns the cleaned root, or `None` when
/// there was none.
pub fn clean(options: &Options, progress: &mut dyn Progress) -> Result<Option<PathBuf>> {
    let root = options.cache_root()?;
    if !root.exists() {
        return Ok(None);
    }
    let lock = cache::lock(&root, progress)?;
    progress.status("Removing", &format!("`{}`", root.display()));
    // Everything but the lock file itself: a process waiting for the lock must keep waiting
    // on the same file, or two processes could both believe they hold it.
    let entries = std::fs::read_dir(&root).map_err(|e| Error::io("read", &root, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == ".lock" {
            continue;
        }
        if path.is_dir() && !path.is_symlink() {
            cache::remove_dir_if_exists(&path)?;
        } else {
            std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
    }
    drop(lock);
    Ok(Some(root))
}

struct Plan {
    root: PathBuf,
    key: String,
    entry: PathBuf,
    /// The embedded spec with the chosen optional features.
    spec: Vec<u8>,
    /// Index of the std patch set (`sysroot/patches/std/std.toml`).
    std_set: usize,
    /// Whether the set covers this Rust or is tried on a newer beta/nightly.
    selection: stdpatch::Selection,
}

impl Plan {
    fn prepared(&self, tc: &Toolchain, options: &Options, outcome: Outcome) -> Prepared {
        let layout = EntryLayout::new(&self.entry);
        Prepared {
            sysroot: layout.sysroot,
            target_specs: layout.target_specs,
            target_name: options.target.clone(),
            rustc_version: tc.version.semver.to_string(),
            entry: self.entry.clone(),
            outcome,
        }
    }
}

fn plan(toolchain: &Toolchain, options: &Options, inputs: &Inputs) -> Result<Plan> {
    let patches = stdpatch::StdPatches::embedded(inputs)?;
    let (std_set, selection) = stdpatch::select_or_error(&patches, &toolchain.version.semver)?;
    let parts = patches.sets[std_set].parts.clone();
    let spec = inputs
        .target_spec(&options.target)
        .ok_or_else(|| Error::UnsupportedTarget {
            target: options.target.clone(),
            supported: inputs
                .target_specs
                .iter()
                .filter_map(|(p, _)| p.strip_suffix(".json"))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let spec = options
        .features
        .apply_to_spec(spec)
        .map_err(|reason| Error::UnexpectedOutput {
            command: format!("the embedded target spec {}.json", options.target),
            reason,
        })?;
    let root = options.cache_root()?;
    let key = cache::sysroot_key(
        &toolchain.verbose_version,
        &parts,
        &options.target,
        &options.features,
        inputs,
    );
    let entry = entry_path(&root, toolchain, &key);
    Ok(Plan {
        root,
        key,
        entry,
        spec,
        std_set,
        selection,
    })
}

fn entry_path(root: &Path, toolchain: &Toolchain, key: &str) -> PathBuf {
    root.join(format!("{}-{key}", toolchain.commit_short()))
}

/// Whether a cache-root file name is a (possibly half-built) sysroot entry:
/// `<rustc commit or version>-<16 hex digits>`, optionally with a work-dir suffix.
fn is_entry_name(name: &str) -> bool {
    let name = name.split(".tmp-").next().unwrap_or(name);
    match name.rsplit_once('-') {
        Some((prefix, key)) => {
            !prefix.is_empty() && key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolchain(release: &str) -> Toolchain {
        fake_toolchain(release, "59807616e1fa2540724bfbac14d7976d7e4a3860")
    }

    /// A toolchain as `rustc -vV` of `release` at `commit` would describe it (no files).
    pub(crate) fn fake_toolchain(release: &str, commit: &str) -> Toolchain {
        let vv = format!(
            "rustc {release} ({short} 2026-04-14)\nbinary: rustc\n\
             commit-hash: {commit}\ncommit-date: 2026-04-14\n\
             host: x86_64-unknown-linux-gnu\nrelease: {release}\nLLVM version: 22.1.2\n",
            short = &commit[..9]
        );
        Toolchain {
            rustc: "rustc".into(),
            cargo: "cargo".into(),
            version: rustc_version::version_meta_for(&vv).expect("parse"),
            verbose_version: vv,
            sysroot: "/nonexistent".into(),
            rustup_toolchain: None,
        }
    }

    #[test]
    fn unsupported_rust_and_target_are_one_line_errors_with_help() {
        let inputs = Inputs::embedded();
        let opts = Options {
            cache_root: Some("/nonexistent/cache".into()),
            ..Options::default()
        };
        let cases = [
            ("1.80.0", Some("Rust 1.80.0 is not supported")),
            (
                "1.80.0-nightly",
                Some("Rust 1.80.0-nightly is not supported"),
            ),
            // 1.100 and 1.101 are verified on pre-releases only: their stables are refused.
            ("1.100.0", Some("Rust 1.100.0 is not supported")),
            ("1.101.0", Some("Rust 1.101.0 is not supported")),
            ("1.102.0", Some("Rust 1.102.0 is not supported")),
            ("1.100.0-beta.7", None),
            ("1.95.0", None),
            ("1.95.2", None),
            ("1.96.0-beta.1", None),
            ("1.97.0-nightly", None),
            ("1.99.1", None),
            ("1.101.0-nightly", None),
            // A nightly newer than every set tries the newest one.
            ("1.102.0-nightly", None),
        ];
        for (release, want) in cases {
            let got = plan(&toolchain(release), &opts, &inputs);
            match want {
                None => {
                    let plan = got.unwrap_or_else(|e| panic!("{release}: {e}"));
                    assert!(plan.entry.starts_with("/nonexistent/cache"));
                    assert!(plan.entry.to_string_lossy().contains("59807616e-"));
                }
                Some(needle) => {
                    let msg = got.err().expect("unsupported").to_string();
                    assert!(msg.contains(needle), "{msg}");
                    assert!(
                        msg.contains("supported: 1.95, 1.96, 1.97, 1.98, 1.99"),
                        "{msg}"
                    );
                    assert!(msg.contains("rustup toolchain install 1.99"), "{msg}");
                    assert!(msg.contains("cargo +1.99 wasix build"), "{msg}");
                    assert_eq!(msg.lines().count(), 2, "message + help: {msg}");
                }
            }
        }
        let wasm64 = Options {
            target: "wasm99-wasmer-wasi".into(),
            ..opts
        };
        let msg = plan(&toolchain("1.95.0"), &wasm64, &inputs)
            .err()
            .expect("unknown target")
            .to_string();
        assert!(
            msg.contains("unknown WASIX target `wasm99-wasmer-wasi`"),
            "{msg}"
        );
        assert!(msg.contains("wasm32-wasmer-wasi"), "{msg}");
    }

    #[test]
    fn each_feature_set_gets_its_own_entry_and_spec() {
        let inputs = Inputs::embedded();
        let opts = |value: &str| Options {
            cache_root: Some("/nonexistent/cache".into()),
            features: TargetFeatures::parse(value).expect("valid"),
            ..Options::default()
        };
        let features_of = |plan: &Plan| {
            let json: serde_json::Value = serde_json::from_slice(&plan.spec).expect("json");
            json["features"].as_str().expect("features").to_owned()
        };
        let default = plan(&toolchain("1.95.0"), &opts(""), &inputs).expect("plan");
        let no_simd = plan(&toolchain("1.95.0"), &opts("-simd128"), &inputs).expect("plan");
        assert_ne!(default.entry, no_simd.entry);
        assert_ne!(default.key, no_simd.key);
        assert!(
            features_of(&default).starts_with("+atomics,")
                && features_of(&default).contains(",+simd128,"),
            "{}",
            features_of(&default)
        );
        assert!(
            features_of(&no_simd).contains(",-simd128,+extended-const,"),
            "{}",
            features_of(&no_simd)
        );
    }

    #[test]
    fn wasm64_has_its_own_entry_and_spec() {
        let inputs = Inputs::embedded();
        let opts = |target: &str| Options {
            target: target.into(),
            cache_root: Some("/nonexistent/cache".into()),
            ..Options::default()
        };
        let w32 = plan(&toolchain("1.95.0"), &opts(TARGET), &inputs).expect("wasm32");
        let w64 = plan(&toolchain("1.95.0"), &opts("wasm64-wasmer-wasi"), &inputs).expect("wasm64");
        assert_ne!(w32.key, w64.key);
        assert_ne!(w32.entry, w64.entry);
        let json: serde_json::Value = serde_json::from_slice(&w64.spec).expect("json");
        assert_eq!(json["arch"], "wasm64");
        assert_eq!(json["target-pointer-width"], 64);
        assert!(
            json["data-layout"]
                .as_str()
                .is_some_and(|l| l.contains("-p:64:64-")),
            "{}",
            json["data-layout"]
        );
        let lld: Vec<&str> = json["pre-link-args"]["wasm-lld"]
            .as_array()
            .expect("lld args")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert!(lld.contains(&"-mwasm64"), "{lld:?}");
        assert!(lld.contains(&"--max-memory=17179869184"), "{lld:?}");
        // No wasi-libc on wasm64: no crt objects and nothing wrapped.
        assert!(json.get("pre-link-objects-fallback").is_none());
        assert!(!lld.iter().any(|a| a.starts_with("--wrap=")), "{lld:?}");
        // The same optional features as wasm32 (the env var applies to both).
        assert!(
            json["features"]
                .as_str()
                .is_some_and(|f| f.contains("+atomics") && f.contains("+simd128")),
            "{}",
            json["features"]
        );
    }

    #[test]
    fn invalid_target_features_name_the_valid_ones() {
        let reason = TargetFeatures::parse("+simd").expect_err("unknown");
        let msg = Error::TargetFeatures {
            value: "+simd".into(),
            reason,
        }
        .to_string();
        assert!(
            msg.starts_with(
                "invalid CARGO_WASIX_TARGET_FEATURES `+simd`: unknown target feature `simd`\nhelp: "
            ),
            "{msg}"
        );
        for name in [
            "simd128 (on)",
            "relaxed-simd (off)",
            "wide-arithmetic",
            "atomics",
        ] {
            assert!(msg.contains(name), "{name}: {msg}");
        }
        assert_eq!(msg.lines().count(), 2, "{msg}");
    }

    #[test]
    fn clean_removes_everything_but_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("home");
        let opts = Options {
            cache_root: Some(root.clone()),
            ..Options::default()
        };
        let mut silent = progress::Silent;
        assert_eq!(clean(&opts, &mut silent).expect("nothing"), None);
        for d in [
            "59807616e-82b3dd7518d89a8c/sysroot",
            "overlays/libc/0.2.178-x",
            "modules",
        ] {
            std::fs::create_dir_all(root.join(d)).expect("mkdir");
        }
        std::fs::write(root.join("stray"), "x").expect("write");
        let mut rec = progress::Recorder::default();
        assert_eq!(clean(&opts, &mut rec).expect("clean"), Some(root.clone()));
        let left: Vec<_> = std::fs::read_dir(&root)
            .expect("root")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".lock"]);
        assert_eq!(rec.lines.len(), 1);
        assert_eq!(rec.lines[0].0, "Removing");
    }

    #[test]
    fn entry_names() {
        let cases = [
            ("59807616e-82b3dd7518d89a8c", true),
            ("59807616e-82b3dd7518d89a8c.tmp-1234", true),
            ("1.95.0-82b3dd7518d89a8c", true),
            ("overlays", false),
            ("modules", false),
            (".lock", false),
            ("-82b3dd7518d89a8c", false),
            ("59807616e-82b3dd75", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_entry_name(name), want, "{name}");
        }
    }
}
