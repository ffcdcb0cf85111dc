//! End-to-end: guest programs that call libwasix's C functions, built against a real sysroot
//! (prepared once per run through `wasix-sysroot`, cached like the sysroot crate's own tests)
//! and run on the bundled runtime. Each guest checks its own results and exits non-zero with
//! the failing check on stderr.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use wasix_runtime::{Mount, NetPolicy, RunOptions};
use wasix_sysroot::{Options, Prepared, Toolchain, prepare, progress::Stderr};

struct Shared {
    toolchain: Toolchain,
    prepared: Prepared,
}

fn cache_root() -> PathBuf {
    match std::env::var_os("CARGO_WASIX_HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasix-home"),
    }
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let toolchain = Toolchain::detect().expect("detect toolchain");
        let options = Options {
            cache_root: Some(cache_root()),
            ..Options::default()
        };
        let prepared = prepare(&toolchain, &options, &mut Stderr).unwrap_or_else(|e| panic!("{e}"));
        Shared {
            toolchain,
            prepared,
        }
    })
}

/// Builds `tests/guests/<name>.rs` for the WASIX target; returns the module path.
fn build(name: &str) -> PathBuf {
    let s = shared();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/libwasix-guests");
    std::fs::create_dir_all(&dir).expect("create the guest output dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(format!("{name}.rs"));
    let out = dir.join(format!("{name}.wasm"));
    let output = Command::new(&s.toolchain.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("--target")
        .arg(&s.prepared.target_name)
        .arg("--sysroot")
        .arg(&s.prepared.sysroot)
        .args(["-Zunstable-options", "--edition", "2024", "-O"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run rustc");
    assert!(
        output.status.success(),
        "building {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Runs a guest; the runtime is entered by one test at a time (guests print straight to the
/// process's stdout/stderr).
fn run(opts: RunOptions) -> i32 {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let module = opts.module.clone();
    wasix_runtime::run(opts).unwrap_or_else(|e| panic!("running {}: {e}", module.display()))
}

#[test]
fn sockets_and_getaddrinfo() {
    let mut opts = RunOptions::new(build("sockets"));
    opts.net = NetPolicy::allow_all();
    assert_eq!(run(opts), 0, "see the guest's failed check above");
}

#[test]
fn pipes_dup_fcntl_sysconf_cwd() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut opts = RunOptions::new(build("fds"));
    opts.mounts
        .push(Mount::parse_mapdir(&format!("/tmp:{}", tmp.path().display())).expect("mapdir"));
    assert_eq!(run(opts), 0, "see the guest's failed check above");
}

#[test]
fn mmap_in_linear_memory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut opts = RunOptions::new(build("mman"));
    opts.mounts
        .push(Mount::parse_mapdir(&format!("/tmp:{}", tmp.path().display())).expect("mapdir"));
    assert_eq!(run(opts), 0, "see the guest's failed check above");
}

#[test]
fn process_calls_and_spawn_arguments() {
    assert_eq!(
        run(RunOptions::new(build("process"))),
        0,
        "see the guest's failed check above"
    );
}

#[test]
fn relative_paths_start_in_the_host_cwd() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = format!("probe-{}", std::process::id());
    std::fs::write(dir.path().join("libwasix-cwd-probe"), &token).expect("write probe");
    let mut opts = RunOptions::new(build("cwd_start"));
    opts.mounts
        .push(Mount::parse_mapdir(&format!("/work:{}", dir.path().display())).expect("mapdir"));
    opts.cwd = Some("/work".into());
    opts.args = vec![token];
    assert_eq!(run(opts), 0, "see the guest's failed check above");
}
