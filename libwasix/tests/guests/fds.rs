//! Guest: pipe/pipe2, dup/dup2/dup3 and the fcntl additions; sysconf; getcwd/chdir.
include!("common.rs");

use std::ffi::{CStr, c_char, c_int};

fn main() {
    // SAFETY: plain C calls with live buffers.
    unsafe {
        let mut fds = [0 as c_int; 2];
        check!(c::pipe2(fds.as_mut_ptr(), 0x4000_0000) == 0, "pipe2(O_CLOEXEC): errno {}", errno());
        check!(c::fcntl(fds[0], 1) == 1 && c::fcntl(fds[1], 1) == 1, "both ends close-on-exec");
        check!(c::pipe2(fds.as_mut_ptr(), 0x1) == -1 && errno() == 28, "unknown pipe2 flag is EINVAL");
        let mut p = [0 as c_int; 2];
        check!(c::pipe(p.as_mut_ptr()) == 0 && c::fcntl(p[0], 1) == 0, "pipe: no FD_CLOEXEC");
        check!(c::pipe2(p.as_mut_ptr(), 4) == 0 && c::fcntl(p[0], 3) & 4 == 4, "pipe2(O_NONBLOCK) shows in F_GETFL");
        let mut b = [0u8; 8];
        check!(c::read(p[0], b.as_mut_ptr().cast(), 8) == -1 && errno() == 6, "empty non-blocking pipe is EAGAIN");

        let d = c::dup(fds[1]);
        check!(d > fds[1] && c::fcntl(d, 1) == 0, "dup: new fd {d}, FD_CLOEXEC cleared");
        check!(c::write(d, b"a".as_ptr().cast(), 1) == 1, "write through dup");
        let d2 = c::fcntl(fds[1], 6, 20);
        check!(d2 >= 20 && c::fcntl(d2, 1) == 1, "F_DUPFD_CLOEXEC -> {d2}");
        let d3 = c::fcntl(fds[1], 0, 25);
        check!(d3 >= 25 && c::fcntl(d3, 1) == 0, "F_DUPFD -> {d3}");
        check!(c::fcntl(d2, 2, 0) == 0 && c::fcntl(d2, 1) == 0, "F_SETFD clears");
        check!(c::fcntl(d2, 2, 1) == 0 && c::fcntl(d2, 1) == 1, "F_SETFD sets");
        check!(c::fcntl(fds[1], 0, -1) == -1 && errno() == 28, "negative F_DUPFD minimum is EINVAL");
        check!(c::dup2(fds[1], 30) == 30 && c::write(30, b"b".as_ptr().cast(), 1) == 1, "dup2 onto 30");
        check!(c::dup2(fds[1], fds[1]) == fds[1], "dup2 onto itself");
        check!(c::dup2(99, 98) == -1 && errno() == 8, "dup2 of a closed fd is EBADF");
        check!(c::dup3(fds[1], 31, 0x4000_0000) == 31 && c::fcntl(31, 1) == 1, "dup3(O_CLOEXEC)");
        check!(c::dup3(31, 31, 0) == -1 && errno() == 28, "dup3 onto itself is EINVAL");
        check!(c::write(fds[1], b"c".as_ptr().cast(), 1) == 1, "the original stays open");
        for fd in [fds[1], d, d2, d3, 30, 31] {
            c::close(fd);
        }
        let n = c::read(fds[0], b.as_mut_ptr().cast(), 8);
        check!(n == 3 && &b[..3] == b"abc", "pipe contents {n} {:?}", &b[..3]);
        check!(c::read(fds[0], b.as_mut_ptr().cast(), 8) == 0, "EOF once every writer is closed");

        check!(c::sysconf(84) >= 1 && c::sysconf(83) >= 1, "_SC_NPROCESSORS_ONLN/CONF");
        check!(c::sysconf(30) > 0, "other names still reach wasi-libc (_SC_PAGESIZE)");

        // cwd: the host and libc stay in step.
        let mut buf = [0 as c_char; 64];
        check!(c::chdir(c"/tmp".as_ptr()) == 0, "chdir(/tmp): errno {}", errno());
        check!(!c::getcwd(buf.as_mut_ptr(), 64).is_null(), "getcwd");
        check!(CStr::from_ptr(buf.as_ptr()).to_bytes() == b"/tmp", "cwd {:?}", CStr::from_ptr(buf.as_ptr()));
        check!(c::chdir(c"/definitely/missing".as_ptr()) == -1 && errno() == 44, "missing dir is ENOENT");
        check!(std::env::current_dir().unwrap() == std::path::Path::new("/tmp"), "a failed chdir changes nothing");
        check!(c::getcwd(buf.as_mut_ptr(), 3).is_null() && errno() == 68, "short buffer is ERANGE");
        let heap = c::getcwd(std::ptr::null_mut(), 0);
        check!(!heap.is_null() && CStr::from_ptr(heap).to_bytes() == b"/tmp", "getcwd(NULL, 0) allocates");
        c::free(heap.cast());
        std::fs::write("rel-probe", b"x").unwrap();
        check!(std::fs::read("/tmp/rel-probe").unwrap() == b"x", "relative paths resolve in the new cwd");
        std::fs::remove_file("/tmp/rel-probe").unwrap();
    }
    println!("fds: ok");
}
