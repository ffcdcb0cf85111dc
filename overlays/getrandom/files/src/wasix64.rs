//! wasm64-wasmer-wasi (cargo-wasix overlay): `random_get` from the `wasix_64v1` module, whose
//! pointers and lengths are 64-bit.
use crate::Error;
use core::{
    mem::MaybeUninit,
    num::NonZeroU32,
};

#[link(wasm_import_module = "wasix_64v1")]
unsafe extern "C" {
    fn random_get(buf: *mut u8, buf_len: usize) -> i32;
}

pub fn getrandom_inner(dest: &mut [MaybeUninit<u8>]) -> Result<(), Error> {
    // SAFETY: `dest` is writable for its length; the host fills all of it or fails.
    match unsafe { random_get(dest.as_mut_ptr().cast(), dest.len()) } {
        0 => Ok(()),
        // A WASI errno (never zero here) as getrandom 0.2 reports OS errors.
        code => Err(NonZeroU32::new(code as u32).map_or(Error::ERRNO_NOT_POSITIVE, Error::from)),
    }
}
