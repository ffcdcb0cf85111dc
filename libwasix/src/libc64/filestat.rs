//! Preview-1 `filestat` records and file types as C sees them: the fields of `struct stat`
//! (`st_mode` holds only the `S_IF*` type bits, as wasi-libc fills it: WASI has no
//! permissions or owners), `d_type` for `readdir`, and timestamps as `timespec`.

/// `filestat` is 64 bytes: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40,
/// mtim @48, ctim @56 (all u64, little-endian).
pub const FILESTAT_SIZE: usize = 64;

/// `S_IF*` (`sys/stat.h`) and `DT_*` (`dirent.h`) of wasi-libc.
pub mod c {
    pub const S_IFIFO: u32 = 0o1_0000;
    pub const S_IFCHR: u32 = 0o2_0000;
    pub const S_IFDIR: u32 = 0o4_0000;
    pub const S_IFBLK: u32 = 0o6_0000;
    pub const S_IFREG: u32 = 0o10_0000;
    pub const S_IFLNK: u32 = 0o12_0000;
    pub const S_IFSOCK: u32 = 0o14_0000;
    pub const DT_UNKNOWN: u8 = 0;
    pub const DT_BLK: u8 = 1;
    pub const DT_CHR: u8 = 2;
    pub const DT_DIR: u8 = 3;
    pub const DT_REG: u8 = 4;
    pub const DT_FIFO: u8 = 6;
    pub const DT_LNK: u8 = 7;
    pub const DT_SOCK: u8 = 20;
}

/// Preview-1 `filetype` values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// The fields of `struct stat` that a `filestat` fills; the rest are 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub nlink: u64,
    pub mode: u32,
    pub size: i64,
    /// `(tv_sec, tv_nsec)` each.
    pub atim: (i64, i64),
    pub mtim: (i64, i64),
    pub ctim: (i64, i64),
}

fn u64_at(rec: &[u8; FILESTAT_SIZE], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&rec[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Nanoseconds since 1970 as a `timespec`.
pub fn timespec(ns: u64) -> (i64, i64) {
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64)
}

/// A filetype's `S_IF*` bits; 0 for an unknown type (wasi-libc's rule).
pub fn mode_of(ft: u8) -> u32 {
    match ft {
        filetype::BLOCK_DEVICE => c::S_IFBLK,
        filetype::CHARACTER_DEVICE => c::S_IFCHR,
        filetype::DIRECTORY => c::S_IFDIR,
        filetype::REGULAR_FILE => c::S_IFREG,
        filetype::SOCKET_DGRAM | filetype::SOCKET_STREAM => c::S_IFSOCK,
        filetype::SYMBOLIC_LINK => c::S_IFLNK,
        _ => 0,
    }
}

/// A filetype's `DT_*` value. Preview 1 has no FIFO type, so `DT_FIFO` never appears.
pub fn dtype_of(ft: u8) -> u8 {
    match ft {
        filetype::BLOCK_DEVICE => c::DT_BLK,
        filetype::CHARACTER_DEVICE => c::DT_CHR,
        filetype::DIRECTORY => c::DT_DIR,
        filetype::REGULAR_FILE => c::DT_REG,
        filetype::SOCKET_DGRAM | filetype::SOCKET_STREAM => c::DT_SOCK,
        filetype::SYMBOLIC_LINK => c::DT_LNK,
        _ => c::DT_UNKNOWN,
    }
}

/// Decodes a `filestat` record.
pub fn parse(rec: &[u8; FILESTAT_SIZE]) -> Stat {
    Stat {
        dev: u64_at(rec, 0),
        ino: u64_at(rec, 8),
        mode: mode_of(rec[16]),
        nlink: u64_at(rec, 24),
        // A size past i64::MAX cannot be a real file; it saturates rather than turning negative.
        size: i64::try_from(u64_at(rec, 32)).unwrap_or(i64::MAX),
        atim: timespec(u64_at(rec, 40)),
        mtim: timespec(u64_at(rec, 48)),
        ctim: timespec(u64_at(rec, 56)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fields_land_in_stat() {
        let mut rec = [0u8; FILESTAT_SIZE];
        let put = |rec: &mut [u8; FILESTAT_SIZE], at: usize, v: u64| {
            rec[at..at + 8].copy_from_slice(&v.to_le_bytes())
        };
        put(&mut rec, 0, 7);
        put(&mut rec, 8, 0x1122_3344_5566_7788);
        rec[16] = filetype::REGULAR_FILE;
        rec[17..24].fill(0xee); // padding is ignored
        put(&mut rec, 24, 2);
        put(&mut rec, 32, 6_000_000_000);
        put(&mut rec, 40, 1_700_000_000_123_456_789);
        put(&mut rec, 48, 999_999_999);
        put(&mut rec, 56, 1_000_000_000);
        assert_eq!(
            parse(&rec),
            Stat {
                dev: 7,
                ino: 0x1122_3344_5566_7788,
                nlink: 2,
                mode: c::S_IFREG,
                size: 6_000_000_000,
                atim: (1_700_000_000, 123_456_789),
                mtim: (0, 999_999_999),
                ctim: (1, 0),
            }
        );
        put(&mut rec, 32, u64::MAX);
        assert_eq!(parse(&rec).size, i64::MAX);
    }

    #[test]
    fn filetypes_table() {
        use filetype::*;
        let cases = [
            (UNKNOWN, 0, c::DT_UNKNOWN),
            (BLOCK_DEVICE, c::S_IFBLK, c::DT_BLK),
            (CHARACTER_DEVICE, c::S_IFCHR, c::DT_CHR),
            (DIRECTORY, c::S_IFDIR, c::DT_DIR),
            (REGULAR_FILE, c::S_IFREG, c::DT_REG),
            (SOCKET_DGRAM, c::S_IFSOCK, c::DT_SOCK),
            (SOCKET_STREAM, c::S_IFSOCK, c::DT_SOCK),
            (SYMBOLIC_LINK, c::S_IFLNK, c::DT_LNK),
            (200, 0, c::DT_UNKNOWN),
        ];
        for (ft, mode, dt) in cases {
            assert_eq!((mode_of(ft), dtype_of(ft)), (mode, dt), "filetype {ft}");
        }
        // SOCKET_STREAM is 6, the number of DT_FIFO: the translation must not pass it through.
        assert_ne!(dtype_of(SOCKET_STREAM), c::DT_FIFO);
    }
}
