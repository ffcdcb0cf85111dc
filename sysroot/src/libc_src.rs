//! The `libc` crate source with the WASIX overlay (`libc-patches/`) applied: fetched from the
//! user's registry through cargo itself, patched once, cached at `<cache>/libc/<ver>-<key>/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::cache::{self, CacheLock};
use crate::embedded::Inputs;
use crate::error::{Error, Result};
use crate::patch::PatchSet;
use crate::progress::Progress;
use crate::toolchain::{Toolchain, display_command};

/// The patched libc of `version` for the cache at `root`; builds it when missing.
/// Requires the cache lock.
pub(crate) fn patched_libc_locked(
    lock: &CacheLock,
    toolchain: &Toolchain,
    inputs: &Inputs,
    root: &Path,
    version: &str,
    progress: &mut dyn Progress,
) -> Result<PathBuf> {
    check_version(version)?;
    let parent = root.join("libc");
    let key = cache::libc_key(inputs);
    let entry = parent.join(format!("{version}-{key}"));
    if cache::is_complete(&entry, &key) {
        return Ok(entry);
    }
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("create", &parent, e))?;
    cache::remove_stale_work_dirs(lock, &parent)?;
    let fetch = tempfile::tempdir().map_err(|e| Error::io("create", &std::env::temp_dir(), e))?;
    let source = registry_source(toolchain, version, fetch.path())?;
    progress.status(
        "Patching",
        &format!("libc {version} with the WASIX overlay"),
    );
    let work = cache::work_dir(lock, &entry)?;
    cache::copy_tree(&source, &work)?;
    overlay(inputs)?.apply(&work)?;
    cache::publish(lock, &work, &entry, &key)?;
    // Older overlays of the same libc version: keep two (another cargo-wasix may use them).
    cache::prune_entries(lock, &parent, version, &entry, 2)?;
    Ok(entry)
}

/// The libc overlay as a patch set.
pub(crate) fn overlay(inputs: &Inputs) -> Result<PatchSet> {
    PatchSet::from_entries("libc overlay (libc-patches/)", inputs.libc_overlay())
}

/// The oldest libc the overlay applies to: the one std pins on Rust 1.95. Earlier 0.2.x
/// releases keep the WASI items in `src/wasi.rs` instead of `src/wasi/`, so the overlay's
/// anchors cannot apply there.
pub const OLDEST_SUPPORTED_LIBC: (u64, u64, u64) = (0, 2, 178);

/// A version must be exact (`0.2.178`): it names a cache directory and a `=` requirement;
/// and it must be one the overlay supports.
fn check_version(version: &str) -> Result<()> {
    let parts: Vec<&str> = version.split('.').collect();
    let numbers: Option<Vec<u64>> = (parts.len() == 3)
        .then(|| parts.iter().map(|p| p.parse::<u64>().ok()).collect())
        .flatten();
    let Some([major, minor, patch]) = numbers.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        return Err(Error::LibcSource {
            version: version.to_owned(),
            reason: "not an exact version".to_owned(),
            help: "pass a full version like `0.2.178` (the one in Cargo.lock)".to_owned(),
        });
    };
    let (o_major, o_minor, o_patch) = OLDEST_SUPPORTED_LIBC;
    let oldest = format!("{o_major}.{o_minor}.{o_patch}");
    if (major, minor) != (o_major, o_minor) {
        return Err(Error::LibcSource {
            version: version.to_owned(),
            reason: format!("the WASIX overlay supports libc {o_major}.{o_minor}.x only"),
            help: format!("depend on libc {o_major}.{o_minor} (>= {oldest})"),
        });
    }
    if patch < o_patch {
        return Err(Error::LibcSource {
            version: version.to_owned(),
            reason: format!("the WASIX overlay supports libc {oldest} and newer"),
            help: "run `cargo update -p libc` to move Cargo.lock to a current libc 0.2.x"
                .to_owned(),
        });
    }
    Ok(())
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

/// Finds (downloading if needed) the unpacked registry source of `libc` = `version` with
/// cargo: a throw-away manifest depending on `libc = "=version"`, then `cargo metadata`.
/// cargo runs in the caller's working directory, so the user's cargo config (registries,
/// source replacement, offline mode) applies.
fn registry_source(toolchain: &Toolchain, version: &str, fetch: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(fetch.join("src")).map_err(|e| Error::io("create", fetch, e))?;
    let manifest = fetch.join("Cargo.toml");
    let text = format!(
        "[package]\nname = \"cargo-wasix-libc-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\nlibc = \"={version}\"\n\n[workspace]\n"
    );
    std::fs::write(&manifest, text).map_err(|e| Error::io("write", &manifest, e))?;
    let lib = fetch.join("src/lib.rs");
    std::fs::write(&lib, "").map_err(|e| Error::io("write", &lib, e))?;

    let mut cmd: Command = toolchain.cargo_command();
    cmd.args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest);
    let shown = display_command(&cmd);
    let output = cmd.output().map_err(|source| Error::Spawn {
        command: shown.clone(),
        source,
        help: "install cargo with rustup or set CARGO".to_owned(),
    })?;
    if !output.status.success() {
        return Err(Error::LibcSource {
            version: version.to_owned(),
            reason: format!(
                "`{shown}` failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            help: "check that crates.io (or your registry mirror) is reachable and that this libc version exists".to_owned(),
        });
    }
    let meta: Metadata =
        serde_json::from_slice(&output.stdout).map_err(|e| Error::UnexpectedOutput {
            command: shown.clone(),
            reason: e.to_string(),
        })?;
    let found = find_libc(&meta.packages, version).ok_or_else(|| Error::LibcSource {
        version: version.to_owned(),
        reason: format!("`{shown}` did not resolve a registry package libc {version}"),
        help: "a [patch] or source replacement in your cargo config may redirect libc; remove it for cargo-wasix".to_owned(),
    })?;
    let dir = found
        .manifest_path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    Ok(dir)
}

fn find_libc<'a>(packages: &'a [Package], version: &str) -> Option<&'a Package> {
    packages.iter().find(|p| {
        p.name == "libc"
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

    #[test]
    fn version_check_table() {
        for ok in ["0.2.178", "0.2.191", "0.2.1000"] {
            assert!(check_version(ok).is_ok(), "{ok}");
        }
        // Real versions the overlay cannot apply to: the fix is named.
        for (old, help) in [
            ("0.2.158", "cargo update -p libc"),
            ("0.2.0", "cargo update -p libc"),
            ("0.3.0", "depend on libc 0.2 (>= 0.2.178)"),
            ("1.10.200", "depend on libc 0.2 (>= 0.2.178)"),
        ] {
            let message = check_version(old).unwrap_err().to_string();
            assert!(message.contains(help), "{old}: {message}");
        }
        for bad in [
            "0.2",
            "^0.2.178",
            "=0.2.178",
            "0.2.x",
            "0.2.178-rc1",
            "",
            "../0.2.1",
        ] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn find_libc_prefers_registry_package() {
        let pkg = |name: &str, version: &str, source: Option<&str>| Package {
            name: name.into(),
            version: version.into(),
            manifest_path: format!("/x/{name}-{version}/Cargo.toml").into(),
            source: source.map(Into::into),
        };
        let packages = vec![
            pkg("cargo-wasix-libc-fetch", "0.0.0", None),
            pkg("libc", "0.2.178", None),
            pkg(
                "libc",
                "0.2.178",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
        ];
        let found = find_libc(&packages, "0.2.178").expect("found");
        assert_eq!(found.manifest_path, Path::new("/x/libc-0.2.178/Cargo.toml"));
        assert!(find_libc(&packages, "0.2.179").is_none());
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
