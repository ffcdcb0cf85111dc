// Shared by the guest programs (included with `include!`): the C declarations of the libwasix
// functions under test (raw pointers and ints, as a C caller passes them) and `check!`.

#[allow(dead_code)]
mod c {
    use std::ffi::{c_char, c_int, c_long, c_void};

    unsafe extern "C" {
        pub fn socket(d: c_int, t: c_int, p: c_int) -> c_int;
        pub fn socketpair(d: c_int, t: c_int, p: c_int, sv: *mut c_int) -> c_int;
        pub fn bind(fd: c_int, a: *const u8, l: u32) -> c_int;
        pub fn listen(fd: c_int, b: c_int) -> c_int;
        pub fn connect(fd: c_int, a: *const u8, l: u32) -> c_int;
        pub fn accept(fd: c_int, a: *mut u8, l: *mut u32) -> c_int;
        pub fn accept4(fd: c_int, a: *mut u8, l: *mut u32, f: c_int) -> c_int;
        pub fn getsockname(fd: c_int, a: *mut u8, l: *mut u32) -> c_int;
        pub fn getpeername(fd: c_int, a: *mut u8, l: *mut u32) -> c_int;
        pub fn send(fd: c_int, b: *const c_void, n: usize, f: c_int) -> isize;
        pub fn recv(fd: c_int, b: *mut c_void, n: usize, f: c_int) -> isize;
        pub fn sendto(fd: c_int, b: *const c_void, n: usize, f: c_int, a: *const u8, l: u32) -> isize;
        pub fn recvfrom(fd: c_int, b: *mut c_void, n: usize, f: c_int, a: *mut u8, l: *mut u32) -> isize;
        pub fn shutdown(fd: c_int, how: c_int) -> c_int;
        pub fn setsockopt(fd: c_int, lvl: c_int, n: c_int, v: *const c_void, l: u32) -> c_int;
        pub fn getsockopt(fd: c_int, lvl: c_int, n: c_int, v: *mut c_void, l: *mut u32) -> c_int;
        pub fn getaddrinfo(n: *const c_char, s: *const c_char, h: *const AddrInfo, r: *mut *mut AddrInfo) -> c_int;
        pub fn freeaddrinfo(r: *mut AddrInfo);
        pub fn gai_strerror(c: c_int) -> *const c_char;
        pub fn pipe(fds: *mut c_int) -> c_int;
        pub fn pipe2(fds: *mut c_int, flags: c_int) -> c_int;
        pub fn dup(fd: c_int) -> c_int;
        pub fn dup2(a: c_int, b: c_int) -> c_int;
        pub fn dup3(a: c_int, b: c_int, f: c_int) -> c_int;
        pub fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
        pub fn write(fd: c_int, b: *const c_void, n: usize) -> isize;
        pub fn read(fd: c_int, b: *mut c_void, n: usize) -> isize;
        pub fn close(fd: c_int) -> c_int;
        pub fn getpid() -> c_int;
        pub fn getppid() -> c_int;
        pub fn kill(pid: c_int, sig: c_int) -> c_int;
        pub fn waitpid(pid: c_int, st: *mut c_int, o: c_int) -> c_int;
        pub fn sysconf(n: c_int) -> c_long;
        pub fn getcwd(b: *mut c_char, n: usize) -> *mut c_char;
        pub fn chdir(p: *const c_char) -> c_int;
        pub fn free(p: *mut c_void);
        pub fn posix_spawnp(pid: *mut c_int, f: *const c_char, fa: *const c_void, at: *const c_void, argv: *const *const c_char, envp: *const *const c_char) -> c_int;
        pub fn posix_spawn_file_actions_init(fa: *mut c_void) -> c_int;
        pub fn posix_spawn_file_actions_adddup2(fa: *mut c_void, a: c_int, b: c_int) -> c_int;
        pub fn posix_spawn_file_actions_addclose(fa: *mut c_void, fd: c_int) -> c_int;
        pub fn posix_spawn_file_actions_addopen(fa: *mut c_void, fd: c_int, p: *const c_char, o: c_int, m: u32) -> c_int;
        pub fn posix_spawn_file_actions_addchdir_np(fa: *mut c_void, p: *const c_char) -> c_int;
        pub fn posix_spawn_file_actions_destroy(fa: *mut c_void) -> c_int;
        pub fn posix_spawnattr_init(a: *mut c_void) -> c_int;
        pub fn posix_spawnattr_setflags(a: *mut c_void, f: i16) -> c_int;
        pub fn posix_spawnattr_getflags(a: *const c_void, f: *mut i16) -> c_int;
        pub fn posix_spawnattr_setsigdefault(a: *mut c_void, s: *const u64) -> c_int;
        pub fn posix_spawnattr_getsigdefault(a: *const c_void, s: *mut u64) -> c_int;
        pub fn posix_spawnattr_destroy(a: *mut c_void) -> c_int;
        pub fn sigemptyset(s: *mut u64) -> c_int;
        pub fn sigfillset(s: *mut u64) -> c_int;
        pub fn sigaddset(s: *mut u64, n: c_int) -> c_int;
        pub fn sigdelset(s: *mut u64, n: c_int) -> c_int;
        pub fn sigismember(s: *const u64, n: c_int) -> c_int;
    }

    #[repr(C)]
    pub struct AddrInfo {
        pub flags: c_int,
        pub family: c_int,
        pub socktype: c_int,
        pub protocol: c_int,
        pub addrlen: u32,
        pub addr: *mut u8,
        pub canon: *mut c_char,
        pub next: *mut AddrInfo,
    }
}

/// The calling thread's errno (as std reads it).
#[allow(dead_code)]
fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Fails the guest (exit 1) with the location and the values involved.
macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            eprintln!("check failed at line {}: {}: {}", line!(), stringify!($cond), format!($($fmt)+));
            std::process::exit(1);
        }
    };
}

/// A `sockaddr_in` (16 bytes, port in network order).
#[allow(dead_code)]
fn sin(port: u16, ip: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0] = 1; // AF_INET (WASIX)
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}
