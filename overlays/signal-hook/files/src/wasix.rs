//! What signal-hook takes from `std::os::unix::net` on unix, for WASIX (added by cargo-wasix's
//! overlay): std has no unix-domain sockets for WASI, but WASIX has `socketpair`, which is all
//! the signal iterator's self-pipe needs (a connected pair: the handler `send`s a byte, the
//! iterator `read`s it).

use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

/// One end of a connected unix-domain stream pair.
#[derive(Debug)]
pub struct UnixStream(OwnedFd);

impl UnixStream {
    /// Similar to `std::os::unix::net::UnixStream::pair`.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let mut fds = [-1 as libc::c_int; 2];
        // SAFETY: `fds` has room for the two descriptors.
        if unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both were just created and are owned by nothing else.
        Ok(unsafe { (Self(OwnedFd::from_raw_fd(fds[0])), Self(OwnedFd::from_raw_fd(fds[1]))) })
    }
}

impl Read for UnixStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::read(self.0.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl IntoRawFd for UnixStream {
    fn into_raw_fd(self) -> RawFd {
        self.0.into_raw_fd()
    }
}
