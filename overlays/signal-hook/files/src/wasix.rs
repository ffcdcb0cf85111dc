//! What signal-hook takes from `std::os::unix::net` on unix, for WASIX (added by cargo-wasix's
//! overlay): std has no unix-domain sockets for WASI, but WASIX has `socketpair`, which is all
//! the signal iterator's self-pipe needs (a connected pair: the handler `send`s a byte, the
//! iterator `read`s it).

use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

/// One end of a connected unix-domain stream pair.
#[derive(Debug)]
pub struct UnixStream(OwnedFd);

/// A connected unix-domain pair of type `ty`.
fn socketpair(ty: libc::c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::socketpair(libc::AF_UNIX, ty, 0, fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created and are owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl UnixStream {
    /// Similar to `std::os::unix::net::UnixStream::pair`.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = socketpair(libc::SOCK_STREAM)?;
        Ok((Self(a), Self(b)))
    }
}

/// One end of a connected unix-domain datagram pair (only the crate's own tests use one).
#[cfg(test)]
#[derive(Debug)]
pub struct UnixDatagram(OwnedFd);

#[cfg(test)]
impl UnixDatagram {
    /// Similar to `std::os::unix::net::UnixDatagram::pair`.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = socketpair(libc::SOCK_DGRAM)?;
        Ok((Self(a), Self(b)))
    }

    /// Similar to `std::os::unix::net::UnixDatagram::recv`.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::recv(self.0.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

#[cfg(test)]
impl IntoRawFd for UnixDatagram {
    fn into_raw_fd(self) -> RawFd {
        self.0.into_raw_fd()
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
