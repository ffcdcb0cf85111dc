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

/// Compiles `bytes` or loads the cached compilation.
pub fn load(engine: &Engine, bytes: &[u8], path: &Path, mode: &CacheMode) -> Result<Module, Error> {
    load_with_outcome(engine, bytes, path, mode).map(|(m, _)| m)
}

/// [`load`], also saying whether the cache was hit.
pub fn load_with_outcome(
    engine: &Engine,
    bytes: &[u8],
    path: &Path,
    mode: &CacheMode,
) -> Result<(Module, Outcome), Error> {
    let dir = match mode {
        CacheMode::Disabled => return compile(engine, bytes, path).map(|m| (m, Outcome::Compiled)),
        CacheMode::Dir(dir) => dir,
    };
    let key = cache_key(engine, bytes);
    let cwasm = dir.join(format!("{key}.cwasm"));
    let meta = dir.join(format!("{key}.meta"));
    if let Some(module) = try_load(engine, &cwasm, &meta) {
        return Ok((module, Outcome::Hit));
    }
    let module = compile(engine, bytes, path)?;
    store(dir, &module, &cwasm, &meta)?;
    Ok((module, Outcome::Compiled))
}

/// The cache key for `bytes` on this engine.
pub fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let mut compat = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compat);
    let mut h = Sha256::new();
    h.update(bytes);
    h.update(compat.finish().to_le_bytes());
    h.update(WASMTIME_VERSION.as_bytes());
    h.update(crate::engine::ENABLED_FEATURES.join(",").as_bytes());
    hex(&h.finalize())
}

fn compile(engine: &Engine, bytes: &[u8], path: &Path) -> Result<Module, Error> {
    Module::new(engine, bytes).map_err(|e| Error::Compile {
        path: path.to_path_buf(),
        message: format!("{e:#}"),
    })
}

/// A verified entry, or `None` (missing, foreign, truncated or corrupt: recompile).
fn try_load(engine: &Engine, cwasm: &Path, meta: &Path) -> Option<Module> {
    let meta = std::fs::read_to_string(meta).ok()?;
    let mut lines = meta.lines();
    if lines.next()? != META_MAGIC {
        return None;
    }
    let want = lines.next()?;
    let bytes = std::fs::read(cwasm).ok()?;
    if hex(&Sha256::digest(&bytes)) != want {
        return None;
    }
    // SAFETY: the bytes are exactly what `Module::serialize` wrote for this cache key (checked
    // against the sha256 we stored beside them); wasmtime also checks engine compatibility.
    unsafe { Module::deserialize(engine, &bytes) }.ok()
}

fn store(dir: &Path, module: &Module, cwasm: &Path, meta: &Path) -> Result<(), Error> {
    let err = |message: String| Error::Cache {
        path: dir.to_path_buf(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create the directory: {e}")))?;
    let bytes = module
        .serialize()
        .map_err(|e| err(format!("cannot serialize: {e:#}")))?;
    let digest = hex(&Sha256::digest(&bytes));
    write_atomic(cwasm, &bytes)
        .map_err(|e| err(format!("cannot write `{}`: {e}", cwasm.display())))?;
    write_atomic(meta, format!("{META_MAGIC}\n{digest}\n").as_bytes())
        .map_err(|e| err(format!("cannot write `{}`: {e}", meta.display())))?;
    Ok(())
}

/// Writes to a unique temp file beside `path`, then renames it into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(
        format!(
            "tmp.{}.{:?}",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(['(', ')'], ""),
    );
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
            load_with_outcome(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
        assert_eq!(
            load_with_outcome(&engine, bytes, p, &mode).unwrap().1,
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
            load_with_outcome(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
        assert_eq!(
            load_with_outcome(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Hit
        );
        // A foreign file with no sidecar is ignored too.
        std::fs::remove_file(dir.path().join("c").join(format!("{key}.meta"))).unwrap();
        assert_eq!(
            load_with_outcome(&engine, bytes, p, &mode).unwrap().1,
            Outcome::Compiled
        );
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
        let r = load_with_outcome(
            &engine,
            WAT.as_bytes(),
            Path::new("t.wat"),
            &CacheMode::Disabled,
        )
        .unwrap();
        assert_eq!(r.1, Outcome::Compiled);
    }
}
