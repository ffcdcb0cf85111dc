//! Socket options, message flags and socket-type flags: C values -> WASIX calls (pure).
//!
//! `getsockopt`/`setsockopt` are spread over the typed WASIX calls: booleans through
//! `sock_{get,set}_opt_flag`, timeouts and linger through `sock_{get,set}_opt_time` (an
//! `option_timestamp` in nanoseconds, `none` = no timeout / linger off), and numbers through
//! `sock_{get,set}_opt_size`. `SO_TYPE` is answered from the preview-1 fd filetype, which
//! every host has.

use crate::abi::{
    Errno, RIFLAGS_DONT_WAIT, RIFLAGS_PEEK, RIFLAGS_WAITALL, SIFLAGS_DONT_WAIT, c, sockopt,
};

/// Which WASIX call carries a `(level, name)` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptKind {
    /// `sock_*_opt_flag(option)`; the C value is an `int` (or a byte) used as a boolean.
    Flag(u8),
    /// `sock_*_opt_size(option)`; the C value is an `int`.
    Size(u8),
    /// `sock_*_opt_time(option)`; the C value is a `struct timeval` (16 bytes on wasi).
    Time(u8),
    /// `SO_LINGER`: `sock_*_opt_time(LINGER)`; the C value is a `struct linger`.
    Linger,
    /// `SO_TYPE`: read from `fd_fdstat_get` (get only).
    Type,
    /// IPv4 / IPv6 multicast membership (set only), `join` or leave.
    MembershipV4 {
        join: bool,
    },
    MembershipV6 {
        join: bool,
    },
}

/// Maps a C option to its WASIX carrier; unknown options are `ENOPROTOOPT`, as in POSIX.
pub fn classify(level: i32, name: i32) -> Result<OptKind, Errno> {
    use OptKind::*;
    let kind = match (level, name) {
        // At SOL_SOCKET the C names are the WASIX option indices themselves (libc overlay).
        (c::SOL_SOCKET, 25) => Type,
        (c::SOL_SOCKET, 13) => Linger,
        (c::SOL_SOCKET, n) => match u8::try_from(n) {
            Ok(
                o @ (sockopt::REUSE_PORT
                | sockopt::REUSE_ADDR
                | sockopt::DONT_ROUTE
                | sockopt::BROADCAST
                | sockopt::LISTENING
                | sockopt::KEEP_ALIVE
                | sockopt::OOB_INLINE),
            ) => Flag(o),
            Ok(
                o @ (sockopt::LAST_ERROR
                | sockopt::RECV_BUF_SIZE
                | sockopt::SEND_BUF_SIZE
                | sockopt::RECV_LOWAT
                | sockopt::SEND_LOWAT
                | sockopt::PROTO),
            ) => Size(o),
            Ok(o @ (sockopt::RECV_TIMEOUT | sockopt::SEND_TIMEOUT)) => Time(o),
            _ => return Err(Errno::NOPROTOOPT),
        },
        (c::IPPROTO_TCP, c::TCP_NODELAY) => Flag(sockopt::NO_DELAY),
        (c::IPPROTO_IP, c::IP_TTL) => Size(sockopt::TTL),
        (c::IPPROTO_IP, c::IP_MULTICAST_TTL) => Size(sockopt::MULTICAST_TTL_V4),
        (c::IPPROTO_IP, c::IP_MULTICAST_LOOP) => Flag(sockopt::MULTICAST_LOOP_V4),
        (c::IPPROTO_IP, c::IP_ADD_MEMBERSHIP) => MembershipV4 { join: true },
        (c::IPPROTO_IP, c::IP_DROP_MEMBERSHIP) => MembershipV4 { join: false },
        (c::IPPROTO_IPV6, c::IPV6_V6ONLY) => Flag(sockopt::ONLY_V6),
        (c::IPPROTO_IPV6, c::IPV6_MULTICAST_LOOP) => Flag(sockopt::MULTICAST_LOOP_V6),
        (c::IPPROTO_IPV6, c::IPV6_UNICAST_HOPS) => Size(sockopt::TTL),
        (c::IPPROTO_IPV6, c::IPV6_JOIN_GROUP) => MembershipV6 { join: true },
        (c::IPPROTO_IPV6, c::IPV6_LEAVE_GROUP) => MembershipV6 { join: false },
        _ => return Err(Errno::NOPROTOOPT),
    };
    Ok(kind)
}

/// Options that only `getsockopt` knows (`SO_TYPE`, `SO_ACCEPTCONN`, `SO_ERROR`,
/// `SO_PROTOCOL`) and memberships, which only `setsockopt` knows, are `ENOPROTOOPT` the other way.
pub fn check_direction(kind: OptKind, set: bool) -> Result<(), Errno> {
    let get_only = matches!(
        kind,
        OptKind::Type
            | OptKind::Flag(sockopt::LISTENING)
            | OptKind::Size(sockopt::LAST_ERROR | sockopt::PROTO)
    );
    let set_only = matches!(
        kind,
        OptKind::MembershipV4 { .. } | OptKind::MembershipV6 { .. }
    );
    if (set && get_only) || (!set && set_only) {
        Err(Errno::NOPROTOOPT)
    } else {
        Ok(())
    }
}

/// `struct ip_mreq {imr_multiaddr, imr_interface}` -> the two `addr_ip4` records.
pub fn mreq_v4(bytes: &[u8]) -> Result<([u8; 4], [u8; 4]), Errno> {
    match bytes {
        [a, b, c, d, e, f, g, h, ..] => Ok(([*a, *b, *c, *d], [*e, *f, *g, *h])),
        _ => Err(Errno::INVAL),
    }
}

/// `struct ipv6_mreq {ipv6mr_multiaddr, ipv6mr_interface}` -> an `addr_ip6` record (address in
/// the first 16 bytes, flow/scope zero) and the interface index.
pub fn mreq_v6(bytes: &[u8]) -> Result<([u8; 24], u32), Errno> {
    let b = bytes.get(..20).ok_or(Errno::INVAL)?;
    let mut group = [0u8; 24];
    group[..16].copy_from_slice(&b[..16]);
    Ok((group, u32::from_le_bytes([b[16], b[17], b[18], b[19]])))
}

/// Reads an `int`-valued option (`optlen` 4, or 1 for the byte-sized IP options some code uses).
pub fn int_value(bytes: &[u8]) -> Result<i32, Errno> {
    match bytes {
        [b] => Ok(i32::from(*b)),
        [a, b, c, d, ..] => Ok(i32::from_le_bytes([*a, *b, *c, *d])),
        _ => Err(Errno::INVAL),
    }
}

/// A `struct timeval` (two `i64`s on wasi) -> `option_timestamp` nanoseconds; zero = none.
pub fn timeval_to_ns(bytes: &[u8]) -> Result<Option<u64>, Errno> {
    let (sec, usec) = match bytes.get(..16) {
        Some(b) => (
            i64::from_le_bytes(b[..8].try_into().map_err(|_| Errno::INVAL)?),
            i64::from_le_bytes(b[8..16].try_into().map_err(|_| Errno::INVAL)?),
        ),
        None => return Err(Errno::INVAL),
    };
    if sec < 0 || !(0..1_000_000).contains(&usec) {
        return Err(Errno::INVAL);
    }
    if sec == 0 && usec == 0 {
        return Ok(None);
    }
    Ok(Some(
        (sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(usec as u64 * 1000),
    ))
}

/// `option_timestamp` nanoseconds -> `struct timeval` bytes; none = zero (no timeout).
pub fn ns_to_timeval(ns: Option<u64>) -> [u8; 16] {
    let ns = ns.unwrap_or(0);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&((ns / 1_000_000_000) as i64).to_le_bytes());
    out[8..].copy_from_slice(&(((ns % 1_000_000_000) / 1000) as i64).to_le_bytes());
    out
}

/// A `struct linger {l_onoff, l_linger (seconds)}` -> linger time; off = none.
pub fn linger_to_ns(bytes: &[u8]) -> Result<Option<u64>, Errno> {
    let (on, secs) = match bytes {
        [a, b, c, d, e, f, g, h, ..] => (
            i32::from_le_bytes([*a, *b, *c, *d]),
            i32::from_le_bytes([*e, *f, *g, *h]),
        ),
        _ => return Err(Errno::INVAL),
    };
    match (on, u64::try_from(secs)) {
        (0, _) => Ok(None),
        (_, Ok(s)) => Ok(Some(s * 1_000_000_000)),
        (_, Err(_)) => Err(Errno::INVAL),
    }
}

/// Linger time -> `struct linger` bytes.
pub fn ns_to_linger(ns: Option<u64>) -> [u8; 8] {
    let mut out = [0u8; 8];
    if let Some(ns) = ns {
        out[..4].copy_from_slice(&1i32.to_le_bytes());
        out[4..].copy_from_slice(
            &(i32::try_from(ns / 1_000_000_000).unwrap_or(i32::MAX)).to_le_bytes(),
        );
    }
    out
}

/// Encodes an `option_timestamp` record (tag @0, u64 @8).
pub fn option_timestamp(ns: Option<u64>) -> [u8; 16] {
    let mut rec = [0u8; 16];
    if let Some(ns) = ns {
        rec[0] = 1;
        rec[8..].copy_from_slice(&ns.to_le_bytes());
    }
    rec
}

/// Decodes an `option_timestamp` record written by the host.
pub fn parse_option_timestamp(rec: &[u8; 16]) -> Option<u64> {
    match rec[0] {
        0 => None,
        _ => Some(u64::from_le_bytes(rec[8..].try_into().unwrap_or([0; 8]))),
    }
}

/// The preview-1 filetype of a socket fd -> C `SOCK_*` (for `SO_TYPE`).
pub fn socket_type_of_filetype(filetype: u8) -> Result<i32, Errno> {
    match filetype {
        6 => Ok(c::SOCK_STREAM),
        5 => Ok(c::SOCK_DGRAM),
        8 => Ok(3),
        9 => Ok(4),
        // ENOTSOCK: the fd is not a socket.
        _ => Err(Errno(57)),
    }
}

/// C `recv` flags -> WASIX `riflags`. `MSG_NOSIGNAL` is accepted and ignored (a receive never
/// raises SIGPIPE); flags WASIX cannot express (`MSG_OOB`, ...) are `ENOTSUP`.
pub fn recv_flags(flags: i32) -> Result<u16, Errno> {
    let known = c::MSG_PEEK | c::MSG_WAITALL | c::MSG_DONTWAIT | c::MSG_NOSIGNAL;
    if flags & !known != 0 {
        return Err(Errno::NOTSUP);
    }
    let mut ri = 0;
    if flags & c::MSG_PEEK != 0 {
        ri |= RIFLAGS_PEEK;
    }
    if flags & c::MSG_WAITALL != 0 {
        ri |= RIFLAGS_WAITALL;
    }
    if flags & c::MSG_DONTWAIT != 0 {
        ri |= RIFLAGS_DONT_WAIT;
    }
    Ok(ri)
}

/// C `send` flags -> WASIX `siflags`. `MSG_NOSIGNAL` is accepted: WASIX reports a closed peer
/// as `EPIPE` and this layer never raises SIGPIPE for it.
pub fn send_flags(flags: i32) -> Result<u16, Errno> {
    if flags & !(c::MSG_DONTWAIT | c::MSG_NOSIGNAL) != 0 {
        return Err(Errno::NOTSUP);
    }
    Ok(if flags & c::MSG_DONTWAIT != 0 {
        SIFLAGS_DONT_WAIT
    } else {
        0
    })
}

/// The C `type` argument of `socket`/`socketpair` split into the WASIX `sock_type` and the
/// `SOCK_NONBLOCK`/`SOCK_CLOEXEC` flags, which libwasix applies itself after `sock_open`
/// (wasix-libc forwards them unmasked; a strict host rejects 0x4001).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockType {
    pub base: i32,
    pub nonblock: bool,
    pub cloexec: bool,
}

pub fn split_sock_type(ty: i32) -> SockType {
    SockType {
        base: ty & !(c::SOCK_NONBLOCK | c::SOCK_CLOEXEC),
        nonblock: ty & c::SOCK_NONBLOCK != 0,
        cloexec: ty & c::SOCK_CLOEXEC != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_classification() {
        use OptKind::*;
        let cases = [
            ((c::SOL_SOCKET, 2), Ok(Flag(sockopt::REUSE_ADDR))),
            ((c::SOL_SOCKET, 6), Ok(Flag(sockopt::BROADCAST))),
            ((c::SOL_SOCKET, 10), Ok(Flag(sockopt::LISTENING))),
            ((c::SOL_SOCKET, 11), Ok(Size(sockopt::LAST_ERROR))),
            ((c::SOL_SOCKET, 13), Ok(Linger)),
            ((c::SOL_SOCKET, 15), Ok(Size(sockopt::RECV_BUF_SIZE))),
            ((c::SOL_SOCKET, 19), Ok(Time(sockopt::RECV_TIMEOUT))),
            ((c::SOL_SOCKET, 20), Ok(Time(sockopt::SEND_TIMEOUT))),
            ((c::SOL_SOCKET, 25), Ok(Type)),
            ((c::SOL_SOCKET, 0), Err(Errno::NOPROTOOPT)),
            ((c::SOL_SOCKET, 21), Err(Errno::NOPROTOOPT)),
            ((c::SOL_SOCKET, 300), Err(Errno::NOPROTOOPT)),
            (
                (c::IPPROTO_TCP, c::TCP_NODELAY),
                Ok(Flag(sockopt::NO_DELAY)),
            ),
            ((c::IPPROTO_TCP, 4), Err(Errno::NOPROTOOPT)),
            ((c::IPPROTO_IP, c::IP_TTL), Ok(Size(sockopt::TTL))),
            (
                (c::IPPROTO_IP, c::IP_MULTICAST_LOOP),
                Ok(Flag(sockopt::MULTICAST_LOOP_V4)),
            ),
            (
                (c::IPPROTO_IP, c::IP_ADD_MEMBERSHIP),
                Ok(MembershipV4 { join: true }),
            ),
            (
                (c::IPPROTO_IPV6, c::IPV6_V6ONLY),
                Ok(Flag(sockopt::ONLY_V6)),
            ),
            (
                (c::IPPROTO_IPV6, c::IPV6_LEAVE_GROUP),
                Ok(MembershipV6 { join: false }),
            ),
            ((99, 1), Err(Errno::NOPROTOOPT)),
        ];
        for ((level, name), want) in cases {
            assert_eq!(classify(level, name), want, "level {level} name {name}");
        }
    }

    #[test]
    fn directions_and_memberships() {
        use OptKind::*;
        let cases = [
            (Type, true, Err(Errno::NOPROTOOPT)),
            (Type, false, Ok(())),
            (Flag(sockopt::LISTENING), true, Err(Errno::NOPROTOOPT)),
            (Size(sockopt::LAST_ERROR), true, Err(Errno::NOPROTOOPT)),
            (Size(sockopt::RECV_BUF_SIZE), true, Ok(())),
            (MembershipV4 { join: true }, false, Err(Errno::NOPROTOOPT)),
            (MembershipV6 { join: false }, true, Ok(())),
        ];
        for (k, set, want) in cases {
            assert_eq!(check_direction(k, set), want, "{k:?} set={set}");
        }
        assert_eq!(
            mreq_v4(&[224, 0, 0, 1, 0, 0, 0, 0]),
            Ok(([224, 0, 0, 1], [0; 4]))
        );
        assert_eq!(mreq_v4(&[1, 2, 3]), Err(Errno::INVAL));
        let mut m6 = [0u8; 20];
        m6[0] = 0xff;
        m6[16..].copy_from_slice(&3u32.to_le_bytes());
        let (group, iface) = mreq_v6(&m6).unwrap();
        assert_eq!((group[0], &group[16..], iface), (0xff, &[0u8; 8][..], 3));
        assert_eq!(mreq_v6(&m6[..19]), Err(Errno::INVAL));
    }

    #[test]
    fn timeouts() {
        let tv = |s: i64, us: i64| {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&s.to_le_bytes());
            b[8..].copy_from_slice(&us.to_le_bytes());
            b
        };
        let cases = [
            (tv(0, 0), Ok(None)),
            (tv(1, 500_000), Ok(Some(1_500_000_000))),
            (tv(0, 1), Ok(Some(1000))),
            (tv(-1, 0), Err(Errno::INVAL)),
            (tv(0, 1_000_000), Err(Errno::INVAL)),
            (tv(i64::MAX, 0), Ok(Some(u64::MAX))),
        ];
        for (b, want) in cases {
            assert_eq!(timeval_to_ns(&b), want, "{b:?}");
        }
        assert_eq!(timeval_to_ns(&[0; 8]), Err(Errno::INVAL));
        assert_eq!(ns_to_timeval(Some(2_000_003_000)), tv(2, 3));
        assert_eq!(ns_to_timeval(None), tv(0, 0));
        assert_eq!(
            parse_option_timestamp(&option_timestamp(Some(42))),
            Some(42)
        );
        assert_eq!(parse_option_timestamp(&option_timestamp(None)), None);
        assert_eq!(option_timestamp(Some(1))[..2], [1, 0]);
    }

    #[test]
    fn linger() {
        let l = |on: i32, s: i32| {
            let mut b = [0u8; 8];
            b[..4].copy_from_slice(&on.to_le_bytes());
            b[4..].copy_from_slice(&s.to_le_bytes());
            b
        };
        assert_eq!(linger_to_ns(&l(0, 5)), Ok(None));
        assert_eq!(linger_to_ns(&l(1, 5)), Ok(Some(5_000_000_000)));
        assert_eq!(linger_to_ns(&l(1, -1)), Err(Errno::INVAL));
        assert_eq!(linger_to_ns(&[0; 4]), Err(Errno::INVAL));
        assert_eq!(ns_to_linger(Some(5_000_000_000)), l(1, 5));
        assert_eq!(ns_to_linger(None), l(0, 0));
    }

    #[test]
    fn int_values() {
        assert_eq!(int_value(&1i32.to_le_bytes()), Ok(1));
        assert_eq!(int_value(&[7]), Ok(7));
        assert_eq!(int_value(&[1, 0]), Err(Errno::INVAL));
        assert_eq!(int_value(&[]), Err(Errno::INVAL));
    }

    #[test]
    fn message_flags() {
        let recv = [
            (0, Ok(0)),
            (c::MSG_PEEK, Ok(RIFLAGS_PEEK)),
            (
                c::MSG_WAITALL | c::MSG_DONTWAIT,
                Ok(RIFLAGS_WAITALL | RIFLAGS_DONT_WAIT),
            ),
            (c::MSG_NOSIGNAL, Ok(0)),
            (0x1, Err(Errno::NOTSUP)),
        ];
        for (f, want) in recv {
            assert_eq!(recv_flags(f), want, "recv {f:#x}");
        }
        let send = [
            (0, Ok(0)),
            (c::MSG_NOSIGNAL, Ok(0)),
            (c::MSG_DONTWAIT, Ok(SIFLAGS_DONT_WAIT)),
            (c::MSG_PEEK, Err(Errno::NOTSUP)),
        ];
        for (f, want) in send {
            assert_eq!(send_flags(f), want, "send {f:#x}");
        }
    }

    #[test]
    fn socket_types() {
        let cases = [
            (
                1,
                SockType {
                    base: 1,
                    nonblock: false,
                    cloexec: false,
                },
            ),
            (
                2 | 0x4000,
                SockType {
                    base: 2,
                    nonblock: true,
                    cloexec: false,
                },
            ),
            (
                1 | 0x2000 | 0x4000,
                SockType {
                    base: 1,
                    nonblock: true,
                    cloexec: true,
                },
            ),
        ];
        for (ty, want) in cases {
            assert_eq!(split_sock_type(ty), want);
        }
        assert_eq!(socket_type_of_filetype(6), Ok(c::SOCK_STREAM));
        assert_eq!(socket_type_of_filetype(5), Ok(c::SOCK_DGRAM));
        assert_eq!(socket_type_of_filetype(4), Err(Errno(57)));
    }
}
