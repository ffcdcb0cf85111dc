//! `poll`, `nanosleep` and `clock_nanosleep` as WASI `poll_oneoff` records: pollfds become
//! fd_read/fd_write subscriptions (plus a clock one for the timeout), events become `revents`.
//! Pure encoding, host-tested; the record layouts have no pointers, so they are the same on
//! wasm32 and wasm64 (`reference/wasix-abi.md` §3: subscription 48 bytes, event 32).

use crate::abi::Errno;

pub const SUBSCRIPTION_SIZE: usize = 48;
pub const EVENT_SIZE: usize = 32;

const TAG_CLOCK: u8 = 0;
const TAG_FD_READ: u8 = 1;
const TAG_FD_WRITE: u8 = 2;
/// `subclockflags`: the timeout is an absolute time.
const ABSTIME: u16 = 1;
/// `eventrwflags`: the peer hung up.
const HANGUP: u16 = 1;

/// The `userdata` of the timeout's clock subscription (fd subscriptions use `index * 2 + w`).
pub const TIMEOUT_USERDATA: u64 = u64::MAX;

/// C `POLL*` bits (the libc crate's wasi values).
pub const POLLIN: i16 = 0x1;
pub const POLLOUT: i16 = 0x2;
pub const POLLERR: i16 = 0x1000;
pub const POLLHUP: i16 = 0x2000;
pub const POLLNVAL: i16 = 0x4000;

/// A subscription waiting until `fd` is readable (or writable with `write`).
pub fn fd_subscription(userdata: u64, fd: u32, write: bool) -> [u8; SUBSCRIPTION_SIZE] {
    let mut s = [0u8; SUBSCRIPTION_SIZE];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = if write { TAG_FD_WRITE } else { TAG_FD_READ };
    s[16..20].copy_from_slice(&fd.to_le_bytes());
    s
}

/// A subscription firing at `timeout_ns` on `clock` (relative unless `absolute`).
pub fn clock_subscription(
    userdata: u64,
    clock: u32,
    timeout_ns: u64,
    absolute: bool,
) -> [u8; SUBSCRIPTION_SIZE] {
    let mut s = [0u8; SUBSCRIPTION_SIZE];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = TAG_CLOCK;
    s[16..20].copy_from_slice(&clock.to_le_bytes());
    s[24..32].copy_from_slice(&timeout_ns.to_le_bytes());
    s[40..42].copy_from_slice(&(if absolute { ABSTIME } else { 0 }).to_le_bytes());
    s
}

/// The userdata of an event and the `revents` bits it stands for (0 for the clock).
pub fn decode_event(e: &[u8; EVENT_SIZE]) -> (u64, i16) {
    let userdata = u64::from_le_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]);
    let error = u16::from_le_bytes([e[8], e[9]]);
    let flags = u16::from_le_bytes([e[24], e[25]]);
    let bits = match (e[10], error) {
        (TAG_CLOCK, _) => 0,
        (_, 0) if flags & HANGUP != 0 => POLLHUP,
        (TAG_FD_READ, 0) => POLLIN,
        (TAG_FD_WRITE, 0) => POLLOUT,
        (_, e) if e == Errno::BADF.0 => POLLNVAL,
        _ => POLLERR,
    };
    (userdata, bits)
}

/// A `poll` timeout in milliseconds as nanoseconds; `None` (no clock) for a negative one.
pub fn timeout_ns(ms: i32) -> Option<u64> {
    u64::try_from(ms).ok().map(|ms| ms * 1_000_000)
}

/// A `timespec` as nanoseconds; `EINVAL` for a negative or out-of-range one (POSIX).
pub fn timespec_ns(sec: i64, nsec: i64) -> Result<u64, Errno> {
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(Errno::INVAL);
    }
    (sec as u64)
        .checked_mul(1_000_000_000)
        .and_then(|ns| ns.checked_add(nsec as u64))
        .ok_or(Errno::INVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(userdata: u64, error: u16, tag: u8, flags: u16) -> [u8; EVENT_SIZE] {
        let mut e = [0u8; EVENT_SIZE];
        e[0..8].copy_from_slice(&userdata.to_le_bytes());
        e[8..10].copy_from_slice(&error.to_le_bytes());
        e[10] = tag;
        e[24..26].copy_from_slice(&flags.to_le_bytes());
        e
    }

    #[test]
    fn subscriptions() {
        let r = fd_subscription(4, 7, false);
        assert_eq!(
            (u64::from_le_bytes(r[0..8].try_into().unwrap()), r[8]),
            (4, TAG_FD_READ)
        );
        assert_eq!(u32::from_le_bytes(r[16..20].try_into().unwrap()), 7);
        assert_eq!(fd_subscription(5, 7, true)[8], TAG_FD_WRITE);
        let c = clock_subscription(TIMEOUT_USERDATA, 1, 2_500_000, false);
        assert_eq!(
            (c[8], u32::from_le_bytes(c[16..20].try_into().unwrap())),
            (TAG_CLOCK, 1)
        );
        assert_eq!(u64::from_le_bytes(c[24..32].try_into().unwrap()), 2_500_000);
        assert_eq!(u16::from_le_bytes([c[40], c[41]]), 0);
        assert_eq!(
            u16::from_le_bytes([clock_subscription(0, 0, 1, true)[40], 0]),
            ABSTIME
        );
    }

    #[test]
    fn events_become_revents() {
        let cases = [
            (event(2, 0, TAG_FD_READ, 0), (2, POLLIN)),
            (event(3, 0, TAG_FD_WRITE, 0), (3, POLLOUT)),
            (event(2, 0, TAG_FD_READ, HANGUP), (2, POLLHUP)),
            (event(2, Errno::BADF.0, TAG_FD_READ, 0), (2, POLLNVAL)),
            (event(3, Errno::IO.0, TAG_FD_WRITE, 0), (3, POLLERR)),
            (
                event(TIMEOUT_USERDATA, 0, TAG_CLOCK, 0),
                (TIMEOUT_USERDATA, 0),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(decode_event(&e), want, "{e:?}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(timeout_ns(-1), None);
        assert_eq!(timeout_ns(0), Some(0));
        assert_eq!(timeout_ns(1500), Some(1_500_000_000));
        assert_eq!(timespec_ns(1, 5), Ok(1_000_000_005));
        assert_eq!(timespec_ns(0, 999_999_999), Ok(999_999_999));
        for (s, ns) in [(-1, 0), (0, -1), (0, 1_000_000_000), (i64::MAX, 0)] {
            assert_eq!(timespec_ns(s, ns), Err(Errno::INVAL), "{s} {ns}");
        }
    }
}
