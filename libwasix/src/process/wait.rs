//! `waitpid`/`wait` over `proc_join`, `kill` over `proc_signal`, `getpid`/`getppid` over
//! `proc_id`/`proc_parent`. Wait statuses use musl's encoding (`process::encode`).

use core::ffi::c_int;

use libc::pid_t;

use super::encode::{join_flags, join_target, wait_status};
use crate::abi::{Errno, c};
use crate::{errno, sys};

crate::same_signature_as_libc!(waitpid, wait, kill, getpid, getppid);

/// Similar to `waitpid` in POSIX; with `WNOHANG` and no change it returns 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn waitpid(pid: pid_t, status: *mut c_int, options: c_int) -> pid_t {
    let r = (|| {
        let (child, rec) = sys::proc_join(join_target(pid)?, join_flags(options)?)?;
        match wait_status(&rec)? {
            None => Ok(0),
            Some(s) => {
                if !status.is_null() {
                    // SAFETY: a non-null `status` is writable (POSIX contract).
                    unsafe { status.write(s) };
                }
                Ok(child)
            }
        }
    })();
    errno::int(r)
}

/// Similar to `wait` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wait(status: *mut c_int) -> pid_t {
    // SAFETY: forwarded caller contract.
    unsafe { waitpid(-1, status, 0) }
}

/// Similar to `kill` in POSIX, for one process (`pid > 0`): WASIX has no process groups, so
/// `pid <= 0` is `ENOTSUP`. Signal 0 checks that the process exists.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kill(pid: pid_t, sig: c_int) -> c_int {
    // WASIX `signal` is a u8 enum of the 31 Linux signals; there are no real-time signals.
    if !(0..=31).contains(&sig) || sig >= c::NSIG {
        return errno::int(Err(Errno::INVAL));
    }
    if pid <= 0 {
        return errno::int(Err(Errno::NOTSUP));
    }
    errno::unit(sys::proc_signal(pid, sig))
}

/// Similar to `getpid` in POSIX (`-1` with errno only if the host lacks processes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getpid() -> pid_t {
    errno::int(sys::proc_id())
}

/// Similar to `getppid` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getppid() -> pid_t {
    errno::int(sys::proc_id().and_then(sys::proc_parent))
}
