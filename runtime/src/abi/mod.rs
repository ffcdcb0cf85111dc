//! Scalar types, flags and struct layouts of the WASI preview 1 / WASIX ABI.

pub mod errno;
pub mod types;

pub use errno::Errno;
