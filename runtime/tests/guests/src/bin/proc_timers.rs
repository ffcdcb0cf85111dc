//! Interval timers (`proc_raise_interval`: alarm/setitimer) and signals directed at one thread
//! (`thread_signal`), through the raw WASIX imports and a handler registered with
//! `callback_signal`.
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use runtime_test_guests::wasix;

const SIGUSR1: i32 = 10;
const SIGALRM: i32 = 14;

/// How often the handler ran for SIGALRM.
static ALARMS: AtomicU32 = AtomicU32::new(0);
/// The thread the handler last ran on for SIGUSR1 (0: not yet).
static USR1_ON: AtomicU32 = AtomicU32::new(0);
/// How often the handler ran for SIGUSR1, whether it is running, and whether it ever ran
/// inside itself.
static USR1_COUNT: AtomicU32 = AtomicU32::new(0);
static IN_USR1: AtomicBool = AtomicBool::new(false);
static NESTED: AtomicBool = AtomicBool::new(false);
/// `nested` mode: the first SIGUSR1 handler waits (sleeping, a blocking wait) until the second
/// SIGUSR1 has been sent.
static HOLD_FIRST: AtomicBool = AtomicBool::new(false);
static SECOND_SENT: AtomicBool = AtomicBool::new(false);

#[unsafe(export_name = "timers_on_signal")]
pub extern "C" fn on_signal(sig: i32) {
    match sig {
        SIGALRM => {
            ALARMS.fetch_add(1, Ordering::SeqCst);
        }
        SIGUSR1 => {
            if IN_USR1.swap(true, Ordering::SeqCst) {
                NESTED.store(true, Ordering::SeqCst);
            }
            USR1_ON.store(my_tid(), Ordering::SeqCst);
            let n = USR1_COUNT.fetch_add(1, Ordering::SeqCst) + 1;
            if n == 1 && HOLD_FIRST.load(Ordering::SeqCst) {
                wait_until(Duration::from_secs(5), || {
                    SECOND_SENT.load(Ordering::SeqCst)
                });
                // More blocking waits and syscalls while the second one is queued.
                std::thread::sleep(Duration::from_millis(50));
            }
            IN_USR1.store(false, Ordering::SeqCst);
        }
        _ => {}
    }
}

fn my_tid() -> u32 {
    let mut tid = 0;
    unsafe { wasix::thread_id(&mut tid) };
    tid
}

fn register_handler() {
    let name = "timers_on_signal";
    unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
}

/// Sleeps in 5 ms steps (each a safe point) until `done()` or `limit` passed.
fn wait_until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    done()
}

fn raise_interval(sig: i32, d: Duration, repeat: bool) -> i32 {
    unsafe { wasix::proc_raise_interval(sig, d.as_nanos() as u64, u32::from(repeat)) }
}

fn alarms() {
    register_handler();
    // One-shot: fires once, not before its interval.
    let start = Instant::now();
    println!(
        "arm one-shot: {}",
        raise_interval(SIGALRM, Duration::from_millis(100), false)
    );
    let fired = wait_until(Duration::from_secs(5), || {
        ALARMS.load(Ordering::SeqCst) == 1
    });
    let waited = start.elapsed();
    std::thread::sleep(Duration::from_millis(250));
    println!(
        "one-shot fired: {fired}, not early: {}, times: {}",
        waited >= Duration::from_millis(100),
        ALARMS.load(Ordering::SeqCst)
    );
    // Repeating: fires again and again until cancelled with interval 0.
    ALARMS.store(0, Ordering::SeqCst);
    println!(
        "arm repeating: {}",
        raise_interval(SIGALRM, Duration::from_millis(30), true)
    );
    let repeated = wait_until(Duration::from_secs(5), || {
        ALARMS.load(Ordering::SeqCst) >= 3
    });
    println!("cancel: {}", raise_interval(SIGALRM, Duration::ZERO, false));
    let at_cancel = ALARMS.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(250));
    // At most one firing already on its way when cancelled.
    let after = ALARMS.load(Ordering::SeqCst) - at_cancel;
    println!(
        "repeating fired 3 times: {repeated}, after cancel: {}",
        after <= 1
    );
    // Re-arming replaces: a long timer replaced by a short one fires once, early.
    ALARMS.store(0, Ordering::SeqCst);
    raise_interval(SIGALRM, Duration::from_secs(60), false);
    raise_interval(SIGALRM, Duration::from_millis(20), false);
    let replaced = wait_until(Duration::from_secs(5), || {
        ALARMS.load(Ordering::SeqCst) == 1
    });
    println!("re-armed fires early: {replaced}");
    println!(
        "bad signal: {}",
        raise_interval(99, Duration::from_millis(20), false)
    );
}

fn alarm_default() {
    // No handler: SIGALRM's default action ends the process (killed by signal 14).
    raise_interval(SIGALRM, Duration::from_millis(50), false);
    std::thread::sleep(Duration::from_secs(10));
    println!("still alive");
}

fn thread_directed() {
    register_handler();
    let target = std::sync::Arc::new(AtomicU32::new(0));
    let t = target.clone();
    let worker = std::thread::spawn(move || {
        t.store(my_tid(), Ordering::SeqCst);
        // Waits (safe points) until the handler has run somewhere.
        wait_until(Duration::from_secs(5), || {
            USR1_ON.load(Ordering::SeqCst) != 0
        })
    });
    assert!(wait_until(Duration::from_secs(5), || target
        .load(Ordering::SeqCst)
        != 0));
    let tid = target.load(Ordering::SeqCst);
    println!("signal the worker: {}", unsafe {
        wasix::thread_signal(tid, SIGUSR1)
    });
    // The main thread waits too: the handler must still run on the worker only.
    wait_until(Duration::from_secs(5), || {
        USR1_ON.load(Ordering::SeqCst) != 0
    });
    let seen = worker.join().unwrap();
    let on = USR1_ON.load(Ordering::SeqCst);
    println!(
        "handler ran: {seen}, on the worker: {}, not on main: {}",
        on == tid,
        on != my_tid()
    );
    println!("unknown thread: {}", unsafe {
        wasix::thread_signal(0x1000_0000, SIGUSR1)
    });
    println!("finished thread: {}", unsafe {
        wasix::thread_signal(tid, SIGUSR1)
    });
}

/// Spins calling `f` (syscalls, never a blocking wait) until `done()` or `limit` passed.
fn spin_until(limit: Duration, f: impl Fn(), done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            return false;
        }
        f();
    }
    true
}

/// Signals reach threads that only spin on syscalls: SIGALRM while the main thread polls the
/// clock, a `thread_signal` to a worker spinning on `sched_yield`.
fn busy() {
    register_handler();
    raise_interval(SIGALRM, Duration::from_millis(50), false);
    let polled = spin_until(
        Duration::from_secs(5),
        || {
            std::hint::black_box(Instant::now());
        },
        || ALARMS.load(Ordering::SeqCst) == 1,
    );
    println!("alarm while polling the clock: {polled}");
    let target = std::sync::Arc::new(AtomicU32::new(0));
    let t = target.clone();
    let worker = std::thread::spawn(move || {
        t.store(my_tid(), Ordering::SeqCst);
        spin_until(Duration::from_secs(5), std::thread::yield_now, || {
            USR1_ON.load(Ordering::SeqCst) != 0
        })
    });
    assert!(wait_until(Duration::from_secs(5), || target
        .load(Ordering::SeqCst)
        != 0));
    let tid = target.load(Ordering::SeqCst);
    println!("signal the worker: {}", unsafe {
        wasix::thread_signal(tid, SIGUSR1)
    });
    let seen = worker.join().unwrap();
    println!(
        "worker spinning on sched_yield ran its handler: {seen}, on the worker: {}",
        USR1_ON.load(Ordering::SeqCst) == tid
    );
}

/// A signal sent again while its handler runs waits for the handler to return (POSIX blocks
/// it meanwhile), then runs: twice in all, never nested, and not the default action (which
/// would kill the process).
fn nested() {
    register_handler();
    HOLD_FIRST.store(true, Ordering::SeqCst);
    let main = my_tid();
    let sender = std::thread::spawn(move || {
        unsafe { wasix::thread_signal(main, SIGUSR1) };
        wait_until(Duration::from_secs(5), || IN_USR1.load(Ordering::SeqCst));
        unsafe { wasix::thread_signal(main, SIGUSR1) };
        SECOND_SENT.store(true, Ordering::SeqCst);
    });
    let twice = spin_until(Duration::from_secs(5), std::thread::yield_now, || {
        USR1_COUNT.load(Ordering::SeqCst) == 2
    });
    sender.join().unwrap();
    println!(
        "handler ran twice: {twice}, never nested: {}",
        !NESTED.load(Ordering::SeqCst)
    );
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("alarms") => alarms(),
        Some("alarm-default") => alarm_default(),
        Some("thread") => thread_directed(),
        Some("busy") => busy(),
        Some("nested") => nested(),
        _ => {
            eprintln!("usage: proc_timers alarms | alarm-default | thread | busy | nested");
            std::process::exit(2);
        }
    }
}
