//! `__wrap_sysconf` (`--wrap=sysconf`): `_SC_NPROCESSORS_ONLN`/`_CONF` from the host's
//! `thread_parallelism` (std's `available_parallelism`); every other name goes to wasi-libc.

use core::ffi::{c_int, c_long};

use crate::abi::c;
use crate::{errno, sys};

use crate::wrapped::__real_sysconf;

/// Similar to `sysconf` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_sysconf(name: c_int) -> c_long {
    match name {
        c::SC_NPROCESSORS_ONLN | c::SC_NPROCESSORS_CONF => match sys::thread_parallelism() {
            Ok(n) => c_long::try_from(n.max(1)).unwrap_or(c_long::MAX),
            Err(e) => {
                errno::set(e);
                -1
            }
        },
        // SAFETY: plain libc call.
        _ => unsafe { __real_sysconf(name) },
    }
}
