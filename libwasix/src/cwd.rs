//! `__wrap_chdir` and `__wrap_getcwd` (`--wrap=chdir,getcwd`): keep the host's cwd (WASIX
//! `chdir`/`getcwd`, what spawned children inherit) and wasi-libc's emulated cwd (what libc
//! resolves relative paths against) the same.
//!
//! `chdir` runs libc's own `chdir` first (`__real_chdir`: it resolves the path against the
//! preopens and rejects what the sandbox cannot reach), then tells the host the resulting
//! absolute path; if the host refuses, libc's cwd is put back. `getcwd` answers from the host
//! and, if libc's view differs, moves libc's cwd there first, so `open("rel")` and `getcwd`
//! agree. The same sync runs once at startup (a constructor), because wasi-libc always starts
//! at `/` while the runtime may start the program elsewhere (`cargo wasix test` runs in the
//! package directory) and relative paths must resolve there from the first `open`.

use core::ffi::{CStr, c_char, c_int};
use core::ptr;

use crate::abi::Errno;
use crate::{errno, sys};

use crate::wrapped::{__real_chdir, __real_getcwd};

/// The startup sync (see the module doc), run by `__wasm_call_ctors` before `main`. It lives in
/// this module so it is linked whenever the cwd wrappers are (std always references getcwd).
#[used]
#[unsafe(link_section = ".init_array")]
static SYNC_CWD_AT_START: extern "C" fn() = sync_cwd_at_start;

extern "C" fn sync_cwd_at_start() {
    let mut buf = [0u8; 1024];
    // A host without a cwd, or one longer than the buffer: libc keeps `/`, as before.
    let Ok(n) = sys::getcwd(&mut buf[..1023]) else {
        return;
    };
    let len = buf[..n].iter().position(|&b| b == 0).unwrap_or(n);
    if len == 0 || &buf[..len] == b"/" {
        return;
    }
    buf[len] = 0;
    // SAFETY: `buf` now holds a NUL-terminated path.
    unsafe { sync_libc(buf.as_ptr().cast()) };
}

/// libc's current directory as a malloc'd string (null on failure, errno set by libc).
fn libc_cwd() -> *mut c_char {
    // SAFETY: wasi-libc's getcwd allocates the exact size for a null buffer.
    unsafe { __real_getcwd(ptr::null_mut(), 0) }
}

/// Similar to `chdir` in POSIX, keeping host and libc in step (module doc).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_chdir(path: *const c_char) -> c_int {
    if path.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let old = libc_cwd();
    // SAFETY: `path` is NUL-terminated (POSIX contract).
    if unsafe { __real_chdir(path) } != 0 {
        // SAFETY: `old` is null or malloc'd.
        unsafe { libc::free(old.cast()) };
        return -1;
    }
    let new = libc_cwd();
    let host = if new.is_null() {
        Err(Errno::NOMEM)
    } else {
        // SAFETY: a non-null result of getcwd is NUL-terminated.
        sys::chdir(unsafe { CStr::from_ptr(new) }.to_bytes())
    };
    if host.is_err() && !old.is_null() {
        // SAFETY: `old` is the NUL-terminated directory libc was in before.
        unsafe { __real_chdir(old) };
    }
    // SAFETY: both are null or malloc'd, freed once.
    unsafe {
        libc::free(old.cast());
        libc::free(new.cast());
    }
    errno::unit(host)
}

/// Similar to `getcwd` in POSIX (a null `buf` allocates, as in musl and glibc).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_getcwd(buf: *mut c_char, size: usize) -> *mut c_char {
    // Paths longer than this are returned from a malloc'd retry.
    let mut local = [0u8; 1024];
    let (bytes, heap) = match sys::getcwd(&mut local) {
        Ok(n) => (&local[..n], ptr::null_mut::<u8>()),
        Err((Errno::RANGE, need)) if need > local.len() => {
            // SAFETY: plain allocation, checked below.
            let p = unsafe { libc::malloc(need) }.cast::<u8>();
            if p.is_null() {
                errno::set(Errno::NOMEM);
                return ptr::null_mut();
            }
            // SAFETY: `p` holds `need` bytes.
            match sys::getcwd(unsafe { core::slice::from_raw_parts_mut(p, need) }) {
                // SAFETY: as above.
                Ok(n) => (unsafe { core::slice::from_raw_parts(p.cast_const(), n) }, p),
                Err((e, _)) => {
                    // SAFETY: `p` came from malloc.
                    unsafe { libc::free(p.cast()) };
                    errno::set(e);
                    return ptr::null_mut();
                }
            }
        }
        Err((e, _)) => {
            errno::set(e);
            return ptr::null_mut();
        }
    };
    // The host's answer may stop at a NUL; never copy past it.
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
    // SAFETY: `bytes` is a live slice; the result is written to the caller's buffer or a new one.
    let result = unsafe { copy_out(bytes, buf, size) };
    if !result.is_null() {
        // SAFETY: `result` now holds the NUL-terminated host cwd.
        unsafe { sync_libc(result) };
    }
    // SAFETY: `heap` is null or our malloc'd buffer.
    unsafe { libc::free(heap.cast()) };
    result
}

/// Copies `bytes` + NUL to `buf` (`size` bytes; `ERANGE` if short) or, for a null `buf`, to a
/// new malloc'd buffer of at least `size` bytes.
unsafe fn copy_out(bytes: &[u8], buf: *mut c_char, size: usize) -> *mut c_char {
    let dst = if buf.is_null() {
        // SAFETY: plain allocation, checked below.
        let p = unsafe { libc::malloc(size.max(bytes.len() + 1)) }.cast::<c_char>();
        if p.is_null() {
            errno::set(Errno::NOMEM);
            return ptr::null_mut();
        }
        p
    } else if size == 0 {
        errno::set(Errno::INVAL);
        return ptr::null_mut();
    } else if size < bytes.len() + 1 {
        errno::set(Errno::RANGE);
        return ptr::null_mut();
    } else {
        buf
    };
    // SAFETY: `dst` holds at least `bytes.len() + 1` bytes.
    unsafe {
        ptr::copy_nonoverlapping(bytes.as_ptr(), dst.cast::<u8>(), bytes.len());
        *dst.add(bytes.len()) = 0;
    }
    dst
}

/// Moves libc's emulated cwd to `host` if it differs (best effort: on failure libc keeps its
/// own view and relative paths resolve as before).
unsafe fn sync_libc(host: *const c_char) {
    let current = libc_cwd();
    if current.is_null() {
        return;
    }
    // SAFETY: both are NUL-terminated.
    let same = unsafe { CStr::from_ptr(current) == CStr::from_ptr(host) };
    // SAFETY: `current` came from malloc.
    unsafe { libc::free(current.cast()) };
    if !same {
        let saved = errno_value();
        // SAFETY: `host` is NUL-terminated.
        unsafe { __real_chdir(host) };
        errno::set(saved);
    }
}

fn errno_value() -> Errno {
    // SAFETY: the calling thread's errno slot.
    Errno(unsafe { *libc::__errno_location() } as u16)
}
