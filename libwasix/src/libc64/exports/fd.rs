//! The fd functions: `close`, `read`/`write`, `readv`/`writev`, `pread`/`pwrite`, `lseek`,
//! `fstat`, `fcntl`, `ioctl` (`FIONBIO`), `ftruncate`, `fsync`, `fdatasync`, `futimens`,
//! `isatty`, and `fchmod` (ENOSYS).
//!
//! `fcntl` and `ioctl` are variadic in C; like `open` they are defined with the wasm C ABI's
//! variadic buffer as a last pointer parameter (`io::dup`'s module doc), so the signature
//! check against the libc crate skips them.

use core::ffi::{c_int, c_void};

use super::path::times_arg;
use crate::abi::{Errno, FDFLAGS_NONBLOCK, FDFLAGSEXT_CLOEXEC};
use crate::io::dup::{Fcntl, decode_fcntl};
use crate::libc64::filestat::{self, Stat, filetype};
use crate::libc64::open_flags::{self, c};
use crate::sys::{self, IoVec};
use crate::{abi, errno};

/// Fills a C `struct stat` (fields a `filestat` lacks are 0).
///
/// # Safety
/// `buf` is writable.
pub(super) unsafe fn put_stat(st: &Stat, buf: *mut libc::stat) {
    // SAFETY: the caller's contract; all-zero is a valid `stat`.
    unsafe {
        buf.write_bytes(0, 1);
        let b = &mut *buf;
        b.st_dev = st.dev;
        b.st_ino = st.ino;
        b.st_nlink = st.nlink;
        b.st_mode = st.mode;
        b.st_size = st.size;
        // wasi-libc leaves these 0 too; std only reads them through MetadataExt.
        b.st_blksize = 0;
        b.st_blocks = 0;
        (b.st_atim.tv_sec, b.st_atim.tv_nsec) = st.atim;
        (b.st_mtim.tv_sec, b.st_mtim.tv_nsec) = st.mtim;
        (b.st_ctim.tv_sec, b.st_ctim.tv_nsec) = st.ctim;
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn close(fd: c_int) -> c_int {
    errno::unit(sys::fd_close(fd))
}

/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn read(fd: c_int, buf: *mut c_void, len: usize) -> isize {
    let iov = IoVec {
        buf: buf.cast(),
        len,
    };
    // SAFETY: one iovec over the caller's buffer.
    errno::size(unsafe { sys::fd_read(fd, &iov, 1) })
}

/// # Safety
/// `buf` is readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, buf: *const c_void, len: usize) -> isize {
    let iov = IoVec {
        buf: buf.cast(),
        len,
    };
    // SAFETY: one iovec over the caller's buffer.
    errno::size(unsafe { sys::fd_write(fd, &iov, 1) })
}

/// `IOV_MAX`, as `sysconf(_SC_IOV_MAX)` answers.
const IOV_MAX: usize = 1024;

/// The iovec count as the ABI's length; `EINVAL` outside `0..=IOV_MAX` (POSIX).
fn iov_count(n: c_int) -> Result<usize, Errno> {
    match usize::try_from(n) {
        Ok(n) if n <= IOV_MAX => Ok(n),
        _ => Err(Errno::INVAL),
    }
}

/// `struct iovec` is the ABI's `iovec`: `{pointer, size}` (asserted below).
fn as_abi(iov: *const libc::iovec) -> *const IoVec {
    iov.cast()
}

/// # Safety
/// `iov` points at `n` iovecs over writable regions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readv(fd: c_int, iov: *const libc::iovec, n: c_int) -> isize {
    // SAFETY: the caller's contract.
    errno::size(iov_count(n).and_then(|n| unsafe { sys::fd_read(fd, as_abi(iov), n) }))
}

/// # Safety
/// `iov` points at `n` iovecs over readable regions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writev(fd: c_int, iov: *const libc::iovec, n: c_int) -> isize {
    // SAFETY: the caller's contract.
    errno::size(iov_count(n).and_then(|n| unsafe { sys::fd_write(fd, as_abi(iov), n) }))
}

fn offset(off: libc::off_t) -> Result<u64, Errno> {
    u64::try_from(off).map_err(|_| Errno::INVAL)
}

/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pread(fd: c_int, buf: *mut c_void, len: usize, off: libc::off_t) -> isize {
    let iov = IoVec {
        buf: buf.cast(),
        len,
    };
    // SAFETY: one iovec over the caller's buffer.
    errno::size(offset(off).and_then(|off| unsafe { sys::fd_pread(fd, &iov, 1, off) }))
}

/// # Safety
/// `buf` is readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pwrite(
    fd: c_int,
    buf: *const c_void,
    len: usize,
    off: libc::off_t,
) -> isize {
    let iov = IoVec {
        buf: buf.cast(),
        len,
    };
    // SAFETY: one iovec over the caller's buffer.
    errno::size(offset(off).and_then(|off| unsafe { sys::fd_pwrite(fd, &iov, 1, off) }))
}

/// Similar to `lseek` in POSIX; `SEEK_SET/CUR/END` are WASI's `whence` numbers.
#[unsafe(no_mangle)]
pub extern "C" fn lseek(fd: c_int, off: libc::off_t, whence: c_int) -> libc::off_t {
    match sys::fd_seek(fd, off, whence).and_then(|p| i64::try_from(p).map_err(|_| Errno::OVERFLOW))
    {
        Ok(p) => p,
        Err(e) => {
            errno::set(e);
            -1
        }
    }
}

/// # Safety
/// `buf` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fstat(fd: c_int, buf: *mut libc::stat) -> c_int {
    let rec = sys::fd_filestat_get(fd);
    // SAFETY: the caller's contract.
    errno::unit(rec.map(|rec| unsafe { put_stat(&filestat::parse(&rec), buf) }))
}

#[unsafe(no_mangle)]
pub extern "C" fn ftruncate(fd: c_int, len: libc::off_t) -> c_int {
    errno::unit(offset(len).and_then(|len| sys::fd_filestat_set_size(fd, len)))
}

#[unsafe(no_mangle)]
pub extern "C" fn fsync(fd: c_int) -> c_int {
    errno::unit(sys::fd_sync(fd))
}

#[unsafe(no_mangle)]
pub extern "C" fn fdatasync(fd: c_int) -> c_int {
    errno::unit(sys::fd_datasync(fd))
}

/// # Safety
/// `times` is null or two timespecs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn futimens(fd: c_int, times: *const libc::timespec) -> c_int {
    // SAFETY: the caller's contract.
    errno::unit(unsafe { times_arg(times) }.and_then(|t| sys::fd_filestat_set_times(fd, t)))
}

/// A terminal is a character device that cannot seek (wasi-libc's rule); anything else is
/// `ENOTTY`.
#[unsafe(no_mangle)]
pub extern "C" fn isatty(fd: c_int) -> c_int {
    const SEEK_OR_TELL: u64 = (1 << 2) | (1 << 5);
    match sys::fd_fdstat_rights(fd) {
        Ok((filetype::CHARACTER_DEVICE, _, rights)) if rights & SEEK_OR_TELL == 0 => 1,
        Ok(_) => {
            errno::set(Errno::NOTTY);
            0
        }
        Err(e) => {
            errno::set(e);
            0
        }
    }
}

/// WASI has no file permissions: ENOSYS, as wasi-libc's `fchmod` on wasm32.
#[unsafe(no_mangle)]
pub extern "C" fn fchmod(_fd: c_int, _mode: libc::mode_t) -> c_int {
    errno::int(Err(Errno::NOSYS))
}

/// `fcntl`: `F_DUPFD`/`F_DUPFD_CLOEXEC`/`F_GETFD`/`F_SETFD` over the WASIX fd calls (the
/// rules `io::dup` uses on wasm32), `F_GETFL`/`F_SETFL` over `fdstat`; other commands
/// (locks, owners, pipe sizes) are `EINVAL`, an unknown command as POSIX says.
///
/// # Safety
/// `va` is the caller's variadic buffer, holding an `int` for the commands that take one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fcntl(fd: c_int, cmd: c_int, va: *const c_int) -> c_int {
    // SAFETY: read only for commands that take an argument, which their callers pass.
    let arg = || {
        if va.is_null() {
            0
        } else {
            unsafe { va.read() }
        }
    };
    let run = || -> Result<c_int, Errno> {
        match decode_fcntl(cmd, arg)? {
            Fcntl::DupFd { min, cloexec } => sys::fd_dup2(fd, min, cloexec),
            Fcntl::GetFd => Ok(if sys::fd_fdflags_get(fd)? & FDFLAGSEXT_CLOEXEC != 0 {
                abi::c::FD_CLOEXEC
            } else {
                0
            }),
            Fcntl::SetFd { cloexec } => {
                sys::fd_fdflags_set(fd, if cloexec { FDFLAGSEXT_CLOEXEC } else { 0 })?;
                Ok(0)
            }
            Fcntl::Libc => match cmd {
                c::F_GETFL => {
                    let (_, flags, rights) = sys::fd_fdstat_rights(fd)?;
                    Ok(open_flags::getfl(flags, rights))
                }
                c::F_SETFL => {
                    sys::fd_fdstat_set_flags(fd, open_flags::setfl(arg()))?;
                    Ok(0)
                }
                _ => Err(Errno::INVAL),
            },
        }
    };
    errno::int(run())
}

/// `ioctl`: `FIONBIO` (what std's and mio's `set_nonblocking` may use) over `fdstat` flags.
/// `FIONREAD` needs `poll_oneoff`'s byte counts, which libc64 does not read yet: ENOSYS.
/// Any other request is `ENOTTY`, as on Linux.
///
/// # Safety
/// `va` is the caller's variadic buffer; for `FIONBIO` it holds an `int *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_int, va: *const *const c_int) -> c_int {
    let run = || -> Result<(), Errno> {
        match request {
            FIONBIO => {
                // SAFETY: the caller passed an `int *` (FIONBIO's contract).
                let on = unsafe { va.read().read() } != 0;
                let (_, flags, _) = sys::fd_fdstat_rights(fd)?;
                let flags = if on {
                    flags | FDFLAGS_NONBLOCK
                } else {
                    flags & !FDFLAGS_NONBLOCK
                };
                sys::fd_fdstat_set_flags(fd, flags)
            }
            FIONREAD => Err(Errno::NOSYS),
            _ => Err(Errno::NOTTY),
        }
    };
    errno::unit(run())
}

/// `sys/ioctl.h` of wasi-libc.
const FIONREAD: c_int = 1;
const FIONBIO: c_int = 2;

const _: () = {
    assert!(FIONREAD == libc::FIONREAD && FIONBIO == libc::FIONBIO);
    assert!(libc::SEEK_SET == 0 && libc::SEEK_CUR == 1 && libc::SEEK_END == 2);
    assert!(size_of::<libc::iovec>() == size_of::<IoVec>());
    assert!(core::mem::offset_of!(libc::iovec, iov_len) == core::mem::offset_of!(IoVec, len));
    use filestat::c as s;
    assert!(s::S_IFIFO == libc::S_IFIFO && s::S_IFCHR == libc::S_IFCHR);
    assert!(s::S_IFDIR == libc::S_IFDIR && s::S_IFBLK == libc::S_IFBLK);
    assert!(s::S_IFREG == libc::S_IFREG && s::S_IFLNK == libc::S_IFLNK);
    assert!(s::S_IFSOCK == libc::S_IFSOCK);
    assert!(s::DT_UNKNOWN == libc::DT_UNKNOWN && s::DT_BLK == libc::DT_BLK);
    assert!(s::DT_CHR == libc::DT_CHR && s::DT_DIR == libc::DT_DIR);
    assert!(s::DT_REG == libc::DT_REG && s::DT_FIFO == libc::DT_FIFO);
    assert!(s::DT_LNK == libc::DT_LNK && s::DT_SOCK == libc::DT_SOCK);
};

crate::same_signature_as_libc!(
    close, read, write, readv, writev, pread, pwrite, lseek, fstat, ftruncate, fsync, fdatasync,
    futimens, isatty, fchmod
);
