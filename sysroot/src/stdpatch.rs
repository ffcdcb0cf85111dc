//! The std patch set of a Rust version: `sysroot/patches/std/std.toml` says which parts (patch
//! sets in the format of `sysroot/patches/README.md`) apply to which Rust minors, so one set
//! serves several releases and variants exist only where an upstream anchor moved.
//!
//! Policy for versions (docs/rust-versions.md): a version inside a declared range uses that
//! set, except a stable release in a range verified on betas/nightlies only
//! (`pre-releases-only`); a beta or nightly newer than every range tries the newest set (its
//! strict anchors decide, failing with file and anchor); anything else is
//! [`Error::UnsupportedRust`].

use semver::{Version, VersionReq};
use serde::Deserialize;

use crate::embedded::{File, Inputs};
use crate::error::{Error, Result};
use crate::patch::PatchSet;

/// Folder of the std patch set inside `sysroot/patches/`.
pub const DIR: &str = "std";
/// The manifest inside [`DIR`].
pub const MANIFEST: &str = "std.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(rename = "set")]
    sets: Vec<RawSet>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
struct RawSet {
    versions: String,
    parts: Vec<String>,
    #[serde(default)]
    pre_releases_only: bool,
}

/// One `[[set]]`: the Rust minors it covers and its parts, in application order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// Matched against `major.minor.0` of rustc (pre-release and patch dropped).
    pub versions: VersionReq,
    /// Part folders under `std/` (`common`, `since-1.97`, ...).
    pub parts: Vec<String>,
    /// Verified on a beta/nightly of these minors only: their stable releases are refused.
    pub pre_releases_only: bool,
}

/// How a Rust version relates to the declared sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The set at this index covers the version.
    Covered(usize),
    /// A beta or nightly newer than every set: try the newest set (at this index).
    Newer(usize),
    /// No set, and not a pre-release to try.
    Unsupported,
}

/// The parsed manifest.
#[derive(Debug, Clone)]
pub struct StdPatches {
    /// The sets, in manifest order (oldest versions first).
    pub sets: Vec<Set>,
}

impl StdPatches {
    /// Reads the embedded manifest.
    pub fn embedded(inputs: &Inputs) -> Result<Self> {
        let path = format!("{DIR}/{MANIFEST}");
        let text = inputs
            .std_patches
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .ok_or_else(|| Error::PatchFormat {
                origin: format!("sysroot/patches/{path}"),
                reason: "missing".to_owned(),
            })?;
        let parts: Vec<&str> = inputs
            .std_patches
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&format!("{DIR}/")))
            .filter_map(|p| p.split_once('/').map(|(dir, _)| dir))
            .collect();
        Self::parse(&text, &parts)
    }

    /// Parses `std.toml`; `dirs` are the part folders that exist (for a check).
    pub fn parse(text: &str, dirs: &[&str]) -> Result<Self> {
        let bad = |reason: String| Error::PatchFormat {
            origin: format!("sysroot/patches/{DIR}/{MANIFEST}"),
            reason,
        };
        let raw: RawManifest = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        if raw.sets.is_empty() {
            return Err(bad("no `[[set]]`".to_owned()));
        }
        let mut sets = Vec::with_capacity(raw.sets.len());
        for set in raw.sets {
            let versions = VersionReq::parse(&set.versions)
                .map_err(|e| bad(format!("`versions = \"{}\"`: {e}", set.versions)))?;
            if set.parts.is_empty() {
                return Err(bad(format!("the set for `{}` has no parts", set.versions)));
            }
            if let Some(missing) = set.parts.iter().find(|p| !dirs.contains(&p.as_str())) {
                return Err(bad(format!("part `{missing}` names no folder of `std/`")));
            }
            sets.push(Set {
                versions,
                parts: set.parts,
                pre_releases_only: set.pre_releases_only,
            });
        }
        Ok(StdPatches { sets })
    }

    /// The set for a rustc version (`1.97.0-nightly`, `1.99.1`, `1.100.0-beta.7`).
    pub fn select(&self, rustc: &Version) -> Selection {
        let minor = Version::new(rustc.major, rustc.minor, 0);
        let pre_release = !rustc.pre.is_empty();
        if let Some(i) = self.sets.iter().position(|s| s.versions.matches(&minor)) {
            if pre_release || !self.sets[i].pre_releases_only {
                return Selection::Covered(i);
            }
            return Selection::Unsupported;
        }
        let newest = self.sets.len() - 1;
        let newer_than_all = self
            .minors()
            .last()
            .is_some_and(|&(major, last)| (rustc.major, rustc.minor) > (major, last));
        if pre_release && newer_than_all {
            Selection::Newer(newest)
        } else {
            Selection::Unsupported
        }
    }

    /// Every Rust minor a set covers, oldest first (`[(1, 95), (1, 96), ...]`); probes minors
    /// 1.0 to 1.999, which is plenty for the lifetime of this format.
    pub fn minors(&self) -> Vec<(u64, u64)> {
        (0..1000)
            .filter(|&minor| {
                let v = Version::new(1, minor, 0);
                self.sets.iter().any(|s| s.versions.matches(&v))
            })
            .map(|minor| (1, minor))
            .collect()
    }

    /// [`Self::minors`] as `1.95`-style strings; a minor verified on pre-releases only reads
    /// `1.101 (beta/nightly)`.
    pub fn supported(&self) -> Vec<String> {
        self.minors()
            .into_iter()
            .map(|(major, minor)| {
                if self.stable_covered(major, minor) {
                    format!("{major}.{minor}")
                } else {
                    format!("{major}.{minor} (beta/nightly)")
                }
            })
            .collect()
    }

    /// The newest minor whose stable release is supported (`1.99`): the toolchain to suggest.
    pub fn newest_stable(&self) -> String {
        self.minors()
            .into_iter()
            .rev()
            .find(|&(major, minor)| self.stable_covered(major, minor))
            .map(|(major, minor)| format!("{major}.{minor}"))
            .unwrap_or_default()
    }

    /// Whether the stable release `major.minor.0` has a set.
    fn stable_covered(&self, major: u64, minor: u64) -> bool {
        let v = Version::new(major, minor, 0);
        self.sets
            .iter()
            .any(|s| !s.pre_releases_only && s.versions.matches(&v))
    }

    /// The embedded files of set `index` as `(path under sysroot/patches, bytes)`: the
    /// manifest and every file of its parts (READMEs included: they are hashed into the key).
    pub fn files_of(&self, index: usize, inputs: &Inputs) -> Vec<File> {
        let manifest = format!("{DIR}/{MANIFEST}");
        let prefixes: Vec<String> = self.sets[index]
            .parts
            .iter()
            .map(|part| format!("{DIR}/{part}/"))
            .collect();
        inputs
            .std_patches
            .iter()
            .filter(|(p, _)| *p == manifest || prefixes.iter().any(|pre| p.starts_with(pre)))
            .cloned()
            .collect()
    }

    /// The patch sets of set `index`, one per part, in application order.
    pub fn patch_sets(&self, index: usize, inputs: &Inputs) -> Result<Vec<PatchSet>> {
        self.sets[index]
            .parts
            .iter()
            .map(|part| {
                let prefix = format!("{DIR}/{part}/");
                PatchSet::from_entries(
                    &format!("std patch part `{part}` (sysroot/patches/{DIR}/{part})"),
                    inputs
                        .std_patches
                        .iter()
                        .filter_map(|(p, b)| p.strip_prefix(&prefix).map(|rel| (rel, *b))),
                )
            })
            .collect()
    }
}

/// The set to use for `rustc`, or [`Error::UnsupportedRust`] naming the supported minors.
pub fn select_or_error(patches: &StdPatches, rustc: &Version) -> Result<(usize, Selection)> {
    match patches.select(rustc) {
        sel @ (Selection::Covered(i) | Selection::Newer(i)) => Ok((i, sel)),
        Selection::Unsupported => Err(Error::UnsupportedRust {
            version: rustc.to_string(),
            newest: patches.newest_stable(),
            supported: patches.supported().join(", "),
        }),
    }
}

/// What [`check`] found for one toolchain.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The versions of the set used (`>=1.99, <1.100`).
    pub versions: String,
    /// Its parts.
    pub parts: Vec<String>,
    /// The set is tried on a newer beta/nightly.
    pub tried: bool,
    /// Edits and files that no longer apply (empty: the set applies).
    pub problems: Vec<String>,
}

/// Applies the std patch set for `rustc` to the rust-src `library/` at `library` in memory,
/// reporting everything that no longer applies (for scripts/rust-versions.sh and releases).
pub fn check(inputs: &Inputs, rustc: &Version, library: &std::path::Path) -> Result<CheckReport> {
    let patches = StdPatches::embedded(inputs)?;
    let (index, selection) = select_or_error(&patches, rustc)?;
    let mut run = crate::patch::DryRun::default();
    let mut problems = Vec::new();
    for part in patches.patch_sets(index, inputs)? {
        problems.extend(part.check(library, &mut run));
    }
    let set = &patches.sets[index];
    Ok(CheckReport {
        versions: set.versions.to_string(),
        parts: set.parts.clone(),
        tried: selection != Selection::Covered(index),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST_TEXT: &str = r#"
[[set]]
versions = ">=1.95, <1.97"
parts = ["common", "until-1.95"]

[[set]]
versions = ">=1.97, <1.99"
parts = ["common", "since-1.96"]

[[set]]
versions = ">=1.99, <1.100"
parts = ["common", "since-1.96", "since-1.99"]

[[set]]
versions = ">=1.100, <1.101"
pre-releases-only = true
parts = ["common", "since-1.96", "since-1.99", "since-1.100"]
"#;
    const DIRS: &[&str] = &[
        "common",
        "until-1.95",
        "since-1.96",
        "since-1.99",
        "since-1.100",
    ];

    #[test]
    fn version_to_set_table() {
        let patches = StdPatches::parse(MANIFEST_TEXT, DIRS).expect("parse");
        use Selection::*;
        let cases = [
            ("1.94.0", Unsupported),
            ("1.95.0", Covered(0)),
            ("1.95.2", Covered(0)),
            ("1.96.0-beta.3", Covered(0)),
            ("1.97.0-nightly", Covered(1)),
            ("1.98.0", Covered(1)),
            ("1.99.1", Covered(2)),
            // Verified on pre-releases only: betas/nightlies use it, the stable is refused.
            ("1.100.0-beta.7", Covered(3)),
            ("1.100.0-nightly", Covered(3)),
            ("1.100.0", Unsupported),
            ("1.100.1", Unsupported),
            // Newer than every set: pre-releases try the newest, stable releases are refused.
            ("1.101.0-nightly", Newer(3)),
            ("1.101.0-beta.1", Newer(3)),
            ("1.101.0", Unsupported),
            ("1.80.0-nightly", Unsupported),
            ("2.0.0-nightly", Newer(3)),
        ];
        for (version, want) in cases {
            let v = Version::parse(version).expect("semver");
            assert_eq!(patches.select(&v), want, "{version}");
        }
        assert_eq!(
            patches.supported(),
            [
                "1.95",
                "1.96",
                "1.97",
                "1.98",
                "1.99",
                "1.100 (beta/nightly)"
            ]
        );
        assert_eq!(patches.newest_stable(), "1.99");
    }

    #[test]
    fn unsupported_error_names_versions_and_toolchain() {
        let patches = StdPatches::parse(MANIFEST_TEXT, DIRS).expect("parse");
        // A stable release of a minor verified on pre-releases only, and one newer than all.
        for version in ["1.100.0", "1.101.0"] {
            let v = Version::parse(version).expect("semver");
            let msg = select_or_error(&patches, &v)
                .expect_err("unsupported")
                .to_string();
            assert!(
                msg.contains(&format!("Rust {version} is not supported")),
                "{msg}"
            );
            assert!(
                msg.contains("supported: 1.95, 1.96, 1.97, 1.98, 1.99, 1.100 (beta/nightly))"),
                "{msg}"
            );
            assert!(msg.contains("rustup toolchain install 1.99`"), "{msg}");
            assert!(msg.contains("cargo +1.99 wasix build"), "{msg}");
        }
    }

    /// The real `std.toml`: which parts each toolchain gets (the ones measured in
    /// docs/rust-versions.md).
    #[test]
    fn embedded_manifest_parts_per_version_table() {
        let inputs = Inputs::embedded();
        let patches = StdPatches::embedded(&inputs).expect("embedded manifest");
        let older = ["until-1.99", "until-1.100"];
        let cases: [(&str, Option<&[&str]>); 12] = [
            ("1.94.0", None),
            (
                "1.95.0",
                Some(&["common", "until-1.95", "until-1.96", "until-1.98"]),
            ),
            (
                "1.96.0",
                Some(&["common", "since-1.96", "until-1.96", "until-1.98"]),
            ),
            (
                "1.97.0",
                Some(&["common", "since-1.96", "since-1.97", "until-1.98"]),
            ),
            (
                "1.98.0",
                Some(&["common", "since-1.96", "since-1.97", "until-1.98"]),
            ),
            (
                "1.99.1",
                Some(&["common", "since-1.96", "since-1.97", "since-1.99"]),
            ),
            (
                "1.100.0-beta.7",
                Some(&[
                    "common",
                    "since-1.96",
                    "since-1.97",
                    "since-1.99",
                    "since-1.100",
                    "until-1.100",
                ]),
            ),
            ("1.100.0", None),
            (
                "1.101.0-nightly",
                Some(&[
                    "common",
                    "since-1.96",
                    "since-1.97",
                    "since-1.99",
                    "since-1.100",
                    "since-1.101",
                ]),
            ),
            ("1.101.0", None),
            // A newer nightly tries the newest set.
            (
                "1.102.0-nightly",
                Some(&[
                    "common",
                    "since-1.96",
                    "since-1.97",
                    "since-1.99",
                    "since-1.100",
                    "since-1.101",
                ]),
            ),
            ("1.102.0", None),
        ];
        for (version, want) in cases {
            let v = Version::parse(version).expect("semver");
            let got = select_or_error(&patches, &v)
                .ok()
                .map(|(i, _)| patches.sets[i].parts.clone());
            let want = want.map(|parts| {
                let mut parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                // Up to 1.99 every set ends with the parts 1.100 and 1.101 replaced.
                if v.minor <= 99 {
                    parts.extend(older.iter().map(|p| p.to_string()));
                }
                parts
            });
            assert_eq!(got, want, "{version}");
        }
        assert_eq!(patches.newest_stable(), "1.99");
    }

    /// Every `until-A.B` part is used only by sets of minors <= A.B, every `since-A.B` only by
    /// minors >= A.B (so std.toml and the part names cannot drift apart), with no gap.
    #[test]
    fn embedded_part_names_match_their_sets() {
        let inputs = Inputs::embedded();
        let patches = StdPatches::embedded(&inputs).expect("embedded manifest");
        let minor_of = |name: &str, prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|v| v.strip_prefix("1."))
                .map(|m| m.parse::<u64>().expect("part minor"))
        };
        for (major, minor) in patches.minors() {
            let v = Version::new(major, minor, 0);
            let set = patches
                .sets
                .iter()
                .find(|s| s.versions.matches(&v))
                .expect("covered");
            for part in &set.parts {
                if let Some(until) = minor_of(part, "until-") {
                    assert!(minor <= until, "1.{minor} uses {part}");
                }
                if let Some(since) = minor_of(part, "since-") {
                    assert!(minor >= since, "1.{minor} uses {part}");
                }
            }
        }
        // No gap between the first and the last supported minor.
        let minors = patches.minors();
        assert!(
            minors.windows(2).all(|w| w[1].1 == w[0].1 + 1),
            "{minors:?}"
        );
    }

    #[test]
    fn manifest_errors_table() {
        let cases = [
            ("", "missing field `set`"),
            ("set = []", "no `[[set]]`"),
            (
                "[[set]]\nversions = \"soon\"\nparts = [\"common\"]",
                "`versions = \"soon\"`",
            ),
            ("[[set]]\nversions = \">=1.95\"\nparts = []", "has no parts"),
            (
                "[[set]]\nversions = \">=1.95\"\nparts = [\"since-2.0\"]",
                "part `since-2.0` names no folder",
            ),
            (
                "[[set]]\nversions = \">=1.95\"\nparts = [\"common\"]\nedits = \"x\"",
                "unknown field `edits`",
            ),
        ];
        for (text, want) in cases {
            let msg = StdPatches::parse(text, DIRS).expect_err(text).to_string();
            assert!(msg.contains(want), "{text}: {msg}");
            assert!(msg.contains("sysroot/patches/std/std.toml"), "{msg}");
        }
    }

    #[test]
    fn embedded_manifest_is_valid_and_sets_load() {
        let inputs = Inputs::embedded();
        let patches = StdPatches::embedded(&inputs).expect("embedded manifest");
        assert!(patches.supported().contains(&"1.95".to_owned()));
        for index in 0..patches.sets.len() {
            let sets = patches.patch_sets(index, &inputs).expect("parts parse");
            assert_eq!(sets.len(), patches.sets[index].parts.len());
            assert!(sets.iter().all(|s| !s.edits.edits.is_empty()));
            let files = patches.files_of(index, &inputs);
            assert!(files.iter().any(|(p, _)| p == "std/std.toml"));
        }
    }

    #[test]
    fn a_tried_set_that_fails_says_which_toolchain_to_use() {
        let msg = Error::NewerRustNotPatched {
            version: "1.101.0-nightly".into(),
            supported: "1.95, 1.99".into(),
            newest: "1.99".into(),
            reason: "in `a.rs`, anchor not found: `x`".into(),
        }
        .to_string();
        assert_eq!(msg.lines().count(), 2, "{msg}");
        assert!(
            msg.starts_with("Rust 1.101.0-nightly is newer than the versions this cargo-wasix supports (1.95, 1.99), and the std patch set for 1.99 does not apply to it: in `a.rs`"),
            "{msg}"
        );
        assert!(msg.contains("`cargo +1.99 wasix build`"), "{msg}");
    }
}
