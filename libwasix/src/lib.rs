//! libwasix: the WASIX POSIX layer — C-ABI functions (sockets, getaddrinfo, pipe, dup, fcntl
//! additions, posix_spawn, waitpid, kill, getpid, chdir/getcwd, sysconf additions, mmap emulated
//! in linear memory) written in Rust over `wasix_32v1` imports.
//!
//! It is built inside the cargo-wasix sysroot as a dependency of `std` (which links it with
//! `extern crate libwasix as _;`), so it sits in front of wasi-libc's `libc.a` on the link
//! line. Functions libc.a does not have are simply defined here; the libc members whose WASIX
//! meaning differs are replaced whole (`replaced-libc-members.txt`); `chdir`, `getcwd`,
//! `fcntl` and `sysconf` are wrapped (`--wrap=` in the target spec) so libc's versions keep
//! working underneath. Layering facts: `reference/libwasix-layering.md`.
//!
//! Layout: the marshalling (`abi`, `net::{addr, opt, gai}`, `process::encode`, the pure parts
//! of `io::*`) is target-independent and unit-tested on the host with `cargo test -p libwasix`;
//! the exports and imports (`sys`, `errno`, ...) only exist on wasm32.

#![cfg_attr(not(test), no_std)]
// libc64 (wasm64 only) keeps errno in a `#[thread_local]`, traps with `wasm64::unreachable` and
// enters new threads through wasm assembly; inside the sysroot build, as for std itself,
// unstable features are allowed.
#![cfg_attr(
    target_arch = "wasm64",
    feature(thread_local, simd_wasm64, asm_experimental_arch)
)]
// The pure helpers are only called from the wasm32 exports.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod abi;
#[cfg(target_family = "wasm")]
mod cbuf;
mod io;
mod mem;
mod net;
mod process;
mod tz;
// The wasm64 libc (docs/wasm64.md); its pure rules are tested on the host.
mod libc64;
mod locked;
// The libm sources libc64's math exports compile expect their `support` module at the crate
// root (as compiler-builtins arranges for itself).
#[cfg(target_arch = "wasm64")]
use libc64::exports::math::libm_math::support;

#[cfg(target_arch = "wasm32")]
mod conf;
#[cfg(target_arch = "wasm32")]
mod cwd;
#[cfg(target_family = "wasm")]
mod errno;
#[cfg(target_family = "wasm")]
mod sys;
mod wrapped;

/// Proves at compile time that each export has exactly the signature the patched `libc`
/// crate declares (an array of two distinct fn items only coerces when the signatures match).
#[cfg(target_family = "wasm")]
macro_rules! same_signature_as_libc {
    ($($name:ident),+ $(,)?) => {
        $(const _: () = {
            let _ = [libc::$name, $name];
        };)+
    };
}
#[cfg(target_family = "wasm")]
pub(crate) use same_signature_as_libc;

/// The pure code's copies of the overlay's C constants must equal the `libc` crate's.
#[cfg(target_family = "wasm")]
const _: () = {
    use abi::c;
    macro_rules! eq {
        ($($ours:ident = $theirs:ident),+ $(,)?) => { $(assert!(c::$ours == libc::$theirs);)+ };
    }
    eq!(
        AF_UNSPEC = AF_UNSPEC,
        AF_INET = AF_INET,
        AF_INET6 = AF_INET6,
        AF_UNIX = AF_UNIX,
        SOCK_STREAM = SOCK_STREAM,
        SOCK_DGRAM = SOCK_DGRAM,
        SOCK_NONBLOCK = SOCK_NONBLOCK,
        SOCK_CLOEXEC = SOCK_CLOEXEC,
        SOL_SOCKET = SOL_SOCKET,
        IPPROTO_IP = IPPROTO_IP,
        IPPROTO_TCP = IPPROTO_TCP,
        IPPROTO_UDP = IPPROTO_UDP,
        IPPROTO_IPV6 = IPPROTO_IPV6,
        TCP_NODELAY = TCP_NODELAY,
        EPOLL_CLOEXEC = EPOLL_CLOEXEC,
        IP_TTL = IP_TTL,
        IP_MULTICAST_TTL = IP_MULTICAST_TTL,
        IP_MULTICAST_LOOP = IP_MULTICAST_LOOP,
        IP_ADD_MEMBERSHIP = IP_ADD_MEMBERSHIP,
        IP_DROP_MEMBERSHIP = IP_DROP_MEMBERSHIP,
        IPV6_UNICAST_HOPS = IPV6_UNICAST_HOPS,
        IPV6_MULTICAST_LOOP = IPV6_MULTICAST_LOOP,
        IPV6_JOIN_GROUP = IPV6_JOIN_GROUP,
        IPV6_LEAVE_GROUP = IPV6_LEAVE_GROUP,
        IPV6_V6ONLY = IPV6_V6ONLY,
        MSG_PEEK = MSG_PEEK,
        MSG_DONTWAIT = MSG_DONTWAIT,
        MSG_WAITALL = MSG_WAITALL,
        MSG_NOSIGNAL = MSG_NOSIGNAL,
        AI_PASSIVE = AI_PASSIVE,
        AI_CANONNAME = AI_CANONNAME,
        AI_NUMERICHOST = AI_NUMERICHOST,
        AI_V4MAPPED = AI_V4MAPPED,
        AI_ALL = AI_ALL,
        AI_ADDRCONFIG = AI_ADDRCONFIG,
        AI_NUMERICSERV = AI_NUMERICSERV,
        EAI_BADFLAGS = EAI_BADFLAGS,
        EAI_NONAME = EAI_NONAME,
        EAI_AGAIN = EAI_AGAIN,
        EAI_FAIL = EAI_FAIL,
        EAI_NODATA = EAI_NODATA,
        EAI_FAMILY = EAI_FAMILY,
        EAI_SOCKTYPE = EAI_SOCKTYPE,
        EAI_SERVICE = EAI_SERVICE,
        EAI_MEMORY = EAI_MEMORY,
        EAI_SYSTEM = EAI_SYSTEM,
        EAI_OVERFLOW = EAI_OVERFLOW,
        F_DUPFD = F_DUPFD,
        F_GETFD = F_GETFD,
        F_SETFD = F_SETFD,
        F_DUPFD_CLOEXEC = F_DUPFD_CLOEXEC,
        FD_CLOEXEC = FD_CLOEXEC,
        O_NONBLOCK = O_NONBLOCK,
        O_CLOEXEC = O_CLOEXEC,
        O_NOFOLLOW = O_NOFOLLOW,
        O_RDONLY = O_RDONLY,
        O_WRONLY = O_WRONLY,
        WNOHANG = WNOHANG,
        WUNTRACED = WUNTRACED,
        POSIX_SPAWN_RESETIDS = POSIX_SPAWN_RESETIDS,
        POSIX_SPAWN_SETPGROUP = POSIX_SPAWN_SETPGROUP,
        POSIX_SPAWN_SETSIGDEF = POSIX_SPAWN_SETSIGDEF,
        POSIX_SPAWN_SETSIGMASK = POSIX_SPAWN_SETSIGMASK,
        POSIX_SPAWN_SETSCHEDPARAM = POSIX_SPAWN_SETSCHEDPARAM,
        POSIX_SPAWN_SETSCHEDULER = POSIX_SPAWN_SETSCHEDULER,
        POSIX_SPAWN_USEVFORK = POSIX_SPAWN_USEVFORK,
        POSIX_SPAWN_SETSID = POSIX_SPAWN_SETSID,
        SHUT_RD = SHUT_RD,
        SHUT_WR = SHUT_WR,
        NSIG = NSIG,
        SC_NPROCESSORS_CONF = _SC_NPROCESSORS_CONF,
        SC_NPROCESSORS_ONLN = _SC_NPROCESSORS_ONLN,
        // sys/mman.h (issue 18)
        PROT_NONE = PROT_NONE,
        PROT_READ = PROT_READ,
        PROT_WRITE = PROT_WRITE,
        PROT_EXEC = PROT_EXEC,
        MAP_SHARED = MAP_SHARED,
        MAP_PRIVATE = MAP_PRIVATE,
        MAP_SHARED_VALIDATE = MAP_SHARED_VALIDATE,
        MAP_TYPE = MAP_TYPE,
        MAP_FIXED = MAP_FIXED,
        MAP_ANONYMOUS = MAP_ANONYMOUS,
        MAP_GROWSDOWN = MAP_GROWSDOWN,
        MAP_DENYWRITE = MAP_DENYWRITE,
        MAP_EXECUTABLE = MAP_EXECUTABLE,
        MAP_LOCKED = MAP_LOCKED,
        MAP_NORESERVE = MAP_NORESERVE,
        MAP_POPULATE = MAP_POPULATE,
        MAP_NONBLOCK = MAP_NONBLOCK,
        MAP_STACK = MAP_STACK,
        MAP_SYNC = MAP_SYNC,
        MAP_FIXED_NOREPLACE = MAP_FIXED_NOREPLACE,
        MS_ASYNC = MS_ASYNC,
        MS_INVALIDATE = MS_INVALIDATE,
        MS_SYNC = MS_SYNC,
        MADV_NORMAL = MADV_NORMAL,
        MADV_RANDOM = MADV_RANDOM,
        MADV_SEQUENTIAL = MADV_SEQUENTIAL,
        MADV_WILLNEED = MADV_WILLNEED,
        MADV_DONTNEED = MADV_DONTNEED,
        MADV_FREE = MADV_FREE,
    );
    // posix_madvise's advice shares madvise's numbers.
    assert!(libc::POSIX_MADV_DONTNEED == libc::MADV_DONTNEED);
    // The WASIX `SO_*` values are the `sock_option` indices `net::opt` relies on.
    use abi::sockopt as o;
    assert!(libc::SO_REUSEADDR == o::REUSE_ADDR as i32 && libc::SO_ERROR == o::LAST_ERROR as i32);
    assert!(
        libc::SO_RCVTIMEO == o::RECV_TIMEOUT as i32 && libc::SO_SNDTIMEO == o::SEND_TIMEOUT as i32
    );
    assert!(libc::SO_TYPE == o::TYPE as i32 && libc::SO_LINGER == o::LINGER as i32);
    assert!(
        libc::SO_KEEPALIVE == o::KEEP_ALIVE as i32 && libc::SO_BROADCAST == o::BROADCAST as i32
    );
    assert!(
        libc::SO_RCVBUF == o::RECV_BUF_SIZE as i32 && libc::SO_SNDBUF == o::SEND_BUF_SIZE as i32
    );
    assert!(libc::SO_ACCEPTCONN == o::LISTENING as i32);
};
