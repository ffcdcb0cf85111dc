//! The C exports of libc64 (wasm64 only): thin wiring of the pure rules in `libc64` to the
//! WASIX imports in `crate::sys`. Each file is one area of the libc (docs/wasm64.md's table).

mod alloc;
mod dir;
mod env;
mod fd;
pub(crate) mod math;
mod path;
mod poll;
mod pthread;
mod start;
mod string;
mod sync;

pub use crate::locked::Locked;
