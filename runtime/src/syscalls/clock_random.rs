//! `clock_res_get`, `clock_time_get`, `clock_time_set` (always EPERM: the guest may not set
//! the host clock) and `random_get` (the host's CSPRNG).

use std::time::{SystemTime, UNIX_EPOCH};

use rustix::time::{ClockId, Timespec};
use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::abi::types::Clockid;
use crate::mem::{GuestMemory, MemSize};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "clock_res_get",
        |mut c: Caller<'_, ThreadCtx>, id: i32, out: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(resolution(id).and_then(|r| mem.write_u64(ptr::<M>(out), r)))
        },
    )?;
    linker.func_wrap(
        module,
        "clock_time_get",
        |mut c: Caller<'_, ThreadCtx>, id: i32, _precision: i64, out: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(now(id).and_then(|t| mem.write_u64(ptr::<M>(out), t)))
        },
    )?;
    linker.func_wrap(
        module,
        "clock_time_set",
        |_: Caller<'_, ThreadCtx>, id: i32, _ts: i64| {
            errno(
                Clockid::from_raw(id)
                    .ok_or(Errno::Inval)
                    .and(Err::<(), _>(Errno::Perm)),
            )
        },
    )?;
    linker.func_wrap(
        module,
        "random_get",
        |mut c: Caller<'_, ThreadCtx>, buf: M::Offset, len: M::Offset| {
            let (mem, _) = split(&mut c);
            errno(random_get(&mem, ptr::<M>(buf), ptr::<M>(len)))
        },
    )?;
    Ok(())
}

fn host_clock(id: i32) -> Result<Option<ClockId>, Errno> {
    Ok(match Clockid::from_raw(id).ok_or(Errno::Inval)? {
        Clockid::Realtime => None,
        Clockid::Monotonic => Some(ClockId::Monotonic),
        Clockid::ProcessCputime => Some(ClockId::ProcessCPUTime),
        Clockid::ThreadCputime => Some(ClockId::ThreadCPUTime),
    })
}

fn ns(t: Timespec) -> u64 {
    (t.tv_sec.max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(t.tv_nsec.max(0) as u64)
}

/// Nanoseconds on clock `id`. Realtime is since the Unix epoch.
pub fn now(id: i32) -> Result<u64, Errno> {
    match host_clock(id)? {
        None => {
            let d = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| Errno::Overflow)?;
            u64::try_from(d.as_nanos()).map_err(|_| Errno::Overflow)
        }
        Some(c) => Ok(ns(rustix::time::clock_gettime(c))),
    }
}

fn resolution(id: i32) -> Result<u64, Errno> {
    host_clock(id)?;
    // Every Linux clock we expose ticks in nanoseconds (hrtimers).
    Ok(1)
}

fn random_get(mem: &GuestMemory<'_>, buf: u64, len: u64) -> Result<(), Errno> {
    // Check the guest range before allocating: `len` is the guest's, and a 64-bit guest can
    // ask for 2^60 bytes (an allocation abort) or a 32-bit one for 4 GiB of host memory and
    // seconds of getrandom (issue 14's syscall fuzzer found both).
    if buf.checked_add(len).is_none_or(|end| end > mem.len()) {
        return Err(Errno::Fault);
    }
    let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| Errno::Fault)?];
    let mut filled = 0;
    while filled < bytes.len() {
        filled +=
            rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty())
                .map_err(Errno::from)?;
    }
    mem.write_bytes(buf, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        let a = now(1).unwrap();
        let b = now(1).unwrap();
        assert!(b >= a);
        let real = now(0).unwrap();
        assert!(
            real > 1_700_000_000 * 1_000_000_000,
            "realtime is since the epoch"
        );
        assert!(now(2).is_ok() && now(3).is_ok());
        assert_eq!(now(4), Err(Errno::Inval));
        assert_eq!(resolution(1), Ok(1));
    }

    #[test]
    fn random_fills_and_checks_bounds() {
        let mut buf = vec![0u8; 64];
        let mem = GuestMemory::from_slice(&mut buf);
        random_get(&mem, 0, 64).unwrap();
        assert_ne!(mem.read_bytes(0, 64).unwrap(), vec![0u8; 64]);
        assert_eq!(random_get(&mem, 60, 8), Err(Errno::Fault));
    }

    /// Regression (issue 14, syscall fuzzer): a huge length is EFAULT at once, before any
    /// host buffer of that size is allocated.
    #[test]
    fn random_huge_length_is_fault_without_allocating() {
        let mut buf = vec![0u8; 64];
        let mem = GuestMemory::from_slice(&mut buf);
        let t = std::time::Instant::now();
        for (at, len) in [
            (0, 1 << 60),
            (0, u64::MAX),
            (8, u32::MAX as u64),
            (u64::MAX, 2),
        ] {
            assert_eq!(random_get(&mem, at, len), Err(Errno::Fault), "{at} {len}");
        }
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
    }
}
