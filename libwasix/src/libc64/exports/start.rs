//! Program start and end, errno, and the small system queries: `_start` (what wasi-libc's
//! `crt1-command.o` is on wasm32), `exit`, `_Exit`, `abort`, `__errno_location`, `sysconf`,
//! `sched_yield`, `clock_gettime`, `getentropy`.

use core::ffi::{c_int, c_long, c_void};

use crate::abi::Errno;
use crate::libc64::sysconf;
use crate::{errno, sys};

unsafe extern "C" {
    /// Synthesized by wasm-ld: runs `.init_array` (libwasix's startup hooks among them).
    fn __wasm_call_ctors();
    /// Rust's `main`, under the target spec's `entry-name`.
    fn __main_void() -> c_int;
}

/// The command entry point.
#[unsafe(no_mangle)]
pub extern "C" fn _start() {
    // SAFETY: called once, by the runtime, before anything else runs.
    let code = unsafe {
        __wasm_call_ctors();
        __main_void()
    };
    exit(code)
}

/// Ends the process. No `atexit` handlers: libc64 has no `atexit` yet, so a program that
/// registers one fails to link with that name rather than skipping it silently.
#[unsafe(no_mangle)]
pub extern "C" fn exit(code: c_int) -> ! {
    sys::proc_exit(code)
}

#[unsafe(no_mangle)]
pub extern "C" fn _Exit(code: c_int) -> ! {
    sys::proc_exit(code)
}

/// A trap, as wasi-libc's `abort` (the runtime reports it like a SIGABRT death).
#[unsafe(no_mangle)]
pub extern "C" fn abort() -> ! {
    core::arch::wasm64::unreachable()
}

/// C `errno`: std on wasi reads it as a thread-local symbol of this name, C code through
/// `__errno_location`.
#[unsafe(no_mangle)]
#[thread_local]
#[allow(non_upper_case_globals)]
pub static mut errno: c_int = 0;

#[unsafe(no_mangle)]
pub extern "C" fn __errno_location() -> *mut c_int {
    &raw mut errno
}

/// Seconds since the epoch (`time`), also stored through `out` when it is not null.
///
/// # Safety
/// `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn time(out: *mut libc::time_t) -> libc::time_t {
    // The realtime clock (WASI clock 0).
    let now = match sys::clock_time_get(0, 1_000_000_000) {
        Ok(ns) => (ns / 1_000_000_000) as libc::time_t,
        Err(e) => {
            errno::set(e);
            -1
        }
    };
    if !out.is_null() {
        // SAFETY: the caller's contract.
        unsafe { *out = now };
    }
    now
}

#[unsafe(no_mangle)]
pub extern "C" fn sysconf(name: c_int) -> c_long {
    match sysconf::value(name, sys::thread_parallelism) {
        Ok(v) => v,
        Err(e) => {
            errno::set(e);
            -1
        }
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn sched_yield() -> c_int {
    errno::unit(sys::sched_yield())
}

/// # Safety
/// `ts` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_gettime(id: libc::clockid_t, ts: *mut libc::timespec) -> c_int {
    errno::unit(sys::clock_time_get(wasi_clock(id) as i32, 1).map(|ns| {
        // SAFETY: the caller's contract.
        unsafe {
            (*ts).tv_sec = (ns / 1_000_000_000) as libc::time_t;
            (*ts).tv_nsec = (ns % 1_000_000_000) as c_long;
        }
    }))
}

/// The WASI clock a `clockid_t` names. libc's `clockid_t` is a pointer to the WASI clock
/// number (wasi-libc's representation): the address of one of the `_CLOCK_*` statics below.
pub(super) fn wasi_clock(id: libc::clockid_t) -> u32 {
    // SAFETY: a pointer-sized newtype; the libc crate's CLOCK_* values point at our statics.
    unsafe { *core::mem::transmute::<libc::clockid_t, *const u32>(id) }
}

/// The clocks `libc::CLOCK_*` point at (wasi-libc's `struct __clockid`: the WASI clock id).
#[unsafe(no_mangle)]
pub static _CLOCK_REALTIME: u32 = 0;
#[unsafe(no_mangle)]
pub static _CLOCK_MONOTONIC: u32 = 1;
#[unsafe(no_mangle)]
pub static _CLOCK_PROCESS_CPUTIME_ID: u32 = 2;
#[unsafe(no_mangle)]
pub static _CLOCK_THREAD_CPUTIME_ID: u32 = 3;

/// At most 256 bytes of the host's randomness, as POSIX and wasi-libc define it (more: `EIO`).
///
/// # Safety
/// `buf` is writable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getentropy(buf: *mut c_void, len: usize) -> c_int {
    if len > 256 {
        return errno::unit(Err(Errno::IO));
    }
    if len == 0 {
        return 0;
    }
    // SAFETY: the caller's contract.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    errno::unit(sys::random_get(buf))
}

/// The pure table's names are the libc crate's (std's pinned libc has no `_SC_CLK_TCK` or
/// `_SC_OPEN_MAX` yet; their numbers are those of newer libc releases).
const _: () = {
    use sysconf::name;
    assert!(name::PAGESIZE == libc::_SC_PAGESIZE);
    assert!(name::IOV_MAX == libc::_SC_IOV_MAX);
    assert!(name::NPROCESSORS_ONLN == libc::_SC_NPROCESSORS_ONLN);
};

crate::same_signature_as_libc!(
    exit,
    _Exit,
    abort,
    __errno_location,
    sysconf,
    sched_yield,
    clock_gettime,
    getentropy
);
