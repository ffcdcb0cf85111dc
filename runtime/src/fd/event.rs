//! `fd_event`: an event counter over a host `eventfd` (pollable; 8-byte reads and writes).

use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use crate::abi::Errno;
use crate::abi::types::{Filetype, eventfdflags};
use crate::fd::FdObject;
use crate::fd::object::{host_fdflags, set_host_nonblock};
use crate::fd::stdio::retry;

/// A host eventfd.
pub struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    /// `initial` must fit in 32 bits (the host eventfd's initial value).
    pub fn new(initial: u64, flags: u16) -> Result<EventFd, Errno> {
        let initial = u32::try_from(initial).map_err(|_| Errno::Inval)?;
        let mut f = rustix::event::EventfdFlags::CLOEXEC;
        if flags & eventfdflags::SEMAPHORE != 0 {
            f |= rustix::event::EventfdFlags::SEMAPHORE;
        }
        Ok(EventFd {
            fd: rustix::event::eventfd(initial, f)?,
        })
    }
}

impl FdObject for EventFd {
    fn filetype(&self) -> Filetype {
        Filetype::Unknown
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        if buf.len() < 8 {
            return Err(Errno::Inval);
        }
        retry(|| rustix::io::read(&self.fd, &mut buf[..8]))
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        if buf.len() < 8 {
            return Err(Errno::Inval);
        }
        retry(|| rustix::io::write(&self.fd, &buf[..8]))
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        host_fdflags(self.fd.as_fd())
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        set_host_nonblock(self.fd.as_fd(), flags)
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd.as_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_and_semaphore() {
        let e = EventFd::new(2, 0).unwrap();
        e.write(&3u64.to_le_bytes()).unwrap();
        let mut b = [0u8; 8];
        assert_eq!(e.read(&mut b).unwrap(), 8);
        assert_eq!(u64::from_le_bytes(b), 5);
        let s = EventFd::new(2, eventfdflags::SEMAPHORE).unwrap();
        s.read(&mut b).unwrap();
        assert_eq!(u64::from_le_bytes(b), 1);
        assert_eq!(e.read(&mut [0u8; 4]), Err(Errno::Inval));
        assert_eq!(EventFd::new(1 << 33, 0).err(), Some(Errno::Inval));
    }
}
