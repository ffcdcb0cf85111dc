//! Passes out-of-bounds pointers to syscalls: each must fail with EFAULT (21), not crash the
//! host. Prints one `name=errno` line per call.
use runtime_test_guests::p1;

fn main() {
    let far = u32::MAX - 3; // 4 bytes at the very top of the address space: out of bounds
    let mut n = 0usize;
    // An iovec whose buffer lies outside memory.
    let iov = [far, 100u32];
    let r1 = unsafe { p1::fd_write(1, iov.as_ptr(), 1, &mut n) };
    // The iovec array itself outside memory.
    let r2 = unsafe { p1::fd_write(1, far as usize as *const u32, 1, &mut n) };
    // The result pointer outside memory.
    let ok = [b"x".as_ptr() as u32, 0u32];
    let r3 = unsafe { p1::fd_write(1, ok.as_ptr(), 1, far as usize as *mut usize) };
    let r4 = unsafe { p1::random_get(far as usize as *mut u8, 16) };
    println!("fd_write_buf={r1} fd_write_iovs={r2} fd_write_ret={r3} random_get={r4}");
}
