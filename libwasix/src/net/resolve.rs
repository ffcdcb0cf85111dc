//! `getaddrinfo`, `freeaddrinfo`, `gai_strerror` over the WASIX `resolve` import.
//!
//! Each result node is one `malloc` block: the `addrinfo`, then its socket address (16-byte
//! aligned, like malloc's result), then for the first node the `ai_canonname` copy. So
//! `freeaddrinfo` may be given any node of a list and frees from there on.

use core::ffi::{CStr, c_char, c_int};
use core::mem::size_of;
use core::net::IpAddr;
use core::ptr;

use libc::{addrinfo, sockaddr, socklen_t};

use super::addr::{self, SockAddr, UNIX_PATH_LEN};
use super::gai::{self, Hints, MAX_ADDRS};
use crate::abi::{Errno, c};
use crate::{errno, sys};

crate::same_signature_as_libc!(getaddrinfo, freeaddrinfo, gai_strerror);

/// Offset of the socket address inside a node block.
const ADDR_AT: usize = size_of::<addrinfo>().next_multiple_of(16);
/// Room for the largest address this returns (`sockaddr_in6`).
const ADDR_ROOM: usize = addr::SOCKADDR_IN6_LEN;

/// Similar to `getaddrinfo` in POSIX. Numeric hosts are parsed here; names go to the host's
/// `resolve`; services must be numeric.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getaddrinfo(
    node: *const c_char,
    service: *const c_char,
    hints: *const addrinfo,
    res: *mut *mut addrinfo,
) -> c_int {
    if res.is_null() {
        errno::set(Errno::FAULT);
        return c::EAI_SYSTEM;
    }
    // SAFETY: non-null strings are NUL-terminated (POSIX contract).
    let node = (!node.is_null()).then(|| unsafe { CStr::from_ptr(node) }.to_bytes());
    // SAFETY: as above.
    let service = (!service.is_null()).then(|| unsafe { CStr::from_ptr(service) }.to_bytes());
    // SAFETY: a non-null `hints` points to an `addrinfo` (POSIX contract).
    let hints = match unsafe { hints.as_ref() } {
        None => Hints::DEFAULT,
        Some(h) => Hints {
            flags: h.ai_flags,
            family: h.ai_family,
            socktype: h.ai_socktype,
            protocol: h.ai_protocol,
        },
    };
    match lookup(node, service, hints) {
        Ok(list) => {
            // SAFETY: `res` is non-null and writable (POSIX contract).
            unsafe { *res = list };
            0
        }
        Err(code) => code,
    }
}

fn lookup(
    node: Option<&[u8]>,
    service: Option<&[u8]>,
    hints: Hints,
) -> Result<*mut addrinfo, c_int> {
    let hints = hints.check()?;
    if node.is_none() && service.is_none() {
        return Err(c::EAI_NONAME);
    }
    let port = gai::parse_service(service)?;
    let mut found = [None::<IpAddr>; MAX_ADDRS];
    let count = match node {
        None => {
            let d = gai::default_hosts(hints.flags);
            found[..2].copy_from_slice(&[Some(d[0]), Some(d[1])]);
            2
        }
        Some(name) => match gai::parse_numeric_host(name) {
            Some(ip) => {
                found[0] = Some(ip);
                1
            }
            None if hints.flags & c::AI_NUMERICHOST != 0 => return Err(c::EAI_NONAME),
            None => {
                let (recs, n) = sys::resolve::<MAX_ADDRS>(name, port).map_err(|e| {
                    let (code, sys_errno) = gai::eai_of_errno(e);
                    if let Some(e) = sys_errno {
                        errno::set(e);
                    }
                    code
                })?;
                for (slot, rec) in found.iter_mut().zip(&recs[..n]) {
                    *slot = gai::parse_addr_ip(rec);
                }
                n
            }
        },
    };
    let canon = (hints.flags & c::AI_CANONNAME != 0)
        .then_some(node)
        .flatten();
    let mut head: *mut addrinfo = ptr::null_mut();
    let mut tail: *mut *mut addrinfo = &mut head;
    for ip in found[..count]
        .iter()
        .flatten()
        .filter_map(|&ip| gai::for_family(ip, hints))
    {
        for (socktype, protocol) in hints.socktypes() {
            let sa = match ip {
                IpAddr::V4(v4) => SockAddr::V4 {
                    port,
                    ip: v4.octets(),
                },
                IpAddr::V6(v6) => SockAddr::V6 {
                    port,
                    ip: v6.octets(),
                    flowinfo: 0,
                    scope_id: 0,
                },
            };
            let name = if head.is_null() { canon } else { None };
            let Some(n) = new_node(&sa, socktype, protocol, name) else {
                // SAFETY: `head` is null or a list built by `new_node`.
                unsafe { freeaddrinfo(head) };
                return Err(c::EAI_MEMORY);
            };
            // SAFETY: `tail` points at `head` or at the previous node's `ai_next`.
            unsafe {
                *tail = n;
                tail = &mut (*n).ai_next;
            }
        }
    }
    if head.is_null() {
        Err(c::EAI_NONAME)
    } else {
        Ok(head)
    }
}

/// Allocates one result node (see the module doc for the block layout).
fn new_node(
    sa: &SockAddr,
    socktype: c_int,
    protocol: c_int,
    canon: Option<&[u8]>,
) -> Option<*mut addrinfo> {
    let canon_len = canon.map_or(0, |n| n.len() + 1);
    // SAFETY: plain allocation; checked for null below.
    let block = unsafe { libc::malloc(ADDR_AT + ADDR_ROOM + canon_len) }.cast::<u8>();
    if block.is_null() {
        return None;
    }
    let mut buf = [0u8; 2 + UNIX_PATH_LEN];
    let len = addr::to_c(sa, &mut buf).min(ADDR_ROOM);
    // SAFETY: `block` has room for the addrinfo, `ADDR_ROOM` address bytes at `ADDR_AT` and
    // the canonical name after them; malloc's alignment suits `addrinfo` and `sockaddr`.
    unsafe {
        ptr::copy_nonoverlapping(buf.as_ptr(), block.add(ADDR_AT), len);
        let canonname = match canon {
            Some(name) => {
                let at = block.add(ADDR_AT + ADDR_ROOM);
                ptr::copy_nonoverlapping(name.as_ptr(), at, name.len());
                *at.add(name.len()) = 0;
                at.cast::<c_char>()
            }
            None => ptr::null_mut(),
        };
        let node = block.cast::<addrinfo>();
        node.write(addrinfo {
            ai_flags: 0,
            ai_family: if matches!(sa, SockAddr::V4 { .. }) {
                c::AF_INET
            } else {
                c::AF_INET6
            },
            ai_socktype: socktype,
            ai_protocol: protocol,
            ai_addrlen: len as socklen_t,
            ai_addr: block.add(ADDR_AT).cast::<sockaddr>(),
            ai_canonname: canonname,
            ai_next: ptr::null_mut(),
        });
        Some(node)
    }
}

/// Similar to `freeaddrinfo` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeaddrinfo(mut res: *mut addrinfo) {
    while !res.is_null() {
        // SAFETY: every node is one malloc block made by `new_node`.
        unsafe {
            let next = (*res).ai_next;
            libc::free(res.cast());
            res = next;
        }
    }
}

/// Similar to `gai_strerror` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gai_strerror(code: c_int) -> *const c_char {
    gai::strerror(code).as_ptr().cast()
}
