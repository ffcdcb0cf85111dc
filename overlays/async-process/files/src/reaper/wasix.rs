//! The reaper for WASIX (added by cargo-wasix's overlay), in place of the SIGCHLD one: WASIX
//! has no `async-signal` (no `sigaction` self-pipe) and no pidfd, so the driver thread wakes on
//! a short timer instead of on SIGCHLD and checks its children with `try_wait` (a
//! non-blocking `proc_join`). A child's exit is seen within one tick; the timer only runs
//! while the driver does, i.e. after the program's first spawn.

use async_lock::{Mutex as AsyncMutex, MutexGuard as AsyncMutexGuard};
use event_listener::Event;
use futures_lite::future;

use std::io;
use std::mem;
use std::sync::Mutex;
use std::time::Duration;

/// How often the driver looks at its children.
const TICK: Duration = Duration::from_millis(5);

pub(crate) type Lock = AsyncMutexGuard<'static, ()>;

/// The zombie process reaper.
pub(crate) struct Reaper {
    /// Notified on every tick: waiters re-check their child.
    tick: Event,
    /// Children dropped before they exited, reaped by the driver.
    zombies: Mutex<Vec<std::process::Child>>,
    /// Held by the one task driving the ticks.
    driver_guard: AsyncMutex<()>,
}

impl Reaper {
    /// Creates a new reaper.
    pub(crate) fn new() -> Self {
        Reaper {
            tick: Event::new(),
            zombies: Mutex::new(Vec::new()),
            driver_guard: AsyncMutex::new(()),
        }
    }

    /// Locks the driver.
    pub(crate) async fn lock(&self) -> AsyncMutexGuard<'_, ()> {
        self.driver_guard.lock().await
    }

    /// Ticks forever: wakes the waiters and reaps the zombies.
    pub(crate) async fn reap(&'static self, _driver_guard: AsyncMutexGuard<'_, ()>) -> ! {
        loop {
            async_io::Timer::after(TICK).await;
            self.tick.notify(usize::MAX);

            let mut zombies = mem::take(&mut *self.zombies.lock().unwrap_or_else(|e| e.into_inner()));
            // Keep the ones still running (an error means there is nothing left to wait for).
            zombies.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
            if !zombies.is_empty() {
                future::yield_now().await;
            }
            self.zombies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .append(&mut zombies);
        }
    }

    /// Registers a process with this reaper.
    pub(crate) fn register(&'static self, child: std::process::Child) -> io::Result<ChildGuard> {
        Ok(ChildGuard { inner: Some(child) })
    }

    /// Waits for the child to exit.
    pub(crate) async fn status(
        &'static self,
        child: &Mutex<crate::ChildGuard>,
    ) -> io::Result<std::process::ExitStatus> {
        loop {
            if let Some(status) = child.lock().unwrap_or_else(|e| e.into_inner()).get_mut().try_wait()? {
                return Ok(status);
            }
            event_listener::listener!(self.tick => listener);
            if let Some(status) = child.lock().unwrap_or_else(|e| e.into_inner()).get_mut().try_wait()? {
                return Ok(status);
            }
            listener.await;
        }
    }

    /// Whether children are left to reap.
    pub(crate) fn has_zombies(&'static self) -> bool {
        !self
            .zombies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }
}

/// The wrapper around a child.
pub(crate) struct ChildGuard {
    inner: Option<std::process::Child>,
}

impl ChildGuard {
    /// The inner child (present until `reap` hands it to the reaper).
    pub(crate) fn get_mut(&mut self) -> &mut std::process::Child {
        self.inner.as_mut().expect("async-process: child already handed to the reaper")
    }

    /// Hands a still-running child to the reaper.
    pub(crate) fn reap(&mut self, reaper: &'static Reaper) {
        if let Ok(None) = self.get_mut().try_wait() {
            if let Some(child) = self.inner.take() {
                reaper
                    .zombies
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(child);
            }
        }
    }
}
