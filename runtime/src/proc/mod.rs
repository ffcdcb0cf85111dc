//! Processes inside one run: the [`Session`] every process of a run shares (engine, module
//! cache, process table), child spawning ([`spawn`]), exec ([`exec`]), and the pure parts:
//! interval timers ([`interval`]), exit statuses ([`status`]), file actions ([`fdops`]), program lookup ([`resolve`]) and
//! the process table ([`table`]).
//!
//! # Model
//! A child is a new instance of a WASIX module in the same host process: its own store(s),
//! memory, threads and fd table (built from the parent's by the spawn's file actions; pipes,
//! sockets and files are shared by `Arc`, so both ends see one open description). It runs on
//! host threads of its own. A guest never starts a host program: only `.wasm` files reachable
//! in the guest's file system are run.
//!
//! # Ending a process
//! Ending is decided once ([`crate::process::Process::begin_exit`]) and then carried out by
//! each of the process's threads: running wasm traps at its next epoch check (children run on
//! an engine with epoch interruption, see `engine::interruptible_config`; deciding an end bumps
//! the epoch, and the deadline callback traps only stores of a dying process), blocked host
//! waits (`poll_oneoff`, `thread_sleep`, `futex_wait`, `proc_join`, `thread_join`) wake
//! within a slice and trap. A thread blocked in a host `read`/`accept`/`epoll_wait` ends when
//! that call returns. The first process of a run runs on the plain engine (no epoch checks,
//! full speed): a non-main thread's `proc_exit` or trap ends the host process at once, and a
//! signal from a child ends it at its next wait.

pub mod exec;
pub mod fdops;
pub mod host_signals;
pub mod interval;
pub mod resolve;
pub mod spawn;
pub mod status;
pub mod table;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Engine, Linker, Module};

use crate::CacheMode;
use crate::process::Process;
use crate::thread::ThreadCtx;

/// The longest a blocking host wait sleeps before checking whether its process is ending.
pub const WAIT_SLICE: Duration = Duration::from_millis(50);

/// What all processes of one run share.
pub struct Session {
    /// The engine child processes (and exec'd images) run on: epoch interruption on.
    pub engine: Engine,
    pub cache: CacheMode,
    pub table: table::ProcTable<Process>,
    /// Compiled modules by host file identity, with their host functions once registered, so
    /// spawning the same program again costs no hashing, cache lookup or registration.
    modules: Mutex<HashMap<ModuleStamp, Program>>,
    limit_reported: AtomicBool,
}

/// A compiled module and, once registered, its host functions (`linker::functions`).
pub type Program = (Module, Option<Linker<ThreadCtx>>);

/// Identifies one version of a host file: path, size and change times.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleStamp {
    pub path: PathBuf,
    pub len: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl Session {
    /// A session allowing `max_procs` processes at once (running or not yet joined).
    pub fn new(engine: Engine, cache: CacheMode, max_procs: usize) -> Self {
        Session {
            engine,
            cache,
            table: table::ProcTable::new(max_procs),
            modules: Mutex::new(HashMap::new()),
            limit_reported: AtomicBool::new(false),
        }
    }

    /// A module compiled earlier in this run from the same file version, with its host
    /// functions when they were registered already.
    pub fn cached_module(
        &self,
        stamp: &ModuleStamp,
    ) -> Option<(Module, Option<Linker<ThreadCtx>>)> {
        self.modules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(stamp)
            .cloned()
    }

    /// Remembers a compiled module (and its host functions) for later spawns.
    pub fn remember_module(
        &self,
        stamp: ModuleStamp,
        module: Module,
        functions: Option<Linker<ThreadCtx>>,
    ) {
        self.modules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(stamp, (module, functions));
    }

    /// Says once per run that the process limit was hit (each failing call still gets EAGAIN).
    pub fn report_limit(&self, call: &str) {
        if !self.limit_reported.swap(true, Ordering::Relaxed) {
            crate::diag!(
                "error: {call}: the process limit of this run ({}) is reached; the call fails with EAGAIN\nhelp: a program that keeps spawning without waiting (a fork bomb) ends up here; raise the limit with `--max-procs N` if this is intended",
                self.table.max()
            );
        }
    }
}
