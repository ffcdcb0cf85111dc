//! The signal driver's self-pipe on WASIX (added by cargo-wasix's overlay). On unix tokio uses a
//! `mio::net::UnixStream` pair: the signal handler writes a byte to one end, the driver's
//! reactor wakes on the other. std and mio have no unix-domain streams for WASI, so here the two
//! ends are a non-blocking pipe with the same few operations.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

use mio::event::Source;
use mio::{Interest, Registry, Token};

/// One end of the self-pipe (what tokio's unix code calls a `UnixStream`).
#[derive(Debug)]
pub(crate) struct SelfPipe(OwnedFd);

impl SelfPipe {
    /// `(reading end, writing end)`, both non-blocking and close-on-exec, in the order
    /// `UnixStream::pair` gives `(receiver, sender)`.
    pub(crate) fn pair() -> io::Result<(SelfPipe, SelfPipe)> {
        let mut fds = [-1 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both were just created and are owned by nothing else.
        Ok(unsafe {
            (
                SelfPipe(OwnedFd::from_raw_fd(fds[0])),
                SelfPipe(OwnedFd::from_raw_fd(fds[1])),
            )
        })
    }

    /// A second descriptor for the same end (each runtime's driver registers its own, as the
    /// unix code does with `UnixStream::try_clone`).
    pub(crate) fn try_clone(&self) -> io::Result<SelfPipe> {
        self.0.as_fd().try_clone_to_owned().map(SelfPipe)
    }
}

impl Read for SelfPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::read(self.0.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

/// Written from the signal handler: one `write` call, nothing else.
impl Write for &SelfPipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is readable for its length.
        let n = unsafe { libc::write(self.0.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsRawFd for SelfPipe {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl Source for SelfPipe {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        mio::wasi::SourceFd(&self.0.as_raw_fd()).register(registry, token, interests)
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        mio::wasi::SourceFd(&self.0.as_raw_fd()).reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        mio::wasi::SourceFd(&self.0.as_raw_fd()).deregister(registry)
    }
}
