//! The preview-1 types std uses from its `wasi`/`wasip1` crate, for wasm64 (hand-written from
//! the preview-1 witx; `lib.rs` beside this file holds the generated calls). Names and shapes
//! match the upstream crate, so std compiles unchanged; no record here has a pointer-sized
//! field except the iovecs, whose `Size` is 8 bytes on wasm64 as `wasix_64v1` expects.

use core::fmt;

pub type Size = usize;
pub type Filesize = u64;
pub type Timestamp = u64;
pub type Fd = u32;
pub type Filedelta = i64;
pub type Dircookie = u64;
pub type Device = u64;
pub type Inode = u64;
pub type Linkcount = u64;
pub type Exitcode = u32;

/// Defines `$name` as a transparent newtype over `$repr` with `raw()` and its named values.
macro_rules! enum_type {
    ($name:ident($repr:ty) { $($konst:ident = $value:expr),* $(,)? }) => {
        #[repr(transparent)]
        #[derive(Copy, Clone, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
        pub struct $name($repr);
        impl $name {
            pub const fn raw(&self) -> $repr {
                self.0
            }
        }
        $(pub const $konst: $name = $name($value);)*
    };
}

/// Defines `$name` as an alias of `$repr` with its flag bits.
macro_rules! flags_type {
    ($name:ident($repr:ty) { $($konst:ident = $bit:expr),* $(,)? }) => {
        pub type $name = $repr;
        $(pub const $konst: $name = 1 << $bit;)*
    };
}

enum_type!(Clockid(u32) {
    CLOCKID_REALTIME = 0,
    CLOCKID_MONOTONIC = 1,
    CLOCKID_PROCESS_CPUTIME_ID = 2,
    CLOCKID_THREAD_CPUTIME_ID = 3,
});

enum_type!(Whence(u8) { WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2 });

enum_type!(Filetype(u8) {
    FILETYPE_UNKNOWN = 0,
    FILETYPE_BLOCK_DEVICE = 1,
    FILETYPE_CHARACTER_DEVICE = 2,
    FILETYPE_DIRECTORY = 3,
    FILETYPE_REGULAR_FILE = 4,
    FILETYPE_SOCKET_DGRAM = 5,
    FILETYPE_SOCKET_STREAM = 6,
    FILETYPE_SYMBOLIC_LINK = 7,
});

enum_type!(Advice(u8) {
    ADVICE_NORMAL = 0,
    ADVICE_SEQUENTIAL = 1,
    ADVICE_RANDOM = 2,
    ADVICE_WILLNEED = 3,
    ADVICE_DONTNEED = 4,
    ADVICE_NOREUSE = 5,
});

enum_type!(Signal(u8) {
    SIGNAL_NONE = 0, SIGNAL_HUP = 1, SIGNAL_INT = 2, SIGNAL_QUIT = 3, SIGNAL_ILL = 4,
    SIGNAL_TRAP = 5, SIGNAL_ABRT = 6, SIGNAL_BUS = 7, SIGNAL_FPE = 8, SIGNAL_KILL = 9,
    SIGNAL_USR1 = 10, SIGNAL_SEGV = 11, SIGNAL_USR2 = 12, SIGNAL_PIPE = 13, SIGNAL_ALRM = 14,
    SIGNAL_TERM = 15, SIGNAL_CHLD = 16, SIGNAL_CONT = 17, SIGNAL_STOP = 18, SIGNAL_TSTP = 19,
    SIGNAL_TTIN = 20, SIGNAL_TTOU = 21, SIGNAL_URG = 22, SIGNAL_XCPU = 23, SIGNAL_XFSZ = 24,
    SIGNAL_VTALRM = 25, SIGNAL_PROF = 26, SIGNAL_WINCH = 27, SIGNAL_POLL = 28, SIGNAL_PWR = 29,
    SIGNAL_SYS = 30,
});

flags_type!(Rights(u64) {
    RIGHTS_FD_DATASYNC = 0, RIGHTS_FD_READ = 1, RIGHTS_FD_SEEK = 2,
    RIGHTS_FD_FDSTAT_SET_FLAGS = 3, RIGHTS_FD_SYNC = 4, RIGHTS_FD_TELL = 5, RIGHTS_FD_WRITE = 6,
    RIGHTS_FD_ADVISE = 7, RIGHTS_FD_ALLOCATE = 8, RIGHTS_PATH_CREATE_DIRECTORY = 9,
    RIGHTS_PATH_CREATE_FILE = 10, RIGHTS_PATH_LINK_SOURCE = 11, RIGHTS_PATH_LINK_TARGET = 12,
    RIGHTS_PATH_OPEN = 13, RIGHTS_FD_READDIR = 14, RIGHTS_PATH_READLINK = 15,
    RIGHTS_PATH_RENAME_SOURCE = 16, RIGHTS_PATH_RENAME_TARGET = 17,
    RIGHTS_PATH_FILESTAT_GET = 18, RIGHTS_PATH_FILESTAT_SET_SIZE = 19,
    RIGHTS_PATH_FILESTAT_SET_TIMES = 20, RIGHTS_FD_FILESTAT_GET = 21,
    RIGHTS_FD_FILESTAT_SET_SIZE = 22, RIGHTS_FD_FILESTAT_SET_TIMES = 23,
    RIGHTS_PATH_SYMLINK = 24, RIGHTS_PATH_REMOVE_DIRECTORY = 25, RIGHTS_PATH_UNLINK_FILE = 26,
    RIGHTS_POLL_FD_READWRITE = 27, RIGHTS_SOCK_SHUTDOWN = 28, RIGHTS_SOCK_ACCEPT = 29,
});
flags_type!(Fdflags(u16) {
    FDFLAGS_APPEND = 0, FDFLAGS_DSYNC = 1, FDFLAGS_NONBLOCK = 2, FDFLAGS_RSYNC = 3,
    FDFLAGS_SYNC = 4,
});
flags_type!(Fstflags(u16) {
    FSTFLAGS_ATIM = 0, FSTFLAGS_ATIM_NOW = 1, FSTFLAGS_MTIM = 2, FSTFLAGS_MTIM_NOW = 3,
});
flags_type!(Lookupflags(u32) { LOOKUPFLAGS_SYMLINK_FOLLOW = 0 });
flags_type!(Oflags(u16) { OFLAGS_CREAT = 0, OFLAGS_DIRECTORY = 1, OFLAGS_EXCL = 2, OFLAGS_TRUNC = 3 });
flags_type!(Riflags(u16) { RIFLAGS_RECV_PEEK = 0, RIFLAGS_RECV_WAITALL = 1 });
flags_type!(Roflags(u16) { ROFLAGS_RECV_DATA_TRUNCATED = 0 });
flags_type!(Sdflags(u8) { SDFLAGS_RD = 0, SDFLAGS_WR = 1 });
flags_type!(Siflags(u16) {});

/// Defines `Errno` with its constants and names, in preview-1 order (0..=76).
macro_rules! errnos {
    ($($konst:ident $name:literal),* $(,)?) => {
        const ERRNO_NAMES: &[&str] = &[$($name),*];
        errnos!(@consts 0u16, $($konst)*);
    };
    (@consts $n:expr, $konst:ident $($rest:ident)*) => {
        pub const $konst: Errno = Errno($n);
        errnos!(@consts $n + 1, $($rest)*);
    };
    (@consts $n:expr,) => {};
}

/// A preview-1 error code (`wasix_64v1` returns the same numbers).
#[repr(transparent)]
#[derive(Copy, Clone, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Errno(u16);

impl Errno {
    pub const fn raw(&self) -> u16 {
        self.0
    }

    /// The preview-1 name (`INVAL`), or `UNKNOWN` for a code outside preview 1.
    pub fn name(&self) -> &'static str {
        ERRNO_NAMES.get(usize::from(self.0)).copied().unwrap_or("UNKNOWN")
    }

    pub(crate) const fn from_raw(raw: u16) -> Errno {
        Errno(raw)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Errno").field("code", &self.0).field("name", &self.name()).finish()
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (error {})", self.name(), self.0)
    }
}

errnos! {
    ERRNO_SUCCESS "SUCCESS", ERRNO_2BIG "2BIG", ERRNO_ACCES "ACCES",
    ERRNO_ADDRINUSE "ADDRINUSE", ERRNO_ADDRNOTAVAIL "ADDRNOTAVAIL",
    ERRNO_AFNOSUPPORT "AFNOSUPPORT", ERRNO_AGAIN "AGAIN", ERRNO_ALREADY "ALREADY",
    ERRNO_BADF "BADF", ERRNO_BADMSG "BADMSG", ERRNO_BUSY "BUSY", ERRNO_CANCELED "CANCELED",
    ERRNO_CHILD "CHILD", ERRNO_CONNABORTED "CONNABORTED", ERRNO_CONNREFUSED "CONNREFUSED",
    ERRNO_CONNRESET "CONNRESET", ERRNO_DEADLK "DEADLK", ERRNO_DESTADDRREQ "DESTADDRREQ",
    ERRNO_DOM "DOM", ERRNO_DQUOT "DQUOT", ERRNO_EXIST "EXIST", ERRNO_FAULT "FAULT",
    ERRNO_FBIG "FBIG", ERRNO_HOSTUNREACH "HOSTUNREACH", ERRNO_IDRM "IDRM", ERRNO_ILSEQ "ILSEQ",
    ERRNO_INPROGRESS "INPROGRESS", ERRNO_INTR "INTR", ERRNO_INVAL "INVAL", ERRNO_IO "IO",
    ERRNO_ISCONN "ISCONN", ERRNO_ISDIR "ISDIR", ERRNO_LOOP "LOOP", ERRNO_MFILE "MFILE",
    ERRNO_MLINK "MLINK", ERRNO_MSGSIZE "MSGSIZE", ERRNO_MULTIHOP "MULTIHOP",
    ERRNO_NAMETOOLONG "NAMETOOLONG", ERRNO_NETDOWN "NETDOWN", ERRNO_NETRESET "NETRESET",
    ERRNO_NETUNREACH "NETUNREACH", ERRNO_NFILE "NFILE", ERRNO_NOBUFS "NOBUFS",
    ERRNO_NODEV "NODEV", ERRNO_NOENT "NOENT", ERRNO_NOEXEC "NOEXEC", ERRNO_NOLCK "NOLCK",
    ERRNO_NOLINK "NOLINK", ERRNO_NOMEM "NOMEM", ERRNO_NOMSG "NOMSG",
    ERRNO_NOPROTOOPT "NOPROTOOPT", ERRNO_NOSPC "NOSPC", ERRNO_NOSYS "NOSYS",
    ERRNO_NOTCONN "NOTCONN", ERRNO_NOTDIR "NOTDIR", ERRNO_NOTEMPTY "NOTEMPTY",
    ERRNO_NOTRECOVERABLE "NOTRECOVERABLE", ERRNO_NOTSOCK "NOTSOCK", ERRNO_NOTSUP "NOTSUP",
    ERRNO_NOTTY "NOTTY", ERRNO_NXIO "NXIO", ERRNO_OVERFLOW "OVERFLOW",
    ERRNO_OWNERDEAD "OWNERDEAD", ERRNO_PERM "PERM", ERRNO_PIPE "PIPE", ERRNO_PROTO "PROTO",
    ERRNO_PROTONOSUPPORT "PROTONOSUPPORT", ERRNO_PROTOTYPE "PROTOTYPE", ERRNO_RANGE "RANGE",
    ERRNO_ROFS "ROFS", ERRNO_SPIPE "SPIPE", ERRNO_SRCH "SRCH", ERRNO_STALE "STALE",
    ERRNO_TIMEDOUT "TIMEDOUT", ERRNO_TXTBSY "TXTBSY", ERRNO_XDEV "XDEV",
    ERRNO_NOTCAPABLE "NOTCAPABLE",
}

#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct Iovec {
    pub buf: *mut u8,
    pub buf_len: Size,
}

#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct Ciovec {
    pub buf: *const u8,
    pub buf_len: Size,
}

/// WASIX `addr_port` (the peer address `sock_accept` writes in the WASIX namespaces).
pub type AddrPort = [u8; 110];

pub type IovecArray<'a> = &'a [Iovec];
pub type CiovecArray<'a> = &'a [Ciovec];

#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct Fdstat {
    pub fs_filetype: Filetype,
    pub fs_flags: Fdflags,
    pub fs_rights_base: Rights,
    pub fs_rights_inheriting: Rights,
}

#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct Filestat {
    pub dev: Device,
    pub ino: Inode,
    pub filetype: Filetype,
    pub nlink: Linkcount,
    pub size: Filesize,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
}

/// Special `Dircookie` value indicating the start of a directory.
pub const DIRCOOKIE_START: Dircookie = 0;
/// The standard input descriptor number.
pub const FD_STDIN: Fd = 0;
/// The standard output descriptor number.
pub const FD_STDOUT: Fd = 1;
/// The standard error descriptor number.
pub const FD_STDERR: Fd = 2;
