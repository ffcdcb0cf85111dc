//! The WASIX host: WASI preview 1 and the WASIX extensions (`wasix_32v1`/`wasix_64v1`) on
//! wasmtime, used by `cargo wasix run`.
//!
//! The crate's public surface is [`run`] with its [`RunOptions`]: load a module (through the
//! compiled-module [`cache`]), build one [`process::Process`] (args, env, fd table, mounts,
//! network policy) and run `_start` on the calling thread. Guest threads are OS threads.
//!
//! # Exit and traps
//! `run` returns the guest exit code when the main thread returns from `_start` or calls
//! `proc_exit`/`proc_exit2` (`128 + signal` when a signal's default action ended it). When a
//! *non-main* thread of the first process exits the process or traps, the host process is ended
//! at once with `std::process::exit` after flushing stdio, because its other threads cannot be
//! stopped safely in every state. Child processes (see [`proc`]) end only themselves: their
//! threads unwind through epoch interruption and interruptible waits. Children still running
//! when the first process ends are ended with the host process. A trap prints
//! `error: wasm trap in thread N: <cause>` plus the guest backtrace and gives 134 (like a
//! native `abort`). A Rust guest panic gives 101 like a native panic: with `panic = "abort"`
//! (all wasm targets) it ends in an abort trap, and the runtime recognises it by the
//! `panicked at` message std wrote to the guest's stderr just before.

/// Like `eprintln!`, but a closed or full stderr is ignored instead of panicking the host
/// (guest diagnostics must never take the runtime down).
#[macro_export]
#[doc(hidden)]
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod abi;
pub mod cache;
pub mod engine;
pub mod fd;
pub mod fs;
#[cfg(test)]
mod fuzz_syscalls;
pub mod limits;
pub mod linker;
pub mod loader;
pub mod mem;
pub mod mount;
pub mod net;
pub mod poll;
pub mod proc;
pub mod process;
pub mod syscalls;
pub mod thread;
pub mod thread_registry;
#[cfg(test)]
mod wasi64_imports;

use std::path::PathBuf;

pub use cache::CacheMode;
pub use mount::Mount;
pub use net::policy::NetPolicy;

/// Everything `cargo wasix run` decides about one guest run.
///
/// Closed defaults ([`RunOptions::new`]): no arguments, an empty environment, no mounts, cwd `/`,
/// networking denied, cache disabled, no tracing.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The `.wasm` file.
    pub module: PathBuf,
    /// Guest `argv[0]`; default: the module's file name.
    pub argv0: Option<String>,
    /// Guest arguments after `argv[0]`.
    pub args: Vec<String>,
    /// Exactly the guest environment (nothing leaks from the host).
    pub env: Vec<(String, String)>,
    /// Host directories visible to the guest.
    pub mounts: Vec<Mount>,
    /// Guest working directory (an absolute guest path); default `/`.
    pub cwd: Option<String>,
    /// Which network access the guest gets; default [`NetPolicy::deny`].
    pub net: NetPolicy,
    /// Where compiled modules are cached.
    pub cache: CacheMode,
    /// Log every syscall with its arguments and result to stderr.
    pub trace: bool,
    /// The guest path of the module (what `/proc/self/exe` names), when the caller made the
    /// module visible in the guest; default: none (`/proc/self/exe` does not exist).
    pub exe: Option<String>,
    /// Forward host SIGINT/SIGTERM/SIGHUP to the guest's processes while it runs
    /// ([`proc::host_signals`]); default: off (the host's default actions apply).
    pub forward_signals: bool,
    /// Most processes the run may hold at once, the first included (running or ended and not
    /// yet joined); default [`proc::table::DEFAULT_MAX_PROCS`]. Spawning beyond it is EAGAIN.
    pub max_procs: usize,
    /// Wall-clock limit of the run; past it the host process ends with
    /// [`limits::TIME_LIMIT_EXIT`] (124). Default: none.
    pub time_limit: Option<std::time::Duration>,
    /// Per-process limits on linear memory, threads and open fds; default
    /// [`limits::Limits::default`] (4 GiB, 1024 threads, 1024 fds).
    pub limits: limits::Limits,
}

impl RunOptions {
    /// Options with the closed defaults listed on [`RunOptions`].
    pub fn new(module: impl Into<PathBuf>) -> Self {
        RunOptions {
            module: module.into(),
            argv0: None,
            args: Vec::new(),
            env: Vec::new(),
            mounts: Vec::new(),
            cwd: None,
            net: NetPolicy::deny(),
            cache: CacheMode::Disabled,
            trace: false,
            exe: None,
            forward_signals: false,
            max_procs: proc::table::DEFAULT_MAX_PROCS,
            time_limit: None,
            limits: limits::Limits::default(),
        }
    }
}

/// Why a module could not be run (guest exit codes, even non-zero ones, are not errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The module file could not be read.
    #[error("failed to read `{path}`: {source}")]
    ReadModule {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a valid module for our engine configuration.
    #[error(
        "failed to compile `{path}`: {message}\nhelp: is this a wasm32-wasmer-wasi (or wasm32-wasip1) module built by `cargo wasix build`?"
    )]
    Compile { path: PathBuf, message: String },
    /// The module imports functions or modules this runtime does not provide.
    #[error(
        "`{path}` imports {what} which this runtime does not provide\nhelp: only `wasi_snapshot_preview1`, `wasix_32v1`, `wasix_64v1`, `wasi` and `env.memory` can be imported"
    )]
    UnknownImports { path: PathBuf, what: String },
    /// The module's shape is unusable (no `_start`, bad memory import, ...).
    #[error("cannot run `{path}`: {message}")]
    BadModule { path: PathBuf, message: String },
    /// A mount, cwd or other option is invalid.
    #[error("{0}")]
    Config(String),
    /// The compiled-module cache directory is unusable.
    #[error(
        "compiled-module cache `{path}`: {message}\nhelp: remove the directory or run with the cache disabled"
    )]
    Cache { path: PathBuf, message: String },
    /// Anything else wasmtime reports while setting up the instance.
    #[error("failed to start the module: {0}")]
    Instantiate(String),
}

/// Compiles `module` into the cache (if it is not there yet) without running it, so a later
/// [`run`] starts warm; returns whether a compilation happened. `cargo wasix build` can call
/// this after linking. With [`CacheMode::Disabled`] it only checks that the module compiles.
pub fn precompile(module: &std::path::Path, cache: &CacheMode) -> Result<bool, Error> {
    let engine = engine::shared_engine()?;
    let (loaded, outcome) = cache::load(engine, module, cache)?;
    loader::Loaded::new(engine, loaded, module)?;
    Ok(outcome == cache::Outcome::Compiled)
}

/// Runs a module to completion and returns the guest's exit code.
///
/// See the crate docs for how exits and traps from non-main threads are handled.
pub fn run(opts: RunOptions) -> Result<i32, Error> {
    let t0 = std::time::Instant::now();
    let engine = engine::shared_engine()?;
    let t_engine = t0.elapsed();
    let (module, outcome) = cache::load(engine, &opts.module, &opts.cache)?;
    let t_module = t0.elapsed();
    let loaded = loader::Loaded::new(engine, module, &opts.module)?;
    let session = std::sync::Arc::new(proc::Session::new(
        engine::shared_interruptible_engine()?.clone(),
        opts.cache.clone(),
        opts.max_procs,
    ));
    let process = process::Process::from_options(&opts, loaded.abi(), session.clone())?;
    let pid = process.pid;
    let _forwarder = if opts.forward_signals {
        proc::host_signals::Forwarder::start(session.clone())
    } else {
        None
    };
    if opts.trace {
        crate::diag!(
            "[trace] startup: engine {t_engine:?}, module {:?} ({outcome:?}), process {:?}",
            t_module - t_engine,
            t0.elapsed() - t_module
        );
    }
    let _deadline = limits::Deadline::start(opts.time_limit);
    let code = thread::run_main(loaded, process);
    // The table holds the process and the process its session: free the slot so a run made
    // in-process (tests, embedders) does not keep both alive.
    session.table.release(pid);
    code
}
