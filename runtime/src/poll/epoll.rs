//! `epoll_create`/`epoll_ctl`/`epoll_wait`: a guest epoll is a host epoll instance over the
//! host fds of the registered objects.
//!
//! Using the kernel's epoll (rather than emulating it on `poll`) gives the exact Linux
//! semantics tokio/mio rely on for free: edge-triggered (`EPOLLET`) and one-shot
//! registrations, registrations made while another thread waits, and removal when the last
//! reference to an open description is closed. The guest's 24-byte `epoll_data` is kept on
//! our side and echoed back; the host event carries a registration key.

use std::any::Any;
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rustix::event::epoll::{self, EventFlags};

use crate::abi::Errno;
use crate::abi::types::Filetype;
use crate::fd::FdObject;
use crate::fd::object::host_filestat;

/// Size of a guest `epoll_event` (wasm32 and wasm64 alike).
pub const EPOLL_EVENT_SIZE: usize = 32;
/// Bytes of `epoll_data` (at offset 8 of the event), echoed back verbatim.
pub const EPOLL_DATA_SIZE: usize = 24;

/// `epoll_ctl` operation values as guests pass them.
///
/// Two numberings meet here: the WASIX ABI enum (witx, wasix-libc's `api_wasix.h`, the mio
/// fork: ADD 0, MOD 1, DEL 2) and Linux's (musl's `<sys/epoll.h>`, which wasix-libc passes
/// through unchanged: ADD 1, DEL 2, MOD 3). Wasmer 7.4.2 decodes `0 | 1` as ADD, 2 as DEL and 3
/// as MOD. We accept both: 0 adds, 2 deletes, 3 modifies, and 1 ([`ctl::MOD`]) adds an fd
/// that is not registered and modifies one that is — each numbering's meaning in the case it
/// is used for. The only departures from a strict decoder are two error cases (a Linux ADD of
/// a registered fd modifies it instead of failing with `EEXIST`; an ABI MOD of an unregistered
/// fd adds it instead of `ENOENT`). Portable guests pass 0/2/3, which mean the same on both
/// runtimes.
pub mod ctl {
    /// ADD in both numberings.
    pub const ADD: u32 = 0;
    /// ABI MOD and Linux ADD: add or modify (see the module doc).
    pub const MOD: u32 = 1;
    /// DEL in both numberings.
    pub const DEL: u32 = 2;
    /// Linux MOD (Wasmer 7.4.2 decodes it so too).
    pub const LINUX_MOD: u32 = 3;
}

/// What an `epoll_ctl` does once its op value is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtlAction {
    Add,
    Modify,
    Delete,
}

impl CtlAction {
    /// Decodes `op` for an fd that is (`registered`) or is not in the interest list yet
    /// (`EINVAL` for unknown values, like Linux).
    pub fn decode(op: u32, registered: bool) -> Result<Self, Errno> {
        match op {
            ctl::ADD => Ok(Self::Add),
            ctl::MOD if registered => Ok(Self::Modify),
            ctl::MOD => Ok(Self::Add),
            ctl::DEL => Ok(Self::Delete),
            ctl::LINUX_MOD => Ok(Self::Modify),
            _ => Err(Errno::Inval),
        }
    }
}

/// WASIX `epoll_type` bits.
pub mod epoll_type {
    pub const IN: u32 = 1;
    pub const OUT: u32 = 2;
    pub const RDHUP: u32 = 4;
    pub const PRI: u32 = 8;
    pub const ERR: u32 = 16;
    pub const HUP: u32 = 32;
    pub const ET: u32 = 64;
    pub const ONESHOT: u32 = 128;
}

/// Guest bits ↔ host bits, one pair per flag.
const FLAG_MAP: [(u32, EventFlags); 8] = [
    (epoll_type::IN, EventFlags::IN),
    (epoll_type::OUT, EventFlags::OUT),
    (epoll_type::RDHUP, EventFlags::RDHUP),
    (epoll_type::PRI, EventFlags::PRI),
    (epoll_type::ERR, EventFlags::ERR),
    (epoll_type::HUP, EventFlags::HUP),
    (epoll_type::ET, EventFlags::ET),
    (epoll_type::ONESHOT, EventFlags::ONESHOT),
];

/// Host interest flags for a guest `events` mask (unknown bits are ignored like Linux does).
pub fn host_flags(guest: u32) -> EventFlags {
    FLAG_MAP
        .iter()
        .filter(|(g, _)| guest & g != 0)
        .fold(EventFlags::empty(), |acc, (_, h)| acc | *h)
}

/// Guest `events` for host result flags.
pub fn guest_flags(host: EventFlags) -> u32 {
    FLAG_MAP
        .iter()
        .filter(|(_, h)| host.contains(*h))
        .fold(0, |acc, (g, _)| acc | g)
}

/// Decodes a guest `epoll_event`: the events mask and the opaque data.
pub fn decode_event(buf: &[u8; EPOLL_EVENT_SIZE]) -> (u32, [u8; EPOLL_DATA_SIZE]) {
    let events = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let mut data = [0u8; EPOLL_DATA_SIZE];
    data.copy_from_slice(&buf[8..]);
    (events, data)
}

/// Encodes a guest `epoll_event`.
pub fn encode_event(events: u32, data: &[u8; EPOLL_DATA_SIZE]) -> [u8; EPOLL_EVENT_SIZE] {
    let mut buf = [0u8; EPOLL_EVENT_SIZE];
    buf[..4].copy_from_slice(&events.to_le_bytes());
    buf[8..].copy_from_slice(data);
    buf
}

/// A guest epoll instance.
pub struct Epoll {
    ep: OwnedFd,
    regs: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_key: u64,
    /// Guest fd → registration key.
    by_fd: HashMap<u32, u64>,
    regs: HashMap<u64, Registration>,
}

struct Registration {
    /// Weak, so a registration never keeps a closed socket open.
    obj: Weak<dyn FdObject>,
    data: [u8; EPOLL_DATA_SIZE],
}

impl Registry {
    /// The live registration of guest `fd` for exactly `obj` (a closed-and-reused fd number
    /// refers to another object and does not count).
    fn live_key(&self, fd: u32, obj: &Arc<dyn FdObject>) -> Option<u64> {
        let key = *self.by_fd.get(&fd)?;
        let reg = self.regs.get(&key)?;
        let same = reg
            .obj
            .upgrade()
            .is_some_and(|o| std::ptr::addr_eq(Arc::as_ptr(&o), Arc::as_ptr(obj)));
        same.then_some(key)
    }

    /// Drops the record behind `fd` if its object is gone (nothing can report it any more).
    fn forget_dead(&mut self, fd: u32) {
        if let Some(&key) = self.by_fd.get(&fd)
            && self
                .regs
                .get(&key)
                .is_some_and(|r| r.obj.strong_count() == 0)
        {
            self.regs.remove(&key);
        }
    }

    fn remove_fd(&mut self, fd: u32) {
        if let Some(key) = self.by_fd.remove(&fd) {
            self.regs.remove(&key);
        }
    }
}

impl Epoll {
    /// `epoll_create`.
    pub fn new() -> Result<Self, Errno> {
        let ep = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        Ok(Self {
            ep,
            regs: Mutex::new(Registry::default()),
        })
    }

    /// `epoll_ctl`: `obj` is what guest `fd` refers to now; `event` is required for ADD/MOD.
    pub fn ctl(
        &self,
        op: u32,
        fd: u32,
        obj: &Arc<dyn FdObject>,
        event: Option<(u32, [u8; EPOLL_DATA_SIZE])>,
    ) -> Result<(), Errno> {
        if std::ptr::addr_eq(Arc::as_ptr(obj), self as *const Self) {
            return Err(Errno::Inval);
        }
        // Regular files and objects without a host fd cannot be waited on (Linux: EPERM).
        let source = obj.host_fd().ok_or(Errno::Perm)?;
        let mut regs = self.regs.lock().unwrap_or_else(|p| p.into_inner());
        match CtlAction::decode(op, regs.live_key(fd, obj).is_some())? {
            CtlAction::Add => {
                let (events, data) = event.ok_or(Errno::Fault)?;
                if regs.live_key(fd, obj).is_some() {
                    return Err(Errno::Exist);
                }
                // `fd` was closed and its number reused. If the old description is gone, so
                // is its kernel registration; if a dup keeps it alive, Linux keeps reporting
                // it with its old data, and so do we: only the fd mapping moves.
                regs.forget_dead(fd);
                regs.by_fd.remove(&fd);
                let key = regs.next_key;
                epoll::add(
                    &self.ep,
                    source,
                    epoll::EventData::new_u64(key),
                    host_flags(events),
                )?;
                regs.next_key += 1;
                regs.by_fd.insert(fd, key);
                regs.regs.insert(
                    key,
                    Registration {
                        obj: Arc::downgrade(obj),
                        data,
                    },
                );
            }
            CtlAction::Modify => {
                let (events, data) = event.ok_or(Errno::Fault)?;
                let key = regs.live_key(fd, obj).ok_or(Errno::Noent)?;
                epoll::modify(
                    &self.ep,
                    source,
                    epoll::EventData::new_u64(key),
                    host_flags(events),
                )?;
                if let Some(reg) = regs.regs.get_mut(&key) {
                    reg.data = data;
                }
            }
            CtlAction::Delete => {
                regs.live_key(fd, obj).ok_or(Errno::Noent)?;
                epoll::delete(&self.ep, source)?;
                regs.remove_fd(fd);
            }
        }
        Ok(())
    }

    /// `epoll_wait`: up to `max` ready events, waiting at most `timeout` (`None` = forever).
    /// An empty result means the timeout passed.
    pub fn wait(
        &self,
        max: usize,
        timeout: Option<Duration>,
    ) -> Result<Vec<(u32, [u8; EPOLL_DATA_SIZE])>, Errno> {
        self.wait_interruptible(max, timeout, || false)
    }

    /// Like [`Epoll::wait`], but an empty wait gives up with EINTR once `interrupted()` says
    /// so (checked every [`crate::proc::WAIT_SLICE`]): a process that is ending, or has a
    /// signal queued, gets control back.
    pub fn wait_interruptible(
        &self,
        max: usize,
        timeout: Option<Duration>,
        interrupted: impl Fn() -> bool,
    ) -> Result<Vec<(u32, [u8; EPOLL_DATA_SIZE])>, Errno> {
        if max == 0 {
            return Err(Errno::Inval);
        }
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        // Exactly `max` slots, so the kernel never hands out an event we could not return
        // (an edge-triggered event dropped here would be lost for good).
        let mut slots = vec![std::mem::MaybeUninit::<epoll::Event>::uninit(); max.min(1024)];
        loop {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            // Slices keep the wait interruptible (and within epoll_wait's int milliseconds).
            let cap = crate::proc::WAIT_SLICE;
            let slice = match (timeout, remaining) {
                (None, _) | (Some(_), None) => cap,
                (Some(_), Some(r)) => r.min(cap),
            };
            let ts = rustix::event::Timespec::try_from(slice).map_err(|_| Errno::Inval)?;
            let out = match epoll::wait(&self.ep, &mut slots[..], Some(&ts)) {
                Ok((ready, _)) => self.translate(ready),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            };
            let expired = remaining.is_some_and(|r| r <= slice);
            if !out.is_empty() || expired {
                return Ok(out);
            }
            if interrupted() {
                return Err(Errno::Intr);
            }
        }
    }

    fn translate(&self, host: &[epoll::Event]) -> Vec<(u32, [u8; EPOLL_DATA_SIZE])> {
        let regs = self.regs.lock().unwrap_or_else(|p| p.into_inner());
        host.iter()
            .filter_map(|ev| {
                // Copy out of the (packed) host event before use.
                let (flags, data) = (ev.flags, ev.data);
                let reg = regs.regs.get(&data.u64())?;
                Some((guest_flags(flags), reg.data))
            })
            .collect()
    }

    /// Registered guest fds (for tracing and tests).
    pub fn registered_fds(&self) -> Vec<u32> {
        let regs = self.regs.lock().unwrap_or_else(|p| p.into_inner());
        let mut fds: Vec<u32> = regs.by_fd.keys().copied().collect();
        fds.sort_unstable();
        fds
    }
}

impl FdObject for Epoll {
    fn filetype(&self) -> Filetype {
        Filetype::Unknown
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn filestat(&self) -> Result<crate::abi::types::Filestat, Errno> {
        host_filestat(self.ep.as_fd(), Filetype::Unknown)
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.ep.as_fd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fd::event::EventFd;

    #[test]
    fn flag_translation() {
        use epoll_type::*;
        let cases = [
            (IN, EventFlags::IN),
            (OUT, EventFlags::OUT),
            (
                IN | OUT | RDHUP | ET,
                EventFlags::IN | EventFlags::OUT | EventFlags::RDHUP | EventFlags::ET,
            ),
            (
                PRI | ERR | HUP | ONESHOT,
                EventFlags::PRI | EventFlags::ERR | EventFlags::HUP | EventFlags::ONESHOT,
            ),
            (0, EventFlags::empty()),
        ];
        for (guest, host) in cases {
            assert_eq!(host_flags(guest), host, "guest {guest:#x}");
            assert_eq!(guest_flags(host), guest, "host {host:?}");
        }
        // Unknown guest bits are dropped.
        assert_eq!(host_flags(1 << 20 | IN), EventFlags::IN);
    }

    #[test]
    fn event_layout() {
        let mut data = [0u8; EPOLL_DATA_SIZE];
        for (i, b) in data.iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        let buf = encode_event(0x8000_0005, &data);
        assert_eq!(&buf[..4], &[5, 0, 0, 0x80]);
        assert_eq!(&buf[4..8], &[0; 4], "padding");
        assert_eq!(buf[8], 1, "data.ptr starts at offset 8");
        assert_eq!(buf[31], 24, "data.data2 ends at offset 32");
        assert_eq!(decode_event(&buf), (0x8000_0005, data));
    }

    #[test]
    fn ctl_op_values_of_both_numberings() {
        use CtlAction::*;
        // (op, registered, action): ABI 0/1/2, Linux 1/2/3 (what Wasmer 7.4.2 decodes).
        let cases = [
            (0, false, Ok(Add)),
            (0, true, Ok(Add)), // then EEXIST from the registry
            (1, false, Ok(Add)),
            (1, true, Ok(Modify)),
            (2, true, Ok(Delete)),
            (2, false, Ok(Delete)), // then ENOENT
            (3, true, Ok(Modify)),
            (3, false, Ok(Modify)), // then ENOENT
            (4, true, Err(Errno::Inval)),
            (u32::MAX, false, Err(Errno::Inval)),
        ];
        for (op, registered, want) in cases {
            assert_eq!(
                CtlAction::decode(op, registered),
                want,
                "op {op}, registered {registered}"
            );
        }
    }

    #[test]
    fn op_one_adds_then_modifies() {
        let ep = Epoll::new().unwrap();
        let ev: Arc<dyn FdObject> = Arc::new(EventFd::new(1, 0).unwrap());
        let short = Some(Duration::from_millis(10));
        ep.ctl(ctl::MOD, 6, &ev, Some((epoll_type::IN, data(1))))
            .unwrap();
        assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(1))]);
        ep.ctl(ctl::MOD, 6, &ev, Some((epoll_type::IN, data(2))))
            .unwrap();
        assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(2))]);
        ep.ctl(ctl::LINUX_MOD, 6, &ev, Some((epoll_type::IN, data(3))))
            .unwrap();
        assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(3))]);
        assert_eq!(ep.registered_fds(), vec![6]);
    }

    fn data(tag: u8) -> [u8; EPOLL_DATA_SIZE] {
        [tag; EPOLL_DATA_SIZE]
    }

    #[test]
    fn level_edge_and_oneshot() {
        let ep = Epoll::new().unwrap();
        let ev: Arc<dyn FdObject> = Arc::new(EventFd::new(0, 0).unwrap());
        let short = Some(Duration::from_millis(10));
        ep.ctl(ctl::ADD, 5, &ev, Some((epoll_type::IN, data(7))))
            .unwrap();
        assert_eq!(
            ep.ctl(ctl::ADD, 5, &ev, Some((epoll_type::IN, data(7)))),
            Err(Errno::Exist)
        );
        assert!(
            ep.wait(8, short).unwrap().is_empty(),
            "nothing readable yet"
        );
        ev.write(&1u64.to_le_bytes()).unwrap();
        // Level-triggered: reported on every wait while readable.
        for _ in 0..2 {
            assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(7))]);
        }
        // Edge-triggered: once per change.
        ep.ctl(
            ctl::MOD,
            5,
            &ev,
            Some((epoll_type::IN | epoll_type::ET, data(8))),
        )
        .unwrap();
        assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(8))]);
        assert!(ep.wait(8, short).unwrap().is_empty());
        ev.write(&1u64.to_le_bytes()).unwrap();
        assert_eq!(ep.wait(8, short).unwrap(), vec![(epoll_type::IN, data(8))]);
        // One-shot: disabled after one report until re-armed with MOD.
        ep.ctl(
            ctl::MOD,
            5,
            &ev,
            Some((epoll_type::IN | epoll_type::ONESHOT, data(9))),
        )
        .unwrap();
        assert_eq!(ep.wait(8, short).unwrap().len(), 1);
        assert!(ep.wait(8, short).unwrap().is_empty());
        ep.ctl(ctl::DEL, 5, &ev, None).unwrap();
        assert_eq!(ep.ctl(ctl::DEL, 5, &ev, None), Err(Errno::Noent));
        assert_eq!(
            ep.ctl(ctl::LINUX_MOD, 5, &ev, Some((epoll_type::IN, data(1)))),
            Err(Errno::Noent)
        );
        assert_eq!(
            ep.ctl(9, 5, &ev, Some((epoll_type::IN, data(1)))),
            Err(Errno::Inval)
        );
        assert!(ep.registered_fds().is_empty());
    }

    #[test]
    fn closed_objects_drop_out_and_numbers_can_be_reused() {
        let ep = Epoll::new().unwrap();
        let first: Arc<dyn FdObject> = Arc::new(EventFd::new(1, 0).unwrap());
        ep.ctl(ctl::ADD, 4, &first, Some((epoll_type::IN, data(1))))
            .unwrap();
        drop(first); // the guest closed fd 4: the host fd is gone, so is the registration
        assert!(
            ep.wait(8, Some(Duration::from_millis(10)))
                .unwrap()
                .is_empty()
        );
        let second: Arc<dyn FdObject> = Arc::new(EventFd::new(1, 0).unwrap());
        ep.ctl(ctl::ADD, 4, &second, Some((epoll_type::IN, data(2))))
            .unwrap();
        assert_eq!(
            ep.wait(8, Some(Duration::ZERO)).unwrap(),
            vec![(epoll_type::IN, data(2))]
        );
        assert_eq!(ep.registered_fds(), vec![4]);
    }

    #[test]
    fn a_reused_number_does_not_hide_a_dup_still_registered() {
        let ep = Epoll::new().unwrap();
        let first: Arc<dyn FdObject> = Arc::new(EventFd::new(1, 0).unwrap());
        let dup = first.clone(); // another fd still refers to the description
        ep.ctl(ctl::ADD, 4, &first, Some((epoll_type::IN, data(1))))
            .unwrap();
        drop(first); // fd 4 closed, number reused below
        let second: Arc<dyn FdObject> = Arc::new(EventFd::new(1, 0).unwrap());
        ep.ctl(ctl::ADD, 4, &second, Some((epoll_type::IN, data(2))))
            .unwrap();
        let mut got = ep.wait(8, Some(Duration::ZERO)).unwrap();
        got.sort();
        assert_eq!(
            got,
            vec![(epoll_type::IN, data(1)), (epoll_type::IN, data(2))]
        );
        assert_eq!(ep.registered_fds(), vec![4]);
        drop(dup);
    }

    #[test]
    fn refusals() {
        let ep = Arc::new(Epoll::new().unwrap());
        let as_obj: Arc<dyn FdObject> = ep.clone();
        assert_eq!(
            ep.ctl(ctl::ADD, 3, &as_obj, Some((epoll_type::IN, data(0)))),
            Err(Errno::Inval)
        );
        assert_eq!(ep.wait(0, None), Err(Errno::Inval));
        // Nothing ready and no timeout: only an interruption ends the wait.
        assert_eq!(ep.wait_interruptible(4, None, || true), Err(Errno::Intr));
        let start = Instant::now();
        assert!(
            ep.wait(4, Some(Duration::from_millis(30)))
                .unwrap()
                .is_empty()
        );
        assert!(
            start.elapsed() >= Duration::from_millis(25),
            "the timeout is honoured"
        );
    }
}
