//! The arithmetic of `setitimer`/`getitimer`/`alarm` (pure, host-tested): timevals to and
//! from nanoseconds, and how a POSIX interval timer maps onto WASIX's
//! `proc_raise_interval(sig, interval, repeat)`, which has one interval for the first firing
//! and every later one.

use crate::abi::Errno;

const NS_PER_SEC: u64 = 1_000_000_000;
const NS_PER_USEC: u64 = 1_000;

/// How to arm the runtime's timer for `it_value`/`it_interval` (both in ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// `it_value` 0: disarm.
    Cancel,
    /// Fire once after `first`.
    Once { first: u64 },
    /// Fire after `period`, then every `period` (first firing and period alike).
    Repeat { period: u64 },
    /// Fire once after `first`; the first firing re-arms the runtime's timer to repeat every
    /// `period` (done by the signal dispatcher).
    OnceThenRepeat { first: u64, period: u64 },
}

/// The plan for `setitimer` with these values.
pub fn plan(value: u64, interval: u64) -> Arm {
    match (value, interval) {
        (0, _) => Arm::Cancel,
        (first, 0) => Arm::Once { first },
        (first, period) if first == period => Arm::Repeat { period },
        (first, period) => Arm::OnceThenRepeat { first, period },
    }
}

/// A `timeval` as nanoseconds; EINVAL for a negative time or microseconds outside 0..1e6.
pub fn timeval_ns(sec: i64, usec: i64) -> Result<u64, Errno> {
    let sec = u64::try_from(sec).map_err(|_| Errno::INVAL)?;
    let usec = u64::try_from(usec)
        .ok()
        .filter(|&u| u < 1_000_000)
        .ok_or(Errno::INVAL)?;
    sec.checked_mul(NS_PER_SEC)
        .and_then(|ns| ns.checked_add(usec * NS_PER_USEC))
        .ok_or(Errno::INVAL)
}

/// Nanoseconds as a `timeval` (seconds, microseconds), rounded up to the next microsecond so
/// a timer that has not fired never reads as 0.
pub fn ns_timeval(ns: u64) -> (i64, i64) {
    let usec = ns.div_ceil(NS_PER_USEC);
    ((usec / 1_000_000) as i64, (usec % 1_000_000) as i64)
}

/// What is left before the next firing at monotonic time `now`, for a timer first due at
/// `first_due` that repeats every `period` (0: one-shot; 0 is returned once it fired).
pub fn remaining(first_due: u64, period: u64, now: u64) -> u64 {
    if now < first_due {
        first_due - now
    } else if period == 0 {
        0
    } else {
        period - (now - first_due) % period
    }
}

/// `alarm`'s answer: the seconds left of the previous alarm, rounded up (a timer with any time
/// left is never reported as 0, as musl's `alarm` rounds).
pub fn alarm_seconds(remaining_ns: u64) -> u32 {
    u32::try_from(remaining_ns.div_ceil(NS_PER_SEC)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let cases = [
            ((0, 0), Arm::Cancel),
            ((0, 5), Arm::Cancel),
            ((7, 0), Arm::Once { first: 7 }),
            ((7, 7), Arm::Repeat { period: 7 }),
            (
                (7, 3),
                Arm::OnceThenRepeat {
                    first: 7,
                    period: 3,
                },
            ),
        ];
        for ((value, interval), want) in cases {
            assert_eq!(plan(value, interval), want, "{value} {interval}");
        }
    }

    #[test]
    fn timevals() {
        let cases = [
            ((0, 0), Ok(0)),
            ((1, 0), Ok(NS_PER_SEC)),
            ((0, 999_999), Ok(999_999_000)),
            ((2, 500_000), Ok(2_500_000_000)),
            ((-1, 0), Err(Errno::INVAL)),
            ((0, -1), Err(Errno::INVAL)),
            ((0, 1_000_000), Err(Errno::INVAL)),
            ((i64::MAX, 0), Err(Errno::INVAL)),
        ];
        for ((sec, usec), want) in cases {
            assert_eq!(timeval_ns(sec, usec), want, "{sec} {usec}");
        }
        for (ns, want) in [
            (0, (0, 0)),
            (1, (0, 1)),
            (1_000, (0, 1)),
            (1_001, (0, 2)),
            (2_500_000_000, (2, 500_000)),
        ] {
            assert_eq!(ns_timeval(ns), want, "{ns}");
        }
    }

    #[test]
    fn remaining_time() {
        let cases = [
            // (first_due, period, now) -> left
            ((100, 0, 40), 60),
            ((100, 0, 100), 0),
            ((100, 0, 500), 0),
            ((100, 30, 40), 60),
            ((100, 30, 100), 30),
            ((100, 30, 110), 20),
            ((100, 30, 161), 29),
        ];
        for ((first, period, now), want) in cases {
            assert_eq!(
                remaining(first, period, now),
                want,
                "{first} {period} {now}"
            );
        }
    }

    #[test]
    fn alarm_rounds_up() {
        let cases = [
            (0, 0),
            (1, 1),
            (NS_PER_SEC, 1),
            (NS_PER_SEC + 1, 2),
            (u64::MAX, u32::MAX),
        ];
        for (ns, want) in cases {
            assert_eq!(alarm_seconds(ns), want, "{ns}");
        }
    }
}
