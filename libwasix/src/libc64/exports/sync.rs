//! `pthread_mutex_*`, `pthread_cond_*` and their attributes over WASIX futexes (std uses its
//! own futex locks; crates such as parking_lot_core 0.10 and C code use these).
//!
//! The libc crate's storage is zeroed by its initializers, so all-zero means "a normal,
//! unlocked mutex" and "a condition variable on the realtime clock":
//! - mutex (48 bytes): lock word u32 @0 (0 free, 1 held, 2 held with sleepers: Drepper's
//!   three-state futex mutex), kind u32 @4, recursion count u32 @8, owner (`pthread_self`) @16;
//! - condition variable (96 bytes): sequence u32 @0 (bumped by every signal; waiters sleep on
//!   it, so a wake between unlocking and sleeping is never lost), WASI clock u32 @4;
//! - attributes (one `c_uint`): the mutex kind, or the condition variable's WASI clock.
//!
//! Pure decisions: `libc64::mutex_rules`.

use core::ffi::c_int;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use libc::{pthread_cond_t, pthread_condattr_t, pthread_mutex_t, pthread_mutexattr_t, timespec};

use super::pthread::pthread_self;
use super::start::wasi_clock;
use crate::libc64::mutex_rules::{self as rules, Lock, Unlock};
use crate::sys;

const FREE: u32 = 0;
const HELD: u32 = 1;
const CONTENDED: u32 = 2;

/// The fields of a mutex's storage.
struct Mutex {
    word: &'static AtomicU32,
    kind: &'static AtomicU32,
    count: &'static AtomicU32,
    owner: &'static AtomicUsize,
}

impl Mutex {
    /// # Safety
    /// `m` is a live, 8-byte aligned `pthread_mutex_t` (48 bytes on wasm64).
    unsafe fn at(m: *mut pthread_mutex_t) -> Mutex {
        let base = m.cast::<u8>();
        // SAFETY: the fields lie inside the caller's storage, suitably aligned; the storage
        // outlives the call, which is all the `'static` is used for.
        unsafe {
            Mutex {
                word: AtomicU32::from_ptr(base.cast()),
                kind: AtomicU32::from_ptr(base.add(4).cast()),
                count: AtomicU32::from_ptr(base.add(8).cast()),
                owner: AtomicUsize::from_ptr(base.add(16).cast()),
            }
        }
    }

    fn mine(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == pthread_self() as usize
    }

    /// Records the caller as the holder of a freshly taken recursive or error-checking mutex
    /// (a normal one keeps no owner).
    fn taken_by_me(&self, kind: u32) {
        if kind != rules::NORMAL {
            self.owner.store(pthread_self() as usize, Ordering::Relaxed);
            self.count.store(1, Ordering::Relaxed);
        }
    }

    /// Takes the lock word, sleeping while others hold it; `deadline` is a `CLOCK_REALTIME`
    /// absolute time. Returns 0 or `ETIMEDOUT`/`EINVAL`.
    fn acquire(&self, deadline: Option<&timespec>) -> c_int {
        if self
            .word
            .compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return 0;
        }
        while self.word.swap(CONTENDED, Ordering::Acquire) != FREE {
            let left = match deadline.map(|d| left_of(d, 0)) {
                None => None,
                Some(Ok(Some(left))) => Some(left),
                Some(Ok(None)) => return libc::ETIMEDOUT,
                Some(Err(e)) => return e,
            };
            // EINTR (a signal handler ran) and timeouts are checked by the loop.
            let _ = sys::futex_wait_for(self.word, CONTENDED, left);
        }
        0
    }

    fn lock(&self, deadline: Option<&timespec>) -> c_int {
        let kind = self.kind.load(Ordering::Relaxed);
        if kind != rules::NORMAL {
            match rules::on_lock(kind, self.mine(), self.count.load(Ordering::Relaxed)) {
                Lock::Recurse => {
                    self.count.fetch_add(1, Ordering::Relaxed);
                    return 0;
                }
                Lock::Deadlock => return libc::EDEADLK,
                Lock::TooDeep => return libc::EAGAIN,
                Lock::Acquire => {}
            }
        }
        let taken = self.acquire(deadline);
        if taken == 0 {
            self.taken_by_me(kind);
        }
        taken
    }

    fn unlock(&self) -> c_int {
        let kind = self.kind.load(Ordering::Relaxed);
        match rules::on_unlock(kind, self.mine(), self.count.load(Ordering::Relaxed)) {
            Unlock::NotOwner => return libc::EPERM,
            Unlock::Decrement => {
                self.count.fetch_sub(1, Ordering::Relaxed);
                return 0;
            }
            Unlock::Release => {}
        }
        if kind != rules::NORMAL {
            self.owner.store(0, Ordering::Relaxed);
            self.count.store(0, Ordering::Relaxed);
        }
        if self.word.swap(FREE, Ordering::Release) == CONTENDED {
            let _ = sys::futex_wake_one(self.word);
        }
        0
    }
}

/// The nanoseconds left until `deadline` on WASI clock `clock`, as pthreads report problems.
fn left_of(deadline: &timespec, clock: u32) -> Result<Option<u64>, c_int> {
    let now = sys::clock_time_get(clock as i32, 1).map_err(|e| e.raw())?;
    rules::time_left(deadline.tv_sec, deadline.tv_nsec, now).map_err(|_| libc::EINVAL)
}

/// # Safety
/// `m` is writable; `attr` is null or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_init(
    m: *mut pthread_mutex_t,
    attr: *const pthread_mutexattr_t,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        m.write_bytes(0, 1);
        let kind = if attr.is_null() {
            rules::NORMAL
        } else {
            attr.cast::<u32>().read()
        };
        Mutex::at(m).kind.store(kind, Ordering::Relaxed);
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_mutex_destroy(_m: *mut pthread_mutex_t) -> c_int {
    0
}

/// # Safety
/// `m` is an initialised mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_lock(m: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { Mutex::at(m) }.lock(None)
}

/// # Safety
/// `m` is an initialised mutex; `deadline` is readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_timedlock(
    m: *mut pthread_mutex_t,
    deadline: *const timespec,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { Mutex::at(m).lock(Some(&*deadline)) }
}

/// # Safety
/// `m` is an initialised mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_trylock(m: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the caller's contract.
    let mutex = unsafe { Mutex::at(m) };
    let kind = mutex.kind.load(Ordering::Relaxed);
    if kind == rules::RECURSIVE && mutex.mine() {
        return mutex.lock(None);
    }
    if mutex
        .word
        .compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return libc::EBUSY;
    }
    mutex.taken_by_me(kind);
    0
}

/// # Safety
/// `m` is an initialised mutex.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutex_unlock(m: *mut pthread_mutex_t) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { Mutex::at(m) }.unlock()
}

/// # Safety
/// `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutexattr_init(attr: *mut pthread_mutexattr_t) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { attr.cast::<u32>().write(rules::NORMAL) };
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_mutexattr_destroy(_attr: *mut pthread_mutexattr_t) -> c_int {
    0
}

/// # Safety
/// `attr` is initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutexattr_settype(
    attr: *mut pthread_mutexattr_t,
    kind: c_int,
) -> c_int {
    let Ok(kind) = u32::try_from(kind) else {
        return libc::EINVAL;
    };
    if kind > rules::ERRORCHECK {
        return libc::EINVAL;
    }
    // SAFETY: the caller's contract.
    unsafe { attr.cast::<u32>().write(kind) };
    0
}

/// # Safety
/// `attr` is initialised; `kind` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_mutexattr_gettype(
    attr: *const pthread_mutexattr_t,
    kind: *mut c_int,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { *kind = attr.cast::<u32>().read() as c_int };
    0
}

/// The fields of a condition variable's storage.
struct Cond {
    seq: &'static AtomicU32,
    clock: &'static AtomicU32,
}

impl Cond {
    /// # Safety
    /// `c` is a live, aligned `pthread_cond_t`.
    unsafe fn at(c: *mut pthread_cond_t) -> Cond {
        let base = c.cast::<u8>();
        // SAFETY: as for `Mutex::at`.
        unsafe {
            Cond {
                seq: AtomicU32::from_ptr(base.cast()),
                clock: AtomicU32::from_ptr(base.add(4).cast()),
            }
        }
    }

    fn wait(&self, mutex: &Mutex, deadline: Option<&timespec>) -> c_int {
        let left = match deadline.map(|d| left_of(d, self.clock.load(Ordering::Relaxed))) {
            None => None,
            Some(Ok(Some(left))) => Some(left),
            // Already past: the mutex stays held, as after a timed-out wait.
            Some(Ok(None)) => return libc::ETIMEDOUT,
            Some(Err(e)) => return e,
        };
        let seen = self.seq.load(Ordering::Relaxed);
        let unlocked = mutex.unlock();
        if unlocked != 0 {
            return unlocked;
        }
        // A signal after `seen` was read changes `seq`, so the wait returns at once; EINTR is
        // a spurious wakeup, which POSIX allows.
        let woken = sys::futex_wait_for(self.seq, seen, left).unwrap_or(true);
        let relocked = mutex.lock(None);
        match (relocked, woken) {
            (0, false) => libc::ETIMEDOUT,
            (code, _) => code,
        }
    }
}

/// # Safety
/// `c` is writable; `attr` is null or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_cond_init(
    c: *mut pthread_cond_t,
    attr: *const pthread_condattr_t,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        c.write_bytes(0, 1);
        if !attr.is_null() {
            Cond::at(c)
                .clock
                .store(attr.cast::<u32>().read(), Ordering::Relaxed);
        }
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_cond_destroy(_c: *mut pthread_cond_t) -> c_int {
    0
}

/// # Safety
/// `c` and `m` are initialised; the caller holds `m`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_cond_wait(
    c: *mut pthread_cond_t,
    m: *mut pthread_mutex_t,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { Cond::at(c).wait(&Mutex::at(m), None) }
}

/// # Safety
/// `c` and `m` are initialised; the caller holds `m`; `deadline` is readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_cond_timedwait(
    c: *mut pthread_cond_t,
    m: *mut pthread_mutex_t,
    deadline: *const timespec,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { Cond::at(c).wait(&Mutex::at(m), Some(&*deadline)) }
}

/// # Safety
/// `c` is initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_cond_signal(c: *mut pthread_cond_t) -> c_int {
    // SAFETY: the caller's contract.
    let cond = unsafe { Cond::at(c) };
    cond.seq.fetch_add(1, Ordering::Release);
    let _ = sys::futex_wake_one(cond.seq);
    0
}

/// # Safety
/// `c` is initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_cond_broadcast(c: *mut pthread_cond_t) -> c_int {
    // SAFETY: the caller's contract.
    let cond = unsafe { Cond::at(c) };
    cond.seq.fetch_add(1, Ordering::Release);
    let _ = sys::futex_wake_all(cond.seq);
    0
}

/// # Safety
/// `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_condattr_init(attr: *mut pthread_condattr_t) -> c_int {
    // SAFETY: the caller's contract; 0 is the realtime clock, POSIX's default.
    unsafe { attr.cast::<u32>().write(0) };
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_condattr_destroy(_attr: *mut pthread_condattr_t) -> c_int {
    0
}

/// # Safety
/// `attr` is initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_condattr_setclock(
    attr: *mut pthread_condattr_t,
    clock: libc::clockid_t,
) -> c_int {
    match wasi_clock(clock) {
        // Only the realtime and monotonic clocks can time a wait.
        id @ (0 | 1) => {
            // SAFETY: the caller's contract.
            unsafe { attr.cast::<u32>().write(id) };
            0
        }
        _ => libc::EINVAL,
    }
}

/// # Safety
/// `attr` is initialised; `clock` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_condattr_getclock(
    attr: *const pthread_condattr_t,
    clock: *mut libc::clockid_t,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        *clock = if attr.cast::<u32>().read() == 1 {
            libc::CLOCK_MONOTONIC
        } else {
            libc::CLOCK_REALTIME
        };
    }
    0
}

// `pthread_mutex_timedlock`, `pthread_mutexattr_gettype` and `pthread_condattr_{set,get}clock`
// are not in std's pinned libc (0.2.178); newer libc releases declare them as written here.
crate::same_signature_as_libc!(
    pthread_mutex_init,
    pthread_mutex_destroy,
    pthread_mutex_lock,
    pthread_mutex_trylock,
    pthread_mutex_unlock,
    pthread_mutexattr_init,
    pthread_mutexattr_destroy,
    pthread_mutexattr_settype,
    pthread_cond_init,
    pthread_cond_destroy,
    pthread_cond_wait,
    pthread_cond_timedwait,
    pthread_cond_signal,
    pthread_cond_broadcast,
    pthread_condattr_init,
    pthread_condattr_destroy,
);
