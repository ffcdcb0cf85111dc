//! `send`, `recv`, `sendto`, `recvfrom`: preview-1 `sock_send`/`sock_recv` without an address,
//! WASIX `sock_send_to`/`sock_recv_from` with one; C `MSG_*` flags mapped in `net::opt`.
//!
//! `send` and `recv` replace wasi-libc's `send.c.obj`/`recv.c.obj`, which reject every flag
//! but `MSG_PEEK|MSG_WAITALL` (and `send` any flag at all).

use core::ffi::{c_int, c_void};

use libc::{sockaddr, socklen_t};

use super::addr::{self, SockAddr};
use super::cmem::{bytes, read_sockaddr, write_sockaddr};
use super::host_order;
use super::opt::{recv_flags, send_flags};
use crate::abi::Errno;
use crate::{errno, sys};

crate::same_signature_as_libc!(send, recv, sendto, recvfrom);

/// Similar to `send` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize {
    // SAFETY: the caller passes `len` readable bytes at `buf`.
    let data = unsafe { bytes(buf, len) };
    errno::size(data.and_then(|d| sys::sock_send(fd, d, send_flags(flags)?)))
}

/// Similar to `recv` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize {
    if buf.is_null() && len != 0 {
        return errno::size(Err(Errno::FAULT));
    }
    // SAFETY: the caller passes `len` writable bytes at `buf`.
    errno::size(recv_flags(flags).and_then(|f| unsafe { sys::sock_recv(fd, buf.cast(), len, f) }))
}

/// Similar to `sendto` in POSIX; without an address it is `send`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sendto(
    fd: c_int,
    buf: *const c_void,
    len: usize,
    flags: c_int,
    address: *const sockaddr,
    address_len: socklen_t,
) -> isize {
    if address.is_null() {
        // SAFETY: forwarded caller contract.
        return unsafe { send(fd, buf, len, flags) };
    }
    let sent = (|| {
        // SAFETY: the caller passes `len` bytes at `buf` and `address_len` at `address`.
        let (data, to) = unsafe { (bytes(buf, len)?, read_sockaddr(address, address_len)?) };
        sys::sock_send_to(fd, data, send_flags(flags)?, &addr::to_addr_port(&to))
    })();
    errno::size(sent)
}

/// Similar to `recvfrom` in POSIX; without an address buffer it is `recv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn recvfrom(
    fd: c_int,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
    address: *mut sockaddr,
    address_len: *mut socklen_t,
) -> isize {
    if address.is_null() {
        // SAFETY: forwarded caller contract.
        return unsafe { recv(fd, buf, len, flags) };
    }
    if buf.is_null() && len != 0 {
        return errno::size(Err(Errno::FAULT));
    }
    let received = recv_flags(flags).and_then(|f| {
        // SAFETY: the caller passes `len` writable bytes at `buf`.
        let (n, from) = unsafe { sys::sock_recv_from(fd, buf.cast(), len, f)? };
        let from = host_order::decode(&from).unwrap_or(SockAddr::Unspec);
        // SAFETY: the caller passes a writable `(address, address_len)` pair.
        unsafe { write_sockaddr(&from, address, address_len)? };
        Ok(n)
    });
    errno::size(received)
}
