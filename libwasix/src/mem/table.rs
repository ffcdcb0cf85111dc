//! The table of live mappings and the arithmetic of writing a shared mapping back (pure,
//! host-tested; `mman` keeps the one table of the process and does the I/O).

use crate::abi::Errno;

/// One block handed out by `mmap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Start of the block (page-aligned).
    pub addr: usize,
    /// Bytes the caller asked for: what is read from and written back to the file.
    pub len: usize,
    /// The block's size: `len` rounded up to whole pages.
    pub size: usize,
    /// The last `PROT_*` given (recorded only: linear memory cannot enforce it).
    pub prot: i32,
    pub backing: Backing,
}

/// What a mapping's bytes stand for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backing {
    /// `MAP_ANONYMOUS`, or `MAP_PRIVATE` of a file: a copy nobody else sees.
    Copy,
    /// `MAP_SHARED` of a file opened read-only: it can never become writable.
    SharedReadOnly,
    /// `MAP_SHARED` of a writable file: its own fd (a close-on-exec dup, so the caller may
    /// close theirs, as POSIX allows), the file offset of the first byte, and the address of
    /// a `len`-byte copy of what the file held at the last write-back (changed bytes are found
    /// by comparing with it, so bytes the program did not touch are never rewritten).
    Shared {
        fd: i32,
        offset: u64,
        shadow: usize,
        file: FileId,
    },
}

/// A file's identity (`st_dev`, `st_ino`): which mappings show the same file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

/// Whether `m` is a shared mapping of `file` with changes that may still have to reach it.
pub fn shares_file(m: &Mapping, file: FileId) -> bool {
    matches!(m.backing, Backing::Shared { file: f, .. } if f == file)
}

impl Mapping {
    fn end(&self) -> usize {
        self.addr + self.size
    }

    fn overlaps(&self, start: usize, end: usize) -> bool {
        self.addr < end && start < self.end()
    }
}

/// The index of the mapping that holds all of `[start, start + len)` (at least one byte).
/// A range over unmapped memory or across two mappings is ENOMEM, as POSIX says for `msync`,
/// `mprotect` and `madvise` over "pages that are not mapped".
pub fn holding(entries: &[Mapping], start: usize, len: usize) -> Result<usize, Errno> {
    let end = start.checked_add(len.max(1)).ok_or(Errno::NOMEM)?;
    entries
        .iter()
        .position(|m| m.addr <= start && end <= m.end())
        .ok_or(Errno::NOMEM)
}

/// Checks that `munmap(start, len)` (the range already rounded to whole pages) removes whole
/// mappings only, and returns how many it removes (0 is fine: POSIX allows unmapping
/// unmapped pages). Part of a mapping cannot be given back to the C heap: ENOTSUP.
pub fn check_unmap(entries: &[Mapping], start: usize, end: usize) -> Result<usize, Errno> {
    let mut whole = 0;
    for m in entries.iter().filter(|m| m.overlaps(start, end)) {
        if start <= m.addr && m.end() <= end {
            whole += 1;
        } else {
            return Err(Errno::NOTSUP);
        }
    }
    Ok(whole)
}

/// The first mapping lying wholly inside `[start, end)`.
pub fn first_inside(entries: &[Mapping], start: usize, end: usize) -> Option<usize> {
    entries
        .iter()
        .position(|m| start <= m.addr && m.end() <= end)
}

/// The bytes of a shared mapping that a write-back of `[from, from + n)` (offsets into the
/// mapping) may write: clipped to the mapped length and to the file's current size, since a
/// mapping never extends its file (as on Linux, bytes past the end are dropped). Returns the
/// range as offsets into the mapping.
pub fn write_back_window(
    len: usize,
    file_offset: u64,
    file_size: u64,
    from: usize,
    n: usize,
) -> Option<(usize, usize)> {
    let in_file = file_size.saturating_sub(file_offset);
    let limit = usize::try_from(in_file).map_or(len, |f| f.min(len));
    let end = from.saturating_add(n).min(limit);
    (from < end).then_some((from, end))
}

/// Runs of differing bytes between `now` and `before` (equal lengths), as `(start, end)`;
/// runs closer than `MERGE_GAP` bytes are joined so a scattered change costs few writes.
pub fn changed_runs<'a>(
    now: &'a [u8],
    before: &'a [u8],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    const MERGE_GAP: usize = 64;
    let n = now.len().min(before.len());
    let mut i = 0;
    core::iter::from_fn(move || {
        while i < n && now[i] == before[i] {
            i += 1;
        }
        if i == n {
            return None;
        }
        let start = i;
        let mut end = i;
        let mut same = 0;
        while i < n && same < MERGE_GAP {
            if now[i] == before[i] {
                same += 1;
            } else {
                same = 0;
                end = i + 1;
            }
            i += 1;
        }
        i = end;
        Some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 65536;

    fn m(addr: usize, size: usize) -> Mapping {
        Mapping {
            addr,
            len: size,
            size,
            prot: 3,
            backing: Backing::Copy,
        }
    }

    #[test]
    fn ranges_inside_one_mapping() {
        let t = [m(PAGE, PAGE), m(3 * PAGE, 2 * PAGE)];
        let cases = [
            ("start of the first", PAGE, PAGE, Ok(0)),
            ("one byte at the end", 2 * PAGE - 1, 1, Ok(0)),
            ("zero length counts as one byte", PAGE, 0, Ok(0)),
            ("inside the second", 4 * PAGE, PAGE, Ok(1)),
            ("past the end", PAGE, PAGE + 1, Err(Errno::NOMEM)),
            ("unmapped gap", 2 * PAGE, 1, Err(Errno::NOMEM)),
            ("across two", PAGE, 4 * PAGE, Err(Errno::NOMEM)),
            ("wraps", usize::MAX, 2, Err(Errno::NOMEM)),
        ];
        for (name, start, len, want) in cases {
            assert_eq!(holding(&t, start, len), want, "{name}");
        }
    }

    #[test]
    fn unmap_whole_mappings_only() {
        let t = [m(PAGE, PAGE), m(3 * PAGE, 2 * PAGE)];
        let cases = [
            ("exactly the first", PAGE, 2 * PAGE, Ok(1)),
            ("both and the gap", 0, 8 * PAGE, Ok(2)),
            ("nothing mapped there", 6 * PAGE, 7 * PAGE, Ok(0)),
            ("half of the second", 3 * PAGE, 4 * PAGE, Err(Errno::NOTSUP)),
            (
                "the first and half the second",
                PAGE,
                4 * PAGE,
                Err(Errno::NOTSUP),
            ),
        ];
        for (name, start, end, want) in cases {
            assert_eq!(check_unmap(&t, start, end), want, "{name}");
        }
        assert_eq!(first_inside(&t, 0, 8 * PAGE), Some(0));
        assert_eq!(first_inside(&t, 2 * PAGE, 8 * PAGE), Some(1));
        assert_eq!(first_inside(&t, 3 * PAGE, 4 * PAGE), None);
    }

    #[test]
    fn write_back_stops_at_the_mapping_and_the_file() {
        // (len, file offset, file size, from, n) -> window
        let cases = [
            ("all of it", (100, 0, 100, 0, 100), Some((0, 100))),
            ("a middle range", (100, 0, 100, 10, 20), Some((10, 30))),
            ("clipped to len", (100, 0, 1000, 50, 1000), Some((50, 100))),
            ("file shrank", (100, 0, 40, 0, 100), Some((0, 40))),
            (
                "file shorter than the offset",
                (100, 500, 400, 0, 100),
                None,
            ),
            (
                "mapping at an offset",
                (100, 500, 550, 0, 100),
                Some((0, 50)),
            ),
            ("empty range", (100, 0, 100, 30, 0), None),
            ("start past len", (100, 0, 100, 150, 10), None),
        ];
        for (name, (len, off, size, from, n), want) in cases {
            assert_eq!(write_back_window(len, off, size, from, n), want, "{name}");
        }
    }

    #[test]
    fn shared_mappings_of_one_file() {
        let a = FileId { dev: 1, ino: 7 };
        let b = FileId { dev: 2, ino: 7 };
        let shared = |file| Mapping {
            backing: Backing::Shared {
                fd: 3,
                offset: 0,
                shadow: 0,
                file,
            },
            ..m(0, PAGE)
        };
        let cases = [
            ("same file", shared(a), true),
            ("same inode, other device", shared(b), false),
            ("a copy", m(0, PAGE), false),
            (
                "read-only shared",
                Mapping {
                    backing: Backing::SharedReadOnly,
                    ..m(0, PAGE)
                },
                false,
            ),
        ];
        for (name, mapping, want) in cases {
            assert_eq!(shares_file(&mapping, a), want, "{name}");
        }
    }

    #[test]
    fn changed_bytes_become_few_runs() {
        let before = [0u8; 300];
        let mut now = before;
        now[5] = 1;
        now[10] = 1; // within 64 bytes of 5: one run
        now[200] = 1;
        now[299] = 1;
        let runs: Vec<_> = changed_runs(&now, &before).collect();
        assert_eq!(runs, [(5, 11), (200, 201), (299, 300)]);
        assert_eq!(changed_runs(&before, &before).count(), 0);
        let all = [1u8; 300];
        assert_eq!(changed_runs(&all, &before).collect::<Vec<_>>(), [(0, 300)]);
    }
}
