//! Signal handlers: `sigaction`, `signal`, `raise`, `sigprocmask`/`pthread_sigmask`, and the
//! dispatcher the runtime calls.
//!
//! WASIX delivers every signal to one guest export registered with `callback_signal`; the
//! handlers are kept here, one slot per signal. The dispatcher `__wasix_signal_handler` runs
//! the slot's handler; for `SIG_DFL` it raises the signal again from inside the handler, which
//! the runtime answers with the default action (terminate, or ignore for SIGCHLD & co.), so a
//! default death is still "killed by signal N" for the parent. `SIG_IGN` returns at once.
//!
//! The signal mask is the process's, not each thread's (process signals are delivered on the
//! main thread at its next safe point: any syscall return or blocking wait, see the runtime);
//! a blocked signal stays pending here and is run when it is unblocked. WASIX has signals 1..=31 (no real-time signals).

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use libc::{sigaction as Sigaction, sighandler_t, siginfo_t, sigset_t};

use crate::abi::Errno;
use crate::{errno, sys};

crate::same_signature_as_libc!(sigaction, signal, raise, sigprocmask, pthread_sigmask);

/// The export the runtime calls (`--export-if-defined` in the target spec).
const DISPATCHER: &str = "__wasix_signal_handler";
const SIGNALS: usize = 32;
const SIGKILL: c_int = 9;
const SIGSTOP: c_int = 19;

/// Per signal: the handler (`SIG_DFL` = 0, `SIG_IGN` = 1, else a function), its flags and
/// the mask it asked for.
static HANDLERS: [AtomicUsize; SIGNALS] = [const { AtomicUsize::new(0) }; SIGNALS];
static FLAGS: [AtomicUsize; SIGNALS] = [const { AtomicUsize::new(0) }; SIGNALS];
static MASKS: [AtomicU64; SIGNALS] = [const { AtomicU64::new(0) }; SIGNALS];
/// The process's blocked and pending signals (bit `n - 1` = signal `n`).
static BLOCKED: AtomicU64 = AtomicU64::new(0);
static PENDING: AtomicU64 = AtomicU64::new(0);
static REGISTERED: AtomicBool = AtomicBool::new(false);

fn slot(sig: c_int) -> Result<usize, Errno> {
    usize::try_from(sig)
        .ok()
        .filter(|&s| (1..SIGNALS).contains(&s))
        .ok_or(Errno::INVAL)
}

fn bit(sig: usize) -> u64 {
    1 << (sig - 1)
}

fn set_bits(set: *const sigset_t) -> u64 {
    let words = set.cast::<[u32; 2]>();
    // SAFETY: callers pass a valid, non-null `sigset_t` (8 bytes, asserted in sigset.rs).
    let w = unsafe { words.read() };
    u64::from(w[0]) | (u64::from(w[1]) << 32)
}

fn write_bits(set: *mut sigset_t, bits: u64) {
    // SAFETY: as in `set_bits`.
    unsafe {
        set.cast::<[u32; 2]>()
            .write([bits as u32, (bits >> 32) as u32])
    };
}

/// Makes sure the runtime knows our dispatcher (once per process).
fn register() {
    if !REGISTERED.swap(true, Ordering::AcqRel) {
        // The reference keeps the dispatcher linked even when LTO would drop an unused export.
        core::hint::black_box(__wasix_signal_handler as *const () as usize);
        sys::callback_signal(DISPATCHER);
    }
}

/// Similar to `sigaction` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigaction(
    sig: c_int,
    act: *const Sigaction,
    old: *mut Sigaction,
) -> c_int {
    let s = match slot(sig) {
        Ok(s) => s,
        Err(e) => return errno::int(Err(e)),
    };
    if !old.is_null() {
        // SAFETY: a non-null `old` points to a writable `struct sigaction`.
        unsafe {
            (*old).sa_sigaction = HANDLERS[s].load(Ordering::Acquire) as sighandler_t;
            (*old).sa_flags = FLAGS[s].load(Ordering::Acquire) as c_int;
            write_bits(&mut (*old).sa_mask, MASKS[s].load(Ordering::Acquire));
            (*old).sa_restorer = None;
        }
    }
    if act.is_null() {
        return 0;
    }
    if sig == SIGKILL || sig == SIGSTOP {
        return errno::int(Err(Errno::INVAL));
    }
    // SAFETY: a non-null `act` points to a `struct sigaction`.
    let (handler, flags, mask) = unsafe {
        (
            (*act).sa_sigaction,
            (*act).sa_flags,
            set_bits(&(*act).sa_mask),
        )
    };
    FLAGS[s].store(flags as usize, Ordering::Release);
    MASKS[s].store(mask, Ordering::Release);
    HANDLERS[s].store(handler, Ordering::Release);
    register();
    0
}

/// Similar to `signal` in POSIX (BSD semantics: the handler stays installed, calls restart).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn signal(sig: c_int, handler: sighandler_t) -> sighandler_t {
    // SAFETY: all-zero is a valid `struct sigaction` (no handler, empty mask, no flags).
    let mut act: Sigaction = unsafe { core::mem::zeroed() };
    act.sa_sigaction = handler;
    act.sa_flags = libc::SA_RESTART;
    let mut old: Sigaction = unsafe { core::mem::zeroed() };
    // SAFETY: both point to live locals.
    if unsafe { sigaction(sig, &act, &mut old) } != 0 {
        return libc::SIG_ERR;
    }
    old.sa_sigaction
}

/// Similar to `raise` in POSIX: the signal is delivered to the calling thread before this
/// returns (its handler runs, or its default action).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn raise(sig: c_int) -> c_int {
    if sig != 0 && slot(sig).is_err() {
        return errno::int(Err(Errno::INVAL));
    }
    errno::unit(sys::proc_raise(sig))
}

/// Similar to `sigprocmask` in POSIX (one mask per process, see the module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sigprocmask(
    how: c_int,
    set: *const sigset_t,
    old: *mut sigset_t,
) -> c_int {
    // SAFETY: forwarded caller contract.
    let r = unsafe { pthread_sigmask(how, set, old) };
    if r != 0 {
        errno::set(Errno(r as u16));
        return -1;
    }
    0
}

/// Similar to `pthread_sigmask` in POSIX (returns the error number instead of setting errno).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_sigmask(
    how: c_int,
    set: *const sigset_t,
    old: *mut sigset_t,
) -> c_int {
    let before = BLOCKED.load(Ordering::Acquire);
    if !old.is_null() {
        write_bits(old, before);
    }
    if set.is_null() {
        return 0;
    }
    let bits = set_bits(set) & !(bit(SIGKILL as usize) | bit(SIGSTOP as usize));
    let after = match how {
        libc::SIG_BLOCK => before | bits,
        libc::SIG_UNBLOCK => before & !bits,
        libc::SIG_SETMASK => bits,
        _ => return Errno::INVAL.raw(),
    };
    BLOCKED.store(after, Ordering::Release);
    // Run what was held back and is no longer blocked.
    let ready = PENDING.fetch_and(after, Ordering::AcqRel) & !after;
    for s in (1..SIGNALS).filter(|&s| ready & bit(s) != 0) {
        let _ = sys::proc_raise(s as c_int);
    }
    0
}

/// The export the runtime calls with each signal delivered to this process.
#[unsafe(no_mangle)]
pub extern "C" fn __wasix_signal_handler(sig: c_int) {
    let Ok(s) = slot(sig) else { return };
    if sig == libc::SIGALRM {
        super::timer::on_alarm();
    }
    if BLOCKED.load(Ordering::Acquire) & bit(s) != 0 {
        PENDING.fetch_or(bit(s), Ordering::AcqRel);
        return;
    }
    let handler = HANDLERS[s].load(Ordering::Acquire);
    let flags = FLAGS[s].load(Ordering::Acquire) as c_int;
    match handler as sighandler_t {
        libc::SIG_DFL => {
            // Raised again from inside its handler: the runtime's default action.
            let _ = sys::proc_raise(sig);
        }
        libc::SIG_IGN => {}
        _ => {
            if flags & (libc::SA_RESETHAND as c_int) != 0 {
                HANDLERS[s].store(libc::SIG_DFL, Ordering::Release);
            }
            // The handler's mask (and the signal itself unless SA_NODEFER) while it runs.
            let mut during = MASKS[s].load(Ordering::Acquire);
            if flags & (libc::SA_NODEFER as c_int) == 0 {
                during |= bit(s);
            }
            let saved = BLOCKED.fetch_or(during, Ordering::AcqRel);
            if flags & libc::SA_SIGINFO != 0 {
                // SAFETY: all-zero is a valid `siginfo_t`; the fields set are plain ints.
                let mut info: siginfo_t = unsafe { core::mem::zeroed() };
                info.si_signo = sig;
                // SAFETY: the guest registered this as `void (*)(int, siginfo_t *, void *)`.
                let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) =
                    unsafe { core::mem::transmute(handler) };
                f(sig, &mut info, core::ptr::null_mut());
            } else {
                // SAFETY: the guest registered this as `void (*)(int)`.
                let f: extern "C" fn(c_int) = unsafe { core::mem::transmute(handler) };
                f(sig);
            }
            BLOCKED.store(saved, Ordering::Release);
        }
    }
}
