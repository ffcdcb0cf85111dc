//! Processes: `posix_spawn(p)` with file actions and attributes, `waitpid`/`wait`, `kill`,
//! `getpid`/`getppid`, and the signal-set functions.

pub mod encode;

#[cfg(target_arch = "wasm32")]
mod sigaction;
#[cfg(target_arch = "wasm32")]
mod sigset;
#[cfg(target_arch = "wasm32")]
mod spawn;
#[cfg(target_arch = "wasm32")]
mod wait;
