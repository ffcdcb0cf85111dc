//! `epoll_create`/`epoll_create1`/`epoll_ctl`/`epoll_wait` over the WASIX epoll calls.
//!
//! The C `epoll_event` of the libc overlay is `{events: u32 @0, u64 @8}` (16 bytes); WASIX's
//! record is 32 bytes, `events` @0 and 24 bytes of data @8 that the host echoes back verbatim.
//! The C data word travels in the first 8 of those. Event bits and `EPOLL_CTL_*` are WASIX's
//! values in the overlay already (`EPOLLIN = 1`, ..., ADD 0 / DEL 2 / MOD 3), so they pass
//! through unchanged.

use crate::abi::{Errno, c};

/// Size of a WASIX `epoll_event` record.
pub const RECORD: usize = 32;

/// A C event as the WASIX record.
pub fn to_record(events: u32, data: u64) -> [u8; RECORD] {
    let mut rec = [0u8; RECORD];
    rec[..4].copy_from_slice(&events.to_le_bytes());
    rec[8..16].copy_from_slice(&data.to_le_bytes());
    rec
}

/// A WASIX record as the C event's `(events, data)`.
pub fn from_record(rec: &[u8; RECORD]) -> (u32, u64) {
    let mut events = [0u8; 4];
    events.copy_from_slice(&rec[..4]);
    let mut data = [0u8; 8];
    data.copy_from_slice(&rec[8..16]);
    (u32::from_le_bytes(events), u64::from_le_bytes(data))
}

/// `epoll_wait`'s timeout in milliseconds (negative: forever) as WASIX nanoseconds
/// (`u64::MAX`: forever).
pub fn timeout_ns(ms: i32) -> u64 {
    u64::try_from(ms).map_or(u64::MAX, |ms| ms * 1_000_000)
}

/// `epoll_create1` flags -> close-on-exec; anything else is `EINVAL`.
pub fn create1_cloexec(flags: i32) -> Result<bool, Errno> {
    if flags & !c::EPOLL_CLOEXEC != 0 {
        return Err(Errno::INVAL);
    }
    Ok(flags & c::EPOLL_CLOEXEC != 0)
}

#[cfg(target_family = "wasm")]
mod exports {
    use core::ffi::c_int;

    use super::{RECORD, create1_cloexec, from_record, timeout_ns, to_record};
    use crate::abi::Errno;
    use crate::{errno, io, sys};

    crate::same_signature_as_libc!(epoll_create, epoll_create1, epoll_ctl, epoll_wait);

    /// Similar to `epoll_create` in Linux (`size` must be positive and is otherwise ignored).
    #[unsafe(no_mangle)]
    pub extern "C" fn epoll_create(size: c_int) -> c_int {
        if size <= 0 {
            return errno::int(Err(Errno::INVAL));
        }
        errno::int(sys::epoll_create())
    }

    /// Similar to `epoll_create1` in Linux.
    #[unsafe(no_mangle)]
    pub extern "C" fn epoll_create1(flags: c_int) -> c_int {
        errno::int(create1_cloexec(flags).and_then(|cloexec| {
            let ep = sys::epoll_create()?;
            io::fd_flags_or_close(&[ep], false, cloexec)?;
            Ok(ep)
        }))
    }

    /// Similar to `epoll_ctl` in Linux.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn epoll_ctl(
        epfd: c_int,
        op: c_int,
        fd: c_int,
        event: *mut libc::epoll_event,
    ) -> c_int {
        // SAFETY: `event` is null (a delete) or points to an `epoll_event` (Linux contract).
        let record = unsafe { event.as_ref() }.map(|e| to_record(e.events, e.u64));
        errno::unit(sys::epoll_ctl(epfd, op, fd, record.as_ref()))
    }

    /// Similar to `epoll_wait` in Linux. At most 64 events are returned per call.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn epoll_wait(
        epfd: c_int,
        events: *mut libc::epoll_event,
        maxevents: c_int,
        timeout: c_int,
    ) -> c_int {
        if events.is_null() {
            return errno::int(Err(Errno::FAULT));
        }
        let Ok(max) = usize::try_from(maxevents) else {
            return errno::int(Err(Errno::INVAL));
        };
        if max == 0 {
            return errno::int(Err(Errno::INVAL));
        }
        let mut records = [[0u8; RECORD]; 64];
        let take = max.min(records.len());
        errno::int(
            sys::epoll_wait(epfd, &mut records[..take], timeout_ns(timeout)).map(|n| {
                for (i, rec) in records[..n].iter().enumerate() {
                    let (flags, data) = from_record(rec);
                    // SAFETY: `events` holds `maxevents` entries (Linux contract); i < n <= that.
                    unsafe {
                        events.add(i).write(libc::epoll_event {
                            events: flags,
                            u64: data,
                        })
                    };
                }
                n as c_int
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_lay_out_as_wasix() {
        let rec = to_record(0x41, 0x1122_3344_5566_7788);
        assert_eq!(&rec[..4], &[0x41, 0, 0, 0]);
        assert_eq!(&rec[8..16], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert!(rec[4..8].iter().chain(&rec[16..]).all(|b| *b == 0));
        assert_eq!(from_record(&rec), (0x41, 0x1122_3344_5566_7788));
    }

    #[test]
    fn timeouts_and_flags() {
        for (ms, ns) in [
            (-1, u64::MAX),
            (-7, u64::MAX),
            (0, 0),
            (1, 1_000_000),
            (1500, 1_500_000_000),
        ] {
            assert_eq!(timeout_ns(ms), ns, "{ms} ms");
        }
        assert_eq!(create1_cloexec(0), Ok(false));
        assert_eq!(create1_cloexec(c::EPOLL_CLOEXEC), Ok(true));
        assert_eq!(create1_cloexec(1), Err(Errno::INVAL));
    }
}
