//! `socket`, `socketpair`, `bind`, `connect`, `listen`, `accept`/`accept4`, `getsockname`,
//! `getpeername`, `shutdown` over `sock_open/pair/bind/connect/listen/accept_v2/addr_*` and
//! preview-1 `sock_shutdown`.
//!
//! `accept`+`accept4` replace wasi-libc's `accept-wasip1.c.obj` and `shutdown` its
//! `shutdown.c.obj` (both members are dropped from the sysroot's libc.a).

use core::ffi::c_int;

use libc::{sockaddr, socklen_t};

use super::addr::{self, SockAddr};
use super::cmem::{read_sockaddr, write_sockaddr};
use super::host_order;
use super::opt::split_sock_type;
use crate::abi::{Errno, FDFLAGS_NONBLOCK, c};
use crate::{errno, io, sys};

crate::same_signature_as_libc!(
    socket,
    socketpair,
    bind,
    connect,
    listen,
    accept,
    accept4,
    getsockname,
    getpeername,
    shutdown
);

/// Similar to `socket` in POSIX: `SOCK_NONBLOCK`/`SOCK_CLOEXEC` are applied after `sock_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int {
    let t = split_sock_type(ty);
    errno::int(
        sys::sock_open(domain, t.base, protocol)
            .and_then(|fd| io::fd_flags_or_close(&[fd], t.nonblock, t.cloexec).map(|()| fd)),
    )
}

/// Similar to `socketpair` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn socketpair(
    domain: c_int,
    ty: c_int,
    protocol: c_int,
    sv: *mut c_int,
) -> c_int {
    if sv.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let t = split_sock_type(ty);
    errno::unit(sys::sock_pair(domain, t.base, protocol).and_then(|(a, b)| {
        io::fd_flags_or_close(&[a, b], t.nonblock, t.cloexec)?;
        // SAFETY: `sv` is non-null and points to two ints (POSIX contract).
        unsafe { sv.write(a) };
        unsafe { sv.add(1).write(b) };
        Ok(())
    }))
}

/// Similar to `bind` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bind(fd: c_int, address: *const sockaddr, len: socklen_t) -> c_int {
    // SAFETY: the caller passes `len` readable bytes at `address`.
    errno::unit(
        unsafe { read_sockaddr(address, len) }
            .and_then(|a| sys::sock_bind(fd, &addr::to_addr_port(&a))),
    )
}

/// Similar to `connect` in POSIX (`EINPROGRESS` on a non-blocking socket comes from the host).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connect(fd: c_int, address: *const sockaddr, len: socklen_t) -> c_int {
    // SAFETY: the caller passes `len` readable bytes at `address`.
    errno::unit(
        unsafe { read_sockaddr(address, len) }
            .and_then(|a| sys::sock_connect(fd, &addr::to_addr_port(&a))),
    )
}

/// Similar to `listen` in POSIX; a negative backlog means 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn listen(fd: c_int, backlog: c_int) -> c_int {
    errno::unit(sys::sock_listen(fd, backlog.max(0)))
}

/// Similar to `accept` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn accept(fd: c_int, address: *mut sockaddr, len: *mut socklen_t) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { accept4(fd, address, len, 0) }
}

/// Similar to `accept4` in Linux: `SOCK_NONBLOCK` becomes the new fd's fdflags in
/// `sock_accept_v2`, `SOCK_CLOEXEC` is set afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn accept4(
    fd: c_int,
    address: *mut sockaddr,
    len: *mut socklen_t,
    flags: c_int,
) -> c_int {
    if flags & !(c::SOCK_NONBLOCK | c::SOCK_CLOEXEC) != 0 {
        return errno::int(Err(Errno::INVAL));
    }
    let fdflags = if flags & c::SOCK_NONBLOCK != 0 {
        FDFLAGS_NONBLOCK
    } else {
        0
    };
    errno::int(sys::sock_accept(fd, fdflags).and_then(|(new, peer)| {
        let stored =
            io::fd_flags_or_close(&[new], false, flags & c::SOCK_CLOEXEC != 0).and_then(|()| {
                let peer = host_order::decode(&peer).unwrap_or(SockAddr::Unspec);
                // SAFETY: the caller passes a writable `(address, len)` pair or a null address.
                unsafe { write_sockaddr(&peer, address, len) }
            });
        stored.inspect_err(|_| {
            let _ = sys::fd_close(new);
        })?;
        Ok(new)
    }))
}

/// Similar to `getsockname` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getsockname(
    fd: c_int,
    address: *mut sockaddr,
    len: *mut socklen_t,
) -> c_int {
    if address.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let a = sys::sock_addr_local(fd).and_then(|r| host_order::decode(&r));
    // SAFETY: the caller passes a writable `(address, len)` pair.
    errno::unit(a.and_then(|a| unsafe { write_sockaddr(&a, address, len) }))
}

/// Similar to `getpeername` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getpeername(
    fd: c_int,
    address: *mut sockaddr,
    len: *mut socklen_t,
) -> c_int {
    if address.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let a = sys::sock_addr_peer(fd).and_then(|r| host_order::decode(&r));
    // SAFETY: the caller passes a writable `(address, len)` pair.
    errno::unit(a.and_then(|a| unsafe { write_sockaddr(&a, address, len) }))
}

/// Similar to `shutdown` in POSIX; `SHUT_RD`/`SHUT_WR`/`SHUT_RDWR` are the WASIX `sdflags`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shutdown(fd: c_int, how: c_int) -> c_int {
    match u8::try_from(how) {
        Ok(h @ 1..=3) => errno::unit(sys::sock_shutdown(fd, h)),
        _ => errno::int(Err(Errno::INVAL)),
    }
}
