//! A WASIX process: pid, args, env, the fd table, cwd, mounts, network policy, exit state and
//! its threads. No global state: every process of a run hangs off one [`Session`] (engine,
//! module cache, process table), and a child is another `Process` built by `proc::spawn`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::abi::Errno;
use crate::fd::stdio::{Stdio, Stream};
use crate::fd::{FdEntry, FdObject, FdTable};
use crate::fs::Vfs;
use crate::limits::{Limits, MemoryState};
use crate::net::policy::NetPolicy;
use crate::proc::Session;
use crate::proc::interval::IntervalTimer;
use crate::proc::status::ExitStatus;
use crate::{Error, RunOptions};

pub use crate::thread_registry::ThreadRegistry;

/// pid of the first process (and tid of its main thread, as WASIX says).
pub const FIRST_PID: u32 = 1;

/// Whose definition a process follows where WASI preview 1 and WASIX differ.
///
/// A module importing anything from `wasix_32v1`/`wasix_64v1` is a WASIX program and runs as
/// Wasmer, the WASIX reference, runs it; a module importing only `wasi_snapshot_preview1` (and
/// wasi-threads) runs as preview 1 defines it, which is what wasmtime does and wasi-testsuite
/// checks. The differences:
///
/// | | `Preview1` | `Wasix` |
/// |---|---|---|
/// | `fd_renumber` onto a closed fd | `EBADF` (preview 1: no renumbering to an arbitrary number) | allowed, like `dup2` (libwasix's `dup2` relies on it) |
/// | nothing mounted | no preopen (a preopen per granted tree; fd 3 stays free) | the empty virtual root at fd 3, like Wasmer's root fd |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    Preview1,
    Wasix,
}

/// One guest process.
pub struct Process {
    pub abi: Abi,
    pub pid: u32,
    pub ppid: u32,
    /// `argv`, including `argv[0]`.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Never hold this lock across blocking I/O: clone the object out with [`Process::fd`].
    pub fds: Mutex<FdTable>,
    /// The working directory as an absolute guest path.
    pub cwd: Mutex<String>,
    /// Shared by every process of the run (the mounts are the run's, not a process's).
    pub vfs: Arc<Vfs>,
    /// The guest path of the running module, when known (`/proc/self/exe`).
    pub exe: Option<String>,
    /// The run this process belongs to.
    pub session: Arc<Session>,
    /// How the process ends, once decided (the first decision wins).
    ending: Mutex<Option<ExitStatus>>,
    /// Set with `ending`: every thread of the process unwinds at its next check.
    dying: AtomicBool,
    /// Its end was reported to its parent (`proc::spawn::finish`, once).
    pub reaped: AtomicBool,
    /// Signals whose disposition is "ignore" (bit `n - 1` = signal `n`), set at spawn.
    pub sig_ignored: AtomicU64,
    /// Signals sent by other processes, waiting for the main thread's next safe point.
    pending_signals: AtomicU64,
    pub net: NetPolicy,
    /// `--trace`: log every syscall.
    pub trace: bool,
    /// The export registered by `callback_signal` (signal handler entry point).
    pub signal_callback: Mutex<Option<String>>,
    /// `proc_raise_interval` (alarm, setitimer); cancelled when the process is dropped.
    pub interval_timer: IntervalTimer,
    /// A Rust panic message went to stderr (turns a following abort into exit code 101).
    pub panic_seen: Arc<AtomicBool>,
    pub threads: ThreadRegistry,
    /// When the process started (for the process CPU-time clock fallback and benchmarks).
    pub started: Instant,
    /// The run's per-process limits (memory, threads, fds); children get the same.
    pub limits: Limits,
    /// What the linear memory ran into (`limits::abnormal_end` reads it).
    pub memory: MemoryState,
}

impl Process {
    /// The first process of a run, with stdio and preopens in its fd table; registered in the
    /// session's process table.
    pub fn from_options(
        opts: &RunOptions,
        abi: Abi,
        session: Arc<Session>,
    ) -> Result<Arc<Process>, Error> {
        let argv0 = opts.argv0.clone().unwrap_or_else(|| {
            opts.module
                .file_name()
                .map_or_else(|| "main.wasm".into(), |n| n.to_string_lossy().into_owned())
        });
        let mut args = vec![argv0];
        args.extend(opts.args.iter().cloned());
        for (k, v) in &opts.env {
            if k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0') {
                return Err(Error::Config(format!(
                    "invalid environment variable `{k}`\nhelp: names are non-empty and contain no `=` or NUL"
                )));
            }
        }
        let cwd = opts.cwd.clone().unwrap_or_else(|| "/".to_string());
        if !cwd.starts_with('/') {
            return Err(Error::Config(format!(
                "invalid --cwd `{cwd}`: not an absolute guest path\nhelp: guest paths start with `/`"
            )));
        }
        let vfs = Vfs::new(&opts.mounts)?;
        let cwd = crate::fs::initial_cwd(&vfs, &cwd)?;
        let panic_seen = Arc::new(AtomicBool::new(false));
        let mut fds = FdTable::new();
        for stream in [Stream::Stdin, Stream::Stdout, Stream::Stderr] {
            let obj: Arc<dyn FdObject> = Arc::new(Stdio::new(stream, panic_seen.clone()));
            let fd = fds
                .insert(FdEntry::new(obj))
                .map_err(|e| Error::Config(format!("fd table: {e}")))?;
            debug_assert_eq!(fd, stream as u32);
        }
        if abi == Abi::Wasix || !vfs.mounts().is_empty() {
            vfs.install_preopens(&mut fds)?;
        }
        // After stdio and the preopens, which stay open even above a small limit.
        fds.set_limit(opts.limits.max_fds);
        let pid = session.table.reserve(0).map_err(|_| {
            Error::Config("the process table is full before the first process".into())
        })?;
        let process = Arc::new(Process {
            abi,
            pid,
            ppid: 0,
            args,
            env: opts.env.clone(),
            fds: Mutex::new(fds),
            cwd: Mutex::new(cwd),
            vfs: Arc::new(vfs),
            exe: opts.exe.clone(),
            session: session.clone(),
            ending: Mutex::new(None),
            dying: AtomicBool::new(false),
            reaped: AtomicBool::new(false),
            sig_ignored: AtomicU64::new(0),
            pending_signals: AtomicU64::new(0),
            net: opts.net.clone(),
            trace: opts.trace,
            signal_callback: Mutex::new(None),
            interval_timer: IntervalTimer::default(),
            panic_seen,
            threads: ThreadRegistry::new(pid, opts.limits.max_threads),
            started: Instant::now(),
            limits: opts.limits,
            memory: MemoryState::default(),
        });
        session.table.attach(pid, process.clone());
        Ok(process)
    }

    /// A child (or the new image of an exec): what differs from `parent` is given, the rest
    /// (mounts, network policy, tracing, session, limits) is inherited.
    pub fn child(parent: &Process, spec: ChildSpec) -> Process {
        let mut fds = spec.fds;
        fds.set_limit(parent.limits.max_fds);
        Process {
            abi: spec.abi,
            pid: spec.pid,
            ppid: spec.ppid,
            args: spec.args,
            env: spec.env,
            fds: Mutex::new(fds),
            cwd: Mutex::new(spec.cwd),
            vfs: parent.vfs.clone(),
            exe: Some(spec.exe),
            session: parent.session.clone(),
            ending: Mutex::new(None),
            dying: AtomicBool::new(false),
            reaped: AtomicBool::new(false),
            sig_ignored: AtomicU64::new(spec.sig_ignored),
            pending_signals: AtomicU64::new(0),
            net: parent.net.clone(),
            trace: parent.trace,
            signal_callback: Mutex::new(None),
            interval_timer: IntervalTimer::default(),
            panic_seen: spec.panic_seen,
            threads: ThreadRegistry::new(spec.pid, parent.limits.max_threads),
            started: Instant::now(),
            limits: parent.limits,
            memory: MemoryState::default(),
        }
    }

    /// Whether this is the first process of the run (its end ends the run).
    pub fn is_first(&self) -> bool {
        self.ppid == 0
    }

    /// Decides how the process ends (unless already decided) and makes every thread of it
    /// unwind: running wasm at its next epoch check, blocked host waits at their next slice.
    /// Returns whether this call decided.
    pub fn begin_exit(&self, status: ExitStatus) -> bool {
        let decided = {
            let mut ending = self.ending.lock().unwrap_or_else(|p| p.into_inner());
            if ending.is_some() {
                false
            } else {
                *ending = Some(status);
                true
            }
        };
        if decided {
            self.dying.store(true, Ordering::SeqCst);
            // Every store of the engine checks its deadline; only this process's stores trap.
            self.session.engine.increment_epoch();
            if !self.is_first() {
                crate::proc::spawn::reap_later(&self.session, self.pid, self, status);
            }
        }
        decided
    }

    /// Whether the process is ending (its threads must stop).
    pub fn is_dying(&self) -> bool {
        self.dying.load(Ordering::SeqCst)
    }

    /// How the process ends, once decided.
    pub fn ending(&self) -> Option<ExitStatus> {
        *self.ending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues signal `s` (1..=64) for the main thread's next safe point.
    pub fn queue_signal(&self, s: u8) {
        if (1..=64).contains(&s) {
            self.pending_signals
                .fetch_or(1u64 << (s - 1), Ordering::SeqCst);
            self.nudge_running_wasm();
        }
    }

    /// Makes a child's thread busy in wasm without syscalls reach a safe point: children (and
    /// exec'd images) run on the engine with epoch checks (see
    /// `crate::engine::interruptible_config`), and the epoch callback is a host call whose
    /// return delivers queued signals (see `crate::syscalls::signal::at_syscall_return`).
    /// Other stores of that engine just take one callback. The first process runs on the
    /// plain engine, without epoch checks: a pure compute loop there sees the signal at its
    /// next syscall.
    pub fn nudge_running_wasm(&self) {
        self.session.engine.increment_epoch();
    }

    /// Whether any signal is queued.
    pub fn has_signals(&self) -> bool {
        self.pending_signals.load(Ordering::SeqCst) != 0
    }

    /// Takes every queued signal (bit `n - 1` = signal `n`).
    pub fn take_signals(&self) -> u64 {
        self.pending_signals.swap(0, Ordering::SeqCst)
    }

    /// Whether a blocking wait of thread `tid` must stop now: the process is ending, a signal
    /// is queued for that thread, or (on the main thread) one is queued for the process.
    pub fn interrupted(&self, tid: u32) -> bool {
        self.is_dying()
            || (tid == self.threads.main_tid() && self.pending_signals.load(Ordering::SeqCst) != 0)
            || self.threads.has_signals(tid)
    }

    /// Whether signal `s` is ignored by disposition.
    pub fn ignores(&self, s: u8) -> bool {
        (1..=64).contains(&s) && self.sig_ignored.load(Ordering::Relaxed) & (1u64 << (s - 1)) != 0
    }

    /// The fd table, locked (a poisoned lock is still usable: the table stays consistent).
    pub fn fd_table(&self) -> MutexGuard<'_, FdTable> {
        self.fds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The open description behind `fd`, with the lock already released.
    pub fn fd(&self, fd: i32) -> Result<Arc<dyn FdObject>, Errno> {
        let fd = u32::try_from(fd).map_err(|_| Errno::Badf)?;
        self.fd_table().obj(fd)
    }

    /// The object behind `fd` if the fd's rights satisfy `need` (ENOTCAPABLE otherwise), with
    /// the lock already released.
    pub fn fd_needing(&self, fd: i32, need: crate::fd::Need) -> Result<Arc<dyn FdObject>, Errno> {
        let fd = u32::try_from(fd).map_err(|_| Errno::Badf)?;
        let table = self.fd_table();
        let entry = table.get(fd)?;
        entry.rights.check(need)?;
        Ok(entry.obj.clone())
    }

    /// The current working directory.
    pub fn cwd(&self) -> String {
        self.cwd.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The exit code to use for an abnormal end (trap or abort): 101 after a Rust panic
    /// message, else 134 like a native `abort` (128 + SIGABRT).
    pub fn abort_code(&self) -> i32 {
        if self.panic_seen.load(Ordering::Relaxed) {
            101
        } else {
            134
        }
    }
}

/// What [`Process::child`] takes.
pub struct ChildSpec {
    pub abi: Abi,
    pub pid: u32,
    pub ppid: u32,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub fds: FdTable,
    pub cwd: String,
    pub exe: String,
    pub sig_ignored: u64,
    pub panic_seen: Arc<AtomicBool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Arc<Session> {
        let engine = crate::engine::shared_engine().unwrap().clone();
        Arc::new(Session::new(engine, crate::CacheMode::Disabled, 4))
    }

    fn opts(env: &[(&str, &str)], cwd: Option<&str>) -> RunOptions {
        let mut o = RunOptions::new("/x/prog.wasm");
        o.env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        o.cwd = cwd.map(str::to_string);
        o
    }

    #[test]
    fn options_are_validated() {
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, bool);
        let cases: &[Case<'_>] = &[
            (&[("A", "1")], None, true),
            (&[("A", "")], Some("/"), true),
            (&[("", "1")], None, false),
            (&[("A=B", "1")], None, false),
            (&[("A", "nul\0")], None, false),
            (&[], Some("relative"), false),
        ];
        for (env, cwd, ok) in cases {
            let r = Process::from_options(&opts(env, *cwd), Abi::Wasix, session());
            assert_eq!(r.is_ok(), *ok, "{env:?} {cwd:?}");
            if let Err(e) = r {
                assert!(e.to_string().contains("help:"), "{e}");
            }
        }
    }

    #[test]
    fn new_process_has_stdio_and_argv0() {
        let p = Process::from_options(&opts(&[], None), Abi::Wasix, session()).unwrap();
        assert_eq!(p.args, vec!["prog.wasm".to_string()]);
        assert_eq!(p.cwd(), "/");
        for fd in 0..3 {
            assert!(p.fd(fd).is_ok(), "fd {fd}");
        }
        assert_eq!(p.fd(-1).err(), Some(Errno::Badf));
        assert_eq!(p.abort_code(), 134);
        p.panic_seen.store(true, Ordering::Relaxed);
        assert_eq!(p.abort_code(), 101);
    }
}
