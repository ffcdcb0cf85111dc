//! Signals: `proc_raise` (delivered to the calling thread: the registered `callback_signal`
//! export runs, else the default action), `thread_signal` (the same for the calling thread;
//! for another thread of the process the handler runs on that thread at its next safe point,
//! see [`signal_thread`]), `proc_signal` (the same for the caller itself; to another process
//! of the run see [`signal_process`]), `proc_raise_interval` (alarm/setitimer, see
//! [`crate::proc::interval`]), and the crt startup calls
//! `proc_signals_sizes_get`/`proc_signals_get` (no host dispositions) and `callback_signal`
//! (stores the handler's export name).

use wasmtime::{Caller, Linker, Val};

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
/// thread at its next safe point (a blocking wait, which then returns EINTR).
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
/// thread's next safe point (a blocking wait, interrupted for it); an unhandled one takes its
/// default action, which is process-wide, at once (from the calling thread).
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
    Ok(errno(process.threads.queue_signal(tid, s8)))
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

/// Runs the signals queued for the calling thread, and on the main thread those queued for the
/// process: the handler, or the default action. Called at safe points, i.e. after an
/// interrupted blocking wait.
pub fn deliver_pending(c: &mut Caller<'_, ThreadCtx>) -> wasmtime::Result<()> {
    let ctx = c.data();
    let mut pending = ctx.process.threads.take_signals(ctx.tid);
    if ctx.is_main() && ctx.process.has_signals() {
        pending |= ctx.process.take_signals();
    }
    if pending == 0 {
        return Ok(());
    }
    for s in (1u8..=31).filter(|s| pending & (1u64 << (s - 1)) != 0) {
        raise(c, i32::from(s))?;
    }
    Ok(())
}

/// Delivers `s` to the calling thread.
fn raise(c: &mut Caller<'_, ThreadCtx>, s: i32) -> wasmtime::Result<i32> {
    let Ok(s) = u8::try_from(s) else {
        return Ok(Errno::Inval.raw());
    };
    if s == sig::NONE {
        return Ok(0);
    }
    let Some(action) = default_action(s) else {
        return Ok(Errno::Inval.raw());
    };
    if c.data().process.ignores(s) && s != sig::KILL {
        return Ok(0);
    }
    let handler = c
        .data()
        .process
        .signal_callback
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let bit = 1u64 << (s - 1);
    if let Some(name) = handler
        && s != sig::KILL
        && c.data().in_handler & bit == 0
        && let Some(f) = c.get_export(&name).and_then(|e| e.into_func())
    {
        c.data_mut().in_handler |= bit;
        let called = f.call(&mut *c, &[Val::I32(s as i32)], &mut []);
        c.data_mut().in_handler &= !bit;
        called?;
        // abort() must not return even when a handler did.
        if s != sig::ABRT {
            return Ok(0);
        }
    }
    match action {
        Default::Ignore => Ok(0),
        Default::Terminate => {
            let status = terminate_status(&c.data().process, s);
            Err(crate::syscalls::proc::end(c.data(), status))
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
