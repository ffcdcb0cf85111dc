//! The threads of one process: tid allocation, liveness, (interruptible) join, and the
//! signals directed at one thread (`thread_signal`, `pthread_kill`) waiting for its next safe
//! point.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};

use crate::abi::Errno;

/// The threads of one process: tid allocation, liveness, join and per-thread pending signals.
pub struct ThreadRegistry {
    main_tid: u32,
    next_tid: AtomicU32,
    /// Running threads, each with the signals queued for it (bit `n - 1` = signal `n`).
    running: Mutex<HashMap<u32, u64>>,
    /// Whether any thread may have a signal queued: lets the checks every wait makes skip the
    /// lock in the usual case.
    any_pending: AtomicBool,
    changed: Condvar,
    /// Most threads at once, the main thread included (`--max-threads`).
    max: usize,
    /// A spawn was refused because of `max` (reported when the process fails).
    limit_reached: AtomicBool,
}

impl ThreadRegistry {
    /// The registry of a process whose main thread is `main_tid`, allowing `max` threads.
    pub(crate) fn new(main_tid: u32, max: usize) -> Self {
        let mut running = HashMap::new();
        running.insert(main_tid, 0);
        ThreadRegistry {
            main_tid,
            next_tid: AtomicU32::new(main_tid + 1),
            running: Mutex::new(running),
            any_pending: AtomicBool::new(false),
            changed: Condvar::new(),
            max: max.max(1),
            limit_reached: AtomicBool::new(false),
        }
    }

    /// Whether a spawn was refused by the thread limit.
    pub fn limit_reached(&self) -> bool {
        self.limit_reached.load(Ordering::Relaxed)
    }

    pub fn main_tid(&self) -> u32 {
        self.main_tid
    }

    /// Reserves a new tid (`1..=0x1FFF_FFFF` as wasi-threads requires) and marks it running;
    /// EAGAIN when the process has its most threads already or the tids are used up.
    pub fn register(&self) -> Result<u32, Errno> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.len() >= self.max {
            self.limit_reached.store(true, Ordering::Relaxed);
            return Err(Errno::Again);
        }
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        if tid > 0x1FFF_FFFF {
            return Err(Errno::Again);
        }
        running.insert(tid, 0);
        Ok(tid)
    }

    /// Marks `tid` finished and wakes joiners.
    pub fn finished(&self, tid: u32) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&tid);
        self.changed.notify_all();
    }

    /// Blocks until `tid` is not running (unknown tids return at once).
    pub fn join(&self, tid: u32) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while running.contains_key(&tid) {
            running = self
                .changed
                .wait(running)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Like [`ThreadRegistry::join`], but gives up with EINTR once `interrupted()` says so
    /// (checked every [`crate::proc::WAIT_SLICE`]).
    pub fn join_interruptible(
        &self,
        tid: u32,
        interrupted: impl Fn() -> bool,
    ) -> Result<(), Errno> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while running.contains_key(&tid) {
            if interrupted() {
                return Err(Errno::Intr);
            }
            running = self
                .changed
                .wait_timeout(running, crate::proc::WAIT_SLICE)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Ok(())
    }

    /// Whether `tid` is running.
    pub fn is_running(&self, tid: u32) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&tid)
    }

    /// Some running thread, if any.
    pub fn any_running(&self) -> Option<u32> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .next()
            .copied()
    }

    /// Queues signal `s` (1..=64) for thread `tid`'s next safe point; ESRCH when `tid` is not
    /// running.
    pub fn queue_signal(&self, tid: u32, s: u8) -> Result<(), Errno> {
        if !(1..=64).contains(&s) {
            return Err(Errno::Inval);
        }
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let pending = running.get_mut(&tid).ok_or(Errno::Srch)?;
        *pending |= 1u64 << (s - 1);
        self.any_pending.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Whether any thread may have a signal queued (a relaxed load, no lock): the check every
    /// syscall return makes before looking further.
    #[inline]
    pub fn may_have_signals(&self) -> bool {
        self.any_pending.load(Ordering::Relaxed)
    }

    /// Whether a signal is queued for thread `tid`.
    pub fn has_signals(&self, tid: u32) -> bool {
        self.any_pending.load(Ordering::SeqCst)
            && self
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&tid)
                .is_some_and(|&p| p != 0)
    }

    /// Takes the signals queued for thread `tid` (bit `n - 1` = signal `n`).
    pub fn take_signals(&self, tid: u32) -> u64 {
        if !self.any_pending.load(Ordering::SeqCst) {
            return 0;
        }
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let taken = running.get_mut(&tid).map_or(0, std::mem::take);
        if running.values().all(|&p| p == 0) {
            self.any_pending.store(false, Ordering::SeqCst);
        }
        taken
    }

    /// Number of running threads.
    pub fn count(&self) -> usize {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn threads_register_and_join() {
        let p = Arc::new(ThreadRegistry::new(1, 16));
        let tid = p.register().unwrap();
        assert!(tid > 1);
        assert_eq!(p.count(), 2);
        let p2 = p.clone();
        let h = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            p2.finished(tid);
        });
        p.join(tid);
        assert_eq!(p.count(), 1);
        h.join().unwrap();
        p.join(12345); // unknown tids return at once
        let t2 = p.register().unwrap();
        assert_eq!(p.join_interruptible(t2, || true), Err(Errno::Intr));
        p.finished(t2);
        assert_eq!(p.join_interruptible(t2, || true), Ok(()));
    }

    #[test]
    fn signals_queue_per_thread() {
        let p = ThreadRegistry::new(1, 1024);
        let t = p.register().unwrap();
        assert!(!p.may_have_signals(), "nothing queued yet");
        let cases: &[(u32, u8, Result<(), Errno>)] = &[
            (t, 10, Ok(())),
            (t, 14, Ok(())),
            (t, 10, Ok(())),
            (t, 0, Err(Errno::Inval)),
            (t, 65, Err(Errno::Inval)),
            (999, 10, Err(Errno::Srch)),
        ];
        for &(tid, s, want) in cases {
            assert_eq!(p.queue_signal(tid, s), want, "tid {tid} signal {s}");
        }
        assert!(!p.has_signals(1), "the main thread got nothing");
        assert!(p.has_signals(t));
        assert!(p.may_have_signals());
        assert_eq!(p.take_signals(t), (1 << 9) | (1 << 13));
        assert!(!p.has_signals(t));
        assert!(
            !p.may_have_signals(),
            "the syscall-return check is cheap again"
        );
        assert_eq!(p.take_signals(t), 0);
        p.finished(t);
        assert_eq!(p.queue_signal(t, 10), Err(Errno::Srch), "a finished thread");
    }

    #[test]
    fn the_limit_counts_running_threads_with_the_main_one() {
        let p = ThreadRegistry::new(1, 3);
        let a = p.register().unwrap();
        let _b = p.register().unwrap();
        assert!(!p.limit_reached());
        assert_eq!(p.register(), Err(Errno::Again));
        assert!(p.limit_reached());
        p.finished(a);
        assert!(p.register().is_ok(), "a finished thread frees its place");
        assert_eq!(ThreadRegistry::new(1, 1).register(), Err(Errno::Again));
    }
}
