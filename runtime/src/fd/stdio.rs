//! The guest's fds 0, 1 and 2: the host's own stdin/stdout/stderr, unbuffered (each guest write
//! is one host write, so nothing is left to flush at exit and output order is preserved).
//!
//! `NONBLOCK` is emulated per guest fd instead of being set on the host descriptor: the host's
//! stdio file descriptions are shared with the parent shell, which must not find its terminal
//! left non-blocking after the guest exits.

use std::any::Any;
use std::os::fd::BorrowedFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::abi::Errno;
use crate::abi::types::fdflags;
use crate::abi::types::{Filestat, Filetype};
use crate::fd::FdObject;
use crate::fd::object::{host_fdflags, host_filestat};

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
    /// The guest asked for `NONBLOCK` (emulated: reads poll first).
    nonblock: AtomicBool,
}

impl Stdio {
    pub fn new(stream: Stream, panic_seen: Arc<AtomicBool>) -> Self {
        Stdio {
            stream,
            panic_seen,
            nonblock: AtomicBool::new(false),
        }
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
        if self.nonblock.load(Ordering::Relaxed) && !buf.is_empty() && !readable_now(self.fd())? {
            return Err(Errno::Again);
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
        let host = host_fdflags(self.fd())? & !fdflags::NONBLOCK;
        Ok(if self.nonblock.load(Ordering::Relaxed) {
            host | fdflags::NONBLOCK
        } else {
            host
        })
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        self.nonblock
            .store(flags & fdflags::NONBLOCK != 0, Ordering::Relaxed);
        Ok(())
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        host_filestat(self.fd(), self.filetype())
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd())
    }
}

/// Whether a read would not block (data, end of file or an error is pending).
fn readable_now(fd: BorrowedFd<'_>) -> Result<bool, Errno> {
    use rustix::event::{PollFd, PollFlags};
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let zero = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    Ok(retry(|| rustix::event::poll(&mut fds, Some(&zero)))? > 0)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonblock_is_emulated_not_set_on_the_host() {
        let s = Stdio::new(Stream::Stdin, Arc::new(AtomicBool::new(false)));
        let host_before = host_fdflags(s.fd()).unwrap() & fdflags::NONBLOCK;
        s.set_fdflags(fdflags::NONBLOCK).unwrap();
        assert_eq!(
            s.fdstat_flags().unwrap() & fdflags::NONBLOCK,
            fdflags::NONBLOCK
        );
        assert_eq!(
            host_fdflags(s.fd()).unwrap() & fdflags::NONBLOCK,
            host_before
        );
        s.set_fdflags(0).unwrap();
        assert_eq!(s.fdstat_flags().unwrap() & fdflags::NONBLOCK, host_before);
    }

    #[test]
    fn panic_messages_are_noticed_on_stderr_only() {
        let seen = Arc::new(AtomicBool::new(false));
        assert!(contains(b"thread 'main' panicked at x", b"panicked at"));
        let out = Stdio::new(Stream::Stdout, seen.clone());
        out.write(b"").unwrap();
        assert!(!seen.load(Ordering::Relaxed));
        assert_eq!(
            Stdio::new(Stream::Stdin, seen).write(b"x"),
            Err(Errno::Badf)
        );
    }
}
