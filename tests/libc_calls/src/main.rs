//! WASIX items of the patched `libc` crate, called directly.
use std::ffi::CString;

fn main() {
    // SAFETY: plain libc calls with valid pointers to locals.
    unsafe {
        let mut fds = [0i32; 2];
        let rc = libc::pipe(fds.as_mut_ptr());
        println!("pipe: {rc}");

        let sock = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        println!("socket: {}", if sock >= 0 { "ok".to_owned() } else { format!("{}", std::io::Error::last_os_error()) });

        if std::env::args().any(|a| a == "--spawn") {
            let prog = CString::new("true").unwrap();
            let argv = [prog.as_ptr(), std::ptr::null()];
            let mut pid: libc::pid_t = 0;
            let rc = libc::posix_spawnp(
                &mut pid,
                prog.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                argv.as_ptr() as *const *mut libc::c_char,
                std::ptr::null(),
            );
            let mut status = 0;
            if rc == 0 {
                libc::kill(pid, 0);
                libc::waitpid(pid, &mut status, 0);
            }
            println!("spawn: {rc} {status}");
        }
    }
}
