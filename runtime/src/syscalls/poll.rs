//! `poll_oneoff` (preview 1) and `epoll_create`/`epoll_ctl`/`epoll_wait` (WASIX).
//!
//! Counts (`nsubscriptions`, `maxevents`, the returned event counts) are the witx `size`: 32-bit
//! under both pointer widths.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Caller, Linker};

use super::{errno, ptr};
use crate::abi::Errno;
use crate::fd::{FdEntry, FdObject};
use crate::mem::MemSize;
use crate::poll::epoll::{EPOLL_EVENT_SIZE, Epoll, ctl, decode_event, encode_event};
use crate::poll::oneoff::{EVENT_SIZE, SUBSCRIPTION_SIZE, Subscription, poll_oneoff};
use crate::thread::{ThreadCtx, split};

type Ctx<'a> = Caller<'a, ThreadCtx>;

/// Most subscriptions or events handled in one call (bounds host allocations).
const MAX_SUBSCRIPTIONS: u64 = 1 << 16;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(module, "poll_oneoff", poll_oneoff_call::<M>)?;
    if module == "wasi_snapshot_preview1" {
        return Ok(());
    }
    linker.func_wrap(
        module,
        "epoll_create",
        |mut c: Ctx<'_>, ret: M::Offset| -> i32 {
            let (mem, ctx) = split(&mut c);
            errno((|| {
                let obj: Arc<dyn FdObject> = Arc::new(Epoll::new()?);
                let fd = ctx.process.fd_table().insert(FdEntry::new(obj))?;
                mem.write_u32(ptr::<M>(ret), fd).inspect_err(|_| {
                    let _ = ctx.process.fd_table().close(fd);
                })
            })())
        },
    )?;
    linker.func_wrap(module, "epoll_ctl", epoll_ctl_call::<M>)?;
    linker.func_wrap(module, "epoll_wait", epoll_wait_call::<M>)?;
    Ok(())
}

/// A guest clock in nanoseconds (the same readings `clock_time_get` gives), for absolute
/// deadlines; `None` for an unknown clock id.
fn clock_now(id: u32) -> Option<u64> {
    super::clock_random::now(id as i32).ok()
}

/// `poll_oneoff(in, out, nsubscriptions, ret_nevents)`: waits for clocks and fd readiness.
/// Similar to `poll` in POSIX.
fn poll_oneoff_call<M: MemSize>(
    mut c: Ctx<'_>,
    input: M::Offset,
    out: M::Offset,
    nsubs: i32,
    ret: M::Offset,
) -> wasmtime::Result<i32> {
    crate::syscalls::thread::restartable(&mut c, |c| poll_once::<M>(c, input, out, nsubs, ret))
}

/// One `poll_oneoff` wait (EINTR when interrupted; see `thread::restartable`).
fn poll_once<M: MemSize>(
    c: &mut Ctx<'_>,
    input: M::Offset,
    out: M::Offset,
    nsubs: i32,
    ret: M::Offset,
) -> Result<(), Errno> {
    let (mem, ctx) = split(c);
    {
        let n = u64::from(nsubs as u32);
        if n == 0 || n > MAX_SUBSCRIPTIONS {
            return Err(Errno::Inval);
        }
        let bytes = mem.read_bytes(ptr::<M>(input), n * SUBSCRIPTION_SIZE as u64)?;
        let subs = bytes
            .chunks_exact(SUBSCRIPTION_SIZE)
            .map(|rec| {
                Subscription::decode(rec.try_into().expect("chunks_exact gives whole records"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Check the output range before blocking, so a bad pointer fails at once.
        mem.read_bytes(ptr::<M>(out), n * EVENT_SIZE as u64)?;
        let (process, me) = (ctx.process.clone(), ctx.tid);
        let events = poll_oneoff(
            &subs,
            |fd| process.fd(fd as i32),
            clock_now,
            || process.interrupted(me),
        )?;
        let mut encoded = Vec::with_capacity(events.len() * EVENT_SIZE);
        for ev in events.iter().take(n as usize) {
            encoded.extend_from_slice(&ev.encode());
        }
        mem.write_bytes(ptr::<M>(out), &encoded)?;
        mem.write_u32(ptr::<M>(ret), events.len().min(n as usize) as u32)
    }
}

/// `epoll_ctl(epfd, op, fd, event)`: ADD/MOD/DEL in the ABI values 0/1/2 or Linux's 1/2/3
/// (`poll::epoll::ctl`). Similar to `epoll_ctl` in Linux.
fn epoll_ctl_call<M: MemSize>(
    mut c: Ctx<'_>,
    epfd: i32,
    op: i32,
    fd: i32,
    event: M::Offset,
) -> i32 {
    let (mem, ctx) = split(&mut c);
    errno((|| {
        let ep_obj = ctx.process.fd(epfd)?;
        let ep = ep_obj.downcast_ref::<Epoll>().ok_or(Errno::Inval)?;
        let target = ctx.process.fd(fd)?;
        let op = op as u32;
        let event = if op == ctl::DEL {
            None
        } else {
            let mut buf = [0u8; EPOLL_EVENT_SIZE];
            mem.read_into(ptr::<M>(event), &mut buf)?;
            Some(decode_event(&buf))
        };
        ep.ctl(op, fd as u32, &target, event)
    })())
}

/// `epoll_wait(epfd, events, maxevents, timeout_ns, ret_nevents)`: `timeout` in nanoseconds,
/// negative (`u64::MAX`) waits forever; 0 events means the timeout passed. Similar to
/// `epoll_wait` in Linux.
fn epoll_wait_call<M: MemSize>(
    mut c: Ctx<'_>,
    epfd: i32,
    events: M::Offset,
    max: i32,
    timeout: i64,
    ret: M::Offset,
) -> wasmtime::Result<i32> {
    crate::syscalls::thread::restartable(&mut c, |c| {
        epoll_wait_once::<M>(c, epfd, events, max, timeout, ret)
    })
}

/// One `epoll_wait` (EINTR when interrupted; see `thread::restartable`).
fn epoll_wait_once<M: MemSize>(
    c: &mut Ctx<'_>,
    epfd: i32,
    events: M::Offset,
    max: i32,
    timeout: i64,
    ret: M::Offset,
) -> Result<(), Errno> {
    let (mem, ctx) = split(c);
    {
        let ep_obj = ctx.process.fd(epfd)?;
        let ep = ep_obj.downcast_ref::<Epoll>().ok_or(Errno::Inval)?;
        let max = usize::try_from(max)
            .ok()
            .filter(|m| *m > 0)
            .ok_or(Errno::Inval)?
            .min(MAX_SUBSCRIPTIONS as usize);
        let at = ptr::<M>(events);
        mem.read_bytes(at, (max * EPOLL_EVENT_SIZE) as u64)?;
        let timeout = u64::try_from(timeout).ok().map(Duration::from_nanos);
        let (process, me) = (ctx.process.clone(), ctx.tid);
        let ready = ep.wait_interruptible(max, timeout, || process.interrupted(me))?;
        let mut encoded = Vec::with_capacity(ready.len() * EPOLL_EVENT_SIZE);
        for (flags, data) in &ready {
            encoded.extend_from_slice(&encode_event(*flags, data));
        }
        mem.write_bytes(at, &encoded)?;
        mem.write_u32(ptr::<M>(ret), ready.len() as u32)
    }
}
