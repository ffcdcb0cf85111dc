//! Preview 1 / WASIX enums, flag bits and struct layouts (offsets are for wasm32 unless noted;
//! the same records are used under `wasix_64v1` where no field is pointer-sized).

/// `filetype` (u8): preview 1 values plus WASIX 8/9.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filetype {
    Unknown = 0,
    BlockDevice = 1,
    CharacterDevice = 2,
    Directory = 3,
    RegularFile = 4,
    SocketDgram = 5,
    SocketStream = 6,
    SymbolicLink = 7,
    SocketRaw = 8,
    SocketSeqpacket = 9,
}

/// `rights` (u64) bits.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const SOCK_CONNECT: u64 = 1 << 30;
    pub const SOCK_LISTEN: u64 = 1 << 31;
    pub const SOCK_BIND: u64 = 1 << 32;
    pub const SOCK_RECV: u64 = 1 << 33;
    pub const SOCK_SEND: u64 = 1 << 34;
    pub const SOCK_ADDR_LOCAL: u64 = 1 << 35;
    pub const SOCK_ADDR_REMOTE: u64 = 1 << 36;
    pub const SOCK_RECV_FROM: u64 = 1 << 37;
    pub const SOCK_SEND_TO: u64 = 1 << 38;
    /// Every right (fds not opened by path hold them all; see `fd::rights`).
    pub const ALL: u64 = (1 << 39) - 1;
}

/// `fdflags` (u16) bits.
pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
}

/// `fdflagsext` (u16) bits (WASIX).
pub mod fdflagsext {
    pub const CLOEXEC: u16 = 1;
}

/// `eventfdflags` (u16) bits (WASIX).
pub mod eventfdflags {
    pub const SEMAPHORE: u16 = 1;
}

/// `oflags` (u16) bits.
pub mod oflags {
    pub const CREAT: u16 = 1;
    pub const DIRECTORY: u16 = 2;
    pub const EXCL: u16 = 4;
    pub const TRUNC: u16 = 8;
}

/// `lookupflags` (u32) bits.
pub mod lookupflags {
    pub const SYMLINK_FOLLOW: u32 = 1;
}

/// `fstflags` (u16) bits.
pub mod fstflags {
    pub const ATIM: u16 = 1;
    pub const ATIM_NOW: u16 = 2;
    pub const MTIM: u16 = 4;
    pub const MTIM_NOW: u16 = 8;
}

/// `whence` (u8).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whence {
    Set = 0,
    Cur = 1,
    End = 2,
}

impl Whence {
    pub fn from_raw(v: i32) -> Option<Whence> {
        match v {
            0 => Some(Whence::Set),
            1 => Some(Whence::Cur),
            2 => Some(Whence::End),
            _ => None,
        }
    }
}

/// `advice` (u8).
pub mod advice {
    pub const NORMAL: u8 = 0;
    pub const SEQUENTIAL: u8 = 1;
    pub const RANDOM: u8 = 2;
    pub const WILLNEED: u8 = 3;
    pub const DONTNEED: u8 = 4;
    pub const NOREUSE: u8 = 5;
}

/// `clockid` (u32).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clockid {
    Realtime = 0,
    Monotonic = 1,
    ProcessCputime = 2,
    ThreadCputime = 3,
}

impl Clockid {
    pub fn from_raw(v: i32) -> Option<Clockid> {
        match v {
            0 => Some(Clockid::Realtime),
            1 => Some(Clockid::Monotonic),
            2 => Some(Clockid::ProcessCputime),
            3 => Some(Clockid::ThreadCputime),
            _ => None,
        }
    }
}

/// `eventtype` (u8) for `poll_oneoff`.
pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags` (u16).
pub mod subclockflags {
    pub const ABSTIME: u16 = 1;
}

/// `eventrwflags` (u16).
pub mod eventrwflags {
    pub const HANGUP: u16 = 1;
}

/// `subscription` record: 48 bytes, align 8.
pub mod subscription {
    pub const SIZE: u64 = 48;
    pub const USERDATA: u64 = 0;
    pub const TAG: u64 = 8;
    pub const CLOCK_ID: u64 = 16;
    pub const CLOCK_TIMEOUT: u64 = 24;
    pub const CLOCK_PRECISION: u64 = 32;
    pub const CLOCK_FLAGS: u64 = 40;
    pub const FD: u64 = 16;
}

/// `event` record: 32 bytes, align 8.
pub mod event {
    pub const SIZE: u64 = 32;
    pub const USERDATA: u64 = 0;
    pub const ERROR: u64 = 8;
    pub const TYPE: u64 = 10;
    pub const NBYTES: u64 = 16;
    pub const FLAGS: u64 = 24;
}

/// `fdstat` record: 24 bytes.
pub mod fdstat {
    pub const SIZE: u64 = 24;
    pub const FILETYPE: u64 = 0;
    pub const FLAGS: u64 = 2;
    pub const RIGHTS_BASE: u64 = 8;
    pub const RIGHTS_INHERITING: u64 = 16;
}

/// `filestat` record (64 bytes) as returned by `FdObject::filestat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: Filetype,
    pub nlink: u64,
    pub size: u64,
    /// Times in nanoseconds since the Unix epoch.
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    pub const SIZE: usize = 64;

    /// The guest encoding (dev @0, ino @8, filetype @16, nlink @24, size @32, atim @40, mtim @48,
    /// ctim @56).
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype as u8;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        b
    }
}

/// A time argument of `fd_filestat_set_times`/`path_filestat_set_times` after decoding `fstflags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// Leave the time unchanged.
    Omit,
    /// Set it to the current time.
    Now,
    /// Set it to this many nanoseconds since the Unix epoch.
    At(u64),
}

/// One directory entry for `fd_readdir` (serialised as a 24-byte `dirent` + name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirent {
    /// The cookie of the entry after this one.
    pub next: u64,
    pub ino: u64,
    pub filetype: Filetype,
    pub name: Vec<u8>,
}

/// `dirent` header size.
pub const DIRENT_SIZE: usize = 24;

/// `signal` (u8), Linux numbering (WASIX differs from preview 1 from 16 up).
pub mod signal {
    pub const NONE: u8 = 0;
    pub const HUP: u8 = 1;
    pub const INT: u8 = 2;
    pub const QUIT: u8 = 3;
    pub const ILL: u8 = 4;
    pub const TRAP: u8 = 5;
    pub const ABRT: u8 = 6;
    pub const BUS: u8 = 7;
    pub const FPE: u8 = 8;
    pub const KILL: u8 = 9;
    pub const USR1: u8 = 10;
    pub const SEGV: u8 = 11;
    pub const USR2: u8 = 12;
    pub const PIPE: u8 = 13;
    pub const ALRM: u8 = 14;
    pub const TERM: u8 = 15;
    pub const STKFLT: u8 = 16;
    pub const CHLD: u8 = 17;
    pub const CONT: u8 = 18;
    pub const STOP: u8 = 19;
    pub const TSTP: u8 = 20;
    pub const TTIN: u8 = 21;
    pub const TTOU: u8 = 22;
    pub const URG: u8 = 23;
    pub const XCPU: u8 = 24;
    pub const XFSZ: u8 = 25;
    pub const VTALRM: u8 = 26;
    pub const PROF: u8 = 27;
    pub const WINCH: u8 = 28;
    pub const POLL: u8 = 29;
    pub const PWR: u8 = 30;
    pub const SYS: u8 = 31;
}

/// `tty` record (WASIX): 24 bytes, align 4. Wasmer's `Tty` has the same first 21 bytes and no
/// `line_feeds` (byte 21 is padding there), so writing it is harmless to guests built for
/// Wasmer and nothing of ours reads it.
pub mod tty {
    pub const SIZE: usize = 24;
    pub const COLS: usize = 0;
    pub const ROWS: usize = 4;
    pub const WIDTH: usize = 8;
    pub const HEIGHT: usize = 12;
    pub const STDIN_TTY: usize = 16;
    pub const STDOUT_TTY: usize = 17;
    pub const STDERR_TTY: usize = 18;
    pub const ECHO: usize = 19;
    pub const LINE_BUFFERED: usize = 20;
    pub const LINE_FEEDS: usize = 21;
}

/// `option_timestamp` (16 bytes): tag u8 @0, u64 @8.
pub mod option_timestamp {
    pub const SIZE: u64 = 16;
    pub const TAG: u64 = 0;
    pub const VALUE: u64 = 8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestat_layout() {
        let st = Filestat {
            dev: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let b = st.to_bytes();
        let at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        assert_eq!(
            [at(0), at(8), at(24), at(32), at(40), at(48), at(56)],
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(b[16], 4);
    }

    /// The WASIX `tty` layout: four u32 then bools, as wasix-libc's `api_wasix.h` asserts and
    /// Wasmer 7.4.2's `Tty` (`repr(C)`, 21 bytes of fields padded to 24) has it.
    #[test]
    fn tty_layout() {
        let fields = [
            (tty::COLS, 0),
            (tty::ROWS, 4),
            (tty::WIDTH, 8),
            (tty::HEIGHT, 12),
            (tty::STDIN_TTY, 16),
            (tty::STDOUT_TTY, 17),
            (tty::STDERR_TTY, 18),
            (tty::ECHO, 19),
            (tty::LINE_BUFFERED, 20),
            (tty::LINE_FEEDS, 21),
        ];
        for (ours, abi) in fields {
            assert_eq!(ours, abi);
        }
        assert_eq!(tty::SIZE, 24);
    }

    #[test]
    fn rights_all_covers_wasix_socket_bits() {
        assert_eq!(rights::ALL & rights::SOCK_SEND_TO, rights::SOCK_SEND_TO);
        assert_eq!(rights::ALL >> 39, 0);
    }
}
