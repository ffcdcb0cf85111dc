//! Each line checks one way of handling a signal; `die` ends with a SIG_DFL signal instead.
//! `timers` checks alarm/setitimer/getitimer and that fork/vfork fail with ENOSYS;
//! `alarm-die` ends by an unhandled SIGALRM; `handler-in-recv` runs a SIGALRM handler while the
//! main thread is blocked in a channel `recv` (a futex wait), the handler ending the guest.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

static SEEN: AtomicI32 = AtomicI32::new(0);
static INFO_SIGNO: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SEEN.store(sig, Ordering::SeqCst);
}

extern "C" fn on_info(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the dispatcher passes a valid siginfo_t.
    INFO_SIGNO.store(unsafe { (*info).si_signo } + 100 * sig, Ordering::SeqCst);
}

static ALARMS: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_alarm(_: libc::c_int) {
    ALARMS.fetch_add(1, Ordering::SeqCst);
}

extern "C" fn exit_42(_: libc::c_int) {
    std::process::exit(42);
}

fn timeval(ms: i64) -> libc::timeval {
    libc::timeval {
        tv_sec: ms / 1000,
        tv_usec: (ms % 1000 * 1000) as _,
    }
}

fn ms(tv: &libc::timeval) -> i64 {
    tv.tv_sec * 1000 + i64::from(tv.tv_usec) / 1000
}

/// Sleeps in 5 ms steps (each a point where the runtime delivers signals) until `done()`.
fn wait_until(done: impl Fn() -> bool) -> bool {
    for _ in 0..1000 {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

fn timers() {
    unsafe { libc::signal(libc::SIGALRM, on_alarm as *const () as libc::sighandler_t) };
    let first = unsafe { libc::alarm(5) };
    let left = unsafe { libc::alarm(0) };
    println!("alarm: {first}, then {left} seconds left");

    // First after 60 ms, then every 20 ms (a period unlike the first interval).
    let it = libc::itimerval {
        it_value: timeval(60),
        it_interval: timeval(20),
    };
    let rc = unsafe { libc::setitimer(libc::ITIMER_REAL, &it, std::ptr::null_mut()) };
    let mut now: libc::itimerval = unsafe { std::mem::zeroed() };
    unsafe { libc::getitimer(libc::ITIMER_REAL, &mut now) };
    let value = ms(&now.it_value);
    println!(
        "setitimer: {rc}, getitimer: value in (0, 60]: {}, interval {}",
        value > 0 && value <= 60,
        ms(&now.it_interval)
    );
    let fired = wait_until(|| ALARMS.load(Ordering::SeqCst) >= 4);
    let off = libc::itimerval {
        it_value: timeval(0),
        it_interval: timeval(0),
    };
    let mut old: libc::itimerval = unsafe { std::mem::zeroed() };
    unsafe { libc::setitimer(libc::ITIMER_REAL, &off, &mut old) };
    unsafe { libc::getitimer(libc::ITIMER_REAL, &mut now) };
    println!(
        "fired 4 times: {fired}; old interval {}; after cancel {} {}",
        ms(&old.it_interval),
        ms(&now.it_value),
        ms(&now.it_interval)
    );
    let bad = unsafe { libc::setitimer(libc::ITIMER_PROF, &it, std::ptr::null_mut()) };
    println!(
        "ITIMER_PROF: {bad} {:?}",
        std::io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL)
    );

    for (name, pid) in [
        ("fork", unsafe { libc::fork() }),
        ("vfork", unsafe { libc::vfork() }),
    ] {
        let enosys = std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS);
        println!("{name}: {pid}, ENOSYS: {enosys}");
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("timers") => return timers(),
        Some("handler-in-recv") => {
            unsafe {
                libc::signal(libc::SIGALRM, exit_42 as *const () as libc::sighandler_t);
                libc::alarm(1);
            }
            // The sender stays alive: only the handler can end this wait.
            let (_tx, rx) = std::sync::mpsc::channel::<()>();
            let _ = rx.recv();
            println!("recv returned");
            return;
        }
        Some("alarm-die") => {
            // The dispatcher is registered (a handler for SIGUSR1) and SIGALRM is SIG_DFL.
            unsafe {
                libc::signal(libc::SIGUSR1, on_signal as *const () as libc::sighandler_t);
                libc::alarm(1);
            }
            std::thread::sleep(std::time::Duration::from_secs(10));
            println!("still alive after SIGALRM");
            return;
        }
        _ => {}
    }
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
    println!(
        "signal + raise: handler saw {}",
        SEEN.load(Ordering::SeqCst)
    );

    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    act.sa_sigaction = on_info as *const () as libc::sighandler_t;
    act.sa_flags = libc::SA_SIGINFO;
    unsafe {
        libc::sigaction(libc::SIGUSR2, &act, std::ptr::null_mut());
        libc::raise(libc::SIGUSR2);
    }
    println!(
        "sigaction SA_SIGINFO: {}",
        INFO_SIGNO.load(Ordering::SeqCst)
    );

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
    println!(
        "blocked: {while_blocked} until unblocked, then {}",
        SEEN.load(Ordering::SeqCst)
    );

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

    let mut signals =
        signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT]).expect("Signals");
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).expect("raise");
    let got: Vec<i32> = signals.wait().collect();
    println!("signal-hook iterator: {got:?}");
}
