//! Starting a child process (`proc_spawn2`): its fd table from the parent's plus the file
//! actions, the program looked up in the guest file system and compiled (or taken from the
//! caches), then its main thread on a host thread of its own.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::abi::Errno;
use crate::fd::stdio::Stdio;
use crate::fd::{FdEntry, FdObject, FdTable};
use crate::fs::GuestPath;
use crate::fs::vroot::Location;
use crate::loader::Loaded;
use crate::proc::fdops::{self, FdOp};
use crate::proc::resolve::{Kind, is_wasm, resolve_program};
use crate::proc::status::ExitStatus;
use crate::proc::{ModuleStamp, Session};
use crate::process::{ChildSpec, Process};

/// OS stack for a child's main thread (as for guest threads).
const THREAD_STACK: usize = 8 << 20;

/// Everything `proc_spawn2` asks for, decoded from guest memory.
#[derive(Debug, Clone)]
pub struct SpawnRequest {
    pub name: String,
    /// `argv`, including `argv[0]`.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub fd_ops: Vec<FdOp<String>>,
    /// Signals the child starts ignoring (bit `n - 1` = signal `n`).
    pub ignored: u64,
    pub search_path: bool,
    /// The `PATH` value to search when `search_path`.
    pub path_var: String,
}

/// A program ready to instantiate.
pub struct Image {
    pub loaded: Loaded,
    /// Its absolute guest path (`/proc/self/exe`).
    pub guest_path: String,
}

/// Starts a child of `parent`; returns its pid. EAGAIN at the run's process limit.
pub fn spawn(parent: &Arc<Process>, req: SpawnRequest) -> Result<u32, Errno> {
    let session = parent.session.clone();
    let pid = session
        .table
        .reserve(parent.pid)
        .inspect_err(|_| session.report_limit("proc_spawn2"))?;
    start(parent, pid, req).inspect_err(|_| session.table.release(pid))?;
    Ok(pid)
}

fn start(parent: &Arc<Process>, pid: u32, req: SpawnRequest) -> Result<(), Errno> {
    let panic_seen = Arc::new(AtomicBool::new(false));
    let mut fds = inherit_fds(&parent.fd_table(), &panic_seen)?;
    let mut cwd = GuestPath::parse_absolute(&parent.cwd())?;
    for op in &req.fd_ops {
        fdops::apply(op, &mut fds, &mut cwd, &parent.vfs)?;
    }
    fdops::close_on_exec(&mut fds);
    let image = load_program(
        parent,
        &cwd,
        &req.name,
        req.search_path,
        &req.path_var,
        "proc_spawn2",
    )?;
    let child = Arc::new(Process::child(
        parent,
        ChildSpec {
            abi: image.loaded.abi(),
            pid,
            ppid: parent.pid,
            args: req.args,
            env: req.env,
            fds,
            cwd: cwd.as_str().to_owned(),
            exe: image.guest_path,
            sig_ignored: req.ignored,
            panic_seen,
        },
    ));
    let session = parent.session.clone();
    session.table.attach(pid, child.clone());
    std::thread::Builder::new()
        .name(format!("wasm-proc-{pid}"))
        .stack_size(THREAD_STACK)
        .spawn(move || child_main(session, image.loaded, child))
        .map(|_| ())
        .map_err(|_| Errno::Again)
}

/// A child's host thread: runs it, then closes its fds (so pipe readers see EOF) and lets
/// its parent join it.
fn child_main(session: Arc<Session>, loaded: Loaded, process: Arc<Process>) {
    let pid = process.pid;
    let status = match crate::thread::run_process(loaded, process) {
        Ok(status) => status,
        Err(e) => {
            crate::diag!("error: process {pid} could not start: {e}");
            ExitStatus::Code(127)
        }
    };
    // After an exec the table holds the process's current image.
    if let Some(current) = session.table.get(pid) {
        finish(&session, &current, status);
    }
}

/// How long an ending child's threads get to stop before its end is reported anyway.
/// Threads in host waits stop within one wait slice; a thread parked in the wasm
/// `memory.atomic.wait32` instruction (wasi-libc's `pthread_join`, std's futex) is never
/// woken by the epoch, so without this a child whose other thread trapped, or that was
/// killed while joining, would keep its parent waiting forever.
const REAP_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Reports the end of `process` (pid `pid`) after [`REAP_GRACE`] if its main thread has not
/// done so by then. Threads still parked stay parked (their host threads are leaked until the
/// run ends); the process's fds are closed and its parent can join it.
pub fn reap_later(session: &Arc<Session>, pid: u32, process: &Process, status: ExitStatus) {
    if process.reaped.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let Some(current) = session
        .table
        .get(pid)
        .filter(|p| std::ptr::eq(Arc::as_ptr(p), process))
    else {
        return;
    };
    let session = session.clone();
    let reaper = std::thread::Builder::new()
        .name(format!("wasm-reap-{pid}"))
        .spawn(move || {
            let deadline = std::time::Instant::now() + REAP_GRACE;
            while !current.reaped.load(std::sync::atomic::Ordering::SeqCst)
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(crate::proc::WAIT_SLICE.min(REAP_GRACE));
            }
            finish(&session, &current, status);
        });
    // Without a reaper thread the end is reported when the main thread returns, as before.
    drop(reaper);
}

/// Reports that `process` ended, once: closes its fds (so pipe readers see EOF), lets its
/// parent join it, and sends the parent SIGCHLD.
fn finish(session: &Session, process: &Arc<Process>, status: ExitStatus) {
    if process
        .reaped
        .swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        return;
    }
    process.begin_exit(status);
    let status = process.ending().unwrap_or(status);
    let fds = std::mem::take(&mut *process.fd_table());
    drop(fds);
    // SIGCHLD: ignored by default, run when the parent registered a handler.
    if let Some(ppid) = session.table.exited(process.pid, status)
        && let Some(parent) = session.table.get(ppid)
    {
        crate::syscalls::signal::deliver(
            &parent,
            crate::abi::types::signal::CHLD,
            crate::syscalls::signal::Default::Ignore,
        );
    }
}

/// The child's fd table: every parent fd, sharing the open description. Standard streams get
/// objects of their own so a panic message the child writes is noticed in the child.
fn inherit_fds(parent: &FdTable, panic_seen: &Arc<AtomicBool>) -> Result<FdTable, Errno> {
    let mut fds = FdTable::new();
    for (fd, entry) in parent.fds() {
        let mut entry: FdEntry = entry.clone();
        if let Some(stdio) = entry.obj.downcast_ref::<Stdio>() {
            let own: Arc<dyn FdObject> = Arc::new(Stdio::new(stdio.stream(), panic_seen.clone()));
            entry.obj = own;
        }
        fds.set(fd, entry)?;
    }
    Ok(fds)
}

/// Finds the program `name` in the guest file system (see `resolve`) and compiles it, or takes
/// it from the run's or the disk cache. `call` names the syscall in diagnostics.
pub fn load_program(
    process: &Process,
    cwd: &GuestPath,
    name: &str,
    search_path: bool,
    path_var: &str,
    call: &str,
) -> Result<Image, Errno> {
    let vfs = &process.vfs;
    let lookup = |p: &str| match vfs.resolve(cwd, p).map(|r| r.location) {
        Ok(Location::Host { mount, rel }) => match mount.dir.metadata(&rel) {
            Ok(m) if m.is_file() => Kind::File,
            Ok(_) => Kind::Other,
            Err(_) => Kind::Missing,
        },
        Ok(Location::Virtual) => Kind::Other,
        _ => Kind::Missing,
    };
    let found = resolve_program(name, search_path, path_var, lookup)?;
    let resolved = vfs.resolve(cwd, &found)?;
    let guest_path = resolved.guest.as_str().to_owned();
    let Location::Host { mount, rel } = &resolved.location else {
        return Err(Errno::Noent);
    };
    let meta = mount.dir.metadata(rel)?;
    let host_path = mount.host.join(rel);
    let stamp = ModuleStamp {
        path: host_path.clone(),
        len: meta.len(),
        modified: meta.modified().ok().map(|t| t.into_std()),
    };
    let session = &process.session;
    let (module, functions) = match session.cached_module(&stamp) {
        Some(hit) => hit,
        None => {
            // Read through the mount's capability, never by host path (no symlink escapes).
            let bytes = mount.dir.read(rel)?;
            if !is_wasm(&bytes) {
                crate::diag!(
                    "error: {call}: `{guest_path}` is not a wasm module (ENOEXEC)\nhelp: only WASIX modules found in the guest file system can be run; a guest never starts a host program"
                );
                return Err(Errno::Noexec);
            }
            let (m, _) =
                crate::cache::load_bytes(&session.engine, &bytes, &host_path, &session.cache)
                    .map_err(|e| {
                        crate::diag!("error: {call}: cannot load `{guest_path}`: {e}");
                        Errno::Noexec
                    })?;
            (m, None)
        }
    };
    let mut loaded = Loaded::new(&session.engine, module, &host_path).map_err(|e| {
        crate::diag!("error: {call}: cannot run `{guest_path}`: {e}");
        Errno::Noexec
    })?;
    loaded.functions = match functions {
        Some(f) => Some(f),
        None => {
            let f = crate::linker::functions(&loaded, process.trace).map_err(|e| {
                crate::diag!("error: {call}: cannot run `{guest_path}`: {e}");
                Errno::Noexec
            })?;
            session.remember_module(stamp, loaded.module.clone(), Some(f.clone()));
            Some(f)
        }
    };
    Ok(Image { loaded, guest_path })
}
