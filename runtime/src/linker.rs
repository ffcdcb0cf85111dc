//! Linker assembly: every syscall family under the namespaces the module imports, the
//! module's memory, ENOSYS stubs (with a once-per-name warning) for names we do not implement
//! yet, and `--trace` wrappers that log each call with its arguments and result.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use wasmtime::{Caller, Extern, ExternType, FuncType, Linker, Memory, SharedMemory, Store, Val};

use crate::Error;
use crate::abi::Errno;
use crate::loader::{Loaded, PREVIEW1, WASIX32, WASIX64};
use crate::mem::{M32, M64};
use crate::syscalls;
use crate::thread::{MemHandle, ThreadCtx};

/// Builds the linker for `loaded` (or clones its prebuilt [`functions`]) and creates its
/// memory if it is imported.
pub(crate) fn build(
    store: &mut Store<ThreadCtx>,
    loaded: &Loaded,
    trace: bool,
) -> Result<(Linker<ThreadCtx>, MemHandle), Error> {
    let mut linker = match &loaded.functions {
        Some(prebuilt) => prebuilt.clone(),
        None => functions(loaded, trace)?,
    };
    let memory = define_memory(&mut linker, store, loaded)?;
    Ok((linker, memory))
}

/// Every host function `loaded` imports (syscalls, ENOSYS stubs, `--trace` wrappers): the
/// store-independent part of a linker, built once per module and cloned for each process
/// that runs it (registering the functions costs about 1 ms, most of a spawn).
pub fn functions(loaded: &Loaded, trace: bool) -> Result<Linker<ThreadCtx>, Error> {
    let setup = |e: anyhow::Error| Error::Instantiate(format!("linker setup: {e:#}"));
    let mut real = Linker::new(&loaded.engine);
    if loaded.uses_preview1 {
        syscalls::add_all::<M32>(&mut real, PREVIEW1).map_err(setup)?;
    }
    if loaded.uses_wasix32 {
        syscalls::add_all::<M32>(&mut real, WASIX32).map_err(setup)?;
    }
    if loaded.uses_wasix64 {
        syscalls::add_all::<M64>(&mut real, WASIX64).map_err(setup)?;
    }
    syscalls::thread::add_wasi_thread_spawn(&mut real).map_err(setup)?;
    add_enosys_stubs(&mut real, loaded).map_err(setup)?;

    if trace {
        traced(&loaded.engine, real, loaded).map_err(setup)
    } else {
        Ok(real)
    }
}

/// Creates the module's imported memory (a new one per process, its maximum lowered to
/// `--max-memory`) and defines it.
fn define_memory(
    linker: &mut Linker<ThreadCtx>,
    store: &mut Store<ThreadCtx>,
    loaded: &Loaded,
) -> Result<MemHandle, Error> {
    let memory = match &loaded.memory_import {
        None => MemHandle::None,
        Some((module, name, ty)) => {
            let max_memory = store.data().process.limits.max_memory;
            let ty = &crate::limits::cap_memory_type(ty, max_memory).map_err(|e| {
                Error::Config(format!(
                    "the module needs {} of memory at start, more than --max-memory allows",
                    crate::limits::human_size(e.needed)
                ))
            })?;
            let (ext, handle): (Extern, MemHandle) = if ty.is_shared() {
                let sm = SharedMemory::new(&loaded.engine, ty.clone()).map_err(|e| {
                    Error::BadModule {
                        path: loaded.path.clone(),
                        message: format!("cannot create its shared memory {module}.{name}: {e:#}"),
                    }
                })?;
                (sm.clone().into(), MemHandle::Shared(sm))
            } else {
                let m = Memory::new(&mut *store, ty.clone()).map_err(|e| Error::BadModule {
                    path: loaded.path.clone(),
                    message: format!("cannot create its memory {module}.{name}: {e:#}"),
                })?;
                (m.into(), MemHandle::Own(m))
            };
            linker
                .define(&*store, module, name, ext)
                .map_err(|e| Error::Instantiate(format!("{e:#}")))?;
            handle
        }
    };
    Ok(memory)
}

fn is_ours(module: &str) -> bool {
    matches!(module, PREVIEW1 | WASIX32 | WASIX64)
}

/// Defines every imported name of our namespaces that no family defined as a function that
/// warns once and returns ENOSYS (or traps, when the signature has no errno result).
fn add_enosys_stubs(linker: &mut Linker<ThreadCtx>, loaded: &Loaded) -> anyhow::Result<()> {
    linker.allow_shadowing(false);
    for import in loaded.module.imports() {
        let ExternType::Func(ty) = import.ty() else {
            continue;
        };
        if !is_ours(import.module()) {
            continue;
        }
        let label = format!("{}.{}", import.module(), import.name());
        let returns_errno =
            ty.results().len() == 1 && ty.results().next().is_some_and(|t| t.is_i32());
        let stub = move |_: Caller<'_, ThreadCtx>,
                         _: &[Val],
                         results: &mut [Val]|
              -> wasmtime::Result<()> {
            warn_once(&label);
            if returns_errno {
                results[0] = Val::I32(Errno::Nosys.raw());
                Ok(())
            } else {
                Err(wasmtime::Error::msg(format!(
                    "{label} is not supported by this runtime yet"
                )))
            }
        };
        // Defining fails exactly when a family already provides the name: keep theirs.
        let _ = linker.func_new(import.module(), import.name(), ty.clone(), stub);
    }
    Ok(())
}

/// `warning: <module>.<name> is not supported by this runtime yet (ENOSYS)`, once per name.
fn warn_once(label: &str) {
    diag_once(label, || {
        format!("warning: {label} is not supported by this runtime yet (ENOSYS)")
    });
}

/// Writes `message()` to stderr the first time `key` is seen in this host process (a guest
/// calling an unsupported function in a loop is told once).
pub(crate) fn diag_once(key: &str, message: impl FnOnce() -> String) {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_string())
    {
        crate::diag!("{}", message());
    }
}

/// Wraps every function the module imports so each call is logged to stderr as
/// `[trace tid] module.name(args) -> results`. The real function is looked up once per store.
fn traced(
    engine: &wasmtime::Engine,
    real: Linker<ThreadCtx>,
    loaded: &Loaded,
) -> anyhow::Result<Linker<ThreadCtx>> {
    let real = Arc::new(real);
    let mut outer = Linker::new(engine);
    for import in loaded.module.imports() {
        let ExternType::Func(ty) = import.ty() else {
            continue;
        };
        let (module, name) = (import.module().to_string(), import.name().to_string());
        let real = real.clone();
        let ty2: FuncType = ty.clone();
        outer.func_new(
            &module.clone(),
            &name.clone(),
            ty,
            move |mut caller: Caller<'_, ThreadCtx>, params: &[Val], results: &mut [Val]| {
                let key = (module.clone(), name.clone());
                let func = match caller.data().trace_funcs.get(&key) {
                    Some(f) => *f,
                    None => {
                        let f = real
                            .get(&mut caller, &module, &name)
                            .ok()
                            .and_then(|e| e.into_func())
                            .ok_or_else(|| {
                                wasmtime::Error::msg(format!("{module}.{name} is not defined"))
                            })?;
                        caller.data_mut().trace_funcs.insert(key, f);
                        f
                    }
                };
                let tid = caller.data().tid;
                let args = fmt_vals(params);
                let r = func.call(&mut caller, params, results);
                match &r {
                    Ok(()) => crate::diag!(
                        "[trace {tid}] {module}.{name}({args}) -> {}",
                        fmt_results(&ty2, results)
                    ),
                    Err(e) => crate::diag!("[trace {tid}] {module}.{name}({args}) -> trap: {e}"),
                }
                r
            },
        )?;
    }
    Ok(outer)
}

fn fmt_vals(vals: &[Val]) -> String {
    vals.iter()
        .map(|v| match v {
            Val::I32(x) => x.to_string(),
            Val::I64(x) => x.to_string(),
            Val::F32(x) => f32::from_bits(*x).to_string(),
            Val::F64(x) => f64::from_bits(*x).to_string(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn fmt_results(ty: &FuncType, results: &[Val]) -> String {
    match (ty.results().len(), results.first()) {
        (1, Some(Val::I32(v))) => match u16::try_from(*v).ok().and_then(Errno::from_raw) {
            Some(e) => format!("{v} ({e:?})"),
            None => v.to_string(),
        },
        (0, _) => "()".into(),
        _ => fmt_vals(results),
    }
}
