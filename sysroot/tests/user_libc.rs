//! User crates see WASIX libc items through `patched_crate("libc", ..)` +
//! `--config patch.crates-io.libc.path`, for every patch set of the libc overlay: a version
//! newer than the one std pins, and versions older than it (lockfiles pin what they pin).

use std::path::Path;

use crate::common::{assert_wasix_imports, options, shared};

/// Newer than std 1.95's pin (0.2.178); the overlay's anchors must hold for it too.
#[test]
fn patched_libc_serves_a_user_crate() {
    user_crate_with_libc("0.2.191");
}

/// The 0.2.170 – 0.2.176 set (once_cell's and parking_lot's own locks pin such versions).
#[test]
fn patched_older_libc_serves_a_user_crate() {
    user_crate_with_libc("0.2.174");
}

/// The 0.2.159 – 0.2.169 set: `src/wasi/mod.rs` but no prelude (edition 2015 here).
#[test]
fn patched_libc_without_prelude_serves_a_user_crate() {
    user_crate_with_libc("0.2.164");
}

/// The 0.2.150 – 0.2.158 set: edition 2015, one `src/wasi.rs`.
#[test]
fn patched_oldest_libc_serves_a_user_crate() {
    user_crate_with_libc("0.2.158");
}

fn user_crate_with_libc(user_libc: &str) {
    let s = shared();
    let patched = wasix_sysroot::patched_crate(
        &s.toolchain,
        "libc",
        user_libc,
        &options(),
        &mut wasix_sysroot::progress::Stderr,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        patched.checksum.as_ref().is_some_and(|c| c.len() == 64),
        "the registry checksum is kept: {patched:?}"
    );
    let libc_dir = patched.dir;
    assert!(
        libc_dir.join("src/wasi/wasix.rs").exists(),
        "{}",
        libc_dir.display()
    );
    assert!(
        libc_dir
            .to_string_lossy()
            .contains(&format!("overlays/libc/{user_libc}-")),
        "{}",
        libc_dir.display()
    );
    // Cached: the same directory comes back without work.
    let start = std::time::Instant::now();
    let again = wasix_sysroot::patched_crate(
        &s.toolchain,
        "libc",
        user_libc,
        &options(),
        &mut wasix_sysroot::progress::Silent,
    )
    .expect("cached");
    assert_eq!(again.dir, libc_dir);
    assert!(start.elapsed() < std::time::Duration::from_millis(100));

    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasix-sysroot-tests");
    let krate = base.join(format!("user-libc-{user_libc}"));
    std::fs::create_dir_all(krate.join("src")).expect("mkdir");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"user-libc\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nlibc = \"={user_libc}\"\n\n[workspace]\n"
        ),
    )
    .expect("write manifest");
    std::fs::write(
        krate.join("src/main.rs"),
        "fn main() {
    let mut fds = [0; 2];
    // SAFETY: plain libc calls with valid pointers.
    unsafe {
        let s = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(libc::pipe(fds.as_mut_ptr()) == 0 || s < 0);
    }
    println!(\"{fds:?}\");
}
",
    )
    .expect("write main");
    let target_dir = base.join(format!("user-libc-target-{user_libc}"));
    let rustflags = format!(
        "--sysroot={} -Zunstable-options",
        s.prepared.sysroot.display()
    );
    let output = s
        .toolchain
        .cargo_command()
        .current_dir(&krate)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags.replace(' ', "\u{1f}"))
        .args([
            "build",
            "--release",
            "--target",
            &s.prepared.target_name,
            "--config",
        ])
        .arg(format!(
            "patch.crates-io.libc.path={:?}",
            libc_dir.display().to_string()
        ))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm = std::fs::read(
        target_dir
            .join(&s.prepared.target_name)
            .join("release/user-libc.wasm"),
    )
    .expect("read wasm");
    let imports = assert_wasix_imports(&wasm);
    for call in ["sock_open", "fd_pipe"] {
        assert!(
            imports.iter().any(|(m, n)| m == "wasix_32v1" && n == call),
            "no wasix_32v1.{call}: {imports:?}"
        );
    }
}

/// A lock may keep a version yanked after it was locked (libc 0.2.165 was yanked): the overlay
/// still fetches and patches it.
#[test]
fn a_yanked_libc_is_patched_too() {
    let toolchain = wasix_sysroot::Toolchain::detect().expect("detect toolchain");
    let patched = wasix_sysroot::patched_crate(
        &toolchain,
        "libc",
        "0.2.165",
        &options(),
        &mut wasix_sysroot::progress::Silent,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        patched.dir.join("src/wasi/wasix.rs").exists(),
        "{patched:?}"
    );
}
