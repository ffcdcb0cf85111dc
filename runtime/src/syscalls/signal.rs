//! proc_raise, proc_signals_sizes_get, proc_signals_get, callback_signal.

use wasmtime::Linker;

use crate::mem::MemSize;
use crate::thread::ThreadCtx;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(_linker: &mut Linker<ThreadCtx>, _module: &str) -> anyhow::Result<()> {
    Ok(())
}
