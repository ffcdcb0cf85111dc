//! WASIX additions to the wasi-libc definitions (`target_vendor = "wasmer"`), added by cargo-wasix.
//!
//! Replaces the wasip2 socket module for `wasm32-wasmer-wasi`. Values follow the WASIX ABI
//! (wasix-libc headers), not Linux: `AF_INET = 1`, `SOCK_STREAM = 1`, `SOL_SOCKET = 0x7fffffff`,
//! `SO_*` = WASIX `sock_option` indices, errno = WASI numbers (unchanged from `mod.rs`), signals
//! Linux-numbered. Most functions declared here are implemented by cargo-wasix's `libwasix`
//! (linked into std in front of wasi-libc), the rest by wasi-libc itself.
//!
//! Items that `mod.rs` also defines in some libc 0.2.x version shadow the glob re-export of
//! this module (Rust resolves explicit items before glob imports), so they must carry the same
//! value there; wrong ones (`sigset_t`, `O_CLOEXEC`) are gated off in `mod.rs` for wasmer.

use crate::prelude::*;

pub type sa_family_t = c_ushort;
pub type in_port_t = c_ushort;
pub type in_addr_t = c_uint;
pub type socklen_t = c_uint;
pub type sighandler_t = size_t;

s! {
    // wasi-libc declares the socket address structs with `aligned(__BIGGEST_ALIGNMENT__)`.
    #[repr(align(16))]
    pub struct sockaddr {
        pub sa_family: sa_family_t,
        pub sa_data: [c_char; 14],
    }

    pub struct in_addr {
        pub s_addr: in_addr_t,
    }

    #[repr(align(16))]
    pub struct sockaddr_in {
        pub sin_family: sa_family_t,
        pub sin_port: in_port_t,
        pub sin_addr: in_addr,
    }

    #[repr(align(4))]
    pub struct in6_addr {
        pub s6_addr: [c_uchar; 16],
    }

    #[repr(align(16))]
    pub struct sockaddr_in6 {
        pub sin6_family: sa_family_t,
        pub sin6_port: in_port_t,
        pub sin6_flowinfo: c_uint,
        pub sin6_addr: in6_addr,
        pub sin6_scope_id: c_uint,
    }

    pub struct sockaddr_un {
        pub sun_family: sa_family_t,
        pub sun_path: [c_char; 108],
    }

    #[repr(align(16))]
    pub struct sockaddr_storage {
        pub ss_family: sa_family_t,
        pub __ss_data: [c_char; 32],
    }

    pub struct addrinfo {
        pub ai_flags: c_int,
        pub ai_family: c_int,
        pub ai_socktype: c_int,
        pub ai_protocol: c_int,
        pub ai_addrlen: socklen_t,
        pub ai_addr: *mut sockaddr,
        pub ai_canonname: *mut c_char,
        pub ai_next: *mut addrinfo,
    }

    pub struct ip_mreq {
        pub imr_multiaddr: in_addr,
        pub imr_interface: in_addr,
    }

    pub struct ipv6_mreq {
        pub ipv6mr_multiaddr: in6_addr,
        pub ipv6mr_interface: c_uint,
    }

    pub struct linger {
        pub l_onoff: c_int,
        pub l_linger: c_int,
    }

    // WASIX `_NSIG` is 65: 64 signal bits, 8 bytes (not musl's 128-byte set).
    pub struct sigset_t {
        #[cfg(target_pointer_width = "32")]
        __val: [c_ulong; 2],
        #[cfg(target_pointer_width = "64")]
        __val: [c_ulong; 1],
    }

    // musl layout of `posix_spawnattr_t`, with the 8-byte WASIX sigset.
    pub struct posix_spawnattr_t {
        __flags: c_int,
        __pgrp: crate::pid_t,
        __def: sigset_t,
        __mask: sigset_t,
        __prio: c_int,
        __pol: c_int,
        __fn: *mut c_void,
        __pad: [c_char; 60],
    }

    // musl layout of `posix_spawn_file_actions_t`; libwasix keeps its list in `__actions`.
    pub struct posix_spawn_file_actions_t {
        __pad0: [c_int; 2],
        __actions: *mut c_void,
        __pad: [c_int; 16],
    }

    // The C side of epoll (libwasix converts it to WASIX's 32-byte record).
    pub struct epoll_event {
        pub events: u32,
        pub u64: u64,
    }

    // musl's `struct sigaction` with the 8-byte WASIX sigset (libwasix keeps the handlers).
    pub struct sigaction {
        pub sa_sigaction: sighandler_t,
        pub sa_mask: sigset_t,
        pub sa_flags: c_int,
        pub sa_restorer: Option<extern "C" fn()>,
    }

    // `setitimer`/`getitimer` (libwasix, over `proc_raise_interval`).
    pub struct itimerval {
        pub it_interval: crate::timeval,
        pub it_value: crate::timeval,
    }

    // musl's 128-byte `siginfo_t`; libwasix fills in `si_signo`.
    pub struct siginfo_t {
        pub si_signo: c_int,
        pub si_errno: c_int,
        pub si_code: c_int,
        __pad: [c_int; 29],
    }
}

// Compile-time layout checks: the records without pointers, for both widths.
const _: () = {
    core::assert!(size_of::<sockaddr>() == 16);
    core::assert!(size_of::<itimerval>() == 32);
    core::assert!(size_of::<sockaddr_in>() == 16);
    core::assert!(size_of::<sockaddr_in6>() == 32);
    core::assert!(core::mem::offset_of!(sockaddr_in6, sin6_addr) == 8);
    core::assert!(core::mem::offset_of!(sockaddr_in6, sin6_scope_id) == 24);
    core::assert!(size_of::<sockaddr_un>() == 110);
    core::assert!(size_of::<sockaddr_storage>() == 48);
    core::assert!(align_of::<sockaddr_storage>() == 16);
    core::assert!(size_of::<in6_addr>() == 16);
    core::assert!(size_of::<sigset_t>() == 8);
    core::assert!(size_of::<siginfo_t>() == 128);
    core::assert!(size_of::<linger>() == 8);
};

// The records with pointers: the wasix-libc / musl numbers for wasm32.
#[cfg(target_pointer_width = "32")]
const _: () = {
    core::assert!(size_of::<addrinfo>() == 32);
    core::assert!(core::mem::offset_of!(addrinfo, ai_addr) == 20);
    core::assert!(core::mem::offset_of!(addrinfo, ai_next) == 28);
    core::assert!(size_of::<posix_spawnattr_t>() == 96);
    core::assert!(size_of::<posix_spawn_file_actions_t>() == 76);
};

// wasm64 (LP64, musl's 64-bit layouts; there is no wasm64 wasix-libc, libwasix is the libc:
// docs/wasm64.md).
#[cfg(target_pointer_width = "64")]
const _: () = {
    core::assert!(size_of::<addrinfo>() == 48);
    core::assert!(core::mem::offset_of!(addrinfo, ai_addr) == 24);
    core::assert!(core::mem::offset_of!(addrinfo, ai_next) == 40);
    core::assert!(size_of::<posix_spawnattr_t>() == 104);
    core::assert!(size_of::<posix_spawn_file_actions_t>() == 80);
};

// Address families: WASIX `address_family` values.
pub const AF_UNSPEC: c_int = 0;
pub const AF_INET: c_int = 1;
pub const AF_INET6: c_int = 2;
pub const AF_UNIX: c_int = 3;
pub const AF_LOCAL: c_int = AF_UNIX;
pub const PF_UNSPEC: c_int = AF_UNSPEC;
pub const PF_INET: c_int = AF_INET;
pub const PF_INET6: c_int = AF_INET6;
pub const PF_UNIX: c_int = AF_UNIX;
pub const PF_LOCAL: c_int = AF_UNIX;

// Socket types: WASIX `sock_type` values, plus the C-level flags libwasix strips and applies.
pub const SOCK_STREAM: c_int = 1;
pub const SOCK_DGRAM: c_int = 2;
pub const SOCK_RAW: c_int = 3;
pub const SOCK_SEQPACKET: c_int = 4;
pub const SOCK_NONBLOCK: c_int = 0x4000;
pub const SOCK_CLOEXEC: c_int = 0x2000;

pub const SOL_SOCKET: c_int = 0x7fffffff;

// `SO_*` are WASIX `sock_option` indices (libwasix maps them to sock_{get,set}_opt_*).
pub const SO_REUSEPORT: c_int = 1;
pub const SO_REUSEADDR: c_int = 2;
pub const SO_DONTROUTE: c_int = 4;
pub const SO_BROADCAST: c_int = 6;
pub const SO_ACCEPTCONN: c_int = 10;
pub const SO_ERROR: c_int = 11;
pub const SO_KEEPALIVE: c_int = 12;
pub const SO_LINGER: c_int = 13;
pub const SO_OOBINLINE: c_int = 14;
pub const SO_RCVBUF: c_int = 15;
pub const SO_SNDBUF: c_int = 16;
pub const SO_RCVLOWAT: c_int = 17;
pub const SO_SNDLOWAT: c_int = 18;
pub const SO_RCVTIMEO: c_int = 19;
pub const SO_SNDTIMEO: c_int = 20;
pub const SO_TYPE: c_int = 25;
pub const SO_PROTOCOL: c_int = 26;

pub const SHUT_RD: c_int = 1;
pub const SHUT_WR: c_int = 2;
pub const SHUT_RDWR: c_int = SHUT_RD | SHUT_WR;

pub const MSG_OOB: c_int = 0x0001;
pub const MSG_PEEK: c_int = 0x0002;
pub const MSG_DONTROUTE: c_int = 0x0004;
pub const MSG_TRUNC: c_int = 0x0020;
pub const MSG_DONTWAIT: c_int = 0x0040;
pub const MSG_WAITALL: c_int = 0x0100;
pub const MSG_NOSIGNAL: c_int = 0x4000;
pub const MSG_CMSG_CLOEXEC: c_int = 0x40000000;

pub const IPPROTO_IP: c_int = 0;
pub const IPPROTO_ICMP: c_int = 1;
pub const IPPROTO_TCP: c_int = 6;
pub const IPPROTO_UDP: c_int = 17;
pub const IPPROTO_IPV6: c_int = 41;
pub const IPPROTO_ICMPV6: c_int = 58;
pub const IPPROTO_RAW: c_int = 255;

pub const IP_TTL: c_int = 2;
pub const IP_MULTICAST_TTL: c_int = 33;
pub const IP_MULTICAST_LOOP: c_int = 34;
pub const IP_ADD_MEMBERSHIP: c_int = 35;
pub const IP_DROP_MEMBERSHIP: c_int = 36;

pub const IPV6_UNICAST_HOPS: c_int = 16;
pub const IPV6_MULTICAST_LOOP: c_int = 19;
// WASIX has no multicast hop-limit option: the constant (Linux's value) exists because std's
// socket backend names it from Rust 1.101 (`UdpSocket::set_multicast_hop_limit_v6`), and
// `setsockopt` answers ENOPROTOOPT for it (libwasix), as for every option it does not map.
pub const IPV6_MULTICAST_HOPS: c_int = 18;
pub const IPV6_JOIN_GROUP: c_int = 20;
pub const IPV6_LEAVE_GROUP: c_int = 21;
pub const IPV6_V6ONLY: c_int = 26;
pub const IPV6_ADD_MEMBERSHIP: c_int = IPV6_JOIN_GROUP;
pub const IPV6_DROP_MEMBERSHIP: c_int = IPV6_LEAVE_GROUP;

pub const TCP_NODELAY: c_int = 1;
// WASIX has no TCP keepalive tuning: these exist so code written for them compiles, and
// `setsockopt` answers ENOPROTOOPT for them (libwasix), as POSIX says for unknown options.
pub const TCP_KEEPIDLE: c_int = 4;
pub const TCP_KEEPINTVL: c_int = 5;
pub const TCP_KEEPCNT: c_int = 6;

// epoll (libwasix over the WASIX epoll calls). The event bits are WASIX's `epoll_type`
// values; the ones WASIX has no counterpart for are 0. `EPOLL_CTL_*` are the values both
// Wasmer and our runtime decode alike (ADD 0, DEL 2, MOD 3).
pub const EPOLLIN: c_int = 0x1;
pub const EPOLLOUT: c_int = 0x2;
pub const EPOLLRDHUP: c_int = 0x4;
pub const EPOLLPRI: c_int = 0x8;
pub const EPOLLERR: c_int = 0x10;
pub const EPOLLHUP: c_int = 0x20;
pub const EPOLLET: c_int = 0x40;
pub const EPOLLONESHOT: c_int = 0x80;
pub const EPOLLRDNORM: c_int = 0;
pub const EPOLLRDBAND: c_int = 0;
pub const EPOLLWRNORM: c_int = 0;
pub const EPOLLWRBAND: c_int = 0;
pub const EPOLLMSG: c_int = 0;
pub const EPOLLWAKEUP: c_int = 0;
pub const EPOLLEXCLUSIVE: c_int = 0;
pub const EPOLL_CLOEXEC: c_int = 0x4000_0000;
pub const EPOLL_CTL_ADD: c_int = 0;
pub const EPOLL_CTL_DEL: c_int = 2;
pub const EPOLL_CTL_MOD: c_int = 3;

pub const INADDR_ANY: in_addr_t = 0;
pub const INADDR_LOOPBACK: in_addr_t = 0x7f000001;
pub const INADDR_BROADCAST: in_addr_t = 0xffffffff;
pub const INADDR_NONE: in_addr_t = 0xffffffff;

// getaddrinfo (musl values).
pub const AI_PASSIVE: c_int = 0x01;
pub const AI_CANONNAME: c_int = 0x02;
pub const AI_NUMERICHOST: c_int = 0x04;
pub const AI_V4MAPPED: c_int = 0x08;
pub const AI_ALL: c_int = 0x10;
pub const AI_ADDRCONFIG: c_int = 0x20;
pub const AI_NUMERICSERV: c_int = 0x400;
pub const EAI_BADFLAGS: c_int = -1;
pub const EAI_NONAME: c_int = -2;
pub const EAI_AGAIN: c_int = -3;
pub const EAI_FAIL: c_int = -4;
pub const EAI_NODATA: c_int = -5;
pub const EAI_FAMILY: c_int = -6;
pub const EAI_SOCKTYPE: c_int = -7;
pub const EAI_SERVICE: c_int = -8;
pub const EAI_MEMORY: c_int = -10;
pub const EAI_SYSTEM: c_int = -11;
pub const EAI_OVERFLOW: c_int = -12;

// fcntl commands handled by libwasix's `__wrap_fcntl` (wasix-libc values); F_GETFD..F_SETFL
// (1..4) and FD_CLOEXEC come from `mod.rs`.
pub const F_DUPFD: c_int = 0;
pub const F_DUPFD_CLOEXEC: c_int = 6;

// wasix-libc's `O_CLOEXEC`; wasi-libc's `open` ignores the bit (it is outside its masks).
pub const O_CLOEXEC: c_int = 0x40000000;

pub const _SC_NPROCESSORS_CONF: c_int = 83;
pub const _SC_NPROCESSORS_ONLN: c_int = 84;

// Signals: Linux numbering (WASIX `signal` enum).
pub const SIGHUP: c_int = 1;
pub const SIGINT: c_int = 2;
pub const SIGQUIT: c_int = 3;
pub const SIGILL: c_int = 4;
pub const SIGTRAP: c_int = 5;
pub const SIGABRT: c_int = 6;
pub const SIGIOT: c_int = SIGABRT;
pub const SIGBUS: c_int = 7;
pub const SIGFPE: c_int = 8;
pub const SIGKILL: c_int = 9;
pub const SIGUSR1: c_int = 10;
pub const SIGSEGV: c_int = 11;
pub const SIGUSR2: c_int = 12;
pub const SIGPIPE: c_int = 13;
pub const SIGALRM: c_int = 14;
pub const SIGTERM: c_int = 15;
pub const SIGSTKFLT: c_int = 16;
pub const SIGCHLD: c_int = 17;
pub const SIGCONT: c_int = 18;
pub const SIGSTOP: c_int = 19;
pub const SIGTSTP: c_int = 20;
pub const SIGTTIN: c_int = 21;
pub const SIGTTOU: c_int = 22;
pub const SIGURG: c_int = 23;
pub const SIGXCPU: c_int = 24;
pub const SIGXFSZ: c_int = 25;
pub const SIGVTALRM: c_int = 26;
pub const SIGPROF: c_int = 27;
pub const SIGWINCH: c_int = 28;
pub const SIGPOLL: c_int = 29;
pub const SIGIO: c_int = SIGPOLL;
pub const SIGPWR: c_int = 30;
pub const SIGSYS: c_int = 31;
pub const NSIG: c_int = 65;

pub const SIG_DFL: sighandler_t = 0;
pub const SIG_IGN: sighandler_t = 1;
pub const SIG_ERR: sighandler_t = !0;

// sigaction flags (musl values).
pub const SA_NOCLDSTOP: c_int = 1;
pub const SA_NOCLDWAIT: c_int = 2;
pub const SA_SIGINFO: c_int = 4;
pub const SA_ONSTACK: c_int = 0x0800_0000;
pub const SA_RESTART: c_int = 0x1000_0000;
pub const SA_NODEFER: c_int = 0x4000_0000;
pub const SA_RESETHAND: c_int = 0x8000_0000_u32 as c_int;

pub const SIG_BLOCK: c_int = 0;
pub const SIG_UNBLOCK: c_int = 1;
pub const SIG_SETMASK: c_int = 2;

// waitpid options (mapped onto WASIX `join_flags`).
pub const WNOHANG: c_int = 1;
pub const WUNTRACED: c_int = 2;

pub const POSIX_SPAWN_RESETIDS: c_int = 0x01;
pub const POSIX_SPAWN_SETPGROUP: c_int = 0x02;
pub const POSIX_SPAWN_SETSIGDEF: c_int = 0x04;
pub const POSIX_SPAWN_SETSIGMASK: c_int = 0x08;
pub const POSIX_SPAWN_SETSCHEDPARAM: c_int = 0x10;
pub const POSIX_SPAWN_SETSCHEDULER: c_int = 0x20;
pub const POSIX_SPAWN_USEVFORK: c_int = 0x40;
pub const POSIX_SPAWN_SETSID: c_int = 0x80;

// Wait status decoding, musl encoding (libwasix's waitpid produces it from WASIX join_status).
#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WEXITSTATUS(status: c_int) -> c_int {
    (status & 0xff00) >> 8
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WTERMSIG(status: c_int) -> c_int {
    status & 0x7f
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WSTOPSIG(status: c_int) -> c_int {
    WEXITSTATUS(status)
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WIFEXITED(status: c_int) -> bool {
    WTERMSIG(status) == 0
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WIFSTOPPED(status: c_int) -> bool {
    ((((status & 0xffff) as c_uint) * 0x10001) >> 8) > 0x7f00
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WIFSIGNALED(status: c_int) -> bool {
    ((status & 0xffff) as c_uint).wrapping_sub(1) < 0xff
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WCOREDUMP(status: c_int) -> bool {
    (status & 0x80) != 0
}

#[allow(non_snake_case)]
#[inline]
pub const extern "C" fn WIFCONTINUED(status: c_int) -> bool {
    status == 0xffff
}

extern "C" {
    // Sockets (libwasix over wasix_32v1 sock_*); `send`, `recv` and `shutdown` are declared in
    // `mod.rs` (libwasix replaces wasi-libc's versions).
    pub fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int;
    pub fn socketpair(domain: c_int, ty: c_int, protocol: c_int, sv: *mut c_int) -> c_int;
    pub fn bind(socket: c_int, address: *const sockaddr, address_len: socklen_t) -> c_int;
    pub fn connect(socket: c_int, address: *const sockaddr, len: socklen_t) -> c_int;
    pub fn listen(socket: c_int, backlog: c_int) -> c_int;
    pub fn accept(socket: c_int, address: *mut sockaddr, address_len: *mut socklen_t) -> c_int;
    pub fn accept4(
        socket: c_int,
        address: *mut sockaddr,
        address_len: *mut socklen_t,
        flags: c_int,
    ) -> c_int;
    pub fn getsockname(socket: c_int, address: *mut sockaddr, address_len: *mut socklen_t)
        -> c_int;
    pub fn getpeername(socket: c_int, address: *mut sockaddr, address_len: *mut socklen_t)
        -> c_int;
    pub fn getsockopt(
        socket: c_int,
        level: c_int,
        name: c_int,
        value: *mut c_void,
        option_len: *mut socklen_t,
    ) -> c_int;
    pub fn setsockopt(
        socket: c_int,
        level: c_int,
        name: c_int,
        value: *const c_void,
        option_len: socklen_t,
    ) -> c_int;
    pub fn sendto(
        socket: c_int,
        buf: *const c_void,
        len: size_t,
        flags: c_int,
        addr: *const sockaddr,
        addrlen: socklen_t,
    ) -> ssize_t;
    pub fn recvfrom(
        socket: c_int,
        buf: *mut c_void,
        len: size_t,
        flags: c_int,
        addr: *mut sockaddr,
        addrlen: *mut socklen_t,
    ) -> ssize_t;

    // epoll (libwasix over the WASIX epoll calls).
    pub fn epoll_create(size: c_int) -> c_int;
    pub fn epoll_create1(flags: c_int) -> c_int;
    pub fn epoll_ctl(epfd: c_int, op: c_int, fd: c_int, event: *mut epoll_event) -> c_int;
    pub fn epoll_wait(
        epfd: c_int,
        events: *mut epoll_event,
        maxevents: c_int,
        timeout: c_int,
    ) -> c_int;

    // Name resolution (libwasix over wasix_32v1 `resolve`).
    pub fn getaddrinfo(
        node: *const c_char,
        service: *const c_char,
        hints: *const addrinfo,
        res: *mut *mut addrinfo,
    ) -> c_int;
    pub fn freeaddrinfo(res: *mut addrinfo);
    pub fn gai_strerror(errcode: c_int) -> *const c_char;

    // File descriptors (libwasix over fd_pipe / fd_dup / fd_dup2 / fd_renumber).
    pub fn pipe(fds: *mut c_int) -> c_int;
    pub fn pipe2(fds: *mut c_int, flags: c_int) -> c_int;
    pub fn dup(fd: c_int) -> c_int;
    pub fn dup2(src: c_int, dst: c_int) -> c_int;
    pub fn dup3(src: c_int, dst: c_int, flags: c_int) -> c_int;

    // Processes (libwasix over proc_spawn2 / proc_join / proc_signal / proc_id / proc_parent).
    pub fn getpid() -> crate::pid_t;
    pub fn getppid() -> crate::pid_t;
    pub fn kill(pid: crate::pid_t, sig: c_int) -> c_int;
    pub fn wait(status: *mut c_int) -> crate::pid_t;
    pub fn waitpid(pid: crate::pid_t, status: *mut c_int, options: c_int) -> crate::pid_t;
    pub fn posix_spawn(
        pid: *mut crate::pid_t,
        path: *const c_char,
        file_actions: *const posix_spawn_file_actions_t,
        attrp: *const posix_spawnattr_t,
        argv: *const *mut c_char,
        envp: *const *mut c_char,
    ) -> c_int;
    pub fn posix_spawnp(
        pid: *mut crate::pid_t,
        file: *const c_char,
        file_actions: *const posix_spawn_file_actions_t,
        attrp: *const posix_spawnattr_t,
        argv: *const *mut c_char,
        envp: *const *mut c_char,
    ) -> c_int;
    pub fn posix_spawnattr_init(attr: *mut posix_spawnattr_t) -> c_int;
    pub fn posix_spawnattr_destroy(attr: *mut posix_spawnattr_t) -> c_int;
    pub fn posix_spawnattr_getflags(attr: *const posix_spawnattr_t, flags: *mut c_short) -> c_int;
    pub fn posix_spawnattr_setflags(attr: *mut posix_spawnattr_t, flags: c_short) -> c_int;
    pub fn posix_spawnattr_getpgroup(
        attr: *const posix_spawnattr_t,
        pgroup: *mut crate::pid_t,
    ) -> c_int;
    pub fn posix_spawnattr_setpgroup(attr: *mut posix_spawnattr_t, pgroup: crate::pid_t) -> c_int;
    pub fn posix_spawnattr_getsigdefault(
        attr: *const posix_spawnattr_t,
        default: *mut sigset_t,
    ) -> c_int;
    pub fn posix_spawnattr_setsigdefault(
        attr: *mut posix_spawnattr_t,
        default: *const sigset_t,
    ) -> c_int;
    pub fn posix_spawnattr_getsigmask(
        attr: *const posix_spawnattr_t,
        default: *mut sigset_t,
    ) -> c_int;
    pub fn posix_spawnattr_setsigmask(
        attr: *mut posix_spawnattr_t,
        default: *const sigset_t,
    ) -> c_int;
    pub fn posix_spawn_file_actions_init(actions: *mut posix_spawn_file_actions_t) -> c_int;
    pub fn posix_spawn_file_actions_destroy(actions: *mut posix_spawn_file_actions_t) -> c_int;
    pub fn posix_spawn_file_actions_addopen(
        actions: *mut posix_spawn_file_actions_t,
        fd: c_int,
        path: *const c_char,
        oflag: c_int,
        mode: crate::mode_t,
    ) -> c_int;
    pub fn posix_spawn_file_actions_addclose(
        actions: *mut posix_spawn_file_actions_t,
        fd: c_int,
    ) -> c_int;
    pub fn posix_spawn_file_actions_adddup2(
        actions: *mut posix_spawn_file_actions_t,
        fd: c_int,
        newfd: c_int,
    ) -> c_int;
    pub fn posix_spawn_file_actions_addchdir_np(
        actions: *mut posix_spawn_file_actions_t,
        path: *const c_char,
    ) -> c_int;
    pub fn posix_spawn_file_actions_addfchdir_np(
        actions: *mut posix_spawn_file_actions_t,
        fd: c_int,
    ) -> c_int;

    // Signal sets (pure functions in libwasix; wasi-libc has none).
    pub fn sigemptyset(set: *mut sigset_t) -> c_int;
    pub fn sigfillset(set: *mut sigset_t) -> c_int;
    pub fn sigaddset(set: *mut sigset_t, signum: c_int) -> c_int;
    pub fn sigdelset(set: *mut sigset_t, signum: c_int) -> c_int;
    pub fn sigismember(set: *const sigset_t, signum: c_int) -> c_int;

    // Handlers (libwasix: one dispatcher registered with `callback_signal`).
    pub fn sigaction(signum: c_int, act: *const sigaction, oldact: *mut sigaction) -> c_int;
    pub fn signal(signum: c_int, handler: sighandler_t) -> sighandler_t;
    pub fn raise(signum: c_int) -> c_int;
    pub fn sigprocmask(how: c_int, set: *const sigset_t, oldset: *mut sigset_t) -> c_int;
    pub fn pthread_sigmask(how: c_int, set: *const sigset_t, oldset: *mut sigset_t) -> c_int;

    // Interval timers (libwasix over `proc_raise_interval`; only `ITIMER_REAL`).
    pub fn alarm(seconds: c_uint) -> c_uint;
    pub fn setitimer(which: c_int, new: *const itimerval, old: *mut itimerval) -> c_int;
    pub fn getitimer(which: c_int, curr: *mut itimerval) -> c_int;

    // No fork in this runtime: libwasix's `fork`/`vfork` fail with ENOSYS (the runtime says
    // why on stderr); `posix_spawn` starts children.
    pub fn fork() -> crate::pid_t;
    pub fn vfork() -> crate::pid_t;
}

pub const ITIMER_REAL: c_int = 0;
pub const ITIMER_VIRTUAL: c_int = 1;
pub const ITIMER_PROF: c_int = 2;

// ---- sys/mman.h (cargo-wasix issue 18): memory mappings, emulated in linear memory by
// libwasix (`libwasix/src/mem/`). Values are musl's / wasi-libc's. WASIX has no mmap: a
// mapping is a page-aligned block of the C heap filled from the file; `MAP_SHARED` changes
// reach the file on `msync`/`munmap` only. Protections are recorded, not enforced. ----

pub const PROT_NONE: c_int = 0;
pub const PROT_READ: c_int = 1;
pub const PROT_WRITE: c_int = 2;
pub const PROT_EXEC: c_int = 4;

pub const MAP_FILE: c_int = 0;
pub const MAP_SHARED: c_int = 0x01;
pub const MAP_PRIVATE: c_int = 0x02;
pub const MAP_SHARED_VALIDATE: c_int = 0x03;
pub const MAP_TYPE: c_int = 0x0f;
pub const MAP_FIXED: c_int = 0x10;
pub const MAP_ANON: c_int = 0x20;
pub const MAP_ANONYMOUS: c_int = MAP_ANON;
pub const MAP_GROWSDOWN: c_int = 0x0100;
pub const MAP_DENYWRITE: c_int = 0x0800;
pub const MAP_EXECUTABLE: c_int = 0x1000;
pub const MAP_LOCKED: c_int = 0x2000;
pub const MAP_NORESERVE: c_int = 0x4000;
pub const MAP_POPULATE: c_int = 0x8000;
pub const MAP_NONBLOCK: c_int = 0x1_0000;
pub const MAP_STACK: c_int = 0x2_0000;
pub const MAP_SYNC: c_int = 0x8_0000;
pub const MAP_FIXED_NOREPLACE: c_int = 0x10_0000;
pub const MAP_FAILED: *mut c_void = !0 as *mut c_void;

pub const MS_ASYNC: c_int = 1;
pub const MS_INVALIDATE: c_int = 2;
pub const MS_SYNC: c_int = 4;

pub const MCL_CURRENT: c_int = 1;
pub const MCL_FUTURE: c_int = 2;
pub const MCL_ONFAULT: c_int = 4;

pub const MADV_NORMAL: c_int = 0;
pub const MADV_RANDOM: c_int = 1;
pub const MADV_SEQUENTIAL: c_int = 2;
pub const MADV_WILLNEED: c_int = 3;
pub const MADV_DONTNEED: c_int = 4;
pub const MADV_FREE: c_int = 8;

pub const POSIX_MADV_NORMAL: c_int = 0;
pub const POSIX_MADV_RANDOM: c_int = 1;
pub const POSIX_MADV_SEQUENTIAL: c_int = 2;
pub const POSIX_MADV_WILLNEED: c_int = 3;
pub const POSIX_MADV_DONTNEED: c_int = 4;

extern "C" {
    pub fn mmap(
        addr: *mut c_void,
        len: size_t,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        offset: crate::off_t,
    ) -> *mut c_void;
    pub fn munmap(addr: *mut c_void, len: size_t) -> c_int;
    pub fn msync(addr: *mut c_void, len: size_t, flags: c_int) -> c_int;
    pub fn mprotect(addr: *mut c_void, len: size_t, prot: c_int) -> c_int;
    pub fn madvise(addr: *mut c_void, len: size_t, advice: c_int) -> c_int;
    pub fn posix_madvise(addr: *mut c_void, len: size_t, advice: c_int) -> c_int;
    pub fn mlock(addr: *const c_void, len: size_t) -> c_int;
    pub fn munlock(addr: *const c_void, len: size_t) -> c_int;
    pub fn mlockall(flags: c_int) -> c_int;
    pub fn munlockall() -> c_int;
}
// ---- end of sys/mman.h ----
