//! The WASIX backend of polling (added by cargo-wasix's overlay): epoll through the
//! `epoll_*` functions of the WASIX libc (libwasix, over the runtime's epoll calls), woken by a
//! non-blocking pipe. WASIX has neither eventfd nor timerfd, so timeouts go to `epoll_wait`
//! in milliseconds, rounded up so a deadline is never reported early.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::raw::{c_int, c_void};
use std::time::{Duration, Instant};

use crate::{Event, PollMode};

// The C side of the WASIX libc (layout as the libc overlay's `epoll_event`).
#[repr(C)]
#[derive(Clone, Copy)]
struct EpollEvent {
    events: u32,
    data: u64,
}

const EPOLLIN: u32 = 0x1;
const EPOLLOUT: u32 = 0x2;
const EPOLLPRI: u32 = 0x8;
const EPOLLERR: u32 = 0x10;
const EPOLLHUP: u32 = 0x20;
const EPOLLET: u32 = 0x40;
const EPOLLONESHOT: u32 = 0x80;
const EPOLL_CLOEXEC: c_int = 0x4000_0000;
const EPOLL_CTL_ADD: c_int = 0;
const EPOLL_CTL_DEL: c_int = 2;
const EPOLL_CTL_MOD: c_int = 3;
const F_GETFL: c_int = 3;
const F_SETFL: c_int = 4;
const O_NONBLOCK: c_int = 0x4;

extern "C" {
    fn epoll_create1(flags: c_int) -> c_int;
    fn epoll_ctl(epfd: c_int, op: c_int, fd: c_int, event: *mut EpollEvent) -> c_int;
    fn epoll_wait(epfd: c_int, events: *mut EpollEvent, max: c_int, timeout_ms: c_int) -> c_int;
    fn pipe(fds: *mut c_int) -> c_int;
    fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    fn read(fd: c_int, buf: *mut c_void, len: usize) -> isize;
    fn write(fd: c_int, buf: *const c_void, len: usize) -> isize;
}

/// `-1` from a libc call becomes the `errno` error.
fn check(ret: c_int) -> io::Result<c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Interface to the WASIX epoll.
#[derive(Debug)]
pub struct Poller {
    epoll_fd: OwnedFd,
    /// Read end (registered, non-blocking) and write end of the wake-up pipe.
    notify_read: OwnedFd,
    notify_write: OwnedFd,
}

impl Poller {
    /// Creates a new poller.
    pub fn new() -> io::Result<Poller> {
        let epoll_fd = unsafe { OwnedFd::from_raw_fd(check(epoll_create1(EPOLL_CLOEXEC))?) };
        let mut fds = [-1 as c_int; 2];
        check(unsafe { pipe(fds.as_mut_ptr()) })?;
        let (notify_read, notify_write) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let flags = check(unsafe { fcntl(fds[0], F_GETFL) })?;
        check(unsafe { fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) })?;
        let poller = Poller { epoll_fd, notify_read, notify_write };
        unsafe {
            poller.add(
                poller.notify_read.as_raw_fd(),
                Event::readable(crate::NOTIFY_KEY),
                PollMode::Oneshot,
            )?;
        }
        Ok(poller)
    }

    /// Whether this poller supports level-triggered events.
    pub fn supports_level(&self) -> bool {
        true
    }

    /// Whether the poller supports edge-triggered events.
    pub fn supports_edge(&self) -> bool {
        true
    }

    /// Adds a new file descriptor.
    ///
    /// # Safety
    ///
    /// The `fd` must be a valid file descriptor.
    pub unsafe fn add(&self, fd: RawFd, ev: Event, mode: PollMode) -> io::Result<()> {
        self.ctl(EPOLL_CTL_ADD, fd, Some((ev, mode)))
    }

    /// Modifies an existing file descriptor.
    pub fn modify(&self, fd: BorrowedFd<'_>, ev: Event, mode: PollMode) -> io::Result<()> {
        self.ctl(EPOLL_CTL_MOD, fd.as_raw_fd(), Some((ev, mode)))
    }

    /// Deletes a file descriptor.
    pub fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.ctl(EPOLL_CTL_DEL, fd.as_raw_fd(), None)
    }

    fn ctl(&self, op: c_int, fd: RawFd, interest: Option<(Event, PollMode)>) -> io::Result<()> {
        let mut record = match interest {
            Some((ev, mode)) => EpollEvent {
                events: epoll_flags(&ev, mode) | ev.extra.flags,
                data: ev.key as u64,
            },
            None => EpollEvent { events: 0, data: 0 },
        };
        check(unsafe { epoll_ctl(self.epoll_fd.as_raw_fd(), op, fd, &mut record) })?;
        Ok(())
    }

    /// Waits for I/O events with an optional timeout: what polling 3.6 – 3.9 call (3.10 and
    /// later call [`Poller::wait_deadline`]).
    #[allow(dead_code)]
    pub fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        // A timeout too large for an `Instant` waits forever, as polling's other backends do.
        self.wait_deadline(events, timeout.and_then(|t| Instant::now().checked_add(t)))
    }

    /// Waits for I/O events with an optional deadline.
    pub fn wait_deadline(&self, events: &mut Events, deadline: Option<Instant>) -> io::Result<()> {
        let timeout_ms = match deadline {
            None => -1,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                // Round up: a wait that ends before the deadline would make callers spin.
                let ms = left.as_nanos().div_ceil(1_000_000);
                c_int::try_from(ms).unwrap_or(c_int::MAX)
            }
        };
        // New events are appended after the ones already in the list (polling's contract: a
        // caller that does not clear sees both), into its spare capacity.
        let len = events.list.len();
        if events.list.capacity() == len {
            events.list.reserve(1);
        }
        let spare = c_int::try_from(events.list.capacity() - len).unwrap_or(c_int::MAX);
        let n = check(unsafe {
            epoll_wait(
                self.epoll_fd.as_raw_fd(),
                events.list.as_mut_ptr().add(len),
                spare,
                timeout_ms,
            )
        })?;
        // epoll_wait wrote `n` initialised records right after the old ones.
        unsafe { events.list.set_len(len + n as usize) };

        // Drain the wake-up pipe and re-arm its one-shot registration.
        let mut buf = [0u8; 64];
        while unsafe { read(self.notify_read.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
        self.modify(
            self.notify_read.as_fd(),
            Event::readable(crate::NOTIFY_KEY),
            PollMode::Oneshot,
        )
    }

    /// Sends a notification to wake up the current or next `wait()` call.
    pub fn notify(&self) -> io::Result<()> {
        // A full pipe already holds a pending wake-up; the error is not one.
        unsafe { write(self.notify_write.as_raw_fd(), [1u8].as_ptr().cast(), 1) };
        Ok(())
    }
}

impl AsRawFd for Poller {
    fn as_raw_fd(&self) -> RawFd {
        self.epoll_fd.as_raw_fd()
    }
}

impl AsFd for Poller {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.epoll_fd.as_fd()
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        let _ = self.delete(self.notify_read.as_fd());
    }
}

/// The epoll flags for an interest.
fn epoll_flags(interest: &Event, mode: PollMode) -> u32 {
    let mut flags = match mode {
        PollMode::Oneshot => EPOLLONESHOT,
        PollMode::Level => 0,
        PollMode::Edge => EPOLLET,
        PollMode::EdgeOneshot => EPOLLET | EPOLLONESHOT,
    };
    if interest.readable {
        flags |= READ_FLAGS;
    }
    if interest.writable {
        flags |= WRITE_FLAGS;
    }
    flags
}

/// Every epoll flag that means "a read will not block".
const READ_FLAGS: u32 = EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLPRI;
/// Every epoll flag that means "a write will not block".
const WRITE_FLAGS: u32 = EPOLLOUT | EPOLLHUP | EPOLLERR;

/// A list of reported I/O events.
pub struct Events {
    list: Vec<EpollEvent>,
}

unsafe impl Send for Events {}

impl Events {
    /// Creates an empty list.
    pub fn with_capacity(cap: usize) -> Events {
        Events { list: Vec::with_capacity(cap) }
    }

    /// Iterates over I/O events.
    pub fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.list.iter().map(|ev| Event {
            key: ev.data as usize,
            readable: ev.events & READ_FLAGS != 0,
            writable: ev.events & WRITE_FLAGS != 0,
            extra: EventExtra { flags: ev.events },
        })
    }

    /// Clears the list.
    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// The capacity of the list.
    pub fn capacity(&self) -> usize {
        self.list.capacity()
    }
}

/// Extra information about an event: its raw epoll flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventExtra {
    flags: u32,
}

impl EventExtra {
    /// An empty set of flags.
    #[inline]
    pub const fn empty() -> EventExtra {
        EventExtra { flags: 0 }
    }

    /// Sets or clears the hang-up flag.
    #[inline]
    pub fn set_hup(&mut self, active: bool) {
        self.set(EPOLLHUP, active);
    }

    /// Sets or clears the priority flag.
    #[inline]
    pub fn set_pri(&mut self, active: bool) {
        self.set(EPOLLPRI, active);
    }

    fn set(&mut self, flag: u32, active: bool) {
        if active {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    /// Whether the hang-up flag is set.
    #[inline]
    pub fn is_hup(&self) -> bool {
        self.flags & EPOLLHUP != 0
    }

    /// Whether the priority flag is set.
    #[inline]
    pub fn is_pri(&self) -> bool {
        self.flags & EPOLLPRI != 0
    }

    /// A failed connect reports both error and hang-up.
    #[inline]
    pub fn is_connect_failed(&self) -> Option<bool> {
        Some(self.flags & EPOLLERR != 0 && self.flags & EPOLLHUP != 0)
    }

    /// Whether the error flag is set.
    #[inline]
    pub fn is_err(&self) -> Option<bool> {
        Some(self.flags & EPOLLERR != 0)
    }
}
