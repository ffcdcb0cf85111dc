//! Resource limits of a run (issue 14), each with a flag, a default and an exit code of its own:
//!
//! | limit | flag | default | exceeded |
//! |---|---|---|---|
//! | wall-clock time | `--time-limit` | none | the run ends, [`TIME_LIMIT_EXIT`] (124) |
//! | linear memory per process | `--max-memory` | [`DEFAULT_MAX_MEMORY`] | `memory.grow` fails (-1) |
//! | threads per process | `--max-threads` | [`DEFAULT_MAX_THREADS`] | `thread_spawn` fails with EAGAIN |
//! | open fds per process | `--max-fds` | [`DEFAULT_MAX_FDS`] | opening fails with EMFILE |
//!
//! The guest sees the refusal as the call's failure and may handle it. When the process then
//! ends abnormally (a trap, an abort, a Rust panic), the runtime names the limit on stderr
//! (with the flag that raises it) and the process ends with the limit's exit code
//! ([`MEMORY_LIMIT_EXIT`], [`THREAD_LIMIT_EXIT`], [`FD_LIMIT_EXIT`]) instead of 134/101; an
//! ordinary non-zero exit keeps its code and gets a `note:` naming the limit.
//!
//! Linear memory is limited two ways because wasmtime applies a store's `ResourceLimiter` only
//! to memories the store owns: a memory the module defines (or a non-shared import) is checked
//! by the limiter ([`ThreadCtx`](crate::thread::ThreadCtx) implements it), an imported shared
//! memory (every threaded module) is created with its maximum lowered to the limit
//! ([`cap_memory_type`]), which is a valid import (a smaller maximum is a subtype). Growing a
//! shared memory past that maximum fails without any callback, so a Rust guest's out-of-memory
//! abort is recognised by std's `memory allocation of N bytes failed` message on its stderr.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::MemoryType;

use crate::proc::status::ExitStatus;
use crate::process::Process;

/// The exit code of a run ended by its time limit (the code coreutils `timeout` uses).
pub const TIME_LIMIT_EXIT: i32 = 124;
/// The exit code of a process that failed after its linear memory could not grow.
pub const MEMORY_LIMIT_EXIT: i32 = 123;
/// The exit code of a process that failed after a thread was refused by `--max-threads`.
pub const THREAD_LIMIT_EXIT: i32 = 122;
/// The exit code of a process that failed after an fd was refused by `--max-fds`.
pub const FD_LIMIT_EXIT: i32 = 121;

/// Default `--max-memory`: 4 GiB, all a wasm32 module can address, so only wasm64 modules are
/// limited below their own maximum unless the user asks.
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;
/// Default `--max-threads` per process (the main thread included).
pub const DEFAULT_MAX_THREADS: usize = 1024;
/// Default `--max-fds` per process: Linux's usual `ulimit -n`, so a program that runs natively
/// runs here, and a process holds at most as many host fds as a native one.
pub const DEFAULT_MAX_FDS: u32 = 1024;
/// The largest `--max-fds` (the fd table's own bound).
pub const MAX_MAX_FDS: u32 = crate::fd::table::MAX_FDS;
/// The largest `--max-threads` (wasi-threads' tid space is 2^29; beyond 65,536 OS threads a
/// host runs out of other resources first).
pub const MAX_MAX_THREADS: usize = 65_536;
/// The smallest `--max-memory`: one 64 KiB wasm page.
pub const MIN_MAX_MEMORY: u64 = 64 << 10;
/// The largest `--max-memory`: the address space reserved for every linear memory
/// (`engine::config`). Shared memories never move, so they cannot grow past their reservation;
/// wasmtime's default (4 GiB) would stop a wasm64 program at 4 GiB whatever the limit.
pub const MAX_MAX_MEMORY: u64 = 64 << 30;

/// The per-process limits of a run (every process of the run gets the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes each linear memory may grow to.
    pub max_memory: u64,
    /// Threads a process may have at once, the main thread included.
    pub max_threads: usize,
    /// fd numbers a process may use (`0..max_fds`), like `RLIMIT_NOFILE`.
    pub max_fds: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: DEFAULT_MAX_MEMORY,
            max_threads: DEFAULT_MAX_THREADS,
            max_fds: DEFAULT_MAX_FDS,
        }
    }
}

/// What one process's linear memory ran into (read when the process ends).
#[derive(Debug, Default)]
pub struct MemoryState {
    /// A growth was refused or failed, or the guest reported a failed allocation.
    refused: AtomicBool,
    /// The size (bytes) of the last growth the limiter refused; 0: none.
    refused_size: AtomicU64,
    /// The module's own maximum for its memory in bytes (`None`: no maximum), once known.
    module_max: OnceLock<Option<u64>>,
}

impl MemoryState {
    /// A growth was refused or an allocation failed.
    pub fn refused(&self) {
        self.refused.store(true, Ordering::Relaxed);
    }

    pub fn was_refused(&self) -> bool {
        self.refused.load(Ordering::Relaxed)
    }

    /// The size the limiter last refused, if it refused one.
    pub fn refused_size(&self) -> Option<u64> {
        Some(self.refused_size.load(Ordering::Relaxed)).filter(|n| *n > 0)
    }

    /// Remembers the module's own maximum (bytes) to tell it apart from `--max-memory`; the
    /// first call wins (later ones may see the maximum already lowered to the limit).
    pub fn set_module_max(&self, bytes: Option<u64>) {
        let _ = self.module_max.set(bytes);
    }

    fn module_max(&self) -> Option<u64> {
        self.module_max.get().copied().flatten()
    }
}

/// The limiter's answer to a memory growing to `desired` bytes (module max `maximum`).
pub fn memory_may_grow(
    limits: &Limits,
    state: &MemoryState,
    desired: usize,
    maximum: Option<usize>,
) -> bool {
    state.set_module_max(maximum.map(|m| m as u64));
    if desired as u64 > limits.max_memory {
        state.refused_size.store(desired as u64, Ordering::Relaxed);
        state.refused();
        return false;
    }
    true
}

/// The type an imported memory `ty` is created with: its maximum lowered to `max_bytes`
/// (rounded down to whole pages). `Err` names the module's minimum when even that does not
/// fit.
pub fn cap_memory_type(ty: &MemoryType, max_bytes: u64) -> Result<MemoryType, InitialTooLarge> {
    let page = ty.page_size();
    let cap_pages = max_bytes / page;
    if ty.minimum() > cap_pages {
        return Err(InitialTooLarge {
            needed: ty.minimum().saturating_mul(page),
        });
    }
    let max = ty.maximum().map_or(cap_pages, |m| m.min(cap_pages));
    MemoryType::builder()
        .min(ty.minimum())
        .max(Some(max))
        .memory64(ty.is_64())
        .shared(ty.is_shared())
        .page_size_log2(ty.page_size_log2())
        .build()
        .map_err(|_| InitialTooLarge {
            needed: ty.minimum().saturating_mul(page),
        })
}

/// A module whose initial memory is larger than `--max-memory`.
#[derive(Debug, PartialEq, Eq)]
pub struct InitialTooLarge {
    /// The bytes the module needs at start.
    pub needed: u64,
}

/// Reports a module that cannot even start within `--max-memory`; returns the status to end
/// with.
pub fn initial_memory_refused(limits: &Limits, needed: Option<u64>) -> ExitStatus {
    let need = match needed {
        Some(n) => format!("{} of linear memory at start, more than", human_size(n)),
        None => "more linear memory at start than".to_string(),
    };
    crate::diag!(
        "error: the program needs {need} its limit of {}\nhelp: raise the limit with --max-memory SIZE (e.g. --max-memory {})",
        human_size(limits.max_memory),
        suggest_size(needed.unwrap_or(0).max(limits.max_memory.saturating_mul(2)))
    );
    ExitStatus::Code(MEMORY_LIMIT_EXIT)
}

/// Which limit a process ran into, most telling first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Memory,
    Threads,
    Fds,
}

/// The limit `process` ran into, if any.
pub fn limit_hit(process: &Process) -> Option<Limit> {
    if process.memory.was_refused() {
        Some(Limit::Memory)
    } else if process.threads.limit_reached() {
        Some(Limit::Threads)
    } else if process.fd_table().limit_reached() {
        Some(Limit::Fds)
    } else {
        None
    }
}

/// For a process ending abnormally (trap, abort, panic): when it ran into a limit before,
/// says which on stderr and returns the limit's status; `None` leaves the usual report.
pub fn abnormal_end(process: &Process) -> Option<ExitStatus> {
    let limit = limit_hit(process)?;
    let (message, code) = explain(process, limit);
    crate::diag!("error: {message}");
    Some(ExitStatus::Code(code))
}

/// For a process that exited with a non-zero code after running into a limit: a `note:`
/// naming it (the code stays the program's).
pub fn note_exit(process: &Process, status: ExitStatus) {
    let ExitStatus::Code(code) = status else {
        return;
    };
    if code == 0 || [MEMORY_LIMIT_EXIT, THREAD_LIMIT_EXIT, FD_LIMIT_EXIT].contains(&code) {
        return;
    }
    if let Some(limit) = limit_hit(process) {
        let (message, _) = explain(process, limit);
        crate::diag!("note: exit code {code}; before it, {message}");
    }
}

/// The message (with its `help:` line) and exit code for `limit`.
fn explain(process: &Process, limit: Limit) -> (String, i32) {
    let limits = &process.limits;
    match limit {
        Limit::Memory => {
            let cap = limits.max_memory;
            let text = match process.memory.module_max() {
                Some(module_max) if module_max <= cap => format!(
                    "the program ran out of memory: its linear memory cannot grow past the module's own maximum of {}\nhelp: the module's maximum is set when it is linked (e.g. `-C link-arg=--max-memory=N`); --max-memory cannot raise it",
                    human_size(module_max)
                ),
                _ => format!(
                    "the program ran out of memory: its linear memory may not grow past {} (the memory limit)\nhelp: raise the limit with --max-memory SIZE (e.g. --max-memory {})",
                    human_size(cap),
                    suggest_size(cap.saturating_mul(2))
                ),
            };
            (text, MEMORY_LIMIT_EXIT)
        }
        Limit::Threads => (
            format!(
                "the program failed after reaching its thread limit ({} threads at once, the main thread included): starting another failed with EAGAIN\nhelp: raise the limit with --max-threads N",
                limits.max_threads
            ),
            THREAD_LIMIT_EXIT,
        ),
        Limit::Fds => (
            format!(
                "the program failed after reaching its limit of {} open fds: opening another failed with EMFILE\nhelp: raise the limit with --max-fds N",
                limits.max_fds
            ),
            FD_LIMIT_EXIT,
        ),
    }
}

/// Notes std's out-of-memory message (`memory allocation of N bytes failed`) in a write to
/// the guest's stderr: a failed growth of a shared memory gives no other sign. Unbuffered
/// stderr writes the message in pieces, so the first piece is what is looked for.
pub fn watch_stderr(process: &Process, data: &[u8]) {
    const NEEDLE: &[u8] = b"memory allocation of ";
    if data.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
        process.memory.refused();
    }
}

/// `--max-memory SIZE`: bytes with an optional binary suffix `K`, `M`, `G`, `T` (also `KiB`,
/// `KB`, ...; case-insensitive; 1K = 1024), at least one 64 KiB page.
pub fn parse_size(v: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "`{v}` is not a memory size: expected e.g. `512M` or `4G` (bytes, or K/M/G/T, at least 64K)"
        )
    };
    let t = v.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, suffix) = t.split_at(digits_end);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let unit: u64 = match suffix.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(bad()),
    };
    let bytes = n.checked_mul(unit).ok_or_else(bad)?;
    if bytes < MIN_MAX_MEMORY {
        return Err(bad());
    }
    if bytes > MAX_MAX_MEMORY {
        return Err(format!(
            "`{v}` is above the largest memory limit, {}: each program's memory is reserved up front in the host's address space",
            human_size(MAX_MAX_MEMORY)
        ));
    }
    Ok(bytes)
}

/// A count flag (`--max-threads`, `--max-fds`): a whole number in `1..=max`.
pub fn parse_count(v: &str, max: u64) -> Result<u64, String> {
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("`{v}` is not a number from 1 to {max}"))
}

/// `512 MiB`, `4 GiB`, `1536 KiB`, `100 bytes`: the largest binary unit that divides exactly.
pub fn human_size(bytes: u64) -> String {
    for (unit, name) in [
        (1u64 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// A `--max-memory` value of at least `bytes` (the next power of two, in the flag's syntax),
/// for help lines.
fn suggest_size(bytes: u64) -> String {
    let size = bytes.checked_next_power_of_two().unwrap_or(bytes);
    for (unit, name) in [
        (1u64 << 40, "T"),
        (1 << 30, "G"),
        (1 << 20, "M"),
        (1 << 10, "K"),
    ] {
        if size >= unit && size.is_multiple_of(unit) {
            return format!("{}{name}", size / unit);
        }
    }
    size.to_string()
}

/// A running wall-clock limit; dropping it (the run ended in time) stops the watchdog.
pub struct Deadline {
    done: Arc<(Mutex<bool>, Condvar)>,
    watchdog: Option<JoinHandle<()>>,
}

impl Deadline {
    /// Starts the watchdog for `limit` (`None`: no limit, nothing started).
    pub fn start(limit: Option<Duration>) -> Option<Deadline> {
        let limit = limit?;
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let watched = done.clone();
        let watchdog = std::thread::Builder::new()
            .name("wasix-time-limit".into())
            .spawn(move || watch(&watched, limit))
            .ok()?;
        Some(Deadline {
            done,
            watchdog: Some(watchdog),
        })
    }
}

/// Waits until the run is done or `limit` has passed; in the second case ends the process.
fn watch(done: &(Mutex<bool>, Condvar), limit: Duration) {
    let start = Instant::now();
    let mut finished = done.0.lock().unwrap_or_else(|p| p.into_inner());
    while !*finished {
        let Some(left) = limit.checked_sub(start.elapsed()) else {
            crate::diag!(
                "error: the program ran longer than its time limit of {}\nhelp: raise it with --time-limit SECONDS",
                human(limit)
            );
            // The guest may be blocked in a host call: only ending the host process stops it.
            crate::thread::exit_process(TIME_LIMIT_EXIT);
        };
        finished = done
            .1
            .wait_timeout(finished, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        *self.done.0.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.done.1.notify_all();
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
    }
}

/// `3s`, `1.5s`, `250ms`.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_starts_nothing() {
        assert!(Deadline::start(None).is_none());
    }

    /// A run that ends in time stops the watchdog at once (dropping must not wait for the
    /// limit, and the process must not be ended).
    #[test]
    fn ending_in_time_stops_the_watchdog() {
        let t = Instant::now();
        let d = Deadline::start(Some(Duration::from_secs(60))).unwrap();
        drop(d);
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn sizes() {
        let ok: &[(&str, u64)] = &[
            ("512M", 512 << 20),
            ("4G", 4 << 30),
            ("4g", 4 << 30),
            ("4GiB", 4 << 30),
            ("4GB", 4 << 30),
            ("64K", 64 << 10),
            ("65536", 65536),
            ("64G", 64 << 30),
            ("1536k", 1536 << 10),
        ];
        for (v, want) in ok {
            assert_eq!(parse_size(v), Ok(*want), "{v}");
        }
        for bad in [
            "",
            "0",
            "0M",
            "1K",
            "65535",
            "-1G",
            "1.5G",
            "G",
            "4X",
            "4 G B",
            "99999999999T",
            "1e9",
            "four",
        ] {
            let e = parse_size(bad).unwrap_err();
            assert!(e.contains("512M"), "{bad}: {e}");
        }
        for too_large in ["65G", "1T", "68719476737"] {
            let e = parse_size(too_large).unwrap_err();
            assert!(
                e.contains("above the largest memory limit, 64 GiB"),
                "{too_large}: {e}"
            );
        }
    }

    #[test]
    fn counts() {
        let cases: &[(&str, u64, Option<u64>)] = &[
            ("1", 10, Some(1)),
            ("10", 10, Some(10)),
            ("11", 10, None),
            ("0", 10, None),
            ("-1", 10, None),
            ("x", 10, None),
            ("", 10, None),
            ("1.5", 10, None),
        ];
        for (v, max, want) in cases {
            assert_eq!(parse_count(v, *max).ok(), *want, "{v}");
        }
    }

    #[test]
    fn human_sizes() {
        let cases: &[(u64, &str, &str)] = &[
            (512 << 20, "512 MiB", "512M"),
            (4 << 30, "4 GiB", "4G"),
            (1536 << 10, "1536 KiB", "2M"),
            (1088 << 10, "1088 KiB", "2M"),
            (100, "100 bytes", "128"),
        ];
        for (bytes, human, suggested) in cases {
            assert_eq!(human_size(*bytes), *human);
            assert_eq!(suggest_size(*bytes), *suggested);
        }
    }

    #[test]
    fn imported_memory_is_capped() {
        let page = 64 << 10;
        // (min, max, shared, limit bytes) -> Ok(new max in pages) or Err(needed bytes)
        type Case = (u64, Option<u64>, bool, u64, Result<u64, u64>);
        let cases: &[Case] = &[
            (17, Some(16384), true, 64 << 20, Ok(1024)),
            (17, Some(100), true, 64 << 20, Ok(100)),
            (17, None, false, 64 << 20, Ok(1024)),
            (17, Some(65536), true, 4 << 30, Ok(65536)),
            (8, Some(65536), true, (1 << 20) + 1, Ok(16)),
            (17, Some(65536), true, 1 << 20, Err(17 * page)),
            (2000, Some(65536), true, 64 << 20, Err(2000 * page)),
        ];
        for &(min, max, shared, limit, want) in cases {
            let ty = MemoryType::builder()
                .min(min)
                .max(max)
                .shared(shared)
                .build()
                .unwrap();
            let got = cap_memory_type(&ty, limit);
            if let Ok(capped) = &got {
                assert_eq!((capped.minimum(), capped.is_shared()), (min, shared));
            }
            let got = got
                .map(|t| t.maximum().unwrap_or(u64::MAX))
                .map_err(|e| e.needed);
            assert_eq!(got, want, "{min} {max:?} {limit}");
        }
    }

    #[test]
    fn the_limiter_refuses_past_the_limit_and_remembers() {
        let limits = Limits {
            max_memory: 1 << 20,
            ..Limits::default()
        };
        let state = MemoryState::default();
        assert!(memory_may_grow(&limits, &state, 1 << 20, Some(1 << 30)));
        assert!(!state.was_refused());
        assert_eq!(state.module_max(), Some(1 << 30));
        // The first maximum seen is the module's (later ones may be the lowered import's).
        assert_eq!(state.refused_size(), None);
        assert!(!memory_may_grow(
            &limits,
            &state,
            (1 << 20) + 65536,
            Some(1 << 20)
        ));
        assert!(state.was_refused());
        assert_eq!(state.refused_size(), Some((1 << 20) + 65536));
        assert_eq!(state.module_max(), Some(1 << 30));
    }

    #[test]
    fn human_durations() {
        let cases = [(3000, "3s"), (250, "250ms"), (1500, "1.500s")];
        for (ms, want) in cases {
            assert_eq!(human(Duration::from_millis(ms)), want);
        }
    }
}
