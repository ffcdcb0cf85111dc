//! The guest's fds 0, 1 and 2: the host's own stdin/stdout/stderr, unbuffered (each guest write
//! is one host write, so nothing is left to flush at exit and output order is preserved).

use std::any::Any;
use std::os::fd::BorrowedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::abi::Errno;
use crate::abi::types::{Filestat, Filetype};
use crate::fd::FdObject;
use crate::fd::object::{host_fdflags, host_filestat, set_host_nonblock};

/// Which standard stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
}

/// One of the host's standard streams.
pub struct Stdio {
    stream: Stream,
    /// Set when a Rust panic message goes through stderr, so a following abort trap exits
    /// with 101 like a native Rust panic.
    panic_seen: Arc<AtomicBool>,
}

impl Stdio {
    pub fn new(stream: Stream, panic_seen: Arc<AtomicBool>) -> Self {
        Stdio { stream, panic_seen }
    }

    pub fn stream(&self) -> Stream {
        self.stream
    }

    fn fd(&self) -> BorrowedFd<'static> {
        match self.stream {
            Stream::Stdin => rustix::stdio::stdin(),
            Stream::Stdout => rustix::stdio::stdout(),
            Stream::Stderr => rustix::stdio::stderr(),
        }
    }
}

/// Retries a host call interrupted by a host signal.
pub(crate) fn retry<T>(mut f: impl FnMut() -> rustix::io::Result<T>) -> Result<T, Errno> {
    loop {
        match f() {
            Err(rustix::io::Errno::INTR) => continue,
            r => return r.map_err(Errno::from),
        }
    }
}

impl FdObject for Stdio {
    fn filetype(&self) -> Filetype {
        if rustix::termios::isatty(self.fd()) {
            Filetype::CharacterDevice
        } else {
            Filetype::Unknown
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        if self.stream != Stream::Stdin {
            return Err(Errno::Badf);
        }
        retry(|| rustix::io::read(self.fd(), &mut *buf))
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        if self.stream == Stream::Stdin {
            return Err(Errno::Badf);
        }
        if self.stream == Stream::Stderr && contains(buf, b"panicked at") {
            self.panic_seen.store(true, Ordering::Relaxed);
        }
        retry(|| rustix::io::write(self.fd(), buf))
    }

    fn sync(&self) -> Result<(), Errno> {
        Ok(())
    }

    fn datasync(&self) -> Result<(), Errno> {
        Ok(())
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        host_fdflags(self.fd())
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        set_host_nonblock(self.fd(), flags)
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        host_filestat(self.fd(), self.filetype())
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
