//! Signals: with `handler`, registers an exported handler through `callback_signal` and raises
//! USR1 and CHLD (both reach the handler); with `default`, raises TERM with no handler (the
//! default action ends the process with 128 + 15).
use std::sync::atomic::{AtomicU32, Ordering};

use runtime_test_guests::{p1, wasix};

static SEEN: AtomicU32 = AtomicU32::new(0);

/// The handler the runtime calls with the signal number.
#[unsafe(export_name = "guest_on_signal")]
pub extern "C" fn on_signal(sig: i32) {
    SEEN.fetch_or(1 << sig, Ordering::SeqCst);
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("handler") => {
            let name = "guest_on_signal";
            unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
            let a = unsafe { p1::proc_raise(10) };
            let b = unsafe { p1::proc_raise(17) };
            let c = unsafe { p1::proc_raise(99) };
            println!("rc={a},{b},{c} seen={:#x}", SEEN.load(Ordering::SeqCst));
        }
        _ => {
            println!("raising TERM");
            let rc = unsafe { p1::proc_raise(15) };
            println!("not reached: {rc}");
        }
    }
}
