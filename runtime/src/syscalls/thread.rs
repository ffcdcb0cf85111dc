//! Threads: `thread_spawn_v2` (and its alias `thread_spawn`), `thread_exit`, `thread_id`,
//! `thread_join`, `thread_sleep`, `thread_parallelism`, the futex calls over
//! `SharedMemory::atomic_wait32/atomic_notify` (the same wait queue as guest atomics), and
//! wasi-threads' `wasi`.`thread-spawn`.

use std::time::Duration;

use wasmtime::{Caller, Linker, WaitResult};

use crate::abi::Errno;
use crate::abi::types::option_timestamp;
use crate::mem::{GuestMemory, MemSize, offset_by};
use crate::syscalls::{errno, ptr};
use crate::thread::{MemHandle, ThreadCtx, ThreadExit, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    for name in ["thread_spawn_v2", "thread_spawn"] {
        linker.func_wrap(
            module,
            name,
            |mut c: Caller<'_, ThreadCtx>, start: M::Offset, out: M::Offset| {
                let (mem, ctx) = split(&mut c);
                let r = crate::thread::spawn(ctx, ptr::<M>(start))
                    .and_then(|tid| mem.write_u32(ptr::<M>(out), tid));
                errno(r)
            },
        )?;
    }
    linker.func_wrap(
        module,
        "thread_exit",
        |_: Caller<'_, ThreadCtx>, _code: i32| -> wasmtime::Result<()> {
            Err(wasmtime::Error::new(ThreadExit))
        },
    )?;
    linker.func_wrap(
        module,
        "thread_id",
        |mut c: Caller<'_, ThreadCtx>, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(mem.write_u32(ptr::<M>(out), ctx.tid))
        },
    )?;
    linker.func_wrap(
        module,
        "thread_join",
        |mut c: Caller<'_, ThreadCtx>, tid: i32| -> wasmtime::Result<i32> {
            let ctx = c.data();
            if tid as u32 == ctx.tid {
                return Ok(Errno::Deadlk.raw());
            }
            let (process, me) = (ctx.process.clone(), ctx.tid);
            restartable(&mut c, |_| {
                process
                    .threads
                    .join_interruptible(tid as u32, || process.interrupted(me))
            })
        },
    )?;
    linker.func_wrap(
        module,
        "thread_sleep",
        |mut c: Caller<'_, ThreadCtx>, ns: i64| -> wasmtime::Result<i32> {
            let (process, me) = (c.data().process.clone(), c.data().tid);
            let deadline =
                std::time::Instant::now().checked_add(Duration::from_nanos(ns.max(0) as u64));
            restartable(&mut c, |_| {
                // A restart sleeps only what is left.
                let left = deadline.map_or(Duration::MAX, |d| {
                    d.saturating_duration_since(std::time::Instant::now())
                });
                sleep_interruptible(left, || process.interrupted(me))
            })
        },
    )?;
    linker.func_wrap(
        module,
        "thread_parallelism",
        |mut c: Caller<'_, ThreadCtx>, out: M::Offset| {
            let (mem, _) = split(&mut c);
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            errno(mem.write_ptr::<M>(ptr::<M>(out), n as u64))
        },
    )?;
    linker.func_wrap(
        module,
        "futex_wait",
        |mut c: Caller<'_, ThreadCtx>,
         addr: M::Offset,
         expected: i32,
         timeout: M::Offset,
         out: M::Offset|
         -> wasmtime::Result<i32> {
            restartable(&mut c, |c| {
                let (mem, ctx) = split(c);
                let (process, me) = (ctx.process.clone(), ctx.tid);
                futex_wait(
                    &mem,
                    &ctx.memory,
                    (ptr::<M>(addr), expected as u32),
                    ptr::<M>(timeout),
                    ptr::<M>(out),
                    || process.interrupted(me),
                )
            })
        },
    )?;
    linker.func_wrap(
        module,
        "futex_wake",
        |mut c: Caller<'_, ThreadCtx>, addr: M::Offset, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(futex_wake(
                &mem,
                &ctx.memory,
                ptr::<M>(addr),
                1,
                ptr::<M>(out),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "futex_wake_all",
        |mut c: Caller<'_, ThreadCtx>, addr: M::Offset, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(futex_wake(
                &mem,
                &ctx.memory,
                ptr::<M>(addr),
                u32::MAX,
                ptr::<M>(out),
            ))
        },
    )?;
    Ok(())
}

/// `wasi`.`thread-spawn(start_arg) -> tid` (wasi-threads; negative errno on failure).
pub fn add_wasi_thread_spawn(linker: &mut Linker<ThreadCtx>) -> anyhow::Result<()> {
    linker.func_wrap(
        crate::loader::WASI,
        "thread-spawn",
        |caller: Caller<'_, ThreadCtx>, arg: i32| -> i32 {
            match crate::thread::spawn(caller.data(), arg as u32 as u64) {
                Ok(tid) => tid as i32,
                Err(e) => -e.raw(),
            }
        },
    )?;
    Ok(())
}

/// Runs an interruptible wait and returns its errno; its end is a safe point where signals
/// queued for the process run (on the main thread). When the wait was interrupted by such a
/// signal (not by the process ending), the signals run and the wait starts again, like `SA_RESTART` (a relative timeout starts over):
/// wasi-libc and std treat EINTR from `poll_oneoff` as a fatal error, so restarting is what
/// keeps a handled signal harmless. When the process is ending, the thread unwinds from here.
pub fn restartable<T>(
    c: &mut Caller<'_, ThreadCtx>,
    mut wait: impl FnMut(&mut Caller<'_, ThreadCtx>) -> Result<T, Errno>,
) -> wasmtime::Result<i32> {
    loop {
        let r = wait(c);
        if matches!(r, Err(Errno::Intr)) {
            if c.data().process.is_dying() {
                // Unwind here rather than hand EINTR to code that may treat it as fatal.
                return Err(wasmtime::Error::new(crate::thread::ProcEnded));
            }
            crate::syscalls::signal::deliver_pending(c)?;
            continue;
        }
        // A signal that arrived while the wait ended on its own runs now.
        crate::syscalls::signal::deliver_pending(c)?;
        return Ok(errno(r));
    }
}

/// Sleeps for `d`, in slices, stopping early with EINTR when `interrupted()`.
pub fn sleep_interruptible(d: Duration, interrupted: impl Fn() -> bool) -> Result<(), Errno> {
    let deadline = std::time::Instant::now().checked_add(d);
    loop {
        let left = match deadline {
            Some(t) => t.saturating_duration_since(std::time::Instant::now()),
            None => crate::proc::WAIT_SLICE,
        };
        if left.is_zero() {
            return Ok(());
        }
        if interrupted() {
            return Err(Errno::Intr);
        }
        std::thread::sleep(left.min(crate::proc::WAIT_SLICE));
    }
}

/// Waits while `*addr == expected`, up to the optional relative timeout (ns) at `timeout`;
/// writes 0 to `out` on timeout, else 1. EINTR when `interrupted()` (checked every slice).
/// Similar to `futex(FUTEX_WAIT)` on Linux.
fn futex_wait(
    mem: &GuestMemory<'_>,
    handle: &MemHandle,
    (addr, expected): (u64, u32),
    timeout: u64,
    out: u64,
    interrupted: impl Fn() -> bool,
) -> Result<(), Errno> {
    if !addr.is_multiple_of(4) {
        return Err(Errno::Inval);
    }
    let dur = if timeout == 0 || mem.read_u8(offset_by(timeout, option_timestamp::TAG)?)? == 0 {
        None
    } else {
        Some(Duration::from_nanos(
            mem.read_u64(offset_by(timeout, option_timestamp::VALUE)?)?,
        ))
    };
    let deadline = dur.and_then(|d| std::time::Instant::now().checked_add(d));
    let woken = match handle {
        MemHandle::Shared(sm) => loop {
            let left = deadline.map(|t| t.saturating_duration_since(std::time::Instant::now()));
            let slice = left.map_or(crate::proc::WAIT_SLICE, |l| l.min(crate::proc::WAIT_SLICE));
            match sm
                .atomic_wait32(addr, expected, Some(slice))
                .map_err(|_| Errno::Fault)?
            {
                WaitResult::Ok | WaitResult::Mismatch => break true,
                WaitResult::TimedOut if left.is_some_and(|l| l <= slice) => break false,
                WaitResult::TimedOut => {
                    if interrupted() {
                        return Err(Errno::Intr);
                    }
                }
            }
        },
        // Unshared memory has one thread: nobody can wake us, so only a timeout ends the wait.
        _ => {
            if mem.read_u32(addr)? != expected {
                true
            } else {
                let d = dur.ok_or(Errno::Deadlk)?;
                sleep_interruptible(d, interrupted)?;
                false
            }
        }
    };
    mem.write_u8(out, woken as u8)
}

/// Wakes up to `count` waiters on `addr`; writes whether any woke.
fn futex_wake(
    mem: &GuestMemory<'_>,
    handle: &MemHandle,
    addr: u64,
    count: u32,
    out: u64,
) -> Result<(), Errno> {
    if !addr.is_multiple_of(4) {
        return Err(Errno::Inval);
    }
    mem.read_u32(addr)?;
    let n = match handle {
        MemHandle::Shared(sm) => sm.atomic_notify(addr, count).map_err(|_| Errno::Fault)?,
        _ => 0,
    };
    mem.write_u8(out, (n > 0) as u8)
}
