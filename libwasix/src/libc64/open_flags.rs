//! The C flag words of the file layer and what they become on the preview-1 ABI: `open`'s
//! flags into a `path_open` request (lookup flags, oflags, fdflags, rights, close-on-exec),
//! `fcntl(F_GETFL)`'s answer from an fd's flags and rights, `F_SETFL`'s flags, and
//! `utimensat`'s two timespecs into `fst_flags`.
//!
//! The C values are the libc crate's for wasi (`O_*` put WASI `oflags` at bit 12 and the
//! `fdflags` in the low bits, as wasi-libc does) plus WASIX's `O_CLOEXEC`; the wasm64 exports
//! assert each equals the libc crate's (`exports/path.rs`).

use crate::abi::Errno;

/// C constants (`fcntl.h`, `sys/stat.h` of wasi-libc; `O_CLOEXEC` from wasix-libc).
pub mod c {
    pub const O_APPEND: i32 = 0x0001;
    pub const O_DSYNC: i32 = 0x0002;
    pub const O_NONBLOCK: i32 = 0x0004;
    pub const O_RSYNC: i32 = 0x0008;
    pub const O_SYNC: i32 = 0x0010;
    pub const O_CREAT: i32 = 0x0001 << 12;
    pub const O_DIRECTORY: i32 = 0x0002 << 12;
    pub const O_EXCL: i32 = 0x0004 << 12;
    pub const O_TRUNC: i32 = 0x0008 << 12;
    pub const O_NOFOLLOW: i32 = 0x0100_0000;
    pub const O_EXEC: i32 = 0x0200_0000;
    pub const O_RDONLY: i32 = 0x0400_0000;
    pub const O_SEARCH: i32 = 0x0800_0000;
    pub const O_WRONLY: i32 = 0x1000_0000;
    pub const O_RDWR: i32 = O_RDONLY | O_WRONLY;
    pub const O_ACCMODE: i32 = O_EXEC | O_RDWR | O_SEARCH;
    /// wasix-libc's value; the plain libc crate says 0 (wasi-libc has no close-on-exec).
    pub const O_CLOEXEC: i32 = 0x4000_0000;
    pub const AT_FDCWD: i32 = -2;
    pub const AT_SYMLINK_NOFOLLOW: i32 = 0x1;
    pub const AT_SYMLINK_FOLLOW: i32 = 0x2;
    pub const AT_REMOVEDIR: i32 = 0x4;
    pub const F_GETFL: i32 = 3;
    pub const F_SETFL: i32 = 4;
    pub const UTIME_OMIT: i64 = 0xffff_fffe;
    pub const UTIME_NOW: i64 = 0xffff_ffff;
}

/// Preview-1 bit sets.
pub mod wasi {
    pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
    /// `fdflags`: append, dsync, nonblock, rsync, sync.
    pub const FDFLAGS_ALL: u16 = 0x1f;
    pub const FSTFLAGS_ATIM: u16 = 1;
    pub const FSTFLAGS_ATIM_NOW: u16 = 2;
    pub const FSTFLAGS_MTIM: u16 = 4;
    pub const FSTFLAGS_MTIM_NOW: u16 = 8;

    pub const RIGHT_FD_DATASYNC: u64 = 1 << 0;
    pub const RIGHT_FD_READ: u64 = 1 << 1;
    pub const RIGHT_FD_WRITE: u64 = 1 << 6;
    pub const RIGHT_FD_ALLOCATE: u64 = 1 << 8;
    pub const RIGHT_FD_READDIR: u64 = 1 << 14;
    pub const RIGHT_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// Every preview-1 right (`fd_datasync` .. `sock_accept`).
    pub const RIGHTS_ALL: u64 = (1 << 30) - 1;
}

use wasi::*;

/// A `path_open2` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenRequest {
    pub lookup: u32,
    pub oflags: u16,
    pub fdflags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    pub cloexec: bool,
}

/// The rights an access mode excludes; the others are all asked for, and the host narrows
/// them to what the directory may pass on and what the object can use.
const MODE_RIGHTS: u64 = RIGHT_FD_DATASYNC
    | RIGHT_FD_READ
    | RIGHT_FD_WRITE
    | RIGHT_FD_ALLOCATE
    | RIGHT_FD_READDIR
    | RIGHT_FD_FILESTAT_SET_SIZE;

/// `open`'s flags as a `path_open2` request. `EINVAL` for an access mode that is none of
/// read, write, read-write, exec or search (wasi-libc's rule; `O_RDONLY` is not 0 here).
pub fn open_request(flags: i32) -> Result<OpenRequest, Errno> {
    let mut base = RIGHTS_ALL & !MODE_RIGHTS;
    match flags & c::O_ACCMODE {
        c::O_RDONLY | c::O_WRONLY | c::O_RDWR => {
            if flags & c::O_RDONLY != 0 {
                base |= RIGHT_FD_READ | RIGHT_FD_READDIR;
            }
            if flags & c::O_WRONLY != 0 {
                base |= RIGHT_FD_DATASYNC
                    | RIGHT_FD_WRITE
                    | RIGHT_FD_ALLOCATE
                    | RIGHT_FD_FILESTAT_SET_SIZE;
            }
        }
        c::O_EXEC | c::O_SEARCH => {}
        _ => return Err(Errno::INVAL),
    }
    Ok(OpenRequest {
        lookup: if flags & c::O_NOFOLLOW == 0 {
            LOOKUP_SYMLINK_FOLLOW
        } else {
            0
        },
        oflags: ((flags >> 12) & 0xfff) as u16,
        fdflags: (flags & 0xfff) as u16 & FDFLAGS_ALL,
        rights_base: base,
        rights_inheriting: RIGHTS_ALL,
        cloexec: flags & c::O_CLOEXEC != 0,
    })
}

/// `fcntl(F_GETFL)`: the fd's `fdflags` plus the access mode its rights show.
pub fn getfl(fdflags: u16, rights_base: u64) -> i32 {
    let reads = rights_base & (RIGHT_FD_READ | RIGHT_FD_READDIR) != 0;
    let writes = rights_base & RIGHT_FD_WRITE != 0;
    let mode = match (reads, writes) {
        (true, true) => c::O_RDWR,
        (true, false) => c::O_RDONLY,
        (false, true) => c::O_WRONLY,
        (false, false) => c::O_SEARCH,
    };
    i32::from(fdflags & FDFLAGS_ALL) | mode
}

/// `fcntl(F_SETFL)`: the `fdflags` to set (access mode and creation bits are ignored, as
/// POSIX says).
pub fn setfl(flags: i32) -> u16 {
    (flags & 0xfff) as u16 & FDFLAGS_ALL
}

/// A C `timespec` as `(tv_sec, tv_nsec)`.
pub type Timespec = (i64, i64);

/// `utimensat`/`futimens` times (`None`: both "now") as `(atim, mtim, fst_flags)` in
/// nanoseconds. `EINVAL` for a `tv_nsec` outside 0..1e9 that is not `UTIME_NOW`/`UTIME_OMIT`,
/// or a time before 1970 (WASI timestamps are unsigned).
pub fn set_times(times: Option<[Timespec; 2]>) -> Result<(u64, u64, u16), Errno> {
    let Some([atime, mtime]) = times else {
        return Ok((0, 0, FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM_NOW));
    };
    let one = |(sec, nsec): Timespec, set: u16, now: u16| -> Result<(u64, u16), Errno> {
        match nsec {
            c::UTIME_OMIT => Ok((0, 0)),
            c::UTIME_NOW => Ok((0, now)),
            0..=999_999_999 => {
                let sec = u64::try_from(sec).map_err(|_| Errno::INVAL)?;
                let ns = sec
                    .checked_mul(1_000_000_000)
                    .and_then(|s| s.checked_add(nsec as u64))
                    .ok_or(Errno::INVAL)?;
                Ok((ns, set))
            }
            _ => Err(Errno::INVAL),
        }
    };
    let (atim, a) = one(atime, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW)?;
    let (mtim, m) = one(mtime, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW)?;
    Ok((atim, mtim, a | m))
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: u64 = RIGHT_FD_READ | RIGHT_FD_READDIR;
    const WRITE: u64 =
        RIGHT_FD_DATASYNC | RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE;
    const OTHERS: u64 = RIGHTS_ALL & !MODE_RIGHTS;

    #[test]
    fn open_flags_table() {
        // (C flags, lookup, oflags, fdflags, base rights, cloexec) — what std's OpenOptions
        // pass (always with O_CLOEXEC) and the corner cases.
        let cases = [
            (c::O_RDONLY | c::O_CLOEXEC, 1, 0, 0, OTHERS | READ, true),
            (
                c::O_WRONLY | c::O_CREAT | c::O_TRUNC | c::O_CLOEXEC,
                1,
                1 | 8,
                0,
                OTHERS | WRITE,
                true,
            ),
            (
                c::O_RDWR | c::O_CREAT | c::O_EXCL,
                1,
                1 | 4,
                0,
                OTHERS | READ | WRITE,
                false,
            ),
            (
                c::O_WRONLY | c::O_APPEND | c::O_CREAT,
                1,
                1,
                1,
                OTHERS | WRITE,
                false,
            ),
            (
                c::O_RDONLY | c::O_DIRECTORY | c::O_NOFOLLOW,
                0,
                2,
                0,
                OTHERS | READ,
                false,
            ),
            (
                c::O_RDWR | c::O_NONBLOCK | c::O_SYNC | c::O_DSYNC | c::O_RSYNC | c::O_APPEND,
                1,
                0,
                0x1f,
                OTHERS | READ | WRITE,
                false,
            ),
            (c::O_SEARCH | c::O_DIRECTORY, 1, 2, 0, OTHERS, false),
            (c::O_EXEC, 1, 0, 0, OTHERS, false),
        ];
        for (flags, lookup, oflags, fdflags, base, cloexec) in cases {
            assert_eq!(
                open_request(flags),
                Ok(OpenRequest {
                    lookup,
                    oflags,
                    fdflags,
                    rights_base: base,
                    rights_inheriting: RIGHTS_ALL,
                    cloexec,
                }),
                "{flags:#x}"
            );
        }
        // No access mode, or two that exclude each other.
        for bad in [
            0,
            c::O_CREAT,
            c::O_EXEC | c::O_RDONLY,
            c::O_SEARCH | c::O_WRONLY,
        ] {
            assert_eq!(open_request(bad), Err(Errno::INVAL), "{bad:#x}");
        }
    }

    #[test]
    fn getfl_reports_the_mode_the_rights_allow() {
        let cases = [
            (0, OTHERS | READ, c::O_RDONLY),
            (0, OTHERS | WRITE, c::O_WRONLY),
            (1, OTHERS | READ | WRITE, c::O_RDWR | c::O_APPEND),
            (4, RIGHT_FD_READDIR, c::O_RDONLY | c::O_NONBLOCK),
            (0, 0, c::O_SEARCH),
            (0xffff, RIGHT_FD_WRITE, c::O_WRONLY | 0x1f),
        ];
        for (fdflags, rights, want) in cases {
            assert_eq!(getfl(fdflags, rights), want, "{fdflags:#x} {rights:#x}");
        }
        assert_eq!(setfl(c::O_RDWR | c::O_NONBLOCK | c::O_CREAT), 4);
        assert_eq!(setfl(c::O_APPEND | c::O_CLOEXEC), 1);
    }

    #[test]
    fn times_table() {
        let now = FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM_NOW;
        assert_eq!(set_times(None), Ok((0, 0, now)));
        let cases = [
            (
                [(1, 5), (2, 0)],
                Ok((1_000_000_005, 2_000_000_000, FSTFLAGS_ATIM | FSTFLAGS_MTIM)),
            ),
            (
                [(9, c::UTIME_OMIT), (0, c::UTIME_NOW)],
                Ok((0, 0, FSTFLAGS_MTIM_NOW)),
            ),
            (
                [(0, c::UTIME_NOW), (3, c::UTIME_OMIT)],
                Ok((0, 0, FSTFLAGS_ATIM_NOW)),
            ),
            ([(0, c::UTIME_OMIT), (0, c::UTIME_OMIT)], Ok((0, 0, 0))),
            ([(0, 1_000_000_000), (0, 0)], Err(Errno::INVAL)),
            ([(0, -1), (0, 0)], Err(Errno::INVAL)),
            ([(-1, 0), (0, 0)], Err(Errno::INVAL)),
            ([(0, 0), (i64::MAX, 0)], Err(Errno::INVAL)),
        ];
        for (times, want) in cases {
            assert_eq!(set_times(Some(times)), want, "{times:?}");
        }
    }
}
