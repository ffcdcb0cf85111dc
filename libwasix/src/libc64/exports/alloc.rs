//! `malloc`, `free`, `calloc`, `realloc`, `aligned_alloc`, `posix_memalign`, `memalign`,
//! `malloc_usable_size`: [`Heap`] over the `dlmalloc` crate (what Rust's own
//! `wasm32-unknown-unknown` std allocates with), which grows linear memory with
//! `memory.grow` — 64-bit on wasm64, so past 4 GiB.

use core::ffi::{c_int, c_void};

use super::Locked;
use crate::abi::Errno;
use crate::errno;
use crate::libc64::heap::{Chunks, Heap, MIN_ALIGN};

struct Dl(dlmalloc::Dlmalloc);

// SAFETY: `Dlmalloc` keeps the allocator contract; `Heap` hands back exactly what it got.
unsafe impl Chunks for Dl {
    unsafe fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
        unsafe { self.0.malloc(size, align) }
    }
    unsafe fn alloc_zeroed(&mut self, size: usize, align: usize) -> *mut u8 {
        unsafe { self.0.calloc(size, align) }
    }
    unsafe fn free(&mut self, ptr: *mut u8, size: usize, align: usize) {
        unsafe { self.0.free(ptr, size, align) }
    }
    unsafe fn realloc(&mut self, ptr: *mut u8, size: usize, align: usize, new: usize) -> *mut u8 {
        unsafe { self.0.realloc(ptr, size, align, new) }
    }
}

static HEAP: Locked<Heap<Dl>> = Locked::new(Heap(Dl(dlmalloc::Dlmalloc::new())));

/// `p`, or null with errno `ENOMEM`.
fn or_nomem(p: *mut u8) -> *mut c_void {
    if p.is_null() {
        errno::set(Errno::NOMEM);
    }
    p.cast()
}

#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    or_nomem(HEAP.with(|h| h.alloc(size, MIN_ALIGN, false)))
}

#[unsafe(no_mangle)]
pub extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    let Some(total) = count.checked_mul(size) else {
        return or_nomem(core::ptr::null_mut());
    };
    or_nomem(HEAP.with(|h| h.alloc(total, MIN_ALIGN, true)))
}

/// # Safety
/// `ptr` is null or a live block from this allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    // SAFETY: the caller's contract.
    HEAP.with(|h| unsafe { h.free(ptr.cast()) })
}

/// # Safety
/// `ptr` is null or a live block from this allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: the caller's contract.
    or_nomem(HEAP.with(|h| unsafe { h.realloc(ptr.cast(), size) }))
}

#[unsafe(no_mangle)]
pub extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    if !align.is_power_of_two() {
        errno::set(Errno::INVAL);
        return core::ptr::null_mut();
    }
    or_nomem(HEAP.with(|h| h.alloc(size, align, false)))
}

#[unsafe(no_mangle)]
pub extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
    aligned_alloc(align, size)
}

/// # Safety
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int {
    // POSIX: a power of two multiple of `sizeof(void *)`; errors are returned, not set.
    if !align.is_power_of_two() || align < size_of::<usize>() {
        return Errno::INVAL.raw();
    }
    let p = HEAP.with(|h| h.alloc(size, align, false));
    if p.is_null() {
        return Errno::NOMEM.raw();
    }
    // SAFETY: the caller's contract.
    unsafe { out.write(p.cast()) };
    0
}

/// # Safety
/// `ptr` is null or a live block from this allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc_usable_size(ptr: *mut c_void) -> usize {
    if ptr.is_null() {
        return 0;
    }
    // SAFETY: the caller's contract.
    HEAP.with(|h| unsafe { h.usable(ptr.cast()) })
}

crate::same_signature_as_libc!(malloc, calloc, free, realloc, aligned_alloc, posix_memalign);
