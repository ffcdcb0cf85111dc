//! C `sockaddr` bytes <-> WASIX `addr_port` records (pure, host-tested).
//!
//! # ABI decisions (shared with the runtime, `runtime/src/net/addr.rs`)
//!
//! * **Port we send: a native little-endian `u16`.** C keeps `sin_port` in network order, so it
//!   is byte-swapped here (what wasix-libc's `sockaddr_to_wasi` does with `ntohs`); every host
//!   reads input ports natively (Wasmer: `u16::from_ne_bytes`).
//! * **Port the host writes: the host's own order, a [`PortOrder`].** Our runtime writes
//!   little-endian, Wasmer (7.4.2 and every version seen) writes network order in
//!   `sock_addr_local`/`sock_addr_peer`/`sock_accept_v2`/`sock_recv_from`. The decoder takes the
//!   order as a parameter; `host_order` detects it once per process (issue 12).
//! * **IPv6 address: the 16 `s6_addr` bytes in network order**, copied unchanged into the
//!   eight-word `addr_ip6`; `flow_info` and `scope_id` are split into a high `u16` at the lower
//!   offset and the low `u16` after it (wasix-libc's layout), from the native C values.
//! * Unix-domain paths are copied into the 108 bytes after the tag, NUL-terminated.
//!
//! C layouts (wasm32, wasi-libc headers): family `u16` @0; `sockaddr_in`: port @2, addr @4,
//! size 16; `sockaddr_in6`: port @2, flowinfo @4, addr @8, scope_id @24, size 32;
//! `sockaddr_un`: path @2..110.

use crate::abi::{ADDR_PORT_SIZE, Errno, c};

/// Bytes of path in a `sockaddr_un` and in the unix arm of `addr_port`.
pub const UNIX_PATH_LEN: usize = 108;
/// `sizeof(struct sockaddr_in)` and `sizeof(struct sockaddr_in6)` on wasm32 (16-byte aligned).
pub const SOCKADDR_IN_LEN: usize = 16;
pub const SOCKADDR_IN6_LEN: usize = 32;
/// Minimum meaningful lengths (the fields actually read), so a 28-byte `sockaddr_in6` from code
/// that does not know about the alignment still works.
const SOCKADDR_IN_MIN: usize = 8;
const SOCKADDR_IN6_MIN: usize = 28;

/// A socket address decoded from C or from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr {
    V4 {
        port: u16,
        ip: [u8; 4],
    },
    V6 {
        port: u16,
        ip: [u8; 16],
        flowinfo: u32,
        scope_id: u32,
    },
    /// Path bytes up to (not including) the first NUL, stored NUL-padded.
    Unix {
        path: [u8; UNIX_PATH_LEN],
    },
    /// WASIX tag UNSPEC: an unnamed socket or no address.
    Unspec,
}

/// Decodes the first `bytes.len()` (= the C `addrlen`) bytes of a C `sockaddr`.
pub fn from_c(bytes: &[u8]) -> Result<SockAddr, Errno> {
    let family = match bytes {
        [a, b, ..] => i32::from(u16::from_le_bytes([*a, *b])),
        _ => return Err(Errno::INVAL),
    };
    match family {
        c::AF_INET if bytes.len() >= SOCKADDR_IN_MIN => Ok(SockAddr::V4 {
            port: u16::from_be_bytes([bytes[2], bytes[3]]),
            ip: [bytes[4], bytes[5], bytes[6], bytes[7]],
        }),
        c::AF_INET6 if bytes.len() >= SOCKADDR_IN6_MIN => {
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&bytes[8..24]);
            Ok(SockAddr::V6 {
                port: u16::from_be_bytes([bytes[2], bytes[3]]),
                ip,
                flowinfo: u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
                scope_id: u32::from_le_bytes([bytes[24], bytes[25], bytes[26], bytes[27]]),
            })
        }
        c::AF_UNIX => {
            let given = &bytes[2..bytes.len().min(2 + UNIX_PATH_LEN)];
            let end = given.iter().position(|&b| b == 0).unwrap_or(given.len());
            // The host needs a NUL inside the 108 bytes, as in `sockaddr_un`.
            if end >= UNIX_PATH_LEN {
                return Err(Errno::NAMETOOLONG);
            }
            let mut path = [0u8; UNIX_PATH_LEN];
            path[..end].copy_from_slice(&given[..end]);
            Ok(SockAddr::Unix { path })
        }
        c::AF_UNSPEC => Ok(SockAddr::Unspec),
        c::AF_INET | c::AF_INET6 => Err(Errno::INVAL),
        _ => Err(Errno::AFNOSUPPORT),
    }
}

/// Encodes a C `sockaddr` into `out` (a `sockaddr_storage`-sized scratch buffer) and returns
/// its full length; the caller copies `min(len, capacity)` bytes and reports `len`, as POSIX
/// `accept`/`getsockname` do when the caller's buffer is short.
pub fn to_c(addr: &SockAddr, out: &mut [u8; 2 + UNIX_PATH_LEN]) -> usize {
    *out = [0u8; 2 + UNIX_PATH_LEN];
    match *addr {
        SockAddr::V4 { port, ip } => {
            out[..2].copy_from_slice(&(c::AF_INET as u16).to_le_bytes());
            out[2..4].copy_from_slice(&port.to_be_bytes());
            out[4..8].copy_from_slice(&ip);
            SOCKADDR_IN_LEN
        }
        SockAddr::V6 {
            port,
            ip,
            flowinfo,
            scope_id,
        } => {
            out[..2].copy_from_slice(&(c::AF_INET6 as u16).to_le_bytes());
            out[2..4].copy_from_slice(&port.to_be_bytes());
            out[4..8].copy_from_slice(&flowinfo.to_le_bytes());
            out[8..24].copy_from_slice(&ip);
            out[24..28].copy_from_slice(&scope_id.to_le_bytes());
            SOCKADDR_IN6_LEN
        }
        SockAddr::Unix { path } => {
            out[..2].copy_from_slice(&(c::AF_UNIX as u16).to_le_bytes());
            out[2..].copy_from_slice(&path);
            // Like Linux: the family, the path and its NUL; just the family when unnamed.
            match path.iter().position(|&b| b == 0) {
                Some(0) => 2,
                Some(n) => 2 + n + 1,
                None => 2 + UNIX_PATH_LEN,
            }
        }
        SockAddr::Unspec => {
            out[..2].copy_from_slice(&(c::AF_UNSPEC as u16).to_le_bytes());
            2
        }
    }
}

/// Encodes an `addr_port` record for `sock_bind`/`sock_connect`/`sock_send_to`.
pub fn to_addr_port(addr: &SockAddr) -> [u8; ADDR_PORT_SIZE] {
    let mut rec = [0u8; ADDR_PORT_SIZE];
    match *addr {
        SockAddr::V4 { port, ip } => {
            rec[0] = 1;
            rec[2..4].copy_from_slice(&port.to_le_bytes());
            rec[4..8].copy_from_slice(&ip);
        }
        SockAddr::V6 {
            port,
            ip,
            flowinfo,
            scope_id,
        } => {
            rec[0] = 2;
            rec[2..4].copy_from_slice(&port.to_le_bytes());
            rec[4..20].copy_from_slice(&ip);
            rec[20..22].copy_from_slice(&((flowinfo >> 16) as u16).to_le_bytes());
            rec[22..24].copy_from_slice(&(flowinfo as u16).to_le_bytes());
            rec[24..26].copy_from_slice(&((scope_id >> 16) as u16).to_le_bytes());
            rec[26..28].copy_from_slice(&(scope_id as u16).to_le_bytes());
        }
        SockAddr::Unix { path } => {
            rec[0] = 3;
            rec[2..].copy_from_slice(&path);
        }
        SockAddr::Unspec => {}
    }
    rec
}

/// The port `host_order`'s probe connects a UDP socket to on 127.0.0.1: its two bytes differ,
/// so the two orders give different answers. The runtime refuses exactly this connect quietly
/// when its `--net` rules do not allow it (`ORDER_PROBE_PORT` in `runtime/src/net/addr.rs`,
/// checked equal by a test).
pub const ORDER_PROBE_PORT: u16 = 0x1f2e;

/// The byte order in which a host writes the port of the `addr_port` records it outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOrder {
    /// Native wasm order: our runtime (and what upstream Rust std's and mio's WASIX forks read).
    Little,
    /// Network order: Wasmer.
    Big,
}

impl PortOrder {
    /// Classifies a probe: the host was given port `sent` (natively, as every host reads input)
    /// and wrote back the two bytes `got`. `None` when `got` is neither order of `sent` (or
    /// `sent` reads the same both ways, which says nothing).
    pub fn from_probe(sent: u16, got: [u8; 2]) -> Option<Self> {
        if sent == sent.swap_bytes() {
            None
        } else if got == sent.to_le_bytes() {
            Some(Self::Little)
        } else if got == sent.to_be_bytes() {
            Some(Self::Big)
        } else {
            None
        }
    }

    fn read(self, bytes: [u8; 2]) -> u16 {
        match self {
            Self::Little => u16::from_le_bytes(bytes),
            Self::Big => u16::from_be_bytes(bytes),
        }
    }
}

/// Whether decoding `rec` depends on the host's [`PortOrder`] (only IP records carry a port), so
/// callers need not detect the order for unix or unspecified addresses.
pub fn has_port(rec: &[u8; ADDR_PORT_SIZE]) -> bool {
    matches!(rec[0], 1 | 2)
}

/// Decodes an `addr_port` record written by a host whose output ports are in `order`.
pub fn from_addr_port(rec: &[u8; ADDR_PORT_SIZE], order: PortOrder) -> Result<SockAddr, Errno> {
    let port = order.read([rec[2], rec[3]]);
    let half = |at: usize| u32::from(u16::from_le_bytes([rec[at], rec[at + 1]]));
    match rec[0] {
        0 => Ok(SockAddr::Unspec),
        1 => Ok(SockAddr::V4 {
            port,
            ip: [rec[4], rec[5], rec[6], rec[7]],
        }),
        2 => {
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&rec[4..20]);
            Ok(SockAddr::V6 {
                port,
                ip,
                flowinfo: (half(20) << 16) | half(22),
                scope_id: (half(24) << 16) | half(26),
            })
        }
        3 => {
            let mut path = [0u8; UNIX_PATH_LEN];
            path.copy_from_slice(&rec[2..]);
            // Force termination: the host's bytes are not trusted to contain a NUL.
            path[UNIX_PATH_LEN - 1] = 0;
            Ok(SockAddr::Unix { path })
        }
        // An address family this libc cannot express.
        _ => Err(Errno::AFNOSUPPORT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c_in(port: u16, ip: [u8; 4], len: usize) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[..2].copy_from_slice(&1u16.to_le_bytes());
        b[2..4].copy_from_slice(&port.to_be_bytes());
        b[4..8].copy_from_slice(&ip);
        b[len..].fill(0);
        b
    }

    #[test]
    fn c_sockaddr_decoding() {
        let v4 = c_in(8080, [127, 0, 0, 1], 16);
        let mut v6 = [0u8; 32];
        v6[..2].copy_from_slice(&2u16.to_le_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[4..8].copy_from_slice(&0x0001_0002u32.to_le_bytes());
        v6[8..24].copy_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        v6[24..28].copy_from_slice(&7u32.to_le_bytes());
        let mut un = [0u8; 110];
        un[..2].copy_from_slice(&3u16.to_le_bytes());
        un[2..6].copy_from_slice(b"/s\0x");
        let mut long_un = [b'a'; 110];
        long_un[..2].copy_from_slice(&3u16.to_le_bytes());
        let mut un_path = [0u8; UNIX_PATH_LEN];
        un_path[..2].copy_from_slice(b"/s");
        let cases: [(&[u8], Result<SockAddr, Errno>); 9] = [
            (
                &v4[..16],
                Ok(SockAddr::V4 {
                    port: 8080,
                    ip: [127, 0, 0, 1],
                }),
            ),
            (
                &v4[..8],
                Ok(SockAddr::V4 {
                    port: 8080,
                    ip: [127, 0, 0, 1],
                }),
            ),
            (&v4[..7], Err(Errno::INVAL)),
            (
                &v6[..32],
                Ok(SockAddr::V6 {
                    port: 443,
                    ip: v6[8..24].try_into().unwrap(),
                    flowinfo: 0x0001_0002,
                    scope_id: 7,
                }),
            ),
            (
                &v6[..28],
                Ok(SockAddr::V6 {
                    port: 443,
                    ip: v6[8..24].try_into().unwrap(),
                    flowinfo: 0x0001_0002,
                    scope_id: 7,
                }),
            ),
            (&v6[..24], Err(Errno::INVAL)),
            (&un[..], Ok(SockAddr::Unix { path: un_path })),
            (&long_un[..], Err(Errno::NAMETOOLONG)),
            (&[9, 0, 0, 0][..], Err(Errno::AFNOSUPPORT)),
        ];
        for (i, (bytes, want)) in cases.iter().enumerate() {
            assert_eq!(from_c(bytes), *want, "case {i}");
        }
        assert_eq!(from_c(&[1]), Err(Errno::INVAL));
    }

    #[test]
    fn addr_port_encoding_matches_the_abi() {
        let rec = to_addr_port(&SockAddr::V4 {
            port: 0x1234,
            ip: [10, 0, 0, 2],
        });
        assert_eq!(
            &rec[..8],
            &[1, 0, 0x34, 0x12, 10, 0, 0, 2],
            "tag, pad, LE port, ip"
        );
        let ip6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
        let rec = to_addr_port(&SockAddr::V6 {
            port: 80,
            ip: ip6,
            flowinfo: 0x000a_000b,
            scope_id: 0x0003_0004,
        });
        assert_eq!(&rec[..4], &[2, 0, 80, 0]);
        assert_eq!(&rec[4..20], &ip6, "network-order bytes unchanged");
        assert_eq!(
            &rec[20..28],
            &[0x0a, 0, 0x0b, 0, 0x03, 0, 0x04, 0],
            "hi/lo halves"
        );
        let mut path = [0u8; UNIX_PATH_LEN];
        path[..4].copy_from_slice(b"/tmp");
        let rec = to_addr_port(&SockAddr::Unix { path });
        assert_eq!(&rec[..7], &[3, 0, b'/', b't', b'm', b'p', 0]);
    }

    #[test]
    fn round_trips() {
        let mut path = [0u8; UNIX_PATH_LEN];
        path[..3].copy_from_slice(b"/a!");
        let addrs = [
            SockAddr::V4 {
                port: 1,
                ip: [1, 2, 3, 4],
            },
            SockAddr::V4 {
                port: 65535,
                ip: [255; 4],
            },
            SockAddr::V6 {
                port: 9,
                ip: [7; 16],
                flowinfo: u32::MAX,
                scope_id: 0x1_0001,
            },
            SockAddr::Unix { path },
            SockAddr::Unspec,
        ];
        for a in addrs {
            assert_eq!(
                from_addr_port(&to_addr_port(&a), PortOrder::Little),
                Ok(a),
                "addr_port {a:?}"
            );
            let mut out = [0u8; 110];
            let len = to_c(&a, &mut out);
            assert_eq!(from_c(&out[..len]), Ok(a), "C {a:?}");
        }
    }

    #[test]
    fn c_lengths() {
        let mut out = [0u8; 110];
        let mut path = [0u8; UNIX_PATH_LEN];
        let cases = [
            (
                SockAddr::V4 {
                    port: 1,
                    ip: [0; 4],
                },
                16,
            ),
            (
                SockAddr::V6 {
                    port: 1,
                    ip: [0; 16],
                    flowinfo: 0,
                    scope_id: 0,
                },
                32,
            ),
            (SockAddr::Unix { path }, 2),
            (SockAddr::Unspec, 2),
        ];
        for (a, want) in cases {
            assert_eq!(to_c(&a, &mut out), want, "{a:?}");
        }
        path[..5].copy_from_slice(b"/sock");
        assert_eq!(to_c(&SockAddr::Unix { path }, &mut out), 8);
    }

    /// A host-written record: `bytes` from offset 0, zero after (Wasmer writes only the first
    /// 20 bytes of its `addr_port`; the caller's buffer is zeroed, so the rest reads 0).
    fn host_record(bytes: &[u8]) -> [u8; ADDR_PORT_SIZE] {
        let mut rec = [0u8; ADDR_PORT_SIZE];
        rec[..bytes.len()].copy_from_slice(bytes);
        rec
    }

    /// What a host wrote, the order to read it in, and the result.
    type Case = (&'static str, Vec<u8>, PortOrder, Result<SockAddr, Errno>);

    #[test]
    fn host_ports_decode_in_either_order() {
        let loop6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let mut wasmer6 = vec![2, 0, 0x1f, 0x90];
        wasmer6.extend_from_slice(&loop6);
        let mut ours6 = vec![2, 0, 0x90, 0x1f];
        ours6.extend_from_slice(&loop6);
        ours6.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
        let v4 = |port| {
            Ok(SockAddr::V4 {
                port,
                ip: [127, 0, 0, 1],
            })
        };
        let v6 = |port, flowinfo, scope_id| {
            Ok(SockAddr::V6 {
                port,
                ip: loop6,
                flowinfo,
                scope_id,
            })
        };
        let cases: [Case; 7] = [
            // 45678 = 0xb26e: Wasmer's `local_addr()` of issue 12 (28338 read little-endian).
            (
                "wasmer v4",
                vec![1, 0, 0xb2, 0x6e, 127, 0, 0, 1],
                PortOrder::Big,
                v4(45678),
            ),
            (
                "wasmer v4 misread",
                vec![1, 0, 0xb2, 0x6e, 127, 0, 0, 1],
                PortOrder::Little,
                v4(28338),
            ),
            (
                "ours v4",
                vec![1, 0, 0x6e, 0xb2, 127, 0, 0, 1],
                PortOrder::Little,
                v4(45678),
            ),
            // Wasmer has no flow info or scope id in its 20-byte record: both read 0.
            ("wasmer v6", wasmer6, PortOrder::Big, v6(8080, 0, 0)),
            (
                "ours v6",
                ours6,
                PortOrder::Little,
                v6(8080, 0x1_0002, 0x3_0004),
            ),
            // The order never matters without a port.
            (
                "unspec",
                vec![0, 0, 0x12, 0x34],
                PortOrder::Big,
                Ok(SockAddr::Unspec),
            ),
            (
                "bad family",
                vec![7],
                PortOrder::Big,
                Err(Errno::AFNOSUPPORT),
            ),
        ];
        for (what, bytes, order, want) in cases {
            let rec = host_record(&bytes);
            assert_eq!(from_addr_port(&rec, order), want, "{what}");
        }
    }

    #[test]
    fn only_ip_records_carry_a_port() {
        let cases = [(0, false), (1, true), (2, true), (3, false), (4, false)];
        for (tag, want) in cases {
            assert_eq!(has_port(&host_record(&[tag])), want, "tag {tag}");
        }
    }

    #[test]
    fn probe_classification() {
        let p = 0x1f2e;
        let cases: [(u16, [u8; 2], Option<PortOrder>); 6] = [
            (p, [0x2e, 0x1f], Some(PortOrder::Little)),
            (p, [0x1f, 0x2e], Some(PortOrder::Big)),
            (p, [0, 0], None),
            (p, [0x2e, 0x2e], None),
            // A palindromic port cannot tell the orders apart.
            (0x2323, [0x23, 0x23], None),
            (0, [0, 0], None),
        ];
        for (sent, got, want) in cases {
            assert_eq!(
                PortOrder::from_probe(sent, got),
                want,
                "{sent:#x} -> {got:x?}"
            );
        }
    }

    /// The two ends of the ABI agree byte for byte: what the runtime writes, libwasix reads in
    /// little-endian order, and what libwasix writes, the runtime reads; the probe port is the
    /// one the runtime recognises.
    #[test]
    fn agrees_with_the_runtime_codec() {
        use std::net::SocketAddr;
        use wasix_runtime::net::addr as rt;
        let cases: [(&str, SockAddr); 4] = [
            (
                "127.0.0.1:45678",
                SockAddr::V4 {
                    port: 45678,
                    ip: [127, 0, 0, 1],
                },
            ),
            (
                "10.0.0.2:1",
                SockAddr::V4 {
                    port: 1,
                    ip: [10, 0, 0, 2],
                },
            ),
            (
                "[::1]:8080",
                SockAddr::V6 {
                    port: 8080,
                    ip: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                    flowinfo: 0,
                    scope_id: 0,
                },
            ),
            (
                "[fe80::1%7]:65535",
                SockAddr::V6 {
                    port: 65535,
                    ip: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                    flowinfo: 0,
                    scope_id: 7,
                },
            ),
        ];
        for (text, ours) in cases {
            let addr: SocketAddr = text.parse().unwrap();
            let written = rt::encode_addr_port(&addr);
            assert_eq!(
                from_addr_port(&written, PortOrder::Little),
                Ok(ours),
                "{text} read"
            );
            assert_eq!(
                rt::decode_addr_port(&to_addr_port(&ours)),
                Ok(rt::GuestAddr::Ip(addr)),
                "{text} written"
            );
        }
        assert_eq!(ORDER_PROBE_PORT, rt::ORDER_PROBE_PORT);
        assert!(rt::is_order_probe(&SocketAddr::from((
            [127, 0, 0, 1],
            ORDER_PROBE_PORT
        ))));
    }

    #[test]
    fn host_records_are_not_trusted() {
        let mut rec = [b'x'; ADDR_PORT_SIZE];
        rec[0] = 3;
        match from_addr_port(&rec, PortOrder::Big) {
            Ok(SockAddr::Unix { path }) => assert_eq!(path[UNIX_PATH_LEN - 1], 0),
            other => panic!("unexpected {other:?}"),
        }
        rec[0] = 4;
        assert_eq!(
            from_addr_port(&rec, PortOrder::Little),
            Err(Errno::AFNOSUPPORT)
        );
    }
}
