//! How a process ended, and its `join_status` record for `proc_join` (pure).
//!
//! `join_status` (6 bytes, align 2): tag u8 @0 (0 NOTHING, 1 EXIT_NORMAL, 2 EXIT_SIGNAL,
//! 3 STOPPED); EXIT_NORMAL: exit code u16 @2; EXIT_SIGNAL: exit code u16 @2, signal u8 @4.

use crate::abi::types::signal as sig;

/// Size of a `join_status` record.
pub const JOIN_STATUS_SIZE: usize = 6;

const TAG_NOTHING: u8 = 0;
const TAG_EXIT_NORMAL: u8 = 1;
const TAG_EXIT_SIGNAL: u8 = 2;

/// The end of a process, as its parent sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit(code)` or a return from `main`; only the low 8 bits reach the parent, as on POSIX.
    Code(i32),
    /// Ended by the default action of a signal (or killed).
    Signal(u8),
}

impl ExitStatus {
    /// The exit code a shell would report for this status (`128 + signal` when killed); the
    /// first process of a run ends the host process with it.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Code(c) => c,
            ExitStatus::Signal(s) => 128 + i32::from(s),
        }
    }

    /// Whether the process ended by a signal.
    pub fn signal(self) -> Option<u8> {
        match self {
            ExitStatus::Signal(s) => Some(s),
            ExitStatus::Code(_) => None,
        }
    }
}

/// The `join_status` record: `None` = nothing to report (a non-blocking join found no change).
pub fn encode_join_status(status: Option<ExitStatus>) -> [u8; JOIN_STATUS_SIZE] {
    let mut rec = [0u8; JOIN_STATUS_SIZE];
    match status {
        None => rec[0] = TAG_NOTHING,
        Some(ExitStatus::Code(code)) => {
            rec[0] = TAG_EXIT_NORMAL;
            rec[2..4].copy_from_slice(&((code & 0xff) as u16).to_le_bytes());
        }
        Some(ExitStatus::Signal(s)) => {
            rec[0] = TAG_EXIT_SIGNAL;
            rec[2..4].copy_from_slice(&((128 + u16::from(s)) & 0xff).to_le_bytes());
            rec[4] = s;
        }
    }
    rec
}

/// The status of a process whose code trapped: 101 after a Rust panic message (like a native
/// Rust panic), else killed by `SIGABRT` (what a native `abort` does).
pub fn trap_status(panic_seen: bool) -> ExitStatus {
    if panic_seen {
        ExitStatus::Code(101)
    } else {
        ExitStatus::Signal(sig::ABRT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_status_records() {
        let cases: &[(Option<ExitStatus>, [u8; 6])] = &[
            (None, [0, 0, 0, 0, 0, 0]),
            (Some(ExitStatus::Code(0)), [1, 0, 0, 0, 0, 0]),
            (Some(ExitStatus::Code(3)), [1, 0, 3, 0, 0, 0]),
            (Some(ExitStatus::Code(255)), [1, 0, 255, 0, 0, 0]),
            // exit(256) reaches the parent as 0, as on POSIX.
            (Some(ExitStatus::Code(256)), [1, 0, 0, 0, 0, 0]),
            (Some(ExitStatus::Code(-1)), [1, 0, 255, 0, 0, 0]),
            (Some(ExitStatus::Signal(9)), [2, 0, 137, 0, 9, 0]),
            (Some(ExitStatus::Signal(15)), [2, 0, 143, 0, 15, 0]),
        ];
        for (status, want) in cases {
            assert_eq!(&encode_join_status(*status), want, "{status:?}");
        }
    }

    #[test]
    fn shell_codes() {
        let cases = [
            (ExitStatus::Code(0), 0),
            (ExitStatus::Code(42), 42),
            (ExitStatus::Signal(2), 130),
            (ExitStatus::Signal(15), 143),
        ];
        for (status, want) in cases {
            assert_eq!(status.shell_code(), want, "{status:?}");
        }
        assert_eq!(trap_status(true), ExitStatus::Code(101));
        assert_eq!(trap_status(false), ExitStatus::Signal(6));
        assert_eq!(trap_status(false).signal(), Some(6));
    }
}
