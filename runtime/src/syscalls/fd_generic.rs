//! fd calls that work on any kind of fd: fd_read, fd_write, fd_close, fd_fdstat_get,
//! fd_fdstat_set_flags, fd_renumber, and the WASIX fd_dup, fd_dup2, fd_pipe, fd_event,
//! fd_fdflags_get and fd_fdflags_set.

use std::sync::Arc;

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::{fdflagsext, fdstat, rights};
use crate::fd::event::EventFd;
use crate::fd::{FdEntry, FdObject, Need};
use crate::mem::{GuestMemory, MAX_IO, MemSize, iov_total};
use crate::process::Abi;
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "fd_read",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         iovs: M::Offset,
         n: M::Offset,
         out: M::Offset|
         -> wasmtime::Result<i32> {
            crate::syscalls::thread::restartable(&mut c, |c| {
                let (mem, ctx) = split(c);
                fd_read::<M>(&mem, ctx, fd, ptr::<M>(iovs), ptr::<M>(n), ptr::<M>(out))
            })
        },
    )?;
    linker.func_wrap(
        module,
        "fd_write",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, iovs: M::Offset, n: M::Offset, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_write::<M>(
                &mem,
                ctx,
                fd,
                ptr::<M>(iovs),
                ptr::<M>(n),
                ptr::<M>(out),
            ))
        },
    )?;
    linker.func_wrap(module, "fd_close", |c: Caller<'_, ThreadCtx>, fd: i32| {
        errno(fd_close(c.data(), fd))
    })?;
    linker.func_wrap(
        module,
        "fd_fdstat_get",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_fdstat_get(&mem, ctx, fd, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_fdstat_set_flags",
        |c: Caller<'_, ThreadCtx>, fd: i32, flags: i32| {
            errno(
                c.data()
                    .process
                    .fd(fd)
                    .and_then(|o| o.set_fdflags(flags as u16)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "fd_renumber",
        |c: Caller<'_, ThreadCtx>, from: i32, to: i32| errno(fd_renumber(c.data(), from, to)),
    )?;
    linker.func_wrap(
        module,
        "fd_dup",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(
                fd_num(fd)
                    .and_then(|fd| ctx.process.fd_table().dup(fd))
                    .and_then(|n| mem.write_u32(ptr::<M>(out), n)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "fd_dup2",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, min: i32, cloexec: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let r = fd_num(fd)
                .and_then(|fd| Ok((fd, fd_num(min)?)))
                .and_then(|(fd, min)| ctx.process.fd_table().dup_at_least(fd, min, cloexec != 0))
                .and_then(|n| mem.write_u32(ptr::<M>(out), n));
            errno(r)
        },
    )?;
    linker.func_wrap(
        module,
        "fd_pipe",
        |mut c: Caller<'_, ThreadCtx>, r: M::Offset, w: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_pipe(&mem, ctx, ptr::<M>(r), ptr::<M>(w)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_event",
        |mut c: Caller<'_, ThreadCtx>, initial: i64, flags: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let r = EventFd::new(initial as u64, flags as u16)
                .and_then(|e| insert(ctx, Arc::new(e)))
                .and_then(|fd| mem.write_u32(ptr::<M>(out), fd));
            errno(r)
        },
    )?;
    linker.func_wrap(
        module,
        "fd_fdflags_get",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let r = fd_num(fd)
                .and_then(|fd| ctx.process.fd_table().get(fd).map(|e| e.cloexec))
                .and_then(|cloexec| {
                    mem.write_u16(ptr::<M>(out), if cloexec { fdflagsext::CLOEXEC } else { 0 })
                });
            errno(r)
        },
    )?;
    linker.func_wrap(
        module,
        "fd_fdflags_set",
        |c: Caller<'_, ThreadCtx>, fd: i32, flags: i32| {
            let r = fd_num(fd).and_then(|fd| {
                let mut table = c.data().process.fd_table();
                table.get_mut(fd)?.cloexec = flags as u16 & fdflagsext::CLOEXEC != 0;
                Ok(())
            });
            errno(r)
        },
    )?;
    Ok(())
}

/// A guest fd number (negative numbers are never open).
pub fn fd_num(fd: i32) -> Result<u32, Errno> {
    u32::try_from(fd).map_err(|_| Errno::Badf)
}

/// Puts a new object at the lowest free fd.
pub fn insert(ctx: &ThreadCtx, obj: Arc<dyn FdObject>) -> Result<u32, Errno> {
    ctx.process.fd_table().insert(FdEntry::new(obj))
}

/// Similar to `readv` in POSIX.
fn fd_read<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    iovs: u64,
    n: u64,
    out: u64,
) -> Result<(), Errno> {
    let iovs = mem.iovecs::<M>(iovs, n)?;
    let obj = ctx.process.fd_needing(fd, Need::All(rights::FD_READ))?;
    wait_interruptibly(ctx, &obj)?;
    let mut buf = vec![0u8; iov_total(&iovs)];
    let got = obj.read(&mut buf)?;
    mem.scatter(&iovs, &buf[..got])?;
    mem.write_ptr::<M>(out, got as u64)
}

/// In a child process, a blocking read of a pipe, socket or terminal first waits for
/// readiness in slices, so killing the child (or a signal for it) ends the wait; a read with
/// data ready costs one extra `poll`. The first process reads directly (it is ended by exiting
/// the host process). Files are always ready.
fn wait_interruptibly(ctx: &ThreadCtx, obj: &Arc<dyn FdObject>) -> Result<(), Errno> {
    use crate::abi::types::{Filetype, fdflags};
    let process = &ctx.process;
    if process.is_first()
        || !matches!(
            obj.filetype(),
            Filetype::Unknown | Filetype::SocketStream | Filetype::CharacterDevice
        )
    {
        return Ok(());
    }
    let Some(fd) = obj.host_fd() else {
        return Ok(());
    };
    if obj.fdstat_flags()? & fdflags::NONBLOCK != 0 {
        return Ok(());
    }
    let tid = ctx.tid;
    crate::poll::wait_readable(fd, || process.interrupted(tid))
}

/// Similar to `writev` in POSIX.
fn fd_write<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    iovs: u64,
    n: u64,
    out: u64,
) -> Result<(), Errno> {
    let iovs = mem.iovecs::<M>(iovs, n)?;
    let obj = ctx.process.fd_needing(fd, Need::All(rights::FD_WRITE))?;
    let data = mem.gather(&iovs, MAX_IO)?;
    let done = if data.is_empty() {
        0
    } else {
        obj.write(&data)?
    };
    if fd == 2 {
        crate::limits::watch_stderr(&ctx.process, &data);
    }
    mem.write_ptr::<M>(out, done as u64)
}

/// Similar to `close` in POSIX; the description closes when its last fd goes.
fn fd_close(ctx: &ThreadCtx, fd: i32) -> Result<(), Errno> {
    let entry = ctx.process.fd_table().close(fd_num(fd)?)?;
    drop(entry); // outside the table lock: closing a socket may take a moment
    Ok(())
}

/// Writes the 24-byte `fdstat`.
fn fd_fdstat_get(mem: &GuestMemory<'_>, ctx: &ThreadCtx, fd: i32, out: u64) -> Result<(), Errno> {
    let entry = ctx.process.fd_table().get(fd_num(fd)?)?.clone();
    let flags = entry.obj.fdstat_flags()?;
    let mut b = [0u8; fdstat::SIZE as usize];
    b[fdstat::FILETYPE as usize] = entry.obj.filetype() as u8;
    b[fdstat::FLAGS as usize..][..2].copy_from_slice(&flags.to_le_bytes());
    b[fdstat::RIGHTS_BASE as usize..][..8].copy_from_slice(&entry.rights.base.to_le_bytes());
    b[fdstat::RIGHTS_INHERITING as usize..][..8]
        .copy_from_slice(&entry.rights.inheriting.to_le_bytes());
    mem.write_bytes(out, &b)
}

/// Moves `from` onto `to`, closing what `to` held. `to` must be open for a preview-1 program;
/// a WASIX program may name any number, like `dup2` (see [`Abi`]).
fn fd_renumber(ctx: &ThreadCtx, from: i32, to: i32) -> Result<(), Errno> {
    let (from, to) = (fd_num(from)?, fd_num(to)?);
    let old = {
        let mut table = ctx.process.fd_table();
        match ctx.process.abi {
            Abi::Preview1 => table.renumber_onto_open(from, to)?,
            Abi::Wasix => table.renumber(from, to)?,
        }
    };
    drop(old); // outside the table lock, like fd_close
    Ok(())
}

/// Creates a host pipe; the read end's fd goes to `r`, the write end's to `w`.
fn fd_pipe(mem: &GuestMemory<'_>, ctx: &ThreadCtx, r: u64, w: u64) -> Result<(), Errno> {
    let (rd, wr) = crate::fd::pipe::pipe()?;
    let (rfd, wfd) = {
        let mut table = ctx.process.fd_table();
        let rfd = table.insert(FdEntry::new(rd))?;
        match table.insert(FdEntry::new(wr)) {
            Ok(wfd) => (rfd, wfd),
            Err(e) => {
                let _ = table.close(rfd);
                return Err(e);
            }
        }
    };
    mem.write_u32(r, rfd)?;
    mem.write_u32(w, wfd)
}
