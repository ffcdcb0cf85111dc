//! Decoding the arguments of `mmap`, `msync`, `mprotect` and `madvise` (pure, host-tested):
//! which requests the linear-memory emulation can honour and the errno for the rest.

use crate::abi::{Errno, c};

/// The hints `mmap` accepts and ignores: linear memory is never lazily populated, reserved,
/// swapped or executable, so these change nothing about the result.
const HINTS: i32 = c::MAP_NORESERVE
    | c::MAP_POPULATE
    | c::MAP_NONBLOCK
    | c::MAP_STACK
    | c::MAP_GROWSDOWN
    | c::MAP_DENYWRITE
    | c::MAP_EXECUTABLE
    | c::MAP_LOCKED;

/// Every `PROT_*` bit (POSIX says the rest are EINVAL).
const PROT_ALL: i32 = c::PROT_READ | c::PROT_WRITE | c::PROT_EXEC;

/// A refused call: the errno, and for the calls the emulation cannot honour (ENOTSUP) the
/// reason printed with the call's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub errno: Errno,
    pub why: Option<&'static str>,
}

impl Refusal {
    pub const fn plain(errno: Errno) -> Refusal {
        Refusal { errno, why: None }
    }

    pub const fn unsupported(why: &'static str) -> Refusal {
        Refusal {
            errno: Errno::NOTSUP,
            why: Some(why),
        }
    }
}

impl From<Errno> for Refusal {
    fn from(errno: Errno) -> Refusal {
        Refusal::plain(errno)
    }
}

/// A mapping the emulation will create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRequest {
    /// Bytes the caller asked for.
    pub len: usize,
    /// `len` rounded up to whole pages: the size of the block handed out.
    pub size: usize,
    pub prot: i32,
    /// `MAP_SHARED`: changes go back to the file (on `msync`/`munmap`).
    pub shared: bool,
    /// `MAP_ANONYMOUS`: zeroed memory, `fd` and `offset` ignored.
    pub anonymous: bool,
    /// `MAP_FIXED`: the block must be placed at the caller's address.
    pub fixed: bool,
    pub offset: u64,
}

/// Decodes `mmap(addr, len, prot, flags, fd, offset)` for a system with `page`-byte pages.
/// Unknown flag bits are ignored, as Linux does for `MAP_SHARED`/`MAP_PRIVATE`; with
/// `MAP_SHARED_VALIDATE` they are refused.
pub fn decode_mmap(
    addr: usize,
    len: usize,
    prot: i32,
    flags: i32,
    offset: i64,
    page: usize,
) -> Result<MapRequest, Refusal> {
    let inval = Refusal::plain(Errno::INVAL);
    if len == 0 || prot & !PROT_ALL != 0 {
        return Err(inval);
    }
    let shared = match flags & c::MAP_TYPE {
        c::MAP_SHARED => true,
        c::MAP_PRIVATE => false,
        c::MAP_SHARED_VALIDATE => {
            let known = c::MAP_TYPE | c::MAP_FIXED | c::MAP_ANONYMOUS | HINTS;
            if flags & c::MAP_SYNC != 0 {
                return Err(Refusal::unsupported("MAP_SYNC needs a DAX file system"));
            }
            if flags & !known != 0 {
                return Err(Refusal::plain(Errno::NOTSUP));
            }
            true
        }
        _ => return Err(inval),
    };
    if flags & c::MAP_FIXED_NOREPLACE != 0 {
        return Err(Refusal::unsupported(
            "MAP_FIXED_NOREPLACE: mappings live in blocks of the C heap, not at chosen addresses",
        ));
    }
    let fixed = flags & c::MAP_FIXED != 0;
    if fixed && !addr.is_multiple_of(page) {
        return Err(inval);
    }
    let anonymous = flags & c::MAP_ANONYMOUS != 0;
    let offset = if anonymous { 0 } else { offset };
    let offset = u64::try_from(offset).map_err(|_| inval)?;
    if !offset.is_multiple_of(page as u64) {
        return Err(inval);
    }
    let size = round_up(len, page).ok_or(Refusal::plain(Errno::NOMEM))?;
    // The file range must be addressable by `off_t`.
    if offset
        .checked_add(size as u64)
        .is_none_or(|end| end > i64::MAX as u64)
    {
        return Err(Refusal::plain(Errno::OVERFLOW));
    }
    Ok(MapRequest {
        len,
        size,
        prot,
        shared,
        anonymous,
        fixed,
        offset,
    })
}

/// How `msync` should write: both `MS_ASYNC` and `MS_SYNC` write before returning (the
/// emulation has no background writer), `MS_INVALIDATE` asks nothing more of a copy.
pub fn decode_msync(addr: usize, flags: i32, page: usize) -> Result<(), Errno> {
    let known = c::MS_ASYNC | c::MS_SYNC | c::MS_INVALIDATE;
    let both = c::MS_ASYNC | c::MS_SYNC;
    if !addr.is_multiple_of(page) || flags & !known != 0 || flags & both == both {
        return Err(Errno::INVAL);
    }
    Ok(())
}

/// `mprotect`'s arguments: a page-aligned address and known `PROT_*` bits.
pub fn decode_mprotect(addr: usize, prot: i32, page: usize) -> Result<(), Errno> {
    if !addr.is_multiple_of(page) || prot & !PROT_ALL != 0 {
        return Err(Errno::INVAL);
    }
    Ok(())
}

/// `madvise`/`posix_madvise` advice the emulation accepts. All of it is advice only: the
/// contents of a mapping never change because of it (unlike Linux's `MADV_DONTNEED` on private
/// mappings, which refills them).
pub fn decode_advice(addr: usize, advice: i32, page: usize) -> Result<(), Errno> {
    let known = [
        c::MADV_NORMAL,
        c::MADV_RANDOM,
        c::MADV_SEQUENTIAL,
        c::MADV_WILLNEED,
        c::MADV_DONTNEED,
        c::MADV_FREE,
    ];
    if !addr.is_multiple_of(page) || !known.contains(&advice) {
        return Err(Errno::INVAL);
    }
    Ok(())
}

/// `n` rounded up to a multiple of `page` (a power of two), or `None` on overflow.
pub fn round_up(n: usize, page: usize) -> Option<usize> {
    Some(n.checked_add(page - 1)? & !(page - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 65536;

    fn req(len: usize, size: usize, prot: i32, shared: bool, anonymous: bool) -> MapRequest {
        MapRequest {
            len,
            size,
            prot,
            shared,
            anonymous,
            fixed: false,
            offset: 0,
        }
    }

    type Args = (usize, usize, i32, i32, i64);

    #[test]
    fn mmap_arguments() {
        let rw = c::PROT_READ | c::PROT_WRITE;
        let private_anon = c::MAP_PRIVATE | c::MAP_ANONYMOUS;
        let cases: Vec<(&str, Args, Result<MapRequest, Refusal>)> = vec![
            (
                "anonymous",
                (0, 10, rw, private_anon, 0),
                Ok(req(10, PAGE, rw, false, true)),
            ),
            (
                "anonymous ignores the offset",
                (0, PAGE + 1, rw, private_anon, 3),
                Ok(req(PAGE + 1, 2 * PAGE, rw, false, true)),
            ),
            (
                "shared file",
                (0, PAGE, c::PROT_READ, c::MAP_SHARED, 0),
                Ok(req(PAGE, PAGE, 1, true, false)),
            ),
            (
                "hints are ignored",
                (
                    0,
                    1,
                    0,
                    c::MAP_PRIVATE | c::MAP_POPULATE | c::MAP_NORESERVE | c::MAP_STACK,
                    0,
                ),
                Ok(req(1, PAGE, 0, false, false)),
            ),
            (
                "zero length",
                (0, 0, rw, private_anon, 0),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "unknown prot",
                (0, 1, 8, private_anon, 0),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "no type",
                (0, 1, rw, c::MAP_ANONYMOUS, 0),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "unaligned offset",
                (0, 1, rw, c::MAP_PRIVATE, 4096),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "negative offset",
                (0, 1, rw, c::MAP_PRIVATE, -(PAGE as i64)),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "offset past off_t",
                (0, PAGE, rw, c::MAP_PRIVATE, i64::MAX - PAGE as i64 + 1),
                Err(Refusal::plain(Errno::OVERFLOW)),
            ),
            (
                "length overflows",
                (0, usize::MAX, rw, private_anon, 0),
                Err(Refusal::plain(Errno::NOMEM)),
            ),
            (
                "unaligned MAP_FIXED",
                (7, 1, rw, private_anon | c::MAP_FIXED, 0),
                Err(Refusal::plain(Errno::INVAL)),
            ),
            (
                "MAP_FIXED_NOREPLACE",
                (PAGE, 1, rw, private_anon | c::MAP_FIXED_NOREPLACE, 0),
                Err(Refusal::unsupported(
                    "MAP_FIXED_NOREPLACE: mappings live in blocks of the C heap, not at chosen addresses",
                )),
            ),
            (
                "validate: unknown bit",
                (0, 1, rw, c::MAP_SHARED_VALIDATE | 0x0800_0000, 0),
                Err(Refusal::plain(Errno::NOTSUP)),
            ),
            (
                "validate: MAP_SYNC",
                (0, 1, rw, c::MAP_SHARED_VALIDATE | c::MAP_SYNC, 0),
                Err(Refusal::unsupported("MAP_SYNC needs a DAX file system")),
            ),
            (
                "shared, unknown bit ignored",
                (0, 1, rw, c::MAP_SHARED | 0x0800_0000, 0),
                Ok(req(1, PAGE, rw, true, false)),
            ),
        ];
        for (name, (addr, len, prot, flags, offset), want) in cases {
            assert_eq!(
                decode_mmap(addr, len, prot, flags, offset, PAGE),
                want,
                "{name}"
            );
        }
        let fixed = decode_mmap(PAGE, 1, rw, private_anon | c::MAP_FIXED, 0, PAGE);
        assert_eq!(fixed.map(|r| r.fixed), Ok(true));
        let file = decode_mmap(0, 1, rw, c::MAP_PRIVATE, 2 * PAGE as i64, PAGE);
        assert_eq!(file.map(|r| r.offset), Ok(2 * PAGE as u64));
    }

    #[test]
    fn msync_mprotect_madvise_arguments() {
        let msync = [
            (0, c::MS_SYNC, Ok(())),
            (PAGE, c::MS_ASYNC | c::MS_INVALIDATE, Ok(())),
            (0, 0, Ok(())),
            (1, c::MS_SYNC, Err(Errno::INVAL)),
            (0, c::MS_SYNC | c::MS_ASYNC, Err(Errno::INVAL)),
            (0, 8, Err(Errno::INVAL)),
        ];
        for (addr, flags, want) in msync {
            assert_eq!(
                decode_msync(addr, flags, PAGE),
                want,
                "msync {addr:#x} {flags:#x}"
            );
        }
        let mprotect = [
            (0, c::PROT_NONE, Ok(())),
            (PAGE, c::PROT_READ | c::PROT_WRITE | c::PROT_EXEC, Ok(())),
            (PAGE / 2, c::PROT_READ, Err(Errno::INVAL)),
            (0, 0x10, Err(Errno::INVAL)),
        ];
        for (addr, prot, want) in mprotect {
            assert_eq!(
                decode_mprotect(addr, prot, PAGE),
                want,
                "mprotect {addr:#x} {prot:#x}"
            );
        }
        let advice = [
            (0, c::MADV_NORMAL, Ok(())),
            (0, c::MADV_DONTNEED, Ok(())),
            (0, c::MADV_FREE, Ok(())),
            (0, 99, Err(Errno::INVAL)),
            (3, c::MADV_WILLNEED, Err(Errno::INVAL)),
        ];
        for (addr, a, want) in advice {
            assert_eq!(decode_advice(addr, a, PAGE), want, "madvise {addr:#x} {a}");
        }
    }

    #[test]
    fn rounding() {
        let cases = [
            (0, Some(0)),
            (1, Some(PAGE)),
            (PAGE, Some(PAGE)),
            (PAGE + 1, Some(2 * PAGE)),
            (usize::MAX, None),
        ];
        for (n, want) in cases {
            assert_eq!(round_up(n, PAGE), want, "{n}");
        }
    }
}
