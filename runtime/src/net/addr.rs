//! Codecs between the WASIX socket-address records in guest memory and `std::net` types.
//!
//! Layouts (wasm32 and wasm64 are identical; every record has 2-byte alignment): a `u8` tag
//! (the WASIX `address_family`: 0 UNSPEC, 1 INET4, 2 INET6, 3 UNIX) at offset 0, one padding
//! byte, and a union at offset 2.
//!
//! | record      | size | union                                                           |
//! |-------------|------|-----------------------------------------------------------------|
//! | `addr_port` | 110  | inet4: port u16 @2, ip @4..8; inet6: port u16 @2, `addr_ip6` @4..28; unix: path @2..110 |
//! | `addr_ip`   | 18   | inet4: ip @2..6; inet6: 16 address bytes @2..18                |
//! | `addr_ip4`  | 4    | the four octets in network order                               |
//! | `addr_ip6`  | 24   | 16 address bytes, `flow_info` hi/lo u16 @16/@18, `scope_id` hi/lo u16 @20/@22 |
//!
//! # ABI decisions (the sources disagree; see `reference/wasix-abi.md` §3.4)
//!
//! * **Port: a native little-endian `u16`, read and written** (issue 12). Every guest writes
//!   input ports natively (wasix-libc's `ntohs`, Rust std's and mio's WASIX forks, libwasix) and
//!   every host reads them so, Wasmer included (`u16::from_ne_bytes`). For *output* ports
//!   (`sock_addr_local`/`sock_addr_peer`/`sock_accept_v2`/`sock_recv_from`) the readers
//!   disagree with Wasmer, which writes network order (`port.to_be_bytes()`, 7.4.2 and every
//!   version seen): upstream Rust std's and mio's WASIX forks read the field natively and get
//!   Wasmer's ports wrong, wasix-libc and libwasix probe the host once per process and read
//!   either. Little-endian output is symmetric with the input and right for every reader, so
//!   it stays. libwasix's probe connects a UDP socket to `127.0.0.1:`[`ORDER_PROBE_PORT`] and
//!   reads the port back with `sock_addr_peer`; under `--net=RULES` that do not allow it the
//!   connect is refused without the policy's message (the guest then assumes little-endian,
//!   which is right here).
//! * **IPv6 address: 16 bytes in network order** (what wasix-libc `memcpy`s from `s6_addr`
//!   and what current Wasmer reads and writes). Older Rust producers that store eight native
//!   `u16` segments disagree; libc is what our std port goes through, so libc wins.
//! * `flow_info`/`scope_id` are split into a high half at the lower offset and a low half
//!   after it, each half a native `u16`, exactly as wasix-libc's `sockaddr_to_wasi` does.
//!   Wasmer's `addr_port` is only 20 bytes (tag, padding, port, 16 address bytes): it ignores
//!   both on input and leaves them unwritten on output, which guests read as 0.
//! * Multicast: `addr_ip4` is 4 bytes; `sock_*_multicast_v6` reads only the 16 address bytes
//!   of `addr_ip6` (Wasmer's `__wasi_addr_ip6_t` is those 16 bytes).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Size of an `addr_port` record (`__wasi_addr_port_t`).
pub const ADDR_PORT_SIZE: usize = 110;
/// Size of an `addr_ip` record, the element type of `resolve`'s output array.
pub const ADDR_IP_SIZE: usize = 18;
/// Size of an `addr_ip4` record (multicast v4 arguments).
pub const ADDR_IP4_SIZE: usize = 4;
/// Size of an `addr_ip6` record (multicast v6 argument); the first 16 bytes are the address.
pub const ADDR_IP6_SIZE: usize = 24;
/// The port libwasix's byte-order probe connects a UDP socket to, on 127.0.0.1 (its two bytes
/// differ, so the two orders give different answers). Must equal `PROBE_PORT` in
/// `libwasix/src/net/host_order.rs`.
pub const ORDER_PROBE_PORT: u16 = 0x1f2e;

/// Whether a connect to `addr` is libwasix's byte-order probe (see the module doc).
pub fn is_order_probe(addr: &SocketAddr) -> bool {
    *addr == SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, ORDER_PROBE_PORT))
}

/// Bytes of path in the `unix` arm of `addr_port` (like `sun_path`).
pub const UNIX_PATH_SIZE: usize = ADDR_PORT_SIZE - 2;

/// The WASIX `address_family` enum (a `u8`; not the Linux numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AddressFamily {
    Unspec = 0,
    Inet4 = 1,
    Inet6 = 2,
    Unix = 3,
}

impl AddressFamily {
    /// Decodes a guest value; `None` for anything outside the enum.
    pub fn from_raw(raw: u32) -> Option<Self> {
        match raw {
            0 => Some(Self::Unspec),
            1 => Some(Self::Inet4),
            2 => Some(Self::Inet6),
            3 => Some(Self::Unix),
            _ => None,
        }
    }

    /// The family of an IP socket address.
    pub fn of(addr: &SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(_) => Self::Inet4,
            SocketAddr::V6(_) => Self::Inet6,
        }
    }
}

/// An address decoded from a guest `addr_port` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestAddr {
    /// An IPv4 or IPv6 address with its port.
    Ip(SocketAddr),
    /// A unix-domain path (bytes before the first NUL; empty for an unnamed socket).
    Unix(Vec<u8>),
    /// `tag = UNSPEC` (e.g. `connect` with `AF_UNSPEC` to dissolve a UDP association).
    Unspec,
}

/// Why a guest record could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrError {
    /// The tag is not an address family this record supports.
    BadFamily(u8),
}

/// Decodes a guest `addr_port` record.
pub fn decode_addr_port(buf: &[u8; ADDR_PORT_SIZE]) -> Result<GuestAddr, AddrError> {
    let tag = buf[0];
    let port = u16::from_le_bytes([buf[2], buf[3]]);
    match AddressFamily::from_raw(u32::from(tag)) {
        Some(AddressFamily::Inet4) => {
            let ip = Ipv4Addr::new(buf[4], buf[5], buf[6], buf[7]);
            Ok(GuestAddr::Ip(SocketAddr::V4(SocketAddrV4::new(ip, port))))
        }
        Some(AddressFamily::Inet6) => {
            let (ip, flow, scope) = decode_ip6_fields(&buf[4..4 + ADDR_IP6_SIZE]);
            Ok(GuestAddr::Ip(SocketAddr::V6(SocketAddrV6::new(
                ip, port, flow, scope,
            ))))
        }
        Some(AddressFamily::Unix) => {
            let path = &buf[2..];
            let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
            Ok(GuestAddr::Unix(path[..end].to_vec()))
        }
        Some(AddressFamily::Unspec) => Ok(GuestAddr::Unspec),
        None => Err(AddrError::BadFamily(tag)),
    }
}

/// Encodes an IP socket address as a guest `addr_port` record.
pub fn encode_addr_port(addr: &SocketAddr) -> [u8; ADDR_PORT_SIZE] {
    let mut buf = [0u8; ADDR_PORT_SIZE];
    buf[0] = AddressFamily::of(addr) as u8;
    buf[2..4].copy_from_slice(&addr.port().to_le_bytes());
    match addr {
        SocketAddr::V4(v4) => buf[4..8].copy_from_slice(&v4.ip().octets()),
        SocketAddr::V6(v6) => encode_ip6_fields(
            &mut buf[4..4 + ADDR_IP6_SIZE],
            v6.ip(),
            v6.flowinfo(),
            v6.scope_id(),
        ),
    }
    buf
}

/// Encodes a unix-domain address (path bytes, truncated to leave a NUL) as `addr_port`.
pub fn encode_unix_addr_port(path: &[u8]) -> [u8; ADDR_PORT_SIZE] {
    let mut buf = [0u8; ADDR_PORT_SIZE];
    buf[0] = AddressFamily::Unix as u8;
    let n = path.len().min(UNIX_PATH_SIZE - 1);
    buf[2..2 + n].copy_from_slice(&path[..n]);
    buf
}

/// An `addr_port` with tag UNSPEC (what an unconnected or unnamed socket reports).
pub fn encode_unspec_addr_port() -> [u8; ADDR_PORT_SIZE] {
    [0u8; ADDR_PORT_SIZE]
}

/// Encodes an IP address as a guest `addr_ip` record (one `resolve` result).
pub fn encode_addr_ip(ip: &IpAddr) -> [u8; ADDR_IP_SIZE] {
    let mut buf = [0u8; ADDR_IP_SIZE];
    match ip {
        IpAddr::V4(v4) => {
            buf[0] = AddressFamily::Inet4 as u8;
            buf[2..6].copy_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            buf[0] = AddressFamily::Inet6 as u8;
            buf[2..18].copy_from_slice(&v6.octets());
        }
    }
    buf
}

/// Decodes a guest `addr_ip` record (the inverse of [`encode_addr_ip`]).
pub fn decode_addr_ip(buf: &[u8; ADDR_IP_SIZE]) -> Result<IpAddr, AddrError> {
    match AddressFamily::from_raw(u32::from(buf[0])) {
        Some(AddressFamily::Inet4) => Ok(IpAddr::V4(Ipv4Addr::new(buf[2], buf[3], buf[4], buf[5]))),
        Some(AddressFamily::Inet6) => {
            let octets: [u8; 16] = buf[2..18].try_into().expect("slice of 16 bytes");
            Ok(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        _ => Err(AddrError::BadFamily(buf[0])),
    }
}

/// Decodes a guest `addr_ip4` record.
pub fn decode_addr_ip4(buf: &[u8; ADDR_IP4_SIZE]) -> Ipv4Addr {
    Ipv4Addr::from(*buf)
}

/// Decodes a guest `addr_ip6` record (address only; flow info and scope are ignored by the
/// multicast calls that take it).
pub fn decode_addr_ip6(buf: &[u8; ADDR_IP6_SIZE]) -> Ipv6Addr {
    decode_ip6_fields(buf).0
}

fn decode_ip6_fields(buf: &[u8]) -> (Ipv6Addr, u32, u32) {
    let octets: [u8; 16] = buf[..16]
        .try_into()
        .expect("addr_ip6 holds 16 address bytes");
    let half = |at: usize| u32::from(u16::from_le_bytes([buf[at], buf[at + 1]]));
    let flow = (half(16) << 16) | half(18);
    let scope = (half(20) << 16) | half(22);
    (Ipv6Addr::from(octets), flow, scope)
}

fn encode_ip6_fields(buf: &mut [u8], ip: &Ipv6Addr, flow: u32, scope: u32) {
    buf[..16].copy_from_slice(&ip.octets());
    let halves = [
        (16, flow >> 16),
        (18, flow & 0xffff),
        (20, scope >> 16),
        (22, scope & 0xffff),
    ];
    for (at, value) in halves {
        // Each value is at most 0xffff by construction (a shifted or masked u32).
        let value = u16::try_from(value).unwrap_or(u16::MAX);
        buf[at..at + 2].copy_from_slice(&value.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(tag: u8, fill: &[(usize, &[u8])]) -> [u8; ADDR_PORT_SIZE] {
        let mut buf = [0u8; ADDR_PORT_SIZE];
        buf[0] = tag;
        for (at, bytes) in fill {
            buf[*at..*at + bytes.len()].copy_from_slice(bytes);
        }
        buf
    }

    /// Expected bytes at their offsets.
    type Spans<'a> = &'a [(usize, &'a [u8])];

    #[test]
    fn addr_port_byte_layout() {
        let cases: &[(&str, Spans<'_>)] = &[
            (
                "127.0.0.1:8080",
                &[(0, &[1, 0]), (2, &[0x90, 0x1f]), (4, &[127, 0, 0, 1])],
            ),
            (
                "10.1.2.3:1",
                &[(0, &[1]), (2, &[1, 0]), (4, &[10, 1, 2, 3])],
            ),
            ("0.0.0.0:0", &[(0, &[1]), (2, &[0, 0]), (4, &[0, 0, 0, 0])]),
            (
                "[::1]:443",
                &[
                    (0, &[2]),
                    (2, &[0xbb, 0x01]),
                    (4, &[0; 15]),
                    (19, &[1]),
                    (20, &[0; 8]),
                ],
            ),
            (
                "[2001:db8::7]:65535",
                &[
                    (0, &[2]),
                    (2, &[0xff, 0xff]),
                    (4, &[0x20, 0x01, 0x0d, 0xb8]),
                    (19, &[7]),
                ],
            ),
        ];
        for (text, expected) in cases {
            let addr: SocketAddr = text.parse().unwrap();
            let got = encode_addr_port(&addr);
            for (at, bytes) in *expected {
                assert_eq!(
                    &got[*at..*at + bytes.len()],
                    *bytes,
                    "{text} at offset {at}"
                );
            }
            assert!(
                got[28..].iter().all(|&b| b == 0),
                "{text}: tail must be zero"
            );
            assert_eq!(
                decode_addr_port(&got),
                Ok(GuestAddr::Ip(addr)),
                "{text} round trip"
            );
        }
    }

    #[test]
    fn ipv6_flow_and_scope_halves() {
        let addr = SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::LOCALHOST,
            9,
            0x0001_0002,
            0x0003_0004,
        ));
        let got = encode_addr_port(&addr);
        assert_eq!(&got[20..28], &[1, 0, 2, 0, 3, 0, 4, 0]);
        assert_eq!(decode_addr_port(&got), Ok(GuestAddr::Ip(addr)));
    }

    #[test]
    fn decode_other_families() {
        let cases: &[([u8; ADDR_PORT_SIZE], Result<GuestAddr, AddrError>)] = &[
            (record(0, &[]), Ok(GuestAddr::Unspec)),
            (
                record(3, &[(2, b"/tmp/s\0junk")]),
                Ok(GuestAddr::Unix(b"/tmp/s".to_vec())),
            ),
            (
                record(3, &[(2, &[b'a'; UNIX_PATH_SIZE])]),
                Ok(GuestAddr::Unix(vec![b'a'; UNIX_PATH_SIZE])),
            ),
            (record(4, &[]), Err(AddrError::BadFamily(4))),
            (record(0xff, &[]), Err(AddrError::BadFamily(0xff))),
        ];
        for (buf, expected) in cases {
            assert_eq!(&decode_addr_port(buf), expected, "tag {}", buf[0]);
        }
    }

    #[test]
    fn unix_encoding_keeps_a_nul() {
        let long = vec![b'x'; 200];
        let got = encode_unix_addr_port(&long);
        assert_eq!(got[0], 3);
        assert_eq!(got[ADDR_PORT_SIZE - 1], 0);
        assert_eq!(
            decode_addr_port(&got),
            Ok(GuestAddr::Unix(vec![b'x'; UNIX_PATH_SIZE - 1]))
        );
        assert_eq!(
            decode_addr_port(&encode_unspec_addr_port()),
            Ok(GuestAddr::Unspec)
        );
    }

    #[test]
    fn addr_ip_records() {
        let cases: &[(&str, [u8; ADDR_IP_SIZE])] = &[
            (
                "127.0.0.1",
                [1, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
            (
                "::1",
                [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            ),
            (
                "fe80::1:2",
                [2, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2],
            ),
        ];
        for (text, expected) in cases {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(&encode_addr_ip(&ip), expected, "{text}");
            assert_eq!(decode_addr_ip(expected), Ok(ip), "{text} round trip");
        }
        assert_eq!(
            decode_addr_ip(&[9; ADDR_IP_SIZE]),
            Err(AddrError::BadFamily(9))
        );
    }

    #[test]
    fn multicast_records() {
        assert_eq!(
            decode_addr_ip4(&[224, 0, 0, 251]),
            Ipv4Addr::new(224, 0, 0, 251)
        );
        let mut rec = [0u8; ADDR_IP6_SIZE];
        rec[0] = 0xff;
        rec[1] = 0x02;
        rec[15] = 0xfb;
        rec[16] = 0x55; // flow info must not leak into the address
        assert_eq!(
            decode_addr_ip6(&rec),
            "ff02::fb".parse::<Ipv6Addr>().unwrap()
        );
    }

    #[test]
    fn order_probe_address() {
        let cases = [
            ("127.0.0.1:7982", true),
            ("127.0.0.1:11807", false), // the swapped port
            ("127.0.0.2:7982", false),
            ("0.0.0.0:7982", false),
            ("[::1]:7982", false),
        ];
        assert_eq!(ORDER_PROBE_PORT, 7982);
        for (text, want) in cases {
            assert_eq!(is_order_probe(&text.parse().unwrap()), want, "{text}");
        }
    }

    #[test]
    fn family_values() {
        let cases = [
            (0, Some(AddressFamily::Unspec)),
            (1, Some(AddressFamily::Inet4)),
            (2, Some(AddressFamily::Inet6)),
            (3, Some(AddressFamily::Unix)),
            (4, None),
            (u32::MAX, None),
        ];
        for (raw, expected) in cases {
            assert_eq!(AddressFamily::from_raw(raw), expected, "{raw}");
        }
    }
}
