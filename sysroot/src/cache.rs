//! The on-disk cache: where it lives, the keys that name its entries, the cross-process lock,
//! and atomic publication (build in a temp dir, one `rename`, completion marker last).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::embedded::{File as EmbeddedFile, Inputs};
use crate::error::{Error, Result};
use crate::features::TargetFeatures;
use crate::progress::Progress;

/// Bumped whenever the cache layout or the way a sysroot is built changes without a change in
/// the embedded inputs (so old entries are not trusted).
pub const FORMAT_VERSION: u32 = 4;

/// Environment variable overriding the cache root.
pub const HOME_ENV: &str = "CARGO_WASIX_HOME";

/// File written last into a published entry; its content is the entry's key.
pub const MARKER: &str = ".cargo-wasix-complete";

/// Suffix of work directories (`<entry>.tmp-<pid>`); leftovers are removed under the lock.
const TMP_INFIX: &str = ".tmp-";

/// The cache root: `$CARGO_WASIX_HOME`, else `<user cache dir>/cargo-wasix`.
pub fn cache_root() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
        // Made absolute: the sysroot path is handed to rustc processes in other directories.
        let home = PathBuf::from(home);
        return std::path::absolute(&home).map_err(|e| Error::io("resolve", &home, e));
    }
    dirs::cache_dir()
        .map(|d| d.join("cargo-wasix"))
        .ok_or(Error::NoCacheDir)
}

/// Key of a sysroot: rustc `-vV`, the format version, the optional target features and every
/// embedded input byte that influences the sysroot (target specs, the std patch set's
/// manifest and the `parts` it selects, the libc overlay, libwasix). Returned as 16 hex digits.
pub fn sysroot_key(
    rustc_verbose_version: &str,
    parts: &[String],
    target: &str,
    features: &TargetFeatures,
    inputs: &Inputs,
) -> String {
    let mut h = Sha256::new();
    h.update(format!("cargo-wasix sysroot format {FORMAT_VERSION}\n"));
    hash_str(&mut h, "rustc", rustc_verbose_version);
    hash_str(&mut h, "target", target);
    hash_str(&mut h, "features", &features.to_string());
    hash_str(&mut h, "std parts", &parts.join(","));
    // Rust 1.99+ links the wasi-libc of this release (crate::wasi_libc).
    hash_str(
        &mut h,
        "wasi-libc fallback",
        crate::wasi_libc::FALLBACK_RELEASE,
    );
    // Only this target's spec: a new or changed spec of another target keeps this key.
    let spec_name = format!("{target}.json");
    let spec: Vec<EmbeddedFile> = inputs
        .target_specs
        .iter()
        .filter(|(p, _)| *p == spec_name)
        .cloned()
        .collect();
    hash_files(&mut h, "target-specs", &spec);
    if crate::wasi64::is_wasm64(target) {
        for (label, text) in [
            ("wasi64 table", crate::wasi64::TABLE),
            ("wasi64 lib.rs", crate::wasi64::LIB_RS),
            ("wasi64 types.rs", crate::wasi64::TYPES_RS),
        ] {
            hash_str(&mut h, label, text);
        }
    }
    let in_set = |path: &str| {
        !path.contains('/')
            || path.strip_prefix("std/").is_some_and(|rest| {
                !rest.contains('/')
                    || parts
                        .iter()
                        .any(|part| rest.starts_with(&format!("{part}/")))
            })
    };
    let std_set: Vec<EmbeddedFile> = inputs
        .std_patches
        .iter()
        .filter(|(p, _)| in_set(p))
        .cloned()
        .collect();
    hash_files(&mut h, "std-patches", &std_set);
    // Only the libc overlay goes into the sysroot (std's own libc); other crates' overlays
    // are for user builds.
    let libc_overlay: Vec<EmbeddedFile> = inputs
        .overlays
        .iter()
        .filter(|(p, _)| p.starts_with("libc/"))
        .cloned()
        .collect();
    hash_files(&mut h, "overlays/libc", &libc_overlay);
    hash_files(&mut h, "libwasix", &inputs.libwasix);
    hex16(h)
}

/// Key of a patched crate source: the format version, the crate and the files of the patch
/// set applied (the crate version is part of the directory name).
pub fn overlay_key(krate: &str, files: &[(&str, &[u8])]) -> String {
    let mut h = Sha256::new();
    h.update(format!("cargo-wasix overlay format {FORMAT_VERSION}\n"));
    hash_str(&mut h, "crate", krate);
    for (path, bytes) in files {
        hash_str(&mut h, "path", path);
        h.update(format!("bytes {}\n", bytes.len()));
        h.update(bytes);
    }
    hex16(h)
}

fn hash_str(h: &mut Sha256, label: &str, value: &str) {
    h.update(format!("{label} {}\n", value.len()));
    h.update(value.as_bytes());
}

fn hash_files(h: &mut Sha256, label: &str, files: &[EmbeddedFile]) {
    h.update(format!("{label} {}\n", files.len()));
    for (path, bytes) in files {
        h.update(format!("{} {}\n", path.len(), bytes.len()));
        h.update(path.as_bytes());
        h.update(bytes);
    }
}

fn hex16(h: Sha256) -> String {
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `entry` was published completely with `key`.
pub fn is_complete(entry: &Path, key: &str) -> bool {
    fs::read_to_string(entry.join(MARKER)).is_ok_and(|k| k.trim() == key)
}

/// An exclusive cross-process lock on the cache root; released on drop.
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

/// Takes the cache lock, announcing `Blocking` through `progress` only when another process
/// holds it.
pub fn lock(root: &Path, progress: &mut dyn Progress) -> Result<CacheLock> {
    fs::create_dir_all(root).map_err(|e| Error::io("create", root, e))?;
    let path = root.join(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("open", &path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            progress.status("Blocking", "waiting for lock on the WASIX sysroot");
            file.lock().map_err(|e| Error::io("lock", &path, e))?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
    }
    Ok(CacheLock { _file: file })
}

/// A fresh work directory beside `entry` (same file system, so publishing is one rename).
/// Requires the lock (no one else may be using a work dir of the same pid).
pub fn work_dir(_lock: &CacheLock, entry: &Path) -> Result<PathBuf> {
    let name = entry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let work = entry.with_file_name(format!("{name}{TMP_INFIX}{}", std::process::id()));
    remove_dir_if_exists(&work)?;
    fs::create_dir_all(&work).map_err(|e| Error::io("create", &work, e))?;
    Ok(work)
}

/// Removes work directories left by killed runs in `dir`. Requires the lock.
pub fn remove_stale_work_dirs(_lock: &CacheLock, dir: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().contains(TMP_INFIX) {
            remove_dir_if_exists(&entry.path())?;
        }
    }
    Ok(())
}

/// Publishes `work` as `entry`: removes an untrusted (unmarked) `entry`, renames, then writes
/// the marker (via a temp file and rename) last. Requires the lock.
pub fn publish(_lock: &CacheLock, work: &Path, entry: &Path, key: &str) -> Result<()> {
    remove_dir_if_exists(entry)?;
    fs::rename(work, entry).map_err(|e| Error::io("rename", work, e))?;
    let tmp = entry.join(format!("{MARKER}.partial"));
    let mut f = File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    f.write_all(key.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io("write", &tmp, e))?;
    fs::rename(&tmp, entry.join(MARKER)).map_err(|e| Error::io("rename", &tmp, e))?;
    Ok(())
}

/// Removes complete entries named `<prefix>-*` for which `same_kind` holds beyond the `keep`
/// most recently published ones (by marker mtime), never `current`. Entries of other prefixes
/// (other rustc versions) or kinds (a sysroot of the other target) are left for `cargo wasix
/// self clean`. Requires the lock.
pub fn prune_entries(
    _lock: &CacheLock,
    root: &Path,
    (prefix, same_kind): (&str, impl Fn(&Path) -> bool),
    current: &Path,
    keep: usize,
) -> Result<Vec<PathBuf>> {
    let Ok(entries) = fs::read_dir(root) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != current)
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with(&format!("{prefix}-")) && !n.contains(TMP_INFIX)
            })
        })
        .filter(|p| same_kind(p))
        .filter_map(|p| {
            let modified = fs::metadata(p.join(MARKER))
                .and_then(|m| m.modified())
                .ok()?;
            Some((modified, p))
        })
        .collect();
    found.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    let mut removed = Vec::new();
    for (_, path) in found.into_iter().skip(keep) {
        remove_dir_if_exists(&path)?;
        removed.push(path);
    }
    Ok(removed)
}

/// Removes a directory tree if it exists.
pub fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", dir, e)),
    }
}

/// Copies a directory tree (regular files and directories; symlinks are followed).
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from).follow_links(true) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(from).to_owned();
            Error::io("read", &path, e.into())
        })?;
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).map_err(|e| Error::io("create", &dest, e))?;
        } else {
            fs::copy(entry.path(), &dest).map_err(|e| Error::io("copy", entry.path(), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "wasm32-wasmer-wasi";

    fn parts(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn inputs() -> Inputs {
        let f = |p: &str, b: &'static [u8]| (p.to_owned(), b);
        Inputs {
            target_specs: vec![f("wasm32-wasmer-wasi.json", b"{}")],
            std_patches: vec![
                f("std/common/edits.toml", b"e"),
                f("std/since-1.97/edits.toml", b"x"),
                f("README.md", b"r"),
                f("std/std.toml", b"s"),
            ],
            overlays: vec![
                f("libc/edits.toml", b"l"),
                f("parking_lot_core/edits.toml", b"p"),
            ],
            libwasix: vec![f("src/lib.rs", b"w"), f("replaced-libc-members.txt", b"m")],
        }
    }

    #[test]
    fn sysroot_key_covers_every_input() {
        let f = TargetFeatures::default();
        let base = inputs();
        let key = sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &base);
        assert_eq!(key.len(), 16);
        assert_eq!(
            key,
            sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &base),
            "deterministic"
        );

        type Mutate = fn(&mut Inputs);
        let mutations: &[(&str, Mutate)] = &[
            ("target spec bytes", |i| i.target_specs[0].1 = b"{ }"),
            ("std patch bytes", |i| i.std_patches[0].1 = b"E"),
            ("std patch renamed", |i| {
                i.std_patches[0].0 = "std/common/edits2.toml".into()
            }),
            ("patch README", |i| i.std_patches[2].1 = b"R"),
            ("std manifest", |i| i.std_patches[3].1 = b"S"),
            ("libc overlay", |i| i.overlays[0].1 = b"L"),
            ("libwasix source", |i| i.libwasix[0].1 = b"W"),
            ("replaced members", |i| i.libwasix[1].1 = b"M"),
            ("path/bytes boundary", |i| {
                i.libwasix[0] = ("src/lib.r".into(), b"sw");
            }),
        ];
        for (what, mutate) in mutations {
            let mut changed = inputs();
            mutate(&mut changed);
            assert_ne!(
                sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &changed),
                key,
                "{what}"
            );
        }
        assert_ne!(
            sysroot_key("rustc 1.95.1", &parts(&["common"]), T, &f, &base),
            key,
            "rustc version"
        );
        assert_ne!(
            sysroot_key(
                "rustc 1.95.0",
                &parts(&["common"]),
                "wasm64-wasmer-wasi",
                &f,
                &base
            ),
            key,
            "target"
        );

        // A part this set does not use does not invalidate its sysroot; the selection does.
        assert_ne!(
            sysroot_key(
                "rustc 1.95.0",
                &parts(&["common", "since-1.97"]),
                T,
                &f,
                &base
            ),
            key,
            "parts"
        );
        let mut other = inputs();
        other.std_patches[1].1 = b"y";
        // Another target's spec belongs to that target's sysroot only.
        other
            .target_specs
            .push(("wasm64-wasmer-wasi.json".into(), b"{}"));
        assert_eq!(
            sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &other),
            key
        );
    }

    #[test]
    fn each_feature_set_has_its_own_sysroot_key() {
        let sets = [
            "",
            "-simd128",
            "+relaxed-simd",
            "-extended-const",
            "+wide-arithmetic",
            "-simd128,-extended-const,-wide-arithmetic",
        ];
        let keys: Vec<String> = sets
            .iter()
            .map(|set| {
                let f = TargetFeatures::parse(set).expect("valid");
                sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &inputs())
            })
            .collect();
        for (i, a) in keys.iter().enumerate() {
            for (j, b) in keys.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "`{}` vs `{}`", sets[i], sets[j]);
            }
        }
        // Spellings of the same set share one sysroot.
        let same = TargetFeatures::parse("+simd128, +atomics -relaxed-simd").expect("valid");
        assert_eq!(
            sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &same, &inputs()),
            keys[0]
        );
    }

    #[test]
    fn other_overlays_do_not_change_the_sysroot_key() {
        let f = TargetFeatures::default();
        let key = sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &inputs());
        let mut other = inputs();
        other.overlays[1].1 = b"P";
        assert_eq!(
            sysroot_key("rustc 1.95.0", &parts(&["common"]), T, &f, &other),
            key
        );
    }

    #[test]
    fn overlay_key_covers_crate_paths_and_bytes() {
        let files: &[(&str, &[u8])] = &[("edits.toml", b"e"), ("files/a.rs", b"a")];
        let key = overlay_key("libc", files);
        assert_eq!(key, overlay_key("libc", files), "deterministic");
        type Files<'a> = &'a [(&'a str, &'a [u8])];
        let cases: &[(&str, Files)] = &[
            ("libc2", files),
            ("libc", &[("edits.toml", b"E"), ("files/a.rs", b"a")]),
            ("libc", &[("edits.toml", b"e"), ("files/b.rs", b"a")]),
            ("libc", &[("edits.toml", b"e")]),
            ("libc", &[("edits.toml", b"ef"), ("iles/a.rs", b"a")]),
        ];
        for (krate, changed) in cases {
            assert_ne!(overlay_key(krate, changed), key, "{krate} {changed:?}");
        }
    }

    #[test]
    fn publish_is_marked_last_and_replaces_unmarked_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let lock = lock(root, &mut crate::progress::Silent).expect("lock");
        let entry = root.join("abc-123");

        // A half-published entry (no marker) is not trusted and gets replaced.
        fs::create_dir_all(entry.join("old")).expect("mkdir");
        assert!(!is_complete(&entry, "k"));

        let work = work_dir(&lock, &entry).expect("work");
        fs::write(work.join("payload"), "x").expect("write");
        publish(&lock, &work, &entry, "k").expect("publish");
        assert!(is_complete(&entry, "k"));
        assert!(!is_complete(&entry, "other-key"));
        assert!(entry.join("payload").exists());
        assert!(!entry.join("old").exists());
        assert!(!work.exists());

        // Leftover work dirs from killed runs are removed.
        let stale = root.join("abc-123.tmp-99999");
        fs::create_dir_all(&stale).expect("mkdir");
        remove_stale_work_dirs(&lock, root).expect("clean");
        assert!(!stale.exists());
        assert!(entry.exists());
    }

    #[test]
    fn prune_keeps_newest_entries_of_the_same_rustc() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let lock = lock(root, &mut crate::progress::Silent).expect("lock");
        let make = |name: &str, marked: bool| {
            let p = root.join(name);
            fs::create_dir_all(&p).expect("mkdir");
            if marked {
                fs::write(p.join(MARKER), "k").expect("marker");
                // Distinct mtimes, in creation order.
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            p
        };
        let oldest = make("abc-0000000000000001", true);
        let older = make("abc-0000000000000002", true);
        let newer = make("abc-0000000000000003", true);
        let other_rustc = make("def-0000000000000004", true);
        let unmarked = make("abc-0000000000000005", false);
        let current = make("abc-0000000000000006", true);
        let libc = make("libc", false);
        let removed =
            prune_entries(&lock, root, ("abc", |_: &Path| true), &current, 2).expect("prune");
        assert_eq!(removed, vec![oldest.clone()]);
        for kept in [&older, &newer, &other_rustc, &unmarked, &current, &libc] {
            assert!(kept.exists(), "{}", kept.display());
        }
        assert!(!oldest.exists());

        // Entries of another kind (another target's sysroot) neither count nor go.
        let other_kind = |p: &Path| !p.ends_with("abc-0000000000000002");
        let newest = make("abc-0000000000000007", true);
        let removed = prune_entries(&lock, root, ("abc", other_kind), &newest, 1).expect("prune");
        assert_eq!(
            removed,
            vec![newer.clone()],
            "only same-kind entries beyond the newest one"
        );
        assert!(older.exists() && current.exists());
    }

    #[test]
    fn lock_reports_blocking_only_on_contention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rec = crate::progress::Recorder::default();
        let first = lock(dir.path(), &mut rec).expect("lock");
        assert!(rec.lines.is_empty(), "no message without contention");
        drop(first);

        let held = lock(dir.path(), &mut rec).expect("lock");
        let path = dir.path().to_owned();
        let waiter = std::thread::spawn(move || {
            let mut rec = crate::progress::Recorder::default();
            let _second = lock(&path, &mut rec).expect("lock after wait");
            rec.lines
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(held);
        let lines = waiter.join().expect("thread");
        assert_eq!(
            lines,
            vec![(
                "Blocking".to_owned(),
                "waiting for lock on the WASIX sysroot".to_owned()
            )]
        );
    }
}
