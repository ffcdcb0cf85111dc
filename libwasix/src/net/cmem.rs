//! Reading and writing the caller's C socket-address buffers.

use core::ffi::c_void;

use libc::{sockaddr, socklen_t};

use super::addr::{self, SockAddr, UNIX_PATH_LEN};
use crate::abi::Errno;

/// The caller's `len` bytes at `p` (empty when `len` is 0).
///
/// # Safety
/// Unless `len` is 0, `p` must be valid for reads of `len` bytes.
pub unsafe fn bytes<'a>(p: *const c_void, len: usize) -> Result<&'a [u8], Errno> {
    match (len, p.is_null()) {
        (0, _) => Ok(&[]),
        (_, true) => Err(Errno::FAULT),
        // SAFETY: non-null, and the caller vouches for `len` readable bytes.
        _ => Ok(unsafe { core::slice::from_raw_parts(p.cast(), len) }),
    }
}

/// Decodes the caller's `(addr, addrlen)`.
///
/// # Safety
/// `addr` must be valid for reads of `len` bytes.
pub unsafe fn read_sockaddr(addr: *const sockaddr, len: socklen_t) -> Result<SockAddr, Errno> {
    // SAFETY: forwarded caller contract.
    let b = unsafe { bytes(addr.cast(), len as usize)? };
    addr::from_c(b)
}

/// Stores `a` into the caller's `(out, len)` pair with POSIX truncation: at most `*len` bytes
/// are written and `*len` becomes the full size. A null `out` means "not wanted".
///
/// # Safety
/// When `out` is non-null, `len` must be valid and `out` writable for `*len` bytes.
pub unsafe fn write_sockaddr(
    a: &SockAddr,
    out: *mut sockaddr,
    len: *mut socklen_t,
) -> Result<(), Errno> {
    if out.is_null() {
        return Ok(());
    }
    if len.is_null() {
        return Err(Errno::FAULT);
    }
    let mut buf = [0u8; 2 + UNIX_PATH_LEN];
    let full = addr::to_c(a, &mut buf);
    // SAFETY: `len` is valid (checked non-null, caller contract); `out` holds `*len` bytes.
    unsafe {
        let n = (*len as usize).min(full);
        core::ptr::copy_nonoverlapping(buf.as_ptr(), out.cast::<u8>(), n);
        *len = full as socklen_t;
    }
    Ok(())
}
