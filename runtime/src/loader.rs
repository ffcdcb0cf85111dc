//! Import inspection: which ABI namespaces a module uses, its memory import, and a load-time
//! error naming every import this runtime cannot provide.

use std::path::{Path, PathBuf};

use wasmtime::{Engine, ExternType, MemoryType, Module};

use crate::Error;

/// Namespaces whose functions this runtime implements.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";
pub const WASIX32: &str = "wasix_32v1";
pub const WASIX64: &str = "wasix_64v1";
/// wasi-threads' module (`thread-spawn` only).
pub const WASI: &str = "wasi";

/// A compiled module plus what the linker needs to know about it.
pub struct Loaded {
    pub engine: Engine,
    pub module: Module,
    pub path: PathBuf,
    pub uses_preview1: bool,
    pub uses_wasix32: bool,
    pub uses_wasix64: bool,
    /// The `env.memory` import (or another module/name), if the memory is imported.
    pub memory_import: Option<(String, String, MemoryType)>,
    /// Host functions already registered for this module (`linker::functions`), when a caller
    /// keeps them across processes; `None` builds them at instantiation.
    pub functions: Option<wasmtime::Linker<crate::thread::ThreadCtx>>,
}

impl Loaded {
    /// Checks the imports; fails naming every import we do not provide.
    pub fn new(engine: &Engine, module: Module, path: &Path) -> Result<Loaded, Error> {
        let mut unknown = Vec::new();
        let mut memory_import = None;
        let (mut p1, mut w32, mut w64) = (false, false, false);
        // The first function import whose pointers are 32-bit (preview 1, wasix_32v1).
        let mut narrow = None;
        for import in module.imports() {
            let (m, name) = (import.module(), import.name());
            if matches!((m, import.ty()), (PREVIEW1 | WASIX32, ExternType::Func(_))) {
                narrow.get_or_insert_with(|| format!("{m}.{name}"));
            }
            match (m, import.ty()) {
                (PREVIEW1, ExternType::Func(_)) => p1 = true,
                (WASIX32, ExternType::Func(_)) => w32 = true,
                (WASIX64, ExternType::Func(_)) => w64 = true,
                (WASI, ExternType::Func(_)) if name == "thread-spawn" => {}
                (_, ExternType::Memory(ty)) if memory_import.is_none() => {
                    memory_import = Some((m.to_string(), name.to_string(), ty));
                }
                (_, ty) => unknown.push(format!("`{m}.{name}` ({})", kind(&ty))),
            }
        }
        if !unknown.is_empty() {
            let shown = unknown.len().min(12);
            let mut what = unknown[..shown].join(", ");
            if unknown.len() > shown {
                what.push_str(&format!(" and {} more", unknown.len() - shown));
            }
            return Err(Error::UnknownImports {
                path: path.to_path_buf(),
                what,
            });
        }
        if w32 && w64 {
            return Err(Error::BadModule {
                path: path.to_path_buf(),
                message: "it imports from both `wasix_32v1` and `wasix_64v1`".into(),
            });
        }
        // A 64-bit memory addressed through 32-bit pointers would read and write the wrong
        // bytes above 4 GiB (the host cannot see the truncation): refuse before running.
        let memory64 = memory_import.as_ref().is_some_and(|(_, _, ty)| ty.is_64())
            || module
                .exports()
                .any(|e| matches!(e.ty(), ExternType::Memory(ty) if ty.is_64()));
        if let (true, Some(import)) = (memory64, narrow) {
            return Err(Error::BadModule {
                path: path.to_path_buf(),
                message: format!(
                    "its memory is 64-bit (wasm64) but it imports `{import}`, whose pointers are 32-bit: data above 4 GiB would be misaddressed\n\
                     help: wasm64 programs call WASI through `wasix_64v1`; a crate that declares preview-1 imports itself (such as the `wasi` crate) must not be built for wasm64"
                ),
            });
        }
        Ok(Loaded {
            engine: engine.clone(),
            module,
            path: path.to_path_buf(),
            uses_preview1: p1,
            uses_wasix32: w32,
            uses_wasix64: w64,
            memory_import,
            functions: None,
        })
    }
}

impl Loaded {
    /// Whose definitions the process follows ([`crate::process::Abi`]): WASIX as soon as the
    /// module imports anything from a WASIX namespace.
    pub fn abi(&self) -> crate::process::Abi {
        if self.uses_wasix32 || self.uses_wasix64 {
            crate::process::Abi::Wasix
        } else {
            crate::process::Abi::Preview1
        }
    }
}

fn kind(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Global(_) => "global",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
        ExternType::Tag(_) => "tag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(wat: &str) -> Result<Loaded, Error> {
        let engine = crate::engine::new_engine().unwrap();
        let module = Module::new(&engine, wat).unwrap();
        Loaded::new(&engine, module, Path::new("t.wasm"))
    }

    #[test]
    fn classifies_imports() {
        let l = load(
            r#"(module
                (import "wasix_32v1" "proc_id" (func (param i32) (result i32)))
                (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                (import "wasi" "thread-spawn" (func (param i32) (result i32)))
                (import "env" "memory" (memory 1 10 shared)))"#,
        )
        .unwrap();
        assert!(l.uses_wasix32 && l.uses_preview1 && !l.uses_wasix64);
        assert_eq!(l.abi(), crate::process::Abi::Wasix);
        let (m, n, ty) = l.memory_import.unwrap();
        assert_eq!(
            (
                m.as_str(),
                n.as_str(),
                ty.is_shared(),
                ty.minimum(),
                ty.maximum()
            ),
            ("env", "memory", true, 1, Some(10))
        );
    }

    #[test]
    fn a_64_bit_memory_with_32_bit_pointer_imports_is_refused() {
        for import in [
            r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))"#,
            r#"(import "wasix_32v1" "proc_id" (func (param i32) (result i32)))"#,
        ] {
            for memory in [
                r#"(import "env" "memory" (memory i64 1 10 shared))"#,
                r#"(memory (export "memory") i64 1)"#,
            ] {
                let e = load(&format!("(module {import} {memory})"))
                    .err()
                    .expect("refused")
                    .to_string();
                assert!(
                    e.contains("its memory is 64-bit") && e.contains("whose pointers are 32-bit"),
                    "{e}"
                );
            }
        }
        // The same imports with a 32-bit memory, and wasix_64v1 with a 64-bit one, load.
        load(
            r#"(module (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
                (import "env" "memory" (memory 1 10 shared)))"#,
        )
        .unwrap();
        load(
            r#"(module (import "wasix_64v1" "random_get" (func (param i64 i64) (result i32)))
                (import "env" "memory" (memory i64 1 10 shared)))"#,
        )
        .unwrap();
    }

    #[test]
    fn abi_follows_the_wasix_imports() {
        use crate::process::Abi;
        let cases = [
            (
                r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
                Abi::Preview1,
            ),
            (
                r#"(import "wasi" "thread-spawn" (func (param i32) (result i32)))"#,
                Abi::Preview1,
            ),
            ("", Abi::Preview1),
            (
                r#"(import "wasix_64v1" "proc_id" (func (param i64) (result i32)))"#,
                Abi::Wasix,
            ),
        ];
        for (import, want) in cases {
            let l = load(&format!("(module {import})")).unwrap();
            assert_eq!(l.abi(), want, "{import}");
        }
    }

    #[test]
    fn unknown_imports_are_named() {
        let e = load(
            r#"(module
                (import "env" "foo" (func))
                (import "wasi" "other" (func))
                (import "env" "g" (global i32)))"#,
        )
        .err()
        .unwrap()
        .to_string();
        for needle in [
            "`env.foo` (function)",
            "`wasi.other` (function)",
            "`env.g` (global)",
            "help:",
        ] {
            assert!(e.contains(needle), "{needle} missing in: {e}");
        }
    }
}
