//! std's futex on WASIX: the WASIX `futex_wait`/`futex_wake`/`futex_wake_all` calls instead of
//! the `memory.atomic.wait32`/`notify` instructions. The runtime then sees every thread blocked
//! in a `Mutex`, `Condvar`, `park` or `join`: it runs signal handlers for it and ends it when its
//! process ends, which a thread parked in the instruction never notices.
//! (`until-1.98/` mounts it as `sys::pal::wasi::futex`, `since-1.99/` as `sys::sync::futex`.)

use crate::sync::atomic::Atomic;
use crate::time::Duration;

/// An atomic for use as a futex that is at least 32-bits but may be larger
pub type Futex = Atomic<Primitive>;
/// Must be the underlying type of Futex
pub type Primitive = u32;

/// An atomic for use as a futex that is at least 8-bits but may be larger.
pub type SmallFutex = Atomic<SmallPrimitive>;
/// Must be the underlying type of SmallFutex
pub type SmallPrimitive = u32;

/// A WASI `option_timestamp`: a relative timeout in nanoseconds when `tag` is 1.
#[repr(C)]
struct OptionTimestamp {
    tag: u8,
    nanos: u64,
}

mod raw {
    use super::OptionTimestamp;

    #[cfg_attr(target_pointer_width = "32", link(wasm_import_module = "wasix_32v1"))]
    #[cfg_attr(target_pointer_width = "64", link(wasm_import_module = "wasix_64v1"))]
    unsafe extern "C" {
        pub fn futex_wait(
            futex: *const u32,
            expected: u32,
            timeout: *const OptionTimestamp,
            ret_woken: *mut u8,
        ) -> i32;
        pub fn futex_wake(futex: *const u32, ret_woken: *mut u8) -> i32;
        pub fn futex_wake_all(futex: *const u32, ret_woken: *mut u8) -> i32;
    }
}

/// Waits for a `futex_wake` while `futex` holds `expected`. Returns false on timeout, true in
/// every other case (a wake, a changed value, or an interrupted wait: callers re-check).
pub fn futex_wait(futex: &Atomic<u32>, expected: u32, timeout: Option<Duration>) -> bool {
    // A timeout too long for u64 nanoseconds is no timeout.
    let nanos = timeout.and_then(|t| u64::try_from(t.as_nanos()).ok());
    let record = OptionTimestamp { tag: u8::from(nanos.is_some()), nanos: nanos.unwrap_or(0) };
    let mut woken = 1u8;
    // SAFETY: the futex word and both records live across the call.
    let errno = unsafe {
        raw::futex_wait(futex as *const Atomic<u32> as *const u32, expected, &record, &mut woken)
    };
    errno != 0 || woken != 0 || nanos.is_none()
}

/// Wakes up one thread that's blocked on `futex_wait` on this futex.
///
/// Returns true if this actually woke up such a thread,
/// or false if no thread was waiting on this futex.
pub fn futex_wake(futex: &Atomic<u32>) -> bool {
    let mut woken = 0u8;
    // SAFETY: the futex word and the out-byte live across the call.
    unsafe { raw::futex_wake(futex as *const Atomic<u32> as *const u32, &mut woken) };
    woken != 0
}

/// Wakes up all threads that are waiting on `futex_wait` on this futex.
pub fn futex_wake_all(futex: &Atomic<u32>) {
    let mut woken = 0u8;
    // SAFETY: the futex word and the out-byte live across the call.
    unsafe { raw::futex_wake_all(futex as *const Atomic<u32> as *const u32, &mut woken) };
}
