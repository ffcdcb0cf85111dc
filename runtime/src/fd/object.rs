//! The [`FdObject`] trait: what an open file description can do. Every method defaults to
//! `EBADF` (or the closest "not this kind of object" answer) so each object implements only
//! what it supports.

use std::any::Any;
use std::os::fd::BorrowedFd;

use crate::abi::Errno;
use crate::abi::types::{Dirent, Filestat, Filetype, TimeSpec, Whence};

/// An open file description shared by every fd that `dup`s it (so offsets are shared).
///
/// Methods take `&self`: objects are shared between threads through `Arc<dyn FdObject>` and use
/// interior mutability where needed. Blocking methods block the calling OS thread; callers
/// never hold the fd table lock while calling them.
pub trait FdObject: Send + Sync + Any {
    /// The WASI file type reported by `fd_fdstat_get`/`fd_filestat_get`.
    fn filetype(&self) -> Filetype;

    /// For downcasts to the concrete type (`obj.as_any().downcast_ref::<Socket>()`).
    fn as_any(&self) -> &dyn Any;

    /// Reads into `buf`; `Ok(0)` is end of file. Similar to `read` in POSIX.
    fn read(&self, _buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Writes from `buf`. Similar to `write` in POSIX.
    fn write(&self, _buf: &[u8]) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }

    /// Reads at `offset` without moving the file offset. Similar to `pread` in POSIX.
    fn pread(&self, _buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Spipe)
    }

    /// Writes at `offset` without moving the file offset. Similar to `pwrite` in POSIX.
    fn pwrite(&self, _buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Spipe)
    }

    /// Moves the offset; returns the new one. Similar to `lseek` in POSIX.
    fn seek(&self, _offset: i64, _whence: Whence) -> Result<u64, Errno> {
        Err(Errno::Spipe)
    }

    /// The current offset.
    fn tell(&self) -> Result<u64, Errno> {
        self.seek(0, Whence::Cur)
    }

    /// Similar to `fsync` in POSIX.
    fn sync(&self) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `fdatasync` in POSIX.
    fn datasync(&self) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// The `fdflags` (APPEND, NONBLOCK, ...) of this description.
    fn fdstat_flags(&self) -> Result<u16, Errno> {
        Ok(0)
    }

    /// Sets the `fdflags`. Similar to `fcntl(F_SETFL)` in POSIX.
    fn set_fdflags(&self, _flags: u16) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `fstat` in POSIX.
    fn filestat(&self) -> Result<Filestat, Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `ftruncate` in POSIX.
    fn set_size(&self, _size: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `futimens` in POSIX.
    fn set_times(&self, _atim: TimeSpec, _mtim: TimeSpec) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `posix_fallocate` in POSIX.
    fn allocate(&self, _offset: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Similar to `posix_fadvise` in POSIX (`advice` from `abi::types::advice`).
    fn advise(&self, _offset: u64, _len: u64, _advice: u8) -> Result<(), Errno> {
        Err(Errno::Badf)
    }

    /// Directory entries starting at `cookie` (0 = the beginning). Similar to `readdir`.
    fn readdir(&self, _cookie: u64) -> Result<Vec<Dirent>, Errno> {
        Err(Errno::Notdir)
    }

    /// The host fd to wait on for readiness (poll/epoll), if the object has one.
    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        None
    }
}

impl dyn FdObject {
    /// Downcasts to a concrete object type.
    pub fn downcast_ref<T: FdObject>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }
}

/// `fstat` of a host fd as a WASI filestat (for stdio, pipes and event fds).
pub fn host_filestat(fd: BorrowedFd<'_>, filetype: Filetype) -> Result<Filestat, Errno> {
    let st = rustix::fs::fstat(fd)?;
    let ns = |s: i64, n: i64| {
        (s.max(0) as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(n.max(0) as u64)
    };
    Ok(Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype,
        nlink: st.st_nlink as u64,
        size: st.st_size.max(0) as u64,
        atim: ns(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
    })
}

/// The NONBLOCK/APPEND `fdflags` of a host fd.
pub fn host_fdflags(fd: BorrowedFd<'_>) -> Result<u16, Errno> {
    use crate::abi::types::fdflags;
    let fl = rustix::fs::fcntl_getfl(fd)?;
    let mut out = 0;
    if fl.contains(rustix::fs::OFlags::NONBLOCK) {
        out |= fdflags::NONBLOCK;
    }
    if fl.contains(rustix::fs::OFlags::APPEND) {
        out |= fdflags::APPEND;
    }
    Ok(out)
}

/// Sets NONBLOCK on a host fd (the only flag that can change after open for pipes/stdio).
pub fn set_host_nonblock(fd: BorrowedFd<'_>, flags: u16) -> Result<(), Errno> {
    use crate::abi::types::fdflags;
    let mut fl = rustix::fs::fcntl_getfl(fd)?;
    fl.set(rustix::fs::OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
    rustix::fs::fcntl_setfl(fd, fl)?;
    Ok(())
}
