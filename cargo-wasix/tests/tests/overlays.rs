//! Crate overlays (`overlays/`): the exact version a lockfile pins is patched, the user's
//! `Cargo.lock` stays byte-identical (`--locked` included), and versions no overlay covers
//! get an error naming the covered range.

use super::support::{Target, cargo_wasix, fixture, fixture_as, output};

// tokio `full` through its overlays (and the libc, mio and socket2 ones) on both targets.
crate::both_targets!(
    tokio_full_serves_tcp_udp_timers_processes_and_signals,
    getrandom_majors_give_random_bytes,
    parking_lot_threads_park_and_wake,
);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `cargo wasix run --locked` of fixture `name` (with `--net` for the guest when `net`): must
/// succeed and leave the fixture's Cargo.lock byte-identical; returns stdout and stderr.
fn run_locked(name: &str, net: bool) -> (String, String) {
    run_locked_with(name, if net { "--net" } else { "" })
}

/// [`run_locked`] with the guest's runtime flags (`CARGO_WASIX_RUNTIME_FLAGS`) spelled out.
fn run_locked_with(name: &str, runtime_flags: &str) -> (String, String) {
    run_locked_on(Target::Wasm32, name, runtime_flags)
}

/// [`run_locked_with`] for `target`.
fn run_locked_on(target: Target, name: &str, runtime_flags: &str) -> (String, String) {
    let dir = target.fixture(name);
    let lock = std::fs::read(dir.join("Cargo.lock")).expect("fixture lock");
    let mut cmd = target.cargo_wasix(&dir, &["run", "--locked"]);
    if !runtime_flags.is_empty() {
        cmd.env("CARGO_WASIX_RUNTIME_FLAGS", runtime_flags);
    }
    let out = output(&mut cmd);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert_eq!(
        std::fs::read(dir.join("Cargo.lock")).expect("lock"),
        lock,
        "Cargo.lock changed"
    );
    (text(&out.stdout), stderr)
}

#[test]
fn old_libc_in_a_lock_builds_and_runs_with_the_lock_unchanged() {
    let lock = std::fs::read_to_string(fixture("oldlibc").join("Cargo.lock")).expect("lock");
    assert!(lock.contains("version = \"0.2.158\""));
    let (stdout, stderr) = run_locked("oldlibc", false);
    assert_eq!(stdout, "through a pipe\nAF_INET = 1, SOCK_STREAM = 1\n");
    // The patched copy's own warnings are capped, as cargo does for registry crates.
    assert!(!stderr.contains("warning"), "stderr:\n{stderr}");
}

#[test]
fn locked_still_refuses_a_stale_lock() {
    let dir = fixture_as("oldlibc", "oldlibc_stale");
    let manifest = dir.join("Cargo.toml");
    let text_manifest = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text_manifest.replace("libc = \"0.2\"", "libc = \"0.2.160\""),
    )
    .expect("write manifest");
    let lock = std::fs::read(dir.join("Cargo.lock")).expect("lock");
    let out = output(&mut cargo_wasix(&dir, &["build", "--locked"]));
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains("`Cargo.lock` is not up to date and --locked was passed"),
        "stderr:\n{stderr}"
    );
    assert_eq!(std::fs::read(dir.join("Cargo.lock")).expect("lock"), lock);
}

#[test]
fn a_libc_older_than_every_overlay_names_the_range() {
    let dir = fixture_as("oldlibc", "oldlibc_ancient");
    let lock_path = dir.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .expect("lock")
        .replace("0.2.158", "0.2.140");
    std::fs::write(&lock_path, &lock).expect("write lock");
    let out = output(&mut cargo_wasix(&dir, &["build"]));
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains("`libc` 0.2.140 in Cargo.lock has no WASIX overlay")
            && stderr.contains(">=0.2.150, <0.2.159")
            && stderr.contains("cargo update -p"),
        "stderr:\n{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&lock_path).expect("lock"), lock);
}

/// parking_lot_core's wasm parker panics when a thread must wait; the overlay parks on the
/// WASIX futex. The lock holds two versions (0.9.12 and 0.8.6): both are patched, the
/// second under its own `[patch]` key, and the lock stays byte-identical. parking_lot 0.13
/// (parking_lot_core 0.10, no overlay) parks on pthread mutexes and condition variables:
/// wasi-libc's on wasm32, libc64's on wasm64.
fn parking_lot_threads_park_and_wake(t: Target) {
    let mut expected = String::new();
    for v in ["0.12", "0.11", "0.13"] {
        expected += &format!(
            "{v}: mutex 4000\n{v}: condvar woken\n\
             {v}: wait_for timed out true after at least 30 ms true\n{v}: rwlock 1\n"
        );
    }
    assert_eq!(run_locked_on(t, "parking", "").0, expected);
}

/// `cargo wasix status` in a crate names the overlays and what they would patch in its lock.
#[test]
fn status_lists_the_overlays_a_lock_gets() {
    let dir = fixture_as("parking", "parking_status");
    let out = output(&mut cargo_wasix(&dir, &["status"]));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for line in [
        "overlay:    libc >=0.2.177, <0.3",
        "overlay:    parking_lot_core >=0.8.0, <0.10 (other versions build unpatched; >=0.10 need none)",
        "this crate: parking_lot_core 0.8.6 is patched",
        "this crate: parking_lot_core 0.9.12 is patched",
        "this crate: libc 0.2.191 is patched",
    ] {
        assert!(stdout.contains(line), "no `{line}` in:\n{stdout}");
    }
}

/// mio 1.2 through its overlay: TCP bind/connect/accept, UDP and a cross-thread `Waker` on one
/// `Poll` (none of which mio's wasip1 backend has), with the lock unchanged.
#[test]
fn mio_polls_sockets_and_a_waker() {
    assert_eq!(
        run_locked("mio_net", true).0,
        "tcp: hello mio\nudp: udp datagram\nwaker: true\n"
    );
}

/// async-std 1.x on its native runtime through the async-std, async-io and polling overlays
/// (none of which builds for WASIX as published): a TCP echo between tasks, timers, a task
/// join, `spawn_blocking` (the blocking overlay) and async-io's non-blocking connect, with the
/// lock unchanged.
#[test]
fn async_std_echoes_tcp_on_the_async_io_reactor() {
    assert_eq!(
        run_locked("async_std_net", true).0,
        "tcp: echoed 262144 bytes intact true, server saw 262144\n\
         sleep: at least 30 ms true\ntimeout: true\nspawn: 42\n\
         spawn_blocking: on another thread true\n\
         async-io connect: true\nasync-io timer: at least 10 ms true\n"
    );
}

/// tokio `full` on the multi-threaded runtime through the tokio, mio and socket2 overlays:
/// TCP echo, UDP, `lookup_host`, a timer and `spawn_blocking`; `tokio::process` (the program
/// re-run through `current_exe()` with piped stdin/stdout, an env var and exit code 3) and
/// `tokio::signal::unix` (a SIGUSR1 that a second child `kill`s the parent with, issue 9); with
/// the lock unchanged.
fn tokio_full_serves_tcp_udp_timers_processes_and_signals(t: Target) {
    assert_eq!(
        run_locked_on(t, "tokio_net", "--net").0,
        "tcp: echoed 1048576 bytes intact true, server saw 1048576\n\
         udp: ping from a true\nlookup_host: true\nsleep: true\nspawn_blocking: 42\n\
         process: child: PING FROM THE PARENT (exit code Some(3))\n\
         signal: child's kill true, SIGUSR1 received true\n"
    );
}

/// getrandom 0.2, 0.3 and 0.4 in one lock (rand 0.8/0.9/0.10, tempfile, uuid, ahash sit on
/// them): random bytes on both targets; on wasm64 through the getrandom overlay (wasm64 only:
/// getrandom has no backend there as published), with the lock unchanged.
fn getrandom_majors_give_random_bytes(t: Target) {
    assert_eq!(
        run_locked_on(t, "getrandom_all", "").0,
        "0.2: nonzero true, draws differ true\n\
         0.3: nonzero true, draws differ true\n\
         0.4: nonzero true, draws differ true\n\
         0.4 u64: draws differ true\n"
    );
}

/// memmap2 0.9.12 and filetime 0.2.30 through their overlays on a mounted host directory
/// (issue 18): read-only, offset, copy-on-write, anonymous and shared maps (the file changes on
/// `flush` and on drop, not before), a read-only fd refusing `make_mut`, and every filetime
/// setter, the symlink one setting the link's own times.
#[test]
fn memmap2_maps_and_filetime_sets_times_on_a_mounted_dir() {
    let data = tempfile::tempdir().expect("tempdir");
    let flags = format!("--mapdir /data:{}", data.path().display());
    let (stdout, _) = run_locked_with("mmap_files", &flags);
    assert_eq!(
        stdout,
        "read-only: hello, mapped world\n\
         offset 7: mapped world\n\
         copy-on-write: HOWDY, mapped world / file: hello, mapped world\n\
         anonymous: 100000 bytes, zeroed true, last 42\n\
         shared before flush: hello, mapped world\n\
         shared after flush: HELLO, mapped world\n\
         shared after drop: HELLO, MAPPED WORLD\n\
         read-only made mutable: refused (PermissionDenied)\n\
         set_file_times: (1000, 2000)\n\
         set_file_mtime: (1000, 3000)\n\
         set_file_atime: (4000, 3000)\n\
         set_file_handle_times: (4000, 5000)\n\
         set_symlink_file_times: link (6000, 7000), target (4000, 5000)\n\
         set_symlink_file_times on a file: (8000, 9000)\n"
    );
    let on_host = std::fs::read_to_string(data.path().join("mapped.txt")).expect("mapped.txt");
    assert_eq!(on_host, "HELLO, MAPPED WORLD");
    let link = std::fs::symlink_metadata(data.path().join("timed.link")).expect("timed.link");
    assert!(link.file_type().is_symlink());
    let mtime = link.modified().expect("mtime");
    assert_eq!(
        mtime,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(7000)
    );
}

/// Local time zones (issue 18): libc's `localtime_r`/`mktime` (libwasix's zone hook), time's
/// `local_offset_at` and chrono's `Local` (their overlays) agree, for a guest given no zone
/// (UTC: the host's does not leak), a POSIX `TZ` string, and a zoneinfo file by name from a
/// mounted `/usr/share/zoneinfo` (one the test writes: TZif version 2, -03:00, footer `<-03>3`).
#[test]
fn local_time_follows_the_zone_the_guest_is_given() {
    let line = |off: i64, dst: u8, zone: &str, hour: i64| -> String {
        format!("libc {off} dst={dst} {zone} {hour:02}:00 mktime=true; time {off}; chrono {off}")
    };
    let expect = |jan: String, jul: String| format!("1768478400: {jan}\n1784116800: {jul}\n");

    let (stdout, _) = run_locked_with("local_time", "");
    assert_eq!(stdout, expect(line(0, 0, "UTC", 12), line(0, 0, "UTC", 12)));

    let (stdout, _) = run_locked_with("local_time", "--env TZ=CET-1CEST,M3.5.0,M10.5.0/3");
    assert_eq!(
        stdout,
        expect(line(3600, 0, "CET", 13), line(7200, 1, "CEST", 14))
    );

    let zoneinfo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(zoneinfo.path().join("Test")).expect("mkdir");
    std::fs::write(zoneinfo.path().join("Test/Three"), tzif_minus_three()).expect("zone file");
    let flags = format!(
        "--env TZ=Test/Three --mapdir /usr/share/zoneinfo:{}",
        zoneinfo.path().display()
    );
    let (stdout, _) = run_locked_with("local_time", &flags);
    assert_eq!(
        stdout,
        expect(line(-10800, 0, "-03", 9), line(-10800, 0, "-03", 9))
    );
}

/// A TZif version-2 file for a zone at -03:00 all year: one local time type, no transitions,
/// and the POSIX footer (RFC 8536 layout: v1 block, v2 header and block, footer).
fn tzif_minus_three() -> Vec<u8> {
    let mut f = Vec::new();
    for _ in 0..2 {
        f.extend_from_slice(b"TZif2");
        f.extend_from_slice(&[0; 15]);
        // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        for n in [0u32, 0, 0, 0, 1, 4] {
            f.extend_from_slice(&n.to_be_bytes());
        }
        f.extend_from_slice(&(-10800i32).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(b"-03\0");
    }
    f.extend_from_slice(b"\n<-03>3\n");
    f
}
