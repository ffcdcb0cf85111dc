//! A byte buffer from the C heap (`malloc`), freed on drop unless handed over: for records
//! built for the host (spawn lists, `poll_oneoff` subscriptions) and strings the C caller
//! keeps.

use crate::abi::Errno;

pub struct CBuf {
    ptr: *mut u8,
    len: usize,
}

impl CBuf {
    /// `len` bytes (at least one is allocated, so null always means failure); `ENOMEM` when
    /// the heap is exhausted. malloc memory is aligned for any C type.
    pub fn new(len: usize) -> Result<CBuf, Errno> {
        // SAFETY: a plain allocation.
        let ptr = unsafe { libc::malloc(len.max(1)) }.cast::<u8>();
        if ptr.is_null() {
            return Err(Errno::NOMEM);
        }
        Ok(CBuf { ptr, len })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` holds `len` bytes, borrowed through `self`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    /// Gives up ownership: the caller frees the pointer with `free` (or keeps it forever).
    pub fn into_raw(self) -> *mut u8 {
        let ptr = self.ptr;
        core::mem::forget(self);
        ptr
    }
}

impl Drop for CBuf {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from malloc and is freed once.
        unsafe { libc::free(self.ptr.cast()) };
    }
}
