//! The child pipes as file descriptors on WASIX, as `std::os::unix::process` offers them on
//! unix: `AsFd`/`AsRawFd`/`IntoRawFd`, `OwnedFd` conversions both ways, and `Stdio` from an
//! `OwnedFd`. Async runtimes (async-process, tokio::process) register child pipes with their
//! reactor through these. The child pipes are std's unix pipes (`sys::pipe`), so each is an fd.

use crate::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use crate::sys::process::ChildPipe;
use crate::sys::{AsInner, FromInner, IntoInner};
use crate::{process, sys};

macro_rules! child_pipe_fd {
    ($($ty:ident),*) => {$(
        #[stable(feature = "process_extensions", since = "1.2.0")]
        impl AsRawFd for process::$ty {
            #[inline]
            fn as_raw_fd(&self) -> RawFd {
                self.as_inner().as_raw_fd()
            }
        }

        #[stable(feature = "into_raw_os", since = "1.4.0")]
        impl IntoRawFd for process::$ty {
            #[inline]
            fn into_raw_fd(self) -> RawFd {
                self.into_inner().into_inner().into_raw_fd()
            }
        }

        #[stable(feature = "io_safety", since = "1.63.0")]
        impl AsFd for process::$ty {
            #[inline]
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.as_inner().as_fd()
            }
        }

        #[stable(feature = "io_safety", since = "1.63.0")]
        impl From<process::$ty> for OwnedFd {
            #[inline]
            fn from(pipe: process::$ty) -> OwnedFd {
                pipe.into_inner().into_inner()
            }
        }

        /// The fd must be a pipe with `FD_CLOEXEC` set, as on unix.
        #[stable(feature = "child_stream_from_fd", since = "1.74.0")]
        impl From<OwnedFd> for process::$ty {
            #[inline]
            fn from(fd: OwnedFd) -> process::$ty {
                process::$ty::from_inner(ChildPipe::from_inner(fd))
            }
        }
    )*};
}

child_pipe_fd!(ChildStdin, ChildStdout, ChildStderr);

#[stable(feature = "io_safety", since = "1.63.0")]
impl From<OwnedFd> for process::Stdio {
    /// A `Stdio` that attaches the child's stream to this fd.
    #[inline]
    fn from(fd: OwnedFd) -> process::Stdio {
        process::Stdio::from_inner(sys::process::Stdio::Fd(sys::fd::FileDesc::from_inner(fd)))
    }
}
