//! The process table of one run: pid allocation, the process limit, parent/child links,
//! exit statuses of children not yet joined (zombies), and `proc_join`'s waiting.
//!
//! Generic over the process object so the bookkeeping is testable without a guest. Children of
//! a process that ended are orphans: nobody can join them, so their slot is freed as soon as
//! they end (no init process adopts them).

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::abi::Errno;
use crate::proc::status::ExitStatus;

/// Default for the most processes (running or not yet joined) one run may hold.
pub const DEFAULT_MAX_PROCS: usize = 256;

/// How often a blocked join re-checks whether its caller was interrupted.
const WAIT_SLICE: Duration = Duration::from_millis(50);

struct Slot<P> {
    ppid: u32,
    process: Option<Arc<P>>,
    status: Option<ExitStatus>,
    orphan: bool,
}

struct Inner<P> {
    next_pid: u32,
    slots: BTreeMap<u32, Slot<P>>,
}

/// One run's processes.
pub struct ProcTable<P> {
    inner: Mutex<Inner<P>>,
    changed: Condvar,
    max: usize,
}

/// What a join found.
#[derive(Debug, PartialEq, Eq)]
pub enum Joined {
    /// A child ended: its pid and status (its slot is freed).
    Exited(u32, ExitStatus),
    /// Non-blocking and no child has ended yet.
    Nothing,
}

impl<P> ProcTable<P> {
    /// A table allowing `max` processes (at least 1).
    pub fn new(max: usize) -> Self {
        ProcTable {
            inner: Mutex::new(Inner {
                next_pid: crate::process::FIRST_PID,
                slots: BTreeMap::new(),
            }),
            changed: Condvar::new(),
            max: max.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<P>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The limit this table enforces.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Allocates a pid for a new child of `ppid` (0 for the first process); EAGAIN at the limit.
    pub fn reserve(&self, ppid: u32) -> Result<u32, Errno> {
        let mut inner = self.lock();
        if inner.slots.len() >= self.max {
            return Err(Errno::Again);
        }
        let pid = inner.next_pid;
        if pid > i32::MAX as u32 {
            return Err(Errno::Again);
        }
        inner.next_pid += 1;
        inner.slots.insert(
            pid,
            Slot {
                ppid,
                process: None,
                status: None,
                orphan: false,
            },
        );
        Ok(pid)
    }

    /// Gives a reserved pid its process object.
    pub fn attach(&self, pid: u32, process: Arc<P>) {
        if let Some(slot) = self.lock().slots.get_mut(&pid) {
            slot.process = Some(process);
        }
    }

    /// Frees a pid whose process never started.
    pub fn release(&self, pid: u32) {
        self.lock().slots.remove(&pid);
        self.changed.notify_all();
    }

    /// The running process `pid`.
    pub fn get(&self, pid: u32) -> Option<Arc<P>> {
        self.lock().slots.get(&pid).and_then(|s| s.process.clone())
    }

    /// Every running process.
    pub fn running(&self) -> Vec<Arc<P>> {
        self.lock()
            .slots
            .values()
            .filter_map(|s| s.process.clone())
            .collect()
    }

    /// Whether `pid` exists (running, or ended and not joined yet).
    pub fn exists(&self, pid: u32) -> bool {
        self.lock().slots.contains_key(&pid)
    }

    /// The parent of `pid`.
    pub fn parent_of(&self, pid: u32) -> Option<u32> {
        self.lock().slots.get(&pid).map(|s| s.ppid)
    }

    /// Number of slots in use (running processes plus unjoined ends).
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records that `pid` ended: its parent can now join it; its children become orphans.
    /// Returns its parent's pid when the parent may still join it.
    pub fn exited(&self, pid: u32, status: ExitStatus) -> Option<u32> {
        let mut inner = self.lock();
        let ended_children: Vec<u32> = inner
            .slots
            .iter()
            .filter(|(_, s)| s.ppid == pid && !s.orphan)
            .map(|(p, _)| *p)
            .collect();
        for child in ended_children {
            let done = match inner.slots.get_mut(&child) {
                Some(s) => {
                    s.orphan = true;
                    s.status.is_some()
                }
                None => false,
            };
            if done {
                inner.slots.remove(&child);
            }
        }
        let mut parent = None;
        let remove = match inner.slots.get_mut(&pid) {
            Some(slot) => {
                slot.status.get_or_insert(status);
                slot.process = None;
                if !slot.orphan && slot.ppid != 0 {
                    parent = Some(slot.ppid);
                }
                slot.orphan || slot.ppid == 0
            }
            None => false,
        };
        if remove {
            inner.slots.remove(&pid);
        }
        drop(inner);
        self.changed.notify_all();
        parent
    }

    /// Waits for a child of `caller` to end (`target` = that child, or any): similar to
    /// `waitpid`. ECHILD when there is no such child; EINTR as soon as `interrupted()` says so.
    pub fn join(
        &self,
        caller: u32,
        target: Option<u32>,
        nonblocking: bool,
        interrupted: impl Fn() -> bool,
    ) -> Result<Joined, Errno> {
        let mut inner = self.lock();
        loop {
            let mine = |s: &Slot<P>| s.ppid == caller && !s.orphan;
            let found = match target {
                Some(pid) => match inner.slots.get(&pid) {
                    Some(s) if mine(s) => s.status.map(|st| (pid, st)),
                    _ => return Err(Errno::Child),
                },
                None => {
                    let mut children = inner.slots.iter().filter(|(_, s)| mine(s)).peekable();
                    if children.peek().is_none() {
                        return Err(Errno::Child);
                    }
                    children.find_map(|(p, s)| s.status.map(|st| (*p, st)))
                }
            };
            if let Some((pid, status)) = found {
                inner.slots.remove(&pid);
                return Ok(Joined::Exited(pid, status));
            }
            if nonblocking {
                return Ok(Joined::Nothing);
            }
            if interrupted() {
                return Err(Errno::Intr);
            }
            inner = self
                .changed
                .wait_timeout(inner, WAIT_SLICE)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max: usize) -> Arc<ProcTable<()>> {
        Arc::new(ProcTable::new(max))
    }

    #[test]
    fn pids_and_limit() {
        let t = table(3);
        assert_eq!(t.reserve(0), Ok(1));
        assert_eq!(t.reserve(1), Ok(2));
        assert_eq!(t.reserve(1), Ok(3));
        assert_eq!(t.reserve(1), Err(Errno::Again));
        t.release(3);
        assert_eq!(t.reserve(1), Ok(4), "pids are not reused at once");
        assert_eq!(t.parent_of(4), Some(1));
        assert_eq!(t.parent_of(9), None);
    }

    #[test]
    fn join_any_specific_and_nonblocking() {
        let t = table(8);
        let root = t.reserve(0).unwrap();
        let never = |/* not interrupted */| false;
        assert_eq!(t.join(root, None, true, never), Err(Errno::Child));
        let a = t.reserve(root).unwrap();
        let b = t.reserve(root).unwrap();
        assert_eq!(t.join(root, None, true, never), Ok(Joined::Nothing));
        assert_eq!(t.join(root, Some(99), true, never), Err(Errno::Child));
        assert_eq!(
            t.join(a, Some(b), true, never),
            Err(Errno::Child),
            "not a's child"
        );
        assert_eq!(t.exited(b, ExitStatus::Code(7)), Some(root));
        assert_eq!(t.join(root, Some(a), true, never), Ok(Joined::Nothing));
        assert_eq!(
            t.join(root, None, false, never),
            Ok(Joined::Exited(b, ExitStatus::Code(7)))
        );
        assert!(!t.exists(b), "joined slot freed");
        // A blocking join wakes when the child ends on another thread.
        let t2 = t.clone();
        let h = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            t2.exited(a, ExitStatus::Signal(9));
        });
        assert_eq!(
            t.join(root, Some(a), false, never),
            Ok(Joined::Exited(a, ExitStatus::Signal(9)))
        );
        h.join().unwrap();
        assert_eq!(t.join(root, None, false, never), Err(Errno::Child));
    }

    #[test]
    fn blocked_join_is_interruptible() {
        let t = table(4);
        let root = t.reserve(0).unwrap();
        t.reserve(root).unwrap();
        assert_eq!(t.join(root, None, false, || true), Err(Errno::Intr));
    }

    #[test]
    fn orphans_are_freed_when_they_end() {
        let t = table(8);
        let root = t.reserve(0).unwrap();
        let mid = t.reserve(root).unwrap();
        let done = t.reserve(mid).unwrap();
        let running = t.reserve(mid).unwrap();
        t.exited(done, ExitStatus::Code(0));
        assert_eq!(t.len(), 4);
        t.exited(mid, ExitStatus::Code(1));
        assert!(!t.exists(done), "ended orphan freed with its parent");
        assert!(t.exists(running));
        assert_eq!(
            t.exited(running, ExitStatus::Code(0)),
            None,
            "nobody joins an orphan"
        );
        assert!(!t.exists(running));
        assert_eq!(
            t.join(root, None, true, || false),
            Ok(Joined::Exited(mid, ExitStatus::Code(1)))
        );
        // The first process has no parent: its slot goes when it ends.
        assert_eq!(t.exited(root, ExitStatus::Code(0)), None);
        assert!(t.is_empty());
    }
}
