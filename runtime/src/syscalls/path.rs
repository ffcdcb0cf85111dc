//! The path calls: path_open (and WASIX `path_open2` with `fdflagsext`), path_create_directory,
//! path_filestat_get/set_times, path_link, path_readlink, path_remove_directory, path_rename,
//! path_symlink and path_unlink_file. Paths are relative to a directory fd (its guest path)
//! and resolved through the process's virtual filesystem (`fs::ops`).

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::{fdflagsext, lookupflags, rights as rights_bits};
use crate::fd::FdEntry;
use crate::fs::GuestPath;
use crate::fs::layout::decode_times;
use crate::fs::ops::{self, OpenRequest};
use crate::mem::{GuestMemory, MemSize};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module` (`path_open2` only in the WASIX modules).
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "path_open",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         dirflags: i32,
         path: M::Offset,
         path_len: M::Offset,
         oflags: i32,
         rights: i64,
         inheriting: i64,
         fdflags: i32,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let req = open_request(dirflags, oflags, rights, fdflags);
            errno(path_open(
                &mem,
                ctx,
                fd,
                ptr::<M>(path),
                ptr::<M>(path_len),
                req,
                rights,
                inheriting,
                0,
                ptr::<M>(out),
            ))
        },
    )?;
    if module != "wasi_snapshot_preview1" {
        linker.func_wrap(
            module,
            "path_open2",
            |mut c: Caller<'_, ThreadCtx>,
             fd: i32,
             dirflags: i32,
             path: M::Offset,
             path_len: M::Offset,
             oflags: i32,
             rights: i64,
             inheriting: i64,
             fdflags: i32,
             fdflagsext: i32,
             out: M::Offset| {
                let (mem, ctx) = split(&mut c);
                let req = open_request(dirflags, oflags, rights, fdflags);
                let (p, l, o) = (ptr::<M>(path), ptr::<M>(path_len), ptr::<M>(out));
                errno(path_open(
                    &mem,
                    ctx,
                    fd,
                    p,
                    l,
                    req,
                    rights,
                    inheriting,
                    fdflagsext as u16,
                    o,
                ))
            },
        )?;
    }
    linker.func_wrap(
        module,
        "path_create_directory",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(
                at::<M>(&mem, ctx, fd, path, len)
                    .and_then(|(base, p)| ops::create_directory(&ctx.process.vfs, &base, &p)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "path_filestat_get",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         flags: i32,
         path: M::Offset,
         len: M::Offset,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let get = || {
                let (base, p) = at::<M>(&mem, ctx, fd, path, len)?;
                let st = ops::filestat(&ctx.process.vfs, &base, &p, follow(flags))?;
                mem.write_bytes(ptr::<M>(out), &st.to_bytes())
            };
            errno(get())
        },
    )?;
    linker.func_wrap(
        module,
        "path_filestat_set_times",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         flags: i32,
         path: M::Offset,
         len: M::Offset,
         atim: i64,
         mtim: i64,
         fst: i32| {
            let (mem, ctx) = split(&mut c);
            let set = || {
                let (atim, mtim) = decode_times(atim as u64, mtim as u64, fst as u16)?;
                let (base, p) = at::<M>(&mem, ctx, fd, path, len)?;
                ops::set_times(&ctx.process.vfs, &base, &p, follow(flags), atim, mtim)
            };
            errno(set())
        },
    )?;
    linker.func_wrap(
        module,
        "path_link",
        |mut c: Caller<'_, ThreadCtx>,
         old_fd: i32,
         old_flags: i32,
         old: M::Offset,
         old_len: M::Offset,
         new_fd: i32,
         new: M::Offset,
         new_len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let link = || {
                let (ob, op) = at::<M>(&mem, ctx, old_fd, old, old_len)?;
                let (nb, np) = at::<M>(&mem, ctx, new_fd, new, new_len)?;
                ops::link(&ctx.process.vfs, &ob, &op, follow(old_flags), &nb, &np)
            };
            errno(link())
        },
    )?;
    linker.func_wrap(
        module,
        "path_readlink",
        |mut c: Caller<'_, ThreadCtx>,
         fd: i32,
         path: M::Offset,
         len: M::Offset,
         buf: M::Offset,
         buf_len: M::Offset,
         out: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let read = || {
                let (base, p) = at::<M>(&mem, ctx, fd, path, len)?;
                let target = ops::readlink(&ctx.process.vfs, &base, &p)?;
                // Like readlink(2): truncated to the buffer, no NUL.
                let n = target
                    .len()
                    .min(usize::try_from(ptr::<M>(buf_len)).unwrap_or(usize::MAX));
                mem.write_bytes(ptr::<M>(buf), &target[..n])?;
                mem.write_ptr::<M>(ptr::<M>(out), n as u64)
            };
            errno(read())
        },
    )?;
    linker.func_wrap(
        module,
        "path_remove_directory",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(
                at::<M>(&mem, ctx, fd, path, len)
                    .and_then(|(base, p)| ops::remove_directory(&ctx.process.vfs, &base, &p)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "path_rename",
        |mut c: Caller<'_, ThreadCtx>,
         old_fd: i32,
         old: M::Offset,
         old_len: M::Offset,
         new_fd: i32,
         new: M::Offset,
         new_len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let rename = || {
                let (ob, op) = at::<M>(&mem, ctx, old_fd, old, old_len)?;
                let (nb, np) = at::<M>(&mem, ctx, new_fd, new, new_len)?;
                ops::rename(&ctx.process.vfs, &ob, &op, &nb, &np)
            };
            errno(rename())
        },
    )?;
    linker.func_wrap(
        module,
        "path_symlink",
        |mut c: Caller<'_, ThreadCtx>,
         old: M::Offset,
         old_len: M::Offset,
         fd: i32,
         new: M::Offset,
         new_len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            let symlink = || {
                let target = mem.read_str(ptr::<M>(old), ptr::<M>(old_len))?;
                let (base, p) = at::<M>(&mem, ctx, fd, new, new_len)?;
                ops::symlink(&ctx.process.vfs, &target, &base, &p)
            };
            errno(symlink())
        },
    )?;
    linker.func_wrap(
        module,
        "path_unlink_file",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(
                at::<M>(&mem, ctx, fd, path, len)
                    .and_then(|(base, p)| ops::unlink_file(&ctx.process.vfs, &base, &p)),
            )
        },
    )?;
    Ok(())
}

fn follow(lookup: i32) -> bool {
    lookup as u32 & lookupflags::SYMLINK_FOLLOW != 0
}

fn open_request(dirflags: i32, oflags: i32, rights: i64, fdflags: i32) -> OpenRequest {
    OpenRequest {
        follow: follow(dirflags),
        oflags: oflags as u16,
        rights: rights as u64,
        fdflags: fdflags as u16,
    }
}

/// The base directory's guest path and the guest path string of a `*at` call.
fn at<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: M::Offset,
    len: M::Offset,
) -> Result<(GuestPath, String), Errno> {
    let base = ops::base_of(&ctx.process.fd(fd)?)?;
    let path = mem.read_str(ptr::<M>(path), ptr::<M>(len))?;
    Ok((base, path))
}

/// Opens a file or directory relative to `fd` and stores the new fd at `out`.
/// Similar to `openat` in POSIX.
#[allow(clippy::too_many_arguments)]
fn path_open(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: u64,
    path_len: u64,
    req: OpenRequest,
    rights: i64,
    inheriting: i64,
    fdflagsext: u16,
    out: u64,
) -> Result<(), Errno> {
    let base = ops::base_of(&ctx.process.fd(fd)?)?;
    let path = mem.read_str(path, path_len)?;
    let obj = ops::open(&ctx.process.vfs, &base, &path, req)?;
    let mut entry = FdEntry::new(obj);
    entry.rights = rights as u64 & rights_bits::ALL;
    entry.rights_inheriting = inheriting as u64 & rights_bits::ALL;
    entry.cloexec = fdflagsext & fdflagsext::CLOEXEC != 0;
    let new_fd = ctx.process.fd_table().insert(entry)?;
    if let Err(e) = mem.write_u32(out, new_fd) {
        // The guest cannot learn the number: do not leak the fd.
        let _ = ctx.process.fd_table().close(new_fd);
        return Err(e);
    }
    Ok(())
}
