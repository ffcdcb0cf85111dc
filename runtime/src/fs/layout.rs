//! Byte layouts of the filesystem records the guest reads: `filestat` (64 bytes), `dirent`
//! (24 bytes + name) and `prestat` (8 bytes), plus the `fstflags` decoding for set_times.
//!
//! Layouts follow WASI preview 1 (identical in `wasix_32v1` and `wasix_64v1`: no pointer-sized
//! fields); `filestat` itself is encoded by `abi::types::Filestat`.

use crate::abi::errno::Errno;
use crate::abi::types::{DIRENT_SIZE, Dirent, Filestat, Filetype, TimeSpec, fstflags};

/// The filetype of a host file type.
pub fn filetype_of(ft: cap_std::fs::FileType) -> Filetype {
    use cap_std::fs::FileTypeExt;
    if ft.is_dir() {
        Filetype::Directory
    } else if ft.is_file() {
        Filetype::RegularFile
    } else if ft.is_symlink() {
        Filetype::SymbolicLink
    } else if ft.is_block_device() {
        Filetype::BlockDevice
    } else if ft.is_char_device() {
        Filetype::CharacterDevice
    } else if ft.is_socket() {
        Filetype::SocketStream
    } else {
        Filetype::Unknown
    }
}

/// The stat of a host file.
pub fn filestat_of(md: &cap_std::fs::Metadata) -> Filestat {
    use cap_std::fs::MetadataExt;
    // Times before 1970 are clamped to 0: the ABI field is unsigned.
    let ns = |secs: i64, nsec: i64| -> u64 {
        u64::try_from(secs)
            .unwrap_or(0)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::try_from(nsec).unwrap_or(0))
    };
    Filestat {
        dev: md.dev(),
        ino: md.ino(),
        filetype: filetype_of(md.file_type()),
        nlink: md.nlink(),
        size: md.len(),
        atim: ns(md.atime(), md.atime_nsec()),
        mtim: ns(md.mtime(), md.mtime_nsec()),
        ctim: ns(md.ctime(), md.ctime_nsec()),
    }
}

/// The stat of a synthetic directory (a fixed inode derived from its path, times 0).
pub fn synthetic_dir_stat(path: &str) -> Filestat {
    Filestat {
        dev: 0,
        ino: synthetic_ino(path),
        filetype: Filetype::Directory,
        nlink: 2,
        size: 0,
        atim: 0,
        mtim: 0,
        ctim: 0,
    }
}

/// A stable inode number for a synthetic directory (FNV-1a of its path, high bit set so it
/// does not collide with host inode numbers in practice).
pub fn synthetic_ino(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h | (1 << 63)
}

/// `prestat` for a preopened directory whose name is `name_len` bytes long.
pub fn prestat_dir(name_len: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    // tag 0 = PREOPENTYPE_DIR at offset 0; u32 pr_name_len at offset 4.
    b[4..8].copy_from_slice(&name_len.to_le_bytes());
    b
}

/// Encodes `entries` as consecutive `dirent` records, cut off at `cap` bytes.
///
/// Following preview 1, the last record is truncated when it does not fit: a result of
/// exactly `cap` bytes tells the guest to call again from the last complete entry's cookie
/// (with a larger buffer when even one entry is cut).
pub fn encode_dirents(entries: &[Dirent], cap: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(cap.min(64 << 10));
    for e in entries {
        let room = cap - out.len();
        if room == 0 {
            break;
        }
        let mut header = [0u8; DIRENT_SIZE];
        header[0..8].copy_from_slice(&e.next.to_le_bytes());
        header[8..16].copy_from_slice(&e.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
        header[20] = e.filetype as u8;
        out.extend_from_slice(&header[..DIRENT_SIZE.min(room)]);
        let room = cap - out.len();
        out.extend_from_slice(&e.name[..e.name.len().min(room)]);
    }
    out
}

/// Decodes `(atim, mtim, fstflags)` of `*_set_times`. Setting a time both to a value and to
/// "now", or unknown bits, is EINVAL.
pub fn decode_times(atim: u64, mtim: u64, flags: u16) -> Result<(TimeSpec, TimeSpec), Errno> {
    use fstflags::*;
    if flags & !(ATIM | ATIM_NOW | MTIM | MTIM_NOW) != 0 {
        return Err(Errno::Inval);
    }
    let one = |value: u64, set: u16, now: u16| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(TimeSpec::At(value)),
        (false, true) => Ok(TimeSpec::Now),
        (false, false) => Ok(TimeSpec::Omit),
    };
    Ok((one(atim, ATIM, ATIM_NOW)?, one(mtim, MTIM, MTIM_NOW)?))
}

/// A time change for cap-fs-ext's `set_times` (`None` leaves it unchanged).
pub fn time_spec(t: TimeSpec) -> Option<cap_fs_ext::SystemTimeSpec> {
    match t {
        TimeSpec::Omit => None,
        TimeSpec::Now => Some(cap_fs_ext::SystemTimeSpec::SymbolicNow),
        TimeSpec::At(ns) => Some(cap_fs_ext::SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(
                std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns),
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prestat_layout() {
        assert_eq!(prestat_dir(1), [0, 0, 0, 0, 1, 0, 0, 0]);
    }

    fn ent(name: &str, next: u64) -> Dirent {
        Dirent {
            next,
            ino: 100 + next,
            filetype: Filetype::Directory,
            name: name.as_bytes().to_vec(),
        }
    }

    #[test]
    fn dirent_layout() {
        let entries = [ent(".", 1), ent("..", 2), ent("abc", 3)];
        let all = encode_dirents(&entries, 4096);
        assert_eq!(all.len(), 3 * DIRENT_SIZE + 1 + 2 + 3);
        // First record: d_next=1 @0, d_ino @8, d_namlen=1 @16, d_type @20, name @24.
        assert_eq!(&all[0..8], &1u64.to_le_bytes());
        assert_eq!(&all[8..16], &101u64.to_le_bytes());
        assert_eq!(&all[16..20], &1u32.to_le_bytes());
        assert_eq!(all[20], Filetype::Directory as u8);
        assert_eq!(&all[21..24], &[0, 0, 0]);
        assert_eq!(all[24], b'.');
        // The third record starts after two headers and the names "." and "..".
        let third = 2 * DIRENT_SIZE + 3;
        assert_eq!(&all[third..third + 8], &3u64.to_le_bytes());
        assert_eq!(&all[third + DIRENT_SIZE..], b"abc");
        assert!(encode_dirents(&[], 4096).is_empty());
    }

    #[test]
    fn dirent_truncation_fills_the_buffer() {
        let entries = [ent("first", 1), ent("second", 2)];
        for cap in [0, 1, 10, DIRENT_SIZE + 5, DIRENT_SIZE + 6, 40] {
            assert_eq!(encode_dirents(&entries, cap).len(), cap, "cap {cap}");
        }
        let full = 2 * DIRENT_SIZE + 11;
        assert_eq!(encode_dirents(&entries, full + 100).len(), full);
    }

    #[test]
    fn decode_times_table() {
        use fstflags::*;
        let cases = [
            (0, Ok((TimeSpec::Omit, TimeSpec::Omit))),
            (ATIM, Ok((TimeSpec::At(5), TimeSpec::Omit))),
            (MTIM, Ok((TimeSpec::Omit, TimeSpec::At(9)))),
            (ATIM_NOW | MTIM, Ok((TimeSpec::Now, TimeSpec::At(9)))),
            (ATIM | MTIM_NOW, Ok((TimeSpec::At(5), TimeSpec::Now))),
            (ATIM | ATIM_NOW, Err(Errno::Inval)),
            (MTIM | MTIM_NOW, Err(Errno::Inval)),
            (16, Err(Errno::Inval)),
        ];
        for (flags, want) in cases {
            assert_eq!(decode_times(5, 9, flags), want, "flags {flags}");
        }
    }

    #[test]
    fn synthetic_inodes_are_stable_and_distinct() {
        assert_ne!(synthetic_ino("/"), synthetic_ino("/a"));
        assert_eq!(synthetic_ino("/a"), synthetic_ino("/a"));
        assert_eq!(synthetic_dir_stat("/a").filetype, Filetype::Directory);
    }
}
