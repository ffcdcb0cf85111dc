//! Building the sysroot: copy rust-src `library/`, apply the std patch set, add the patched
//! libc and libwasix, build std with rustc-build-sysroot by target *name*, then install the
//! target spec and the self-contained C objects.

use std::path::{Path, PathBuf};

use rustc_build_sysroot::{BuildMode, SysrootBuilder, SysrootConfig};

/// The cargo profile rustc-build-sysroot builds std with (its private `DEFAULT_SYSROOT_PROFILE`).
const SYSROOT_PROFILE: &str = "custom_sysroot";

use crate::cache::{self, CacheLock};
use crate::embedded::Inputs;
use crate::error::{Error, Result};
use crate::overlay;
use crate::progress::Progress;
use crate::stdpatch::StdPatches;
use crate::toolchain::Toolchain;
use crate::wasi_libc;
use crate::wasi64;
use crate::{archive, wrapped};

/// Where the patched libc goes inside the copied `library/` (the std patch set's
/// `[patch.crates-io]` entry in `library/Cargo.toml` points here).
pub const LIBC_DIR: &str = "libc-wasix";

/// Where libwasix goes inside the copied `library/` (std's Cargo.toml depends on `../libwasix`).
pub const LIBWASIX_DIR: &str = "libwasix";

/// Everything the build needs, fixed before it starts.
pub(crate) struct BuildPlan<'a> {
    pub toolchain: &'a Toolchain,
    pub inputs: &'a Inputs,
    pub cache_root: &'a Path,
    /// The scratch directory that becomes the cache entry when published.
    pub work: &'a Path,
    /// The final entry path (for `--remap-path-prefix`).
    pub entry: &'a Path,
    pub target: &'a str,
    pub target_spec: &'a [u8],
    /// Index of the std patch set in `sysroot/patches/std/std.toml`.
    pub std_set: usize,
    /// The set is tried on a beta/nightly newer than its versions (announced).
    pub std_set_tried: bool,
}

/// Builds `work/{library,target-specs,sysroot}`. Requires the cache lock.
pub(crate) fn build(
    lock: &CacheLock,
    plan: &BuildPlan<'_>,
    progress: &mut dyn Progress,
) -> Result<()> {
    let tc = plan.toolchain;
    let library = plan.work.join("library");

    progress.status(
        "Copying",
        &format!("rust-src from `{}`", tc.rust_src().display()),
    );
    cache::copy_tree(&tc.rust_src(), &library)?;
    let patches = StdPatches::embedded(plan.inputs)?;
    let set = &patches.sets[plan.std_set];
    if plan.std_set_tried {
        progress.status(
            "Trying",
            &format!(
                "the std patch set for Rust {} on {} (newer than the verified versions; \
                 its anchors decide)",
                set.versions, tc.version.semver
            ),
        );
    }
    progress.status(
        "Patching",
        &format!(
            "std ({}) for Rust {}",
            set.parts.join(" + "),
            tc.version.semver
        ),
    );
    for part in patches.patch_sets(plan.std_set, plan.inputs)? {
        part.apply(&library).map_err(|e| {
            if !plan.std_set_tried {
                return e;
            }
            Error::NewerRustNotPatched {
                version: tc.version.semver.to_string(),
                newest: patches.newest_stable(),
                supported: patches.supported().join(", "),
                // The anchor error without its own help line (ours replaces it).
                reason: e
                    .to_string()
                    .split("\nhelp:")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            }
        })?;
    }
    // Before the std build, so a failed download costs no build (and after patching, so a
    // version whose anchors moved costs no download). wasm64 has no wasi-libc (docs/wasm64.md).
    let wasm64 = wasi64::is_wasm64(plan.target);
    let base = wasi_libc::source_for(tc, plan.cache_root);
    if !wasm64 {
        wasi_libc::ensure(lock, &base, progress)?;
    }

    let libc_version = overlay::std_libc_version(&library)?;
    let libc = overlay::patched_locked(
        lock,
        tc,
        plan.inputs,
        plan.cache_root,
        "libc",
        &libc_version,
        progress,
    )?
    .dir;
    let libc_dest = library.join(LIBC_DIR);
    cache::copy_tree(&libc, &libc_dest)?;
    // The copy is part of the sysroot entry now; the libc entry's marker means nothing here.
    let marker = libc_dest.join(cache::MARKER);
    std::fs::remove_file(&marker).map_err(|e| Error::io("remove", &marker, e))?;
    let checksum = libc_dest.join(overlay::CHECKSUM_FILE);
    if checksum.exists() {
        std::fs::remove_file(&checksum).map_err(|e| Error::io("remove", &checksum, e))?;
    }

    write_libwasix(plan.inputs, &library.join(LIBWASIX_DIR))?;
    if wasm64 {
        write_wasi64(&library)?;
    }

    let specs = plan.work.join("target-specs");
    write(
        &specs.join(format!("{}.json", plan.target)),
        plan.target_spec,
    )?;

    let sysroot = plan.work.join("sysroot");
    progress.status(
        "Building",
        &format!(
            "std for {} (Rust {}); this takes a minute or two, once",
            plan.target, tc.version.semver
        ),
    );
    let mut cargo = tc.cargo_command();
    // Run from the work dir, so a user project's `.cargo/config.toml` (profiles, flags) does
    // not shape std; `$CARGO_HOME/config.toml` (registries, mirrors) still applies.
    cargo.current_dir(plan.work);
    // Custom target specs are unstable; the bootstrap flag is scoped to this cargo run.
    cargo
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUST_TARGET_PATH", &specs);
    // std unwinds, but the abort panic runtime (linked by users' `panic = "abort"` builds) must
    // itself be compiled with `-Cpanic=abort` or rustc refuses it ("the crate `panic_abort` does
    // not have the panic strategy `abort`"); rust's bootstrap does the same. Per-package
    // rustflags are a cargo nightly feature, allowed by this run's RUSTC_BOOTSTRAP.
    cargo.args([
        "-Zprofile-rustflags",
        "--config",
        &format!("profile.{SYSROOT_PROFILE}.package.panic_abort.rustflags = [\"-Cpanic=abort\"]"),
    ]);
    // cargo normalises the paths it hands to rustc (`a/../b` becomes `b`), so the remap
    // prefix must be the canonical path too.
    let library_real = library
        .canonicalize()
        .map_err(|e| Error::io("resolve", &library, e))?;
    let entry_real = plan
        .entry
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .zip(plan.entry.file_name())
        .map_or_else(|| plan.entry.to_owned(), |(parent, name)| parent.join(name));
    let remap = remap_flag(
        &library_real,
        tc.version.commit_hash.as_deref(),
        &entry_real,
    );
    SysrootBuilder::new(&sysroot, plan.target)
        .build_mode(BuildMode::Build)
        .sysroot_config(SysrootConfig::WithStd {
            std_features: std_features(plan.target),
        })
        .rustflags([
            // Needed to find a custom target by name (RUST_TARGET_PATH).
            "-Zunstable-options",
            // User builds with `lto = true` need bitcode in the sysroot rlibs.
            "-Cembed-bitcode=yes",
            remap.as_str(),
        ])
        .rustc_version(tc.version.clone())
        .cargo(cargo)
        .build_from_source(&library_real)
        .map_err(|e| Error::Build {
            reason: format!("{e:#}"),
            dir: library.clone(),
        })?;

    if wasm64 {
        install_wasm64(&sysroot, plan.target, plan.target_spec)?;
    } else {
        install_self_contained(
            tc,
            plan.inputs,
            base.dir(),
            &sysroot,
            plan.target,
            plan.target_spec,
        )?;
    }
    link_rust_src(&sysroot)
}

/// Writes the `wasix_64v1` preview-1 crate ([`wasi64`]) under the name and version std's
/// `Cargo.lock` pins, and patches std's crate graph to use it.
fn write_wasi64(library: &Path) -> Result<()> {
    let lock_path = library.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|e| Error::io("read", &lock_path, e))?;
    let unexpected = |reason: String| Error::UnexpectedOutput {
        command: format!(
            "prepare the wasm64 preview-1 crate in `{}`",
            library.display()
        ),
        reason,
    };
    let (package, version) = wasi64::std_preview1_crate(&lock).map_err(unexpected)?;
    let dir = library.join(wasi64::DIR);
    for (rel, text) in wasi64::crate_files(&package, &version) {
        write(&dir.join(rel), text.as_bytes())?;
    }
    let manifest_path = library.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error::io("read", &manifest_path, e))?;
    let patched = wasi64::patch_manifest(&manifest, &package).map_err(unexpected)?;
    write(&manifest_path, patched.as_bytes())
}

/// wasm64: `target.json` and an empty `lib/self-contained/libc.a` (no crt objects: `_start`
/// is libwasix's to define). There is no wasm64 wasi-libc; the libc crate still asks for
/// `-lc`, and the C functions std calls come from libwasix's libc64 (an rlib std links), so the
/// archive only satisfies the flag (docs/wasm64.md).
fn install_wasm64(sysroot: &Path, target: &str, spec: &[u8]) -> Result<()> {
    let target_dir = sysroot.join("lib/rustlib").join(target);
    write(&target_dir.join("target.json"), spec)?;
    write(&target_dir.join("lib/self-contained/libc.a"), EMPTY_ARCHIVE)
}

/// An `ar` archive with no members.
const EMPTY_ARCHIVE: &[u8] = b"!<arch>\n";

/// `--remap-path-prefix` for the std build. With a known rustc commit, the patched sources
/// appear as `/rustc/<commit>/library/...` like the official std (no cache path in user
/// binaries; rustc maps it back through `<sysroot>/lib/rustlib/src/rust`, see
/// [`link_rust_src`]). Otherwise the work dir is mapped to the final entry path.
fn remap_flag(library: &Path, commit: Option<&str>, entry: &Path) -> String {
    match commit {
        Some(commit) => format!(
            "--remap-path-prefix={}=/rustc/{commit}/library",
            library.display()
        ),
        None => format!(
            "--remap-path-prefix={}={}",
            library.parent().unwrap_or(library).display(),
            entry.display()
        ),
    }
}

/// Makes `<sysroot>/lib/rustlib/src/rust/library` point at the entry's patched `library/`
/// (a relative symlink, so it survives the publishing rename), as rustup's rust-src does for
/// the official sysroot: diagnostics and rust-analyzer find std's sources there.
fn link_rust_src(sysroot: &Path) -> Result<()> {
    let src = sysroot.join("lib/rustlib/src");
    std::fs::create_dir_all(&src).map_err(|e| Error::io("create", &src, e))?;
    let link = src.join("rust");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../../../..", &link).map_err(|e| Error::io("link", &link, e))?;
    #[cfg(not(unix))]
    let _ = link;
    Ok(())
}

/// Installs `lib/rustlib/<target>/target.json` and `lib/self-contained/{crt1-*.o,libc.a}`
/// (libc.a without the members libwasix replaces).
fn install_self_contained(
    tc: &Toolchain,
    inputs: &Inputs,
    from: &Path,
    sysroot: &Path,
    target: &str,
    spec: &[u8],
) -> Result<()> {
    let target_dir = sysroot.join("lib/rustlib").join(target);
    write(&target_dir.join("target.json"), spec)?;
    let to = target_dir.join("lib/self-contained");
    std::fs::create_dir_all(&to).map_err(|e| Error::io("create", &to, e))?;
    for name in wasi_libc::OBJECTS {
        let src = from.join(name);
        std::fs::copy(&src, to.join(name)).map_err(|e| Error::io("copy", &src, e))?;
    }
    let libc = to.join("libc.a");
    archive::delete_members(&tc.llvm_ar(), &libc, &inputs.replaced_members())?;
    let wrapped =
        wrapped::parse_table(&inputs.wrapped_table()).map_err(|reason| Error::Archive {
            path: libc.clone(),
            reason: format!("libwasix/wrapped-libc-symbols.txt: {reason}"),
        })?;
    archive::check_wrapped(&tc.llvm_ar(), &libc, &wrapped)
}

/// Writes libwasix into the library tree with a generated manifest that makes it a member of
/// std's crate graph (one `core`, one `compiler_builtins`, the patched `libc`).
fn write_libwasix(inputs: &Inputs, dir: &Path) -> Result<()> {
    write(&dir.join("Cargo.toml"), libwasix_manifest().as_bytes())?;
    for (rel, bytes) in inputs.libwasix_src() {
        write(&dir.join("src").join(rel), bytes)?;
    }
    Ok(())
}

/// std's Cargo features for `target`: on wasm64 there is no wasi-libc, so `memcpy`, `memcmp`,
/// `strlen` and the other memory functions come from compiler-builtins (its `mem` feature, as
/// on targets without a libc).
pub fn std_features(target: &str) -> Vec<String> {
    if target.starts_with("wasm64") {
        vec!["compiler-builtins-mem".to_owned()]
    } else {
        Vec::new()
    }
}

/// The generated `Cargo.toml` of libwasix inside the sysroot's library tree.
pub fn libwasix_manifest() -> String {
    "[package]
name = \"libwasix\"
version = \"0.0.0\"
edition = \"2024\"
description = \"WASIX POSIX layer (generated by cargo-wasix; built as a dependency of std)\"

[lib]
path = \"src/lib.rs\"
test = false
bench = false
doc = false

[dependencies]
core = { path = \"../rustc-std-workspace-core\", package = \"rustc-std-workspace-core\" }
libc = { version = \"0.2\", default-features = false, features = [\"rustc-dep-of-std\"] }

# libc64's allocator (wasm64 has no wasi-libc); std's own lockfile already pins it.
[target.'cfg(target_arch = \"wasm64\")'.dependencies]
dlmalloc = { version = \"0.2.10\", features = [\"rustc-dep-of-std\"] }
"
    .to_owned()
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e))
}

/// The directories of one published cache entry.
#[derive(Debug, Clone)]
pub struct EntryLayout {
    /// `<entry>/sysroot`: pass to `--sysroot`.
    pub sysroot: PathBuf,
    /// `<entry>/target-specs`: holds `<target>.json`; usable as `RUST_TARGET_PATH`.
    pub target_specs: PathBuf,
    /// `<entry>/library`: the patched std sources the sysroot was built from.
    pub library: PathBuf,
}

impl EntryLayout {
    /// The layout under `entry`.
    pub fn new(entry: &Path) -> Self {
        EntryLayout {
            sysroot: entry.join("sysroot"),
            target_specs: entry.join("target-specs"),
            library: entry.join("library"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remap_table() {
        let lib = Path::new("/c/abc-1.tmp-7/library");
        let entry = Path::new("/c/abc-1");
        assert_eq!(
            remap_flag(lib, Some("59807616e1fa"), entry),
            "--remap-path-prefix=/c/abc-1.tmp-7/library=/rustc/59807616e1fa/library"
        );
        assert_eq!(
            remap_flag(lib, None, entry),
            "--remap-path-prefix=/c/abc-1.tmp-7=/c/abc-1"
        );
    }

    #[test]
    fn std_features_per_target() {
        assert!(std_features("wasm32-wasmer-wasi").is_empty());
        assert_eq!(
            std_features("wasm64-wasmer-wasi"),
            ["compiler-builtins-mem"]
        );
    }

    #[test]
    fn libwasix_manifest_shape() {
        let manifest: toml::Table = toml::from_str(&libwasix_manifest()).expect("valid toml");
        let deps = manifest["dependencies"].as_table().expect("deps");
        assert_eq!(
            deps["core"]["package"].as_str(),
            Some("rustc-std-workspace-core")
        );
        let features = deps["libc"]["features"].as_array().expect("features");
        assert_eq!(features[0].as_str(), Some("rustc-dep-of-std"));
        assert_eq!(deps["libc"]["default-features"].as_bool(), Some(false));
        assert_eq!(manifest["package"]["name"].as_str(), Some("libwasix"));
        let wasm64 = &manifest["target"]["cfg(target_arch = \"wasm64\")"]["dependencies"];
        assert_eq!(
            wasm64["dlmalloc"]["features"][0].as_str(),
            Some("rustc-dep-of-std")
        );
    }
}
