//! A WASIX process: pid, args, env, the fd table, cwd, mounts, network policy, exit state and
//! its threads. No global state, so a child process can be another `Process` later.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use crate::abi::Errno;
use crate::fd::stdio::{Stdio, Stream};
use crate::fd::{FdEntry, FdObject, FdTable};
use crate::fs::Vfs;
use crate::net::policy::NetPolicy;
use crate::{Error, RunOptions};

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
    pub vfs: Vfs,
    pub net: NetPolicy,
    /// `--trace`: log every syscall.
    pub trace: bool,
    /// The export registered by `callback_signal` (signal handler entry point).
    pub signal_callback: Mutex<Option<String>>,
    /// A Rust panic message went to stderr (turns a following abort into exit code 101).
    pub panic_seen: Arc<AtomicBool>,
    pub threads: ThreadRegistry,
    /// When the process started (for the process CPU-time clock fallback and benchmarks).
    pub started: Instant,
}

impl Process {
    /// The first process of a run, with stdio and preopens in its fd table.
    pub fn from_options(opts: &RunOptions, abi: Abi) -> Result<Arc<Process>, Error> {
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
        Ok(Arc::new(Process {
            abi,
            pid: FIRST_PID,
            ppid: 0,
            args,
            env: opts.env.clone(),
            fds: Mutex::new(fds),
            cwd: Mutex::new(cwd),
            vfs,
            net: opts.net.clone(),
            trace: opts.trace,
            signal_callback: Mutex::new(None),
            panic_seen,
            threads: ThreadRegistry::new(FIRST_PID),
            started: Instant::now(),
        }))
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

/// The threads of one process: tid allocation, liveness and join.
pub struct ThreadRegistry {
    main_tid: u32,
    next_tid: AtomicU32,
    running: Mutex<HashMap<u32, ()>>,
    changed: Condvar,
}

impl ThreadRegistry {
    fn new(main_tid: u32) -> Self {
        let mut running = HashMap::new();
        running.insert(main_tid, ());
        ThreadRegistry {
            main_tid,
            next_tid: AtomicU32::new(main_tid + 1),
            running: Mutex::new(running),
            changed: Condvar::new(),
        }
    }

    pub fn main_tid(&self) -> u32 {
        self.main_tid
    }

    /// Reserves a new tid (`1..=0x1FFF_FFFF` as wasi-threads requires) and marks it running.
    pub fn register(&self) -> Result<u32, Errno> {
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        if tid > 0x1FFF_FFFF {
            return Err(Errno::Again);
        }
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tid, ());
        Ok(tid)
    }

    /// Marks `tid` finished and wakes joiners.
    pub fn finished(&self, tid: u32) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&tid);
        self.changed.notify_all();
    }

    /// Blocks until `tid` is not running (unknown tids return at once).
    pub fn join(&self, tid: u32) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while running.contains_key(&tid) {
            running = self
                .changed
                .wait(running)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Whether `tid` is running.
    pub fn is_running(&self, tid: u32) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&tid)
    }

    /// Some running thread, if any.
    pub fn any_running(&self) -> Option<u32> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .next()
            .copied()
    }

    /// Number of running threads.
    pub fn count(&self) -> usize {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let r = Process::from_options(&opts(env, *cwd), Abi::Wasix);
            assert_eq!(r.is_ok(), *ok, "{env:?} {cwd:?}");
            if let Err(e) = r {
                assert!(e.to_string().contains("help:"), "{e}");
            }
        }
    }

    #[test]
    fn new_process_has_stdio_and_argv0() {
        let p = Process::from_options(&opts(&[], None), Abi::Wasix).unwrap();
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

    #[test]
    fn threads_register_and_join() {
        let p = Process::from_options(&opts(&[], None), Abi::Wasix).unwrap();
        let tid = p.threads.register().unwrap();
        assert!(tid > FIRST_PID);
        assert_eq!(p.threads.count(), 2);
        let p2 = p.clone();
        let h = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            p2.threads.finished(tid);
        });
        p.threads.join(tid);
        assert_eq!(p.threads.count(), 1);
        h.join().unwrap();
        p.threads.join(12345); // unknown tids return at once
    }
}
