//! The environment: `__wasilibc_get_environ` (std's `env::vars`), `getenv`, `setenv`,
//! `unsetenv`. The table is read from the host once, on first use, into malloc'd memory;
//! `setenv` strings are never freed, since earlier `getenv` results may still point at them
//! (what musl and wasi-libc do too).

use core::ffi::{CStr, c_char, c_int};
use core::ptr;

use super::Locked;
use super::alloc::{malloc, realloc};
use crate::abi::Errno;
use crate::libc64::environ::{find, index_block};
use crate::{errno, sys};

struct Environ {
    /// Null-terminated, `len` entries, room for `cap` pointers; null until first use.
    table: *mut *mut c_char,
    len: usize,
    cap: usize,
}

// SAFETY: only reached through the lock.
unsafe impl Send for Environ {}

static ENV: Locked<Environ> = Locked::new(Environ {
    table: ptr::null_mut(),
    len: 0,
    cap: 0,
});

impl Environ {
    /// Reads the host's environment on first use.
    fn ready(&mut self) -> Result<(), Errno> {
        if !self.table.is_null() {
            return Ok(());
        }
        let (count, size) = sys::environ_sizes()?;
        let cap = count.checked_add(1).ok_or(Errno::NOMEM)?;
        let table: *mut *mut c_char = malloc(cap * size_of::<usize>()).cast();
        let block: *mut u8 = malloc(size.max(1)).cast();
        if table.is_null() || block.is_null() {
            return Err(Errno::NOMEM);
        }
        // SAFETY: both were allocated at the sizes the host gave.
        unsafe { sys::environ_get(table.cast(), block)? };
        // The table is rebuilt from the block, so a host mistake cannot point libc elsewhere.
        // SAFETY: `block` holds `size` bytes, `table` `cap` pointers.
        let (block, slots) = unsafe {
            (
                core::slice::from_raw_parts_mut(block, size),
                core::slice::from_raw_parts_mut(table, cap),
            )
        };
        index_block(block, count, slots)?;
        *self = Environ {
            table,
            len: count,
            cap,
        };
        Ok(())
    }

    /// Room for one more entry and the terminator.
    fn grow(&mut self) -> Result<(), Errno> {
        if self.len + 2 <= self.cap {
            return Ok(());
        }
        let cap = self.cap.checked_mul(2).ok_or(Errno::NOMEM)?.max(8);
        // SAFETY: the table is malloc'd.
        let table = unsafe { realloc(self.table.cast(), cap * size_of::<usize>()) };
        if table.is_null() {
            return Err(Errno::NOMEM);
        }
        self.table = table.cast();
        self.cap = cap;
        Ok(())
    }
}

/// The name's bytes, or `EINVAL` for a null, empty or `=`-containing name (POSIX).
///
/// # Safety
/// `name` is null or NUL-terminated.
unsafe fn valid_name<'a>(name: *const c_char) -> Result<&'a [u8], Errno> {
    if name.is_null() {
        return Err(Errno::INVAL);
    }
    // SAFETY: the caller's contract.
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes();
    if bytes.is_empty() || bytes.contains(&b'=') {
        return Err(Errno::INVAL);
    }
    Ok(bytes)
}

#[unsafe(no_mangle)]
pub extern "C" fn __wasilibc_get_environ() -> *mut *mut c_char {
    ENV.with(|env| match env.ready() {
        Ok(()) => env.table,
        Err(e) => {
            errno::set(e);
            ptr::null_mut()
        }
    })
}

/// # Safety
/// `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getenv(name: *const c_char) -> *mut c_char {
    // SAFETY: the caller's contract.
    let Ok(name) = (unsafe { valid_name(name) }) else {
        return ptr::null_mut();
    };
    ENV.with(|env| {
        if env.ready().is_err() {
            return ptr::null_mut();
        }
        // SAFETY: the table is null-terminated; a found entry is `name=value`.
        match unsafe { find(env.table, name) } {
            Some(i) => unsafe { (*env.table.add(i)).add(name.len() + 1) },
            None => ptr::null_mut(),
        }
    })
}

/// # Safety
/// `name` and `value` are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setenv(
    name: *const c_char,
    value: *const c_char,
    overwrite: c_int,
) -> c_int {
    // SAFETY: the caller's contract.
    let set = || -> Result<(), Errno> {
        let name = unsafe { valid_name(name)? };
        let value = unsafe { CStr::from_ptr(value) }.to_bytes();
        ENV.with(|env| {
            env.ready()?;
            // SAFETY: the table is null-terminated.
            let at = unsafe { find(env.table, name) };
            if at.is_some() && overwrite == 0 {
                return Ok(());
            }
            let entry: *mut u8 = malloc(name.len() + value.len() + 2).cast();
            if entry.is_null() {
                return Err(Errno::NOMEM);
            }
            // SAFETY: `entry` has room for `name=value\0`.
            unsafe {
                entry.copy_from_nonoverlapping(name.as_ptr(), name.len());
                *entry.add(name.len()) = b'=';
                let v = entry.add(name.len() + 1);
                v.copy_from_nonoverlapping(value.as_ptr(), value.len());
                *v.add(value.len()) = 0;
            }
            let i = match at {
                Some(i) => i,
                None => {
                    env.grow()?;
                    env.len += 1;
                    // SAFETY: `grow` made room for the entry and the terminator.
                    unsafe { *env.table.add(env.len) = ptr::null_mut() };
                    env.len - 1
                }
            };
            // SAFETY: `i < len`.
            unsafe { *env.table.add(i) = entry.cast() };
            Ok(())
        })
    };
    errno::unit(set())
}

/// # Safety
/// `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn unsetenv(name: *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    let unset = || -> Result<(), Errno> {
        let name = unsafe { valid_name(name)? };
        ENV.with(|env| {
            env.ready()?;
            // Every entry of that name goes (a host may pass duplicates).
            // SAFETY: the table stays null-terminated; entries shift down over the removed one.
            while let Some(i) = unsafe { find(env.table, name) } {
                unsafe {
                    env.table
                        .add(i)
                        .copy_from(env.table.add(i + 1), env.len - i)
                };
                env.len -= 1;
            }
            Ok(())
        })
    };
    errno::unit(unset())
}

crate::same_signature_as_libc!(getenv, setenv, unsetenv);
