//! `getsockopt` and `setsockopt` over `sock_{get,set}_opt_{flag,size,time}`, the multicast
//! calls and `fd_fdstat_get` (for `SO_TYPE`); which call carries which option: `net::opt`.
//!
//! `getsockopt` replaces wasi-libc's `getsockopt.c.obj` (which only knows `SO_TYPE`).

use core::ffi::{c_int, c_void};

use libc::socklen_t;

use super::cmem::bytes;
use super::opt::{self, OptKind};
use crate::abi::{Errno, sockopt};
use crate::{errno, sys};

crate::same_signature_as_libc!(getsockopt, setsockopt);

/// Similar to `getsockopt` in POSIX; values longer than `*len` are truncated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn getsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    value: *mut c_void,
    len: *mut socklen_t,
) -> c_int {
    if value.is_null() || len.is_null() {
        return errno::int(Err(Errno::FAULT));
    }
    let got = (|| -> Result<([u8; 16], usize), Errno> {
        let kind = opt::classify(level, name)?;
        opt::check_direction(kind, false)?;
        let mut out = [0u8; 16];
        let int = |out: &mut [u8; 16], v: i32| {
            out[..4].copy_from_slice(&v.to_le_bytes());
            4
        };
        let n = match kind {
            OptKind::Flag(o) => int(&mut out, sys::sock_get_opt_flag(fd, o)?.into()),
            OptKind::Size(o) => {
                let v = sys::sock_get_opt_size(fd, o)?;
                int(&mut out, i32::try_from(v).unwrap_or(i32::MAX))
            }
            OptKind::Time(o) => {
                out = opt::ns_to_timeval(opt::parse_option_timestamp(&sys::sock_get_opt_time(
                    fd, o,
                )?));
                16
            }
            OptKind::Linger => {
                let ns = opt::parse_option_timestamp(&sys::sock_get_opt_time(fd, sockopt::LINGER)?);
                out[..8].copy_from_slice(&opt::ns_to_linger(ns));
                8
            }
            OptKind::Type => int(
                &mut out,
                opt::socket_type_of_filetype(sys::fd_fdstat_get(fd)?.0)?,
            ),
            OptKind::MembershipV4 { .. } | OptKind::MembershipV6 { .. } => {
                return Err(Errno::NOPROTOOPT);
            }
        };
        Ok((out, n))
    })();
    errno::unit(got.map(|(out, n)| {
        // SAFETY: `len` and `value` are non-null; the caller owns `*len` writable bytes.
        unsafe {
            let n = (*len as usize).min(n);
            core::ptr::copy_nonoverlapping(out.as_ptr(), value.cast::<u8>(), n);
            *len = n as socklen_t;
        }
    }))
}

/// Similar to `setsockopt` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn setsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    value: *const c_void,
    len: socklen_t,
) -> c_int {
    let set = (|| {
        let kind = opt::classify(level, name)?;
        opt::check_direction(kind, true)?;
        // SAFETY: the caller passes `len` readable bytes at `value`.
        let v = unsafe { bytes(value, len as usize)? };
        match kind {
            OptKind::Flag(o) => sys::sock_set_opt_flag(fd, o, opt::int_value(v)? != 0),
            OptKind::Size(o) => {
                let n = u64::try_from(opt::int_value(v)?).map_err(|_| Errno::INVAL)?;
                sys::sock_set_opt_size(fd, o, n)
            }
            OptKind::Time(o) => {
                sys::sock_set_opt_time(fd, o, &opt::option_timestamp(opt::timeval_to_ns(v)?))
            }
            OptKind::Linger => sys::sock_set_opt_time(
                fd,
                sockopt::LINGER,
                &opt::option_timestamp(opt::linger_to_ns(v)?),
            ),
            OptKind::MembershipV4 { join } => {
                let (group, iface) = opt::mreq_v4(v)?;
                sys::sock_multicast_v4(fd, join, &group, &iface)
            }
            OptKind::MembershipV6 { join } => {
                let (group, iface) = opt::mreq_v6(v)?;
                sys::sock_multicast_v6(fd, join, &group, iface)
            }
            OptKind::Type => Err(Errno::NOPROTOOPT),
        }
    })();
    errno::unit(set)
}
