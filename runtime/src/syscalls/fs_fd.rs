//! The fd calls of the filesystem: fd_pread/pwrite, fd_seek/tell, fd_advise/allocate,
//! fd_sync/datasync, fd_filestat_get/set_size/set_times, fd_readdir, fd_prestat_get/dir_name
//! and fd_fdstat_set_rights. Each works on any fd object through the `FdObject` trait (pipes
//! and sockets answer ESPIPE/EBADF by default); the data-path calls first check the fd's
//! preview-1 rights (`fd::rights`).

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::{Filestat, Whence, rights};
use crate::fd::{FdObject, Need, Rights};
use crate::fs::DirFd;
use crate::fs::layout::{decode_times, encode_dirents, prestat_dir};
use crate::mem::{GuestMemory, MAX_IO, MemSize, iov_total};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "fd_pread",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         iovs: M::Offset,
         n: M::Offset,
         offset: i64,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_pread::<M>(
                &mem,
                ctx,
                fd,
                ptr::<M>(iovs),
                ptr::<M>(n),
                offset as u64,
                ptr::<M>(out),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_pwrite",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         iovs: M::Offset,
         n: M::Offset,
         offset: i64,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_pwrite::<M>(
                &mem,
                ctx,
                fd,
                ptr::<M>(iovs),
                ptr::<M>(n),
                offset as u64,
                ptr::<M>(out),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_seek",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, offset: i64, whence: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_seek(&mem, ctx, fd, offset, whence, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_tell",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_tell(&mem, ctx, fd, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_advise",
        |c: Caller<'_, ThreadCtx>, fd: i32, offset: i64, len: i64, advice: i32| {
            errno(fd_obj(&c, fd).and_then(|o| o.advise(offset as u64, len as u64, advice as u8)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_allocate",
        |c: Caller<'_, ThreadCtx>, fd: i32, offset: i64, len: i64| {
            errno(
                fd_with(&c, fd, Need::All(rights::FD_ALLOCATE))
                    .and_then(|o| o.allocate(offset as u64, len as u64)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "fd_datasync",
        |c: Caller<'_, ThreadCtx>, fd: i32| errno(fd_obj(&c, fd).and_then(|o| o.datasync())),
    )?;
    linker.func_wrap(module, "fd_sync", |c: Caller<'_, ThreadCtx>, fd: i32| {
        errno(fd_obj(&c, fd).and_then(|o| o.sync()))
    })?;
    linker.func_wrap(
        module,
        "fd_filestat_get",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_filestat_get(&mem, ctx, fd, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_filestat_set_size",
        |c: Caller<'_, ThreadCtx>, fd: i32, size: i64| {
            errno(
                fd_with(&c, fd, Need::All(rights::FD_FILESTAT_SET_SIZE))
                    .and_then(|o| o.set_size(size as u64)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "fd_filestat_set_times",
        |c: Caller<'_, ThreadCtx>, fd: i32, atim: i64, mtim: i64, flags: i32| {
            let set = || {
                let (atim, mtim) = decode_times(atim as u64, mtim as u64, flags as u16)?;
                fd_obj(&c, fd)?.set_times(atim, mtim)
            };
            errno(set())
        },
    )?;
    linker.func_wrap(
        module,
        "fd_readdir",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         buf: M::Offset,
         len: M::Offset,
         cookie: i64,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_readdir::<M>(
                &mem,
                ctx,
                fd,
                ptr::<M>(buf),
                ptr::<M>(len),
                cookie as u64,
                ptr::<M>(out),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_prestat_get",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_prestat_get(&mem, ctx, fd, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_prestat_dir_name",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(fd_prestat_dir_name(
                &mem,
                ctx,
                fd,
                ptr::<M>(path),
                ptr::<M>(len),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_fdstat_set_rights",
        |c: Caller<'_, ThreadCtx>, fd: i32, base: i64, inheriting: i64| {
            errno(fd_fdstat_set_rights(
                c.data(),
                fd,
                base as u64,
                inheriting as u64,
            ))
        },
    )?;
    Ok(())
}

/// The object behind `fd` (the table lock is released on return).
fn fd_obj(c: &Caller<'_, ThreadCtx>, fd: i32) -> Result<std::sync::Arc<dyn FdObject>, Errno> {
    c.data().process.fd(fd)
}

/// The object behind `fd` if its rights satisfy `need` (`fd::rights`).
fn fd_with(
    c: &Caller<'_, ThreadCtx>,
    fd: i32,
    need: Need,
) -> Result<std::sync::Arc<dyn FdObject>, Errno> {
    c.data().process.fd_needing(fd, need)
}

/// Reads at `offset` into the iovecs without moving the offset. Similar to `preadv` in POSIX.
fn fd_pread<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    iovs: u64,
    count: u64,
    offset: u64,
    out: u64,
) -> Result<(), Errno> {
    let obj = ctx
        .process
        .fd_needing(fd, Need::All(rights::FD_READ | rights::FD_SEEK))?;
    let iovs = mem.iovecs::<M>(iovs, count)?;
    let mut buf = vec![0u8; iov_total(&iovs)];
    let n = obj.pread(&mut buf, offset)?;
    let placed = mem.scatter(&iovs, &buf[..n])?;
    mem.write_ptr::<M>(out, placed as u64)
}

/// Writes the iovecs at `offset` without moving the offset. Similar to `pwritev` in POSIX.
fn fd_pwrite<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    iovs: u64,
    count: u64,
    offset: u64,
    out: u64,
) -> Result<(), Errno> {
    let obj = ctx
        .process
        .fd_needing(fd, Need::All(rights::FD_WRITE | rights::FD_SEEK))?;
    let iovs = mem.iovecs::<M>(iovs, count)?;
    let data = mem.gather(&iovs, MAX_IO)?;
    let n = obj.pwrite(&data, offset)?;
    mem.write_ptr::<M>(out, n as u64)
}

/// Moves the file offset. Similar to `lseek` in POSIX.
fn fd_seek(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    offset: i64,
    whence: i32,
    out: u64,
) -> Result<(), Errno> {
    let whence = Whence::from_raw(whence).ok_or(Errno::Inval)?;
    let obj = ctx
        .process
        .fd_needing(fd, Need::seek(offset, whence == Whence::Cur))?;
    let pos = obj.seek(offset, whence)?;
    mem.write_u64(out, pos)
}

/// The file offset. Similar to `lseek(fd, 0, SEEK_CUR)` in POSIX.
fn fd_tell(mem: &GuestMemory<'_>, ctx: &ThreadCtx, fd: i32, out: u64) -> Result<(), Errno> {
    let pos = ctx.process.fd_needing(fd, Need::seek(0, true))?.tell()?;
    mem.write_u64(out, pos)
}

/// Writes the 64-byte `filestat` of `fd`. Similar to `fstat` in POSIX.
fn fd_filestat_get(mem: &GuestMemory<'_>, ctx: &ThreadCtx, fd: i32, out: u64) -> Result<(), Errno> {
    let st: Filestat = ctx.process.fd(fd)?.filestat()?;
    mem.write_bytes(out, &st.to_bytes())
}

/// Fills `buf` with `dirent` records from `cookie` on. Similar to `getdents` in POSIX.
fn fd_readdir<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    buf: u64,
    len: u64,
    cookie: u64,
    out: u64,
) -> Result<(), Errno> {
    let obj = ctx.process.fd_needing(fd, Need::All(rights::FD_READDIR))?;
    let cap = usize::try_from(len).unwrap_or(usize::MAX).min(MAX_IO);
    let bytes = match obj.downcast_ref::<DirFd>() {
        Some(dir) => dir.readdir_encoded(cookie, cap)?,
        None => encode_dirents(&obj.readdir(cookie)?, cap),
    };
    mem.write_bytes(buf, &bytes)?;
    mem.write_ptr::<M>(out, bytes.len() as u64)
}

/// The preopen behind `fd`; EBADF for every other fd, which ends wasi-libc's preopen scan.
fn preopen_name(ctx: &ThreadCtx, fd: i32) -> Result<String, Errno> {
    let obj = ctx.process.fd(fd)?;
    obj.downcast_ref::<DirFd>()
        .and_then(DirFd::preopen_name)
        .map(str::to_owned)
        .ok_or(Errno::Badf)
}

/// Describes a preopened directory (its name length).
fn fd_prestat_get(mem: &GuestMemory<'_>, ctx: &ThreadCtx, fd: i32, out: u64) -> Result<(), Errno> {
    let name = preopen_name(ctx, fd)?;
    let len = u32::try_from(name.len()).map_err(|_| Errno::Nametoolong)?;
    mem.write_bytes(out, &prestat_dir(len))
}

/// Writes a preopened directory's name (not NUL-terminated).
fn fd_prestat_dir_name(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: u64,
    len: u64,
) -> Result<(), Errno> {
    let name = preopen_name(ctx, fd)?;
    if (name.len() as u64) > len {
        return Err(Errno::Nametoolong);
    }
    mem.write_bytes(path, name.as_bytes())
}

/// Narrows the rights of `fd`; widening them is ENOTCAPABLE. The calls that check rights are
/// listed in `fd::rights`.
fn fd_fdstat_set_rights(ctx: &ThreadCtx, fd: i32, base: u64, inheriting: u64) -> Result<(), Errno> {
    let fd = u32::try_from(fd).map_err(|_| Errno::Badf)?;
    let mut table = ctx.process.fd_table();
    let entry = table.get_mut(fd)?;
    entry.rights = entry.rights.narrowed_to(Rights { base, inheriting })?;
    Ok(())
}
