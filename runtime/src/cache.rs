//! The compiled-module cache: `<dir>/<key>.cwasm` plus a `<key>.meta` sidecar holding the
//! sha256 of the `.cwasm`. The key covers the wasm bytes, the engine's compatibility hash, the
//! wasmtime version and our feature list. Entries are written to a temp file and renamed, and
//! an entry whose bytes do not match its sidecar is recompiled, never trusted.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::Error;

/// Whether and where compiled modules are cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheMode {
    /// Cache in this directory (created if missing).
    Dir(PathBuf),
    /// Always compile.
    Disabled,
}

/// The sidecar's first line; bump when the format or key inputs change.
const META_MAGIC: &str = "cargo-wasix-cwasm-v1";

/// wasmtime's version, from the pinned dependency.
const WASMTIME_VERSION: &str = "48.0.8";

/// What happened on a [`load`], for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Hit,
    Compiled,
}

/// Loads the module at `path`, from the cache when it holds this file's compilation.
///
/// A small index (`<dir>/paths/<hash of path + engine>.key`) remembers which key the file had
/// at a given (device, inode, size, mtime, ctime), so a warm start does not hash the wasm again.
pub fn load(engine: &Engine, path: &Path, mode: &CacheMode) -> Result<(Module, Outcome), Error> {
    let read = || {
        std::fs::read(path).map_err(|source| Error::ReadModule {
            path: path.to_path_buf(),
            source,
        })
    };
    let CacheMode::Dir(dir) = mode else {
        return compile(engine, &read()?, path).map(|m| (m, Outcome::Compiled));
    };
    let stamp = file_stamp(path);
    let index = index_path(engine, dir, path);
    if let (Some(stamp), Some(index)) = (&stamp, &index)
        && let Some(key) = read_index(index, stamp)
        && let Some(module) = try_load(engine, dir, &key)
    {
        return Ok((module, Outcome::Hit));
    }
    let bytes = read()?;
    let key = cache_key(engine, &bytes);
    let outcome = load_key(engine, &bytes, path, dir, &key)?;
    if let (Some(stamp), Some(index)) = (stamp, index) {
        // Best effort: without the index the next run only hashes the wasm again.
        let _ = write_atomic(&index, format!("{stamp}\n{key}\n").as_bytes());
    }
    Ok(outcome)
}

/// Compiles `bytes` or loads their cached compilation.
pub fn load_bytes(
    engine: &Engine,
    bytes: &[u8],
    path: &Path,
    mode: &CacheMode,
) -> Result<(Module, Outcome), Error> {
    match mode {
        CacheMode::Disabled => compile(engine, bytes, path).map(|m| (m, Outcome::Compiled)),
        CacheMode::Dir(dir) => load_key(engine, bytes, path, dir, &cache_key(engine, bytes)),
    }
}

fn load_key(
    engine: &Engine,
    bytes: &[u8],
    path: &Path,
    dir: &Path,
    key: &str,
) -> Result<(Module, Outcome), Error> {
    if let Some(module) = try_load(engine, dir, key) {
        return Ok((module, Outcome::Hit));
    }
    let module = compile(engine, bytes, path)?;
    store(dir, &module, key)?;
    Ok((module, Outcome::Compiled))
}

/// Identifies one version of a file without reading it: device, inode, size, mtime, ctime
/// (ctime changes on every write and cannot be set back by `touch`).
fn file_stamp(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(format!(
        "{} {} {} {}.{} {}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    ))
}

fn index_path(engine: &Engine, dir: &Path, path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut h = Sha256::new();
    h.update(abs.as_os_str().as_encoded_bytes());
    h.update(engine_tag(engine).as_bytes());
    Some(
        dir.join("paths")
            .join(format!("{}.key", hex(&h.finalize()))),
    )
}

fn read_index(index: &Path, stamp: &str) -> Option<String> {
    let text = std::fs::read_to_string(index).ok()?;
    let mut lines = text.lines();
    (lines.next()? == stamp).then(|| lines.next().map(str::to_string))?
}

/// What besides the wasm bytes decides whether a compilation can be reused.
fn engine_tag(engine: &Engine) -> String {
    let mut compat = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compat);
    format!(
        "{:016x} wasmtime {WASMTIME_VERSION} {}",
        compat.finish(),
        crate::engine::ENABLED_FEATURES.join(",")
    )
}

/// The cache key for `bytes` on this engine.
pub fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.update(engine_tag(engine).as_bytes());
    hex(&h.finalize())
}

fn compile(engine: &Engine, bytes: &[u8], path: &Path) -> Result<Module, Error> {
    Module::new(engine, bytes).map_err(|e| Error::Compile {
        path: path.to_path_buf(),
        message: format!("{e:#}"),
    })
}

/// A verified entry, or `None` (missing, foreign, truncated or corrupt: recompile).
fn try_load(engine: &Engine, dir: &Path, key: &str) -> Option<Module> {
    let (cwasm, meta) = entry_paths(dir, key);
    let meta = std::fs::read_to_string(meta).ok()?;
    let mut lines = meta.lines();
    if lines.next()? != META_MAGIC {
        return None;
    }
    let want = lines.next()?;
    let bytes = std::fs::read(&cwasm).ok()?;
    if hex(&Sha256::digest(&bytes)) != want {
        return None;
    }
    // SAFETY: the file holds exactly what `Module::serialize` wrote for this key (its sha256
    // matches the sidecar we wrote beside it, and entries are only ever replaced by an atomic
    // rename of a complete file); wasmtime also checks engine compatibility.
    unsafe { Module::deserialize_file(engine, &cwasm) }.ok()
}

fn entry_paths(dir: &Path, key: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!("{key}.cwasm")),
        dir.join(format!("{key}.meta")),
    )
}

fn store(dir: &Path, module: &Module, key: &str) -> Result<(), Error> {
    let (cwasm, meta) = entry_paths(dir, key);
    let err = |message: String| Error::Cache {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir.join("paths"))
        .map_err(|e| err(format!("cannot create the directory: {e}")))?;
    let bytes = module
        .serialize()
        .map_err(|e| err(format!("cannot serialize: {e:#}")))?;
    let digest = hex(&Sha256::digest(&bytes));
    write_atomic(&cwasm, &bytes)
        .map_err(|e| err(format!("cannot write `{}`: {e}", cwasm.display())))?;
    write_atomic(&meta, format!("{META_MAGIC}\n{digest}\n").as_bytes())
        .map_err(|e| err(format!("cannot write `{}`: {e}", meta.display())))?;
    Ok(())
}

/// Writes to a unique temp file beside `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAT: &str = r#"(module (func (export "_start")))"#;

    #[test]
    fn hit_after_compile_and_corrupt_entries_are_recompiled() {
        let engine = crate::engine::new_engine().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mode = CacheMode::Dir(dir.path().join("c"));
        let bytes = WAT.as_bytes();
        let p = Path::new("t.wat");
        assert_eq!(
            load_bytes(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
        assert_eq!(
            load_bytes(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Hit
        );
        let key = cache_key(&engine, bytes);
        let cwasm = dir.path().join("c").join(format!("{key}.cwasm"));
        // Flip one byte: the sidecar hash no longer matches, so it must recompile.
        let mut b = std::fs::read(&cwasm).unwrap();
        let mid = b.len() / 2;
        b[mid] ^= 0xff;
        std::fs::write(&cwasm, &b).unwrap();
        assert_eq!(
            load_bytes(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
        assert_eq!(
            load_bytes(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Hit
        );
        // A foreign file with no sidecar is ignored too.
        std::fs::remove_file(dir.path().join("c").join(format!("{key}.meta"))).unwrap();
        assert_eq!(
            load_bytes(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
    }

    /// The path index skips hashing an unchanged file but never serves a changed one.
    #[test]
    fn path_index_tracks_file_changes() {
        let engine = crate::engine::new_engine().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mode = CacheMode::Dir(dir.path().join("c"));
        let file = dir.path().join("m.wat");
        std::fs::write(&file, r#"(module (func (export "aaaa")))"#).unwrap();
        assert_eq!(load(&engine, &file, &mode).unwrap().1, Outcome::Compiled);
        assert_eq!(load(&engine, &file, &mode).unwrap().1, Outcome::Hit);
        // Same size, new content: must compile the new module.
        std::fs::write(&file, r#"(module (func (export "bbbb")))"#).unwrap();
        let (m, outcome) = load(&engine, &file, &mode).unwrap();
        assert_eq!(outcome, Outcome::Compiled);
        assert!(m.get_export("bbbb").is_some());
        let (m, outcome) = load(&engine, &file, &mode).unwrap();
        assert_eq!(outcome, Outcome::Hit);
        assert!(m.get_export("bbbb").is_some() && m.get_export("aaaa").is_none());
        assert!(matches!(
            load(&engine, &dir.path().join("none.wasm"), &mode),
            Err(Error::ReadModule { .. })
        ));
    }

    #[test]
    fn key_depends_on_bytes() {
        let engine = crate::engine::new_engine().unwrap();
        assert_ne!(cache_key(&engine, b"a"), cache_key(&engine, b"b"));
        assert_eq!(cache_key(&engine, b"a"), cache_key(&engine, b"a"));
    }

    #[test]
    fn disabled_always_compiles() {
        let engine = crate::engine::new_engine().unwrap();
        let r = load_bytes(
            &engine,
            WAT.as_bytes(),
            Path::new("t.wat"),
            &CacheMode::Disabled,
        )
        .unwrap();
        assert_eq!(r.1, Outcome::Compiled);
    }
}
