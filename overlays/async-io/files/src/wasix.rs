//! What async-io does through `rustix::net` on unix, for WASIX (added by cargo-wasix's
//! overlay): rustix has no `net` module for `target_os = "wasi"`, so the non-blocking connect
//! calls the WASIX libc (libwasix) directly. Constants and `sockaddr_in`/`sockaddr_in6`
//! layouts are the WASIX libc's (the libc overlay's), not Linux's.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::raw::{c_int, c_void};

const AF_INET: c_int = 1;
const AF_INET6: c_int = 2;
const SOCK_STREAM: c_int = 1;
const SOCK_NONBLOCK: c_int = 0x4000;
const SOCK_CLOEXEC: c_int = 0x2000;
const IPPROTO_TCP: c_int = 6;
const EINPROGRESS: i32 = 26;

#[repr(C, align(16))]
struct SockaddrIn {
    family: u16,
    /// Network byte order.
    port: u16,
    /// Network byte order.
    addr: [u8; 4],
}

#[repr(C, align(16))]
struct SockaddrIn6 {
    family: u16,
    port: u16,
    flowinfo: u32,
    addr: [u8; 16],
    scope_id: u32,
}

extern "C" {
    fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int;
    fn connect(fd: c_int, addr: *const c_void, len: u32) -> c_int;
}

/// Starts a non-blocking TCP connect to `addr`; the socket becomes writable when it completes
/// (the caller then checks `take_error`), as rustix's `connect` does on unix.
pub(crate) fn connect_tcp(addr: SocketAddr) -> io::Result<OwnedFd> {
    let domain = match addr {
        SocketAddr::V4(_) => AF_INET,
        SocketAddr::V6(_) => AF_INET6,
    };
    let fd = unsafe { socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // Owned from here on: an error below closes it.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    let ret = match addr {
        SocketAddr::V4(v4) => {
            let sa = SockaddrIn {
                family: AF_INET as u16,
                port: v4.port().to_be(),
                addr: v4.ip().octets(),
            };
            unsafe { connect(fd, (&sa as *const SockaddrIn).cast(), size_of::<SockaddrIn>() as u32) }
        }
        SocketAddr::V6(v6) => {
            let sa = SockaddrIn6 {
                family: AF_INET6 as u16,
                port: v6.port().to_be(),
                flowinfo: v6.flowinfo().to_be(),
                addr: v6.ip().octets(),
                scope_id: v6.scope_id(),
            };
            unsafe { connect(fd, (&sa as *const SockaddrIn6).cast(), size_of::<SockaddrIn6>() as u32) }
        }
    };
    if ret < 0 {
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(EINPROGRESS) && err.kind() != io::ErrorKind::WouldBlock {
            return Err(err);
        }
    }
    Ok(socket)
}
