//! Child processes through the raw `proc_*` calls. The test runs it with its own directory
//! mounted and `--exe` set, so it can spawn itself by absolute path or through `PATH`.
//!
//! `parent` runs every scenario and prints one line per result; the other modes are the
//! children it starts.
use std::io::{Read, Write};

use runtime_test_guests::{p1, read_fd, wasix, write_fd};

/// A file action record (56 bytes, align 8).
#[repr(C, align(8))]
struct FdOp([u8; 56]);

fn dup2(src: u32, fd: u32) -> FdOp {
    let mut r = [0u8; 56];
    r[0] = 1;
    r[4..8].copy_from_slice(&fd.to_le_bytes());
    r[8..12].copy_from_slice(&src.to_le_bytes());
    FdOp(r)
}

fn close(fd: u32) -> FdOp {
    let mut r = [0u8; 56];
    r[4..8].copy_from_slice(&fd.to_le_bytes());
    FdOp(r)
}

fn chdir(path: &'static str) -> FdOp {
    let mut r = [0u8; 56];
    r[0] = 3;
    r[12..16].copy_from_slice(&(path.as_ptr() as u32).to_le_bytes());
    r[16..20].copy_from_slice(&(path.len() as u32).to_le_bytes());
    FdOp(r)
}

fn list(items: &[&str]) -> Vec<u8> {
    items
        .iter()
        .flat_map(|s| format!("{s}\n").into_bytes())
        .collect()
}

/// Spawns `name` with `args` (argv[0] included); returns the pid or the errno.
fn spawn(
    name: &str,
    args: &[&str],
    env: &[&str],
    ops: &[FdOp],
    search: Option<&str>,
) -> Result<u32, i32> {
    let (a, e) = (list(args), list(env));
    let path = search.unwrap_or("");
    let mut pid = 0;
    let rc = unsafe {
        wasix::proc_spawn2(
            name.as_ptr(),
            name.len(),
            a.as_ptr(),
            a.len(),
            e.as_ptr(),
            e.len(),
            ops.as_ptr().cast(),
            ops.len(),
            std::ptr::null(),
            0,
            search.is_some() as u32,
            path.as_ptr(),
            path.len(),
            &mut pid,
        )
    };
    if rc == 0 { Ok(pid) } else { Err(rc) }
}

/// Joins `pid` (or any child); returns (pid, description) or the errno.
fn join(pid: Option<u32>, nonblocking: bool) -> Result<(u32, String), i32> {
    let mut opt = match pid {
        Some(p) => [1u32, p],
        None => [0, 0],
    };
    let mut st = [0u16; 3];
    let rc =
        unsafe { wasix::proc_join(opt.as_mut_ptr(), nonblocking as u32, st.as_mut_ptr().cast()) };
    if rc != 0 {
        return Err(rc);
    }
    let b: Vec<u8> = st.iter().flat_map(|w| w.to_le_bytes()).collect();
    let what = match b[0] {
        0 => "nothing".to_string(),
        1 => format!("exit {}", u16::from_le_bytes([b[2], b[3]])),
        2 => format!("signal {}", b[4]),
        t => format!("tag {t}"),
    };
    Ok((opt[1], what))
}

fn pipe() -> (u32, u32) {
    let (mut r, mut w) = (0, 0);
    assert_eq!(unsafe { wasix::fd_pipe(&mut r, &mut w) }, 0);
    (r, w)
}

fn read_all(fd: u32) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let n = read_fd(fd, &mut buf);
        if n == 0 {
            return String::from_utf8_lossy(&out).into_owned();
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn my_pid() -> u32 {
    let mut pid = 0;
    unsafe { wasix::proc_id(&mut pid) };
    pid
}

fn parent(me: &str) {
    let dir = me.rsplit_once('/').map_or("/", |(d, _)| d);
    // Exit codes, joined by pid.
    for code in ["0", "1", "42", "255"] {
        let pid = spawn(me, &["self", "exit", code], &[], &[], None).unwrap();
        println!("exit {code}: {:?}", join(Some(pid), false).map(|r| r.1));
    }
    // stdin from one pipe to EOF, stdout into another; env and cwd from the spawn.
    let (in_r, in_w) = pipe();
    let (out_r, out_w) = pipe();
    // The child must not keep the parent's ends open (no close-on-exec on raw pipes).
    let ops = [
        dup2(in_r, 0),
        dup2(out_w, 1),
        close(in_r),
        close(in_w),
        close(out_r),
        close(out_w),
        chdir("/"),
    ];
    let pid = spawn(me, &["self", "echo"], &["GREETING=hi there"], &ops, None).unwrap();
    unsafe {
        p1::fd_close(in_r);
        p1::fd_close(out_w);
    }
    write_fd(in_w, b"piped text");
    unsafe { p1::fd_close(in_w) };
    println!("echo: {:?}", read_all(out_r));
    println!("echo status: {:?}", join(Some(pid), false).map(|r| r.1));
    // Through PATH, by bare name (".wasm" is added).
    let pid = spawn(
        "proc_spawn",
        &["proc_spawn", "exit", "3"],
        &[],
        &[],
        Some(&format!("/nowhere:{dir}")),
    )
    .unwrap();
    println!("by PATH: {:?}", join(Some(pid), false).map(|r| r.1));
    println!(
        "missing: {:?}",
        spawn("no_such_prog", &["x"], &[], &[], Some(dir))
    );
    // kill and a terminating signal; a non-blocking join before.
    let pid = spawn(me, &["self", "sleep"], &[], &[], None).unwrap();
    println!("nonblocking: {:?}", join(Some(pid), true).map(|r| r.1));
    println!("kill rc: {}", unsafe { wasix::proc_signal(pid, 9) });
    println!("killed: {:?}", join(Some(pid), false).map(|r| r.1));
    // A child blocked reading a pipe whose writer (us) stays open is killed all the same.
    let (r, w) = pipe();
    let pid = spawn(me, &["self", "read"], &[], &[dup2(r, 0), close(w)], None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    unsafe { wasix::proc_signal(pid, 9) };
    println!(
        "killed while reading: {:?}",
        join(Some(pid), false).map(|r| r.1)
    );
    unsafe {
        p1::fd_close(r);
        p1::fd_close(w);
    }
    let pid = spawn(me, &["self", "spin"], &[], &[], None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    unsafe { wasix::proc_signal(pid, 15) };
    println!(
        "term while spinning: {:?}",
        join(Some(pid), false).map(|r| r.1)
    );
    // 16 at once, joined in any order.
    let mut pids: Vec<u32> = (0..16)
        .map(|i| spawn(me, &["self", "exit", &i.to_string()], &[], &[], None).unwrap())
        .collect();
    let mut sum = 0;
    for _ in 0..16 {
        let (pid, what) = join(None, false).unwrap();
        pids.retain(|p| *p != pid);
        sum += what.trim_start_matches("exit ").parse::<u32>().unwrap();
    }
    println!("16 children: sum {sum}, left {}", pids.len());
    println!("no children: {:?}", join(None, false));
    // A child's own view of pids, and exec keeping the pid.
    let pid = spawn(me, &["self", "exec", me], &[], &[], None).unwrap();
    println!(
        "exec: {:?} (pid ok: {})",
        join(Some(pid), false).map(|r| r.1),
        pid != my_pid()
    );
    // With a handler: USR1 sent by a child, and SIGCHLD when it ends.
    let name = "proc_on_signal";
    unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
    let pid = spawn(me, &["self", "signal-parent"], &[], &[], None).unwrap();
    let seen = await_signals((1 << 10) | (1 << 17));
    println!(
        "handler saw USR1 {} and CHLD {}",
        seen >> 10 & 1,
        seen >> 17 & 1
    );
    println!("signal-parent: {:?}", join(Some(pid), false).map(|r| r.1));
}

static SEEN: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The signal handler the runtime calls (registered with `callback_signal`).
#[unsafe(export_name = "proc_on_signal")]
pub extern "C" fn on_signal(sig: i32) {
    SEEN.store(sig, std::sync::atomic::Ordering::SeqCst);
    MASK.fetch_or(1 << sig, std::sync::atomic::Ordering::SeqCst);
}

static MASK: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Sleeps in short steps until the handler saw every signal of `mask` (up to 5 s).
fn await_signals(mask: u32) -> u32 {
    for _ in 0..100 {
        let seen = MASK.load(std::sync::atomic::Ordering::SeqCst);
        if seen & mask == mask {
            return seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    MASK.load(std::sync::atomic::Ordering::SeqCst)
}

/// `proc_signal` to a child that spins on `sched_yield`/`clock_time_get` with a handler: the
/// handler runs (the child exits with the signal number) instead of waiting for a blocking
/// wait that never comes.
/// The same for a child computing without any syscall (its epoch check is the safe point).
fn busy_parent(me: &str) {
    for (mode, label) in [("busy-handler", "busy"), ("compute-handler", "computing")] {
        let (r, w) = pipe();
        let pid = spawn(me, &["self", mode], &[], &[dup2(w, 1), close(r)], None).unwrap();
        unsafe { p1::fd_close(w) };
        // "ready": the handler is registered and the child is spinning.
        let mut ready = [0u8; 6];
        read_fd(r, &mut ready);
        println!("signal rc: {}", unsafe { wasix::proc_signal(pid, 10) });
        println!(
            "{label} child: {:?}",
            join(Some(pid), false).map(|(_, w)| w)
        );
        unsafe { p1::fd_close(r) };
    }
}

/// Children whose main thread is parked in a wasm atomic wait when they end: one whose other
/// thread traps, one killed while joining.
fn reap(me: &str) {
    let pid = spawn(me, &[me, "thread-trap"], &[], &[], None).unwrap();
    println!("thread trap: {:?}", join(Some(pid), false).map(|(_, w)| w));
    let pid = spawn(me, &[me, "joining"], &[], &[], None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(unsafe { wasix::proc_signal(pid, 9) }, 0);
    println!(
        "killed while joining: {:?}",
        join(Some(pid), false).map(|(_, w)| w)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("parent") => parent(&args[2]),
        Some("exit") => std::process::exit(args[2].parse().unwrap()),
        Some("echo") => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).unwrap();
            let greeting = std::env::var("GREETING").unwrap_or_default();
            let mut parent = 0;
            unsafe { wasix::proc_parent(my_pid(), &mut parent) };
            print!("{} / {greeting} / parent {parent}", input.to_uppercase());
            std::io::stdout().flush().unwrap();
        }
        Some("sleep") => std::thread::sleep(std::time::Duration::from_secs(60)),
        Some("signal-parent") => {
            let mut parent = 0;
            unsafe { wasix::proc_parent(my_pid(), &mut parent) };
            std::process::exit(unsafe { wasix::proc_signal(parent, 10) });
        }
        Some("read") => {
            let mut all = Vec::new();
            std::io::stdin().read_to_end(&mut all).unwrap();
            println!("read {} bytes", all.len());
        }
        Some("thread-trap") => {
            // The other thread traps while this one is parked in `pthread_join` (the wasm
            // atomic wait, which no epoch interrupts).
            let t = std::thread::spawn(|| core::arch::wasm32::unreachable());
            let _ = t.join();
            println!("joined");
        }
        Some("joining") => {
            let t = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(60)));
            let _ = t.join();
        }
        Some("reap") => reap(&args[2]),
        Some("busy-parent") => busy_parent(&args[2]),
        Some("busy-handler") => {
            // Spins on syscalls only (no blocking wait): the handler must run at a syscall
            // return. Exits with the signal seen, 1 when none came within 5 s.
            let name = "proc_on_signal";
            unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
            println!("ready");
            let start = std::time::Instant::now();
            while SEEN.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                if start.elapsed() > std::time::Duration::from_secs(5) {
                    std::process::exit(1);
                }
                std::thread::yield_now();
            }
            std::process::exit(SEEN.load(std::sync::atomic::Ordering::SeqCst));
        }
        Some("compute-handler") => {
            // No syscall at all in the loop; gives up (exit 1) after some seconds of work.
            let name = "proc_on_signal";
            unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
            println!("ready");
            let mut x = 0u64;
            while SEEN.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                x = std::hint::black_box(x.wrapping_add(1));
                if x == 5_000_000_000 {
                    std::process::exit(1);
                }
            }
            std::process::exit(SEEN.load(std::sync::atomic::Ordering::SeqCst));
        }
        Some("spin") => {
            let mut x = 0u64;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        Some("exec") => {
            let me = &args[2];
            let a = list(&["self", "after-exec", &my_pid().to_string()]);
            let rc = unsafe {
                wasix::proc_exec3(
                    me.as_ptr(),
                    me.len(),
                    a.as_ptr(),
                    a.len(),
                    std::ptr::null(),
                    0,
                    0,
                    std::ptr::null(),
                    0,
                )
            };
            println!("exec failed: {rc}");
            std::process::exit(1);
        }
        Some("after-exec") => {
            let same = args[2] == my_pid().to_string();
            std::process::exit(if same { 7 } else { 8 });
        }
        Some("wait-signal") => {
            // With `handler`, a registered handler counts signals; the host's SIGINT arrives
            // while this sleeps. With `busy`, the same handler while this spins on
            // `sched_yield` and never blocks.
            if matches!(args.get(2).map(String::as_str), Some("handler" | "busy")) {
                let name = "proc_on_signal";
                unsafe { wasix::callback_signal(name.as_ptr(), name.len()) };
            }
            println!("ready");
            if args.get(2).map(String::as_str) == Some("busy") {
                // No blocking wait at all: only syscall returns are safe points.
                let start = std::time::Instant::now();
                while start.elapsed() < std::time::Duration::from_secs(10) {
                    std::thread::yield_now();
                    let seen = SEEN.load(std::sync::atomic::Ordering::SeqCst);
                    if seen != 0 {
                        println!("handled signal {seen}");
                        std::process::exit(0);
                    }
                }
                println!("no signal while busy");
                std::process::exit(1);
            }
            for _ in 0..200 {
                std::thread::sleep(std::time::Duration::from_millis(50));
                let seen = SEEN.load(std::sync::atomic::Ordering::SeqCst);
                if seen != 0 {
                    println!("handled signal {seen}");
                    std::process::exit(0);
                }
            }
            println!("no signal");
        }
        Some("fork-bomb") => {
            // Each child spawns two more until the process limit answers EAGAIN.
            let me = &args[2];
            let mut rcs = Vec::new();
            for _ in 0..2 {
                match spawn(me, &["self", "fork-bomb", me], &[], &[], None) {
                    Ok(_) => rcs.push(0),
                    Err(e) => rcs.push(e),
                }
            }
            while join(None, false).is_ok() {}
            if args.len() > 3 {
                println!("first level: {rcs:?}");
            }
        }
        _ => {
            eprintln!("usage: proc_spawn parent SELF | exit N | echo | sleep | spin");
            std::process::exit(2);
        }
    }
}
