//! File-descriptor functions: `pipe`/`pipe2`, `dup`/`dup2`/`dup3`, `epoll_*` and the `fcntl`
//! additions.

pub mod dup;
pub mod epoll;
pub mod pipe;

#[cfg(target_family = "wasm")]
use crate::abi::{Errno, FDFLAGS_NONBLOCK, FDFLAGSEXT_CLOEXEC};

/// Applies `O_NONBLOCK`-style and close-on-exec flags to freshly created fds; on failure the
/// fds are closed (the caller never saw them) and the error returned.
#[cfg(target_family = "wasm")]
pub fn fd_flags_or_close(fds: &[i32], nonblock: bool, cloexec: bool) -> Result<(), Errno> {
    use crate::sys;
    let apply = |fd: i32| -> Result<(), Errno> {
        if nonblock {
            let (_, flags) = sys::fd_fdstat_get(fd)?;
            sys::fd_fdstat_set_flags(fd, flags | FDFLAGS_NONBLOCK)?;
        }
        if cloexec {
            sys::fd_fdflags_set(fd, FDFLAGSEXT_CLOEXEC)?;
        }
        Ok(())
    };
    fds.iter().try_for_each(|&fd| apply(fd)).inspect_err(|_| {
        for &fd in fds {
            let _ = sys::fd_close(fd);
        }
    })
}
