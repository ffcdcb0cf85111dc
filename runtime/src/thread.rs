//! Guest threads: [`ThreadCtx`] (the data of each thread's `Store`), the main thread's run
//! loop, and spawning one named OS thread per wasm thread entered via `wasi_thread_start`.
//! A trap in any thread, or an exit from a non-main thread, ends the whole process (see
//! `crate::proc` for how a child process ends without ending the host).

use std::collections::HashMap;
use std::sync::Arc;

use std::sync::atomic::Ordering;

use wasmtime::{
    Caller, Engine, Func, Instance, InstancePre, Memory, Module, SharedMemory, Store,
    UpdateDeadline, Val, ValType,
};

use crate::Error;
use crate::abi::Errno;
use crate::loader::Loaded;
use crate::mem::GuestMemory;
use crate::proc::exec::ExecImage;
use crate::proc::status::{ExitStatus, trap_status};
use crate::process::Process;

/// OS stack for guest threads: far above wasmtime's default 512 KiB `max_wasm_stack`.
const THREAD_STACK: usize = 8 << 20;

/// The per-thread host state (`Store` data).
pub struct ThreadCtx {
    pub process: Arc<Process>,
    pub tid: u32,
    pub(crate) memory: MemHandle,
    pub(crate) module: Option<Arc<ModuleCtx>>,
    /// `--trace` wrappers cache the real host function per store here.
    pub(crate) trace_funcs: HashMap<(String, String), Func>,
    /// Signals whose handler is running on this thread (bit `s - 1`): raising one of them
    /// again from inside its handler applies the default action (a guest dispatcher's
    /// `SIG_DFL`, the `signal(s, SIG_DFL); raise(s)` idiom) instead of recursing.
    pub(crate) in_handler: u64,
    /// This thread's instance of the module, once instantiated: where the signal handler
    /// export is looked up when a signal is delivered at a syscall return.
    pub(crate) instance: Option<Instance>,
}

/// How this thread reaches linear memory.
#[derive(Clone)]
pub(crate) enum MemHandle {
    Shared(SharedMemory),
    Own(Memory),
    None,
}

/// What every thread of one module instance shares.
pub struct ModuleCtx {
    pub engine: Engine,
    pub pre: InstancePre<ThreadCtx>,
    pub shared_memory: Option<SharedMemory>,
}

/// `proc_exit`/`proc_exit2` (or a default signal action) on the main thread: unwinds `_start`.
#[derive(Debug)]
pub struct ProcExit(pub ExitStatus);

impl std::fmt::Display for ProcExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process exited with {:?}", self.0)
    }
}

impl std::error::Error for ProcExit {}

/// The process is ending (killed, or another thread exited it): unwinds this thread.
#[derive(Debug)]
pub struct ProcEnded;

impl std::fmt::Display for ProcEnded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the process is ending")
    }
}

impl std::error::Error for ProcEnded {}

/// `thread_exit`: unwinds the calling thread's entry function.
#[derive(Debug)]
pub struct ThreadExit;

impl std::fmt::Display for ThreadExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("thread exited")
    }
}

impl std::error::Error for ThreadExit {}

/// `--max-memory` for memories this store owns (what the module defines, a non-shared
/// import); imported shared memories are capped when created (`limits::cap_memory_type`).
impl wasmtime::ResourceLimiter for ThreadCtx {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let process = &self.process;
        Ok(crate::limits::memory_may_grow(
            &process.limits,
            &process.memory,
            desired,
            maximum,
        ))
    }

    /// A growth the limiter allowed failed anyway (past the module's maximum, or the host
    /// could not map it): the guest sees -1 as well, and an abort after it is out of memory.
    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.process.memory.refused();
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl ThreadCtx {
    fn new(
        process: Arc<Process>,
        tid: u32,
        memory: MemHandle,
        module: Option<Arc<ModuleCtx>>,
    ) -> Self {
        ThreadCtx {
            process,
            tid,
            memory,
            module,
            trace_funcs: HashMap::new(),
            in_handler: 0,
            instance: None,
        }
    }

    /// Whether this is the process's main thread.
    pub fn is_main(&self) -> bool {
        self.tid == self.process.threads.main_tid()
    }
}

/// Splits a host call's caller into a memory view and the thread state.
pub fn split<'a>(caller: &'a mut Caller<'_, ThreadCtx>) -> (GuestMemory<'a>, &'a mut ThreadCtx) {
    match caller.data().memory.clone() {
        MemHandle::Own(m) => {
            let (bytes, ctx) = m.data_and_store_mut(caller);
            (GuestMemory::from_slice(bytes), ctx)
        }
        MemHandle::Shared(sm) => {
            let data = sm.data();
            let (base, len) = (data.as_ptr() as *mut u8, data.len());
            // SAFETY: the store data holds a handle to this same shared memory for 'a, and
            // shared memories never shrink or move.
            let mem = unsafe { GuestMemory::from_raw(base, len) };
            (mem, caller.data_mut())
        }
        MemHandle::None => (GuestMemory::from_slice(&mut []), caller.data_mut()),
    }
}

/// Ends the process from a non-main thread: the first process of a run ends the host process
/// at once (its other threads cannot be stopped safely in every state); a child only decides
/// its end, and its threads unwind (see `crate::proc`).
pub fn end_from_thread(process: &Process, status: ExitStatus) {
    if process.is_first() {
        exit_process(status.shell_code());
    }
    process.begin_exit(status);
}

/// Ends the host process (flushing stdio first).
pub fn exit_process(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

/// A store for one thread of `process` running `module`: epoch deadline armed so the thread
/// traps with [`ProcEnded`] at its next check once the process is ending.
/// Stores on the plain engine (the first process) have no epoch checks to arm.
fn new_store(engine: &Engine, module: &Module, ctx: ThreadCtx) -> Store<ThreadCtx> {
    let dying = ctx.process.clone();
    let interruptible = Engine::same(engine, &dying.session.engine);
    let mut store = Store::new(engine, ctx);
    store.limiter(|cx| cx);
    // Only a module that can register a handler ever has signals queued (unhandled ones take
    // their default action at once): the others skip the hook's cost on every host call.
    if can_handle_signals(module) {
        store.call_hook(crate::syscalls::signal::at_syscall_return);
    }
    if !interruptible {
        return store;
    }
    store.set_epoch_deadline(1);
    // Ended before this store existed (its epoch bump came earlier): trap at the first check.
    // `begin_exit` sets the flag before bumping, so one of the two is always seen.
    if dying.is_dying() {
        store.set_epoch_deadline(0);
    }
    store.epoch_deadline_callback(|cx| {
        if cx.data().process.is_dying() {
            Err(wasmtime::Error::new(ProcEnded))
        } else {
            Ok(UpdateDeadline::Continue(1))
        }
    });
    store
}

/// Whether `module` imports `callback_signal`, the only way to register a signal handler.
fn can_handle_signals(module: &Module) -> bool {
    module.imports().any(|i| i.name() == "callback_signal")
}

/// Runs the first process of a run to its end on the calling thread; returns the exit code a
/// shell would see (`128 + signal` when a signal ended it).
pub fn run_main(loaded: Loaded, process: Arc<Process>) -> Result<i32, Error> {
    run_process(loaded, process).map(ExitStatus::shell_code)
}

/// Runs a process's main thread (and the images it execs) to the end; returns how it ended.
pub fn run_process(mut loaded: Loaded, mut process: Arc<Process>) -> Result<ExitStatus, Error> {
    loop {
        match run_image(&loaded, &process)? {
            Ended::Status(status) => {
                crate::limits::note_exit(&process, status);
                return Ok(status);
            }
            Ended::Exec(image) => {
                (loaded, process) = crate::proc::exec::replace(&process, *image);
            }
        }
    }
}

/// How one module image's main thread ended.
enum Ended {
    Status(ExitStatus),
    Exec(Box<ExecImage>),
}

/// Instantiates the module on the calling thread and runs `_start`.
fn run_image(loaded: &Loaded, process: &Arc<Process>) -> Result<Ended, Error> {
    let main_tid = process.threads.main_tid();
    if let Some((_, _, ty)) = &loaded.memory_import {
        process.memory.set_module_max(
            ty.maximum()
                .map(|pages| pages.saturating_mul(ty.page_size())),
        );
        if let Err(e) = crate::limits::cap_memory_type(ty, process.limits.max_memory) {
            let status = crate::limits::initial_memory_refused(&process.limits, Some(e.needed));
            process.begin_exit(status);
            process.threads.finished(main_tid);
            return Ok(Ended::Status(status));
        }
    }
    let mut store = new_store(
        &loaded.engine,
        &loaded.module,
        ThreadCtx::new(process.clone(), main_tid, MemHandle::None, None),
    );
    let (linker, memory) = crate::linker::build(&mut store, loaded, process.trace)?;
    let pre = linker
        .instantiate_pre(&loaded.module)
        .map_err(|e| Error::Instantiate(format!("{e:#}")))?;
    let shared_memory = match &memory {
        MemHandle::Shared(sm) => Some(sm.clone()),
        _ => None,
    };
    let module_ctx = Arc::new(ModuleCtx {
        engine: loaded.engine.clone(),
        pre: pre.clone(),
        shared_memory,
    });
    store.data_mut().module = Some(module_ctx);
    store.data_mut().memory = memory;
    let instance = match pre.instantiate(&mut store) {
        Ok(i) => i,
        // A trap in the module's start function ends the process like any trap...
        Err(e)
            if e.downcast_ref::<wasmtime::Trap>().is_some()
                || e.downcast_ref::<ProcEnded>().is_some() =>
        {
            return Ok(finish_main(process, e));
        }
        // The limiter refused the module's own memory its initial size.
        Err(_) if process.memory.was_refused() => {
            let status = crate::limits::initial_memory_refused(
                &process.limits,
                process.memory.refused_size(),
            );
            process.begin_exit(status);
            process.threads.finished(main_tid);
            return Ok(Ended::Status(status));
        }
        // ...anything else (e.g. memory cannot be reserved) means it never started.
        Err(e) => return Err(Error::Instantiate(format!("{e:#}"))),
    };
    store.data_mut().instance = Some(instance);
    if let MemHandle::None = store.data().memory
        && let Some(m) = instance.get_memory(&mut store, "memory")
    {
        store.data_mut().memory = MemHandle::Own(m);
    }
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|e| Error::BadModule {
            path: loaded.path.clone(),
            message: format!(
                "no `_start() -> ()` export: {e}\nhelp: build a binary (not a library) crate"
            ),
        })?;
    Ok(match start.call(&mut store, ()) {
        Ok(()) => {
            process.begin_exit(ExitStatus::Code(0));
            process.threads.finished(main_tid);
            Ended::Status(process.ending().unwrap_or(ExitStatus::Code(0)))
        }
        Err(e) => finish_main(process, e),
    })
}

/// How the main thread's entry ending with `err` ends the process.
fn finish_main(process: &Process, err: wasmtime::Error) -> Ended {
    let main_tid = process.threads.main_tid();
    process.threads.finished(main_tid);
    let err = match err.downcast::<ExecImage>() {
        Ok(image) => return Ended::Exec(Box::new(image)),
        Err(err) => err,
    };
    if let Some(ProcExit(status)) = err.downcast_ref::<ProcExit>() {
        process.begin_exit(*status);
    } else if err.downcast_ref::<ThreadExit>().is_some() {
        // pthread_exit on the main thread: the process lives until its last thread ends.
        while process.threads.count() > 0 {
            let any = process.threads.any_running();
            if let Some(tid) = any {
                process.threads.join(tid);
            }
        }
        process.begin_exit(ExitStatus::Code(0));
    } else if err.downcast_ref::<ProcEnded>().is_none() && !process.is_dying() {
        process.begin_exit(trapped(process, main_tid, &err));
    }
    Ended::Status(
        process
            .ending()
            .unwrap_or(ExitStatus::Signal(crate::abi::types::signal::KILL)),
    )
}

/// Reports a trap in thread `tid` and returns how the process ends: the limit's exit code
/// when the process ran into one before (a failed allocation, a refused thread or fd),
/// otherwise 101 after a panic message or killed by SIGABRT.
fn trapped(process: &Process, tid: u32, err: &wasmtime::Error) -> ExitStatus {
    if let Some(status) = crate::limits::abnormal_end(process) {
        return status;
    }
    report_trap(process, tid, err);
    trap_status(process.panic_seen.load(Ordering::Relaxed))
}

/// Prints the trap's cause and the guest backtrace (not the host's, even under
/// `RUST_BACKTRACE`).
fn report_trap(process: &Process, tid: u32, err: &wasmtime::Error) {
    if process
        .panic_seen
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        return; // a Rust panic already said why, like a native panic does
    }
    let cause = match err.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => err.root_cause().to_string(),
    };
    let backtrace = err
        .downcast_ref::<wasmtime::WasmBacktrace>()
        .map(|bt| format!("\n{bt}"))
        .unwrap_or_default();
    crate::diag!("error: wasm trap in thread {tid}: {cause}{backtrace}");
}

/// Starts a thread that enters `wasi_thread_start(tid, start_arg)`; returns its tid.
pub fn spawn(ctx: &ThreadCtx, start_arg: u64) -> Result<u32, Errno> {
    let module = ctx.module.clone().ok_or(Errno::Notcapable)?;
    let memory = module.shared_memory.clone().ok_or(Errno::Notcapable)?;
    let wide = entry_is_wide(&module).ok_or(Errno::Notcapable)?;
    let process = ctx.process.clone();
    let tid = process.threads.register()?;
    let spawned = std::thread::Builder::new()
        .name(format!("wasm-thread-{tid}"))
        .stack_size(THREAD_STACK)
        .spawn({
            let process = process.clone();
            move || thread_main(module, memory, process, tid, start_arg, wide)
        });
    if spawned.is_err() {
        process.threads.finished(tid);
        return Err(Errno::Again);
    }
    Ok(tid)
}

/// `Some(false)` for `wasi_thread_start(i32, i32)`, `Some(true)` for `(i64, i64)`, `None` when
/// the export is missing or has another type.
fn entry_is_wide(module: &ModuleCtx) -> Option<bool> {
    let ty = module
        .pre
        .module()
        .get_export("wasi_thread_start")?
        .func()?
        .clone();
    let params: Vec<ValType> = ty.params().collect();
    if ty.results().len() != 0 || params.len() != 2 {
        return None;
    }
    match (&params[0], &params[1]) {
        (ValType::I32, ValType::I32) => Some(false),
        (ValType::I64, ValType::I64) => Some(true),
        _ => None,
    }
}

fn thread_main(
    module: Arc<ModuleCtx>,
    memory: SharedMemory,
    process: Arc<Process>,
    tid: u32,
    start_arg: u64,
    wide: bool,
) {
    let mut store = new_store(
        &module.engine,
        module.pre.module(),
        ThreadCtx::new(
            process.clone(),
            tid,
            MemHandle::Shared(memory),
            Some(module.clone()),
        ),
    );
    let result = (|| -> wasmtime::Result<()> {
        let instance = module.pre.instantiate(&mut store)?;
        store.data_mut().instance = Some(instance);
        let entry = instance
            .get_func(&mut store, "wasi_thread_start")
            .ok_or_else(|| wasmtime::Error::msg("the module has no `wasi_thread_start` export"))?;
        let args = if wide {
            [Val::I64(tid as i64), Val::I64(start_arg as i64)]
        } else {
            [Val::I32(tid as i32), Val::I32(start_arg as i32)]
        };
        entry.call(&mut store, &args, &mut [])
    })();
    match result {
        Ok(()) => {}
        Err(e) if e.downcast_ref::<ThreadExit>().is_some() => {}
        // The process is ending; this thread just stops.
        Err(e) if e.downcast_ref::<ProcEnded>().is_some() || process.is_dying() => {}
        Err(e) => {
            if let Some(ProcExit(status)) = e.downcast_ref::<ProcExit>() {
                end_from_thread(&process, *status);
            } else {
                end_from_thread(&process, trapped(&process, tid, &e));
            }
        }
    }
    process.threads.finished(tid);
}
