//! Crate overlays: patch sets for crates.io crates (libc, parking_lot_core, ...), one folder
//! per crate under `overlays/`, applied to a pristine copy of the exact version a lockfile
//! wants. The copy is fetched from the user's registry through cargo itself, patched once and
//! cached at `<cache>/overlays/<crate>/<version>-<key>/`. Layout and rules: `docs/overlays.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use semver::{Version, VersionReq};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::cache::{self, CacheLock};
use crate::embedded::Inputs;
use crate::error::{Error, Result};
use crate::patch::PatchSet;
use crate::progress::Progress;
use crate::toolchain::{Toolchain, display_command};

/// File in a patched copy holding the registry checksum of the pristine `.crate` (what
/// `Cargo.lock` records), when cargo's download cache had it.
pub const CHECKSUM_FILE: &str = ".cargo-wasix-checksum";

/// What to do when a lockfile holds a version no patch set of the crate covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outside {
    /// Stop the build: the crate cannot work unpatched on WASIX.
    Error,
    /// Build it unpatched, with a warning naming the supported range.
    Warn,
}

/// `overlays/<crate>/overlay.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    reason: String,
    outside: Outside,
    /// Versions that work unpatched (upstream fixed them): no overlay, no warning.
    fixed: Option<String>,
    /// The targets the overlay is for (absent: every WASIX target).
    targets: Option<Vec<String>>,
    #[serde(rename = "set")]
    sets: Vec<SetDecl>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDecl {
    versions: String,
    edits: Option<String>,
}

/// One crate's overlay: which versions it covers and how.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The crate (`libc`).
    pub name: String,
    /// Why the crate needs it (one line, shown by `cargo wasix status`).
    pub reason: String,
    /// Policy for versions no set covers.
    pub outside: Outside,
    /// Versions that need no overlay (upstream fixed them).
    pub fixed: Option<VersionReq>,
    /// The only targets it applies to (`None`: all), e.g. a crate that works as published on
    /// wasm32 but not on wasm64.
    pub targets: Option<Vec<String>>,
    sets: Vec<Set>,
    files: Vec<(String, &'static [u8])>,
}

#[derive(Debug, Clone)]
struct Set {
    versions: VersionReq,
    /// The edits file of this set (relative to the crate folder), if any.
    edits: Option<String>,
}

/// Every overlay compiled into this binary.
pub fn overlays(inputs: &Inputs) -> Result<Vec<Overlay>> {
    inputs
        .overlay_crates()
        .into_iter()
        .map(|krate| Overlay::parse(krate, inputs.overlay_files(krate)))
        .collect()
}

/// The overlay of `krate`, if there is one.
pub fn overlay_of(inputs: &Inputs, krate: &str) -> Result<Option<Overlay>> {
    Ok(overlays(inputs)?.into_iter().find(|o| o.name == krate))
}

impl Overlay {
    /// Reads an overlay folder given as `(path relative to the folder, bytes)`.
    pub fn parse(krate: &str, files: Vec<(&str, &'static [u8])>) -> Result<Self> {
        let origin = format!("overlays/{krate}/overlay.toml");
        let bad = |reason: String| Error::PatchFormat {
            origin: origin.clone(),
            reason,
        };
        let text = files
            .iter()
            .find(|(p, _)| *p == "overlay.toml")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .ok_or_else(|| bad("missing".to_owned()))?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| bad(e.message().to_owned()))?;
        if manifest.sets.is_empty() {
            return Err(bad("no `[[set]]`".to_owned()));
        }
        let mut sets = Vec::new();
        for decl in manifest.sets {
            let versions = VersionReq::parse(&decl.versions)
                .map_err(|e| bad(format!("`versions = \"{}\"`: {e}", decl.versions)))?;
            if let Some(edits) = &decl.edits
                && !files.iter().any(|(p, _)| p == edits)
            {
                return Err(bad(format!(
                    "`edits = \"{edits}\"` names no file of the folder"
                )));
            }
            sets.push(Set {
                versions,
                edits: decl.edits,
            });
        }
        let fixed = manifest
            .fixed
            .map(|f| VersionReq::parse(&f).map_err(|e| bad(format!("`fixed = \"{f}\"`: {e}"))))
            .transpose()?;
        Ok(Overlay {
            name: krate.to_owned(),
            reason: manifest.reason,
            outside: manifest.outside,
            fixed,
            targets: manifest.targets,
            sets,
            files: files.into_iter().map(|(p, b)| (p.to_owned(), b)).collect(),
        })
    }

    /// Whether the overlay is for builds of `target`.
    pub fn applies_to(&self, target: &str) -> bool {
        self.targets
            .as_ref()
            .is_none_or(|targets| targets.iter().any(|t| t == target))
    }

    /// Whether `version` works without the overlay.
    pub fn is_fixed(&self, version: &Version) -> bool {
        self.fixed.as_ref().is_some_and(|f| f.matches(version))
    }

    /// The index of the first set covering `version`.
    pub fn set_for(&self, version: &Version) -> Option<usize> {
        self.sets.iter().position(|s| s.versions.matches(version))
    }

    /// The covered versions, for messages (`>=0.2.150, <0.2.170 or >=0.2.170, <0.3`).
    pub fn supported(&self) -> String {
        self.sets
            .iter()
            .map(|s| s.versions.to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The files of set `index` as a patch-set folder: the shared `files/`, its edits file as
    /// `edits.toml`, and `overlay.toml` (hashed into the key, ignored by the patch engine).
    fn set_files(&self, index: usize) -> Vec<(&str, &'static [u8])> {
        let edits = self.sets[index].edits.as_deref();
        self.files
            .iter()
            .filter_map(|(p, b)| {
                if p.starts_with("files/") || p == "overlay.toml" {
                    Some((p.as_str(), *b))
                } else if Some(p.as_str()) == edits {
                    Some(("edits.toml", *b))
                } else {
                    None
                }
            })
            .collect()
    }

    /// The cache key of set `index`.
    pub fn key(&self, index: usize) -> String {
        cache::overlay_key(&self.name, &self.set_files(index))
    }

    fn patch_set(&self, index: usize) -> Result<PatchSet> {
        PatchSet::from_entries(
            &format!(
                "{} overlay for {} (overlays/{})",
                self.name, self.sets[index].versions, self.name
            ),
            self.set_files(index),
        )
    }
}

/// A patched crate source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patched {
    /// The patched copy (for `--config patch.crates-io.<crate>.path=...`).
    pub dir: PathBuf,
    /// The registry checksum of the pristine package, when known.
    pub checksum: Option<String>,
}

impl Patched {
    /// Reads what a complete cache entry holds.
    pub fn at(dir: PathBuf) -> Self {
        let checksum = std::fs::read_to_string(dir.join(CHECKSUM_FILE))
            .ok()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        Patched { dir, checksum }
    }
}

/// The cache entry of `krate` `version` for `root` and whether it is complete; errors when no
/// set covers the version.
pub(crate) fn entry_for(
    overlay: &Overlay,
    root: &Path,
    version: &str,
) -> Result<(PathBuf, String, usize)> {
    let parsed = check_version(&overlay.name, version)?;
    let index = overlay
        .set_for(&parsed)
        .ok_or_else(|| outside_error(overlay, version))?;
    let key = overlay.key(index);
    let entry = root
        .join("overlays")
        .join(&overlay.name)
        .join(format!("{version}-{key}"));
    Ok((entry, key, index))
}

fn outside_error(overlay: &Overlay, version: &str) -> Error {
    Error::OverlaySource {
        krate: overlay.name.clone(),
        version: version.to_owned(),
        reason: format!(
            "the WASIX overlay of `{}` covers {}",
            overlay.name,
            overlay.supported()
        ),
        help: format!(
            "move Cargo.lock to a covered version with `cargo update -p {}@{version} --precise <version>`",
            overlay.name
        ),
    }
}

/// The patched source of `krate` `version`; builds it when missing. Requires the cache lock.
pub(crate) fn patched_locked(
    lock: &CacheLock,
    toolchain: &Toolchain,
    inputs: &Inputs,
    root: &Path,
    krate: &str,
    version: &str,
    progress: &mut dyn Progress,
) -> Result<Patched> {
    let overlay = overlay_of(inputs, krate)?.ok_or_else(|| Error::OverlaySource {
        krate: krate.to_owned(),
        version: version.to_owned(),
        reason: "cargo-wasix has no overlay for this crate".to_owned(),
        help: "this is a bug in cargo-wasix".to_owned(),
    })?;
    let (entry, key, index) = entry_for(&overlay, root, version)?;
    if cache::is_complete(&entry, &key) {
        return Ok(Patched::at(entry));
    }
    let parent = entry.parent().map(Path::to_owned).unwrap_or_default();
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    cache::remove_stale_work_dirs(lock, &parent)?;
    let fetch = tempfile::tempdir().map_err(|e| Error::io("create", &std::env::temp_dir(), e))?;
    let source = registry_source(toolchain, krate, version, fetch.path())?;
    progress.status(
        "Patching",
        &format!("{krate} {version} with the WASIX overlay"),
    );
    let work = cache::work_dir(lock, &entry)?;
    cache::copy_tree(&source, &work)?;
    overlay.patch_set(index)?.apply(&work)?;
    if let Some(sum) = crate_checksum(&source, krate, version) {
        let file = work.join(CHECKSUM_FILE);
        std::fs::write(&file, sum).map_err(|e| Error::io("write", &file, e))?;
    }
    cache::publish(lock, &work, &entry, &key)?;
    // Older overlays of the same version: keep two (another cargo-wasix may use them).
    cache::prune_entries(lock, &parent, (version, |_: &Path| true), &entry, 2)?;
    Ok(Patched::at(entry))
}

/// The sha256 of the `.crate` cargo downloaded for the unpacked `source`
/// (`<registry>/src/<index>/<crate>-<version>` beside `<registry>/cache/<index>/<crate>-<version>.crate`):
/// the `checksum` a `Cargo.lock` records.
fn crate_checksum(source: &Path, krate: &str, version: &str) -> Option<String> {
    let index = source.parent()?;
    let registry = index.parent()?.parent()?;
    let file = registry
        .join("cache")
        .join(index.file_name()?)
        .join(format!("{krate}-{version}.crate"));
    let bytes = std::fs::read(file).ok()?;
    Some(
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// A version must be exact (`0.2.178`): it names a cache directory and a `=` requirement.
fn check_version(krate: &str, version: &str) -> Result<Version> {
    let bad = || Error::OverlaySource {
        krate: krate.to_owned(),
        version: version.to_owned(),
        reason: "not an exact version".to_owned(),
        help: "pass a full version like `0.2.178` (the one in Cargo.lock)".to_owned(),
    };
    let parsed = Version::parse(version).map_err(|_| bad())?;
    if !parsed.build.is_empty() || version.contains(['/', '\\']) {
        return Err(bad());
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    manifest_path: PathBuf,
    source: Option<String>,
}

/// Finds (downloading if needed) the unpacked registry source of `krate` = `version` with
/// cargo: a throw-away manifest depending on `krate = "=version"`, then `cargo metadata`.
/// cargo runs in the caller's working directory, so the user's cargo config (registries,
/// source replacement, offline mode) applies.
fn registry_source(
    toolchain: &Toolchain,
    krate: &str,
    version: &str,
    fetch: &Path,
) -> Result<PathBuf> {
    std::fs::create_dir_all(fetch.join("src")).map_err(|e| Error::io("create", fetch, e))?;
    let lib = fetch.join("src/lib.rs");
    std::fs::write(&lib, "").map_err(|e| Error::io("write", &lib, e))?;
    let manifest = fetch.join("Cargo.toml");
    let output = fetch_metadata(toolchain, &manifest, krate, &format!("={version}"))?;
    let output = match output {
        Ok(output) => output,
        // A lock may keep a version yanked since; cargo resolves one only when told precisely.
        Err(stderr) if stderr.contains("yanked") => {
            fetch_metadata(toolchain, &manifest, krate, "*")?
                .map_err(|stderr| source_error(krate, version, &stderr))?;
            let mut update: Command = toolchain.cargo_command();
            update
                .args([
                    "update",
                    "--quiet",
                    "-p",
                    krate,
                    "--precise",
                    version,
                    "--manifest-path",
                ])
                .arg(&manifest);
            run_fetch_step(&mut update).map_err(|stderr| source_error(krate, version, &stderr))?;
            fetch_metadata(toolchain, &manifest, krate, "*")?
                .map_err(|stderr| source_error(krate, version, &stderr))?
        }
        Err(stderr) => return Err(source_error(krate, version, &stderr)),
    };
    let shown = "cargo metadata";
    let meta: Metadata = serde_json::from_slice(&output).map_err(|e| Error::UnexpectedOutput {
        command: shown.to_owned(),
        reason: e.to_string(),
    })?;
    let found = find_package(&meta.packages, krate, version).ok_or_else(|| Error::OverlaySource {
        krate: krate.to_owned(),
        version: version.to_owned(),
        reason: format!("`{shown}` did not resolve a registry package {krate} {version}"),
        help: format!("a [patch] or source replacement in your cargo config may redirect {krate}; remove it for cargo-wasix"),
    })?;
    let dir = found
        .manifest_path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    Ok(dir)
}

/// Writes the throw-away manifest depending on `krate = requirement` and runs `cargo metadata`
/// on it; `Err` carries cargo's stderr. cargo runs in the caller's working directory, so the
/// user's cargo config (registries, source replacement, offline mode) applies.
fn fetch_metadata(
    toolchain: &Toolchain,
    manifest: &Path,
    krate: &str,
    requirement: &str,
) -> Result<std::result::Result<Vec<u8>, String>> {
    let text = format!(
        "[package]\nname = \"cargo-wasix-overlay-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\n{krate} = \"{requirement}\"\n\n[workspace]\n"
    );
    std::fs::write(manifest, text).map_err(|e| Error::io("write", manifest, e))?;
    let mut cmd: Command = toolchain.cargo_command();
    cmd.args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest);
    Ok(run_fetch_step(&mut cmd))
}

/// Runs one cargo step of the fetch; `Err` is the command and its stderr.
fn run_fetch_step(cmd: &mut Command) -> std::result::Result<Vec<u8>, String> {
    let shown = display_command(cmd);
    match cmd.output() {
        Ok(output) if output.status.success() => Ok(output.stdout),
        Ok(output) => Err(format!(
            "`{shown}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(e) => Err(format!(
            "cannot run `{shown}`: {e} (install cargo with rustup or set CARGO)"
        )),
    }
}

fn source_error(krate: &str, version: &str, reason: &str) -> Error {
    Error::OverlaySource {
        krate: krate.to_owned(),
        version: version.to_owned(),
        reason: reason.to_owned(),
        help: format!(
            "check that crates.io (or your registry mirror) is reachable and that {krate} {version} exists"
        ),
    }
}

fn find_package<'a>(packages: &'a [Package], krate: &str, version: &str) -> Option<&'a Package> {
    packages.iter().find(|p| {
        p.name == krate
            && p.version == version
            && p.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
    })
}

/// The libc version std pins in rust-src's `library/Cargo.lock`.
pub fn std_libc_version(library: &Path) -> Result<String> {
    #[derive(Deserialize)]
    struct Lock {
        package: Vec<LockPackage>,
    }
    #[derive(Deserialize)]
    struct LockPackage {
        name: String,
        version: String,
    }
    let path = library.join("Cargo.lock");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let lock: Lock = toml::from_str(&text).map_err(|e| Error::UnexpectedOutput {
        command: format!("parse `{}`", path.display()),
        reason: e.message().to_owned(),
    })?;
    let mut versions = lock
        .package
        .into_iter()
        .filter(|p| p.name == "libc")
        .map(|p| p.version);
    match (versions.next(), versions.next()) {
        (Some(v), None) => Ok(v),
        (first, _) => Err(Error::UnexpectedOutput {
            command: format!("parse `{}`", path.display()),
            reason: match first {
                None => "no `libc` package".to_owned(),
                Some(_) => "more than one `libc` version".to_owned(),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_overlay(manifest: &'static str) -> Result<Overlay> {
        Overlay::parse(
            "demo",
            vec![
                ("overlay.toml", manifest.as_bytes()),
                ("edits.toml", b"# new" as &[u8]),
                ("edits-old.toml", b"# old" as &[u8]),
                ("files/src/x.rs", b"x" as &[u8]),
                ("README.md", b"r" as &[u8]),
            ],
        )
    }

    #[test]
    fn versions_choose_the_set_or_name_the_range() {
        let overlay = test_overlay(
            "reason = \"r\"\noutside = \"error\"\n\
             [[set]]\nversions = \">=0.2.170, <0.3\"\nedits = \"edits.toml\"\n\
             [[set]]\nversions = \">=0.2.150, <0.2.170\"\nedits = \"edits-old.toml\"\n",
        )
        .expect("parses");
        let root = Path::new("/c");
        for (version, set) in [
            ("0.2.191", 0),
            ("0.2.170", 0),
            ("0.2.169", 1),
            ("0.2.150", 1),
        ] {
            let (entry, _, index) = entry_for(&overlay, root, version).expect(version);
            assert_eq!(index, set, "{version}");
            assert!(entry.starts_with("/c/overlays/demo"), "{entry:?}");
            assert!(
                entry
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{version}-")),
                "{entry:?}"
            );
        }
        // The two sets differ in their edits file, so in their keys.
        assert_ne!(overlay.key(0), overlay.key(1));
        for outside in ["0.2.149", "0.3.0", "1.0.0"] {
            let message = entry_for(&overlay, root, outside).unwrap_err().to_string();
            assert!(
                message.contains(">=0.2.170, <0.3 or >=0.2.150, <0.2.170")
                    && message.contains(&format!("cargo update -p demo@{outside} --precise")),
                "{outside}: {message}"
            );
        }
        for bad in [
            "0.2",
            "^0.2.178",
            "=0.2.178",
            "0.2.x",
            "",
            "../0.2.1",
            "0.2.1+a/b",
        ] {
            assert!(entry_for(&overlay, root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_limit_where_an_overlay_applies() {
        let everywhere =
            test_overlay("reason = \"r\"\noutside = \"warn\"\n[[set]]\nversions = \"^1\"\n")
                .expect("parses");
        assert!(everywhere.applies_to("wasm32-wasmer-wasi"));
        assert!(everywhere.applies_to("wasm64-wasmer-wasi"));
        let wasm64 = test_overlay(
            "reason = \"r\"\noutside = \"warn\"\ntargets = [\"wasm64-wasmer-wasi\"]\n\
             [[set]]\nversions = \"^1\"\n",
        )
        .expect("parses");
        assert!(!wasm64.applies_to("wasm32-wasmer-wasi"));
        assert!(wasm64.applies_to("wasm64-wasmer-wasi"));
    }

    #[test]
    fn set_files_share_files_and_rename_their_edits() {
        let overlay = test_overlay(
            "reason = \"r\"\noutside = \"warn\"\n\
             [[set]]\nversions = \"^1\"\nedits = \"edits-old.toml\"\n",
        )
        .expect("parses");
        assert_eq!(overlay.outside, Outside::Warn);
        let names: Vec<&str> = overlay.set_files(0).iter().map(|(p, _)| *p).collect();
        assert_eq!(names, ["overlay.toml", "edits.toml", "files/src/x.rs"]);
    }

    #[test]
    fn malformed_manifests_are_errors_naming_the_file() {
        for (manifest, needle) in [
            (
                "reason = \"r\"\noutside = \"error\"\nset = []\n",
                "no `[[set]]`",
            ),
            (
                "reason = \"r\"\noutside = \"maybe\"\n[[set]]\nversions = \"^1\"\n",
                "unknown variant",
            ),
            (
                "reason = \"r\"\noutside = \"warn\"\n[[set]]\nversions = \"one\"\n",
                "versions",
            ),
            (
                "reason = \"r\"\noutside = \"warn\"\n[[set]]\nversions = \"^1\"\nedits = \"nope.toml\"\n",
                "nope.toml",
            ),
            (
                "reason = \"r\"\noutside = \"warn\"\ncolour = 1\n[[set]]\nversions = \"^1\"\n",
                "colour",
            ),
        ] {
            let message = test_overlay(manifest).unwrap_err().to_string();
            assert!(
                message.contains("overlays/demo/overlay.toml") && message.contains(needle),
                "{manifest}: {message}"
            );
        }
    }

    #[test]
    fn every_embedded_overlay_parses() {
        let inputs = Inputs::embedded();
        let all = overlays(&inputs).expect("embedded overlays parse");
        let libc = all.iter().find(|o| o.name == "libc").expect("libc overlay");
        assert_eq!(libc.outside, Outside::Error);
        for (index, _) in libc.sets.iter().enumerate() {
            libc.patch_set(index).expect("patch set parses");
        }
    }

    #[test]
    fn find_package_prefers_registry_package() {
        let pkg = |name: &str, version: &str, source: Option<&str>| Package {
            name: name.into(),
            version: version.into(),
            manifest_path: format!("/x/{name}-{version}/Cargo.toml").into(),
            source: source.map(Into::into),
        };
        let packages = vec![
            pkg("cargo-wasix-overlay-fetch", "0.0.0", None),
            pkg("libc", "0.2.178", None),
            pkg(
                "libc",
                "0.2.178",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
        ];
        let found = find_package(&packages, "libc", "0.2.178").expect("found");
        assert_eq!(found.manifest_path, Path::new("/x/libc-0.2.178/Cargo.toml"));
        assert!(find_package(&packages, "libc", "0.2.179").is_none());
        assert!(find_package(&packages, "libd", "0.2.178").is_none());
    }

    #[test]
    fn std_libc_version_from_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases = [
            (
                "[[package]]\nname = \"libc\"\nversion = \"0.2.178\"\n",
                Ok("0.2.178"),
            ),
            (
                "[[package]]\nname = \"core\"\nversion = \"0.0.0\"\n",
                Err("no `libc`"),
            ),
            (
                "[[package]]\nname = \"libc\"\nversion = \"0.2.1\"\n[[package]]\nname = \"libc\"\nversion = \"0.2.2\"\n",
                Err("more than one"),
            ),
        ];
        for (text, want) in cases {
            std::fs::write(dir.path().join("Cargo.lock"), text).expect("write");
            let got = std_libc_version(dir.path()).map_err(|e| e.to_string());
            match want {
                Ok(v) => assert_eq!(got.as_deref(), Ok(v)),
                Err(needle) => assert!(got.expect_err("err").contains(needle)),
            }
        }
    }
}
