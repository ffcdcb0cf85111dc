//! `malloc` and friends over a Rust allocator that needs the size back on free (dlmalloc's
//! API, like Rust's `GlobalAlloc`): each block carries a header just below the pointer C code
//! sees, holding the chunk's size and alignment, so `free(p)` and `realloc(p, n)` need no
//! size. The layout rules are pure and host-tested against the host's allocator.

use core::ptr;

/// The smallest alignment `malloc` returns (C's `max_align_t` on wasm: 16).
pub const MIN_ALIGN: usize = 16;

/// What [`Heap`] needs from the allocator underneath (`dlmalloc::Dlmalloc` on wasm64).
///
/// # Safety
/// The usual allocator contract: blocks are valid for `size` bytes at `align`, `free` and
/// `realloc` get back exactly what `alloc` handed out.
pub unsafe trait Chunks {
    unsafe fn alloc(&mut self, size: usize, align: usize) -> *mut u8;
    unsafe fn alloc_zeroed(&mut self, size: usize, align: usize) -> *mut u8;
    unsafe fn free(&mut self, ptr: *mut u8, size: usize, align: usize);
    unsafe fn realloc(&mut self, ptr: *mut u8, size: usize, align: usize, new: usize) -> *mut u8;
}

/// Size and alignment of the chunk behind one C block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    /// Bytes asked of [`Chunks`]: the block plus `align` bytes in front for the header.
    chunk: usize,
    /// The chunk's alignment, also the distance from chunk start to the C pointer.
    align: usize,
}

impl Header {
    /// The header for a C request, or `None` for an impossible one (overflow, an alignment
    /// that is not a power of two).
    fn for_request(size: usize, align: usize) -> Option<Header> {
        if !align.is_power_of_two() {
            return None;
        }
        let align = align.max(MIN_ALIGN);
        let chunk = size.checked_add(align)?;
        // Rust allocators require the rounded size to fit isize.
        (chunk <= isize::MAX as usize - align).then_some(Header { chunk, align })
    }

    /// Where the header of the block at `user` lives (two words just below it).
    fn slot(user: *mut u8) -> *mut usize {
        user.wrapping_sub(2 * size_of::<usize>()).cast()
    }

    /// # Safety
    /// `user` came from [`Heap`] and is live.
    unsafe fn read(user: *mut u8) -> Header {
        let slot = Header::slot(user);
        // SAFETY: `write` put two words there when the block was handed out.
        unsafe {
            Header {
                chunk: slot.read(),
                align: slot.add(1).read(),
            }
        }
    }

    /// Stores the header in front of `chunk` and returns the C pointer.
    ///
    /// # Safety
    /// `chunk` is a live chunk of `self.chunk` bytes at `self.align`.
    unsafe fn write(self, chunk: *mut u8) -> *mut u8 {
        // SAFETY: `align >= 16` bytes precede the user block, enough for two words.
        let user = unsafe { chunk.add(self.align) };
        let slot = Header::slot(user);
        unsafe {
            slot.write(self.chunk);
            slot.add(1).write(self.align);
        }
        user
    }
}

/// The C allocation functions over a [`Chunks`]. Failures return null; the exports set errno.
pub struct Heap<C: Chunks>(pub C);

impl<C: Chunks> Heap<C> {
    /// `aligned_alloc`/`malloc`; `zeroed` for `calloc`.
    pub fn alloc(&mut self, size: usize, align: usize, zeroed: bool) -> *mut u8 {
        let Some(h) = Header::for_request(size, align) else {
            return ptr::null_mut();
        };
        // SAFETY: `h` is a valid layout (power-of-two align, size fits isize).
        let chunk = unsafe {
            if zeroed {
                self.0.alloc_zeroed(h.chunk, h.align)
            } else {
                self.0.alloc(h.chunk, h.align)
            }
        };
        if chunk.is_null() {
            return chunk;
        }
        // SAFETY: a fresh chunk of `h.chunk` bytes.
        unsafe { h.write(chunk) }
    }

    /// `free`.
    ///
    /// # Safety
    /// `user` is null or a live block of this heap.
    pub unsafe fn free(&mut self, user: *mut u8) {
        if user.is_null() {
            return;
        }
        // SAFETY: the caller's contract.
        let h = unsafe { Header::read(user) };
        unsafe { self.0.free(user.sub(h.align), h.chunk, h.align) };
    }

    /// `realloc`: null grows from nothing; a failure leaves the old block intact.
    ///
    /// # Safety
    /// `user` is null or a live block of this heap.
    pub unsafe fn realloc(&mut self, user: *mut u8, size: usize) -> *mut u8 {
        if user.is_null() {
            return self.alloc(size, MIN_ALIGN, false);
        }
        // SAFETY: the caller's contract.
        let old = unsafe { Header::read(user) };
        let Some(new) = Header::for_request(size, old.align) else {
            return ptr::null_mut();
        };
        // SAFETY: `old` describes the live chunk; the allocator keeps its alignment.
        let chunk = unsafe {
            self.0
                .realloc(user.sub(old.align), old.chunk, old.align, new.chunk)
        };
        if chunk.is_null() {
            return chunk;
        }
        // SAFETY: the moved chunk kept the header's distance (same alignment).
        unsafe { new.write(chunk) }
    }

    /// The bytes usable at `user` (`malloc_usable_size`).
    ///
    /// # Safety
    /// `user` is a live block of this heap.
    pub unsafe fn usable(&self, user: *mut u8) -> usize {
        // SAFETY: the caller's contract.
        let h = unsafe { Header::read(user) };
        h.chunk - h.align
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{Layout, alloc, alloc_zeroed, dealloc, realloc};
    use std::collections::HashMap;

    /// The host allocator, checking every free/realloc against what it handed out.
    #[derive(Default)]
    struct Checked(HashMap<usize, (usize, usize)>);

    unsafe impl Chunks for Checked {
        unsafe fn alloc(&mut self, size: usize, align: usize) -> *mut u8 {
            let p = unsafe { alloc(Layout::from_size_align(size, align).unwrap()) };
            self.0.insert(p as usize, (size, align));
            p
        }
        unsafe fn alloc_zeroed(&mut self, size: usize, align: usize) -> *mut u8 {
            let p = unsafe { alloc_zeroed(Layout::from_size_align(size, align).unwrap()) };
            self.0.insert(p as usize, (size, align));
            p
        }
        unsafe fn free(&mut self, p: *mut u8, size: usize, align: usize) {
            assert_eq!(
                self.0.remove(&(p as usize)),
                Some((size, align)),
                "free of unknown chunk"
            );
            unsafe { dealloc(p, Layout::from_size_align(size, align).unwrap()) };
        }
        unsafe fn realloc(&mut self, p: *mut u8, size: usize, align: usize, new: usize) -> *mut u8 {
            assert_eq!(
                self.0.remove(&(p as usize)),
                Some((size, align)),
                "realloc of unknown chunk"
            );
            let q = unsafe { realloc(p, Layout::from_size_align(size, align).unwrap(), new) };
            self.0.insert(q as usize, (new, align));
            q
        }
    }

    #[test]
    fn requests() {
        let cases = [
            (0, 1, Some((16, 16))),
            (1, 8, Some((17, 16))),
            (100, 16, Some((116, 16))),
            (10, 64, Some((74, 64))),
            (10, 4096, Some((4106, 4096))),
            (10, 3, None),
            (10, 0, None),
            (usize::MAX - 8, 16, None),
            (isize::MAX as usize, 16, None),
        ];
        for (size, align, want) in cases {
            let got = Header::for_request(size, align).map(|h| (h.chunk, h.align));
            assert_eq!(got, want, "size {size} align {align}");
        }
    }

    #[test]
    fn blocks_are_aligned_and_freed_whole() {
        let mut heap = Heap(Checked::default());
        let mut live = Vec::new();
        for (size, align) in [
            (0, 1),
            (1, 16),
            (24, 8),
            (1000, 64),
            (5, 4096),
            (70_000, 32),
        ] {
            let p = heap.alloc(size, align, false);
            assert!(!p.is_null());
            assert_eq!(p as usize % align.max(MIN_ALIGN), 0, "align {align}");
            assert_eq!(unsafe { heap.usable(p) }, size);
            unsafe { p.write_bytes(0xAB, size) };
            live.push(p);
        }
        for p in live {
            unsafe { heap.free(p) };
        }
        unsafe { heap.free(ptr::null_mut()) };
        assert!(heap.0.0.is_empty(), "every chunk went back");
    }

    #[test]
    fn zeroed_and_realloc_keep_contents() {
        let mut heap = Heap(Checked::default());
        let p = heap.alloc(64, 16, true);
        assert!(
            unsafe { std::slice::from_raw_parts(p, 64) }
                .iter()
                .all(|&b| b == 0)
        );
        unsafe { p.copy_from(b"0123456789".as_ptr(), 10) };
        let q = unsafe { heap.realloc(p, 100_000) };
        assert_eq!(unsafe { std::slice::from_raw_parts(q, 10) }, b"0123456789");
        assert_eq!(unsafe { heap.usable(q) }, 100_000);
        let r = unsafe { heap.realloc(q, 4) };
        assert_eq!(unsafe { std::slice::from_raw_parts(r, 4) }, b"0123");
        let big = heap.alloc(8, 256, false);
        let big2 = unsafe { heap.realloc(big, 5000) };
        assert_eq!(
            big2 as usize % 256,
            0,
            "realloc keeps the block's alignment"
        );
        assert!(
            unsafe { heap.realloc(big2, usize::MAX) }.is_null(),
            "old block intact"
        );
        let fresh = unsafe { heap.realloc(ptr::null_mut(), 3) };
        for p in [r, big2, fresh] {
            unsafe { heap.free(p) };
        }
        assert!(heap.0.0.is_empty());
    }
}
