//! fd_read, fd_write, fd_close, fd_fdstat_get/set_flags, fd_renumber, fd_dup/dup2, fd_pipe, fd_event, fd_fdflags_get/set.

use wasmtime::Linker;

use crate::mem::MemSize;
use crate::thread::ThreadCtx;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(_linker: &mut Linker<ThreadCtx>, _module: &str) -> anyhow::Result<()> {
    Ok(())
}
