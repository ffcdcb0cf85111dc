//! A no_std + alloc program for wasm64-wasmer-wasi that needs no libc: it runs on the wasm64
//! sysroot's core/alloc and the generated `wasix_64v1` preview-1 crate (`sysroot/wasi64/`),
//! and places its message above 2 GiB, where a 32-bit pointer is negative, so a binding that
//! truncated or sign-extended pointers would fault or print garbage. (Above 4 GiB would be the
//! stronger check, but the runtime cannot grow a shared memory past 4 GiB yet: docs/wasm64.md.)
//! Built and run by `scripts/wasm64.sh` (docs/wasm64.md).

#![no_std]
#![no_main]
#![feature(simd_wasm64)]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm64::{memory_grow, memory_size};
use core::sync::atomic::{AtomicUsize, Ordering};

const PAGE: usize = 65536;
const THREE_GIB: usize = 3 << 30;

/// A bump allocator over `memory.grow` (never frees: enough for a short program).
struct Bump;

static NEXT: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut next = NEXT.load(Ordering::Relaxed);
        if next == 0 {
            next = memory_size::<0>() * PAGE;
        }
        let start = (next + layout.align() - 1) & !(layout.align() - 1);
        let end = start + layout.size();
        let have = memory_size::<0>() * PAGE;
        if end > have && memory_grow::<0>((end - have).div_ceil(PAGE)) == usize::MAX {
            return core::ptr::null_mut();
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // Nothing that allocates: the allocator may be why we are here.
    let msg = b"panicked\n";
    let iov = [wasi::Ciovec {
        buf: msg.as_ptr(),
        buf_len: msg.len(),
    }];
    let _ = unsafe { wasi::fd_write(2, &iov) };
    unsafe { wasi::proc_exit(101) }
}

fn write_all(fd: wasi::Fd, bytes: &[u8]) {
    let iov = [wasi::Ciovec {
        buf: bytes.as_ptr(),
        buf_len: bytes.len(),
    }];
    let written = unsafe { wasi::fd_write(fd, &iov) }.expect("fd_write");
    assert_eq!(written, bytes.len(), "short write");
}

fn args() -> Vec<String> {
    let (argc, size) = unsafe { wasi::args_sizes_get() }.expect("args_sizes_get");
    let mut argv = vec![core::ptr::null_mut::<u8>(); argc];
    let mut buf = vec![0u8; size];
    unsafe { wasi::args_get(argv.as_mut_ptr(), buf.as_mut_ptr()) }.expect("args_get");
    buf.split(|b| *b == 0)
        .take(argc)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

#[unsafe(no_mangle)]
pub extern "C" fn _start() {
    let args = args();
    // Move the heap to 3 GiB: everything allocated from here on has bit 31 set.
    if memory_size::<0>() * PAGE < THREE_GIB {
        NEXT.store(THREE_GIB, Ordering::Relaxed);
    }
    let msg = format!("hello from wasm64: args {:?}\n", &args[1..]);
    let at = msg.as_ptr() as usize;
    assert!(at >= THREE_GIB, "message at {at:#x}, expected above 3 GiB");
    write_all(1, msg.as_bytes());
    write_all(1, format!("message at {at:#x}\n").as_bytes());
    let now = unsafe { wasi::clock_time_get(wasi::CLOCKID_MONOTONIC, 1) }.expect("clock");
    assert!(now > 0, "monotonic clock at 0");
    unsafe { wasi::proc_exit(0) }
}
