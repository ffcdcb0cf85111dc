//! `dup`, `dup2`, `dup3` and `__wrap_fcntl` (adds `F_DUPFD`, `F_DUPFD_CLOEXEC`, `F_GETFD`,
//! `F_SETFD` over `fd_dup`/`fd_dup2`/`fd_fdflags_*`; every other command goes to wasi-libc's
//! `fcntl` as `__real_fcntl`).
//!
//! # Variadic `fcntl` on stable Rust
//!
//! `fcntl(int, int, ...)` cannot be *defined* on stable Rust (`c_variadic` is unstable). On
//! wasm32 the C ABI passes the variadic arguments in a caller-allocated buffer whose address is
//! an extra last parameter, so at the wasm level `fcntl` is `(i32, i32, i32) -> i32`. The
//! wrapper is therefore defined as `__wrap_fcntl(fd, cmd, va: *const c_int)`: its wasm
//! signature is exactly that of the variadic function every caller (Rust std through the
//! `libc` crate, and libc.a's own `__fdopen`) already calls, `*va` is the first variadic
//! argument, and for the delegated commands the untouched buffer pointer is handed to
//! `__real_fcntl`, declared the same way. `va` is only read for commands that take an argument.

use crate::abi::{Errno, c};

/// What a `fcntl` command does here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fcntl {
    /// `F_DUPFD`/`F_DUPFD_CLOEXEC`: lowest fd `>= min`.
    DupFd {
        min: i32,
        cloexec: bool,
    },
    GetFd,
    SetFd {
        cloexec: bool,
    },
    /// Everything else: wasi-libc (`F_GETFL`, `F_SETFL`, ...).
    Libc,
}

/// Decodes a command; `arg` reads the first variadic argument and is only called for commands
/// that take one.
pub fn decode_fcntl(cmd: i32, arg: impl FnOnce() -> i32) -> Result<Fcntl, Errno> {
    match cmd {
        c::F_DUPFD | c::F_DUPFD_CLOEXEC => {
            let min = arg();
            if min < 0 {
                return Err(Errno::INVAL);
            }
            Ok(Fcntl::DupFd {
                min,
                cloexec: cmd == c::F_DUPFD_CLOEXEC,
            })
        }
        c::F_GETFD => Ok(Fcntl::GetFd),
        c::F_SETFD => Ok(Fcntl::SetFd {
            cloexec: arg() & c::FD_CLOEXEC != 0,
        }),
        _ => Ok(Fcntl::Libc),
    }
}

/// `dup3` flags -> cloexec; `EINVAL` for anything but `O_CLOEXEC` or for `old == new`.
pub fn dup3_cloexec(old: i32, new: i32, flags: i32) -> Result<bool, Errno> {
    if old == new || flags & !c::O_CLOEXEC != 0 {
        return Err(Errno::INVAL);
    }
    Ok(flags & c::O_CLOEXEC != 0)
}

#[cfg(target_family = "wasm")]
pub(crate) mod exports {
    use core::ffi::c_int;

    use super::dup3_cloexec;
    #[cfg(target_arch = "wasm32")]
    use super::{Fcntl, decode_fcntl};
    #[cfg(target_arch = "wasm32")]
    use crate::abi::c;
    use crate::abi::{Errno, FDFLAGSEXT_CLOEXEC};
    use crate::{errno, sys};

    crate::same_signature_as_libc!(dup, dup2, dup3);

    #[cfg(target_arch = "wasm32")]
    use crate::wrapped::__real_fcntl;

    /// Similar to `dup` in POSIX.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn dup(fd: c_int) -> c_int {
        errno::int(sys::fd_dup(fd))
    }

    /// Similar to `dup2` in POSIX: a fresh duplicate is renumbered onto `new` (which closes
    /// whatever `new` was), so `old` stays open.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn dup2(old: c_int, new: c_int) -> c_int {
        if old == new {
            // POSIX: return `new` if `old` is valid.
            return errno::int(sys::fd_fdstat_get(old).map(|_| new));
        }
        errno::int(dup_onto(old, new, false))
    }

    /// Similar to `dup3` in Linux.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn dup3(old: c_int, new: c_int, flags: c_int) -> c_int {
        errno::int(dup3_cloexec(old, new, flags).and_then(|cloexec| dup_onto(old, new, cloexec)))
    }

    fn dup_onto(old: i32, new: i32, cloexec: bool) -> Result<i32, Errno> {
        if new < 0 {
            return Err(Errno::BADF);
        }
        let tmp = sys::fd_dup(old)?;
        sys::fd_renumber(tmp, new).inspect_err(|_| {
            let _ = sys::fd_close(tmp);
        })?;
        if cloexec {
            sys::fd_fdflags_set(new, FDFLAGSEXT_CLOEXEC)?;
        }
        Ok(new)
    }

    /// `fcntl` as seen by every caller (`--wrap=fcntl`); see the module doc for the varargs.
    #[cfg(target_arch = "wasm32")]
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn __wrap_fcntl(fd: c_int, cmd: c_int, va: *const c_int) -> c_int {
        // SAFETY: a command that takes an argument was called with one, so `va` points at it.
        let op = decode_fcntl(cmd, || {
            if va.is_null() {
                0
            } else {
                unsafe { va.read() }
            }
        });
        match op {
            Ok(Fcntl::DupFd { min, cloexec }) => errno::int(sys::fd_dup2(fd, min, cloexec)),
            Ok(Fcntl::GetFd) => errno::int(sys::fd_fdflags_get(fd).map(|f| {
                if f & FDFLAGSEXT_CLOEXEC != 0 {
                    c::FD_CLOEXEC
                } else {
                    0
                }
            })),
            Ok(Fcntl::SetFd { cloexec }) => errno::unit(sys::fd_fdflags_set(
                fd,
                if cloexec { FDFLAGSEXT_CLOEXEC } else { 0 },
            )),
            // SAFETY: the caller's variadic buffer is forwarded unchanged.
            Ok(Fcntl::Libc) => unsafe { __real_fcntl(fd, cmd, va) },
            Err(e) => errno::int(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcntl_commands() {
        let cases = [
            (
                c::F_DUPFD,
                3,
                Ok(Fcntl::DupFd {
                    min: 3,
                    cloexec: false,
                }),
            ),
            (
                c::F_DUPFD_CLOEXEC,
                0,
                Ok(Fcntl::DupFd {
                    min: 0,
                    cloexec: true,
                }),
            ),
            (c::F_DUPFD, -1, Err(Errno::INVAL)),
            (c::F_GETFD, 0, Ok(Fcntl::GetFd)),
            (
                c::F_SETFD,
                c::FD_CLOEXEC,
                Ok(Fcntl::SetFd { cloexec: true }),
            ),
            (c::F_SETFD, 0, Ok(Fcntl::SetFd { cloexec: false })),
            (3, 0, Ok(Fcntl::Libc)),
            (4, 0, Ok(Fcntl::Libc)),
        ];
        for (cmd, arg, want) in cases {
            assert_eq!(decode_fcntl(cmd, || arg), want, "cmd {cmd} arg {arg}");
        }
    }

    #[test]
    fn argument_is_only_read_when_taken() {
        for cmd in [c::F_GETFD, 3, 4, 99] {
            let got = decode_fcntl(cmd, || panic!("cmd {cmd} read a missing argument"));
            assert!(got.is_ok());
        }
    }

    #[test]
    fn dup3_flags() {
        let cases = [
            ((1, 5, 0), Ok(false)),
            ((1, 5, c::O_CLOEXEC), Ok(true)),
            ((5, 5, 0), Err(Errno::INVAL)),
            ((1, 5, c::O_NONBLOCK), Err(Errno::INVAL)),
        ];
        for ((o, n, f), want) in cases {
            assert_eq!(dup3_cloexec(o, n, f), want, "{o} {n} {f:#x}");
        }
    }
}
