//! WASIX futex_wait/futex_wake syscalls between two threads, plus a timed-out wait.
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use runtime_test_guests::wasix;

static WORD: AtomicU32 = AtomicU32::new(0);

fn main() {
    // Timed out: value matches, nobody wakes; 20 ms timeout.
    let mut timeout = [0u8; 16];
    timeout[0] = 1;
    timeout[8..16].copy_from_slice(&20_000_000u64.to_le_bytes());
    let mut woken = 9u8;
    let rc = unsafe { wasix::futex_wait(WORD.as_ptr(), 0, timeout.as_ptr(), &mut woken) };
    println!("timed_out rc={rc} woken={woken}");

    // Mismatch returns at once.
    let rc = unsafe { wasix::futex_wait(WORD.as_ptr(), 5, std::ptr::null(), &mut woken) };
    println!("mismatch rc={rc} woken={woken}");

    // A waiter thread, woken by futex_wake after we change the value.
    let h = std::thread::spawn(|| {
        let mut w = 0u8;
        while WORD.load(Ordering::SeqCst) == 0 {
            unsafe { wasix::futex_wait(WORD.as_ptr(), 0, std::ptr::null(), &mut w) };
        }
        WORD.load(Ordering::SeqCst)
    });
    std::thread::sleep(Duration::from_millis(50));
    WORD.store(42, Ordering::SeqCst);
    let mut any = 0u8;
    unsafe { wasix::futex_wake_all(WORD.as_ptr(), &mut any) };
    println!("waiter saw {}", h.join().unwrap());
}
