//! Signals: `proc_raise` (delivered to the calling thread: the registered `callback_signal`
//! export runs, else the default action), `thread_signal` (the same for the calling thread;
//! for another thread of the process the handler runs on that thread at its next safe point,
//! see [`signal_thread`]), `proc_signal` (the same for the caller itself; to another process
//! of the run see [`signal_process`]), `proc_raise_interval` (alarm/setitimer, see
//! [`crate::proc::interval`]), and the crt startup calls
//! `proc_signals_sizes_get`/`proc_signals_get` (no host dispositions) and `callback_signal`
//! (stores the handler's export name).
//!
//! Safe points, where a queued signal runs on its thread ([`deliver_pending`]): every return
//! from a host function to the guest (the store's call hook, [`at_syscall_return`]), the end
//! of an interrupted blocking wait (`thread::restartable`, which then restarts the wait like
//! `SA_RESTART`), and, in child processes, the epoch check of wasm running without syscalls
//! (queueing bumps the epoch, see `Process::nudge_running_wasm`). Masks are the guest's:
//! libwasix's dispatcher keeps a blocked signal pending and raises it again when unblocked.

use wasmtime::{AsContextMut, CallHook, Caller, Linker, StoreContextMut, Val};

use crate::abi::Errno;
use crate::abi::types::signal as sig;
use crate::mem::MemSize;
use crate::proc::status::{ExitStatus, trap_status};
use crate::process::Process;
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "proc_raise",
        |mut c: Caller<'_, ThreadCtx>, s: i32| raise(&mut c, s),
    )?;
    linker.func_wrap(
        module,
        "proc_signal",
        |mut c: Caller<'_, ThreadCtx>, pid: i32, s: i32| {
            if pid as u32 != c.data().process.pid {
                return Ok(errno(signal_process(&c.data().process, pid, s)));
            }
            raise(&mut c, s)
        },
    )?;
    linker.func_wrap(
        module,
        "thread_signal",
        |mut c: Caller<'_, ThreadCtx>, tid: i32, s: i32| signal_thread(&mut c, tid as u32, s),
    )?;
    linker.func_wrap(
        module,
        "proc_raise_interval",
        |c: Caller<'_, ThreadCtx>, s: i32, interval: i64, repeat: i32| {
            errno(raise_interval(&c.data().process, s, interval, repeat))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_signals_sizes_get",
        |mut c: Caller<'_, ThreadCtx>, out: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(mem.write_u32(ptr::<M>(out), 0))
        },
    )?;
    linker.func_wrap(
        module,
        "proc_signals_get",
        |_: Caller<'_, ThreadCtx>, _buf: M::Offset| 0,
    )?;
    linker.func_wrap(
        module,
        "callback_signal",
        |mut c: Caller<'_, ThreadCtx>, name: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            // No errno to return: an unreadable name leaves the previous registration.
            if let Ok(name) = mem.read_str(ptr::<M>(name), ptr::<M>(len)) {
                *ctx.process
                    .signal_callback
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(name);
            }
        },
    )?;
    Ok(())
}

/// What a signal does when nobody handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    Ignore,
    Terminate,
}

/// The POSIX default action of signal `s` (stop signals are ignored: no job control).
pub fn default_action(s: u8) -> Option<Default> {
    match s {
        sig::CHLD
        | sig::CONT
        | sig::URG
        | sig::WINCH
        | sig::STOP
        | sig::TSTP
        | sig::TTIN
        | sig::TTOU => Some(Default::Ignore),
        1..=31 => Some(Default::Terminate),
        _ => None,
    }
}

/// How a process ends by the default action of `s`: killed by `s`; for `SIGABRT` after a Rust
/// panic message, exit code 101 like a native Rust panic.
pub fn terminate_status(process: &Process, s: u8) -> ExitStatus {
    if s == sig::ABRT {
        // An abort after a refused allocation, thread or fd: the limit's exit code.
        if let Some(status) = crate::limits::abnormal_end(process) {
            return status;
        }
        trap_status(
            process
                .panic_seen
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    } else {
        ExitStatus::Signal(s)
    }
}

/// `kill(pid, s)` for another process of the run: similar to `kill` in POSIX.
///
/// `SIGKILL` and terminating default actions end the target (its threads unwind, see
/// `crate::proc`); a target that registered a handler gets the signal queued, run on its main
/// thread at its next safe point (a syscall return or a blocking wait; see the module docs).
pub fn signal_process(sender: &Process, pid: i32, s: i32) -> Result<(), Errno> {
    let s = u8::try_from(s).map_err(|_| Errno::Inval)?;
    let action = match s {
        sig::NONE => None,
        s => Some(default_action(s).ok_or(Errno::Inval)?),
    };
    let pid = u32::try_from(pid).map_err(|_| Errno::Srch)?;
    let table = &sender.session.table;
    let Some(target) = table.get(pid) else {
        // An ended child not joined yet still exists (like a zombie): nothing happens.
        return if table.exists(pid) {
            Ok(())
        } else {
            Err(Errno::Srch)
        };
    };
    if let Some(action) = action {
        deliver(&target, s, action);
    }
    Ok(())
}

/// Delivers `s` (not NONE) to `target` from outside it.
pub fn deliver(target: &Process, s: u8, action: Default) {
    if s == sig::KILL {
        target.begin_exit(ExitStatus::Signal(sig::KILL));
        return;
    }
    if target.ignores(s) {
        return;
    }
    let has_handler = target
        .signal_callback
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some();
    if has_handler {
        target.queue_signal(s);
        return;
    }
    match action {
        Default::Ignore => {}
        Default::Terminate => {
            target.begin_exit(terminate_status(target, s));
        }
    }
}

/// `thread_signal(tid, s)`: for the calling thread as `raise`. For another running thread of
/// the process, a handled signal is queued for that thread and its handler runs there at the
/// thread's next safe point (a syscall return, or a blocking wait interrupted for it); an
/// unhandled one takes its default action, which is process-wide, at once (from the calling
/// thread).
fn signal_thread(c: &mut Caller<'_, ThreadCtx>, tid: u32, s: i32) -> wasmtime::Result<i32> {
    if tid == c.data().tid {
        return raise(c, s);
    }
    let process = c.data().process.clone();
    if !process.threads.is_running(tid) {
        return Ok(Errno::Srch.raw());
    }
    let Ok(s8) = u8::try_from(s) else {
        return Ok(Errno::Inval.raw());
    };
    if s8 == sig::NONE {
        return Ok(0);
    }
    if default_action(s8).is_none() {
        return Ok(Errno::Inval.raw());
    }
    let has_handler = process
        .signal_callback
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some();
    if s8 == sig::KILL || !has_handler || process.ignores(s8) {
        return raise(c, s);
    }
    let queued = process.threads.queue_signal(tid, s8);
    if queued.is_ok() {
        process.nudge_running_wasm();
    }
    Ok(errno(queued))
}

/// `proc_raise_interval(s, interval_ns, repeat)`: arms (interval 0: cancels) the process's
/// interval timer.
fn raise_interval(
    process: &std::sync::Arc<Process>,
    s: i32,
    interval: i64,
    repeat: i32,
) -> Result<(), Errno> {
    let s = u8::try_from(s).map_err(|_| Errno::Inval)?;
    if s != sig::NONE && default_action(s).is_none() {
        return Err(Errno::Inval);
    }
    let interval = u64::try_from(interval).map_err(|_| Errno::Inval)?;
    let schedule = crate::proc::interval::Schedule {
        interval: std::time::Duration::from_nanos(interval),
        repeat: repeat != 0,
    };
    process
        .interval_timer
        .arm(process, s, schedule)
        .map_err(|_| Errno::Again)
}

/// Whether a signal may be queued for the thread of `ctx` (its own queue, or the process's
/// on the main thread). Two relaxed atomic loads at most: the check every syscall return
/// makes (see [`at_syscall_return`]).
#[inline]
pub fn may_have_pending(ctx: &ThreadCtx) -> bool {
    ctx.process.threads.may_have_signals() || (ctx.process.has_signals() && ctx.is_main())
}

/// The store's call hook: on every return from a host function (a syscall, or a wasmtime
/// libcall such as `memory.grow`) to the guest, signals queued for this thread run before
/// the guest goes on, so a guest looping on syscalls sees them. The usual case (nothing
/// queued) costs [`may_have_pending`]. Wasmtime takes the hook out of the store while it runs,
/// so the handler's own syscalls do not re-enter it; a process already ending delivers
/// nothing (its threads are unwinding).
pub fn at_syscall_return(
    mut store: StoreContextMut<'_, ThreadCtx>,
    hook: CallHook,
) -> wasmtime::Result<()> {
    if !matches!(hook, CallHook::ReturningFromHost) || !may_have_pending(store.data()) {
        return Ok(());
    }
    if store.data().process.is_dying() {
        return Ok(());
    }
    deliver_pending(&mut store)
}

/// Runs the signals queued for the calling thread, and on the main thread those queued for the
/// process: the handler, or the default action. Called at safe points: every syscall return
/// ([`at_syscall_return`]) and the end of an interrupted blocking wait. A signal whose handler
/// is already running on this thread stays queued until it returns (POSIX blocks a signal
/// during its own handler).
pub fn deliver_pending(store: &mut impl AsContextMut<Data = ThreadCtx>) -> wasmtime::Result<()> {
    let mut store = store.as_context_mut();
    let ctx = store.data();
    let mut pending = ctx.process.threads.take_signals(ctx.tid);
    if ctx.is_main() && ctx.process.has_signals() {
        pending |= ctx.process.take_signals();
    }
    let held = pending & ctx.in_handler;
    if held != 0 {
        for s in signals_in(held) {
            // Our own thread is running: queueing for it cannot fail.
            let _ = ctx.process.threads.queue_signal(ctx.tid, s);
        }
    }
    for s in signals_in(pending & !held) {
        raise_in(&mut store, s)?;
    }
    Ok(())
}

/// The signals in `set` (bit `n - 1` = signal `n`), lowest first.
fn signals_in(set: u64) -> impl Iterator<Item = u8> {
    (1u8..=31).filter(move |s| set & (1u64 << (s - 1)) != 0)
}

/// Delivers `s` to the calling thread.
fn raise(c: &mut Caller<'_, ThreadCtx>, s: i32) -> wasmtime::Result<i32> {
    let Ok(s) = u8::try_from(s) else {
        return Ok(Errno::Inval.raw());
    };
    if s == sig::NONE {
        return Ok(0);
    }
    raise_in(&mut c.as_context_mut(), s)
}

/// Delivers `s` (not NONE) to the thread that owns `store`: the process's handler export
/// when one is registered (and not already running for `s` on this thread), else the default
/// action.
fn raise_in(store: &mut StoreContextMut<'_, ThreadCtx>, s: u8) -> wasmtime::Result<i32> {
    let Some(action) = default_action(s) else {
        return Ok(Errno::Inval.raw());
    };
    if store.data().process.ignores(s) && s != sig::KILL {
        return Ok(0);
    }
    let handler = store
        .data()
        .process
        .signal_callback
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let bit = 1u64 << (s - 1);
    let instance = store.data().instance;
    if let Some(name) = handler
        && s != sig::KILL
        && store.data().in_handler & bit == 0
        && let Some(f) = instance.and_then(|i| i.get_func(&mut *store, &name))
    {
        store.data_mut().in_handler |= bit;
        let called = f.call(&mut *store, &[Val::I32(s as i32)], &mut []);
        store.data_mut().in_handler &= !bit;
        called?;
        // abort() must not return even when a handler did.
        if s != sig::ABRT {
            return Ok(0);
        }
    }
    match action {
        Default::Ignore => Ok(0),
        Default::Terminate => {
            let status = terminate_status(&store.data().process, s);
            Err(crate::syscalls::proc::end(store.data(), status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let cases = [
            (sig::INT, Some(Default::Terminate)),
            (sig::ABRT, Some(Default::Terminate)),
            (sig::CHLD, Some(Default::Ignore)),
            (sig::WINCH, Some(Default::Ignore)),
            (sig::SYS, Some(Default::Terminate)),
            (32, None),
        ];
        for (s, want) in cases {
            assert_eq!(default_action(s), want, "signal {s}");
        }
    }
}
