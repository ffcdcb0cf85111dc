//! `poll_oneoff` (WASI preview 1): clock subscriptions plus read/write readiness of any fd
//! object that has a host fd (stdin, pipes, sockets, files, event fds), waited on with one
//! host `poll(2)`.
//!
//! Event semantics follow what wasi-libc's `poll()` decodes: `EBADF` for a closed fd (it
//! becomes `POLLNVAL`), `HANGUP` in the flags for a hung-up or failed connection (`POLLHUP`;
//! a refused non-blocking connect reports writable + hangup, and the caller then reads
//! `SO_ERROR`), other errors as the event's error (`POLLERR`). Objects without a host fd are
//! always ready.

use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};

use crate::abi::Errno;
use crate::abi::types::{event, eventrwflags, eventtype, subclockflags, subscription};
use crate::fd::FdObject;

/// Size of a `subscription` record.
pub const SUBSCRIPTION_SIZE: usize = subscription::SIZE as usize;
/// Size of an `event` record.
pub const EVENT_SIZE: usize = event::SIZE as usize;

/// A decoded subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    Clock {
        userdata: u64,
        clock: u32,
        timeout: u64,
        abstime: bool,
    },
    Fd {
        userdata: u64,
        fd: u32,
        write: bool,
    },
}

impl Subscription {
    /// Decodes one 48-byte record; unknown tags are `EINVAL`.
    pub fn decode(b: &[u8; SUBSCRIPTION_SIZE]) -> Result<Self, Errno> {
        let u64_at =
            |o: u64| u64::from_le_bytes(b[o as usize..o as usize + 8].try_into().expect("8 bytes"));
        let u32_at =
            |o: u64| u32::from_le_bytes(b[o as usize..o as usize + 4].try_into().expect("4 bytes"));
        let userdata = u64_at(subscription::USERDATA);
        match b[subscription::TAG as usize] {
            eventtype::CLOCK => {
                let flags = u16::from_le_bytes([
                    b[subscription::CLOCK_FLAGS as usize],
                    b[subscription::CLOCK_FLAGS as usize + 1],
                ]);
                Ok(Subscription::Clock {
                    userdata,
                    clock: u32_at(subscription::CLOCK_ID),
                    timeout: u64_at(subscription::CLOCK_TIMEOUT),
                    abstime: flags & subclockflags::ABSTIME != 0,
                })
            }
            tag @ (eventtype::FD_READ | eventtype::FD_WRITE) => Ok(Subscription::Fd {
                userdata,
                fd: u32_at(subscription::FD),
                write: tag == eventtype::FD_WRITE,
            }),
            _ => Err(Errno::Inval),
        }
    }
}

/// One result record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub userdata: u64,
    pub error: Errno,
    pub kind: u8,
    pub nbytes: u64,
    pub hangup: bool,
}

impl Event {
    /// Encodes the 32-byte record.
    pub fn encode(&self) -> [u8; EVENT_SIZE] {
        let mut b = [0u8; EVENT_SIZE];
        let put = |b: &mut [u8; EVENT_SIZE], at: u64, bytes: &[u8]| {
            b[at as usize..at as usize + bytes.len()].copy_from_slice(bytes)
        };
        put(&mut b, event::USERDATA, &self.userdata.to_le_bytes());
        put(&mut b, event::ERROR, &(self.error as u16).to_le_bytes());
        b[event::TYPE as usize] = self.kind;
        if self.kind != eventtype::CLOCK {
            put(&mut b, event::NBYTES, &self.nbytes.to_le_bytes());
            let flags = if self.hangup { eventrwflags::HANGUP } else { 0 };
            put(&mut b, event::FLAGS, &flags.to_le_bytes());
        }
        b
    }

    fn clock(userdata: u64, error: Errno) -> Self {
        Event {
            userdata,
            error,
            kind: eventtype::CLOCK,
            nbytes: 0,
            hangup: false,
        }
    }

    fn fd(userdata: u64, write: bool, error: Errno, nbytes: u64, hangup: bool) -> Self {
        let kind = if write {
            eventtype::FD_WRITE
        } else {
            eventtype::FD_READ
        };
        Event {
            userdata,
            error,
            kind,
            nbytes,
            hangup,
        }
    }
}

/// Waits until at least one subscription fires and returns the fired ones.
///
/// `lookup` turns a guest fd into its object (the fd table lock is taken and released inside
/// it); `now` reads a guest clock in nanoseconds (for absolute clock subscriptions), `None`
/// for an unknown clock id. A wait that finds nothing is EINTR once `interrupted()` says so
/// (checked every [`crate::proc::WAIT_SLICE`]), so a process that is ending or has a signal
/// queued gets control back.
pub fn poll_oneoff(
    subs: &[Subscription],
    lookup: impl Fn(u32) -> Result<Arc<dyn FdObject>, Errno>,
    now: impl Fn(u32) -> Option<u64>,
    interrupted: impl Fn() -> bool,
) -> Result<Vec<Event>, Errno> {
    if subs.is_empty() {
        return Err(Errno::Inval);
    }
    let start = Instant::now();
    let mut ready = Vec::new();
    let mut clocks = Vec::new(); // (userdata, deadline)
    let mut waits = Vec::new(); // (userdata, write, object)
    for sub in subs {
        match *sub {
            Subscription::Clock {
                userdata,
                clock,
                timeout,
                abstime,
            } => {
                let delay = if abstime {
                    match now(clock) {
                        Some(t) => timeout.saturating_sub(t),
                        None => {
                            ready.push(Event::clock(userdata, Errno::Inval));
                            continue;
                        }
                    }
                } else {
                    if now(clock).is_none() {
                        ready.push(Event::clock(userdata, Errno::Inval));
                        continue;
                    }
                    timeout
                };
                let deadline = start.checked_add(Duration::from_nanos(delay));
                clocks.push((userdata, deadline));
            }
            Subscription::Fd {
                userdata,
                fd,
                write,
            } => match lookup(fd) {
                Err(e) => ready.push(Event::fd(userdata, write, e, 0, false)),
                Ok(obj) if obj.host_fd().is_none() => {
                    ready.push(Event::fd(userdata, write, Errno::Success, 0, false))
                }
                Ok(obj) => waits.push((userdata, write, obj)),
            },
        }
    }
    // Clocks that never expire (overflowing deadlines) just don't bound the wait.
    let earliest = clocks.iter().filter_map(|(_, d)| *d).min();
    loop {
        let timeout = if !ready.is_empty() {
            Some(Duration::ZERO)
        } else {
            // No deadline (or one too far away to represent) still waits in slices.
            let left = earliest.map(|d| d.saturating_duration_since(Instant::now()));
            Some(left.map_or(crate::proc::WAIT_SLICE, |l| l.min(crate::proc::WAIT_SLICE)))
        };
        if waits.is_empty() {
            if let Some(t) = timeout {
                std::thread::sleep(t);
            }
        } else {
            ready.extend(wait_fds(&waits, timeout)?);
        }
        let now = Instant::now();
        for (userdata, deadline) in &clocks {
            if deadline.is_some_and(|d| d <= now) {
                ready.push(Event::clock(*userdata, Errno::Success));
            }
        }
        if !ready.is_empty() {
            return Ok(ready);
        }
        if interrupted() {
            return Err(Errno::Intr);
        }
    }
}

/// One host `poll(2)` over the fd subscriptions; the fired ones as events.
fn wait_fds(
    waits: &[(u64, bool, Arc<dyn FdObject>)],
    timeout: Option<Duration>,
) -> Result<Vec<Event>, Errno> {
    let mut fds: Vec<PollFd<'_>> = waits
        .iter()
        .map(|(_, write, obj)| {
            let fd = obj
                .host_fd()
                .expect("objects without a host fd were answered already");
            PollFd::from_borrowed_fd(
                fd,
                if *write {
                    PollFlags::OUT
                } else {
                    PollFlags::IN
                },
            )
        })
        .collect();
    let ts = match timeout {
        Some(t) => Some(rustix::event::Timespec::try_from(t).map_err(|_| Errno::Inval)?),
        None => None,
    };
    match rustix::event::poll(&mut fds, ts.as_ref()) {
        Ok(_) => {}
        // Interrupted: report nothing; the caller recomputes the timeout and waits again.
        Err(rustix::io::Errno::INTR) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    }
    let mut out = Vec::new();
    for ((userdata, write, obj), pfd) in waits.iter().zip(&fds) {
        let rev = pfd.revents();
        if rev.is_empty() {
            continue;
        }
        let hangup = rev.intersects(PollFlags::HUP) || (*write && rev.contains(PollFlags::ERR));
        let error = if rev.contains(PollFlags::NVAL) {
            Errno::Badf
        } else if rev.contains(PollFlags::ERR) && !hangup {
            Errno::Io
        } else {
            Errno::Success
        };
        let nbytes = if *write || error != Errno::Success {
            0
        } else {
            obj.host_fd()
                .and_then(|fd| rustix::io::ioctl_fionread(fd.as_fd()).ok())
                .unwrap_or(0)
        };
        out.push(Event::fd(*userdata, *write, error, nbytes, hangup));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fd::event::EventFd;

    fn clock_sub(userdata: u64, clock: u32, timeout: u64, flags: u16) -> [u8; SUBSCRIPTION_SIZE] {
        let mut b = [0u8; SUBSCRIPTION_SIZE];
        b[0..8].copy_from_slice(&userdata.to_le_bytes());
        b[8] = eventtype::CLOCK;
        b[16..20].copy_from_slice(&clock.to_le_bytes());
        b[24..32].copy_from_slice(&timeout.to_le_bytes());
        b[40..42].copy_from_slice(&flags.to_le_bytes());
        b
    }

    fn fd_sub(userdata: u64, tag: u8, fd: u32) -> [u8; SUBSCRIPTION_SIZE] {
        let mut b = [0u8; SUBSCRIPTION_SIZE];
        b[0..8].copy_from_slice(&userdata.to_le_bytes());
        b[8] = tag;
        b[16..20].copy_from_slice(&fd.to_le_bytes());
        b
    }

    #[test]
    fn decode_records() {
        let cases = [
            (
                clock_sub(7, 1, 500, 0),
                Ok(Subscription::Clock {
                    userdata: 7,
                    clock: 1,
                    timeout: 500,
                    abstime: false,
                }),
            ),
            (
                clock_sub(8, 0, 9, 1),
                Ok(Subscription::Clock {
                    userdata: 8,
                    clock: 0,
                    timeout: 9,
                    abstime: true,
                }),
            ),
            (
                fd_sub(9, eventtype::FD_READ, 3),
                Ok(Subscription::Fd {
                    userdata: 9,
                    fd: 3,
                    write: false,
                }),
            ),
            (
                fd_sub(10, eventtype::FD_WRITE, 4),
                Ok(Subscription::Fd {
                    userdata: 10,
                    fd: 4,
                    write: true,
                }),
            ),
            (fd_sub(11, 3, 4), Err(Errno::Inval)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(Subscription::decode(&bytes), expected);
        }
    }

    #[test]
    fn encode_records() {
        let e = Event::fd(0x1122, true, Errno::Pipe, 77, true).encode();
        assert_eq!(u64::from_le_bytes(e[0..8].try_into().unwrap()), 0x1122);
        assert_eq!(u16::from_le_bytes([e[8], e[9]]), Errno::Pipe as u16);
        assert_eq!(e[10], eventtype::FD_WRITE);
        assert_eq!(u64::from_le_bytes(e[16..24].try_into().unwrap()), 77);
        assert_eq!(u16::from_le_bytes([e[24], e[25]]), eventrwflags::HANGUP);
        let c = Event::clock(5, Errno::Success).encode();
        assert_eq!((c[10], &c[16..]), (eventtype::CLOCK, &[0u8; 16][..]));
    }

    fn no_fds(_: u32) -> Result<Arc<dyn FdObject>, Errno> {
        Err(Errno::Badf)
    }

    fn clocks(id: u32) -> Option<u64> {
        (id < 2).then_some(1_000_000_000)
    }

    #[test]
    fn clocks_fire_in_time() {
        let start = Instant::now();
        let subs = [Subscription::Clock {
            userdata: 1,
            clock: 1,
            timeout: 20_000_000,
            abstime: false,
        }];
        let got = poll_oneoff(&subs, no_fds, clocks, || false).unwrap();
        assert_eq!(got, vec![Event::clock(1, Errno::Success)]);
        assert!(start.elapsed() >= Duration::from_millis(19));
        // An absolute deadline already in the past fires at once.
        let subs = [Subscription::Clock {
            userdata: 2,
            clock: 0,
            timeout: 5,
            abstime: true,
        }];
        assert_eq!(
            poll_oneoff(&subs, no_fds, clocks, || false).unwrap(),
            vec![Event::clock(2, Errno::Success)]
        );
        let subs = [Subscription::Clock {
            userdata: 3,
            clock: 9,
            timeout: 5,
            abstime: false,
        }];
        assert_eq!(
            poll_oneoff(&subs, no_fds, clocks, || false).unwrap(),
            vec![Event::clock(3, Errno::Inval)]
        );
        assert_eq!(
            poll_oneoff(&[], no_fds, clocks, || false),
            Err(Errno::Inval)
        );
    }

    #[test]
    fn fd_readiness_and_bad_fds() {
        let ev: Arc<dyn FdObject> = Arc::new(EventFd::new(0, 0).unwrap());
        let lookup = |fd: u32| {
            if fd == 5 {
                Ok(ev.clone())
            } else {
                Err(Errno::Badf)
            }
        };
        let timeout = Subscription::Clock {
            userdata: 99,
            clock: 1,
            timeout: 10_000_000,
            abstime: false,
        };
        let read = Subscription::Fd {
            userdata: 1,
            fd: 5,
            write: false,
        };
        // Not readable yet: the clock fires.
        assert_eq!(
            poll_oneoff(&[read, timeout], lookup, clocks, || false).unwrap(),
            vec![Event::clock(99, Errno::Success)]
        );
        // Writable at once; a closed fd is reported as EBADF alongside.
        let write = Subscription::Fd {
            userdata: 2,
            fd: 5,
            write: true,
        };
        let bad = Subscription::Fd {
            userdata: 3,
            fd: 6,
            write: false,
        };
        let mut got = poll_oneoff(&[write, bad], lookup, clocks, || false).unwrap();
        got.sort_by_key(|e| e.userdata);
        assert_eq!(
            got,
            vec![
                Event::fd(2, true, Errno::Success, 0, false),
                Event::fd(3, false, Errno::Badf, 0, false)
            ]
        );
        ev.write(&1u64.to_le_bytes()).unwrap();
        let got = poll_oneoff(&[read, timeout], lookup, clocks, || false).unwrap();
        assert_eq!(
            got,
            vec![Event::fd(1, false, Errno::Success, 0, false)],
            "eventfds have no FIONREAD"
        );
    }
}
