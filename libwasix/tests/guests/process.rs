//! Guest: getpid/getppid/kill, the signal-set functions, and the posix_spawn attribute and
//! file-action API (what is decided in libwasix, before any host call).
include!("common.rs");

use std::ffi::c_int;
use std::ptr;

fn main() {
    // SAFETY: plain C calls with live buffers.
    unsafe {
        let pid = c::getpid();
        check!(pid > 0, "getpid {pid}");
        check!(c::getppid() >= 0, "getppid");
        check!(c::kill(pid, 0) == 0, "kill(self, 0): errno {}", errno());
        check!(c::kill(0, 15) == -1 && errno() == 58, "process groups are ENOTSUP");
        check!(c::kill(pid, 40) == -1 && errno() == 28, "real-time signals are EINVAL");
        check!(c::waitpid(-5, ptr::null_mut(), 0) == -1 && errno() == 12, "another group has no children: ECHILD");
        check!(c::waitpid(-1, ptr::null_mut(), 8) == -1 && errno() == 28, "unknown options are EINVAL");

        let mut set = u64::MAX;
        check!(c::sigemptyset(&mut set) == 0 && set == 0, "sigemptyset");
        check!(c::sigaddset(&mut set, 13) == 0 && set == 1 << 12, "sigaddset(SIGPIPE) {set:#x}");
        check!(c::sigismember(&set, 13) == 1 && c::sigismember(&set, 9) == 0, "sigismember");
        check!(c::sigaddset(&mut set, 65) == -1 && errno() == 28, "signal 65 is EINVAL");
        check!(c::sigdelset(&mut set, 13) == 0 && set == 0, "sigdelset");
        check!(c::sigfillset(&mut set) == 0 && set == u64::MAX, "sigfillset");

        let mut attr = [0u64; 12];
        let a = attr.as_mut_ptr().cast();
        check!(c::posix_spawnattr_init(a) == 0, "attr init");
        check!(c::posix_spawnattr_setflags(a, 0x04) == 0, "setflags(SETSIGDEF)");
        let mut f = 0i16;
        check!(c::posix_spawnattr_getflags(a, &mut f) == 0 && f == 4, "getflags {f}");
        check!(c::posix_spawnattr_setflags(a, 0x100) == 28, "unknown flags are EINVAL");
        let def = 1u64 << 12;
        check!(c::posix_spawnattr_setsigdefault(a, &def) == 0, "setsigdefault");
        let mut back = 0u64;
        check!(c::posix_spawnattr_getsigdefault(a, &mut back) == 0 && back == def, "getsigdefault {back:#x}");

        let mut fa = [0u64; 10];
        let fap = fa.as_mut_ptr().cast();
        check!(c::posix_spawn_file_actions_init(fap) == 0, "file actions init");
        check!(c::posix_spawn_file_actions_adddup2(fap, 3, 1) == 0, "adddup2");
        check!(c::posix_spawn_file_actions_addclose(fap, 4) == 0, "addclose");
        check!(c::posix_spawn_file_actions_addopen(fap, 5, c"/tmp/x".as_ptr(), 0, 0) == 0, "addopen");
        check!(c::posix_spawn_file_actions_addchdir_np(fap, c"/tmp".as_ptr()) == 0, "addchdir_np");
        check!(c::posix_spawn_file_actions_adddup2(fap, -1, 1) == 8, "negative fd is EBADF");

        // What WASIX cannot do is refused before the host is asked.
        check!(c::posix_spawnattr_setflags(a, 0x02) == 0, "setflags(SETPGROUP)");
        let argv = [c"prog".as_ptr(), ptr::null()];
        let envp = [ptr::null()];
        let mut child: c_int = -1;
        let r = c::posix_spawnp(&mut child, c"prog".as_ptr(), fap, a, argv.as_ptr(), envp.as_ptr());
        check!(r == 58 && child == -1, "SETPGROUP is ENOTSUP: {r}");
        c::posix_spawnattr_setflags(a, 0);
        let bad_argv = [c"a\nb".as_ptr(), ptr::null()];
        let r = c::posix_spawnp(&mut child, c"prog".as_ptr(), fap, a, bad_argv.as_ptr(), envp.as_ptr());
        check!(r == 28, "an argument with a newline is EINVAL: {r}");
        check!(c::posix_spawn_file_actions_destroy(fap) == 0, "destroy");
        check!(c::posix_spawnattr_destroy(a) == 0, "attr destroy");
    }
    println!("process: ok");
}
