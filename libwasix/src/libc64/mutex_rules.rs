//! `pthread_mutex_*` and `pthread_cond_*` decisions: what a lock or unlock does for each mutex
//! kind given who owns it, and how much of an absolute deadline is left. Pure, host-tested;
//! the futex-based exports are `exports/sync.rs`.

/// `PTHREAD_MUTEX_NORMAL` (= `DEFAULT`), `RECURSIVE`, `ERRORCHECK` (wasi-libc's numbers).
pub const NORMAL: u32 = 0;
pub const RECURSIVE: u32 = 1;
pub const ERRORCHECK: u32 = 2;

/// What `pthread_mutex_lock` must do before (or instead of) taking the lock word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Take the lock word (wait for it).
    Acquire,
    /// The caller already holds this recursive mutex: count one more.
    Recurse,
    /// `EDEADLK`: an error-checking mutex the caller already holds.
    Deadlock,
    /// `EAGAIN`: the recursion count would overflow.
    TooDeep,
}

/// What `pthread_mutex_unlock` must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlock {
    /// Release the lock word (and wake a waiter).
    Release,
    /// One level of a recursive lock ends; it stays held.
    Decrement,
    /// `EPERM`: a recursive or error-checking mutex the caller does not hold.
    NotOwner,
}

/// The lock decision for a mutex of `kind` held `count` times, `mine` when by the caller. A
/// normal mutex keeps no owner: relocking it deadlocks, as POSIX allows.
pub fn on_lock(kind: u32, mine: bool, count: u32) -> Lock {
    match (kind, mine) {
        (RECURSIVE, true) if count == u32::MAX => Lock::TooDeep,
        (RECURSIVE, true) => Lock::Recurse,
        (ERRORCHECK, true) => Lock::Deadlock,
        _ => Lock::Acquire,
    }
}

/// The unlock decision, as [`on_lock`]. Unlocking a normal mutex is not checked.
pub fn on_unlock(kind: u32, mine: bool, count: u32) -> Unlock {
    match (kind, mine) {
        (NORMAL, _) => Unlock::Release,
        (_, false) => Unlock::NotOwner,
        (RECURSIVE, true) if count > 1 => Unlock::Decrement,
        _ => Unlock::Release,
    }
}

/// Why a deadline is rejected: `tv_nsec` outside `0..1e9` (`EINVAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadTimespec;

/// Nanoseconds from `now_ns` (on the deadline's clock) until the absolute deadline
/// `sec`.`nsec`; `None` once it has passed.
pub fn time_left(sec: i64, nsec: i64, now_ns: u64) -> Result<Option<u64>, BadTimespec> {
    if !(0..1_000_000_000).contains(&nsec) {
        return Err(BadTimespec);
    }
    if sec < 0 {
        return Ok(None);
    }
    let deadline = (sec as u128) * 1_000_000_000 + nsec as u128;
    match deadline.checked_sub(u128::from(now_ns)) {
        Some(0) | None => Ok(None),
        Some(left) => Ok(Some(u64::try_from(left).unwrap_or(u64::MAX))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_decisions_per_kind() {
        let cases = [
            (NORMAL, false, 0, Lock::Acquire),
            // A normal mutex has no owner check: relocking waits (deadlocks), as POSIX allows.
            (NORMAL, true, 1, Lock::Acquire),
            (RECURSIVE, false, 0, Lock::Acquire),
            (RECURSIVE, true, 1, Lock::Recurse),
            (RECURSIVE, true, u32::MAX, Lock::TooDeep),
            (ERRORCHECK, false, 0, Lock::Acquire),
            (ERRORCHECK, true, 1, Lock::Deadlock),
        ];
        for (kind, mine, count, want) in cases {
            assert_eq!(on_lock(kind, mine, count), want, "{kind} {mine} {count}");
        }
    }

    #[test]
    fn unlock_decisions_per_kind() {
        let cases = [
            (NORMAL, true, 1, Unlock::Release),
            (NORMAL, false, 0, Unlock::Release),
            (RECURSIVE, true, 3, Unlock::Decrement),
            (RECURSIVE, true, 1, Unlock::Release),
            (RECURSIVE, false, 1, Unlock::NotOwner),
            (ERRORCHECK, true, 1, Unlock::Release),
            (ERRORCHECK, false, 0, Unlock::NotOwner),
        ];
        for (kind, mine, count, want) in cases {
            assert_eq!(on_unlock(kind, mine, count), want, "{kind} {mine} {count}");
        }
    }

    #[test]
    fn deadlines() {
        let s = 1_000_000_000u64;
        let cases: [(i64, i64, u64, Result<Option<u64>, BadTimespec>); 8] = [
            (10, 0, 9 * s, Ok(Some(s))),
            (10, 500, 10 * s, Ok(Some(500))),
            (10, 0, 10 * s, Ok(None)),
            (10, 0, 11 * s, Ok(None)),
            (-1, 0, 0, Ok(None)),
            (0, 1_000_000_000, 0, Err(BadTimespec)),
            (0, -1, 0, Err(BadTimespec)),
            (i64::MAX, 999_999_999, 0, Ok(Some(u64::MAX))),
        ];
        for (sec, nsec, now, want) in cases {
            assert_eq!(time_left(sec, nsec, now), want, "{sec}.{nsec} at {now}");
        }
    }
}
