//! wasm64-wasmer-wasi (cargo-wasix overlay): `random_get` from the `wasix_64v1` module, whose
//! pointers and lengths are 64-bit.
use crate::Error;
use core::mem::MaybeUninit;

pub use crate::util::{inner_u32, inner_u64};

#[link(wasm_import_module = "wasix_64v1")]
unsafe extern "C" {
    fn random_get(buf: *mut u8, buf_len: usize) -> i32;
}

pub fn fill_inner(dest: &mut [MaybeUninit<u8>]) -> Result<(), Error> {
    // SAFETY: `dest` is writable for its length; the host fills all of it or fails.
    match unsafe { random_get(dest.as_mut_ptr().cast(), dest.len()) } {
        0 => Ok(()),
        // Only a guest pointer out of bounds makes the host fail, which a slice cannot be.
        _ => Err(Error::UNEXPECTED),
    }
}
