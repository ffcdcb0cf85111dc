//! A stamp that lets a warm `cargo wasix build` skip toolchain detection (two rustc runs) and
//! the sysroot library's input hashing: keyed by our own binary and the real rustc binary
//! (path, size, mtime), it remembers where the sysroot and the patched crate copies (overlays) are.
//! A stamp is only trusted while the entries it names still carry their completion marker,
//! so `cargo wasix self clean` or a rebuild elsewhere simply makes it miss.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::toolchain::Toolchain;

/// What a stamp remembers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StampData {
    pub sysroot: PathBuf,
    /// The sysroot's cache entry (holds the completion marker).
    pub entry: PathBuf,
    /// `(crate, version, patched copy)`.
    pub overlays: Vec<(String, String, PathBuf)>,
    /// The user's toolchain root (`rustc --print sysroot`), which the toolchain directory
    /// links to (`delivery.rs`); empty when not known yet.
    pub rust_sysroot: PathBuf,
}

impl StampData {
    /// Parses the stamp text; `None` when it is damaged (then it is rewritten).
    pub fn parse(text: &str) -> Option<StampData> {
        let mut data = StampData::default();
        for line in text.lines() {
            let (key, value) = line.split_once('\t')?;
            match key {
                "sysroot" => data.sysroot = PathBuf::from(value),
                "entry" => data.entry = PathBuf::from(value),
                "rust-sysroot" => data.rust_sysroot = PathBuf::from(value),
                "overlay" => {
                    let (krate, rest) = value.split_once('\t')?;
                    let (version, path) = rest.split_once('\t')?;
                    data.overlays
                        .push((krate.to_owned(), version.to_owned(), PathBuf::from(path)));
                }
                _ => return None,
            }
        }
        (!data.sysroot.as_os_str().is_empty() && !data.entry.as_os_str().is_empty()).then_some(data)
    }

    pub fn render(&self) -> String {
        let mut text = format!(
            "sysroot\t{}\nentry\t{}\n",
            self.sysroot.display(),
            self.entry.display()
        );
        if !self.rust_sysroot.as_os_str().is_empty() {
            text.push_str(&format!("rust-sysroot\t{}\n", self.rust_sysroot.display()));
        }
        for (krate, version, path) in &self.overlays {
            text.push_str(&format!(
                "overlay\t{krate}\t{version}\t{}\n",
                path.display()
            ));
        }
        text
    }

    /// The remembered sysroot, if its entry is still complete.
    pub fn valid_sysroot(&self) -> Option<&Path> {
        self.entry
            .join(wasix_sysroot::cache::MARKER)
            .is_file()
            .then_some(self.sysroot.as_path())
    }

    /// The remembered patched copy of `krate` `version`, if it is still complete.
    pub fn valid_overlay(&self, krate: &str, version: &str) -> Option<&Path> {
        self.overlays
            .iter()
            .find(|(k, v, _)| k == krate && v == version)
            .map(|(_, _, path)| path.as_path())
            .filter(|path| path.join(wasix_sysroot::cache::MARKER).is_file())
    }
}

/// The stamp file for this binary, toolchain and sysroot variant (target and target-feature
/// set: each has its own sysroot), or `None` when the toolchain cannot be identified without
/// running it (a `rustc` found on `PATH` may be a rustup proxy).
pub fn stamp_path(cache_root: &Path, toolchain: &Toolchain, variant: &str) -> Option<PathBuf> {
    if !toolchain.rustc.is_absolute() {
        return None;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let self_exe = std::env::current_exe().ok()?;
    for path in [self_exe.as_path(), toolchain.rustc.as_path()] {
        let meta = std::fs::metadata(path).ok()?;
        path.hash(&mut hasher);
        meta.len().hash(&mut hasher);
        meta.modified().ok()?.hash(&mut hasher);
    }
    toolchain.cargo.hash(&mut hasher);
    toolchain.rustup_name.hash(&mut hasher);
    variant.hash(&mut hasher);
    Some(
        cache_root
            .join("stamps")
            .join(format!("{:016x}", hasher.finish())),
    )
}

/// Reads a stamp (a missing or damaged one is a miss).
pub fn read(path: &Path) -> Option<StampData> {
    StampData::parse(&std::fs::read_to_string(path).ok()?)
}

/// Writes a stamp atomically; failures only cost speed next time, so they are ignored.
pub fn write(path: &Path, data: &StampData) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".stamp-{}.tmp", std::process::id()));
    if std::fs::write(&tmp, data.render()).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_round_trip_and_damage() {
        let data = StampData {
            sysroot: "/c/e/sysroot".into(),
            entry: "/c/e".into(),
            overlays: vec![
                (
                    "libc".into(),
                    "0.2.178".into(),
                    "/c/o/libc/0.2.178-k".into(),
                ),
                (
                    "parking_lot_core".into(),
                    "0.9.12".into(),
                    "/c/o/p/0.9.12-k".into(),
                ),
            ],
            rust_sysroot: "/r/toolchains/stable".into(),
        };
        assert_eq!(StampData::parse(&data.render()), Some(data.clone()));
        let cases = [
            "",
            "sysroot\t/x\n",
            "garbage\n",
            "sysroot\t/x\nentry\t/y\noverlay\tlibc\tno-path\n",
            "sysroot\t/x\nentry\t/y\nlibc\t0.2.178\t/old-format\n",
            "what\t/x\nentry\t/y\n",
        ];
        for text in cases {
            assert_eq!(StampData::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn validity_follows_the_completion_markers() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("entry");
        let libc = dir.path().join("libc-0.2.178");
        std::fs::create_dir_all(&entry).unwrap();
        std::fs::create_dir_all(&libc).unwrap();
        let data = StampData {
            sysroot: entry.join("sysroot"),
            entry: entry.clone(),
            overlays: vec![("libc".into(), "0.2.178".into(), libc.clone())],
            rust_sysroot: PathBuf::new(),
        };
        assert_eq!(data.valid_sysroot(), None);
        assert_eq!(data.valid_overlay("libc", "0.2.178"), None);
        std::fs::write(entry.join(wasix_sysroot::cache::MARKER), "k").unwrap();
        std::fs::write(libc.join(wasix_sysroot::cache::MARKER), "k").unwrap();
        assert_eq!(data.valid_sysroot(), Some(entry.join("sysroot").as_path()));
        assert_eq!(data.valid_overlay("libc", "0.2.178"), Some(libc.as_path()));
        assert_eq!(data.valid_overlay("libc", "0.2.191"), None);
        assert_eq!(data.valid_overlay("libd", "0.2.178"), None);
    }

    #[test]
    fn relative_rustc_has_no_stamp() {
        let toolchain = Toolchain {
            cargo: "cargo".into(),
            rustc: "rustc".into(),
            rustup_name: None,
        };
        assert_eq!(stamp_path(Path::new("/c"), &toolchain, ""), None);
    }

    #[test]
    fn each_feature_set_has_its_own_stamp() {
        let toolchain = Toolchain {
            cargo: "cargo".into(),
            rustc: std::env::current_exe().expect("test binary"),
            rustup_name: None,
        };
        let root = Path::new("/c");
        let a = stamp_path(root, &toolchain, "w32 +simd128").expect("absolute rustc");
        let b = stamp_path(root, &toolchain, "w32 -simd128").expect("absolute rustc");
        let c = stamp_path(root, &toolchain, "w64 +simd128").expect("absolute rustc");
        assert_ne!(a, b);
        assert_ne!(a, c, "each target has its own stamp");
        assert_eq!(stamp_path(root, &toolchain, "w32 +simd128"), Some(a));
    }
}
