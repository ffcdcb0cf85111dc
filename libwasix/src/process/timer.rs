//! `alarm`, `setitimer`, `getitimer` (`ITIMER_REAL` only) over `proc_raise_interval`.
//!
//! The runtime keeps one interval timer per process that raises SIGALRM after an interval,
//! once or repeating; the arithmetic is in [`super::itimer`]. The state here (when the timer
//! is first due, its period) answers `getitimer` and `alarm`'s "seconds left"; a timer whose
//! first interval differs from its period is armed one-shot and re-armed as a repeating one
//! by [`on_alarm`] when it first fires. `ITIMER_VIRTUAL`/`ITIMER_PROF` (CPU-time timers) are
//! EINVAL: WASIX has no CPU-time signal.

use core::ffi::{c_int, c_uint};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use libc::itimerval;

use super::itimer::{Arm, alarm_seconds, ns_timeval, plan, remaining, timeval_ns};
use crate::abi::Errno;
use crate::{errno, sys};

crate::same_signature_as_libc!(alarm, setitimer, getitimer);

const SIGALRM: c_int = 14;

/// Monotonic time the armed timer is first due (0: disarmed), its period (0: one-shot), and
/// whether its first firing must re-arm the runtime's timer with the period.
static FIRST_DUE: AtomicU64 = AtomicU64::new(0);
static PERIOD: AtomicU64 = AtomicU64::new(0);
static REARM: AtomicBool = AtomicBool::new(false);

fn now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live local; the monotonic clock always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// The current timer as (`it_value`, `it_interval`) in ns.
fn current() -> (u64, u64) {
    let first = FIRST_DUE.load(Ordering::Acquire);
    let period = PERIOD.load(Ordering::Acquire);
    if first == 0 {
        return (0, 0);
    }
    (remaining(first, period, now()), period)
}

fn write(out: *mut itimerval, (value, interval): (u64, u64)) {
    let (vs, vu) = ns_timeval(value);
    let (is, iu) = ns_timeval(interval);
    // SAFETY: callers pass a non-null, writable `struct itimerval`.
    unsafe {
        (*out).it_value.tv_sec = vs;
        (*out).it_value.tv_usec = vu as _;
        (*out).it_interval.tv_sec = is;
        (*out).it_interval.tv_usec = iu as _;
    }
}

/// Arms (or with `value` 0 disarms) the timer; returns the previous (`it_value`, `it_interval`).
fn arm(value: u64, interval: u64) -> Result<(u64, u64), Errno> {
    let before = current();
    let (runtime_interval, repeat, rearm) = match plan(value, interval) {
        Arm::Cancel => (0, false, false),
        Arm::Once { first } => (first, false, false),
        Arm::Repeat { period } => (period, true, false),
        Arm::OnceThenRepeat { first, .. } => (first, false, true),
    };
    let first_due = if value == 0 {
        0
    } else {
        now().saturating_add(value).max(1)
    };
    FIRST_DUE.store(first_due, Ordering::Release);
    PERIOD.store(interval, Ordering::Release);
    REARM.store(rearm, Ordering::Release);
    sys::proc_raise_interval(SIGALRM, runtime_interval, repeat)?;
    Ok(before)
}

/// Called by the signal dispatcher with each SIGALRM: the timer's first firing re-arms a
/// timer whose period differs from its first interval, and ends a one-shot one.
pub fn on_alarm() {
    let first = FIRST_DUE.load(Ordering::Acquire);
    if first == 0 || now() < first {
        // A SIGALRM from `raise`/`kill`, not from the timer.
        return;
    }
    let period = PERIOD.load(Ordering::Acquire);
    if REARM.swap(false, Ordering::AcqRel) {
        let _ = sys::proc_raise_interval(SIGALRM, period, true);
    } else if period == 0 {
        FIRST_DUE.store(0, Ordering::Release);
    }
}

/// Similar to `setitimer` in POSIX, for `ITIMER_REAL`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setitimer(
    which: c_int,
    new: *const itimerval,
    old: *mut itimerval,
) -> c_int {
    let r = (|| {
        if which != libc::ITIMER_REAL || new.is_null() {
            return Err(Errno::INVAL);
        }
        // SAFETY: a non-null `new` points to a `struct itimerval`.
        let (value, interval) = unsafe {
            (
                timeval_ns((*new).it_value.tv_sec, (*new).it_value.tv_usec.into())?,
                timeval_ns((*new).it_interval.tv_sec, (*new).it_interval.tv_usec.into())?,
            )
        };
        let before = arm(value, interval)?;
        if !old.is_null() {
            write(old, before);
        }
        Ok(())
    })();
    errno::unit(r)
}

/// Similar to `getitimer` in POSIX, for `ITIMER_REAL`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getitimer(which: c_int, curr: *mut itimerval) -> c_int {
    if which != libc::ITIMER_REAL || curr.is_null() {
        return errno::unit(Err(Errno::INVAL));
    }
    write(curr, current());
    0
}

/// Similar to `alarm` in POSIX: SIGALRM after `seconds` (0 cancels); the seconds left of
/// the previous alarm.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn alarm(seconds: c_uint) -> c_uint {
    match arm(u64::from(seconds) * 1_000_000_000, 0) {
        Ok((left, _)) => alarm_seconds(left),
        Err(_) => 0,
    }
}
