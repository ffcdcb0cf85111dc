//! The manifest of a sysroot pack and the pure checks against the local toolchain: rustc
//! (version, commit, host) first, then each entry's sysroot cache key.

use serde::{Deserialize, Serialize};

/// The manifest's name inside the archive (its first member).
pub const MANIFEST_NAME: &str = "cargo-wasix-sysroot.json";

/// The manifest format this tool writes and reads.
pub const FORMAT: u32 = 1;

/// The largest manifest install reads (a damaged header must not make it allocate gigabytes).
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// What a pack holds and what it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// The tool that wrote it (`cargo-wasix 0.1.0`).
    pub made_by: String,
    /// The rustc the sysroots were built with.
    pub rustc: RustcId,
    /// The packed cache entries.
    pub entries: Vec<PackedEntry>,
}

/// A rustc, as `rustc -vV` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RustcId {
    /// `1.95.0`, `1.97.0-nightly`.
    pub version: String,
    /// The full commit hash (empty when rustc reports none).
    pub commit_hash: String,
    /// The commit date (empty when unknown).
    pub commit_date: String,
    /// The host triple.
    pub host: String,
}

/// One packed cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedEntry {
    /// The entry's directory name in the cache and in the archive (`<commit 9>-<key>`).
    pub dir: String,
    /// The target.
    pub target: String,
    /// The target features (canonical spelling).
    pub features: String,
    /// The std patch set's parts, for people reading the manifest (the key covers them).
    pub std_patch_set: String,
    /// The sysroot cache key.
    pub key: String,
    /// Regular files and symlinks in the entry.
    pub files: u64,
    /// Bytes of its regular files.
    pub bytes: u64,
}

/// Why a pack does not fit, naming both sides, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Both sides.
    pub reason: String,
    /// What to do.
    pub help: String,
}

/// What the local cache expects for one manifest entry (computed for its target and features).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The entry directory name the cache uses.
    pub dir: String,
    /// The key the cache uses.
    pub key: String,
}

impl Manifest {
    /// Parses a manifest; the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("its manifest is not valid: {e}"))
    }

    /// The manifest as written into a pack.
    pub fn render(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).unwrap_or_default();
        text.push(b'\n');
        text
    }

    /// The format and the rustc must match exactly; entry names must be plain directory names.
    pub fn check_rustc(&self, local: &RustcId) -> Result<(), Mismatch> {
        if self.format != FORMAT {
            return Err(Mismatch {
                reason: format!(
                    "it has manifest format {} (written by {}), this cargo-wasix reads format {FORMAT}",
                    self.format, self.made_by
                ),
                help: format!(
                    "install it with the cargo-wasix that made it ({}), or build the sysroot here with `cargo wasix setup`",
                    self.made_by
                ),
            });
        }
        let same = self.rustc.version == local.version
            && self.rustc.commit_hash == local.commit_hash
            && self.rustc.host == local.host;
        if !same {
            let host_help = if self.rustc.host == local.host {
                String::new()
            } else {
                format!(
                    "; a pack only works on the host it was made on ({})",
                    self.rustc.host
                )
            };
            return Err(Mismatch {
                reason: format!(
                    "it was made for {}, and this toolchain is {}",
                    describe(&self.rustc),
                    describe(local)
                ),
                help: format!(
                    "build the sysroot for this toolchain with `cargo wasix setup`, or install the pack with the toolchain it was made for ({}){host_help}",
                    toolchain_hint(&self.rustc)
                ),
            });
        }
        if self.entries.is_empty() {
            return Err(Mismatch {
                reason: "it holds no sysroot".to_owned(),
                help: "pack a prepared sysroot with `cargo wasix sysroot pack`".to_owned(),
            });
        }
        Ok(())
    }

    /// Each entry's key and directory must be what this tool's cache uses for its target and
    /// features (`expected[i]` for `entries[i]`): the same rustc with other embedded inputs
    /// (std patch set, libc overlay, libwasix, target spec) builds another sysroot.
    pub fn check_entries(&self, expected: &[Expected]) -> Result<(), Mismatch> {
        for (entry, want) in self.entries.iter().zip(expected) {
            if entry.key != want.key || entry.dir != want.dir {
                let features = if entry.features.is_empty() {
                    String::new()
                } else {
                    format!(", features {}", entry.features)
                };
                return Err(Mismatch {
                    reason: format!(
                        "its sysroot for {}{features} has cache key {} (std patch set {}, made by {}), and this cargo-wasix ({}) builds key {} for it: the patch sets or other built-in inputs differ",
                        entry.target,
                        entry.key,
                        entry.std_patch_set,
                        self.made_by,
                        super::made_by(),
                        want.key
                    ),
                    help: format!(
                        "install it with the cargo-wasix that made it ({}), or build the sysroot here with `cargo wasix setup`",
                        self.made_by
                    ),
                });
            }
        }
        Ok(())
    }
}

/// `rustc 1.95.0 (commit 59807616e1fa, 2026-04-14, host x86_64-unknown-linux-gnu)`.
fn describe(id: &RustcId) -> String {
    let commit: String = id.commit_hash.chars().take(12).collect();
    let commit = if commit.is_empty() {
        "no commit hash".to_owned()
    } else {
        format!("commit {commit}")
    };
    let date = if id.commit_date.is_empty() {
        String::new()
    } else {
        format!(", {}", id.commit_date)
    };
    format!("rustc {} ({commit}{date}, host {})", id.version, id.host)
}

/// How to select that toolchain: `cargo +1.95.0 wasix ...` for a release, else by channel.
fn toolchain_hint(id: &RustcId) -> String {
    match semver::Version::parse(&id.version) {
        Ok(v) if v.pre.is_empty() => format!(
            "`rustup toolchain install {v}`, then `cargo +{v} wasix sysroot install <pack>`"
        ),
        _ => format!(
            "`cargo +<toolchain> wasix sysroot install <pack>` with the {} toolchain whose `rustc -vV` says commit-hash {}",
            id.version, id.commit_hash
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rustc(version: &str, commit: &str, host: &str) -> RustcId {
        RustcId {
            version: version.into(),
            commit_hash: commit.into(),
            commit_date: "2026-04-14".into(),
            host: host.into(),
        }
    }

    const LINUX: &str = "x86_64-unknown-linux-gnu";

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT,
            made_by: "cargo-wasix 0.1.0".into(),
            rustc: rustc("1.95.0", "59807616e1fa2540", LINUX),
            entries: vec![PackedEntry {
                dir: "59807616e-e1b33a800a23b73b".into(),
                target: "wasm32-wasmer-wasi".into(),
                features: "+simd128".into(),
                std_patch_set: "common".into(),
                key: "e1b33a800a23b73b".into(),
                files: 3,
                bytes: 100,
            }],
        }
    }

    #[test]
    fn round_trip() {
        let m = manifest();
        assert_eq!(Manifest::parse(&m.render()), Ok(m));
        assert!(Manifest::parse(b"{\"format\": 1}").is_err());
        assert!(Manifest::parse(b"\x1f\x8b garbage").is_err());
    }

    #[test]
    fn rustc_checks() {
        type Edit = fn(&mut Manifest);
        // (what, edit of the pack, local rustc, expected: None = fits, Some(needles))
        let cases: &[(&str, Edit, RustcId, Option<&[&str]>)] = &[
            (
                "same",
                |_| {},
                rustc("1.95.0", "59807616e1fa2540", LINUX),
                None,
            ),
            (
                "other version",
                |_| {},
                rustc("1.96.0", "0123456789ab", LINUX),
                Some(&[
                    "made for rustc 1.95.0 (commit 59807616e1fa, 2026-04-14, host x86_64",
                    "this toolchain is rustc 1.96.0 (commit 0123456789ab",
                    "`cargo wasix setup`",
                    "`cargo +1.95.0 wasix sysroot install <pack>`",
                ]),
            ),
            (
                "same version, other commit",
                |_| {},
                rustc("1.95.0", "aaaaaaaaaaaa", LINUX),
                Some(&["commit 59807616e1fa", "commit aaaaaaaaaaaa"]),
            ),
            (
                "other host",
                |_| {},
                rustc("1.95.0", "59807616e1fa2540", "aarch64-apple-darwin"),
                Some(&[
                    "host aarch64-apple-darwin",
                    "only works on the host it was made on (x86_64-unknown-linux-gnu)",
                ]),
            ),
            (
                "nightly pack",
                |m| m.rustc = rustc("1.97.0-nightly", "feedface", LINUX),
                rustc("1.95.0", "59807616e1fa2540", LINUX),
                Some(&["1.97.0-nightly toolchain whose `rustc -vV` says commit-hash feedface"]),
            ),
            (
                "future format",
                |m| m.format = FORMAT + 1,
                rustc("1.95.0", "59807616e1fa2540", LINUX),
                Some(&["manifest format 2", "reads format 1"]),
            ),
            (
                "empty",
                |m| m.entries.clear(),
                rustc("1.95.0", "59807616e1fa2540", LINUX),
                Some(&["holds no sysroot"]),
            ),
        ];
        for (what, edit, local, want) in cases {
            let mut m = manifest();
            edit(&mut m);
            let got = m.check_rustc(local);
            match want {
                None => assert_eq!(got, Ok(()), "{what}"),
                Some(needles) => {
                    let err = got.expect_err(what);
                    let text = format!("{}\nhelp: {}", err.reason, err.help);
                    for needle in *needles {
                        assert!(text.contains(needle), "{what}: `{needle}` not in:\n{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn entry_checks() {
        let want = |dir: &str, key: &str| Expected {
            dir: dir.into(),
            key: key.into(),
        };
        let cases: &[(&str, Expected, bool)] = &[
            (
                "same",
                want("59807616e-e1b33a800a23b73b", "e1b33a800a23b73b"),
                true,
            ),
            (
                "other inputs",
                want("59807616e-0000000000000000", "0000000000000000"),
                false,
            ),
            (
                "renamed dir",
                want("other-e1b33a800a23b73b", "e1b33a800a23b73b"),
                false,
            ),
        ];
        for (what, expected, fits) in cases {
            let got = manifest().check_entries(std::slice::from_ref(expected));
            assert_eq!(got.is_ok(), *fits, "{what}: {got:?}");
            if let Err(err) = got {
                assert!(err.reason.contains("e1b33a800a23b73b"), "{}", err.reason);
                assert!(err.reason.contains(&expected.key), "{}", err.reason);
                assert!(err.reason.contains("features +simd128"), "{}", err.reason);
                assert!(err.help.contains("cargo-wasix 0.1.0"), "{}", err.help);
            }
        }
    }
}
