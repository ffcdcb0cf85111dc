//! `sigemptyset`, `sigfillset`, `sigaddset`, `sigdelset`, `sigismember` on WASIX's 8-byte
//! `sigset_t` (bit `n-1` = signal `n`, 64 signals); wasi-libc has none of them.

use core::ffi::c_int;

use libc::sigset_t;

use super::encode::sig_bit;
use crate::abi::Errno;
use crate::errno;

crate::same_signature_as_libc!(sigemptyset, sigfillset, sigaddset, sigdelset, sigismember);

const _: () = assert!(size_of::<sigset_t>() == size_of::<u64>());

/// Applies `f` to the set's bits (two native `u32` words, low signals first).
///
/// # Safety
/// A non-null `set` must point to a `sigset_t`.
unsafe fn update(set: *mut sigset_t, f: impl FnOnce(u64) -> Result<u64, Errno>) -> c_int {
    if set.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let words = set.cast::<[u32; 2]>();
    // SAFETY: `sigset_t` is `[c_ulong; 2]` (asserted 8 bytes, align 4).
    let bits = unsafe { words.read() };
    let r = f(u64::from(bits[0]) | (u64::from(bits[1]) << 32)).map(|b| {
        // SAFETY: as above.
        unsafe { words.write([b as u32, (b >> 32) as u32]) };
    });
    errno::unit(r)
}

/// Similar to `sigemptyset` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigemptyset(set: *mut sigset_t) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { update(set, |_| Ok(0)) }
}

/// Similar to `sigfillset` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigfillset(set: *mut sigset_t) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { update(set, |_| Ok(u64::MAX)) }
}

/// Similar to `sigaddset` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaddset(set: *mut sigset_t, signum: c_int) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { update(set, |b| Ok(b | sig_bit(signum)?)) }
}

/// Similar to `sigdelset` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigdelset(set: *mut sigset_t, signum: c_int) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { update(set, |b| Ok(b & !sig_bit(signum)?)) }
}

/// Similar to `sigismember` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigismember(set: *const sigset_t, signum: c_int) -> c_int {
    let mut member = 0;
    // SAFETY: `update` only writes back the unchanged bits.
    let r = unsafe {
        update(set.cast_mut(), |b| {
            member = c_int::from(b & sig_bit(signum)? != 0);
            Ok(b)
        })
    };
    if r < 0 { r } else { member }
}
