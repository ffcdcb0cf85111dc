//! Finds the user's workspace root and the `libc` version its `Cargo.lock` resolves to, so the
//! matching patched `libc` can be put in with `--config patch.crates-io.libc.path=...`.
//!
//! This runs on every `cargo wasix build`, so the common cases are answered from the file
//! system without spawning cargo: a package with no workspace above it, or a manifest that is
//! itself a workspace root. Anything else (a member of a workspace further up, an explicit
//! `package.workspace` key) asks `cargo locate-project --workspace`, which knows the rules.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A `Cargo.toml` found on the way up, reduced to what decides workspace membership.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    pub has_workspace: bool,
    pub has_package: bool,
    /// `package.workspace = "..."` (an explicit root elsewhere).
    pub explicit_root: bool,
    /// `[patch.crates-io] libc = ...`: the user patches libc themselves.
    pub patches_libc: bool,
    /// `workspace.exclude` entries, relative to the manifest's directory.
    pub excludes: Vec<String>,
}

impl ManifestFacts {
    pub fn parse(text: &str) -> Result<Self> {
        let table: toml::Table = text.parse().context("failed to parse Cargo.toml")?;
        let workspace = table.get("workspace").and_then(|w| w.as_table());
        let package = table.get("package").and_then(|p| p.as_table());
        Ok(ManifestFacts {
            has_workspace: workspace.is_some(),
            has_package: package.is_some(),
            explicit_root: package.is_some_and(|p| p.contains_key("workspace")),
            patches_libc: table
                .get("patch")
                .and_then(|p| p.get("crates-io"))
                .and_then(|c| c.get("libc"))
                .is_some(),
            excludes: workspace
                .and_then(|w| w.get("exclude"))
                .and_then(|e| e.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// What the file system alone tells about the workspace root.
#[derive(Debug, PartialEq, Eq)]
pub enum RootGuess {
    /// Certain: this directory is the workspace root.
    Root(PathBuf),
    /// Needs cargo's judgement (membership rules we do not re-implement).
    AskCargo,
}

/// Decides the root from the package manifest and the manifests above it (nearest first).
/// Pure: the caller reads the files.
pub fn guess_root(
    package_dir: &Path,
    own: &ManifestFacts,
    ancestors: &[(PathBuf, ManifestFacts)],
) -> RootGuess {
    if own.has_workspace {
        return RootGuess::Root(package_dir.to_owned());
    }
    if own.explicit_root {
        return RootGuess::AskCargo;
    }
    for (dir, facts) in ancestors {
        if !facts.has_workspace {
            continue;
        }
        let excluded = facts
            .excludes
            .iter()
            .any(|e| package_dir.starts_with(dir.join(e)));
        return if excluded {
            RootGuess::Root(package_dir.to_owned())
        } else {
            RootGuess::AskCargo
        };
    }
    RootGuess::Root(package_dir.to_owned())
}

/// The workspace root for a cargo invocation started in `cwd` with an optional
/// `--manifest-path`. `cargo` is the cargo to ask when the file system is not enough.
pub fn workspace_root(cwd: &Path, manifest_path: Option<&Path>, cargo: &Path) -> Result<PathBuf> {
    let manifest = match manifest_path {
        Some(path) => cwd.join(path),
        None => find_manifest(cwd)?,
    };
    let package_dir = manifest
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| cwd.to_owned());
    let own = read_facts(&manifest)?;
    let mut ancestors = Vec::new();
    for dir in package_dir.ancestors().skip(1) {
        let candidate = dir.join("Cargo.toml");
        if candidate.is_file() {
            // An unreadable manifest above us is cargo's problem to report; ask cargo.
            match read_facts(&candidate) {
                Ok(facts) => ancestors.push((dir.to_owned(), facts)),
                Err(_) => return ask_cargo(cwd, &manifest, cargo),
            }
            if ancestors.last().is_some_and(|(_, f)| f.has_workspace) {
                break;
            }
        }
    }
    match guess_root(&package_dir, &own, &ancestors) {
        RootGuess::Root(root) => Ok(root),
        RootGuess::AskCargo => ask_cargo(cwd, &manifest, cargo),
    }
}

fn find_manifest(cwd: &Path) -> Result<PathBuf> {
    for dir in cwd.ancestors() {
        let candidate = dir.join("Cargo.toml");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "could not find `Cargo.toml` in `{}` or any parent directory\nhelp: run the command inside a cargo package, or pass `--manifest-path`",
        cwd.display()
    )
}

/// Whether the workspace root's manifest patches `libc` itself (then ours cannot be added:
/// cargo refuses two patches for one crate).
pub fn root_patches_libc(root: &Path) -> Result<bool> {
    Ok(read_facts(&root.join("Cargo.toml"))?.patches_libc)
}

fn read_facts(manifest: &Path) -> Result<ManifestFacts> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("failed to read `{}`", manifest.display()))?;
    ManifestFacts::parse(&text).with_context(|| format!("failed to parse `{}`", manifest.display()))
}

fn ask_cargo(cwd: &Path, manifest: &Path, cargo: &Path) -> Result<PathBuf> {
    let output = Command::new(cargo)
        .args([
            "locate-project",
            "--workspace",
            "--message-format",
            "plain",
            "--manifest-path",
        ])
        .arg(manifest)
        .current_dir(cwd)
        .output()
        .with_context(|| format!("failed to run `{} locate-project`", cargo.display()))?;
    if !output.status.success() {
        bail!(
            "`cargo locate-project --workspace` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    let root_manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    Ok(root_manifest
        .parent()
        .map(Path::to_owned)
        .unwrap_or(root_manifest))
}

/// The `libc` entry of a `Cargo.lock` that `[patch.crates-io]` must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibcEntry {
    pub version: String,
    /// Still the crates.io package (`source = "registry+..."`), i.e. not yet patched.
    pub from_registry: bool,
}

/// The newest `libc 0.2.x` in a `Cargo.lock`, read line by line: lock files are large and
/// this runs on every build.
pub fn libc_entry(lock: &str) -> Option<LibcEntry> {
    let mut best: Option<(u64, LibcEntry)> = None;
    let mut current: Option<(Option<String>, bool)> = None;
    let finish = |block: Option<(Option<String>, bool)>, best: &mut Option<(u64, LibcEntry)>| {
        let Some((Some(version), from_registry)) = block else {
            return;
        };
        let Some(patch) = version
            .strip_prefix("0.2.")
            .and_then(|p| p.split(['-', '+']).next()?.parse::<u64>().ok())
        else {
            return;
        };
        if best.as_ref().is_none_or(|(b, _)| patch > *b) {
            *best = Some((
                patch,
                LibcEntry {
                    version,
                    from_registry,
                },
            ));
        }
    };
    for line in lock.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            finish(current.take(), &mut best);
        } else if line == "name = \"libc\"" {
            current = Some((None, false));
        } else if let Some((version, from_registry)) = current.as_mut() {
            if let Some(v) = line
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
            {
                *version = Some(v.to_owned());
            } else if line.starts_with("source = \"registry+")
                || line.starts_with("source = \"sparse+")
            {
                *from_registry = true;
            }
        }
    }
    finish(current.take(), &mut best);
    best.map(|(_, entry)| entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> ManifestFacts {
        ManifestFacts::parse(text).unwrap()
    }

    #[test]
    fn manifest_facts() {
        let cases: &[(&str, ManifestFacts)] = &[
            (
                "[package]\nname = \"a\"\n",
                ManifestFacts {
                    has_package: true,
                    ..Default::default()
                },
            ),
            (
                "[workspace]\nmembers = [\"a\"]\nexclude = [\"tests\"]\n",
                ManifestFacts {
                    has_workspace: true,
                    excludes: vec!["tests".into()],
                    ..Default::default()
                },
            ),
            (
                "[package]\nname = \"a\"\n[patch.crates-io]\nlibc = { path = \"../libc\" }\n",
                ManifestFacts {
                    has_package: true,
                    patches_libc: true,
                    ..Default::default()
                },
            ),
            (
                "[package]\nname = \"a\"\n[patch.crates-io]\nserde = { path = \"s\" }\n",
                ManifestFacts {
                    has_package: true,
                    ..Default::default()
                },
            ),
            (
                "[package]\nname = \"a\"\nworkspace = \"..\"\n",
                ManifestFacts {
                    has_package: true,
                    explicit_root: true,
                    ..Default::default()
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&facts(text), expected, "manifest {text:?}");
        }
    }

    #[test]
    fn root_guesses() {
        let pkg = Path::new("/w/tests/hello");
        let package = facts("[package]\nname = \"hello\"\n");
        let ws_root = facts("[package]\nname = \"r\"\n[workspace]\n");
        let ws_excluding = facts("[workspace]\nexclude = [\"tests\"]\n");
        let ws_plain = facts("[workspace]\nmembers = [\"crates/*\"]\n");
        let plain_parent = facts("[package]\nname = \"p\"\n");
        type Case<'a> = (&'a ManifestFacts, Vec<(PathBuf, ManifestFacts)>, RootGuess);
        let cases: Vec<Case> = vec![
            (&package, vec![], RootGuess::Root(pkg.to_owned())),
            (&ws_root, vec![], RootGuess::Root(pkg.to_owned())),
            (
                &package,
                vec![("/w".into(), ws_excluding)],
                RootGuess::Root(pkg.to_owned()),
            ),
            (&package, vec![("/w".into(), ws_plain)], RootGuess::AskCargo),
            (
                &package,
                vec![("/w/tests".into(), plain_parent)],
                RootGuess::Root(pkg.to_owned()),
            ),
        ];
        for (own, ancestors, expected) in cases {
            assert_eq!(
                guess_root(pkg, own, &ancestors),
                expected,
                "own {own:?} ancestors {ancestors:?}"
            );
        }
        let explicit = facts("[package]\nname = \"a\"\nworkspace = \"..\"\n");
        assert_eq!(guess_root(pkg, &explicit, &[]), RootGuess::AskCargo);
    }

    #[test]
    fn libc_entries_in_locks() {
        let entry = |name: &str, version: &str| {
            format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n\n")
        };
        let registry = |name: &str, version: &str| {
            format!(
                "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"00\"\n\n"
            )
        };
        let e = |version: &str, from_registry: bool| {
            Some(LibcEntry {
                version: version.to_owned(),
                from_registry,
            })
        };
        let cases: Vec<(String, Option<LibcEntry>)> = vec![
            (String::new(), None),
            (entry("serde", "1.0.0"), None),
            (registry("libc", "0.2.178"), e("0.2.178", true)),
            // Already patched: a path package has no `source` line.
            (entry("libc", "0.2.178"), e("0.2.178", false)),
            (
                registry("libc", "0.2.180") + &registry("libc", "0.1.12"),
                e("0.2.180", true),
            ),
            (
                registry("libc", "0.2.9") + &entry("libc", "0.2.178"),
                e("0.2.178", false),
            ),
            // A `libc-print` crate is not `libc`; its version and source must not count.
            (
                registry("libc-print", "0.2.500") + &entry("libc", "0.2.150"),
                e("0.2.150", false),
            ),
            // The last block of the file, with a dependency list after it.
            (
                entry("a", "1.0.0") + &registry("libc", "0.2.191") + "[metadata]\n",
                e("0.2.191", true),
            ),
        ];
        for (lock, expected) in cases {
            assert_eq!(libc_entry(&lock), expected, "lock:\n{lock}");
        }
    }
}
