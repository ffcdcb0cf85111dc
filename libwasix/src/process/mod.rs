//! Processes: `posix_spawn(p)` with file actions and attributes, `waitpid`/`wait`, `kill`,
//! `getpid`/`getppid`, the signal-set functions, interval timers (`alarm`, `setitimer`) and
//! `fork`/`vfork` (ENOSYS).

pub mod encode;
pub mod itimer;

#[cfg(target_arch = "wasm32")]
mod fork;
#[cfg(target_arch = "wasm32")]
mod sigaction;
#[cfg(target_arch = "wasm32")]
mod sigset;
#[cfg(target_arch = "wasm32")]
mod spawn;
#[cfg(target_arch = "wasm32")]
mod timer;
#[cfg(target_arch = "wasm32")]
mod wait;
