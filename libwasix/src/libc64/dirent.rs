//! Reading a directory through `fd_readdir` batches (what `readdir` does): records are parsed
//! from a buffer the host fills from a cookie on; a batch that fills the whole buffer may end
//! in a record cut at the buffer's end, which is read again from its cookie by the next
//! batch, or, when that record alone does not fit, after the buffer grows.
//!
//! A preview-1 `dirent` is a 24-byte header — d_next u64 @0 (the cookie after this entry),
//! d_ino u64 @8, d_namlen u32 @16, d_type u8 @20 — followed by the name, no NUL, no padding.

use crate::abi::Errno;

pub const HEADER_SIZE: usize = 24;

/// One directory entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The cookie that continues after this entry.
    pub next: u64,
    pub ino: u64,
    /// The preview-1 filetype.
    pub filetype: u8,
    pub name: &'a [u8],
}

/// What the front of a batch holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Front {
    /// A whole record: its header fields, where its name starts and its total length.
    Whole {
        next: u64,
        ino: u64,
        filetype: u8,
        name_len: usize,
    },
    /// A record cut at the end; how long it is, if its header is whole.
    Cut(Option<usize>),
    Empty,
}

fn front(bytes: &[u8]) -> Front {
    if bytes.is_empty() {
        return Front::Empty;
    }
    let Some(header) = bytes.get(..HEADER_SIZE) else {
        return Front::Cut(None);
    };
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let name_len = u32::from_le_bytes([header[16], header[17], header[18], header[19]]) as usize;
    let total = HEADER_SIZE.saturating_add(name_len);
    if bytes.len() < total {
        return Front::Cut(Some(total));
    }
    Front::Whole {
        next: u64_at(0),
        ino: u64_at(8),
        filetype: header[20],
        name_len,
    }
}

/// The next thing `readdir` has to say.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    Entry(Record<'a>),
    /// No more entries.
    End,
    /// The next record does not fit the buffer: call again with one of at least this size.
    Grow(usize),
}

/// Where a directory stream is: the cookie of its next batch and the part of the buffer not
/// handed out yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The cookie a refill starts from: the `d_next` of the last entry handed out.
    cookie: u64,
    pos: usize,
    used: usize,
    /// The host's last batch did not fill the buffer: the directory ends after it.
    last_batch: bool,
}

impl Cursor {
    pub const fn new() -> Cursor {
        Cursor {
            cookie: 0,
            pos: 0,
            used: 0,
            last_batch: false,
        }
    }

    /// The next entry, refilling `buf` with `fill(buf, cookie) -> bytes used` when the current
    /// batch is spent. `EIO` if the host's last batch ends in a cut record.
    pub fn next<'b>(
        &mut self,
        buf: &'b mut [u8],
        mut fill: impl FnMut(&mut [u8], u64) -> Result<usize, Errno>,
    ) -> Result<Step<'b>, Errno> {
        loop {
            let rest = buf.get(self.pos..self.used).unwrap_or(&[]);
            match front(rest) {
                Front::Whole {
                    next,
                    ino,
                    filetype,
                    name_len,
                } => {
                    let name_at = self.pos + HEADER_SIZE;
                    self.pos = name_at + name_len;
                    self.cookie = next;
                    return Ok(Step::Entry(Record {
                        next,
                        ino,
                        filetype,
                        name: &buf[name_at..name_at + name_len],
                    }));
                }
                Front::Empty if self.last_batch => return Ok(Step::End),
                Front::Cut(_) if self.last_batch => return Err(Errno::IO),
                Front::Cut(needed) if self.pos == 0 => {
                    // Read again from the same cookie once the buffer has grown.
                    self.used = 0;
                    let doubled = buf.len().saturating_mul(2).max(HEADER_SIZE);
                    return Ok(Step::Grow(needed.unwrap_or(0).max(doubled)));
                }
                Front::Empty | Front::Cut(_) => {
                    let n = fill(buf, self.cookie)?;
                    self.used = n.min(buf.len());
                    self.pos = 0;
                    self.last_batch = n < buf.len();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory as the host encodes it: every record from `cookie` on, cut at `cap` bytes
    /// (what the runtime's `fd_readdir` does).
    fn encode(entries: &[(&str, u8)], cookie: u64, cap: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (name, ft)) in entries.iter().enumerate().skip(cookie as usize) {
            let mut header = [0u8; HEADER_SIZE];
            header[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
            header[8..16].copy_from_slice(&(100 + i as u64).to_le_bytes());
            header[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
            header[20] = *ft;
            out.extend_from_slice(&header);
            out.extend_from_slice(name.as_bytes());
        }
        out.truncate(cap);
        out
    }

    /// Reads the whole directory with a buffer starting at `start` bytes; returns the names
    /// and how many refills and grows it took.
    fn read_all(entries: &[(&str, u8)], start: usize) -> (Vec<String>, usize, usize) {
        let mut buf = vec![0u8; start];
        let mut cur = Cursor::new();
        let (mut names, mut fills, mut grows) = (Vec::new(), 0, 0);
        loop {
            let step = cur
                .next(&mut buf, |b, cookie| {
                    fills += 1;
                    let bytes = encode(entries, cookie, b.len());
                    b[..bytes.len()].copy_from_slice(&bytes);
                    Ok(bytes.len())
                })
                .unwrap();
            match step {
                Step::Entry(r) => {
                    assert_eq!(r.ino, 100 + names.len() as u64);
                    names.push(String::from_utf8(r.name.to_vec()).unwrap());
                }
                Step::End => return (names, fills, grows),
                Step::Grow(n) => {
                    assert!(n > buf.len());
                    buf.resize(n, 0);
                    grows += 1;
                }
            }
        }
    }

    const DIR: [(&str, u8); 5] = [(".", 3), ("..", 3), ("a.txt", 4), ("sub", 3), ("link", 7)];

    #[test]
    fn every_buffer_size_reads_every_entry_once() {
        let want: Vec<String> = DIR.iter().map(|(n, _)| n.to_string()).collect();
        // From far too small (grows) through cuts in headers and names to one batch.
        for start in [1, 10, 24, 25, 26, 30, 49, 50, 51, 60, 75, 100, 4096] {
            let (names, fills, grows) = read_all(&DIR, start);
            assert_eq!(names, want, "buffer {start}");
            if start >= 4096 {
                assert_eq!((fills, grows), (1, 0), "one short batch ends the directory");
            }
            if start < HEADER_SIZE + 5 {
                assert!(grows > 0, "buffer {start} cannot hold `a.txt`");
            }
        }
    }

    #[test]
    fn a_batch_that_fills_the_buffer_exactly_needs_one_more_call() {
        // Two records, 25 + 26 bytes: a 51-byte buffer is full, so the end is only known
        // from the next (empty) batch.
        let dir = [(".", 3), ("..", 3)];
        assert_eq!(read_all(&dir, 51), (vec![".".into(), "..".into()], 2, 0));
        assert_eq!(read_all(&[], 8), (vec![], 1, 0));
    }

    #[test]
    fn a_cut_record_in_the_last_batch_is_a_host_error() {
        let mut buf = [0u8; 64];
        let mut cur = Cursor::new();
        let r = cur.next(&mut buf, |b, _| {
            let bytes = encode(&DIR, 0, 30);
            b[..30].copy_from_slice(&bytes);
            Ok(30) // short of the buffer, yet ending inside `..`
        });
        assert_eq!(
            r.map(|s| matches!(s, Step::Entry(r) if r.name == b".")),
            Ok(true)
        );
        let r = cur.next(&mut buf, |_, _| {
            unreachable!("no refill after a short batch")
        });
        assert_eq!(r, Err(Errno::IO));
    }

    #[test]
    fn fill_errors_pass_through_and_cookies_advance() {
        let mut buf = [0u8; 40];
        let mut cur = Cursor::new();
        let mut cookies = Vec::new();
        let mut fill = |b: &mut [u8], cookie: u64| {
            cookies.push(cookie);
            let bytes = encode(&DIR, cookie, b.len());
            b[..bytes.len()].copy_from_slice(&bytes);
            Ok(bytes.len())
        };
        for _ in 0..3 {
            assert!(matches!(cur.next(&mut buf, &mut fill), Ok(Step::Entry(_))));
        }
        assert_eq!(cookies, [0, 1, 2]);
        let r = cur.next(&mut buf, |_, _| Err(Errno::BADF));
        assert_eq!(r, Err(Errno::BADF));
    }
}
