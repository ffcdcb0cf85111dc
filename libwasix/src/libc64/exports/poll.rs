//! `poll`, `nanosleep`, `clock_nanosleep` over `poll_oneoff` (`libc64::poll` encodes).

use core::ffi::c_int;

use crate::abi::Errno;
use crate::cbuf::CBuf;
use crate::libc64::poll::{self, EVENT_SIZE, POLLIN, POLLOUT, SUBSCRIPTION_SIZE, TIMEOUT_USERDATA};
use crate::{errno, sys};

/// The monotonic clock (WASI clock 1).
const MONOTONIC: u32 = 1;

/// # Safety
/// `fds` holds `nfds` pollfds.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn poll(fds: *mut libc::pollfd, nfds: libc::nfds_t, timeout: c_int) -> c_int {
    // SAFETY: the caller's contract.
    let fds = if nfds == 0 {
        &mut [][..]
    } else {
        unsafe { core::slice::from_raw_parts_mut(fds, nfds as usize) }
    };
    errno::int(poll_fds(fds, timeout))
}

fn poll_fds(fds: &mut [libc::pollfd], timeout: c_int) -> Result<c_int, Errno> {
    let max = fds
        .len()
        .checked_mul(2)
        .and_then(|n| n.checked_add(1))
        .ok_or(Errno::INVAL)?;
    let mut subs = CBuf::new(max * SUBSCRIPTION_SIZE)?;
    let mut n = 0;
    let mut add = |sub: [u8; SUBSCRIPTION_SIZE], subs: &mut CBuf| {
        subs.bytes()[n * SUBSCRIPTION_SIZE..(n + 1) * SUBSCRIPTION_SIZE].copy_from_slice(&sub);
        n += 1;
    };
    for (i, p) in fds.iter_mut().enumerate() {
        p.revents = 0;
        let Ok(fd) = u32::try_from(p.fd) else {
            continue;
        };
        if p.events & POLLIN != 0 {
            add(poll::fd_subscription(i as u64 * 2, fd, false), &mut subs);
        }
        if p.events & POLLOUT != 0 {
            add(poll::fd_subscription(i as u64 * 2 + 1, fd, true), &mut subs);
        }
    }
    match poll::timeout_ns(timeout) {
        Some(ns) => add(
            poll::clock_subscription(TIMEOUT_USERDATA, MONOTONIC, ns, false),
            &mut subs,
        ),
        // Nothing to wait for, forever: POSIX would hang; say what is wrong instead.
        None if n == 0 => return Err(Errno::INVAL),
        None => {}
    }
    let mut events = CBuf::new(n * EVENT_SIZE)?;
    let got = sys::poll_oneoff(subs.bytes(), events.bytes(), n)?;
    for e in events.bytes()[..got * EVENT_SIZE].chunks_exact(EVENT_SIZE) {
        let (userdata, bits) = poll::decode_event(e.try_into().map_err(|_| Errno::IO)?);
        if let Some(p) = usize::try_from(userdata / 2)
            .ok()
            .and_then(|i| fds.get_mut(i))
        {
            p.revents |= bits;
        }
    }
    Ok(fds.iter().filter(|p| p.revents != 0).count() as c_int)
}

/// Sleeps on `clock` until `ns` (relative unless `absolute`).
fn sleep(clock: u32, ns: u64, absolute: bool) -> Result<(), Errno> {
    let sub = poll::clock_subscription(TIMEOUT_USERDATA, clock, ns, absolute);
    let mut event = [0u8; EVENT_SIZE];
    sys::poll_oneoff(&sub, &mut event, 1).map(drop)
}

/// # Safety
/// `req` is readable; `rem` is null or writable (never written: sleeps are not cut short).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_nanosleep(
    clock: libc::clockid_t,
    flags: c_int,
    req: *const libc::timespec,
    _rem: *mut libc::timespec,
) -> c_int {
    let id = super::start::wasi_clock(clock);
    // SAFETY: the caller's contract.
    let req = unsafe { &*req };
    let r = poll::timespec_ns(req.tv_sec, req.tv_nsec)
        .and_then(|ns| sleep(id, ns, flags & libc::TIMER_ABSTIME != 0));
    // clock_nanosleep returns the error number itself.
    match r {
        Ok(()) => 0,
        Err(e) => e.raw(),
    }
}

/// # Safety
/// As `clock_nanosleep`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nanosleep(req: *const libc::timespec, _rem: *mut libc::timespec) -> c_int {
    // SAFETY: the caller's contract.
    let req = unsafe { &*req };
    errno::unit(
        poll::timespec_ns(req.tv_sec, req.tv_nsec).and_then(|ns| sleep(MONOTONIC, ns, false)),
    )
}

const _: () = {
    assert!(POLLIN == libc::POLLIN && POLLOUT == libc::POLLOUT);
    assert!(poll::POLLERR == libc::POLLERR && poll::POLLHUP == libc::POLLHUP);
    assert!(poll::POLLNVAL == libc::POLLNVAL);
};

crate::same_signature_as_libc!(poll, clock_nanosleep, nanosleep);
