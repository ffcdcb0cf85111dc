//! Each line checks one way of handling a signal; `die` ends with a SIG_DFL signal instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static SEEN: AtomicI32 = AtomicI32::new(0);
static INFO_SIGNO: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SEEN.store(sig, Ordering::SeqCst);
}

extern "C" fn on_info(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the dispatcher passes a valid siginfo_t.
    INFO_SIGNO.store(unsafe { (*info).si_signo } + 100 * sig, Ordering::SeqCst);
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("die") {
        unsafe {
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            libc::raise(libc::SIGHUP);
        }
        println!("still alive after SIGHUP");
        return;
    }
    unsafe {
        libc::signal(libc::SIGUSR1, on_signal as *const () as libc::sighandler_t);
        libc::raise(libc::SIGUSR1);
    }
    println!("signal + raise: handler saw {}", SEEN.load(Ordering::SeqCst));

    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    act.sa_sigaction = on_info as *const () as libc::sighandler_t;
    act.sa_flags = libc::SA_SIGINFO;
    unsafe {
        libc::sigaction(libc::SIGUSR2, &act, std::ptr::null_mut());
        libc::raise(libc::SIGUSR2);
    }
    println!("sigaction SA_SIGINFO: {}", INFO_SIGNO.load(Ordering::SeqCst));

    // Blocked: held back until unblocked.
    SEEN.store(0, Ordering::SeqCst);
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGUSR1);
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        libc::raise(libc::SIGUSR1);
    }
    let while_blocked = SEEN.load(Ordering::SeqCst);
    unsafe { libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    println!("blocked: {while_blocked} until unblocked, then {}", SEEN.load(Ordering::SeqCst));

    unsafe {
        libc::signal(libc::SIGWINCH, libc::SIG_IGN);
        libc::raise(libc::SIGWINCH);
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
        libc::raise(libc::SIGCHLD);
    }
    println!("ignored and default-ignored signals: still here");

    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, flag.clone()).expect("register");
    signal_hook::low_level::raise(signal_hook::consts::SIGTERM).expect("raise");
    println!("signal-hook flag: {}", flag.load(Ordering::SeqCst));

    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]).expect("Signals");
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).expect("raise");
    let got: Vec<i32> = signals.wait().collect();
    println!("signal-hook iterator: {got:?}");
}
