//! Uses WASIX items of the libc overlay through a libc version older than std's.

fn main() {
    let mut fds = [0; 2];
    // SAFETY: plain libc calls with valid pointers.
    let piped = unsafe { libc::pipe(fds.as_mut_ptr()) };
    assert_eq!(piped, 0, "pipe");
    let msg = b"through a pipe";
    // SAFETY: fds are the pipe's ends; the buffers are valid for their lengths.
    unsafe {
        assert_eq!(libc::write(fds[1], msg.as_ptr().cast(), msg.len()), msg.len() as isize);
        let mut buf = [0u8; 32];
        let n = libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len());
        println!("{}", String::from_utf8_lossy(&buf[..n as usize]));
    }
    println!("AF_INET = {}, SOCK_STREAM = {}", libc::AF_INET, libc::SOCK_STREAM);
}
