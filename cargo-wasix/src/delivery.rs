//! How the prepared sysroot reaches rustc (issue 16): a toolchain directory per (user
//! toolchain, sysroot) under `<cache>/toolchains/`, whose `bin/rustc` finds the WASIX target
//! in its *default* sysroot, so target compiles carry no `--sysroot` and compiler caches
//! (sccache refuses `--sysroot`: its issue 2229) can cache them.
//!
//! rustc 1.95 takes its default sysroot from the canonical path of the loaded
//! `librustc_driver-*.so` (the parent of its `lib/`), measured: a symlinked `bin/rustc`, or a
//! hard-linked one next to a *symlinked* driver, still answers the user's toolchain to
//! `--print sysroot`; a hard-linked (or copied) `bin/rustc` *and* driver answer the new
//! directory. So those two are hard links (copies across file systems), everything else is a
//! symlink into the user's toolchain (LLVM, rust-src, other targets), and two trees are
//! *mirrored* — real directories holding one symlink per file: the host's
//! `lib/rustlib/<host>` (its std for build scripts, `rust-lld`) and `lib/rustlib/<wasix target>`
//! from our sysroot. sccache-dist packs a toolchain by walking `lib/` without following
//! directory symlinks, so mirrored trees are what makes distributed compiles find both std
//! builds (docs/shared-caches.md, measured with a local scheduler and build server).
//!
//! The compile cache must see which sysroot a compile used: sccache keys on rustc's version,
//! the digests of `<sysroot>/lib/*.so` (the same driver for every sysroot) and all `CARGO_*`
//! variables, but not the target's std in the sysroot. So the wrapper gives target compiles
//! [`crate::env::SYSROOT_DIGEST`], a sha256 of every file rustc reads from our target
//! directories (docs/shared-caches.md).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

/// How target compiles get the sysroot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// `RUSTC=<dir>/bin/rustc`; its default sysroot `dir` holds our target.
    Toolchain {
        dir: PathBuf,
        rustc: PathBuf,
        /// sha256 of our target directories' contents (the compile-cache key).
        digest: String,
    },
    /// `--sysroot <sysroot>` on every target compile (not cacheable by sccache).
    Flag { sysroot: PathBuf },
}

impl Delivery {
    /// The directory to name as sysroot where one is passed explicitly (rustdoc, doctests,
    /// reading the target spec): the toolchain directory is a complete sysroot too.
    pub fn sysroot(&self) -> &Path {
        match self {
            Delivery::Toolchain { dir, .. } => dir,
            Delivery::Flag { sysroot } => sysroot,
        }
    }
}

/// What a toolchain directory is made from.
#[derive(Debug, Clone)]
pub struct Sources<'a> {
    /// `<cache root>`; directories go to `<cache root>/toolchains/`.
    pub cache_root: &'a Path,
    /// The user's toolchain root (`rustc --print sysroot`).
    pub user_sysroot: &'a Path,
    /// The prepared sysroot (holds `lib/rustlib/<wasix target>/`).
    pub prepared: &'a Path,
    /// The prepared sysroot's cache entry (its completion marker dates the build).
    pub entry: &'a Path,
    /// The WASIX target the prepared sysroot is for.
    pub target: &'a str,
}

/// Why a toolchain directory cannot be made for this toolchain; the caller falls back to
/// `--sysroot`.
#[derive(Debug)]
pub struct NotApplicable(pub String);

/// The toolchain directory for `sources`, reused when its marker still matches the user's
/// toolchain files and the sysroot build, made otherwise. `Ok(Err(_))`: this toolchain's layout
/// does not allow one (say why, use `--sysroot`).
pub fn toolchain_dir(sources: &Sources) -> Result<std::result::Result<Delivery, NotApplicable>> {
    if !cfg!(unix) {
        return Ok(Err(NotApplicable(
            "toolchain directories are only made on unix hosts".to_owned(),
        )));
    }
    let layout = match Layout::find(sources.user_sysroot)? {
        Ok(layout) => layout,
        Err(why) => return Ok(Err(why)),
    };
    let dir = dir_for(sources);
    let rustc = dir.join("bin").join(rustc_name());
    if let Some(digest) = valid_marker(&dir, sources, &layout) {
        return Ok(Ok(Delivery::Toolchain { dir, rustc, digest }));
    }
    let digest = build(&dir, sources, &layout)?;
    Ok(Ok(Delivery::Toolchain { dir, rustc, digest }))
}

/// The marker inside a complete toolchain directory.
const MARKER: &str = ".cargo-wasix-toolchain";

/// The directory layout's version, in the marker: a directory made by an older cargo-wasix
/// (2: mirrored host and target trees) is made again.
const LAYOUT: u32 = 2;

/// Subdirectories of the prepared `lib/rustlib/` that are not targets.
const NOT_TARGETS: &[&str] = &["src"];

fn rustc_name() -> String {
    format!("rustc{}", std::env::consts::EXE_SUFFIX)
}

/// `<cache>/toolchains/<entry name>-<hash of the user toolchain and sysroot paths>`: the
/// entry name is `<rustc commit>-<sysroot input hash>`; the path hash keeps two installs of
/// one rustc (e.g. `stable` and `1.95.0`) from taking turns rebuilding one directory.
fn dir_for(sources: &Sources) -> PathBuf {
    let mut hasher = Sha256::new();
    hasher.update(sources.user_sysroot.as_os_str().as_encoded_bytes());
    hasher.update([0]);
    hasher.update(sources.prepared.as_os_str().as_encoded_bytes());
    let hash = hex(&hasher.finalize()[..8]);
    let entry = sources
        .entry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sysroot".to_owned());
    sources
        .cache_root
        .join("toolchains")
        .join(format!("{entry}-{hash}"))
}

/// The user's toolchain files a toolchain directory hard-links: `bin/rustc` and the
/// `lib/librustc_driver-*` libraries.
struct Layout {
    linked: Vec<PathBuf>,
}

impl Layout {
    fn find(user_sysroot: &Path) -> Result<std::result::Result<Layout, NotApplicable>> {
        let rustc = Path::new("bin").join(rustc_name());
        if !user_sysroot.join(&rustc).is_file() {
            return Ok(Err(NotApplicable(format!(
                "`{}` is not a file",
                user_sysroot.join(&rustc).display()
            ))));
        }
        let lib = user_sysroot.join("lib");
        let entries =
            fs::read_dir(&lib).with_context(|| format!("failed to list `{}`", lib.display()))?;
        let mut linked = vec![rustc];
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to list `{}`", lib.display()))?;
            let name = entry.file_name();
            if is_driver(&name.to_string_lossy()) {
                linked.push(Path::new("lib").join(name));
            }
        }
        if linked.len() < 2 {
            return Ok(Err(NotApplicable(format!(
                "no `librustc_driver-*{}` in `{}`",
                std::env::consts::DLL_SUFFIX,
                lib.display()
            ))));
        }
        linked.sort();
        Ok(Ok(Layout { linked }))
    }
}

fn is_driver(name: &str) -> bool {
    name.starts_with("librustc_driver-") && name.ends_with(std::env::consts::DLL_SUFFIX)
}

/// The identity of a source file at link time: a changed or replaced file (a rustup update
/// writes new files) no longer matches, and the directory is made again.
fn identity(path: &Path) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        format!("{}:{}", meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let inode = String::new();
    Some(format!("{inode}:{}:{mtime}", meta.len()))
}

/// The marker's text for these sources: every line must match on reuse.
fn marker_lines(sources: &Sources, layout: &Layout) -> Option<Vec<String>> {
    let mut lines = vec![
        format!("layout\t{LAYOUT}"),
        format!("user\t{}", sources.user_sysroot.display()),
        format!("sysroot\t{}", sources.prepared.display()),
        format!(
            "built\t{}",
            identity(&sources.entry.join(wasix_sysroot::cache::MARKER))?
        ),
    ];
    for rel in &layout.linked {
        lines.push(format!(
            "file\t{}\t{}",
            rel.display(),
            identity(&sources.user_sysroot.join(rel))?
        ));
    }
    Some(lines)
}

/// The digest of a complete, current toolchain directory; `None` when it must be made.
fn valid_marker(dir: &Path, sources: &Sources, layout: &Layout) -> Option<String> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let expected = marker_lines(sources, layout)?;
    let mut lines: Vec<&str> = text.lines().collect();
    let digest = lines.pop()?.strip_prefix("digest\t")?.to_owned();
    (lines == expected && digest.len() == 64).then_some(digest)
}

/// Makes the directory in a temporary sibling and renames it into place (a killed run leaves
/// only a `.tmp-<pid>-*` that is never trusted; `cargo wasix self clean` removes it); returns
/// its digest.
fn build(dir: &Path, sources: &Sources, layout: &Layout) -> Result<String> {
    let parent = dir
        .parent()
        .ok_or_else(|| anyhow!("`{}` has no parent directory", dir.display()))?;
    fs::create_dir_all(parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".tmp-{}-{name}", std::process::id()));
    remove_dir(&tmp)?;
    let result = fill(&tmp, sources, layout);
    let digest = match result {
        Ok(digest) => digest,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    // Another build may have published a current directory meanwhile (concurrent builds on an
    // empty cache): keep it, it may be in use, and drop ours.
    if let Some(digest) = valid_marker(dir, sources, layout) {
        let _ = fs::remove_dir_all(&tmp);
        return Ok(digest);
    }
    if dir.exists() {
        // Stale (another toolchain file or sysroot build): move it aside, then replace it.
        let old = parent.join(format!(".old-{}-{name}", std::process::id()));
        if fs::rename(dir, &old).is_ok() {
            let _ = fs::remove_dir_all(&old);
        }
    }
    if let Err(e) = fs::rename(&tmp, dir) {
        let _ = fs::remove_dir_all(&tmp);
        // Another process may have published the same directory first.
        if let Some(digest) = valid_marker(dir, sources, layout) {
            return Ok(digest);
        }
        return Err(e).with_context(|| format!("failed to publish `{}`", dir.display()));
    }
    Ok(digest)
}

fn remove_dir(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("failed to remove `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

fn fill(tmp: &Path, sources: &Sources, layout: &Layout) -> Result<String> {
    let user = sources.user_sysroot;
    let rustlib = tmp.join("lib").join("rustlib");
    for dir in [tmp.join("bin"), rustlib.clone()] {
        fs::create_dir_all(&dir)
            .with_context(|| format!("failed to create `{}`", dir.display()))?;
    }
    for rel in &layout.linked {
        link_or_copy(&user.join(rel), &tmp.join(rel))?;
    }
    // The rest of `lib/` (LLVM, which the driver finds beside itself) and of `lib/rustlib/`
    // (host std, rust-lld, other targets) point at the user's toolchain.
    for (from, to, skip) in [
        (user.join("lib"), tmp.join("lib"), &["rustlib"][..]),
        (user.join("lib").join("rustlib"), rustlib.clone(), &[][..]),
    ] {
        for entry in list(&from)? {
            let name = entry.to_string_lossy();
            if skip.contains(&name.as_ref()) || is_driver(&name) || to.join(&entry).exists() {
                continue;
            }
            // The host's tree is the one with `bin/` (rust-lld), where rustc looks for it.
            if from == user.join("lib").join("rustlib") && from.join(&entry).join("bin").is_dir() {
                mirror(&from.join(&entry), &to.join(&entry))?;
                continue;
            }
            symlink(&from.join(&entry), &to.join(&entry))?;
        }
    }
    // Our targets replace any of the same name.
    let ours = sources.prepared.join("lib").join("rustlib");
    let mut targets = Vec::new();
    for entry in list(&ours)? {
        if NOT_TARGETS.contains(&entry.to_string_lossy().as_ref()) || !ours.join(&entry).is_dir() {
            continue;
        }
        let link = rustlib.join(&entry);
        match fs::symlink_metadata(&link) {
            Ok(md) if md.is_dir() => fs::remove_dir_all(&link),
            Ok(_) => fs::remove_file(&link),
            Err(_) => Ok(()),
        }
        .with_context(|| format!("failed to remove `{}`", link.display()))?;
        mirror(&ours.join(&entry), &link)?;
        targets.push(ours.join(&entry));
    }
    if !targets.iter().any(|t| t.ends_with(sources.target)) {
        bail!(
            "the prepared sysroot `{}` has no `lib/rustlib/{}`\nhelp: run `cargo wasix self clean`, then build again",
            sources.prepared.display(),
            sources.target
        );
    }
    let digest = digest_targets(&targets)?;
    let mut text = marker_lines(sources, layout)
        .ok_or_else(|| {
            anyhow!(
                "the toolchain files in `{}` changed while cargo-wasix linked them; run the command again",
                user.display()
            )
        })?
        .join("\n");
    text.push_str(&format!("\ndigest\t{digest}\n"));
    let marker = tmp.join(MARKER);
    fs::write(&marker, text).with_context(|| format!("failed to write `{}`", marker.display()))?;
    Ok(digest)
}

/// A directory's entry names, sorted.
fn list(dir: &Path) -> Result<Vec<std::ffi::OsString>> {
    let mut names = fs::read_dir(dir)
        .with_context(|| format!("failed to list `{}`", dir.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("failed to list `{}`", dir.display()))?;
    names.sort();
    Ok(names)
}

/// A hard link (free, and the same inode keeps sccache's digest of the driver stable), or a
/// copy when the cache is on another file system.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to)
        .map(drop)
        .with_context(|| format!("failed to copy `{}` to `{}`", from.display(), to.display()))
}

/// `to` as a real directory tree like `from`'s, each file a symlink to its original.
fn mirror(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("failed to create `{}`", to.display()))?;
    for entry in list(from)? {
        let source = from.join(&entry);
        let is_dir = fs::symlink_metadata(&source)
            .with_context(|| format!("failed to read `{}`", source.display()))?
            .is_dir();
        if is_dir {
            mirror(&source, &to.join(&entry))?;
        } else {
            symlink(&source, &to.join(&entry))?;
        }
    }
    Ok(())
}

fn symlink(from: &Path, to: &Path) -> Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(from, to)
        .with_context(|| format!("failed to link `{}` to `{}`", to.display(), from.display()));
    #[cfg(not(unix))]
    bail!(
        "cannot link `{}` to `{}` on this host",
        to.display(),
        from.display()
    )
}

/// sha256 over every file rustc may read from our target directories (relative path, length
/// and bytes, in sorted order). Dep-info files (`*.d`) of the std build are skipped: rustc
/// never reads them and they hold the build's absolute paths.
fn digest_targets(targets: &[PathBuf]) -> Result<String> {
    let mut files = Vec::new();
    for target in targets {
        collect_files(target, target, &mut files)?;
    }
    files.sort();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    for (rel, path) in files {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        let mut file = fs::File::open(&path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        let len = file
            .metadata()
            .with_context(|| format!("failed to read `{}`", path.display()))?
            .len();
        hasher.update(len.to_le_bytes());
        loop {
            let n = file
                .read(&mut buf)
                .with_context(|| format!("failed to read `{}`", path.display()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// Files under `dir` as (path relative to `root`'s parent, full path), skipping `*.d`.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let base = root.parent().unwrap_or(root);
    for name in list(dir)? {
        let path = dir.join(&name);
        let meta =
            fs::metadata(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        if meta.is_dir() {
            collect_files(root, &path, out)?;
        } else if path.extension().is_none_or(|e| e != "d") {
            let rel = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.push((rel, path));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::env;

    /// A fake user toolchain and prepared sysroot with the layout of rustc 1.95.
    fn fixture(root: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let user = root.join("user");
        for dir in [
            "bin",
            "lib/rustlib/x86_64-unknown-linux-gnu/lib",
            "lib/rustlib/x86_64-unknown-linux-gnu/bin",
            "lib/rustlib/wasm32-wasip1/lib",
            "lib/rustlib/src",
        ] {
            fs::create_dir_all(user.join(dir)).unwrap();
        }
        fs::write(
            user.join("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-h.rlib"),
            "host std",
        )
        .unwrap();
        fs::write(
            user.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"),
            "lld",
        )
        .unwrap();
        fs::write(user.join("bin/rustc"), "rustc").unwrap();
        fs::write(user.join("lib/librustc_driver-abc.so"), "driver").unwrap();
        fs::write(user.join("lib/libLLVM.so.22.1-rust"), "llvm").unwrap();
        let entry = root.join("cache/59807616e-k");
        let prepared = entry.join("sysroot");
        let target = prepared.join("lib/rustlib").join(env::TARGET);
        fs::create_dir_all(target.join("lib")).unwrap();
        fs::create_dir_all(prepared.join("lib/rustlib/src")).unwrap();
        fs::write(target.join("target.json"), "{}").unwrap();
        fs::write(target.join("lib/libstd-1.rlib"), "std").unwrap();
        fs::write(target.join("lib/std-1.d"), "/some/path").unwrap();
        fs::write(entry.join(wasix_sysroot::cache::MARKER), "k").unwrap();
        (user, prepared, entry)
    }

    fn delivered(sources: &Sources) -> (PathBuf, String) {
        match toolchain_dir(sources).unwrap() {
            Ok(Delivery::Toolchain { dir, digest, .. }) => (dir, digest),
            other => panic!("expected a toolchain dir, got {other:?}"),
        }
    }

    #[test]
    fn layout_links_and_reuse() {
        let tmp = tempfile::tempdir().unwrap();
        let (user, prepared, entry) = fixture(tmp.path());
        let cache = tmp.path().join("cache");
        let sources = Sources {
            cache_root: &cache,
            user_sysroot: &user,
            prepared: &prepared,
            entry: &entry,
            target: env::TARGET,
        };
        let (dir, digest) = delivered(&sources);
        use std::os::unix::fs::MetadataExt;
        let ino = |p: &Path| fs::metadata(p).unwrap().ino();
        assert_eq!(ino(&dir.join("bin/rustc")), ino(&user.join("bin/rustc")));
        assert_eq!(
            ino(&dir.join("lib/librustc_driver-abc.so")),
            ino(&user.join("lib/librustc_driver-abc.so"))
        );
        let link = |rel: &str| fs::read_link(dir.join(rel)).unwrap();
        assert_eq!(
            link("lib/libLLVM.so.22.1-rust"),
            user.join("lib/libLLVM.so.22.1-rust")
        );
        // Other targets and rust-src: one directory symlink each.
        assert_eq!(link("lib/rustlib/src"), user.join("lib/rustlib/src"));
        assert_eq!(
            link("lib/rustlib/wasm32-wasip1"),
            user.join("lib/rustlib/wasm32-wasip1")
        );
        // The host's tree and ours: real directories of file symlinks (sccache-dist packs
        // those, and skips directory symlinks).
        let host = "lib/rustlib/x86_64-unknown-linux-gnu";
        let target = format!("lib/rustlib/{}", env::TARGET);
        for tree in [host, target.as_str(), &format!("{target}/lib")] {
            assert!(
                fs::symlink_metadata(dir.join(tree)).unwrap().is_dir(),
                "{tree} is a real directory"
            );
        }
        assert_eq!(
            link(&format!("{host}/lib/libstd-h.rlib")),
            user.join(host).join("lib/libstd-h.rlib")
        );
        assert_eq!(
            link(&format!("{host}/bin/rust-lld")),
            user.join(host).join("bin/rust-lld")
        );
        assert_eq!(
            link(&format!("{target}/lib/libstd-1.rlib")),
            prepared.join(&target).join("lib/libstd-1.rlib")
        );
        assert_eq!(
            fs::read_to_string(dir.join(&target).join("target.json")).unwrap(),
            "{}"
        );
        // A directory of an older layout (its marker has no `layout` line) is made again.
        let marker = dir.join(MARKER);
        let old = fs::read_to_string(&marker).unwrap();
        let without_layout: String = old
            .lines()
            .filter(|l| !l.starts_with("layout\t"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&marker, without_layout).unwrap();
        fs::write(dir.join("stale"), "").unwrap();
        assert_eq!(delivered(&sources), (dir.clone(), digest.clone()));
        assert!(!dir.join("stale").exists());
        // Reused as it is while nothing changed.
        fs::write(dir.join("probe"), "").unwrap();
        assert_eq!(delivered(&sources), (dir.clone(), digest.clone()));
        assert!(dir.join("probe").exists());

        // A replaced rustc (a toolchain update) makes it again.
        fs::remove_file(user.join("bin/rustc")).unwrap();
        fs::write(user.join("bin/rustc"), "rustc 2").unwrap();
        assert_eq!(delivered(&sources), (dir.clone(), digest.clone()));
        assert!(!dir.join("probe").exists());
        assert_eq!(
            fs::read_to_string(dir.join("bin/rustc")).unwrap(),
            "rustc 2"
        );
    }

    #[test]
    fn digest_sees_the_target_libraries_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (user, prepared, entry) = fixture(tmp.path());
        let cache = tmp.path().join("cache");
        let sources = Sources {
            cache_root: &cache,
            user_sysroot: &user,
            prepared: &prepared,
            entry: &entry,
            target: env::TARGET,
        };
        let (_, first) = delivered(&sources);
        let target = prepared.join("lib/rustlib").join(env::TARGET);
        let digest = || digest_targets(std::slice::from_ref(&target)).unwrap();
        assert_eq!(digest(), first);
        fs::write(target.join("lib/std-1.d"), "/other/path").unwrap();
        assert_eq!(digest(), first, "dep-info is not read by rustc");
        fs::write(target.join("lib/libstd-1.rlib"), "std, patched").unwrap();
        let patched = digest();
        assert_ne!(patched, first);
        fs::write(target.join("target.json"), "{\"features\":\"+simd128\"}").unwrap();
        assert_ne!(digest(), patched);
        // A rebuilt sysroot (new completion marker) gets a new directory and digest.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(entry.join(wasix_sysroot::cache::MARKER), "k2").unwrap();
        let (_, rebuilt) = delivered(&sources);
        assert_ne!(rebuilt, first);
    }

    #[test]
    fn unknown_layouts_fall_back_to_the_flag() {
        let tmp = tempfile::tempdir().unwrap();
        let (user, prepared, entry) = fixture(tmp.path());
        fs::remove_file(user.join("lib/librustc_driver-abc.so")).unwrap();
        let cache = tmp.path().join("cache");
        let sources = Sources {
            cache_root: &cache,
            user_sysroot: &user,
            prepared: &prepared,
            entry: &entry,
            target: env::TARGET,
        };
        let why = toolchain_dir(&sources).unwrap().unwrap_err();
        assert!(why.0.contains("librustc_driver"), "{}", why.0);
        let bare = tmp.path().join("bare");
        fs::create_dir_all(&bare).unwrap();
        let sources = Sources {
            user_sysroot: &bare,
            ..sources
        };
        assert!(toolchain_dir(&sources).unwrap().is_err());
    }
}
