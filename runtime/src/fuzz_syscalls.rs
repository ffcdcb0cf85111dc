//! Syscall fuzzing without a guest compiler (issue 14): every host function the linker
//! defines for `wasi_snapshot_preview1`, `wasix_32v1`, `wasix_64v1` and `wasi` is called
//! straight through wasmtime (`Func::call` on a store holding a real [`ThreadCtx`]) with
//! `arbitrary`-chosen i32/i64 arguments against a guest memory filled with arbitrary bytes,
//! guest strings (paths, host names) and iovec arrays. A host panic fails the test; traps and
//! errnos are fine; an out-of-bounds host access would crash the test binary.
//!
//! Bounded on purpose (a fuzz call must not block the run):
//! - skipped: `tty_set` (would change the developer's terminal), `fd_pipe`, `sock_pair`,
//!   `fd_event` (they create fds whose reads block forever; their argument handling is the
//!   same `write_u32` as every other creator);
//! - clamped: `thread_sleep` (< 1 µs), `epoll_wait` timeout (0 or 1 ns), `futex_wait`
//!   (its timeout record is rewritten to < 1 ms), `poll_oneoff` (every clock subscription's
//!   timeout becomes relative and < 1 ms, and a set without a clock gets one), `fd_allocate`
//!   length (< 1 MiB, so the host disk is not filled);
//! - stdin/stdout/stderr are closed in the guest fd table (no blocking reads of the test's
//!   stdin, no garbage on its output); thread spawns answer ENOTCAPABLE (no module to run).
//!
//! A watchdog aborts the test binary, naming the call, if one call takes over 20 s.
//!
//! `cargo test -p wasix-runtime fuzz_syscalls` runs a fixed seed set (CI budget);
//! `WASIX_FUZZ_ITERS=10000000 WASIX_FUZZ_SEED=7 cargo test -p wasix-runtime --lib
//! fuzz_syscalls -- --nocapture` runs a long budget.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use wasmtime::{Extern, Func, Module, Store, Val, ValType};

use crate::RunOptions;
use crate::loader::Loaded;
use crate::mem::GuestMemory;
use crate::mount::Mount;
use crate::process::Process;
use crate::thread::{MemHandle, ThreadCtx};

/// Calls per store/process before starting afresh (state accumulates inside a session).
const SESSION_CALLS: u64 = 4000;
/// Calls in the default (CI) run.
const CI_CALLS: u64 = 200_000;
/// Guest memory: 2 pages.
const PAGES: u64 = 2;
const MEM_LEN: u64 = PAGES * 65536;

/// The modules whose imports make the linker define every family.
const SHAPES: &[(&str, &str)] = &[
    (
        "m32-shared",
        r#"(module
            (import "env" "memory" (memory 2 2 shared))
            (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
            (import "wasix_32v1" "sched_yield" (func (result i32)))
            (import "wasi" "thread-spawn" (func (param i32) (result i32))))"#,
    ),
    (
        "m32-own",
        r#"(module
            (import "env" "memory" (memory 2 2))
            (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
            (import "wasix_32v1" "sched_yield" (func (result i32))))"#,
    ),
    (
        "m64-shared",
        r#"(module
            (import "env" "memory" (memory i64 2 2 shared))
            (import "wasix_64v1" "sched_yield" (func (result i32))))"#,
    ),
];

/// Functions never called (see the module doc).
const SKIPPED: &[&str] = &["tty_set", "fd_pipe", "sock_pair", "fd_event"];

/// Strings the guest passes most often: paths inside, across and out of the mounts, odd
/// bytes, host names.
const DICTIONARY: &[&[u8]] = &[
    b"/",
    b".",
    b"..",
    b"/data",
    b"/data/f.txt",
    b"data/f.txt",
    b"f.txt",
    b"sub",
    b"sub/g.txt",
    b"/data/sub/../f.txt",
    b"link",
    b"/data/out/secret",
    b"out/secret",
    b"../../../outside/secret",
    b"/ro/r.txt",
    b"/ro",
    b"new",
    b"/data/new",
    b"/proc/self/environ",
    b"",
    b"a\0b",
    b"\xff\xfe",
    b"localhost",
    b"127.0.0.1",
    b"_start",
    b"/data/sub/",
];

/// SplitMix64: a fixed, dependency-free byte source for `Unstructured`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// What one run found.
#[derive(Default)]
struct Tally {
    calls: u64,
    ok: u64,
    errno: u64,
    traps: u64,
    panics: Vec<String>,
    per_func: BTreeMap<String, u64>,
}

/// One store + process + host tree.
struct Session {
    _tmp: tempfile::TempDir,
    outside: std::path::PathBuf,
    outside_before: Vec<(String, Vec<u8>)>,
    store: Store<ThreadCtx>,
    memory: MemHandle,
    funcs: Vec<(String, Func, Vec<ValType>, usize)>,
}

fn host_tree() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path();
    for (rel, data) in [
        ("mnt/f.txt", "file"),
        ("mnt/sub/g.txt", "g"),
        ("ro/r.txt", "read only"),
        ("outside/secret", "host secret"),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, data).expect("write");
    }
    std::os::unix::fs::symlink("f.txt", root.join("mnt/link")).expect("symlink");
    std::os::unix::fs::symlink("../outside", root.join("mnt/out")).expect("symlink");
    let outside = root.join("outside");
    (tmp, outside)
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("list outside")
        .map(|e| {
            let p = e.expect("entry").path();
            let data = std::fs::read(&p).unwrap_or_default();
            (p.display().to_string(), data)
        })
        .collect();
    out.sort();
    out
}

impl Session {
    fn new(shape: &str) -> Session {
        let engine = crate::engine::shared_engine().expect("engine");
        let module = Module::new(engine, shape).expect("fuzz module");
        let loaded = Loaded::new(engine, module, Path::new("fuzz.wasm")).expect("loaded");
        let (tmp, outside) = host_tree();
        let mut opts = RunOptions::new("fuzz.wasm");
        opts.mounts = vec![
            Mount {
                guest: "/data".into(),
                host: tmp.path().join("mnt"),
                read_only: false,
            },
            Mount {
                guest: "/ro".into(),
                host: tmp.path().join("ro"),
                read_only: true,
            },
        ];
        opts.cwd = Some("/data".into());
        opts.env = vec![("K".into(), "V".into())];
        opts.args = vec!["a".into(), "bb".into()];
        let session = Arc::new(crate::proc::Session::new(
            crate::engine::shared_interruptible_engine()
                .expect("engine")
                .clone(),
            crate::CacheMode::Disabled,
            8,
        ));
        let process: Arc<Process> =
            Process::from_options(&opts, loaded.abi(), session).expect("process");
        {
            let mut fds = process.fd_table();
            for fd in 0..3 {
                let _ = fds.close(fd);
            }
        }
        let tid = process.threads.main_tid();
        let mut store = Store::new(
            engine,
            ThreadCtx {
                process,
                tid,
                memory: MemHandle::None,
                module: None,
                trace_funcs: Default::default(),
                in_handler: 0,
                instance: None,
            },
        );
        let (linker, memory) = crate::linker::build(&mut store, &loaded, false).expect("linker");
        store.data_mut().memory = memory.clone();
        let mut funcs = Vec::new();
        let defs: Vec<(String, Extern)> = linker
            .iter(&mut store)
            .map(|(m, n, e)| (format!("{m}.{n}"), e))
            .collect();
        for (name, ext) in defs {
            let Extern::Func(f) = ext else { continue };
            let short = name.rsplit('.').next().unwrap_or_default();
            if SKIPPED.contains(&short) {
                continue;
            }
            let ty = f.ty(&store);
            let params: Vec<ValType> = ty.params().collect();
            if params
                .iter()
                .any(|p| !matches!(p, ValType::I32 | ValType::I64))
            {
                continue;
            }
            funcs.push((name, f, params, ty.results().len()));
        }
        let outside_before = listing(&outside);
        Session {
            _tmp: tmp,
            outside,
            outside_before,
            store,
            memory,
            funcs,
        }
    }

    fn mem(&mut self) -> GuestMemory<'_> {
        match &self.memory {
            MemHandle::Shared(sm) => GuestMemory::from_shared(sm),
            MemHandle::Own(m) => GuestMemory::from_slice(m.data_mut(&mut self.store)),
            MemHandle::None => GuestMemory::from_slice(&mut []),
        }
    }
}

/// Argument generator for one call.
struct Args<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    mem: &'a GuestMemory<'a>,
    /// The length of the last string or iovec array placed, offered to the next argument.
    pending_len: Option<u64>,
}

impl Args<'_, '_> {
    fn any(&mut self) -> u64 {
        let pick = self.u.choose_index(10).unwrap_or(0);
        match pick {
            0 => self.u.int_in_range(0..=8).unwrap_or(0),
            1 => self.u.int_in_range(0..=MEM_LEN - 1).unwrap_or(0),
            2 => MEM_LEN - self.u.int_in_range(0..=24u64).unwrap_or(0),
            3 => self.place_string(),
            4 => self.place_iovecs(),
            5 => self
                .pending_len
                .take()
                .unwrap_or_else(|| self.u.int_in_range(0..=64).unwrap_or(0)),
            6 => *self
                .u
                .choose(&[
                    0,
                    u64::MAX,
                    u32::MAX as u64,
                    i32::MAX as u64,
                    i32::MIN as u32 as u64,
                    1 << 63,
                    4096,
                    65536,
                    MEM_LEN,
                ])
                .unwrap_or(&0),
            7 => self.u.int_in_range(3..=24).unwrap_or(3),
            _ => self.u.arbitrary::<u64>().unwrap_or(0),
        }
    }

    fn place_string(&mut self) -> u64 {
        let s = *self.u.choose(DICTIONARY).unwrap_or(&&b"/"[..]);
        let at = self
            .u
            .int_in_range(0..=MEM_LEN - s.len() as u64 - 1)
            .unwrap_or(0);
        let _ = self.mem.write_bytes(at, s);
        self.pending_len = Some(s.len() as u64);
        at
    }

    /// An iovec array (8-byte entries, valid for 32-bit guests) of 1..=4 in-bounds buffers.
    fn place_iovecs(&mut self) -> u64 {
        let n = self.u.int_in_range(1..=4u64).unwrap_or(1);
        let at = self.u.int_in_range(0..=MEM_LEN - 64).unwrap_or(0);
        for i in 0..n {
            let buf = self.u.int_in_range(0..=MEM_LEN - 256).unwrap_or(0);
            let len = self.u.int_in_range(0..=255u64).unwrap_or(0);
            let _ = self.mem.write_u32(at + 8 * i, buf as u32);
            let _ = self.mem.write_u32(at + 8 * i + 4, len as u32);
        }
        self.pending_len = Some(n);
        at
    }
}

/// Rewrites arguments and memory so blocking calls are bounded (see the module doc).
fn clamp(name: &str, args: &mut [u64], mem: &GuestMemory<'_>, u: &mut Unstructured<'_>) {
    let short = name.rsplit('.').next().unwrap_or_default();
    let small_ns = u.int_in_range(0..=999_999u64).unwrap_or(0);
    match short {
        "thread_sleep" => args[0] %= 1000,
        "epoll_wait" => args[3] &= 1,
        "fd_allocate" => args[2] %= 1 << 20,
        "futex_wait" => {
            // (addr, expected, timeout_ptr, out): a bounded timeout record at a valid place.
            if args[2] == 0 || args[2] > MEM_LEN - 16 {
                args[2] = MEM_LEN - 16;
            }
            let _ = mem.write_u8(args[2], 1);
            let _ = mem.write_u64(args[2] + 8, small_ns);
        }
        "poll_oneoff" => {
            // (in, out, nsubs, ret): 48-byte subscriptions, clock ones at tag 0.
            let (base, n) = (args[0], args[2].min(MEM_LEN / 48));
            let mut has_clock = false;
            for i in 0..n {
                let sub = base.wrapping_add(i * 48);
                if sub.checked_add(48).is_none_or(|end| end > MEM_LEN) {
                    break;
                }
                if mem.read_u8(sub + 8) == Ok(0) {
                    has_clock = true;
                    let _ = mem.write_u64(sub + 24, small_ns);
                    let _ = mem.write_u16(sub + 40, 0);
                }
            }
            if !has_clock && n > 0 && base.checked_add(48).is_some_and(|e| e <= MEM_LEN) {
                let _ = mem.write_u8(base + 8, 0);
                let _ = mem.write_u32(base + 16, 1);
                let _ = mem.write_u64(base + 24, small_ns);
                let _ = mem.write_u16(base + 40, 0);
            }
        }
        _ => {}
    }
}

/// Runs `calls` calls from `seed`; returns what happened.
fn fuzz(seed: u64, calls: u64, watchdog: &Watchdog) -> Tally {
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let mut bytes = vec![0u8; 1024];
    let mut done = 0u64;
    let mut shape_i = (seed % SHAPES.len() as u64) as usize;
    while done < calls {
        let (shape_name, shape) = SHAPES[shape_i % SHAPES.len()];
        shape_i += 1;
        let mut s = Session::new(shape);
        assert!(!s.funcs.is_empty(), "{shape_name}: no host functions");
        for (name, ..) in &s.funcs {
            tally.per_func.entry(name.clone()).or_default();
        }
        // Start from arbitrary memory.
        {
            let mut fill = vec![0u8; MEM_LEN as usize];
            rng.fill(&mut fill);
            let _ = s.mem().write_bytes(0, &fill);
        }
        let session_end = (done + SESSION_CALLS).min(calls);
        while done < session_end {
            rng.fill(&mut bytes);
            let mut u = Unstructured::new(&bytes);
            let fi = u.choose_index(s.funcs.len()).unwrap_or(0);
            let (name, func, params, nres) = s.funcs[fi].clone();
            // Now and then scribble over a region of memory.
            if u.ratio(1u8, 32u8).unwrap_or(false) {
                let at = u.int_in_range(0..=MEM_LEN - 512).unwrap_or(0);
                let len = u.int_in_range(0..=511u64).unwrap_or(0) as usize;
                let _ = s.mem().write_bytes(at, &bytes[512..512 + len]);
            }
            let mut raw: Vec<u64> = {
                let mem = s.mem();
                let mut args = Args {
                    u: &mut u,
                    mem: &mem,
                    pending_len: None,
                };
                // Values as the host function will see them (i32 parameters are truncated),
                // so `clamp` looks at the real pointers.
                params
                    .iter()
                    .map(|ty| match ty {
                        ValType::I32 => args.any() as u32 as u64,
                        _ => args.any(),
                    })
                    .collect()
            };
            {
                let mem = s.mem();
                clamp(&name, &mut raw, &mem, &mut u);
            }
            let vals: Vec<Val> = params
                .iter()
                .zip(&raw)
                .map(|(ty, v)| match ty {
                    ValType::I32 => Val::I32(*v as u32 as i32),
                    _ => Val::I64(*v as i64),
                })
                .collect();
            let mut results = vec![Val::I32(0); nres];
            watchdog.enter(&format!("{shape_name} {name}{raw:?} (seed {seed})"));
            let r = catch_unwind(AssertUnwindSafe(|| {
                func.call(&mut s.store, &vals, &mut results)
            }));
            watchdog.leave();
            done += 1;
            tally.calls += 1;
            *tally.per_func.entry(name.clone()).or_default() += 1;
            match r {
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    tally
                        .panics
                        .push(format!("{shape_name} {name}{raw:?}: {msg}"));
                }
                Ok(Err(_)) => tally.traps += 1,
                Ok(Ok(())) => match results.first() {
                    Some(Val::I32(0)) | None => tally.ok += 1,
                    _ => tally.errno += 1,
                },
            }
        }
        // Close the guest's fds: the first process of a session stays in its session's
        // process table (an `Arc` cycle, as in an embedded `run`), so dropping the store does
        // not free its fd table, and thousands of sessions would run out of host fds.
        {
            let process = s.store.data().process.clone();
            let mut fds = process.fd_table();
            for fd in 0..crate::fd::table::MAX_FDS {
                let _ = fds.close(fd);
            }
        }
        let after = listing(&s.outside);
        assert_eq!(
            s.outside_before, after,
            "seed {seed}: a fuzzed call changed the host directory outside the mounts"
        );
    }
    tally
}

/// Aborts the test binary when one call runs longer than the limit.
struct Watchdog {
    state: Arc<Mutex<(Option<Instant>, String)>>,
    ticks: Arc<AtomicU64>,
}

impl Watchdog {
    fn start(limit: Duration) -> Watchdog {
        let state: Arc<Mutex<(Option<Instant>, String)>> = Default::default();
        let ticks = Arc::new(AtomicU64::new(0));
        let watched = state.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let s = watched.lock().unwrap_or_else(|p| p.into_inner());
                if let (Some(t), what) = &*s
                    && t.elapsed() > limit
                {
                    eprintln!("fuzz_syscalls: call blocked for over {limit:?}: {what}");
                    std::process::abort();
                }
            }
        });
        Watchdog { state, ticks }
    }

    fn enter(&self, what: &str) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *s = (Some(Instant::now()), what.to_string());
        self.ticks.fetch_add(1, Ordering::Relaxed);
    }

    fn leave(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).0 = None;
    }
}

#[test]
fn fuzz_syscalls() {
    let calls: u64 = std::env::var("WASIX_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CI_CALLS);
    let seeds: Vec<u64> = match std::env::var("WASIX_FUZZ_SEED") {
        Ok(v) => vec![v.parse().expect("WASIX_FUZZ_SEED is a number")],
        Err(_) => vec![1, 2, 3],
    };
    let watchdog = Watchdog::start(Duration::from_secs(20));
    let t0 = Instant::now();
    let mut total = Tally::default();
    let per_seed = calls / seeds.len() as u64;
    for seed in seeds {
        let t = fuzz(seed, per_seed, &watchdog);
        total.calls += t.calls;
        total.ok += t.ok;
        total.errno += t.errno;
        total.traps += t.traps;
        total.panics.extend(t.panics);
        for (k, v) in t.per_func {
            *total.per_func.entry(k).or_default() += v;
        }
    }
    eprintln!(
        "fuzz_syscalls: {} calls to {} host functions in {:?}: {} ok, {} errno, {} traps, {} panics",
        total.calls,
        total.per_func.len(),
        t0.elapsed(),
        total.ok,
        total.errno,
        total.traps,
        total.panics.len()
    );
    // Every registered function was reached (the budget is large enough for that).
    let never: Vec<&String> = total
        .per_func
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| k)
        .collect();
    assert!(never.is_empty(), "never called: {never:?}");
    assert!(
        total.per_func.len() > 150,
        "only {} functions fuzzed",
        total.per_func.len()
    );
    assert!(
        total.panics.is_empty(),
        "{} host panic(s):\n{}",
        total.panics.len(),
        total.panics.join("\n")
    );
}
