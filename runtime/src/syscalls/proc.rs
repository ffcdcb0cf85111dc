//! `proc_exit`, `proc_exit2`, `proc_id`, `proc_parent`, `sched_yield` and `proc_fork`
//! (ENOSYS with a message: see [`FORK_UNSUPPORTED`]; spawn, join and exec are in
//! `proc_spawn`).

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::mem::MemSize;
use crate::proc::status::ExitStatus;
use crate::syscalls::{errno, ptr};
use crate::thread::{ProcEnded, ProcExit, ThreadCtx, end_from_thread, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "proc_exit",
        |c: Caller<'_, ThreadCtx>, code: i32| -> wasmtime::Result<()> {
            Err(end(c.data(), ExitStatus::Code(code)))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_exit2",
        |c: Caller<'_, ThreadCtx>, code: i32| -> wasmtime::Result<()> {
            Err(end(c.data(), ExitStatus::Code(code)))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_id",
        |mut c: Caller<'_, ThreadCtx>, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(mem.write_u32(ptr::<M>(out), ctx.process.pid))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_parent",
        |mut c: Caller<'_, ThreadCtx>, pid: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let r = if pid as u32 == ctx.process.pid {
                Ok(ctx.process.ppid)
            } else {
                ctx.process
                    .session
                    .table
                    .parent_of(pid as u32)
                    .ok_or(Errno::Srch)
            };
            errno(r.and_then(|p| mem.write_u32(ptr::<M>(out), p)))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_fork",
        |_: Caller<'_, ThreadCtx>, copy_memory: i32, _out: M::Offset| {
            let call = if copy_memory != 0 { "fork" } else { "vfork" };
            crate::linker::diag_once(call, || {
                format!("error: {call}() is not supported: {FORK_UNSUPPORTED}")
            });
            Errno::Nosys.raw()
        },
    )?;
    linker.func_wrap(module, "sched_yield", |_: Caller<'_, ThreadCtx>| {
        std::thread::yield_now();
        0
    })?;
    Ok(())
}

/// Why `fork`/`vfork` fail (ENOSYS), and what works instead.
pub const FORK_UNSUPPORTED: &str = "this runtime cannot copy a running WASIX process (fork needs the whole instance duplicated, vfork needs asyncify); the call fails with ENOSYS\nhelp: start programs with posix_spawn or std::process::Command (proc_spawn2), which run `.wasm` files as child processes";

/// Ends the process with `status`: unwinds `_start` on the main thread; from any other thread
/// see [`end_from_thread`] (the first process ends the host process; a child decides its end
/// and this thread unwinds).
pub fn end(ctx: &ThreadCtx, status: ExitStatus) -> wasmtime::Error {
    if ctx.is_main() {
        wasmtime::Error::new(ProcExit(status))
    } else {
        end_from_thread(&ctx.process, status);
        wasmtime::Error::new(ProcEnded)
    }
}
