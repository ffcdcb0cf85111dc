//! Regular (host) files as fd objects: read/write at the shared offset, pread/pwrite, seek,
//! append, stat, truncate, times, allocate, advise and sync over an open host file.
//!
//! The file was opened through a mount's cap-std `Dir` (see `fs::open`); once open, I/O goes
//! straight to the host fd. Access modes are the host's: reading a write-only file is EBADF
//! from the kernel, as in POSIX.

use std::any::Any;
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU64;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::FileExt;

use crate::abi::Errno;
use crate::abi::types::{Filestat, Filetype, TimeSpec, Whence, advice, fdflags};
use crate::fd::FdObject;
use crate::fd::object::host_fdflags;
use crate::fs::layout::{filestat_of, filetype_of};

/// An open host file (regular file, or a device/fifo reached through a mount).
#[derive(Debug)]
pub struct HostFile {
    file: std::fs::File,
    filetype: Filetype,
    /// DSYNC/RSYNC/SYNC as requested at open (reported back by `fd_fdstat_get`).
    sync_flags: u16,
    /// Opened from a read-only mount: the host fd is read-only, but `futimens` works on such
    /// fds, so timestamp changes are refused here (issue 14's escape suite found it).
    read_only: bool,
}

impl HostFile {
    /// Wraps a file opened by `fs::open`; `sync_flags` are the requested sync `fdflags`.
    pub fn new(file: cap_std::fs::File, sync_flags: u16) -> Result<HostFile, Errno> {
        let filetype = filetype_of(file.metadata()?.file_type());
        Ok(HostFile::with_filetype(file, filetype, sync_flags))
    }

    /// Like [`HostFile::new`] when the caller already knows the file type.
    pub fn with_filetype(file: cap_std::fs::File, filetype: Filetype, sync_flags: u16) -> HostFile {
        let sync_flags = sync_flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC);
        HostFile {
            file: file.into_std(),
            filetype,
            sync_flags,
            read_only: false,
        }
    }

    /// Marks the file as opened from a read-only mount (EROFS for metadata changes).
    pub fn with_read_only(mut self, read_only: bool) -> HostFile {
        self.read_only = read_only;
        self
    }
}

/// Converts a `fd_filestat_set_times` argument to a `futimens` timestamp.
fn timespec(t: TimeSpec) -> rustix::fs::Timespec {
    match t {
        TimeSpec::Omit => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT,
        },
        TimeSpec::Now => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_NOW,
        },
        TimeSpec::At(ns) => rustix::fs::Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

/// `futimens` on any host fd (files and directories).
pub(crate) fn set_fd_times(
    fd: BorrowedFd<'_>,
    atim: TimeSpec,
    mtim: TimeSpec,
) -> Result<(), Errno> {
    let times = rustix::fs::Timestamps {
        last_access: timespec(atim),
        last_modification: timespec(mtim),
    };
    rustix::fs::futimens(fd, &times)?;
    Ok(())
}

impl FdObject for HostFile {
    fn filetype(&self) -> Filetype {
        self.filetype
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        Ok((&self.file).read(buf)?)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        Ok((&self.file).write(buf)?)
    }

    fn pread(&self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        Ok(self.file.read_at(buf, offset)?)
    }

    fn pwrite(&self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        Ok(self.file.write_at(buf, offset)?)
    }

    fn seek(&self, offset: i64, whence: Whence) -> Result<u64, Errno> {
        let pos = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            Whence::Cur => SeekFrom::Current(offset),
            Whence::End => SeekFrom::End(offset),
        };
        Ok((&self.file).seek(pos)?)
    }

    fn sync(&self) -> Result<(), Errno> {
        Ok(self.file.sync_all()?)
    }

    fn datasync(&self) -> Result<(), Errno> {
        Ok(self.file.sync_data()?)
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        Ok(host_fdflags(self.file.as_fd())? | self.sync_flags)
    }

    /// APPEND and NONBLOCK can change after open (like `fcntl(F_SETFL)`); the sync flags
    /// cannot, and asking for them is ignored as Linux does.
    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        let mut fl = rustix::fs::fcntl_getfl(&self.file)?;
        fl.set(rustix::fs::OFlags::APPEND, flags & fdflags::APPEND != 0);
        fl.set(rustix::fs::OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
        rustix::fs::fcntl_setfl(&self.file, fl)?;
        Ok(())
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        let md = cap_std::fs::Metadata::from_file(&self.file)?;
        Ok(filestat_of(&md))
    }

    fn set_size(&self, size: u64) -> Result<(), Errno> {
        Ok(self.file.set_len(size)?)
    }

    fn set_times(&self, atim: TimeSpec, mtim: TimeSpec) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::Rofs);
        }
        set_fd_times(self.file.as_fd(), atim, mtim)
    }

    fn allocate(&self, offset: u64, len: u64) -> Result<(), Errno> {
        if len == 0 {
            return Err(Errno::Inval);
        }
        offset.checked_add(len).ok_or(Errno::Fbig)?;
        rustix::fs::fallocate(&self.file, rustix::fs::FallocateFlags::empty(), offset, len)?;
        Ok(())
    }

    fn advise(&self, offset: u64, len: u64, adv: u8) -> Result<(), Errno> {
        use rustix::fs::Advice;
        let adv = match adv {
            advice::NORMAL => Advice::Normal,
            advice::SEQUENTIAL => Advice::Sequential,
            advice::RANDOM => Advice::Random,
            advice::WILLNEED => Advice::WillNeed,
            advice::DONTNEED => Advice::DontNeed,
            advice::NOREUSE => Advice::NoReuse,
            _ => return Err(Errno::Inval),
        };
        rustix::fs::fadvise(&self.file, offset, NonZeroU64::new(len), adv)?;
        Ok(())
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.file.as_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    fn open(dir: &cap_std::fs::Dir, name: &str, append: bool) -> HostFile {
        let mut opts = cap_std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).append(append);
        HostFile::new(dir.open_with(name, &opts).unwrap(), 0).unwrap()
    }

    #[test]
    fn read_write_seek_pread_append() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = cap_std::fs::Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let f = open(&dir, "a.txt", false);
        assert_eq!(f.filetype(), Filetype::RegularFile);
        assert_eq!(f.write(b"hello world").unwrap(), 11);
        assert_eq!(f.tell().unwrap(), 11);
        assert_eq!(f.seek(-5, Whence::End).unwrap(), 6);
        let mut buf = [0u8; 5];
        assert_eq!(f.read(&mut buf).unwrap(), 5);
        assert_eq!(&buf, b"world");
        assert_eq!(f.pread(&mut buf, 0).unwrap(), 5);
        assert_eq!(&buf, b"hello");
        assert_eq!(f.tell().unwrap(), 11, "pread must not move the offset");
        assert_eq!(f.pwrite(b"HELLO", 0).unwrap(), 5);
        assert_eq!(f.seek(-1, Whence::Set), Err(Errno::Inval));
        assert_eq!(f.filestat().unwrap().size, 11);
        f.set_size(3).unwrap();
        assert_eq!(f.filestat().unwrap().size, 3);
        assert_eq!(std::fs::read(tmp.path().join("a.txt")).unwrap(), b"HEL");

        let g = open(&dir, "a.txt", true);
        assert_eq!(g.fdstat_flags().unwrap() & fdflags::APPEND, fdflags::APPEND);
        g.write(b"!").unwrap();
        assert_eq!(std::fs::read(tmp.path().join("a.txt")).unwrap(), b"HEL!");
        g.set_fdflags(0).unwrap();
        assert_eq!(g.fdstat_flags().unwrap() & fdflags::APPEND, 0);
    }

    #[test]
    fn times_allocate_advise() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = cap_std::fs::Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let f = open(&dir, "t", false);
        f.set_times(TimeSpec::At(1_000_000_123), TimeSpec::At(2_000_000_456))
            .unwrap();
        let st = f.filestat().unwrap();
        assert_eq!((st.atim, st.mtim), (1_000_000_123, 2_000_000_456));
        f.set_times(TimeSpec::Omit, TimeSpec::Now).unwrap();
        let st2 = f.filestat().unwrap();
        assert_eq!(st2.atim, 1_000_000_123);
        assert!(st2.mtim > 2_000_000_456);
        f.allocate(0, 4096).unwrap();
        assert!(f.filestat().unwrap().size >= 4096);
        assert_eq!(f.allocate(0, 0), Err(Errno::Inval));
        f.advise(0, 0, advice::SEQUENTIAL).unwrap();
        assert_eq!(f.advise(0, 0, 42), Err(Errno::Inval));
        f.sync().unwrap();
        f.datasync().unwrap();
    }
}
