//! Its Cargo.lock pins a libc newer than the overlay's base version (0.2.178).
fn main() {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    println!("pid positive: {}", pid > 0);
}
