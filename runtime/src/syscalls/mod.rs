//! Host functions, one file per POSIX family, each generic over the pointer width and
//! registered by [`add_all`] under `wasi_snapshot_preview1`, `wasix_32v1` or `wasix_64v1`.
//!
//! Conventions for family files:
//! - `pub fn add_to_linker<M: MemSize>(linker: &mut Linker<ThreadCtx>, module: &str) -> anyhow::Result<()>`
//!   registers the family's names under `module` (`M = M32` for the first two, `M64` for the
//!   last); pointer and pointer-sized parameters are `M::Offset`.
//! - a syscall body returns `Result<(), Errno>` (or `Result<T, Errno>`) and uses `?`; the
//!   registration closure turns it into the guest's errno with [`errno`]. Traps (exit) are only
//!   for `proc_exit`/`thread_exit`-like calls.
//! - memory through [`crate::thread::split`]; fds through `ctx.process.fd(fd)` which clones the
//!   object out and releases the table lock before any blocking I/O.

use wasmtime::Linker;

use crate::abi::Errno;
use crate::mem::MemSize;
use crate::thread::ThreadCtx;

pub mod args_env;
pub mod clock_random;
pub mod cwd;
pub mod fd_generic;
pub mod fs_fd;
pub mod path;
pub mod poll;
pub mod proc;
pub mod proc_spawn;
pub mod resolve;
pub mod signal;
pub mod sock;
pub mod thread;
pub mod tty;

/// Registers every family under `module`.
pub fn add_all<M: MemSize>(linker: &mut Linker<ThreadCtx>, module: &str) -> anyhow::Result<()> {
    args_env::add_to_linker::<M>(linker, module)?;
    clock_random::add_to_linker::<M>(linker, module)?;
    fd_generic::add_to_linker::<M>(linker, module)?;
    proc::add_to_linker::<M>(linker, module)?;
    proc_spawn::add_to_linker::<M>(linker, module)?;
    signal::add_to_linker::<M>(linker, module)?;
    thread::add_to_linker::<M>(linker, module)?;
    tty::add_to_linker::<M>(linker, module)?;
    fs_fd::add_to_linker::<M>(linker, module)?;
    path::add_to_linker::<M>(linker, module)?;
    cwd::add_to_linker::<M>(linker, module)?;
    sock::add_to_linker::<M>(linker, module)?;
    poll::add_to_linker::<M>(linker, module)?;
    resolve::add_to_linker::<M>(linker, module)?;
    Ok(())
}

/// The guest's return value for a syscall result (0 or the errno).
pub fn errno<T>(r: Result<T, Errno>) -> i32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.raw(),
    }
}

/// A guest pointer or pointer-sized length as `u64`.
pub fn ptr<M: MemSize>(o: M::Offset) -> u64 {
    M::to_u64(o)
}
