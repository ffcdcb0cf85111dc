//! The bounce buffer between guest iovecs and host sockets: guest memory is copied, never
//! lent to the kernel, through one reused per-thread buffer, with the per-call size limits
//! for streams and datagrams.

use std::cell::RefCell;

use crate::abi::Errno;
use crate::mem::{GuestMemory, MAX_IO, iov_total};
use crate::net::socket::{Socket, riflags};

thread_local! {
    /// Per-thread bounce buffer between guest iovecs and host sockets: reused, because a
    /// fresh 64 KiB allocation per call costs page faults on every transfer.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Most bytes moved by one host call on a stream (receives may be short; sends loop), and
/// the largest bounce buffer a thread keeps between calls.
pub const WINDOW: usize = 1 << 20;

/// Runs `f` on a scratch slice of `len` bytes (zero-filled only when the buffer grows).
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        let r = f(&mut buf[..len]);
        if buf.len() > WINDOW {
            buf.truncate(WINDOW);
            buf.shrink_to(WINDOW);
        }
        r
    })
}

/// Largest datagram received whole (above any IP datagram; unix datagrams are capped by the
/// host's socket buffer well below this).
const MAX_DATAGRAM: usize = 256 << 10;

/// How many bytes one receive asks the host for: a stream reads at most [`WINDOW`] (a short
/// read) unless the guest asked for `WAITALL`; a datagram must arrive whole.
pub fn recv_cap(sock: &Socket, flags: u16) -> usize {
    match (sock.is_stream(), flags & riflags::WAITALL != 0) {
        (false, _) => MAX_DATAGRAM,
        (true, false) => WINDOW,
        (true, true) => MAX_IO,
    }
}

/// Receives with `f` into scratch space (at most `cap` bytes) and scatters the bytes into
/// the guest iovecs.
pub fn recv_into_guest<T>(
    mem: &GuestMemory<'_>,
    iovs: &[(u64, u64)],
    cap: usize,
    f: impl FnOnce(&mut [u8]) -> Result<(usize, T), Errno>,
) -> Result<(usize, T), Errno> {
    with_scratch(iov_total(iovs).min(cap), |buf| {
        let (n, extra) = f(buf)?;
        let n = n.min(buf.len());
        mem.scatter(iovs, &buf[..n])?;
        Ok((n, extra))
    })
}

/// Copies bytes `skip..skip + buf.len()` of the concatenated guest iovecs into `buf`.
fn gather_range(
    mem: &GuestMemory<'_>,
    iovs: &[(u64, u64)],
    mut skip: usize,
    buf: &mut [u8],
) -> Result<(), Errno> {
    let mut at = 0;
    for &(addr, len) in iovs {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if skip >= len {
            skip -= len;
            continue;
        }
        let take = (len - skip).min(buf.len() - at);
        let from = addr.checked_add(skip as u64).ok_or(Errno::Fault)?;
        mem.read_into(from, &mut buf[at..at + take])?;
        (skip, at) = (0, at + take);
        if at == buf.len() {
            break;
        }
    }
    Ok(())
}

/// Sends the guest iovecs (at most [`MAX_IO`] bytes) through scratch space with `f`. A
/// stream goes out in [`WINDOW`]-sized pieces until one is short or fails (an error after
/// some progress reports the progress); a datagram goes out in one piece.
pub fn send_from_guest(
    mem: &GuestMemory<'_>,
    iovs: &[(u64, u64)],
    stream: bool,
    mut f: impl FnMut(&[u8]) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    let total = iov_total(iovs).min(MAX_IO);
    let window = if stream { WINDOW } else { total };
    let mut sent = 0;
    loop {
        let len = (total - sent).min(window);
        let result = with_scratch(len, |buf| {
            gather_range(mem, iovs, sent, buf)?;
            f(buf)
        });
        match result {
            Ok(n) => {
                sent += n;
                if n < len || sent >= total {
                    return Ok(sent);
                }
            }
            Err(_) if sent > 0 => return Ok(sent),
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Vec<u8> {
        (0..64u8).collect()
    }

    #[test]
    fn gather_ranges_across_iovecs() {
        let mut bytes = memory();
        let mem = GuestMemory::from_slice(&mut bytes);
        let iovs = [(0, 3), (10, 4), (20, 5)];
        // (skip, len, expected)
        let cases: [(usize, usize, &[u8]); 5] = [
            (0, 12, &[0, 1, 2, 10, 11, 12, 13, 20, 21, 22, 23, 24]),
            (2, 3, &[2, 10, 11]),
            (3, 4, &[10, 11, 12, 13]),
            (7, 5, &[20, 21, 22, 23, 24]),
            (11, 1, &[24]),
        ];
        for (skip, len, expected) in cases {
            let mut buf = vec![0xff; len];
            gather_range(&mem, &iovs, skip, &mut buf).unwrap();
            assert_eq!(buf, expected, "skip {skip} len {len}");
        }
        let mut buf = [0u8; 2];
        assert_eq!(
            gather_range(&mem, &[(63, 2)], 0, &mut buf),
            Err(Errno::Fault)
        );
    }

    /// (stream, what each call accepts, expected result, expected call sizes)
    type Case = (
        bool,
        Vec<Result<usize, Errno>>,
        Result<usize, Errno>,
        Vec<usize>,
    );

    #[test]
    fn sends_go_out_in_windows_until_short() {
        let mut bytes = vec![7u8; 3 * WINDOW];
        let mem = GuestMemory::from_slice(&mut bytes);
        let iovs = [
            (0, (WINDOW + 10) as u64),
            ((WINDOW + 10) as u64, (WINDOW + 5) as u64),
        ];
        let total = 2 * WINDOW + 15;
        let cases: [Case; 5] = [
            (
                true,
                vec![Ok(WINDOW), Ok(WINDOW), Ok(15)],
                Ok(total),
                vec![WINDOW, WINDOW, 15],
            ),
            (
                true,
                vec![Ok(WINDOW), Ok(100)],
                Ok(WINDOW + 100),
                vec![WINDOW, WINDOW],
            ),
            (
                true,
                vec![Ok(WINDOW), Err(Errno::Again)],
                Ok(WINDOW),
                vec![WINDOW, WINDOW],
            ),
            (true, vec![Err(Errno::Pipe)], Err(Errno::Pipe), vec![WINDOW]),
            (
                false,
                vec![Err(Errno::Msgsize)],
                Err(Errno::Msgsize),
                vec![total],
            ),
        ];
        for (stream, answers, expected, sizes) in cases {
            let mut answers = answers.into_iter();
            let mut seen = Vec::new();
            let got = send_from_guest(&mem, &iovs, stream, |data| {
                seen.push(data.len());
                answers.next().expect("no more calls expected")
            });
            assert_eq!((got, seen), (expected, sizes), "stream={stream}");
        }
    }
}
