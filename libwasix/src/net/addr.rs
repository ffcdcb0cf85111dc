//! C `sockaddr` bytes <-> WASIX `addr_port` records (pure, host-tested).
//!
//! # ABI decisions (shared with the runtime, `runtime/src/net/addr.rs`)
//!
//! * **Port: a native little-endian `u16` in `addr_port`, both ways.** C keeps `sin_port` in
//!   network order, so it is byte-swapped here (what wasix-libc's `sockaddr_to_wasi` does with
//!   `ntohs`); we read the host's output the same way (Wasmer writes big-endian there, our
//!   runtime does not: symmetric little-endian is right for every consumer).
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

/// Decodes an `addr_port` record written by the host.
pub fn from_addr_port(rec: &[u8; ADDR_PORT_SIZE]) -> Result<SockAddr, Errno> {
    let port = u16::from_le_bytes([rec[2], rec[3]]);
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
            assert_eq!(from_addr_port(&to_addr_port(&a)), Ok(a), "addr_port {a:?}");
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

    #[test]
    fn host_records_are_not_trusted() {
        let mut rec = [b'x'; ADDR_PORT_SIZE];
        rec[0] = 3;
        match from_addr_port(&rec) {
            Ok(SockAddr::Unix { path }) => assert_eq!(path[UNIX_PATH_LEN - 1], 0),
            other => panic!("unexpected {other:?}"),
        }
        rec[0] = 4;
        assert_eq!(from_addr_port(&rec), Err(Errno::AFNOSUPPORT));
    }
}
