//! The string exports: `libc64::cstr`'s functions under their C names, `strcpy`, `strdup`,
//! and `strerror`/`strerror_r` over `libc64::strerror`'s table.

use core::ffi::{c_char, c_int};

use crate::abi::Errno;
use crate::libc64::{cstr, strerror};

/// # Safety
/// `s` is readable up to its NUL or `max` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strnlen(s: *const c_char, max: usize) -> usize {
    unsafe { cstr::strnlen(s, max) }
}

/// # Safety
/// NUL-terminated or `n`-byte inputs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strncmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
    unsafe { cstr::strncmp(a, b, n) }
}

/// # Safety
/// NUL-terminated inputs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcmp(a: *const c_char, b: *const c_char) -> c_int {
    unsafe { cstr::strcmp(a, b) }
}

/// # Safety
/// `src` is NUL-terminated; `dst` has room for it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn stpcpy(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    unsafe { cstr::stpcpy(dst, src) }
}

/// # Safety
/// As `stpcpy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcpy(dst: *mut c_char, src: *const c_char) -> *mut c_char {
    unsafe { cstr::stpcpy(dst, src) };
    dst
}

/// # Safety
/// `s` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strchr(s: *const c_char, c: c_int) -> *mut c_char {
    unsafe { cstr::strchr(s, c) }
}

/// # Safety
/// `s` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strchrnul(s: *const c_char, c: c_int) -> *mut c_char {
    unsafe { cstr::strchrnul(s, c) }
}

/// # Safety
/// `s` is readable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memchr(
    s: *const core::ffi::c_void,
    c: c_int,
    n: usize,
) -> *mut core::ffi::c_void {
    unsafe { cstr::memchr(s.cast(), c, n) }.cast()
}

/// # Safety
/// `s` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strdup(s: *const c_char) -> *mut c_char {
    // SAFETY: the caller's contract; the copy gets `len + 1` bytes.
    unsafe {
        let len = cstr::strnlen(s, usize::MAX);
        let copy: *mut c_char = super::alloc::malloc(len + 1).cast();
        if !copy.is_null() {
            copy.copy_from_nonoverlapping(s, len + 1);
        }
        copy
    }
}

/// The message for `errnum`; the string is static and never written to.
#[unsafe(no_mangle)]
pub extern "C" fn strerror(errnum: c_int) -> *mut c_char {
    strerror::message(errnum).as_ptr().cast_mut().cast()
}

/// XSI `strerror_r`: copies the message into `buf`; `ERANGE` (and a truncated copy) when it
/// does not fit, as musl does.
///
/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strerror_r(errnum: c_int, buf: *mut c_char, len: usize) -> c_int {
    let msg = strerror::message(errnum).as_bytes(); // ends in NUL
    if len == 0 {
        return Errno::RANGE.raw();
    }
    let n = msg.len().min(len);
    // SAFETY: `n <= len`; the last byte written is a NUL.
    unsafe {
        buf.cast::<u8>().copy_from_nonoverlapping(msg.as_ptr(), n);
        *buf.add(n - 1) = 0;
    }
    if n < msg.len() { Errno::RANGE.raw() } else { 0 }
}

crate::same_signature_as_libc!(
    strncmp, strcmp, strcpy, strchr, memchr, strdup, strerror, strerror_r
);
