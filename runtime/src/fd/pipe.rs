//! `fd_pipe`: a host OS pipe (so it can be polled and, later, inherited by child processes).
//! The first fd is the read end, the second the write end.

use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use crate::abi::Errno;
use crate::abi::types::{Filestat, Filetype};
use crate::fd::FdObject;
use crate::fd::object::{host_fdflags, host_filestat, set_host_nonblock};
use crate::fd::stdio::retry;

/// One end of a host pipe.
pub struct PipeEnd {
    fd: OwnedFd,
    readable: bool,
}

/// Creates a pipe: `(read end, write end)`.
pub fn pipe() -> Result<(Arc<PipeEnd>, Arc<PipeEnd>), Errno> {
    let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    Ok((
        Arc::new(PipeEnd {
            fd: r,
            readable: true,
        }),
        Arc::new(PipeEnd {
            fd: w,
            readable: false,
        }),
    ))
}

impl FdObject for PipeEnd {
    fn filetype(&self) -> Filetype {
        Filetype::Unknown
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        if !self.readable {
            return Err(Errno::Badf);
        }
        retry(|| rustix::io::read(&self.fd, &mut *buf))
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        if self.readable {
            return Err(Errno::Badf);
        }
        retry(|| rustix::io::write(&self.fd, buf))
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        host_fdflags(self.fd.as_fd())
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        set_host_nonblock(self.fd.as_fd(), flags)
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        host_filestat(self.fd.as_fd(), Filetype::Unknown)
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd.as_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_moves_bytes_one_way() {
        let (r, w) = pipe().unwrap();
        assert_eq!(w.write(b"abc").unwrap(), 3);
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"abc");
        assert_eq!(r.write(b"x"), Err(Errno::Badf));
        assert_eq!(w.read(&mut buf), Err(Errno::Badf));
        r.set_fdflags(crate::abi::types::fdflags::NONBLOCK).unwrap();
        assert_eq!(r.read(&mut buf), Err(Errno::Again));
        drop(w);
        r.set_fdflags(0).unwrap();
        assert_eq!(r.read(&mut buf).unwrap(), 0);
    }
}
