//! Preview-1 rights: what each kind of fd may hold, how `path_open` derives a new fd's rights
//! from its directory, and the checks the syscalls make.
//!
//! Preview 1 gives every fd a *base* set (what the fd itself may do) and an *inheriting* set
//! (the most an fd opened through it may get). The rules, as preview 1 defines them and
//! wasi-testsuite checks them:
//! - `path_open` grants the requested base and inheriting rights narrowed by the directory's
//!   inheriting rights (silently, as Wasmer does; std's wasip1 `OpenOptions` expects it), then
//!   by what the object can use: a directory never holds `fd_read`, `fd_write`, `fd_seek`, ...
//!   ([`DIRECTORY`]), a file never holds `path_*` rights ([`REGULAR_FILE`]).
//! - `fd_fdstat_set_rights` only narrows (widening is `ENOTCAPABLE`).
//! - A missing right is `ENOTCAPABLE`.
//!
//! Which calls check which rights: the data path, where a POSIX open mode would refuse too
//! (`fd_read`/`fd_pread`/`fd_readdir`, `fd_write`/`fd_pwrite`, `fd_seek`/`fd_tell`,
//! `fd_allocate`, `fd_filestat_set_size`), and every `path_*` call on its directory fd (the
//! capability model; there is no POSIX analogue). Calls POSIX allows on any open fd — `fstat`,
//! `futimens`, `fsync`/`fdatasync`, `posix_fadvise`, `fcntl(F_SETFL)` — are not checked, so a
//! program that syncs or stats a read-only handle keeps working. Fds that are not opened by
//! path (stdio, pipes, sockets, event fds, epoll) hold every right.

use crate::abi::Errno;
use crate::abi::types::{oflags, rights::*};

/// Every right that applies to a regular file.
pub const REGULAR_FILE: u64 = FD_DATASYNC
    | FD_READ
    | FD_SEEK
    | FD_FDSTAT_SET_FLAGS
    | FD_SYNC
    | FD_TELL
    | FD_WRITE
    | FD_ADVISE
    | FD_ALLOCATE
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_SIZE
    | FD_FILESTAT_SET_TIMES
    | POLL_FD_READWRITE;

/// Every right that applies to a directory.
pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
    | FD_SYNC
    | FD_ADVISE
    | PATH_CREATE_DIRECTORY
    | PATH_CREATE_FILE
    | PATH_LINK_SOURCE
    | PATH_LINK_TARGET
    | PATH_OPEN
    | FD_READDIR
    | PATH_READLINK
    | PATH_RENAME_SOURCE
    | PATH_RENAME_TARGET
    | PATH_FILESTAT_GET
    | PATH_FILESTAT_SET_SIZE
    | PATH_FILESTAT_SET_TIMES
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_TIMES
    | PATH_SYMLINK
    | PATH_UNLINK_FILE
    | PATH_REMOVE_DIRECTORY
    | POLL_FD_READWRITE;

/// What a directory may pass on: directory and file rights.
pub const DIRECTORY_INHERITING: u64 = DIRECTORY | REGULAR_FILE;

/// Base and inheriting rights of one fd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights {
    pub base: u64,
    pub inheriting: u64,
}

impl Rights {
    /// Every right (fds not opened by path).
    pub const ALL: Rights = Rights {
        base: ALL,
        inheriting: ALL,
    };

    /// A preopened directory: everything a directory can do, and pass on.
    pub const PREOPEN_DIR: Rights = Rights {
        base: DIRECTORY,
        inheriting: DIRECTORY_INHERITING,
    };

    /// The rights of an fd that `path_open` creates through a directory with `self` rights:
    /// the request narrowed by the directory's inheriting set and by the object's kind.
    pub fn for_opened(self, requested: Rights, is_dir: bool) -> Rights {
        let kind = if is_dir { DIRECTORY } else { REGULAR_FILE };
        Rights {
            base: requested.base & self.inheriting & kind,
            inheriting: requested.inheriting & self.inheriting,
        }
    }

    /// `fd_fdstat_set_rights`: the new rights, if they only drop bits.
    pub fn narrowed_to(self, new: Rights) -> Result<Rights, Errno> {
        if new.base & !self.base != 0 || new.inheriting & !self.inheriting != 0 {
            return Err(Errno::Notcapable);
        }
        Ok(new)
    }

    /// ENOTCAPABLE unless the base set satisfies `need`.
    pub fn check(self, need: Need) -> Result<(), Errno> {
        let ok = match need {
            Need::All(bits) => self.base & bits == bits,
            Need::Any(bits) => self.base & bits != 0,
        };
        if ok { Ok(()) } else { Err(Errno::Notcapable) }
    }
}

/// The base rights a call needs on its fd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Every one of these bits.
    All(u64),
    /// At least one of these bits.
    Any(u64),
}

impl Need {
    /// No right needed (calls that are not checked).
    pub const NOTHING: Need = Need::All(0);

    /// `fd_seek`: `fd_tell` suffices when the offset stays where it is (`whence::cur` with
    /// offset 0), as preview 1's `rights::fd_tell` says; `fd_seek` implies `fd_tell`.
    pub fn seek(offset: i64, whence_is_cur: bool) -> Need {
        if offset == 0 && whence_is_cur {
            Need::Any(FD_TELL | FD_SEEK)
        } else {
            Need::All(FD_SEEK)
        }
    }

    /// `path_open` on the directory: `path_open`, plus `path_create_file` to create and
    /// `path_filestat_set_size` to truncate.
    pub fn path_open(oflags_bits: u16) -> Need {
        let mut need = PATH_OPEN;
        if oflags_bits & oflags::CREAT != 0 {
            need |= PATH_CREATE_FILE;
        }
        if oflags_bits & oflags::TRUNC != 0 {
            need |= PATH_FILESTAT_SET_SIZE;
        }
        Need::All(need)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(base: u64, inheriting: u64) -> Rights {
        Rights { base, inheriting }
    }

    #[test]
    fn masks_are_the_preview1_sets() {
        // The values of the regular-file and directory tables that wasi-libc and the
        // reference hosts use; pinned as numbers so a typo in a name list shows.
        assert_eq!(REGULAR_FILE, 0x08e0_01ff);
        assert_eq!(DIRECTORY, 0x0fbf_fe98);
        assert_eq!(
            REGULAR_FILE & DIRECTORY,
            FD_FDSTAT_SET_FLAGS
                | FD_SYNC
                | FD_ADVISE
                | FD_FILESTAT_GET
                | FD_FILESTAT_SET_TIMES
                | POLL_FD_READWRITE
        );
        for bit in [
            FD_READ,
            FD_WRITE,
            FD_SEEK,
            FD_TELL,
            FD_ALLOCATE,
            FD_FILESTAT_SET_SIZE,
        ] {
            assert_eq!(DIRECTORY & bit, 0, "{bit:#x} must not apply to directories");
        }
        assert_eq!(DIRECTORY_INHERITING & !ALL, 0);
    }

    #[test]
    fn opened_rights_table() {
        // (dir rights, requested, is_dir, expected)
        let cases = [
            // A file through the preopen gets what it asked for, minus path rights.
            (
                Rights::PREOPEN_DIR,
                r(FD_READ | FD_WRITE | PATH_OPEN, 0),
                false,
                r(FD_READ | FD_WRITE, 0),
            ),
            // A directory never holds fd_seek/fd_read, even when asked.
            (
                Rights::PREOPEN_DIR,
                r(FD_SEEK | FD_READ | FD_READDIR | PATH_OPEN, FD_READ),
                true,
                r(FD_READDIR | PATH_OPEN, FD_READ),
            ),
            // The directory's inheriting set caps both sets.
            (
                r(PATH_OPEN, FD_READ | FD_SEEK),
                r(FD_READ | FD_WRITE, FD_WRITE | FD_SEEK),
                false,
                r(FD_READ, FD_SEEK),
            ),
            // Nothing asked, nothing given.
            (Rights::PREOPEN_DIR, r(0, 0), false, r(0, 0)),
        ];
        for (dir, requested, is_dir, want) in cases {
            assert_eq!(dir.for_opened(requested, is_dir), want, "{requested:?}");
        }
    }

    #[test]
    fn set_rights_only_narrows() {
        let cur = r(FD_READ | FD_WRITE | FD_SEEK, FD_READ);
        assert_eq!(cur.narrowed_to(r(FD_SEEK, 0)), Ok(r(FD_SEEK, 0)));
        assert_eq!(cur.narrowed_to(cur), Ok(cur));
        assert_eq!(cur.narrowed_to(r(FD_TELL, 0)), Err(Errno::Notcapable));
        assert_eq!(cur.narrowed_to(r(0, FD_WRITE)), Err(Errno::Notcapable));
    }

    #[test]
    fn needs_table() {
        let tell_only = r(FD_TELL, 0);
        let seek_only = r(FD_SEEK, 0);
        let dir = r(DIRECTORY, 0);
        let cases = [
            (tell_only, Need::seek(0, true), Ok(())),
            (tell_only, Need::seek(1, true), Err(Errno::Notcapable)),
            (tell_only, Need::seek(0, false), Err(Errno::Notcapable)),
            (seek_only, Need::seek(0, true), Ok(())),
            (seek_only, Need::seek(-4, false), Ok(())),
            (dir, Need::seek(0, true), Err(Errno::Notcapable)),
            (dir, Need::All(FD_READ), Err(Errno::Notcapable)),
            (dir, Need::path_open(oflags::CREAT | oflags::TRUNC), Ok(())),
            (
                r(DIRECTORY & !PATH_FILESTAT_SET_SIZE, 0),
                Need::path_open(oflags::TRUNC),
                Err(Errno::Notcapable),
            ),
            (
                r(DIRECTORY & !PATH_CREATE_FILE, 0),
                Need::path_open(oflags::CREAT),
                Err(Errno::Notcapable),
            ),
            (
                r(DIRECTORY & !PATH_CREATE_FILE, 0),
                Need::path_open(0),
                Ok(()),
            ),
            (r(0, 0), Need::NOTHING, Ok(())),
        ];
        for (rights, need, want) in cases {
            assert_eq!(rights.check(need), want, "{rights:?} {need:?}");
        }
    }
}
