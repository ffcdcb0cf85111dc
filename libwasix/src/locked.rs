//! A spin lock for libwasix's few process-wide values (the loaded time zone, libc64's heap and
//! environment): their critical sections are short and never block or call back into the
//! lock, and the C layer has no futex-based lock of its own to build on.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

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

    /// Runs `f` with the value, other threads waiting. `f` must not call back into `with` on
    /// the same lock (no caller runs callbacks under a lock).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_take_turns() {
        static COUNT: Locked<u64> = Locked::new(0);
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..10_000).for_each(|_| COUNT.with(|c| *c += 1))))
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(COUNT.with(|c| *c), 40_000);
    }
}
