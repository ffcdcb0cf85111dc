//! Cache correctness across processes: a second process blocks on the lock (and says so), and
//! a process killed mid-preparation (kill -9) leaves nothing that a later run would trust.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wasix_sysroot::{Options, Toolchain, cache, progress::Silent};

const ROOT_ENV: &str = "WASIX_SYSROOT_TEST_CHILD_ROOT";

/// Run only as the child of `killed_prepare_leaves_nothing_trusted`.
#[test]
#[ignore = "helper process for cache::killed_prepare_leaves_nothing_trusted"]
fn child_prepare() {
    let root = std::env::var_os(ROOT_ENV).expect("run by killed_prepare_leaves_nothing_trusted");
    let toolchain = Toolchain::detect().expect("detect");
    let options = Options {
        cache_root: Some(PathBuf::from(root)),
        ..Options::default()
    };
    wasix_sysroot::prepare(&toolchain, &options, &mut wasix_sysroot::progress::Stderr)
        .expect("prepare");
}

fn work_dirs(root: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(root)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn killed_prepare_leaves_nothing_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("home");
    let options = Options {
        cache_root: Some(root.clone()),
        ..Options::default()
    };
    let toolchain = Toolchain::detect().expect("detect");

    // Hold the lock so the child has to wait, and must say so.
    let held = cache::lock(&root, &mut Silent).expect("lock");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "cache::child_prepare",
            "--nocapture",
        ])
        .env(ROOT_ENV, &root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stderr = child.stderr.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let blocking = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("Blocking") => break line,
            Ok(_) => continue,
            Err(e) => {
                let _ = child.kill();
                panic!("child never reported blocking: {e}");
            }
        }
    };
    assert_eq!(
        blocking.trim(),
        "Blocking waiting for lock on the WASIX sysroot"
    );
    assert!(
        work_dirs(&root).is_empty(),
        "the child waits before touching anything"
    );

    // Let it start, and kill it -9 as soon as its work directory exists (while it copies
    // rust-src, before the std build spawns cargo).
    drop(held);
    let start = Instant::now();
    while work_dirs(&root).is_empty() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("child never started building");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill -9");
    let status = child.wait().expect("wait");
    assert!(!status.success());

    // Nothing is trusted: the entry is absent or unmarked, and status says "not up to date".
    let report = wasix_sysroot::status(&toolchain, &options).expect("status");
    assert!(!report.up_to_date, "{report:?}");
    let entry = report.sysroot.parent().expect("entry").to_owned();
    assert!(!entry.join(cache::MARKER).exists());
    // The leftover work dir is removed by the next run (under the lock).
    let stale = work_dirs(&root);
    assert_eq!(stale.len(), 1, "{stale:?}");
    let lock = cache::lock(&root, &mut Silent).expect("lock");
    cache::remove_stale_work_dirs(&lock, &root).expect("clean");
    assert!(work_dirs(&root).is_empty());
}
