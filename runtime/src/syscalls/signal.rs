//! Signals: `proc_raise`, `proc_signal`, `thread_signal` (delivered to the calling thread:
//! the registered `callback_signal` export runs, else the default action), and the crt
//! startup calls `proc_signals_sizes_get`/`proc_signals_get` (no host dispositions) and
//! `callback_signal` (stores the handler's export name).

use wasmtime::{Caller, Linker, Val};

use crate::abi::Errno;
use crate::abi::types::signal as sig;
use crate::mem::MemSize;
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
                return Ok(Errno::Srch.raw());
            }
            raise(&mut c, s)
        },
    )?;
    linker.func_wrap(
        module,
        "thread_signal",
        |mut c: Caller<'_, ThreadCtx>, tid: i32, s: i32| {
            if !c.data().process.threads.is_running(tid as u32) {
                return Ok(Errno::Srch.raw());
            }
            // Default actions are process-wide anyway; a handler runs on the calling thread
            // (delivery on another thread needs interruptible waits, not built yet).
            raise(&mut c, s)
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

/// The exit code of a process killed by `s` (128 + s, like a shell reports it).
pub fn terminate_code(ctx: &ThreadCtx, s: u8) -> i32 {
    if s == sig::ABRT {
        ctx.process.abort_code()
    } else {
        128 + s as i32
    }
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
    let handler = c
        .data()
        .process
        .signal_callback
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(name) = handler
        && s != sig::KILL
        && let Some(f) = c.get_export(&name).and_then(|e| e.into_func())
    {
        f.call(&mut *c, &[Val::I32(s as i32)], &mut [])?;
        // abort() must not return even when a handler did.
        if s != sig::ABRT {
            return Ok(0);
        }
    }
    match action {
        Default::Ignore => Ok(0),
        Default::Terminate => {
            let code = terminate_code(c.data(), s);
            Err(crate::syscalls::proc::exit(c.data(), code))
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
