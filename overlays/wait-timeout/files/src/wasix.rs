//! `wait_timeout` on WASIX (cargo-wasix overlay). WASIX has no SIGCHLD-driven wait with a
//! timeout, but `Child::try_wait` is a non-blocking `proc_join`: poll it, sleeping a little
//! longer each time (up to 10 ms) so a short-lived child is seen at once and a long wait costs
//! little.

use std::io;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

pub fn wait_timeout(child: &mut Child, dur: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now().checked_add(dur);
    let mut pause = Duration::from_micros(100);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let left = match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => pause,
        };
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}
