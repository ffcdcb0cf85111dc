//! libc64: the C library for `wasm64-wasmer-wasi`, in Rust (decision (a) of `docs/wasm64.md`:
//! rustup ships no wasm64 wasi-libc, so libwasix grows into the libc std and common crates
//! link against). It covers the objects measured there, area by area; what is not written yet
//! is left undefined, so a wasm64 link names it (`--no-undefined`) instead of failing at run
//! time.
//!
//! Layout: the rules are pure and host-tested (`cstr`, `strerror`, `environ`, `preopen`,
//! `heap`, `sysconf`, `keys`, `thread_block`, `mutex_rules`; the file layer's `open_flags`, `filestat`,
//! `dirent`, `realpath`); the C exports that wire them to the WASIX imports exist only on wasm64
//! (`exports`).

pub mod cstr;
pub mod dirent;
pub mod environ;
pub mod filestat;
pub mod heap;
pub mod keys;
pub mod mutex_rules;
pub mod open_flags;
pub mod poll;
pub mod preopen;
pub mod realpath;
pub mod strerror;
pub mod sysconf;
pub mod thread_block;

#[cfg(target_arch = "wasm64")]
pub(crate) mod exports;
