//! Finds the user's workspace root and the packages its `Cargo.lock` resolves, so the matching
//! patched crates can be put in with `--config patch.crates-io.<crate>.path=...`; and puts the
//! lock back as it was afterwards (cargo rewrites a patched entry without `source`/`checksum`).
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
    /// The crates the manifest patches itself in `[patch.crates-io]` (keys and `package`s).
    pub patched: Vec<String>,
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
            patched: table
                .get("patch")
                .and_then(|p| p.get("crates-io"))
                .and_then(|c| c.as_table())
                .map(|patches| {
                    patches
                        .iter()
                        .map(|(key, value)| {
                            value
                                .get("package")
                                .and_then(|p| p.as_str())
                                .unwrap_or(key)
                                .to_owned()
                        })
                        .collect()
                })
                .unwrap_or_default(),
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

/// The crates the workspace root's manifest patches itself (ours cannot be added for them:
/// cargo refuses two patches of one crate version).
pub fn root_patched_crates(root: &Path) -> Result<Vec<String>> {
    Ok(read_facts(&root.join("Cargo.toml"))?.patched)
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

/// One `[[package]]` of a `Cargo.lock`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockEntry {
    pub name: String,
    pub version: String,
    /// `registry+...`/`sparse+...`/`git+...`; `None` for path packages (and for a registry
    /// package while a `[patch]` points it at a path).
    pub source: Option<String>,
    pub checksum: Option<String>,
    /// The names of the packages it depends on (`dependencies = [...]`).
    pub dependencies: Vec<String>,
}

impl LockEntry {
    /// From a registry (not git, not a path).
    pub fn is_registry(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
    }
}

/// Every package of a `Cargo.lock`, read line by line: lock files are large and this runs on
/// every build (a TOML parse of a lock with hundreds of packages costs milliseconds).
pub fn lock_entries(lock: &str) -> Vec<LockEntry> {
    let mut out = Vec::new();
    let mut current: Option<LockEntry> = None;
    let mut in_dependencies = false;
    for line in lock.lines() {
        if in_dependencies {
            // ` "name",`, ` "name version",` or ` "name version (source)",` until `]`.
            if line.trim_start().starts_with(']') {
                in_dependencies = false;
            } else if let Some(entry) = current.as_mut() {
                entry.dependencies.extend(dependency_names(line));
            }
        } else if line.starts_with('[') {
            out.extend(current.take().filter(|e| !e.name.is_empty()));
            if line == "[[package]]" {
                current = Some(LockEntry::default());
            }
        } else if let Some(entry) = current.as_mut()
            && let Some(list) = line.strip_prefix("dependencies = [")
        {
            entry.dependencies.extend(dependency_names(list));
            in_dependencies = !list.trim_end().ends_with(']');
        } else if let Some(entry) = current.as_mut()
            && let Some((key, value)) = line.split_once(" = \"")
            && let Some(value) = value.strip_suffix('"')
        {
            match key {
                "name" => entry.name = value.to_owned(),
                "version" => entry.version = value.to_owned(),
                "source" => entry.source = Some(value.to_owned()),
                "checksum" => entry.checksum = Some(value.to_owned()),
                _ => {}
            }
        }
    }
    out.extend(current.filter(|e| !e.name.is_empty()));
    out
}

/// The package names in (part of) a lock's `dependencies` array: each quoted item's first word.
fn dependency_names(items: &str) -> impl Iterator<Item = String> + '_ {
    items
        .split('"')
        .skip(1)
        .step_by(2)
        .filter_map(|item| item.split_whitespace().next().map(str::to_owned))
}

/// The packages of the `Cargo.lock` in `root`.
pub fn read_lock(root: &Path) -> Result<Vec<LockEntry>> {
    let path = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    Ok(lock_entries(&text))
}

/// crates.io's source, for a registry entry whose original `source` line is gone.
pub const CRATES_IO_SOURCE: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// Puts the `source` and `checksum` lines of `restore` back into the entries cargo rewrote for
/// our `[patch]`es (a patched package is written without them), leaving everything else —
/// including changes cargo made for other reasons — as it is. Returns the new text.
pub fn restore_entries(lock: &str, restore: &[LockEntry]) -> String {
    let mut out = String::with_capacity(lock.len() + restore.len() * 150);
    let mut lines = lock.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if line.trim_end() != "[[package]]" {
            continue;
        }
        // name and version come first in every entry cargo writes.
        let mut head = Vec::new();
        while head.len() < 2
            && let Some(next) =
                lines.next_if(|l| l.starts_with("name = ") || l.starts_with("version = "))
        {
            head.push(next);
        }
        for l in &head {
            out.push_str(l);
        }
        let field = |prefix: &str| {
            head.iter()
                .find_map(|l| l.trim_end().strip_prefix(prefix)?.strip_suffix('"'))
        };
        let (Some(name), Some(version)) = (field("name = \""), field("version = \"")) else {
            continue;
        };
        let has_source = lines.peek().is_some_and(|l| l.starts_with("source = "));
        if has_source {
            continue;
        }
        if let Some(entry) = restore
            .iter()
            .find(|e| e.name == name && e.version == version)
        {
            let newline = if head.last().is_some_and(|l| l.ends_with("\r\n")) {
                "\r\n"
            } else {
                "\n"
            };
            let source = entry.source.as_deref().unwrap_or(CRATES_IO_SOURCE);
            out.push_str(&format!("source = \"{source}\"{newline}"));
            if let Some(sum) = &entry.checksum {
                out.push_str(&format!("checksum = \"{sum}\"{newline}"));
            }
        }
    }
    out
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
                    patched: vec!["libc".into()],
                    ..Default::default()
                },
            ),
            (
                "[package]\nname = \"a\"\n[patch.crates-io]\nserde = { path = \"s\" }\npl = { path = \"p\", package = \"parking_lot_core\" }\n",
                ManifestFacts {
                    has_package: true,
                    patched: vec!["parking_lot_core".into(), "serde".into()],
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
    fn lock_entries_read_every_package() {
        let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n \"libc\",\n]\n\n\
                    [[package]]\nname = \"libc\"\nversion = \"0.2.178\"\nsource = \"registry+https://x\"\nchecksum = \"ab\"\n\n\
                    [[package]]\nname = \"libc-print\"\nversion = \"0.1.0\"\nsource = \"git+https://g#1\"\n\n[metadata]\nk = \"v\"\n";
        let entries = lock_entries(lock);
        let names: Vec<(&str, &str, bool)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.version.as_str(), e.is_registry()))
            .collect();
        assert_eq!(
            names,
            [
                ("a", "1.0.0", false),
                ("libc", "0.2.178", true),
                ("libc-print", "0.1.0", false)
            ]
        );
        assert_eq!(entries[1].checksum.as_deref(), Some("ab"));
        assert_eq!(entries[0].dependencies, ["libc"]);
        assert!(entries[1].dependencies.is_empty());
        assert!(lock_entries("").is_empty());
    }

    #[test]
    fn lock_dependencies_in_every_spelling() {
        let cases: &[(&str, &[&str])] = &[
            (
                "dependencies = [\n \"cc\",\n \"libc\",\n]\n",
                &["cc", "libc"],
            ),
            // A name locked twice is written with its version (and source when ambiguous).
            (
                "dependencies = [\n \"cc 1.2.3\",\n \"libc 0.2.1 (registry+https://x)\",\n]\n",
                &["cc", "libc"],
            ),
            (
                "dependencies = [\"cmake\", \"pkg-config\"]\n",
                &["cmake", "pkg-config"],
            ),
            ("dependencies = []\n", &[]),
            (
                "dependencies = [\n]\nsource = \"registry+https://x\"\n",
                &[],
            ),
        ];
        for (deps, expected) in cases {
            let lock = format!(
                "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n{deps}\n[[package]]\nname = \"b\"\nversion = \"2.0.0\"\n"
            );
            let entries = lock_entries(&lock);
            assert_eq!(entries.len(), 2, "{deps:?}");
            assert_eq!(entries[0].dependencies, *expected, "{deps:?}");
            assert!(entries[1].dependencies.is_empty(), "{deps:?}");
        }
    }

    /// What cargo writes for a `[patch]` path: the entry without `source` and `checksum`.
    fn as_cargo_patches(lock: &str, name: &str) -> String {
        let mut out = String::new();
        let mut in_entry = false;
        for line in lock.split_inclusive('\n') {
            if line.starts_with("name = ") {
                in_entry = line.trim_end() == format!("name = \"{name}\"");
            }
            if in_entry && (line.starts_with("source = ") || line.starts_with("checksum = ")) {
                continue;
            }
            out.push_str(line);
        }
        out
    }

    #[test]
    fn restore_gives_back_the_original_bytes() {
        let original = "# This file is automatically @generated by Cargo.\nversion = 4\n\n\
            [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc\",\n \"parking_lot_core\",\n]\n\n\
            [[package]]\nname = \"libc\"\nversion = \"0.2.158\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"d8adc4\"\n\n\
            [[package]]\nname = \"parking_lot_core\"\nversion = \"0.9.12\"\nsource = \"sparse+https://mirror/index/\"\nchecksum = \"2621\"\ndependencies = [\n \"libc\",\n]\n";
        let entries = lock_entries(original);
        let restore: Vec<LockEntry> = entries
            .iter()
            .filter(|e| e.is_registry())
            .cloned()
            .collect();
        let patched = as_cargo_patches(&as_cargo_patches(original, "libc"), "parking_lot_core");
        assert_ne!(patched, original);
        assert_eq!(restore_entries(&patched, &restore), original);
        // Nothing to do on an unpatched lock, and CRLF files keep their line ends.
        assert_eq!(restore_entries(original, &restore), original);
        let crlf = original.replace('\n', "\r\n");
        assert_eq!(
            restore_entries(&as_cargo_patches(&crlf, "libc"), &restore),
            crlf
        );
        // A path package of the same name but another version is left alone.
        let other = LockEntry {
            version: "0.2.1".into(),
            ..restore[0].clone()
        };
        assert_eq!(restore_entries(&patched, &[other]), patched);
        // Without a recorded source (a lock left patched by a killed run), crates.io's is used.
        let bare = LockEntry {
            source: None,
            ..restore[0].clone()
        };
        let fixed = restore_entries(&as_cargo_patches(original, "libc"), &[bare]);
        assert_eq!(fixed, original);
    }
}
