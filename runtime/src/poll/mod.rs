//! Readiness: `poll_oneoff` over clocks and any fd with a host fd, and epoll on a host epoll.

pub mod epoll;
pub mod oneoff;

use std::os::fd::BorrowedFd;

use rustix::event::{PollFd, PollFlags};

use crate::abi::Errno;

/// Blocks until `fd` is readable (data, end of file or an error pending), checking
/// `interrupted()` every [`crate::proc::WAIT_SLICE`] (EINTR then). Lets a blocking read of a
/// child process end when the process is killed instead of waiting for the peer.
pub fn wait_readable(fd: BorrowedFd<'_>, interrupted: impl Fn() -> bool) -> Result<(), Errno> {
    let slice =
        rustix::event::Timespec::try_from(crate::proc::WAIT_SLICE).map_err(|_| Errno::Inval)?;
    loop {
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&slice)) {
            Ok(n) if n > 0 => return Ok(()),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        if interrupted() {
            return Err(Errno::Intr);
        }
    }
}
