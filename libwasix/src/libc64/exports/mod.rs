//! The C exports of libc64 (wasm64 only): thin wiring of the pure rules in `libc64` to the
//! WASIX imports in `crate::sys`. Each file is one area of the libc (docs/wasm64.md's table).

mod alloc;
mod dir;
mod env;
mod fd;
mod path;
mod poll;
mod pthread;
mod start;
mod string;

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// A spin lock for the libc's few globals (heap, environment): their critical sections are
/// short and never block, and the libc has no futex-based lock to build on yet.
pub struct Locked<T> {
    busy: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: `with` gives one thread at a time access to the value.
unsafe impl<T: Send> Sync for Locked<T> {}

impl<T> Locked<T> {
    pub const fn new(value: T) -> Self {
        Locked {
            busy: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with the value, other threads waiting. `f` must not call back into `with`
    /// on the same lock (the libc's paths never do: no callbacks run under a lock).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .busy
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the flag makes this the only live reference.
        let r = f(unsafe { &mut *self.value.get() });
        self.busy.store(false, Ordering::Release);
        r
    }
}
