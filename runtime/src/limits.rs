//! Resource limits of a run (issue 14). For now the wall-clock limit (`--time-limit`): a
//! watchdog thread ends the run with [`TIME_LIMIT_EXIT`] when the guest is still running after
//! the limit, whether it computes or is blocked in a host call.
//!
//! Not limited yet: linear memory (beyond the module's own maximum), threads, open fds (beyond
//! the fd table's 65,536) — see docs/security.md.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The exit code of a run ended by its time limit (the code coreutils `timeout` uses).
pub const TIME_LIMIT_EXIT: i32 = 124;

/// A running wall-clock limit; dropping it (the run ended in time) stops the watchdog.
pub struct Deadline {
    done: Arc<(Mutex<bool>, Condvar)>,
    watchdog: Option<JoinHandle<()>>,
}

impl Deadline {
    /// Starts the watchdog for `limit` (`None`: no limit, nothing started).
    pub fn start(limit: Option<Duration>) -> Option<Deadline> {
        let limit = limit?;
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let watched = done.clone();
        let watchdog = std::thread::Builder::new()
            .name("wasix-time-limit".into())
            .spawn(move || watch(&watched, limit))
            .ok()?;
        Some(Deadline {
            done,
            watchdog: Some(watchdog),
        })
    }
}

/// Waits until the run is done or `limit` has passed; in the second case ends the process.
fn watch(done: &(Mutex<bool>, Condvar), limit: Duration) {
    let start = Instant::now();
    let mut finished = done.0.lock().unwrap_or_else(|p| p.into_inner());
    while !*finished {
        let Some(left) = limit.checked_sub(start.elapsed()) else {
            crate::diag!(
                "error: the program ran longer than its time limit of {}\nhelp: raise it with --time-limit SECONDS",
                human(limit)
            );
            // The guest may be blocked in a host call: only ending the host process stops it.
            crate::thread::exit_process(TIME_LIMIT_EXIT);
        };
        finished = done
            .1
            .wait_timeout(finished, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        *self.done.0.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.done.1.notify_all();
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
    }
}

/// `3s`, `1.5s`, `250ms`.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_starts_nothing() {
        assert!(Deadline::start(None).is_none());
    }

    /// A run that ends in time stops the watchdog at once (dropping must not wait for the
    /// limit, and the process must not be ended).
    #[test]
    fn ending_in_time_stops_the_watchdog() {
        let t = Instant::now();
        let d = Deadline::start(Some(Duration::from_secs(60))).unwrap();
        drop(d);
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn human_durations() {
        let cases = [(3000, "3s"), (250, "250ms"), (1500, "1.500s")];
        for (ms, want) in cases {
            assert_eq!(human(Duration::from_millis(ms)), want);
        }
    }
}
