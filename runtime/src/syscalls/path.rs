//! The path calls: path_open (and WASIX `path_open2` with `fdflagsext`), path_create_directory,
//! path_filestat_get/set_times, path_link, path_readlink, path_remove_directory, path_rename,
//! path_symlink and path_unlink_file. Paths are relative to a directory fd (its guest path)
//! and resolved through the process's virtual filesystem (`fs::ops`). Each call needs its
//! preview-1 `path_*` right on the directory fd, and a path may not leave that directory
//! (`GuestPath::check_beneath`); both are ENOTCAPABLE.

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::{Filetype, fdflagsext, lookupflags, rights as rights_bits};
use crate::fd::{FdEntry, Need, Rights};
use crate::fs::GuestPath;
use crate::fs::layout::decode_times;
use crate::fs::ops::{self, OpenRequest};
use crate::mem::{GuestMemory, MemSize};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// A guest string argument: (pointer, length).
type Str = (u64, u64);

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
            let path = (ptr::<M>(path), ptr::<M>(path_len));
            errno(path_open(
                &mem,
                ctx,
                fd,
                path,
                req,
                (rights, inheriting),
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
                let path = (ptr::<M>(path), ptr::<M>(path_len));
                let ext = fdflagsext as u16;
                errno(path_open(
                    &mem,
                    ctx,
                    fd,
                    path,
                    req,
                    (rights, inheriting),
                    ext,
                    ptr::<M>(out),
                ))
            },
        )?;
    }
    linker.func_wrap(
        module,
        "path_create_directory",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(path_create_directory(
                &mem,
                ctx,
                fd,
                (ptr::<M>(path), ptr::<M>(len)),
            ))
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
            let path = (ptr::<M>(path), ptr::<M>(len));
            errno(path_filestat_get(&mem, ctx, fd, flags, path, ptr::<M>(out)))
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
            let path = (ptr::<M>(path), ptr::<M>(len));
            let times = (atim as u64, mtim as u64, fst as u16);
            errno(path_filestat_set_times(&mem, ctx, fd, flags, path, times))
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
            let (old, new) = (
                (ptr::<M>(old), ptr::<M>(old_len)),
                (ptr::<M>(new), ptr::<M>(new_len)),
            );
            errno(path_link(&mem, ctx, old_fd, old_flags, old, new_fd, new))
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
            let (path, buf) = (
                (ptr::<M>(path), ptr::<M>(len)),
                (ptr::<M>(buf), ptr::<M>(buf_len)),
            );
            errno(path_readlink::<M>(&mem, ctx, fd, path, buf, ptr::<M>(out)))
        },
    )?;
    linker.func_wrap(
        module,
        "path_remove_directory",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(path_remove_directory(
                &mem,
                ctx,
                fd,
                (ptr::<M>(path), ptr::<M>(len)),
            ))
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
            let (old, new) = (
                (ptr::<M>(old), ptr::<M>(old_len)),
                (ptr::<M>(new), ptr::<M>(new_len)),
            );
            errno(path_rename(&mem, ctx, old_fd, old, new_fd, new))
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
            let (old, new) = (
                (ptr::<M>(old), ptr::<M>(old_len)),
                (ptr::<M>(new), ptr::<M>(new_len)),
            );
            errno(path_symlink(&mem, ctx, old, fd, new))
        },
    )?;
    linker.func_wrap(
        module,
        "path_unlink_file",
        |mut c: Caller<'_, ThreadCtx>, fd: i32, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(path_unlink_file(
                &mem,
                ctx,
                fd,
                (ptr::<M>(path), ptr::<M>(len)),
            ))
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

/// The directory fd of a `*at` call: its guest path and rights, once it is known to be a
/// directory (ENOTDIR first, as POSIX) holding the rights `need`.
fn dir_fd(ctx: &ThreadCtx, fd: i32, need: Need) -> Result<(GuestPath, Rights), Errno> {
    let fd = crate::syscalls::fd_generic::fd_num(fd)?;
    let entry = ctx.process.fd_table().get(fd)?.clone();
    let base = ops::base_of(&entry.obj)?;
    entry.rights.check(need)?;
    Ok((base, entry.rights))
}

/// The path string of a `*at` call, which must stay beneath `base`.
fn path_beneath(mem: &GuestMemory<'_>, base: &GuestPath, (ptr, len): Str) -> Result<String, Errno> {
    let path = mem.read_str(ptr, len)?;
    base.check_beneath(&path)?;
    Ok(path)
}

/// The base directory's guest path and the path string of a `*at` call that needs `need` on
/// the directory fd.
fn at(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
    need: u64,
) -> Result<(GuestPath, String), Errno> {
    let (base, _) = dir_fd(ctx, fd, Need::All(need))?;
    let path = path_beneath(mem, &base, path)?;
    Ok((base, path))
}

/// Opens a file or directory relative to `fd` and stores the new fd at `out`; `fdflagsext`
/// CLOEXEC marks it close-on-exec (`path_open2`). The new fd's rights derive from the request
/// and the directory's rights (`fd::rights`). Similar to `openat` in POSIX.
#[allow(clippy::too_many_arguments)]
fn path_open(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
    mut req: OpenRequest,
    (rights, inheriting): (i64, i64),
    fdflagsext: u16,
    out: u64,
) -> Result<(), Errno> {
    let (base, dir_rights) = dir_fd(ctx, fd, Need::path_open(req.oflags))?;
    let path = path_beneath(mem, &base, path)?;
    let requested = Rights {
        base: rights as u64 & rights_bits::ALL,
        inheriting: inheriting as u64 & rights_bits::ALL,
    };
    // The host open mode follows what the new fd may do, not what was asked for.
    req.rights = requested.base & dir_rights.inheriting;
    let obj = ops::open(&ctx.process.vfs, &base, &path, req)?;
    let is_dir = obj.filetype() == Filetype::Directory;
    let mut entry = FdEntry::with_rights(obj, dir_rights.for_opened(requested, is_dir));
    entry.cloexec = fdflagsext & fdflagsext::CLOEXEC != 0;
    let new_fd = ctx.process.fd_table().insert(entry)?;
    if let Err(e) = mem.write_u32(out, new_fd) {
        // The guest cannot learn the number: do not leak the fd.
        let _ = ctx.process.fd_table().close(new_fd);
        return Err(e);
    }
    Ok(())
}

/// Creates a directory. Similar to `mkdirat` in POSIX.
fn path_create_directory(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
) -> Result<(), Errno> {
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_CREATE_DIRECTORY)?;
    ops::create_directory(&ctx.process.vfs, &base, &path)
}

/// Writes the 64-byte `filestat` of a path (following a final symlink when `flags` say so).
/// Similar to `fstatat` in POSIX.
fn path_filestat_get(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    flags: i32,
    path: Str,
    out: u64,
) -> Result<(), Errno> {
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_FILESTAT_GET)?;
    let st = ops::filestat(&ctx.process.vfs, &base, &path, follow(flags))?;
    mem.write_bytes(out, &st.to_bytes())
}

/// Sets the access and modification times of a path. Similar to `utimensat` in POSIX.
fn path_filestat_set_times(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    flags: i32,
    path: Str,
    (atim, mtim, fst): (u64, u64, u16),
) -> Result<(), Errno> {
    let (atim, mtim) = decode_times(atim, mtim, fst)?;
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_FILESTAT_SET_TIMES)?;
    ops::set_times(&ctx.process.vfs, &base, &path, follow(flags), atim, mtim)
}

/// Creates a hard link. Similar to `linkat` in POSIX.
fn path_link(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    old_fd: i32,
    old_flags: i32,
    old: Str,
    new_fd: i32,
    new: Str,
) -> Result<(), Errno> {
    let (old_base, old) = at(mem, ctx, old_fd, old, rights_bits::PATH_LINK_SOURCE)?;
    let (new_base, new) = at(mem, ctx, new_fd, new, rights_bits::PATH_LINK_TARGET)?;
    ops::link(
        &ctx.process.vfs,
        &old_base,
        &old,
        follow(old_flags),
        &new_base,
        &new,
    )
}

/// Copies a symlink's target into `buf` (truncated to it, no NUL) and its length to `out`.
/// Similar to `readlinkat` in POSIX.
fn path_readlink<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
    (buf, buf_len): Str,
    out: u64,
) -> Result<(), Errno> {
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_READLINK)?;
    let target = match proc_self_exe(ctx, &base, &path) {
        Some(exe) => exe.into_bytes(),
        None => ops::readlink(&ctx.process.vfs, &base, &path)?,
    };
    let n = target
        .len()
        .min(usize::try_from(buf_len).unwrap_or(usize::MAX));
    mem.write_bytes(buf, &target[..n])?;
    mem.write_ptr::<M>(out, n as u64)
}

/// `/proc/self/exe` names the running module's guest path (how `current_exe` finds it, as on
/// Linux), unless a mount provides a real `/proc`. `None`: not that link, or no known path.
fn proc_self_exe(ctx: &ThreadCtx, base: &crate::fs::GuestPath, path: &str) -> Option<String> {
    let (guest, _) = base.join(path).ok()?;
    if guest.as_str() != "/proc/self/exe" {
        return None;
    }
    match ctx.process.vfs.locate(&guest) {
        Ok(crate::fs::vroot::Location::Host { .. }) => None,
        _ => ctx.process.exe.clone(),
    }
}

/// Removes an empty directory. Similar to `unlinkat(AT_REMOVEDIR)` in POSIX.
fn path_remove_directory(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
) -> Result<(), Errno> {
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_REMOVE_DIRECTORY)?;
    ops::remove_directory(&ctx.process.vfs, &base, &path)
}

/// Renames a file or directory. Similar to `renameat` in POSIX.
fn path_rename(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    old_fd: i32,
    old: Str,
    new_fd: i32,
    new: Str,
) -> Result<(), Errno> {
    let (old_base, old) = at(mem, ctx, old_fd, old, rights_bits::PATH_RENAME_SOURCE)?;
    let (new_base, new) = at(mem, ctx, new_fd, new, rights_bits::PATH_RENAME_TARGET)?;
    ops::rename(&ctx.process.vfs, &old_base, &old, &new_base, &new)
}

/// Creates a symlink at `new` (relative to `fd`) whose target is the string `old`.
/// Similar to `symlinkat` in POSIX.
fn path_symlink(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    (old, old_len): Str,
    fd: i32,
    new: Str,
) -> Result<(), Errno> {
    let target = mem.read_str(old, old_len)?;
    let (base, new) = at(mem, ctx, fd, new, rights_bits::PATH_SYMLINK)?;
    ops::symlink(&ctx.process.vfs, &target, &base, &new)
}

/// Removes a file or symlink. Similar to `unlinkat` in POSIX.
fn path_unlink_file(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    fd: i32,
    path: Str,
) -> Result<(), Errno> {
    let (base, path) = at(mem, ctx, fd, path, rights_bits::PATH_UNLINK_FILE)?;
    ops::unlink_file(&ctx.process.vfs, &base, &path)
}
