//! Processes: `posix_spawn(p)` with file actions and attributes, `waitpid`/`wait`, `kill`,
//! `getpid`/`getppid`, the signal-set functions, interval timers (`alarm`, `setitimer`) and
//! `fork`/`vfork` (ENOSYS).

pub mod encode;
pub mod itimer;

#[cfg(target_family = "wasm")]
mod fork;
#[cfg(target_family = "wasm")]
mod sigaction;
#[cfg(target_family = "wasm")]
mod sigset;
#[cfg(target_family = "wasm")]
mod spawn;
#[cfg(target_family = "wasm")]
mod timer;
#[cfg(target_family = "wasm")]
mod wait;
