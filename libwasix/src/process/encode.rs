//! posix_spawn marshalling for `proc_spawn2` and wait-status encoding for `proc_join` (pure).
//!
//! * argv/envp travel as one buffer of `\n`-terminated entries (wasix-libc's
//!   `__wasilibc_exec_combine_strings`); an entry containing `\n` cannot be expressed and is
//!   `EINVAL`, rather than silently splitting it.
//! * File actions become 56-byte `proc_spawn_fd_op` records (layout below, align 8).
//! * Signal dispositions are 2-byte `{signal, disposition}` records; `POSIX_SPAWN_SETSIGDEF`
//!   yields DEFAULT (0) for each signal of the set. This libc has no `signal()`, so there are
//!   never inherited IGNORE entries.
//! * Wait statuses use musl's encoding: exited `code << 8`, killed `sig`, stopped
//!   `sig << 8 | 0x7f`, which the libc overlay's `W*` functions decode.

use crate::abi::{Errno, FDFLAGSEXT_CLOEXEC, JOIN_NON_BLOCKING, JOIN_WAKE_STOPPED, c};

/// A recorded file action, in the order the caller added it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdOp {
    Close {
        fd: i32,
    },
    /// `dup2(src, fd)` in the child.
    Dup2 {
        src: i32,
        fd: i32,
    },
    /// `open(path, oflag)` as `fd`; `path` is a guest pointer + length (no NUL).
    Open {
        fd: i32,
        path: u64,
        path_len: u64,
        oflag: i32,
    },
    Chdir {
        path: u64,
        path_len: u64,
    },
    Fchdir {
        fd: i32,
    },
}

/// `proc_spawn_fd_op_name`.
const OP_CLOSE: u8 = 0;
const OP_DUP2: u8 = 1;
const OP_OPEN: u8 = 2;
const OP_CHDIR: u8 = 3;
const OP_FCHDIR: u8 = 4;

/// preview-1 rights: `fd_read` (bit 1) and `fd_write` (bit 6) follow the access mode; all other
/// rights are granted (the host still checks the file system).
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const ALL_RIGHTS: u64 = (1 << 39) - 1;

/// Field offsets of a `proc_spawn_fd_op` record for one pointer width: cmd u8 @0, fd u32 @4,
/// src_fd u32 @8, then the pointer-sized path and path_len (4 bytes each on wasm32 @12/@16, 8
/// bytes each on wasm64 @16/@24), dirflags u32, oflags u16, the two rights u64, fdflags u16,
/// fdflagsext u16 (`reference/wasix-abi.md` §3; the runtime's `proc::fdops` reads both).
#[derive(Debug)]
pub struct FdOpLayout {
    pub size: usize,
    path: usize,
    ptr_bytes: usize,
    dirflags: usize,
    oflags: usize,
    rights: usize,
    fdflags: usize,
}

pub const WASM32_FD_OP: FdOpLayout = FdOpLayout {
    size: 56,
    path: 12,
    ptr_bytes: 4,
    dirflags: 20,
    oflags: 24,
    rights: 32,
    fdflags: 48,
};

pub const WASM64_FD_OP: FdOpLayout = FdOpLayout {
    size: 64,
    path: 16,
    ptr_bytes: 8,
    dirflags: 32,
    oflags: 36,
    rights: 40,
    fdflags: 56,
};

/// The layout of the target this code runs on.
pub const FD_OP: &FdOpLayout = if cfg!(target_pointer_width = "64") {
    &WASM64_FD_OP
} else {
    &WASM32_FD_OP
};

/// Encodes a `proc_spawn_fd_op` for this target (the first `FD_OP.size` bytes are the record).
pub fn encode_fd_op(op: &FdOp) -> [u8; 64] {
    encode_fd_op_in(op, FD_OP)
}

/// Encodes a `proc_spawn_fd_op` in layout `l` (the first `l.size` bytes are the record).
pub fn encode_fd_op_in(op: &FdOp, l: &FdOpLayout) -> [u8; 64] {
    let mut rec = [0u8; 64];
    let mut put = |at: usize, bytes: &[u8]| rec[at..at + bytes.len()].copy_from_slice(bytes);
    // A pointer-sized field: the low `ptr_bytes` of the little-endian value.
    let ptr_field = |v: u64| -> ([u8; 8], usize) { (v.to_le_bytes(), l.ptr_bytes) };
    match *op {
        FdOp::Close { fd } => {
            put(0, &[OP_CLOSE]);
            put(4, &fd.to_le_bytes());
        }
        FdOp::Dup2 { src, fd } => {
            put(0, &[OP_DUP2]);
            put(4, &fd.to_le_bytes());
            put(8, &src.to_le_bytes());
        }
        FdOp::Open {
            fd,
            path,
            path_len,
            oflag,
        } => {
            put(0, &[OP_OPEN]);
            put(4, &fd.to_le_bytes());
            let (p, n) = ptr_field(path);
            put(l.path, &p[..n]);
            let (len, n) = ptr_field(path_len);
            put(l.path + n, &len[..n]);
            // lookupflags: SYMLINK_FOLLOW unless O_NOFOLLOW.
            let dirflags: u32 = if oflag & c::O_NOFOLLOW != 0 { 0 } else { 1 };
            put(l.dirflags, &dirflags.to_le_bytes());
            // wasi-libc's O_* encoding: oflags in bits 12..24, fdflags in bits 0..12.
            put(l.oflags, &(((oflag >> 12) & 0xfff) as u16).to_le_bytes());
            let mut rights = ALL_RIGHTS & !(RIGHT_FD_READ | RIGHT_FD_WRITE);
            if oflag & c::O_RDONLY != 0 {
                rights |= RIGHT_FD_READ;
            }
            if oflag & c::O_WRONLY != 0 {
                rights |= RIGHT_FD_WRITE;
            }
            put(l.rights, &rights.to_le_bytes());
            put(l.rights + 8, &ALL_RIGHTS.to_le_bytes());
            put(l.fdflags, &((oflag & 0xfff) as u16).to_le_bytes());
            let ext = if oflag & c::O_CLOEXEC != 0 {
                FDFLAGSEXT_CLOEXEC
            } else {
                0
            };
            put(l.fdflags + 2, &ext.to_le_bytes());
        }
        FdOp::Chdir { path, path_len } => {
            put(0, &[OP_CHDIR]);
            let (p, n) = ptr_field(path);
            put(l.path, &p[..n]);
            let (len, n) = ptr_field(path_len);
            put(l.path + n, &len[..n]);
        }
        FdOp::Fchdir { fd } => {
            put(0, &[OP_FCHDIR]);
            put(4, &fd.to_le_bytes());
        }
    }
    rec
}

/// Total length of the `\n`-terminated list of `entries`, or `EINVAL` if one contains `\n`.
pub fn list_len<'a>(entries: impl Iterator<Item = &'a [u8]>) -> Result<usize, Errno> {
    let mut total = 0usize;
    for e in entries {
        if e.contains(&b'\n') {
            return Err(Errno::INVAL);
        }
        total = total.checked_add(e.len() + 1).ok_or(Errno::NOMEM)?;
    }
    Ok(total)
}

/// Writes the list into `out` (exactly `list_len` bytes long).
pub fn write_list<'a>(
    entries: impl Iterator<Item = &'a [u8]>,
    out: &mut [u8],
) -> Result<(), Errno> {
    let mut at = 0;
    for e in entries {
        let end = at + e.len();
        out.get_mut(at..end).ok_or(Errno::INVAL)?.copy_from_slice(e);
        *out.get_mut(end).ok_or(Errno::INVAL)? = b'\n';
        at = end + 1;
    }
    if at == out.len() {
        Ok(())
    } else {
        Err(Errno::INVAL)
    }
}

/// Checks `posix_spawnattr` flags: what WASIX cannot do is `ENOTSUP` instead of being ignored.
/// A signal mask is accepted only when empty (the child's default), see `check_sigmask`.
pub fn check_spawn_flags(flags: i32) -> Result<(), Errno> {
    let unsupported = c::POSIX_SPAWN_RESETIDS
        | c::POSIX_SPAWN_SETPGROUP
        | c::POSIX_SPAWN_SETSCHEDPARAM
        | c::POSIX_SPAWN_SETSCHEDULER
        | c::POSIX_SPAWN_SETSID;
    if flags & unsupported != 0 {
        Err(Errno::NOTSUP)
    } else {
        Ok(())
    }
}

/// `POSIX_SPAWN_SETSIGMASK` with a non-empty mask cannot be passed to the child.
pub fn check_sigmask(flags: i32, mask: u64) -> Result<(), Errno> {
    if flags & c::POSIX_SPAWN_SETSIGMASK != 0 && mask != 0 {
        Err(Errno::NOTSUP)
    } else {
        Ok(())
    }
}

/// The signal-disposition records for `POSIX_SPAWN_SETSIGDEF` with set `def` (bit n-1 =
/// signal n): `(signal, DEFAULT)` pairs.
pub fn sigdefault_records(flags: i32, def: u64) -> impl Iterator<Item = [u8; 2]> {
    let def = if flags & c::POSIX_SPAWN_SETSIGDEF != 0 {
        def
    } else {
        0
    };
    (1u8..=64)
        .filter(move |s| def & (1u64 << (s - 1)) != 0)
        .map(|s| [s, 0])
}

/// Signal-set bit for `signum`, or `EINVAL` outside 1..NSIG.
pub fn sig_bit(signum: i32) -> Result<u64, Errno> {
    if (1..c::NSIG).contains(&signum) {
        Ok(1u64 << (signum - 1))
    } else {
        Err(Errno::INVAL)
    }
}

/// waitpid's `pid` -> the `option_pid` to join: `-1` and `0` = any child (WASIX has no process
/// groups, so every child is in the caller's group), `> 0` that child; other groups have no
/// children (`ECHILD`).
pub fn join_target(pid: i32) -> Result<Option<u32>, Errno> {
    match pid {
        -1 | 0 => Ok(None),
        p if p > 0 => Ok(Some(p as u32)),
        _ => Err(Errno::CHILD),
    }
}

/// waitpid's `options` -> `join_flags`.
pub fn join_flags(options: i32) -> Result<u32, Errno> {
    if options & !(c::WNOHANG | c::WUNTRACED) != 0 {
        return Err(Errno::INVAL);
    }
    let mut f = 0;
    if options & c::WNOHANG != 0 {
        f |= JOIN_NON_BLOCKING;
    }
    if options & c::WUNTRACED != 0 {
        f |= JOIN_WAKE_STOPPED;
    }
    Ok(f)
}

/// A decoded `join_status` (tag @0; exit code u16 @2; signal u8 @4 for EXIT_SIGNAL, @2 for
/// STOPPED): `None` = nothing to report (WNOHANG), else the musl-encoded wait status.
pub fn wait_status(rec: &[u8; 6]) -> Result<Option<i32>, Errno> {
    let code = i32::from(u16::from_le_bytes([rec[2], rec[3]]));
    match rec[0] {
        0 => Ok(None),
        1 => Ok(Some((code & 0xff) << 8)),
        2 => Ok(Some(i32::from(rec[4]) & 0x7f)),
        3 => Ok(Some((i32::from(rec[2]) << 8) | 0x7f)),
        _ => Err(Errno::INVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(rec: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(rec[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn fd_op_records() {
        let close = encode_fd_op_in(&FdOp::Close { fd: 7 }, &WASM32_FD_OP);
        assert_eq!((close[0], u32_at(&close, 4)), (OP_CLOSE, 7));
        let dup = encode_fd_op_in(&FdOp::Dup2 { src: 5, fd: 1 }, &WASM32_FD_OP);
        assert_eq!((dup[0], u32_at(&dup, 4), u32_at(&dup, 8)), (OP_DUP2, 1, 5));
        let chdir = encode_fd_op_in(
            &FdOp::Chdir {
                path: 0x1000,
                path_len: 4,
            },
            &WASM32_FD_OP,
        );
        assert_eq!(
            (chdir[0], u32_at(&chdir, 12), u32_at(&chdir, 16)),
            (OP_CHDIR, 0x1000, 4)
        );
        let fchdir = encode_fd_op_in(&FdOp::Fchdir { fd: 9 }, &WASM32_FD_OP);
        assert_eq!((fchdir[0], u32_at(&fchdir, 4)), (OP_FCHDIR, 9));
        // O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC in wasi-libc's encoding.
        let oflag = c::O_WRONLY | (1 << 12) | (8 << 12) | 1 | c::O_CLOEXEC;
        let open = encode_fd_op_in(
            &FdOp::Open {
                fd: 2,
                path: 0x2000,
                path_len: 8,
                oflag,
            },
            &WASM32_FD_OP,
        );
        assert_eq!(open[0], OP_OPEN);
        assert_eq!(
            (u32_at(&open, 4), u32_at(&open, 12), u32_at(&open, 16)),
            (2, 0x2000, 8)
        );
        assert_eq!(u32_at(&open, 20), 1, "follow symlinks");
        assert_eq!(u16::from_le_bytes([open[24], open[25]]), 9, "CREAT|TRUNC");
        let rights = u64::from_le_bytes(open[32..40].try_into().unwrap());
        assert_eq!(rights & (RIGHT_FD_READ | RIGHT_FD_WRITE), RIGHT_FD_WRITE);
        assert_eq!(u16::from_le_bytes([open[48], open[49]]), 1, "APPEND");
        assert_eq!(u16::from_le_bytes([open[50], open[51]]), FDFLAGSEXT_CLOEXEC);
        let ro = encode_fd_op_in(
            &FdOp::Open {
                fd: 0,
                path: 1,
                path_len: 1,
                oflag: c::O_RDONLY | c::O_NOFOLLOW,
            },
            &WASM32_FD_OP,
        );
        assert_eq!(u32_at(&ro, 20), 0, "O_NOFOLLOW");
        let rights = u64::from_le_bytes(ro[32..40].try_into().unwrap());
        assert_eq!(rights & (RIGHT_FD_READ | RIGHT_FD_WRITE), RIGHT_FD_READ);
        assert_eq!(u16::from_le_bytes([ro[50], ro[51]]), 0);
    }

    /// wasm64 widens the path pointer and length to 8 bytes and shifts everything after them.
    #[test]
    fn fd_op_records_wasm64() {
        let u64_at =
            |rec: &[u8], at: usize| u64::from_le_bytes(rec[at..at + 8].try_into().unwrap());
        let oflag = c::O_WRONLY | (1 << 12) | (8 << 12) | 1 | c::O_CLOEXEC;
        let open = encode_fd_op_in(
            &FdOp::Open {
                fd: 2,
                path: 0x1_0000_2000,
                path_len: 8,
                oflag,
            },
            &WASM64_FD_OP,
        );
        assert_eq!((open[0], u32_at(&open, 4)), (OP_OPEN, 2));
        assert_eq!((u64_at(&open, 16), u64_at(&open, 24)), (0x1_0000_2000, 8));
        assert_eq!(u32_at(&open, 32), 1, "follow symlinks");
        assert_eq!(u16::from_le_bytes([open[36], open[37]]), 9, "CREAT|TRUNC");
        assert_eq!(
            u64_at(&open, 40) & (RIGHT_FD_READ | RIGHT_FD_WRITE),
            RIGHT_FD_WRITE
        );
        assert_eq!(u64_at(&open, 48), ALL_RIGHTS);
        assert_eq!(u16::from_le_bytes([open[56], open[57]]), 1, "APPEND");
        assert_eq!(u16::from_le_bytes([open[58], open[59]]), FDFLAGSEXT_CLOEXEC);
        let chdir = encode_fd_op_in(
            &FdOp::Chdir {
                path: 0x2_0000_0000,
                path_len: 5,
            },
            &WASM64_FD_OP,
        );
        assert_eq!(
            (chdir[0], u64_at(&chdir, 16), u64_at(&chdir, 24)),
            (OP_CHDIR, 0x2_0000_0000, 5)
        );
        assert!(chdir[WASM64_FD_OP.size..].iter().all(|&b| b == 0));
        assert_eq!((WASM32_FD_OP.size, WASM64_FD_OP.size), (56, 64));
    }

    #[test]
    fn lists() {
        let args: [&[u8]; 3] = [b"prog", b"a b", b""];
        let n = list_len(args.iter().copied()).unwrap();
        assert_eq!(n, 10);
        let mut out = vec![0u8; n];
        write_list(args.iter().copied(), &mut out).unwrap();
        assert_eq!(out, b"prog\na b\n\n");
        assert_eq!(list_len([&b"x\ny"[..]].into_iter()), Err(Errno::INVAL));
        assert_eq!(list_len(core::iter::empty()), Ok(0));
        let mut short = [0u8; 3];
        assert_eq!(
            write_list([&b"abc"[..]].into_iter(), &mut short),
            Err(Errno::INVAL)
        );
    }

    #[test]
    fn spawn_attr_checks() {
        let cases = [
            (0, Ok(())),
            (
                c::POSIX_SPAWN_SETSIGDEF | c::POSIX_SPAWN_SETSIGMASK | c::POSIX_SPAWN_USEVFORK,
                Ok(()),
            ),
            (c::POSIX_SPAWN_SETPGROUP, Err(Errno::NOTSUP)),
            (c::POSIX_SPAWN_SETSID, Err(Errno::NOTSUP)),
            (c::POSIX_SPAWN_RESETIDS, Err(Errno::NOTSUP)),
        ];
        for (f, want) in cases {
            assert_eq!(check_spawn_flags(f), want, "{f:#x}");
        }
        assert_eq!(check_sigmask(c::POSIX_SPAWN_SETSIGMASK, 0), Ok(()));
        assert_eq!(
            check_sigmask(c::POSIX_SPAWN_SETSIGMASK, 1 << 12),
            Err(Errno::NOTSUP)
        );
        assert_eq!(check_sigmask(0, 1 << 12), Ok(()));
    }

    #[test]
    fn signal_records() {
        let pipe_and_term = (1u64 << 12) | (1 << 14);
        let got: Vec<_> = sigdefault_records(c::POSIX_SPAWN_SETSIGDEF, pipe_and_term).collect();
        assert_eq!(got, [[13, 0], [15, 0]]);
        assert_eq!(sigdefault_records(0, pipe_and_term).count(), 0);
        assert_eq!(
            sigdefault_records(c::POSIX_SPAWN_SETSIGDEF, u64::MAX).count(),
            64
        );
        let bits = [
            (1, Ok(1)),
            (13, Ok(1 << 12)),
            (64, Ok(1 << 63)),
            (0, Err(Errno::INVAL)),
            (65, Err(Errno::INVAL)),
        ];
        for (s, want) in bits {
            assert_eq!(sig_bit(s), want, "sig {s}");
        }
    }

    #[test]
    fn waitpid_arguments() {
        let targets = [
            (-1, Ok(None)),
            (0, Ok(None)),
            (42, Ok(Some(42))),
            (-5, Err(Errno::CHILD)),
        ];
        for (p, want) in targets {
            assert_eq!(join_target(p), want, "pid {p}");
        }
        let flags = [
            (0, Ok(0)),
            (c::WNOHANG, Ok(1)),
            (c::WNOHANG | c::WUNTRACED, Ok(3)),
            (8, Err(Errno::INVAL)),
        ];
        for (o, want) in flags {
            assert_eq!(join_flags(o), want, "options {o}");
        }
    }

    #[test]
    fn wait_statuses() {
        // Decoded with the musl macros as the libc overlay defines them.
        let exited = |s: i32| s & 0x7f == 0;
        let cases = [
            ([0, 0, 0, 0, 0, 0], Ok(None)),
            ([1, 0, 3, 0, 0, 0], Ok(Some(0x300))),
            ([1, 0, 0, 1, 0, 0], Ok(Some(0))), // exit(256) is 0, as on POSIX
            ([2, 0, 0, 0, 9, 0], Ok(Some(9))),
            ([3, 0, 19, 0, 0, 0], Ok(Some(0x137f))),
            ([7, 0, 0, 0, 0, 0], Err(Errno::INVAL)),
        ];
        for (rec, want) in cases {
            assert_eq!(wait_status(&rec), want, "{rec:?}");
        }
        let s = wait_status(&[1, 0, 42, 0, 0, 0]).unwrap().unwrap();
        assert!(exited(s) && (s >> 8) & 0xff == 42);
        let k = wait_status(&[2, 0, 0, 0, 15, 0]).unwrap().unwrap();
        assert!(!exited(k) && ((k & 0xffff) as u32).wrapping_sub(1) < 0xff && k & 0x7f == 15);
    }
}
