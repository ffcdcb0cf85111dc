//! `fork`/`vfork`: not available. A WASIX process cannot be copied in this runtime (that needs
//! the whole instance duplicated, or asyncify for vfork); the runtime answers `proc_fork` with
//! ENOSYS and says so on stderr, naming the call and `posix_spawn`/`std::process::Command`,
//! which do work.

use libc::pid_t;

use crate::{errno, sys};

crate::same_signature_as_libc!(fork, vfork);

/// Similar to `fork` in POSIX; here always -1 with errno ENOSYS.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fork() -> pid_t {
    errno::int(sys::proc_fork(true))
}

/// Similar to `vfork` in POSIX; here always -1 with errno ENOSYS.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vfork() -> pid_t {
    errno::int(sys::proc_fork(false))
}
