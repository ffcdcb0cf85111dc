//! Thread parker for WASIX (added by cargo-wasix's overlay, `overlays/parking_lot_core/`).
//!
//! Parks on the WASIX futex calls. They share the wait queue of wasm's
//! `memory.atomic.wait32`/`memory.atomic.notify`, which std itself uses, and need no
//! unstable intrinsic, so this works on stable Rust without the `nightly` feature.

use super::Instant;
use core::convert::TryFrom;
use core::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

/// WASI's `option<timestamp>`: a tag byte, then the value at offset 8.
#[repr(C)]
struct OptionTimestamp {
    tag: u8,
    nanos: u64,
}

#[cfg_attr(target_pointer_width = "32", link(wasm_import_module = "wasix_32v1"))]
#[cfg_attr(target_pointer_width = "64", link(wasm_import_module = "wasix_64v1"))]
extern "C" {
    /// Sleeps while `*futex == expected`, until woken or the relative `timeout` passes.
    fn futex_wait(
        futex: *const AtomicU32,
        expected: u32,
        timeout: *const OptionTimestamp,
        woken: *mut u8,
    ) -> u16;
    /// Wakes one waiter on `futex`.
    fn futex_wake(futex: *const AtomicU32, woken: *mut u8) -> u16;
}

const UNPARKED: u32 = 0;
const PARKED: u32 = 1;

/// Waits on `futex` while it holds `PARKED`, at most `timeout`.
fn wait(futex: &AtomicU32, timeout: Option<Duration>) {
    let timeout = OptionTimestamp {
        tag: timeout.is_some() as u8,
        nanos: timeout.map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
    };
    let mut woken = 0u8;
    let errno = unsafe { futex_wait(futex, PARKED, &timeout, &mut woken) };
    if errno != 0 {
        // A runtime without the call: callers loop on the state, so yield instead of sleeping.
        thread::yield_now();
    }
}

// Helper type for putting a thread to sleep until some other thread wakes it up
pub struct ThreadParker {
    parked: AtomicU32,
}

impl super::ThreadParkerT for ThreadParker {
    type UnparkHandle = UnparkHandle;

    const IS_CHEAP_TO_CONSTRUCT: bool = true;

    #[inline]
    fn new() -> ThreadParker {
        ThreadParker {
            parked: AtomicU32::new(UNPARKED),
        }
    }

    #[inline]
    unsafe fn prepare_park(&self) {
        self.parked.store(PARKED, Ordering::Relaxed);
    }

    #[inline]
    unsafe fn timed_out(&self) -> bool {
        self.parked.load(Ordering::Relaxed) == PARKED
    }

    #[inline]
    unsafe fn park(&self) {
        while self.parked.load(Ordering::Acquire) == PARKED {
            wait(&self.parked, None);
        }
    }

    #[inline]
    unsafe fn park_until(&self, timeout: Instant) -> bool {
        while self.parked.load(Ordering::Acquire) == PARKED {
            let now = Instant::now();
            if timeout <= now {
                return false;
            }
            wait(&self.parked, Some(timeout - now));
        }
        true
    }

    #[inline]
    unsafe fn unpark_lock(&self) -> UnparkHandle {
        // Nothing to lock: clearing the state is what the parked thread checks.
        self.parked.store(UNPARKED, Ordering::Release);
        UnparkHandle(&self.parked)
    }
}

pub struct UnparkHandle(*const AtomicU32);

impl super::UnparkHandleT for UnparkHandle {
    #[inline]
    unsafe fn unpark(self) {
        // The parker may be gone by now; waking an address nobody waits on is harmless.
        let mut woken = 0u8;
        futex_wake(self.0, &mut woken);
    }
}

#[inline]
pub fn thread_yield() {
    thread::yield_now();
}
