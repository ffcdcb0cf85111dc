//! Interval timers (`proc_raise_interval`, what `alarm`/`setitimer` use): one per process, a
//! signal raised after an interval, once or repeating. Arming again replaces the timer and an
//! interval of 0 cancels it, as `setitimer(ITIMER_REAL)` does.
//!
//! A timer is a host thread sleeping on a condition variable until its deadline or until the
//! timer is re-armed, cancelled or dropped with its process. When it fires, the signal is
//! delivered as one from another process is ([`crate::syscalls::signal::deliver`]): a process
//! with a handler runs it on its main thread at the next safe point (a syscall return or a
//! blocking wait); without
//! one the default action ends the process (SIGALRM: killed by signal 14).

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::process::Process;
use crate::syscalls::signal::{default_action, deliver};

/// When a timer fires: after `interval`, then every `interval` again when `repeat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub interval: Duration,
    pub repeat: bool,
}

impl Schedule {
    /// The next firing after one due at `due` (the period counts from the last due time, so a
    /// late wake-up does not shift every later firing), or `None` for a one-shot timer.
    pub fn next_after(&self, due: Instant) -> Option<Instant> {
        self.repeat
            .then(|| due.checked_add(self.interval))
            .flatten()
    }
}

/// The interval timer of one process.
#[derive(Default)]
pub struct IntervalTimer {
    state: Arc<TimerState>,
}

#[derive(Default)]
struct TimerState {
    /// Bumped by every arm, cancel and drop: a timer thread whose generation is not the
    /// current one stops.
    generation: Mutex<u64>,
    changed: Condvar,
}

impl IntervalTimer {
    /// Arms the timer of `process` to raise `s` on `schedule` (an interval of zero cancels),
    /// replacing any timer armed before. Errors only when the host cannot start a thread.
    pub fn arm(&self, process: &Arc<Process>, s: u8, schedule: Schedule) -> std::io::Result<()> {
        let generation = self.bump();
        if schedule.interval.is_zero() {
            return Ok(());
        }
        let Some(first) = Instant::now().checked_add(schedule.interval) else {
            // Further away than the host clock reaches: it never fires.
            return Ok(());
        };
        let state = self.state.clone();
        let process = Arc::downgrade(process);
        std::thread::Builder::new()
            .name("wasix-interval-timer".into())
            .spawn(move || run_timer(&state, generation, &process, s, schedule, first))?;
        Ok(())
    }

    /// Stops the timer, if one is armed.
    pub fn cancel(&self) {
        self.bump();
    }

    fn bump(&self) -> u64 {
        let mut generation = self
            .state
            .generation
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *generation += 1;
        self.state.changed.notify_all();
        *generation
    }
}

impl Drop for IntervalTimer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The timer thread: waits for each due time and delivers `s`, until re-armed, cancelled, the
/// process is gone or ending, or a one-shot timer fired.
fn run_timer(
    state: &TimerState,
    generation: u64,
    process: &Weak<Process>,
    s: u8,
    schedule: Schedule,
    mut due: Instant,
) {
    loop {
        let mut current = state.generation.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if *current != generation {
                return;
            }
            let left = due.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            current = state
                .changed
                .wait_timeout(current, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(current);
        let Some(process) = process.upgrade() else {
            return;
        };
        if process.is_dying() {
            return;
        }
        if let Some(action) = default_action(s) {
            deliver(&process, s, action);
        }
        match schedule.next_after(due) {
            Some(next) => due = next,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let cases = [
            (ms(10), false, None),
            (ms(10), true, Some(t0 + ms(10))),
            (ms(250), true, Some(t0 + ms(250))),
        ];
        for (interval, repeat, want) in cases {
            let schedule = Schedule { interval, repeat };
            assert_eq!(schedule.next_after(t0), want, "{schedule:?}");
        }
    }
}
