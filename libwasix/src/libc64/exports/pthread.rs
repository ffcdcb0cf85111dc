//! Threads: `pthread_create`/`join`/`detach`/`self`/`equal`, the attribute calls std uses, and
//! `pthread_key_*`. A thread is one heap block (`libc64::thread_block`): the WASIX
//! `thread_start` record, the [`Control`] block `pthread_t` points at, the TLS block and the
//! stack. `thread_spawn_v2` makes the host call the `wasi_thread_start` export below in a new
//! instance; the trampoline is wasm assembly because the new instance's `__stack_pointer`
//! must be set before any Rust code runs.

use core::cell::{Cell, UnsafeCell};
use core::ffi::{c_int, c_void};
use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};

use super::Locked;
use super::alloc::{aligned_alloc, free};
use crate::abi::Errno;
use crate::libc64::keys::{DESTRUCTOR_ROUNDS, KEYS_MAX, KeyTable};
use crate::libc64::thread_block::{self, RECORD_SIZE};
use crate::sys;

/// Joinable and running.
const RUNNING: u32 = 0;
/// Detached and running: the thread frees itself at the end.
const DETACHED: u32 = 1;
/// Ended, result stored; the joiner (or a late detach) frees it.
const EXITED: u32 = 2;

/// What `pthread_t` points at.
#[repr(C)]
struct Control {
    /// RUNNING / DETACHED / EXITED; also the futex `pthread_join` sleeps on.
    state: AtomicU32,
    tid: u32,
    start: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
    result: *mut c_void,
    /// The block to free (null for the main thread's static control).
    block: *mut c_void,
}

extern "C" fn main_has_no_start(_: *mut c_void) -> *mut c_void {
    ptr::null_mut()
}

/// The main thread's control block (it has no heap block).
static mut MAIN: Control = Control {
    state: AtomicU32::new(RUNNING),
    tid: 0,
    start: main_has_no_start,
    arg: ptr::null_mut(),
    result: ptr::null_mut(),
    block: ptr::null_mut(),
};

/// The calling thread's control block; null on the main thread.
#[thread_local]
static SELF: Cell<*mut Control> = Cell::new(ptr::null_mut());

/// The calling thread's key values.
#[thread_local]
static VALUES: UnsafeCell<[*mut c_void; KEYS_MAX]> = UnsafeCell::new([ptr::null_mut(); KEYS_MAX]);

static KEYS: Locked<KeyTable> = Locked::new(KeyTable::new());

/// Default stack when the attribute sets none (what wasi-libc's threads get: std always sets
/// its own from `RUST_MIN_STACK` or 2 MiB).
const DEFAULT_STACK: usize = 1 << 20;

/// Our view of `pthread_attr_t` (72 bytes on wasm64, opaque in the libc crate).
#[repr(C)]
struct Attr {
    stack_size: usize,
    detached: usize,
    guard_size: usize,
}

const _: () = assert!(size_of::<Attr>() <= size_of::<libc::pthread_attr_t>());

/// # Safety
/// `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_init(attr: *mut libc::pthread_attr_t) -> c_int {
    // SAFETY: `Attr` fits in `pthread_attr_t`.
    unsafe {
        attr.cast::<Attr>().write(Attr {
            stack_size: DEFAULT_STACK,
            detached: 0,
            guard_size: 0,
        })
    };
    0
}

/// # Safety
/// `attr` was initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_destroy(_attr: *mut libc::pthread_attr_t) -> c_int {
    0
}

/// # Safety
/// `attr` was initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_setstacksize(
    attr: *mut libc::pthread_attr_t,
    size: usize,
) -> c_int {
    if size < libc64_stack_min() {
        return Errno::INVAL.raw();
    }
    // SAFETY: the caller's contract.
    unsafe { (*attr.cast::<Attr>()).stack_size = size };
    0
}

/// # Safety
/// `attr` was initialized; `size` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_getstacksize(
    attr: *const libc::pthread_attr_t,
    size: *mut usize,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { *size = (*attr.cast::<Attr>()).stack_size };
    0
}

/// # Safety
/// `attr` was initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_attr_setdetachstate(
    attr: *mut libc::pthread_attr_t,
    state: c_int,
) -> c_int {
    match state {
        // SAFETY: the caller's contract.
        0 | 1 => unsafe { (*attr.cast::<Attr>()).detached = state as usize },
        _ => return Errno::INVAL.raw(),
    }
    0
}

/// The smallest stack `pthread_attr_setstacksize` takes (musl's `PTHREAD_STACK_MIN`).
fn libc64_stack_min() -> usize {
    2048
}

/// `__tls_size` and `__tls_align`: linker-made globals, readable only with `global.get`.
#[unsafe(naked)]
extern "C" fn tls_size() -> usize {
    core::arch::naked_asm!(
        ".globaltype __tls_size, i64, immutable",
        "global.get __tls_size"
    )
}

#[unsafe(naked)]
extern "C" fn tls_align() -> usize {
    core::arch::naked_asm!(
        ".globaltype __tls_align, i64, immutable",
        "global.get __tls_align"
    )
}

unsafe extern "C" {
    /// Synthesized by wasm-ld: copies the TLS image into the block at its argument and points
    /// this instance's `__tls_base` there.
    fn __wasm_init_tls(block: *mut c_void);
}

/// The host's entry for a new thread: set the stack pointer from the record (offset 0), set
/// up TLS (offset 8), then [`thread_main`].
///
/// # Safety
/// Called by the host only, with a record made by `pthread_create`.
#[unsafe(no_mangle)]
#[unsafe(naked)]
pub unsafe extern "C" fn wasi_thread_start(tid: i64, record: *mut u8) {
    core::arch::naked_asm!(
        ".globaltype __stack_pointer, i64",
        "local.get 1",
        "i64.load 0",
        "global.set __stack_pointer",
        "local.get 1",
        "i64.load 8",
        "call {init_tls}",
        "local.get 0",
        "local.get 1",
        "call {main}",
        init_tls = sym __wasm_init_tls,
        main = sym thread_main,
    )
}

/// Runs the thread's start routine, its key destructors, and ends it.
extern "C" fn thread_main(tid: i64, record: *mut u8) {
    // SAFETY: `start_args` (offset 24) holds this thread's control block.
    let control = unsafe { record.add(24).cast::<*mut Control>().read() };
    // SAFETY: this thread's own TLS and control block.
    SELF.set(control);
    unsafe {
        (*control).tid = tid as u32;
        let result = ((*control).start)((*control).arg);
        (*control).result = result;
    }
    run_key_destructors();
    // SAFETY: the control block stays valid until the joiner (or we) free it.
    let control = unsafe { &*control };
    match control
        .state
        .compare_exchange(RUNNING, EXITED, Ordering::AcqRel, Ordering::Acquire)
    {
        Ok(_) => {
            let _ = sys::futex_wake_all(&control.state);
        }
        // Detached: nobody will join, so the thread frees its own block. After `free`
        // returns, only wasm locals are used on the way back to the host (no shadow-stack
        // reads), so another thread reusing the memory cannot disturb this one.
        Err(_) => free_block(control.block),
    }
}

#[inline(never)]
fn free_block(block: *mut c_void) {
    // SAFETY: the block came from `aligned_alloc` in `pthread_create`.
    unsafe { free(block) }
}

/// Up to POSIX's rounds of destructors over the calling thread's key values.
fn run_key_destructors() {
    for _ in 0..DESTRUCTOR_ROUNDS {
        let mut pending = [(None, ptr::null_mut()); 16];
        let mut more = false;
        // Collect under the lock, call outside it (destructors may use keys).
        let mut n = 0;
        KEYS.with(|keys| {
            // SAFETY: the calling thread's own values.
            let values = unsafe { &mut *VALUES.get() };
            keys.round(values, |dtor, v| {
                if n < pending.len() {
                    pending[n] = (Some(dtor), v);
                    n += 1;
                } else {
                    more = true;
                }
            });
        });
        for (dtor, v) in &pending[..n] {
            if let Some(dtor) = dtor {
                // SAFETY: the key's destructor, given the value it was registered for.
                unsafe { dtor(*v) };
            }
        }
        if n == 0 && !more {
            return;
        }
    }
}

/// # Safety
/// `native` is writable; `attr` is null or initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    native: *mut libc::pthread_t,
    attr: *const libc::pthread_attr_t,
    start: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    let (stack, detached) = match unsafe { attr.cast::<Attr>().as_ref() } {
        Some(a) => (a.stack_size, a.detached != 0),
        None => (DEFAULT_STACK, false),
    };
    let Some(l) = thread_block::layout(
        stack,
        (tls_size(), tls_align()),
        (size_of::<Control>(), align_of::<Control>()),
    ) else {
        return Errno::INVAL.raw();
    };
    let block: *mut u8 = aligned_alloc(l.align, l.size).cast();
    if block.is_null() {
        return Errno::AGAIN.raw();
    }
    // SAFETY: `block` holds `l.size` bytes; the offsets are inside it and aligned.
    unsafe {
        let control = block.add(l.control).cast::<Control>();
        control.write(Control {
            state: AtomicU32::new(if detached { DETACHED } else { RUNNING }),
            tid: 0,
            start,
            arg,
            result: ptr::null_mut(),
            block: block.cast(),
        });
        let record = block.cast::<usize>();
        record.write_bytes(0, RECORD_SIZE / 8);
        record.write(block.add(l.stack_top) as usize);
        record.add(1).write(block.add(l.tls) as usize);
        record.add(2).write(wasi_thread_start as *const () as usize);
        record.add(3).write(control as usize);
        record.add(14).write(stack);
        match sys::thread_spawn(block) {
            Ok(_) => {
                *native = control.cast();
                0
            }
            Err(e) => {
                free(block.cast());
                e.raw()
            }
        }
    }
}

/// # Safety
/// `thread` came from `pthread_create` and is neither detached nor joined; `ret` is null or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_join(thread: libc::pthread_t, ret: *mut *mut c_void) -> c_int {
    if thread == pthread_self() {
        return Errno::DEADLK.raw();
    }
    let control = thread.cast::<Control>();
    // SAFETY: the caller's contract: the block is live until we free it.
    let state = unsafe { &(*control).state };
    loop {
        match state.load(Ordering::Acquire) {
            EXITED => break,
            s => {
                let _ = sys::futex_wait(state, s);
            }
        }
    }
    // SAFETY: the thread has ended; its block is ours now.
    unsafe {
        if !ret.is_null() {
            *ret = (*control).result;
        }
        free((*control).block);
    }
    0
}

/// # Safety
/// `thread` came from `pthread_create` and is neither detached nor joined.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_detach(thread: libc::pthread_t) -> c_int {
    let control = thread.cast::<Control>();
    // SAFETY: the caller's contract.
    let state = unsafe { &(*control).state };
    if state.compare_exchange(RUNNING, DETACHED, Ordering::AcqRel, Ordering::Acquire) == Err(EXITED)
    {
        // Already ended: nobody else will free it.
        // SAFETY: the thread is gone.
        unsafe { free((*control).block) };
    }
    0
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_self() -> libc::pthread_t {
    let this = SELF.get();
    if this.is_null() {
        // MAIN is only ever used through this pointer.
        (&raw mut MAIN).cast()
    } else {
        this.cast()
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_equal(a: libc::pthread_t, b: libc::pthread_t) -> c_int {
    c_int::from(a == b)
}

/// # Safety
/// `key` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_key_create(
    key: *mut libc::pthread_key_t,
    dtor: Option<unsafe extern "C" fn(*mut c_void)>,
) -> c_int {
    match KEYS.with(|keys| keys.create(dtor)) {
        Some(k) => {
            // SAFETY: the caller's contract; k < 128.
            unsafe { *key = k as libc::pthread_key_t };
            0
        }
        None => Errno::AGAIN.raw(),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_key_delete(key: libc::pthread_key_t) -> c_int {
    if KEYS.with(|keys| keys.delete(key as usize)) {
        0
    } else {
        Errno::INVAL.raw()
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_getspecific(key: libc::pthread_key_t) -> *mut c_void {
    // SAFETY: the calling thread's own values.
    unsafe {
        (*VALUES.get())
            .get(key as usize)
            .copied()
            .unwrap_or(ptr::null_mut())
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn pthread_setspecific(key: libc::pthread_key_t, value: *const c_void) -> c_int {
    if !KEYS.with(|keys| keys.in_use(key as usize)) {
        return Errno::INVAL.raw();
    }
    // SAFETY: the calling thread's own values; the key is in range.
    unsafe { (*VALUES.get())[key as usize] = value.cast_mut() };
    0
}

crate::same_signature_as_libc!(
    pthread_attr_init,
    pthread_attr_destroy,
    pthread_attr_setstacksize,
    pthread_attr_getstacksize,
    pthread_attr_setdetachstate,
    pthread_create,
    pthread_join,
    pthread_detach,
    pthread_self,
    pthread_equal,
    pthread_key_create,
    pthread_key_delete,
    pthread_getspecific,
    pthread_setspecific,
);
