//! WASIX ABI numbers libwasix needs (errno, flags, record sizes): pure data, host-testable.
//!
//! Source: `reference/wasix-abi.md` §3 (the wasix-libc `api_wasix.h` static asserts). errno
//! values are WASI's, identical to the C `E*` constants of wasi-libc, so they cross the ABI
//! unchanged: no translation table.

/// A WASI/WASIX errno as returned by every import (0 = success, never stored here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

impl Errno {
    pub const ACCES: Errno = Errno(2);
    pub const AFNOSUPPORT: Errno = Errno(5);
    pub const AGAIN: Errno = Errno(6);
    pub const BADF: Errno = Errno(8);
    pub const CHILD: Errno = Errno(12);
    pub const DEADLK: Errno = Errno(16);
    pub const FAULT: Errno = Errno(21);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const LOOP: Errno = Errno(32);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NODEV: Errno = Errno(43);
    pub const NOENT: Errno = Errno(44);
    pub const NOMEM: Errno = Errno(48);
    pub const NOPROTOOPT: Errno = Errno(50);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTSUP: Errno = Errno(58);
    pub const NOTTY: Errno = Errno(59);
    pub const OVERFLOW: Errno = Errno(61);
    pub const RANGE: Errno = Errno(68);
    pub const SRCH: Errno = Errno(71);

    /// The value for C `errno`.
    pub fn raw(self) -> i32 {
        i32::from(self.0)
    }

    /// Turns an import's raw return value into a result.
    pub fn result(ret: i32) -> Result<(), Errno> {
        match ret {
            0 => Ok(()),
            // Imports return a u16 errno widened to i32; anything else is a host bug.
            e @ 1..=0xffff => Err(Errno(e as u16)),
            _ => Err(Errno::INVAL),
        }
    }
}

/// `fdflags` (preview 1): non-blocking I/O.
pub const FDFLAGS_NONBLOCK: u16 = 1 << 2;
/// `fdflagsext` (WASIX): close-on-exec.
pub const FDFLAGSEXT_CLOEXEC: u16 = 1;

/// `riflags` / `siflags` / `roflags` bits (WASIX).
pub const RIFLAGS_PEEK: u16 = 1;
pub const RIFLAGS_WAITALL: u16 = 2;
pub const RIFLAGS_DONT_WAIT: u16 = 8;
pub const SIFLAGS_DONT_WAIT: u16 = 1;

/// `join_flags` (WASIX `proc_join`).
pub const JOIN_NON_BLOCKING: u32 = 1;
pub const JOIN_WAKE_STOPPED: u32 = 2;

/// Record sizes, asserted against the libc structs on the target.
pub const ADDR_PORT_SIZE: usize = 110;
pub const ADDR_IP_SIZE: usize = 18;
pub const JOIN_STATUS_SIZE: usize = 6;

/// `sock_option` indices (WASIX); the C `SO_*` constants of the libc overlay equal these.
pub mod sockopt {
    pub const REUSE_PORT: u8 = 1;
    pub const REUSE_ADDR: u8 = 2;
    pub const NO_DELAY: u8 = 3;
    pub const DONT_ROUTE: u8 = 4;
    pub const ONLY_V6: u8 = 5;
    pub const BROADCAST: u8 = 6;
    pub const MULTICAST_LOOP_V4: u8 = 7;
    pub const MULTICAST_LOOP_V6: u8 = 8;
    pub const LISTENING: u8 = 10;
    pub const LAST_ERROR: u8 = 11;
    pub const KEEP_ALIVE: u8 = 12;
    pub const LINGER: u8 = 13;
    pub const OOB_INLINE: u8 = 14;
    pub const RECV_BUF_SIZE: u8 = 15;
    pub const SEND_BUF_SIZE: u8 = 16;
    pub const RECV_LOWAT: u8 = 17;
    pub const SEND_LOWAT: u8 = 18;
    pub const RECV_TIMEOUT: u8 = 19;
    pub const SEND_TIMEOUT: u8 = 20;
    pub const TTL: u8 = 23;
    pub const MULTICAST_TTL_V4: u8 = 24;
    pub const TYPE: u8 = 25;
    pub const PROTO: u8 = 26;
}

/// C-level constants of the libc overlay (`overlays/libc/files/src/wasi/wasix.rs`) that the pure
/// code needs; on the target `lib.rs` asserts each one equals the `libc` crate's value.
pub mod c {
    pub const AF_UNSPEC: i32 = 0;
    pub const AF_INET: i32 = 1;
    pub const AF_INET6: i32 = 2;
    pub const AF_UNIX: i32 = 3;
    pub const SOCK_STREAM: i32 = 1;
    pub const SOCK_DGRAM: i32 = 2;
    pub const SOCK_NONBLOCK: i32 = 0x4000;
    pub const SOCK_CLOEXEC: i32 = 0x2000;
    pub const SOL_SOCKET: i32 = 0x7fff_ffff;
    pub const IPPROTO_IP: i32 = 0;
    pub const IPPROTO_TCP: i32 = 6;
    pub const IPPROTO_UDP: i32 = 17;
    pub const IPPROTO_IPV6: i32 = 41;
    pub const TCP_NODELAY: i32 = 1;
    pub const IP_TTL: i32 = 2;
    pub const IP_MULTICAST_TTL: i32 = 33;
    pub const IP_MULTICAST_LOOP: i32 = 34;
    pub const IP_ADD_MEMBERSHIP: i32 = 35;
    pub const IP_DROP_MEMBERSHIP: i32 = 36;
    pub const IPV6_UNICAST_HOPS: i32 = 16;
    pub const IPV6_MULTICAST_LOOP: i32 = 19;
    pub const IPV6_JOIN_GROUP: i32 = 20;
    pub const IPV6_LEAVE_GROUP: i32 = 21;
    pub const IPV6_V6ONLY: i32 = 26;
    pub const MSG_PEEK: i32 = 0x2;
    pub const MSG_DONTWAIT: i32 = 0x40;
    pub const MSG_WAITALL: i32 = 0x100;
    pub const MSG_NOSIGNAL: i32 = 0x4000;
    pub const AI_PASSIVE: i32 = 0x01;
    pub const AI_CANONNAME: i32 = 0x02;
    pub const AI_NUMERICHOST: i32 = 0x04;
    pub const AI_V4MAPPED: i32 = 0x08;
    pub const AI_ALL: i32 = 0x10;
    pub const AI_ADDRCONFIG: i32 = 0x20;
    pub const AI_NUMERICSERV: i32 = 0x400;
    pub const EAI_BADFLAGS: i32 = -1;
    pub const EAI_NONAME: i32 = -2;
    pub const EAI_AGAIN: i32 = -3;
    pub const EAI_FAIL: i32 = -4;
    pub const EAI_NODATA: i32 = -5;
    pub const EAI_FAMILY: i32 = -6;
    pub const EAI_SOCKTYPE: i32 = -7;
    pub const EAI_SERVICE: i32 = -8;
    pub const EAI_MEMORY: i32 = -10;
    pub const EAI_SYSTEM: i32 = -11;
    pub const EAI_OVERFLOW: i32 = -12;
    pub const F_DUPFD: i32 = 0;
    pub const F_GETFD: i32 = 1;
    pub const F_SETFD: i32 = 2;
    pub const F_DUPFD_CLOEXEC: i32 = 6;
    pub const FD_CLOEXEC: i32 = 1;
    pub const O_NONBLOCK: i32 = 0x0004;
    pub const O_CLOEXEC: i32 = 0x4000_0000;
    pub const EPOLL_CLOEXEC: i32 = 0x4000_0000;
    pub const O_NOFOLLOW: i32 = 0x0100_0000;
    pub const O_RDONLY: i32 = 0x0400_0000;
    pub const O_WRONLY: i32 = 0x1000_0000;
    pub const WNOHANG: i32 = 1;
    pub const WUNTRACED: i32 = 2;
    pub const POSIX_SPAWN_RESETIDS: i32 = 0x01;
    pub const POSIX_SPAWN_SETPGROUP: i32 = 0x02;
    pub const POSIX_SPAWN_SETSIGDEF: i32 = 0x04;
    pub const POSIX_SPAWN_SETSIGMASK: i32 = 0x08;
    pub const POSIX_SPAWN_SETSCHEDPARAM: i32 = 0x10;
    pub const POSIX_SPAWN_SETSCHEDULER: i32 = 0x20;
    pub const POSIX_SPAWN_USEVFORK: i32 = 0x40;
    pub const POSIX_SPAWN_SETSID: i32 = 0x80;
    pub const SHUT_RD: i32 = 1;
    pub const SHUT_WR: i32 = 2;
    pub const NSIG: i32 = 65;
    pub const SC_NPROCESSORS_CONF: i32 = 83;
    pub const SC_NPROCESSORS_ONLN: i32 = 84;

    // sys/mman.h (musl / wasi-libc values; `mem::request` decodes them).
    pub const PROT_NONE: i32 = 0;
    pub const PROT_READ: i32 = 1;
    pub const PROT_WRITE: i32 = 2;
    pub const PROT_EXEC: i32 = 4;
    pub const MAP_SHARED: i32 = 0x01;
    pub const MAP_PRIVATE: i32 = 0x02;
    pub const MAP_SHARED_VALIDATE: i32 = 0x03;
    pub const MAP_TYPE: i32 = 0x0f;
    pub const MAP_FIXED: i32 = 0x10;
    pub const MAP_ANONYMOUS: i32 = 0x20;
    pub const MAP_GROWSDOWN: i32 = 0x0100;
    pub const MAP_DENYWRITE: i32 = 0x0800;
    pub const MAP_EXECUTABLE: i32 = 0x1000;
    pub const MAP_LOCKED: i32 = 0x2000;
    pub const MAP_NORESERVE: i32 = 0x4000;
    pub const MAP_POPULATE: i32 = 0x8000;
    pub const MAP_NONBLOCK: i32 = 0x1_0000;
    pub const MAP_STACK: i32 = 0x2_0000;
    pub const MAP_SYNC: i32 = 0x8_0000;
    pub const MAP_FIXED_NOREPLACE: i32 = 0x10_0000;
    pub const MS_ASYNC: i32 = 1;
    pub const MS_INVALIDATE: i32 = 2;
    pub const MS_SYNC: i32 = 4;
    pub const MADV_NORMAL: i32 = 0;
    pub const MADV_RANDOM: i32 = 1;
    pub const MADV_SEQUENTIAL: i32 = 2;
    pub const MADV_WILLNEED: i32 = 3;
    pub const MADV_DONTNEED: i32 = 4;
    pub const MADV_FREE: i32 = 8;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libwasix and the runtime keep their own copies of the ABI numbers; they must agree.
    #[test]
    fn agrees_with_the_runtime() {
        use wasix_runtime::abi::Errno as RtErrno;
        use wasix_runtime::abi::types::fdflags;
        use wasix_runtime::net::{addr, sockopt::sock_option as so};
        let errnos = [
            (Errno::ACCES, RtErrno::Acces),
            (Errno::AFNOSUPPORT, RtErrno::Afnosupport),
            (Errno::AGAIN, RtErrno::Again),
            (Errno::BADF, RtErrno::Badf),
            (Errno::CHILD, RtErrno::Child),
            (Errno::DEADLK, RtErrno::Deadlk),
            (Errno::FAULT, RtErrno::Fault),
            (Errno::INTR, RtErrno::Intr),
            (Errno::INVAL, RtErrno::Inval),
            (Errno::IO, RtErrno::Io),
            (Errno::NAMETOOLONG, RtErrno::Nametoolong),
            (Errno::NODEV, RtErrno::Nodev),
            (Errno::NOENT, RtErrno::Noent),
            (Errno::NOMEM, RtErrno::Nomem),
            (Errno::NOPROTOOPT, RtErrno::Noprotoopt),
            (Errno::NOSYS, RtErrno::Nosys),
            (Errno::NOTSUP, RtErrno::Notsup),
            (Errno::OVERFLOW, RtErrno::Overflow),
            (Errno::RANGE, RtErrno::Range),
            (Errno::SRCH, RtErrno::Srch),
        ];
        for (ours, runtime) in errnos {
            assert_eq!(ours.0, runtime as u16, "{runtime:?}");
        }
        let options = [
            (sockopt::REUSE_PORT, so::REUSE_PORT),
            (sockopt::REUSE_ADDR, so::REUSE_ADDR),
            (sockopt::NO_DELAY, so::NO_DELAY),
            (sockopt::DONT_ROUTE, so::DONT_ROUTE),
            (sockopt::ONLY_V6, so::ONLY_V6),
            (sockopt::BROADCAST, so::BROADCAST),
            (sockopt::MULTICAST_LOOP_V4, so::MULTICAST_LOOP_V4),
            (sockopt::MULTICAST_LOOP_V6, so::MULTICAST_LOOP_V6),
            (sockopt::LISTENING, so::LISTENING),
            (sockopt::LAST_ERROR, so::LAST_ERROR),
            (sockopt::KEEP_ALIVE, so::KEEP_ALIVE),
            (sockopt::LINGER, so::LINGER),
            (sockopt::OOB_INLINE, so::OOB_INLINE),
            (sockopt::RECV_BUF_SIZE, so::RECV_BUF_SIZE),
            (sockopt::SEND_BUF_SIZE, so::SEND_BUF_SIZE),
            (sockopt::RECV_LOWAT, so::RECV_LOWAT),
            (sockopt::SEND_LOWAT, so::SEND_LOWAT),
            (sockopt::RECV_TIMEOUT, so::RECV_TIMEOUT),
            (sockopt::SEND_TIMEOUT, so::SEND_TIMEOUT),
            (sockopt::TTL, so::TTL),
            (sockopt::MULTICAST_TTL_V4, so::MULTICAST_TTL_V4),
            (sockopt::TYPE, so::TYPE),
            (sockopt::PROTO, so::PROTO),
        ];
        for (i, (ours, runtime)) in options.into_iter().enumerate() {
            assert_eq!(u32::from(ours), runtime, "option #{i}");
        }
        assert_eq!(ADDR_PORT_SIZE, addr::ADDR_PORT_SIZE);
        assert_eq!(ADDR_IP_SIZE, addr::ADDR_IP_SIZE);
        assert_eq!(FDFLAGS_NONBLOCK, fdflags::NONBLOCK);
    }

    #[test]
    fn import_results() {
        let cases = [
            (0, Ok(())),
            (28, Err(Errno::INVAL)),
            (80, Err(Errno(80))),
            (-1, Err(Errno::INVAL)),
        ];
        for (ret, want) in cases {
            assert_eq!(Errno::result(ret), want, "ret {ret}");
        }
    }
}
