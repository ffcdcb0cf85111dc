//! getaddrinfo planning: hints checks, service and numeric-host parsing, result filtering and
//! error texts (pure; the exported functions live in `net/resolve.rs`).
//!
//! Names that are not numeric are resolved by the host (`resolve`, up to `MAX_ADDRS` `addr_ip`
//! records); there is no services database, so a service must be a number.

use core::net::{IpAddr, Ipv6Addr};

use crate::abi::{ADDR_IP_SIZE, Errno, c};

/// How many addresses one lookup asks the host for.
pub const MAX_ADDRS: usize = 32;

/// Validated `hints`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hints {
    pub flags: i32,
    pub family: i32,
    pub socktype: i32,
    pub protocol: i32,
}

impl Hints {
    /// What a NULL `hints` means (POSIX: `AI_V4MAPPED | AI_ADDRCONFIG` is the glibc default; we
    /// keep it to "any family, any type").
    pub const DEFAULT: Hints = Hints {
        flags: 0,
        family: c::AF_UNSPEC,
        socktype: 0,
        protocol: 0,
    };

    /// Checks the hint fields, returning an `EAI_*` code for bad ones.
    pub fn check(self) -> Result<Hints, i32> {
        let known = c::AI_PASSIVE
            | c::AI_CANONNAME
            | c::AI_NUMERICHOST
            | c::AI_V4MAPPED
            | c::AI_ALL
            | c::AI_ADDRCONFIG
            | c::AI_NUMERICSERV;
        if self.flags & !known != 0 {
            return Err(c::EAI_BADFLAGS);
        }
        if !matches!(self.family, c::AF_UNSPEC | c::AF_INET | c::AF_INET6) {
            return Err(c::EAI_FAMILY);
        }
        if self.socktypes().next().is_none() {
            return Err(c::EAI_SOCKTYPE);
        }
        Ok(self)
    }

    /// The `(socktype, protocol)` pairs each address is returned with: stream/TCP and
    /// datagram/UDP unless the hints narrow it down.
    pub fn socktypes(self) -> impl Iterator<Item = (i32, i32)> {
        let (st, proto) = (self.socktype, self.protocol);
        [
            (c::SOCK_STREAM, c::IPPROTO_TCP),
            (c::SOCK_DGRAM, c::IPPROTO_UDP),
        ]
        .into_iter()
        .filter(move |&(s, p)| (st == 0 || st == s) && (proto == 0 || proto == p))
    }
}

/// Parses the service: NULL = port 0, otherwise a decimal port number.
pub fn parse_service(service: Option<&[u8]>) -> Result<u16, i32> {
    let Some(s) = service else { return Ok(0) };
    if s.is_empty() || s.len() > 5 || !s.iter().all(u8::is_ascii_digit) {
        return Err(c::EAI_SERVICE);
    }
    let n = s.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    u16::try_from(n).map_err(|_| c::EAI_SERVICE)
}

/// A numeric host (dotted IPv4 or IPv6 text), if it is one.
pub fn parse_numeric_host(host: &[u8]) -> Option<IpAddr> {
    core::str::from_utf8(host).ok()?.parse().ok()
}

/// The addresses for a NULL host: the wildcard with `AI_PASSIVE`, else loopback; IPv4 first.
pub fn default_hosts(flags: i32) -> [IpAddr; 2] {
    if flags & c::AI_PASSIVE != 0 {
        [
            IpAddr::V4([0, 0, 0, 0].into()),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ]
    } else {
        [
            IpAddr::V4([127, 0, 0, 1].into()),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]
    }
}

/// Decodes one `addr_ip` record from `resolve` (tag @0, address bytes @2).
pub fn parse_addr_ip(rec: &[u8; ADDR_IP_SIZE]) -> Option<IpAddr> {
    match rec[0] {
        1 => Some(IpAddr::V4([rec[2], rec[3], rec[4], rec[5]].into())),
        2 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(&rec[2..18]);
            Some(IpAddr::V6(b.into()))
        }
        _ => None,
    }
}

/// The address as it should be returned for the requested family: `None` when it does not
/// match; with `AF_INET6 + AI_V4MAPPED` an IPv4 address becomes `::ffff:a.b.c.d`.
pub fn for_family(addr: IpAddr, hints: Hints) -> Option<IpAddr> {
    match (hints.family, addr) {
        (c::AF_UNSPEC, a) => Some(a),
        (c::AF_INET, a @ IpAddr::V4(_)) => Some(a),
        (c::AF_INET6, a @ IpAddr::V6(_)) => Some(a),
        (c::AF_INET6, IpAddr::V4(v4)) if hints.flags & c::AI_V4MAPPED != 0 => {
            Some(IpAddr::V6(v4.to_ipv6_mapped()))
        }
        _ => None,
    }
}

/// Maps a `resolve` failure to an `EAI_*` code; `EAI_SYSTEM` comes with the errno to set.
pub fn eai_of_errno(e: Errno) -> (i32, Option<Errno>) {
    match e {
        Errno::NOENT => (c::EAI_NONAME, None),
        Errno::AGAIN => (c::EAI_AGAIN, None),
        Errno::NOMEM => (c::EAI_MEMORY, None),
        // Host unreachable / name server down: a permanent failure as far as we can tell.
        Errno(23) | Errno(40) | Errno(38) => (c::EAI_FAIL, None),
        other => (c::EAI_SYSTEM, Some(other)),
    }
}

/// The NUL-terminated message for an `EAI_*` code (musl wording).
pub fn strerror(code: i32) -> &'static [u8] {
    match code {
        0 => b"Success\0",
        c::EAI_BADFLAGS => b"Invalid flags\0",
        c::EAI_NONAME => b"Name does not resolve\0",
        c::EAI_AGAIN => b"Try again\0",
        c::EAI_FAIL => b"Non-recoverable error\0",
        c::EAI_NODATA => b"Name has no usable address\0",
        c::EAI_FAMILY => b"Unrecognized address family or invalid length\0",
        c::EAI_SOCKTYPE => b"Unrecognized socket type\0",
        c::EAI_SERVICE => b"Unrecognized service\0",
        c::EAI_MEMORY => b"Out of memory\0",
        c::EAI_SYSTEM => b"System error\0",
        c::EAI_OVERFLOW => b"Overflow\0",
        _ => b"Unknown error\0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(flags: i32, family: i32, socktype: i32, protocol: i32) -> Hints {
        Hints {
            flags,
            family,
            socktype,
            protocol,
        }
    }

    #[test]
    fn hint_checks() {
        let cases = [
            (Hints::DEFAULT, Ok(())),
            (
                hints(
                    c::AI_PASSIVE | c::AI_NUMERICSERV,
                    c::AF_INET,
                    c::SOCK_STREAM,
                    0,
                ),
                Ok(()),
            ),
            (hints(0x8000, 0, 0, 0), Err(c::EAI_BADFLAGS)),
            (hints(0, c::AF_UNIX, 0, 0), Err(c::EAI_FAMILY)),
            (hints(0, 10, 0, 0), Err(c::EAI_FAMILY)),
            (hints(0, 0, 3, 0), Err(c::EAI_SOCKTYPE)),
            (
                hints(0, 0, c::SOCK_STREAM, c::IPPROTO_UDP),
                Err(c::EAI_SOCKTYPE),
            ),
        ];
        for (h, want) in cases {
            assert_eq!(h.check().map(|_| ()), want, "{h:?}");
        }
    }

    #[test]
    fn socktype_expansion() {
        let all: [(i32, i32); 2] = [
            (c::SOCK_STREAM, c::IPPROTO_TCP),
            (c::SOCK_DGRAM, c::IPPROTO_UDP),
        ];
        let cases: [(Hints, &[(i32, i32)]); 4] = [
            (Hints::DEFAULT, &all),
            (hints(0, 0, c::SOCK_STREAM, 0), &all[..1]),
            (hints(0, 0, 0, c::IPPROTO_UDP), &all[1..]),
            (hints(0, 0, c::SOCK_DGRAM, c::IPPROTO_UDP), &all[1..]),
        ];
        for (h, want) in cases {
            let got: Vec<_> = h.socktypes().collect();
            assert_eq!(got, want, "{h:?}");
        }
    }

    #[test]
    fn services() {
        type Case<'a> = (Option<&'a [u8]>, Result<u16, i32>);
        let cases: [Case; 7] = [
            (None, Ok(0)),
            (Some(b"80"), Ok(80)),
            (Some(b"65535"), Ok(65535)),
            (Some(b"65536"), Err(c::EAI_SERVICE)),
            (Some(b"http"), Err(c::EAI_SERVICE)),
            (Some(b""), Err(c::EAI_SERVICE)),
            (Some(b"-1"), Err(c::EAI_SERVICE)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_service(s), want, "{s:?}");
        }
    }

    #[test]
    fn numeric_hosts_and_records() {
        assert_eq!(
            parse_numeric_host(b"10.1.2.3"),
            Some(IpAddr::V4([10, 1, 2, 3].into()))
        );
        assert_eq!(
            parse_numeric_host(b"::1"),
            Some(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
        assert_eq!(parse_numeric_host(b"example.com"), None);
        assert_eq!(parse_numeric_host(b"\xff"), None);
        let mut rec = [0u8; ADDR_IP_SIZE];
        rec[0] = 1;
        rec[2..6].copy_from_slice(&[93, 184, 216, 34]);
        assert_eq!(
            parse_addr_ip(&rec),
            Some(IpAddr::V4([93, 184, 216, 34].into()))
        );
        rec[0] = 2;
        rec[2..18].copy_from_slice(&Ipv6Addr::LOCALHOST.octets());
        assert_eq!(parse_addr_ip(&rec), Some(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        rec[0] = 3;
        assert_eq!(parse_addr_ip(&rec), None);
    }

    #[test]
    fn family_filter() {
        let v4 = IpAddr::V4([1, 2, 3, 4].into());
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let mapped = IpAddr::V6(core::net::Ipv4Addr::new(1, 2, 3, 4).to_ipv6_mapped());
        let cases = [
            (v4, hints(0, c::AF_UNSPEC, 0, 0), Some(v4)),
            (v6, hints(0, c::AF_INET, 0, 0), None),
            (v4, hints(0, c::AF_INET, 0, 0), Some(v4)),
            (v4, hints(0, c::AF_INET6, 0, 0), None),
            (v4, hints(c::AI_V4MAPPED, c::AF_INET6, 0, 0), Some(mapped)),
            (v6, hints(0, c::AF_INET6, 0, 0), Some(v6)),
        ];
        for (a, h, want) in cases {
            assert_eq!(for_family(a, h), want, "{a} {h:?}");
        }
        assert_eq!(
            default_hosts(c::AI_PASSIVE)[0],
            IpAddr::V4([0, 0, 0, 0].into())
        );
        assert_eq!(default_hosts(0)[0], IpAddr::V4([127, 0, 0, 1].into()));
    }

    #[test]
    fn errors() {
        assert_eq!(eai_of_errno(Errno::NOENT), (c::EAI_NONAME, None));
        assert_eq!(eai_of_errno(Errno::AGAIN), (c::EAI_AGAIN, None));
        assert_eq!(
            eai_of_errno(Errno::ACCES),
            (c::EAI_SYSTEM, Some(Errno::ACCES))
        );
        for code in [-1, -2, -3, -4, -5, -6, -7, -8, -10, -11, -12, 0, 5] {
            let msg = strerror(code);
            assert_eq!(msg.last(), Some(&0), "{code} NUL-terminated");
            assert_eq!(msg.iter().filter(|&&b| b == 0).count(), 1);
        }
        assert_ne!(strerror(c::EAI_NONAME), strerror(c::EAI_AGAIN));
    }
}
