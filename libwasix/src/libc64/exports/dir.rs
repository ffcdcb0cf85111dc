//! Directory streams: `opendir`, `fdopendir`, `readdir`, `rewinddir`, `closedir`, `dirfd`,
//! over `fd_readdir` batches (`libc64::dirent::Cursor`). A `DIR` owns its fd, a batch buffer
//! (4 KiB, grown when one entry does not fit) and the `struct dirent` that `readdir` returns,
//! valid until the next `readdir` or `closedir` on that stream (POSIX).
//! `telldir`/`seekdir` are not written (std does not call them), so they fail to link.

use core::ffi::{c_char, c_int};
use core::ptr;

use super::alloc::{free, malloc, realloc};
use crate::abi::Errno;
use crate::libc64::dirent::{Cursor, Step};
use crate::libc64::filestat::{dtype_of, filetype};
use crate::libc64::open_flags::{self, c};
use crate::{errno, sys};

const BATCH: usize = 4096;

/// The libc crate's opaque `DIR`.
struct Dir {
    fd: c_int,
    cursor: Cursor,
    buf: *mut u8,
    buf_len: usize,
    /// Room for a `struct dirent` and its name: `entry_cap` bytes.
    entry: *mut u8,
    entry_cap: usize,
}

/// Where `d_name` starts in `struct dirent` (after `d_ino` and `d_type`).
const NAME_AT: usize = core::mem::offset_of!(libc::dirent, d_name);

/// # Safety
/// `fd` is the caller's to give away: the stream closes it.
unsafe fn stream_of(fd: c_int) -> Result<*mut Dir, Errno> {
    let (ft, _, _) = sys::fd_fdstat_rights(fd)?;
    if ft != filetype::DIRECTORY {
        return Err(Errno::NOTDIR);
    }
    let dir: *mut Dir = malloc(size_of::<Dir>()).cast();
    let buf: *mut u8 = malloc(BATCH).cast();
    if dir.is_null() || buf.is_null() {
        // SAFETY: each is null or malloc'd.
        unsafe {
            free(dir.cast());
            free(buf.cast());
        }
        return Err(Errno::NOMEM);
    }
    // SAFETY: `dir` is a fresh allocation of its size (malloc aligns to 16).
    unsafe {
        dir.write(Dir {
            fd,
            cursor: Cursor::new(),
            buf,
            buf_len: BATCH,
            entry: ptr::null_mut(),
            entry_cap: 0,
        })
    };
    Ok(dir)
}

/// Similar to `fdopendir` in POSIX: `ENOTDIR` unless `fd` is a directory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fdopendir(fd: c_int) -> *mut libc::DIR {
    // SAFETY: the caller hands `fd` over (POSIX).
    match unsafe { stream_of(fd) } {
        Ok(d) => d.cast(),
        Err(e) => {
            errno::set(e);
            ptr::null_mut()
        }
    }
}

/// # Safety
/// `path` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn opendir(path: *const c_char) -> *mut libc::DIR {
    let flags = c::O_RDONLY | c::O_DIRECTORY | c::O_CLOEXEC;
    let run = || -> Result<*mut Dir, Errno> {
        let req = open_flags::open_request(flags)?;
        // SAFETY: the caller's contract.
        let at = unsafe { super::path::locate(c::AT_FDCWD, path)? };
        let fd = sys::path_open2(at.fd, at.rel(), &req)?;
        // SAFETY: `fd` is ours; on failure it is closed here.
        unsafe { stream_of(fd) }.inspect_err(|_| {
            let _ = sys::fd_close(fd);
        })
    };
    match run() {
        Ok(d) => d.cast(),
        Err(e) => {
            errno::set(e);
            ptr::null_mut()
        }
    }
}

/// The next entry, or null at the end (errno untouched) or on an error (errno set).
///
/// # Safety
/// `dirp` is an open stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn readdir(dirp: *mut libc::DIR) -> *mut libc::dirent {
    // SAFETY: the caller's contract: `dirp` came from `opendir`/`fdopendir`.
    let dir = unsafe { &mut *dirp.cast::<Dir>() };
    match next_entry(dir) {
        Ok(Some(e)) => e.cast(),
        Ok(None) => ptr::null_mut(),
        Err(e) => {
            errno::set(e);
            ptr::null_mut()
        }
    }
}

fn next_entry(dir: &mut Dir) -> Result<Option<*mut u8>, Errno> {
    loop {
        // SAFETY: `buf` holds `buf_len` bytes.
        let buf = unsafe { core::slice::from_raw_parts_mut(dir.buf, dir.buf_len) };
        let fd = dir.fd;
        let step = dir
            .cursor
            .next(buf, |b, cookie| sys::fd_readdir(fd, b, cookie))?;
        let rec = match step {
            Step::Entry(rec) => rec,
            Step::End => return Ok(None),
            Step::Grow(len) => {
                // SAFETY: `buf` is malloc'd.
                let grown = unsafe { realloc(dir.buf.cast(), len) };
                if grown.is_null() {
                    return Err(Errno::NOMEM);
                }
                (dir.buf, dir.buf_len) = (grown.cast(), len);
                continue;
            }
        };
        let need = NAME_AT + rec.name.len() + 1;
        if need > dir.entry_cap {
            // SAFETY: `entry` is null or malloc'd.
            let grown = unsafe { realloc(dir.entry.cast(), need.max(256)) };
            if grown.is_null() {
                return Err(Errno::NOMEM);
            }
            (dir.entry, dir.entry_cap) = (grown.cast(), need.max(256));
        }
        let d: *mut libc::dirent = dir.entry.cast();
        // SAFETY: `entry` has room for the header, the name and its NUL; malloc aligns it.
        unsafe {
            (*d).d_ino = rec.ino;
            (*d).d_type = dtype_of(rec.filetype);
            let name = dir.entry.add(NAME_AT);
            name.copy_from_nonoverlapping(rec.name.as_ptr(), rec.name.len());
            *name.add(rec.name.len()) = 0;
        }
        return Ok(Some(dir.entry));
    }
}

/// # Safety
/// `dirp` is an open stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rewinddir(dirp: *mut libc::DIR) {
    // SAFETY: the caller's contract.
    unsafe { (*dirp.cast::<Dir>()).cursor = Cursor::new() };
}

/// # Safety
/// `dirp` is an open stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dirfd(dirp: *mut libc::DIR) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { (*dirp.cast::<Dir>()).fd }
}

/// Closes the stream's fd and frees it.
///
/// # Safety
/// `dirp` is an open stream, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn closedir(dirp: *mut libc::DIR) -> c_int {
    let dir: *mut Dir = dirp.cast();
    // SAFETY: the caller's contract; every pointer in the stream is malloc'd or null.
    unsafe {
        let r = sys::fd_close((*dir).fd);
        free((*dir).buf.cast());
        free((*dir).entry.cast());
        free(dir.cast());
        errno::unit(r)
    }
}

crate::same_signature_as_libc!(fdopendir, opendir, readdir, rewinddir, dirfd, closedir);
