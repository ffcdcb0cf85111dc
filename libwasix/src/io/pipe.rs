//! `pipe` and `pipe2` over `fd_pipe`; `O_NONBLOCK`/`O_CLOEXEC` are applied to both ends.

use crate::abi::{Errno, c};

/// `pipe2` flags -> (nonblock, cloexec); anything else is `EINVAL`.
pub fn pipe2_flags(flags: i32) -> Result<(bool, bool), Errno> {
    if flags & !(c::O_NONBLOCK | c::O_CLOEXEC) != 0 {
        return Err(Errno::INVAL);
    }
    Ok((flags & c::O_NONBLOCK != 0, flags & c::O_CLOEXEC != 0))
}

#[cfg(target_family = "wasm")]
mod exports {
    use core::ffi::c_int;

    use super::pipe2_flags;
    use crate::abi::Errno;
    use crate::{errno, io, sys};

    crate::same_signature_as_libc!(pipe, pipe2);

    /// Similar to `pipe` in POSIX.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn pipe(fds: *mut c_int) -> c_int {
        // SAFETY: forwarded caller contract.
        unsafe { pipe2(fds, 0) }
    }

    /// Similar to `pipe2` in Linux.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn pipe2(fds: *mut c_int, flags: c_int) -> c_int {
        if fds.is_null() {
            return errno::int(Err(Errno::FAULT));
        }
        errno::unit(pipe2_flags(flags).and_then(|(nonblock, cloexec)| {
            let (r, w) = sys::fd_pipe()?;
            io::fd_flags_or_close(&[r, w], nonblock, cloexec)?;
            // SAFETY: `fds` is non-null and points to two ints (POSIX contract).
            unsafe {
                fds.write(r);
                fds.add(1).write(w);
            }
            Ok(())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let cases = [
            (0, Ok((false, false))),
            (c::O_NONBLOCK, Ok((true, false))),
            (c::O_CLOEXEC, Ok((false, true))),
            (c::O_NONBLOCK | c::O_CLOEXEC, Ok((true, true))),
            (c::O_RDONLY, Err(Errno::INVAL)),
            (1, Err(Errno::INVAL)),
        ];
        for (f, want) in cases {
            assert_eq!(pipe2_flags(f), want, "{f:#x}");
        }
    }
}
