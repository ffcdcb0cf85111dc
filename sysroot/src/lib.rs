//! Prepares the WASIX sysroot from the user's own rust-src.

mod error;
pub mod patch;

pub use error::{Error, Result};
