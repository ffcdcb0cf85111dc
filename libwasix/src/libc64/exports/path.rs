//! The path functions: `open`/`openat`, `stat`/`lstat`/`fstatat`, `mkdir`, `unlink`,
//! `unlinkat`, `rmdir`, `rename`/`renameat`, `readlink`/`readlinkat`, `symlink`, `link`/
//! `linkat`, `utimensat`, `realpath`, `getcwd`/`chdir`, and `chmod` (ENOSYS).
//!
//! A path with `AT_FDCWD`, or an absolute one, is resolved through the preopens
//! (`libc64::preopen::resolve`) against the current directory; a relative path with a
//! directory fd goes to that fd as it is. The preopens are read once (`fd_prestat_*` from fd 3
//! up to the first `EBADF`); a program that closes or renumbers a preopen fd afterwards is not
//! followed (wasi-libc follows `fd_renumber`; std never does either). The current directory
//! is the host's (WASIX `getcwd`/`chdir`, what spawned children inherit), cached until the
//! next `chdir`.
//!
//! `open`/`openat` are variadic in C; the mode argument is never read (WASI files have no
//! permissions), so they are defined with the wasm C ABI's variadic buffer as a last pointer
//! parameter, the same wasm signature every caller uses (`io::dup`'s module doc explains the
//! convention); `same_signature_as_libc!` cannot check variadic functions.

use core::ffi::{CStr, c_char, c_int, c_void};
use core::ptr;

use super::Locked;
use super::alloc::{malloc, realloc};
use super::fd::put_stat;
use crate::abi::Errno;
use crate::libc64::filestat;
use crate::libc64::open_flags::{self, c};
use crate::libc64::preopen::{self, Preopen};
use crate::libc64::realpath::{self, PATH_MAX};
use crate::{errno, sys};

/// The preopens and the cached current directory (malloc'd; the names are never freed).
struct Fs {
    preopens: *mut Preopen<'static>,
    count: usize,
    scanned: bool,
    cwd: *mut u8,
    cwd_len: usize,
    cwd_cap: usize,
    cwd_valid: bool,
}

// SAFETY: only reached through the lock.
unsafe impl Send for Fs {}

static FS: Locked<Fs> = Locked::new(Fs {
    preopens: ptr::null_mut(),
    count: 0,
    scanned: false,
    cwd: ptr::null_mut(),
    cwd_len: 0,
    cwd_cap: 0,
    cwd_valid: false,
});

impl Fs {
    /// Reads the preopen table on first use.
    fn preopens(&mut self) -> Result<&[Preopen<'static>], Errno> {
        if !self.scanned {
            self.scan()?;
            self.scanned = true;
        }
        if self.preopens.is_null() {
            return Ok(&[]);
        }
        // SAFETY: `count` entries were written by `scan`.
        Ok(unsafe { core::slice::from_raw_parts(self.preopens, self.count) })
    }

    fn scan(&mut self) -> Result<(), Errno> {
        let mut cap = 0;
        for fd in 3.. {
            let len = match sys::prestat_name_len(fd) {
                Ok(len) => len,
                // The first fd that is not open ends the table (the preview-1 convention).
                Err(Errno::BADF) => break,
                // An open fd that is not a preopened directory (a socket, a file).
                Err(_) => continue,
            };
            let name: *mut u8 = malloc(len.max(1)).cast();
            if name.is_null() {
                return Err(Errno::NOMEM);
            }
            // SAFETY: `name` holds `len` bytes; never freed, so the slice lives forever.
            let name = unsafe { core::slice::from_raw_parts_mut(name, len) };
            sys::prestat_dir_name(fd, name)?;
            // Some hosts count a trailing NUL in the length.
            let name: &'static [u8] = match name.iter().position(|&b| b == 0) {
                Some(end) => &name[..end],
                None => name,
            };
            if self.count == cap {
                cap = (cap * 2).max(8);
                // SAFETY: the list is null or malloc'd.
                let list = unsafe { realloc(self.preopens.cast(), cap * size_of::<Preopen>()) };
                if list.is_null() {
                    return Err(Errno::NOMEM);
                }
                self.preopens = list.cast();
            }
            // SAFETY: `count < cap`.
            unsafe {
                self.preopens.add(self.count).write(Preopen {
                    fd: fd as u32,
                    name,
                })
            };
            self.count += 1;
        }
        Ok(())
    }

    /// The current directory, fetched from the host after start-up or a `chdir`.
    fn cwd(&mut self) -> Result<&[u8], Errno> {
        while !self.cwd_valid {
            // SAFETY: `cwd` is null (cap 0) or holds `cwd_cap` bytes.
            let buf = unsafe { slice_or_empty(self.cwd, self.cwd_cap) };
            match sys::getcwd(buf) {
                Ok(n) => {
                    self.cwd_len = buf[..n].iter().position(|&b| b == 0).unwrap_or(n);
                    self.cwd_valid = true;
                }
                Err((Errno::RANGE, needed)) => {
                    let cap = needed.max(self.cwd_cap + 1).max(64);
                    // SAFETY: `cwd` is null or malloc'd.
                    let grown = unsafe { realloc(self.cwd.cast(), cap) };
                    if grown.is_null() {
                        return Err(Errno::NOMEM);
                    }
                    (self.cwd, self.cwd_cap) = (grown.cast(), cap);
                }
                Err((e, _)) => return Err(e),
            }
        }
        // SAFETY: `cwd_len <= cwd_cap` bytes were written by the host.
        Ok(unsafe { slice_or_empty(self.cwd, self.cwd_len) })
    }
}

/// # Safety
/// `p` is null (then `len` is 0) or valid for `len` bytes.
unsafe fn slice_or_empty<'a>(p: *mut u8, len: usize) -> &'a mut [u8] {
    if p.is_null() {
        &mut []
    } else {
        // SAFETY: the caller's contract.
        unsafe { core::slice::from_raw_parts_mut(p, len) }
    }
}

/// A path located for a `path_*` call: a directory fd and the path relative to it.
pub(super) struct Located {
    pub fd: i32,
    buf: [u8; PATH_MAX],
    len: usize,
}

impl Located {
    pub fn rel(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The bytes of a C path; `EFAULT` for null, `ENOENT` for empty (POSIX).
///
/// # Safety
/// `path` is null or NUL-terminated.
pub(super) unsafe fn path_bytes<'a>(path: *const c_char) -> Result<&'a [u8], Errno> {
    if path.is_null() {
        return Err(Errno::FAULT);
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { CStr::from_ptr(path) }.to_bytes();
    if bytes.is_empty() {
        return Err(Errno::NOENT);
    }
    Ok(bytes)
}

/// Where `path` is for a call relative to `dirfd` (see the module doc).
fn locate_bytes(dirfd: c_int, path: &[u8]) -> Result<Located, Errno> {
    let mut at = Located {
        fd: dirfd,
        buf: [0; PATH_MAX],
        len: 0,
    };
    if dirfd != c::AT_FDCWD && !path.starts_with(b"/") {
        at.buf
            .get_mut(..path.len())
            .ok_or(Errno::NAMETOOLONG)?
            .copy_from_slice(path);
        at.len = path.len();
        return Ok(at);
    }
    let (fd, len) = FS.with(|fs| -> Result<(u32, usize), Errno> {
        // Copy the cwd out so the preopen list and it can be borrowed together.
        let mut cwd = [0u8; PATH_MAX];
        let c = fs.cwd()?;
        let cwd = cwd.get_mut(..c.len()).ok_or(Errno::NAMETOOLONG).map(|d| {
            d.copy_from_slice(c);
            &*d
        })?;
        let (fd, rel) = preopen::resolve(fs.preopens()?, cwd, path, &mut at.buf)?;
        Ok((fd, rel.len()))
    })?;
    at.fd = i32::try_from(fd).map_err(|_| Errno::BADF)?;
    at.len = len;
    Ok(at)
}

/// # Safety
/// `path` is null or NUL-terminated.
pub(super) unsafe fn locate(dirfd: c_int, path: *const c_char) -> Result<Located, Errno> {
    // SAFETY: the caller's contract.
    locate_bytes(dirfd, unsafe { path_bytes(path)? })
}

fn open_at(dirfd: c_int, path: *const c_char, flags: c_int) -> Result<c_int, Errno> {
    let req = open_flags::open_request(flags)?;
    // SAFETY: `path` is NUL-terminated (the C contract of every caller).
    let at = unsafe { locate(dirfd, path)? };
    sys::path_open2(at.fd, at.rel(), &req)
}

/// Similar to `open` in POSIX; the mode is ignored (module doc).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn open(path: *const c_char, flags: c_int, _mode: *const c_void) -> c_int {
    errno::int(open_at(c::AT_FDCWD, path, flags))
}

/// Similar to `openat` in POSIX; the mode is ignored (module doc).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openat(
    dirfd: c_int,
    path: *const c_char,
    flags: c_int,
    _mode: *const c_void,
) -> c_int {
    errno::int(open_at(dirfd, path, flags))
}

fn stat_at(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    follow: bool,
) -> Result<(), Errno> {
    // SAFETY: `path` is NUL-terminated (C contract).
    let at = unsafe { locate(dirfd, path)? };
    let rec = sys::path_filestat_get(at.fd, at.rel(), follow)?;
    // SAFETY: `buf` is writable (C contract).
    unsafe { put_stat(&filestat::parse(&rec), buf) };
    Ok(())
}

/// # Safety
/// `path` is NUL-terminated and `buf` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stat(path: *const c_char, buf: *mut libc::stat) -> c_int {
    errno::unit(stat_at(c::AT_FDCWD, path, buf, true))
}

/// # Safety
/// `path` is NUL-terminated and `buf` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lstat(path: *const c_char, buf: *mut libc::stat) -> c_int {
    errno::unit(stat_at(c::AT_FDCWD, path, buf, false))
}

/// # Safety
/// `path` is NUL-terminated and `buf` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstatat(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    if flags & !c::AT_SYMLINK_NOFOLLOW != 0 {
        return errno::int(Err(Errno::INVAL));
    }
    errno::unit(stat_at(
        dirfd,
        path,
        buf,
        flags & c::AT_SYMLINK_NOFOLLOW == 0,
    ))
}

/// Similar to `mkdir` in POSIX; the mode is ignored (WASI has no permissions).
///
/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mkdir(path: *const c_char, _mode: libc::mode_t) -> c_int {
    // SAFETY: the caller's contract.
    errno::unit(
        unsafe { locate(c::AT_FDCWD, path) }
            .and_then(|at| sys::path_create_directory(at.fd, at.rel())),
    )
}

/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unlink(path: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    errno::unit(
        unsafe { locate(c::AT_FDCWD, path) }.and_then(|at| sys::path_unlink_file(at.fd, at.rel())),
    )
}

/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rmdir(path: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    errno::unit(
        unsafe { locate(c::AT_FDCWD, path) }
            .and_then(|at| sys::path_remove_directory(at.fd, at.rel())),
    )
}

/// Similar to `unlinkat` in POSIX: `AT_REMOVEDIR` removes a directory.
///
/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unlinkat(dirfd: c_int, path: *const c_char, flags: c_int) -> c_int {
    let run = || -> Result<(), Errno> {
        if flags & !c::AT_REMOVEDIR != 0 {
            return Err(Errno::INVAL);
        }
        // SAFETY: the caller's contract.
        let at = unsafe { locate(dirfd, path)? };
        if flags & c::AT_REMOVEDIR != 0 {
            sys::path_remove_directory(at.fd, at.rel())
        } else {
            sys::path_unlink_file(at.fd, at.rel())
        }
    };
    errno::unit(run())
}

/// # Safety
/// Both paths are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn renameat(
    old_dir: c_int,
    old: *const c_char,
    new_dir: c_int,
    new: *const c_char,
) -> c_int {
    // SAFETY: the caller's contract.
    let run = || -> Result<(), Errno> {
        let (from, to) = unsafe { (locate(old_dir, old)?, locate(new_dir, new)?) };
        sys::path_rename((from.fd, from.rel()), (to.fd, to.rel()))
    };
    errno::unit(run())
}

/// # Safety
/// Both paths are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rename(old: *const c_char, new: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { renameat(c::AT_FDCWD, old, c::AT_FDCWD, new) }
}

/// Similar to `linkat` in POSIX: `AT_SYMLINK_FOLLOW` links what a symlink names.
///
/// # Safety
/// Both paths are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn linkat(
    old_dir: c_int,
    old: *const c_char,
    new_dir: c_int,
    new: *const c_char,
    flags: c_int,
) -> c_int {
    // SAFETY: the caller's contract.
    let run = || -> Result<(), Errno> {
        if flags & !c::AT_SYMLINK_FOLLOW != 0 {
            return Err(Errno::INVAL);
        }
        let (from, to) = unsafe { (locate(old_dir, old)?, locate(new_dir, new)?) };
        sys::path_link(
            (from.fd, from.rel()),
            flags & c::AT_SYMLINK_FOLLOW != 0,
            (to.fd, to.rel()),
        )
    };
    errno::unit(run())
}

/// Similar to `link` in POSIX (as on Linux, a symlink is linked itself, not followed).
///
/// # Safety
/// Both paths are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn link(old: *const c_char, new: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { linkat(c::AT_FDCWD, old, c::AT_FDCWD, new, 0) }
}

/// Similar to `symlinkat` in POSIX: `target` is stored as it is.
///
/// # Safety
/// Both strings are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn symlinkat(
    target: *const c_char,
    dirfd: c_int,
    path: *const c_char,
) -> c_int {
    // SAFETY: the caller's contract.
    let run = || -> Result<(), Errno> {
        let target = unsafe { path_bytes(target)? };
        let at = unsafe { locate(dirfd, path)? };
        sys::path_symlink(target, at.fd, at.rel())
    };
    errno::unit(run())
}

/// # Safety
/// Both strings are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn symlink(target: *const c_char, path: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { symlinkat(target, c::AT_FDCWD, path) }
}

/// Similar to `readlinkat` in POSIX: the target, cut to `size`, no NUL.
///
/// # Safety
/// `path` is NUL-terminated and `buf` writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readlinkat(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut c_char,
    size: usize,
) -> isize {
    // SAFETY: the caller's contract.
    let run = || -> Result<usize, Errno> {
        let at = unsafe { locate(dirfd, path)? };
        unsafe { sys::path_readlink(at.fd, at.rel(), buf.cast(), size) }
    };
    errno::size(run())
}

/// # Safety
/// `path` is NUL-terminated and `buf` writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readlink(path: *const c_char, buf: *mut c_char, size: usize) -> isize {
    // SAFETY: the caller's contract.
    unsafe { readlinkat(c::AT_FDCWD, path, buf, size) }
}

/// The two C timespecs of `utimensat`/`futimens` (null: both now) in the pure form.
///
/// # Safety
/// `times` is null or points at two timespecs.
pub(super) unsafe fn times_arg(times: *const libc::timespec) -> Result<(u64, u64, u16), Errno> {
    let pair = if times.is_null() {
        None
    } else {
        // SAFETY: the caller's contract.
        let (a, m) = unsafe { (&*times, &*times.add(1)) };
        Some([(a.tv_sec, a.tv_nsec), (m.tv_sec, m.tv_nsec)])
    };
    open_flags::set_times(pair)
}

/// # Safety
/// `path` is NUL-terminated; `times` null or two timespecs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn utimensat(
    dirfd: c_int,
    path: *const c_char,
    times: *const libc::timespec,
    flags: c_int,
) -> c_int {
    // SAFETY: the caller's contract.
    let run = || -> Result<(), Errno> {
        if flags & !c::AT_SYMLINK_NOFOLLOW != 0 {
            return Err(Errno::INVAL);
        }
        let times = unsafe { times_arg(times)? };
        let at = unsafe { locate(dirfd, path)? };
        let follow = flags & c::AT_SYMLINK_NOFOLLOW == 0;
        sys::path_filestat_set_times(at.fd, at.rel(), follow, times)
    };
    errno::unit(run())
}

/// WASI has no file permissions: `chmod` answers ENOSYS, as wasi-libc's does on wasm32
/// (std's `fs::set_permissions` reports "Function not implemented" on both targets).
#[unsafe(no_mangle)]
pub extern "C" fn chmod(_path: *const c_char, _mode: libc::mode_t) -> c_int {
    errno::int(Err(Errno::NOSYS))
}

/// Similar to `realpath` in POSIX (`libc64::realpath`): a null `resolved` gets a malloc'd
/// result, as std's `canonicalize` asks.
///
/// # Safety
/// `path` is NUL-terminated; `resolved` null or writable for `PATH_MAX` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realpath(path: *const c_char, resolved: *mut c_char) -> *mut c_char {
    // SAFETY: the caller's contract.
    let run = || -> Result<*mut c_char, Errno> {
        let path = unsafe { path_bytes(path)? };
        let mut cwd = [0u8; PATH_MAX];
        let cwd_len = FS.with(|fs| -> Result<usize, Errno> {
            let c = fs.cwd()?;
            cwd.get_mut(..c.len())
                .ok_or(Errno::NAMETOOLONG)?
                .copy_from_slice(c);
            Ok(c.len())
        })?;
        let mut out = [0u8; PATH_MAX];
        let n = realpath::canonical(&cwd[..cwd_len], path, &mut out, |abs, target| {
            let at = locate_bytes(c::AT_FDCWD, abs)?;
            // SAFETY: `target` is a live buffer of its length.
            match unsafe { sys::path_readlink(at.fd, at.rel(), target.as_mut_ptr(), target.len()) }
            {
                Ok(n) => Ok(Some(n)),
                // Not a symlink (the preopen roots included).
                Err(Errno::INVAL) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        let dst: *mut u8 = if resolved.is_null() {
            malloc(n + 1).cast()
        } else {
            resolved.cast()
        };
        if dst.is_null() {
            return Err(Errno::NOMEM);
        }
        // SAFETY: `dst` has room for `n + 1 <= PATH_MAX` bytes.
        unsafe {
            dst.copy_from_nonoverlapping(out.as_ptr(), n);
            *dst.add(n) = 0;
        }
        Ok(dst.cast())
    };
    run().unwrap_or_else(|e| {
        errno::set(e);
        ptr::null_mut()
    })
}

/// Similar to `getcwd` in POSIX; a null `buf` gets a malloc'd copy (of `size` bytes, or just
/// enough when `size` is 0), as glibc and wasi-libc do.
///
/// # Safety
/// `buf` is null or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getcwd(buf: *mut c_char, size: usize) -> *mut c_char {
    let run = || -> Result<*mut c_char, Errno> {
        FS.with(|fs| {
            let cwd = fs.cwd()?;
            let need = cwd.len() + 1;
            let dst: *mut u8 = match (buf.is_null(), size) {
                (false, 0) => return Err(Errno::INVAL),
                (false, n) | (true, n @ 1..) if n < need => return Err(Errno::RANGE),
                (false, _) => buf.cast(),
                (true, 0) => malloc(need).cast(),
                (true, n) => malloc(n).cast(),
            };
            if dst.is_null() {
                return Err(Errno::NOMEM);
            }
            // SAFETY: `dst` has room for `need` bytes.
            unsafe {
                dst.copy_from_nonoverlapping(cwd.as_ptr(), cwd.len());
                *dst.add(cwd.len()) = 0;
            }
            Ok(dst.cast())
        })
    };
    run().unwrap_or_else(|e| {
        errno::set(e);
        ptr::null_mut()
    })
}

/// Similar to `chdir` in POSIX: the host checks and records the directory (children inherit
/// it); the cached copy is dropped so the next path reads the host's canonical form.
///
/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn chdir(path: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    let run = || -> Result<(), Errno> {
        let path = unsafe { path_bytes(path)? };
        let r = sys::chdir(path);
        FS.with(|fs| fs.cwd_valid = false);
        r
    };
    errno::unit(run())
}

/// The pure rules' C numbers are the libc crate's.
const _: () = {
    assert!(c::O_APPEND == libc::O_APPEND && c::O_DSYNC == libc::O_DSYNC);
    assert!(c::O_NONBLOCK == libc::O_NONBLOCK && c::O_RSYNC == libc::O_RSYNC);
    assert!(c::O_SYNC == libc::O_SYNC && c::O_CREAT == libc::O_CREAT);
    assert!(c::O_DIRECTORY == libc::O_DIRECTORY && c::O_EXCL == libc::O_EXCL);
    assert!(c::O_TRUNC == libc::O_TRUNC && c::O_NOFOLLOW == libc::O_NOFOLLOW);
    assert!(c::O_EXEC == libc::O_EXEC && c::O_RDONLY == libc::O_RDONLY);
    assert!(c::O_SEARCH == libc::O_SEARCH && c::O_WRONLY == libc::O_WRONLY);
    assert!(c::O_RDWR == libc::O_RDWR && c::O_ACCMODE == libc::O_ACCMODE);
    // The plain libc crate says O_CLOEXEC = 0 (wasi-libc); the WASIX overlay says ours.
    assert!(libc::O_CLOEXEC == 0 || libc::O_CLOEXEC == c::O_CLOEXEC);
    assert!(c::AT_FDCWD == libc::AT_FDCWD && c::AT_REMOVEDIR == libc::AT_REMOVEDIR);
    assert!(c::AT_SYMLINK_NOFOLLOW == libc::AT_SYMLINK_NOFOLLOW);
    assert!(c::AT_SYMLINK_FOLLOW == libc::AT_SYMLINK_FOLLOW);
    assert!(c::F_GETFL == libc::F_GETFL && c::F_SETFL == libc::F_SETFL);
    assert!(c::UTIME_OMIT == libc::UTIME_OMIT && c::UTIME_NOW == libc::UTIME_NOW);
};

crate::same_signature_as_libc!(
    stat, lstat, fstatat, mkdir, unlink, rmdir, unlinkat, renameat, rename, linkat, link,
    symlinkat, symlink, readlinkat, readlink, utimensat, chmod, realpath, getcwd, chdir
);
