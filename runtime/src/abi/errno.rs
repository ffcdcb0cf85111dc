//! `errno` (u16): WASI preview 1 values 0..=76 plus the WASIX additions 77..=80, and the one
//! place where host errors become guest errnos.

use std::io;

/// A WASI/WASIX error number as the guest sees it (wasix-libc uses these values as `errno`).
#[repr(u16)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Errno {
    Success = 0,
    Toobig = 1,
    Acces = 2,
    Addrinuse = 3,
    Addrnotavail = 4,
    Afnosupport = 5,
    Again = 6,
    Already = 7,
    Badf = 8,
    Badmsg = 9,
    Busy = 10,
    Canceled = 11,
    Child = 12,
    Connaborted = 13,
    Connrefused = 14,
    Connreset = 15,
    Deadlk = 16,
    Destaddrreq = 17,
    Dom = 18,
    Dquot = 19,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    Hostunreach = 23,
    Idrm = 24,
    Ilseq = 25,
    Inprogress = 26,
    Intr = 27,
    Inval = 28,
    Io = 29,
    Isconn = 30,
    Isdir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    Msgsize = 35,
    Multihop = 36,
    Nametoolong = 37,
    Netdown = 38,
    Netreset = 39,
    Netunreach = 40,
    Nfile = 41,
    Nobufs = 42,
    Nodev = 43,
    Noent = 44,
    Noexec = 45,
    Nolck = 46,
    Nolink = 47,
    Nomem = 48,
    Nomsg = 49,
    Noprotoopt = 50,
    Nospc = 51,
    Nosys = 52,
    Notconn = 53,
    Notdir = 54,
    Notempty = 55,
    Notrecoverable = 56,
    Notsock = 57,
    Notsup = 58,
    Notty = 59,
    Nxio = 60,
    Overflow = 61,
    Ownerdead = 62,
    Perm = 63,
    Pipe = 64,
    Proto = 65,
    Protonosupport = 66,
    Prototype = 67,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Srch = 71,
    Stale = 72,
    Timedout = 73,
    Txtbsy = 74,
    Xdev = 75,
    Notcapable = 76,
    Shutdown = 77,
    Memviolation = 78,
    Unknown = 79,
    Pending = 80,
}

impl Errno {
    /// The value returned to the guest (errnos travel as `i32`).
    pub fn raw(self) -> i32 {
        self as u16 as i32
    }

    /// The errno for a raw value, if it is one.
    pub fn from_raw(v: u16) -> Option<Errno> {
        Some(match v {
            0 => Errno::Success,
            1 => Errno::Toobig,
            2 => Errno::Acces,
            3 => Errno::Addrinuse,
            4 => Errno::Addrnotavail,
            5 => Errno::Afnosupport,
            6 => Errno::Again,
            7 => Errno::Already,
            8 => Errno::Badf,
            9 => Errno::Badmsg,
            10 => Errno::Busy,
            11 => Errno::Canceled,
            12 => Errno::Child,
            13 => Errno::Connaborted,
            14 => Errno::Connrefused,
            15 => Errno::Connreset,
            16 => Errno::Deadlk,
            17 => Errno::Destaddrreq,
            18 => Errno::Dom,
            19 => Errno::Dquot,
            20 => Errno::Exist,
            21 => Errno::Fault,
            22 => Errno::Fbig,
            23 => Errno::Hostunreach,
            24 => Errno::Idrm,
            25 => Errno::Ilseq,
            26 => Errno::Inprogress,
            27 => Errno::Intr,
            28 => Errno::Inval,
            29 => Errno::Io,
            30 => Errno::Isconn,
            31 => Errno::Isdir,
            32 => Errno::Loop,
            33 => Errno::Mfile,
            34 => Errno::Mlink,
            35 => Errno::Msgsize,
            36 => Errno::Multihop,
            37 => Errno::Nametoolong,
            38 => Errno::Netdown,
            39 => Errno::Netreset,
            40 => Errno::Netunreach,
            41 => Errno::Nfile,
            42 => Errno::Nobufs,
            43 => Errno::Nodev,
            44 => Errno::Noent,
            45 => Errno::Noexec,
            46 => Errno::Nolck,
            47 => Errno::Nolink,
            48 => Errno::Nomem,
            49 => Errno::Nomsg,
            50 => Errno::Noprotoopt,
            51 => Errno::Nospc,
            52 => Errno::Nosys,
            53 => Errno::Notconn,
            54 => Errno::Notdir,
            55 => Errno::Notempty,
            56 => Errno::Notrecoverable,
            57 => Errno::Notsock,
            58 => Errno::Notsup,
            59 => Errno::Notty,
            60 => Errno::Nxio,
            61 => Errno::Overflow,
            62 => Errno::Ownerdead,
            63 => Errno::Perm,
            64 => Errno::Pipe,
            65 => Errno::Proto,
            66 => Errno::Protonosupport,
            67 => Errno::Prototype,
            68 => Errno::Range,
            69 => Errno::Rofs,
            70 => Errno::Spipe,
            71 => Errno::Srch,
            72 => Errno::Stale,
            73 => Errno::Timedout,
            74 => Errno::Txtbsy,
            75 => Errno::Xdev,
            76 => Errno::Notcapable,
            77 => Errno::Shutdown,
            78 => Errno::Memviolation,
            79 => Errno::Unknown,
            80 => Errno::Pending,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} ({})", self, self.raw())
    }
}

impl std::error::Error for Errno {}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        use rustix::io::Errno as H;
        match e {
            H::TOOBIG => Errno::Toobig,
            H::ACCESS => Errno::Acces,
            H::ADDRINUSE => Errno::Addrinuse,
            H::ADDRNOTAVAIL => Errno::Addrnotavail,
            H::AFNOSUPPORT => Errno::Afnosupport,
            H::AGAIN => Errno::Again,
            H::ALREADY => Errno::Already,
            H::BADF => Errno::Badf,
            H::BADMSG => Errno::Badmsg,
            H::BUSY => Errno::Busy,
            H::CANCELED => Errno::Canceled,
            H::CHILD => Errno::Child,
            H::CONNABORTED => Errno::Connaborted,
            H::CONNREFUSED => Errno::Connrefused,
            H::CONNRESET => Errno::Connreset,
            H::DEADLK => Errno::Deadlk,
            H::DESTADDRREQ => Errno::Destaddrreq,
            H::DOM => Errno::Dom,
            H::DQUOT => Errno::Dquot,
            H::EXIST => Errno::Exist,
            H::FAULT => Errno::Fault,
            H::FBIG => Errno::Fbig,
            H::HOSTUNREACH => Errno::Hostunreach,
            H::IDRM => Errno::Idrm,
            H::ILSEQ => Errno::Ilseq,
            H::INPROGRESS => Errno::Inprogress,
            H::INTR => Errno::Intr,
            H::INVAL => Errno::Inval,
            H::IO => Errno::Io,
            H::ISCONN => Errno::Isconn,
            H::ISDIR => Errno::Isdir,
            H::LOOP => Errno::Loop,
            H::MFILE => Errno::Mfile,
            H::MLINK => Errno::Mlink,
            H::MSGSIZE => Errno::Msgsize,
            H::MULTIHOP => Errno::Multihop,
            H::NAMETOOLONG => Errno::Nametoolong,
            H::NETDOWN => Errno::Netdown,
            H::NETRESET => Errno::Netreset,
            H::NETUNREACH => Errno::Netunreach,
            H::NFILE => Errno::Nfile,
            H::NOBUFS => Errno::Nobufs,
            H::NODEV => Errno::Nodev,
            H::NOENT => Errno::Noent,
            H::NOEXEC => Errno::Noexec,
            H::NOLCK => Errno::Nolck,
            H::NOLINK => Errno::Nolink,
            H::NOMEM => Errno::Nomem,
            H::NOMSG => Errno::Nomsg,
            H::NOPROTOOPT => Errno::Noprotoopt,
            H::NOSPC => Errno::Nospc,
            H::NOSYS => Errno::Nosys,
            H::NOTCONN => Errno::Notconn,
            H::NOTDIR => Errno::Notdir,
            H::NOTEMPTY => Errno::Notempty,
            H::NOTRECOVERABLE => Errno::Notrecoverable,
            H::NOTSOCK => Errno::Notsock,
            H::NOTSUP => Errno::Notsup,
            H::NOTTY => Errno::Notty,
            H::NXIO => Errno::Nxio,
            H::OVERFLOW => Errno::Overflow,
            H::OWNERDEAD => Errno::Ownerdead,
            H::PERM => Errno::Perm,
            H::PIPE => Errno::Pipe,
            H::PROTO => Errno::Proto,
            H::PROTONOSUPPORT => Errno::Protonosupport,
            H::PROTOTYPE => Errno::Prototype,
            H::RANGE => Errno::Range,
            H::ROFS => Errno::Rofs,
            H::SPIPE => Errno::Spipe,
            H::SRCH => Errno::Srch,
            H::STALE => Errno::Stale,
            H::TIMEDOUT => Errno::Timedout,
            H::TXTBSY => Errno::Txtbsy,
            H::XDEV => Errno::Xdev,
            H::SHUTDOWN => Errno::Shutdown,
            _ => Errno::Io,
        }
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        if e.raw_os_error().is_some() {
            return rustix::io::Errno::from_io_error(&e).map_or(Errno::Io, Errno::from);
        }
        // Errors made by std or cap-std without an OS code.
        match e.kind() {
            io::ErrorKind::NotFound => Errno::Noent,
            io::ErrorKind::PermissionDenied => Errno::Perm,
            io::ErrorKind::AlreadyExists => Errno::Exist,
            io::ErrorKind::WouldBlock => Errno::Again,
            io::ErrorKind::InvalidInput => Errno::Inval,
            io::ErrorKind::InvalidData => Errno::Ilseq,
            io::ErrorKind::TimedOut => Errno::Timedout,
            io::ErrorKind::Interrupted => Errno::Intr,
            io::ErrorKind::Unsupported => Errno::Notsup,
            io::ErrorKind::OutOfMemory => Errno::Nomem,
            io::ErrorKind::BrokenPipe => Errno::Pipe,
            io::ErrorKind::NotADirectory => Errno::Notdir,
            io::ErrorKind::IsADirectory => Errno::Isdir,
            io::ErrorKind::DirectoryNotEmpty => Errno::Notempty,
            io::ErrorKind::ReadOnlyFilesystem => Errno::Rofs,
            io::ErrorKind::CrossesDevices => Errno::Xdev,
            io::ErrorKind::InvalidFilename => Errno::Inval,
            io::ErrorKind::ConnectionRefused => Errno::Connrefused,
            io::ErrorKind::ConnectionReset => Errno::Connreset,
            io::ErrorKind::ConnectionAborted => Errno::Connaborted,
            io::ErrorKind::NotConnected => Errno::Notconn,
            io::ErrorKind::AddrInUse => Errno::Addrinuse,
            io::ErrorKind::AddrNotAvailable => Errno::Addrnotavail,
            _ => Errno::Io,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_match_the_abi() {
        let cases = [
            (Errno::Success, 0),
            (Errno::Badf, 8),
            (Errno::Fault, 21),
            (Errno::Inval, 28),
            (Errno::Noent, 44),
            (Errno::Nosys, 52),
            (Errno::Notcapable, 76),
            (Errno::Shutdown, 77),
            (Errno::Memviolation, 78),
            (Errno::Unknown, 79),
            (Errno::Pending, 80),
        ];
        for (e, v) in cases {
            assert_eq!(e.raw(), v, "{e:?}");
            assert_eq!(Errno::from_raw(v as u16), Some(e));
        }
        assert_eq!(Errno::from_raw(81), None);
        for v in 0..=80u16 {
            assert_eq!(Errno::from_raw(v).map(|e| e as u16), Some(v));
        }
    }

    #[test]
    fn host_errors_map() {
        let cases = [
            (
                io::Error::from_raw_os_error(rustix::io::Errno::NOENT.raw_os_error()),
                Errno::Noent,
            ),
            (
                io::Error::from_raw_os_error(rustix::io::Errno::PIPE.raw_os_error()),
                Errno::Pipe,
            ),
            (
                io::Error::from_raw_os_error(rustix::io::Errno::AGAIN.raw_os_error()),
                Errno::Again,
            ),
            (io::Error::new(io::ErrorKind::NotFound, "x"), Errno::Noent),
            (io::Error::other("x"), Errno::Io),
        ];
        for (e, want) in cases {
            let s = e.to_string();
            assert_eq!(Errno::from(e), want, "{s}");
        }
    }
}
