//! Which crates of the user's `Cargo.lock` get a WASIX overlay (`overlays/<crate>/` in the
//! repository, compiled in): a pure plan from the lock's packages, the overlays and the
//! crates the user patches themselves. `commands/cargo.rs` prepares the patched copies, adds
//! them with `--config patch.crates-io...` and puts the lock back afterwards.

use std::path::Path;

use anyhow::{Context, Result};
use wasix_sysroot::overlay::{Outside, Overlay};

use crate::lockfile::{self, LockEntry};

/// The overlays compiled into this binary.
pub fn embedded() -> Result<Vec<Overlay>> {
    embedded_for(|_| true)
}

/// The compiled-in overlays of the crates `wanted` accepts: a build parses only those of the
/// crates in its lock (the plan skips the others anyway).
pub fn embedded_for(wanted: impl Fn(&str) -> bool) -> Result<Vec<Overlay>> {
    let inputs = wasix_sysroot::embedded::Inputs::overlays_only();
    inputs
        .overlay_crates()
        .into_iter()
        .filter(|krate| wanted(krate))
        .map(|krate| Overlay::parse(krate, inputs.overlay_files(krate)))
        .collect::<Result<Vec<_>, _>>()
        .context("the overlays built into cargo-wasix are damaged")
}

/// The plan for the workspace at `root` from its lock's packages `lock`.
pub fn plan_workspace(root: &Path, lock: &[LockEntry], target: &str) -> Result<Plan> {
    let manifest = root.join("Cargo.toml");
    let mut overlays = embedded_for(|krate| lock.iter().any(|e| e.name == krate))?;
    overlays.retain(|o| o.applies_to(target));
    Ok(plan(
        lock,
        &overlays,
        &lockfile::root_patched_crates(root)?,
        &manifest.display().to_string(),
    ))
}

/// One locked package to replace with its patched copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The lock entry as it was (its `source`/`checksum` are put back afterwards).
    pub entry: LockEntry,
    /// The `[patch.crates-io]` key: the crate name, or `<crate>-wasix-<version>` (with
    /// `package = <crate>`) for further versions of a crate locked more than once.
    pub key: String,
}

/// What to do with the lock.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub patches: Vec<Planned>,
    /// Things to tell the user (a crate built unpatched, and why).
    pub warnings: Vec<String>,
    /// Versions no overlay covers although the crate cannot work without one.
    pub errors: Vec<String>,
}

/// Plans the overlays for `entries` (a lock's packages). `user_patched` are the crates the
/// workspace patches itself; `manifest` names the file that does (for the warning).
pub fn plan(
    entries: &[LockEntry],
    overlays: &[Overlay],
    user_patched: &[String],
    manifest: &str,
) -> Plan {
    let mut plan = Plan::default();
    for overlay in overlays {
        // Registry packages only, and those a killed run left pointing at a path (no source).
        // A git source is the user's own choice of code.
        let locked: Vec<&LockEntry> = entries
            .iter()
            .filter(|e| e.name == overlay.name && (e.is_registry() || e.source.is_none()))
            .collect();
        if locked.is_empty() {
            continue;
        }
        if user_patched.contains(&overlay.name) {
            plan.warnings.push(format!(
                "`{manifest}` patches `{name}` itself, so the WASIX overlay of `{name}` is not added; \
                 crates then see only what your copy defines for WASIX",
                name = overlay.name
            ));
            continue;
        }
        let mut patched_versions = 0;
        for entry in locked {
            let version = semver::Version::parse(&entry.version).ok();
            if version.as_ref().is_some_and(|v| overlay.is_fixed(v)) {
                continue;
            }
            let covered = version.and_then(|v| overlay.set_for(&v)).is_some();
            if covered {
                let key = if patched_versions == 0 {
                    overlay.name.clone()
                } else {
                    format!("{}-wasix-{}", overlay.name, entry.version.replace('.', "_"))
                };
                patched_versions += 1;
                plan.patches.push(Planned {
                    entry: entry.clone(),
                    key,
                });
                continue;
            }
            let message = format!(
                "`{name}` {version} in Cargo.lock has no WASIX overlay: the overlay covers {range} ({why})",
                name = overlay.name,
                version = entry.version,
                range = overlay.supported(),
                why = overlay.reason,
            );
            match overlay.outside {
                Outside::Error => plan.errors.push(message),
                Outside::Warn => plan
                    .warnings
                    .push(format!("{message}; building it unpatched")),
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay(name: &str, versions: &str, outside: &str) -> Overlay {
        let manifest = format!(
            "reason = \"why\"\noutside = \"{outside}\"\nfixed = \">=0.10\"\n[[set]]\nversions = \"{versions}\"\n"
        );
        let manifest: &'static str = Box::leak(manifest.into_boxed_str());
        Overlay::parse(name, vec![("overlay.toml", manifest.as_bytes())]).expect("overlay")
    }

    fn entry(name: &str, version: &str, source: Option<&str>) -> LockEntry {
        LockEntry {
            name: name.into(),
            version: version.into(),
            source: source.map(Into::into),
            checksum: source.map(|_| "c".into()),
            dependencies: Vec::new(),
        }
    }

    const CRATES_IO: Option<&str> = Some("registry+https://github.com/rust-lang/crates.io-index");

    #[test]
    fn plans() {
        let overlays = [
            overlay("libc", ">=0.2.150, <0.3", "error"),
            overlay("parking_lot_core", "^0.9", "warn"),
        ];
        let keys = |plan: &Plan| -> Vec<(String, String)> {
            plan.patches
                .iter()
                .map(|p| (p.key.clone(), p.entry.version.clone()))
                .collect()
        };
        // Nothing of ours in the lock.
        let none = plan(&[entry("serde", "1.0.0", CRATES_IO)], &overlays, &[], "C");
        assert_eq!(none, Plan::default());

        // Registry and left-patched (no source) entries are planned; git is the user's.
        let lock = [
            entry("libc", "0.2.158", CRATES_IO),
            entry("parking_lot_core", "0.9.12", None),
            entry("serde", "1.0.0", CRATES_IO),
        ];
        let p = plan(&lock, &overlays, &[], "C");
        assert_eq!(
            keys(&p),
            [
                ("libc".into(), "0.2.158".into()),
                ("parking_lot_core".into(), "0.9.12".into())
            ]
        );
        assert!(p.warnings.is_empty() && p.errors.is_empty());
        let git = plan(
            &[entry("libc", "0.2.158", Some("git+https://g#1"))],
            &overlays,
            &[],
            "C",
        );
        assert_eq!(git, Plan::default());

        // Two versions of one crate: the second gets its own key.
        let two = plan(
            &[
                entry("libc", "0.2.158", CRATES_IO),
                entry("libc", "0.2.191", CRATES_IO),
            ],
            &overlays,
            &[],
            "C",
        );
        assert_eq!(
            keys(&two),
            [
                ("libc".into(), "0.2.158".into()),
                ("libc-wasix-0_2_191".into(), "0.2.191".into())
            ]
        );

        // Outside the range: an error or a warning as the overlay says, naming the range.
        let out = plan(
            &[
                entry("libc", "0.2.100", CRATES_IO),
                entry("parking_lot_core", "0.8.6", CRATES_IO),
            ],
            &overlays,
            &[],
            "C",
        );
        assert!(out.patches.is_empty());
        assert_eq!(out.errors.len(), 1);
        assert!(
            out.errors[0].contains("`libc` 0.2.100") && out.errors[0].contains(">=0.2.150, <0.3")
        );
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].contains("`parking_lot_core` 0.8.6")
                && out.warnings[0].contains("unpatched")
        );

        // A version upstream fixed is neither patched nor warned about.
        let fixed = plan(
            &[entry("parking_lot_core", "0.10.0", CRATES_IO)],
            &overlays,
            &[],
            "C",
        );
        assert_eq!(fixed, Plan::default());

        // The user's own patch wins, with a warning naming their manifest.
        let own = plan(&lock, &overlays, &["libc".into()], "/w/Cargo.toml");
        assert_eq!(keys(&own), [("parking_lot_core".into(), "0.9.12".into())]);
        assert!(own.warnings[0].contains("`/w/Cargo.toml` patches `libc` itself"));
    }
}
