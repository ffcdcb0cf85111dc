//! The one place that sets C `errno`, and the `-1`/`errno` return conventions built on it.
//!
//! errno is thread-local in this wasi-libc, so it is reached through `__errno_location()`; a
//! plain `extern static errno` links silently and writes to address 48 instead
//! (`reference/libwasix-layering.md` §2.6).

use core::ffi::c_int;

use crate::abi::Errno;

/// Stores `e` in the calling thread's errno.
pub fn set(e: Errno) {
    // SAFETY: `__errno_location` returns the calling thread's errno slot, always valid.
    unsafe { *libc::__errno_location() = e.raw() };
}

/// The calling thread's errno, after a libc call failed (EIO if a failing call left none).
pub fn last() -> Errno {
    // SAFETY: as in `set`.
    let raw = unsafe { *libc::__errno_location() };
    u16::try_from(raw)
        .ok()
        .filter(|&e| e != 0)
        .map_or(Errno::IO, Errno)
}

/// `Ok(v)` -> `v`; `Err(e)` -> errno = e, `-1`.
pub fn int(r: Result<c_int, Errno>) -> c_int {
    r.unwrap_or_else(|e| {
        set(e);
        -1
    })
}

/// `Ok(())` -> 0; `Err(e)` -> errno = e, `-1`.
pub fn unit(r: Result<(), Errno>) -> c_int {
    int(r.map(|()| 0))
}

/// A byte count as `ssize_t`; `Err(e)` -> errno = e, `-1`.
pub fn size(r: Result<usize, Errno>) -> isize {
    match r {
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(e) => {
            set(e);
            -1
        }
    }
}

/// For functions that return the error number instead of setting errno (posix_spawn*).
pub fn code(r: Result<(), Errno>) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => e.raw(),
    }
}
